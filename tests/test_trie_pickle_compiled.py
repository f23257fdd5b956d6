"""A built compiled trie pickles as its arrays and is restored from them, not rebuilt: copied,
or used where they lie when they come out of band (pickle protocol 5, as the cache writes
them); the restored trie scans as the built one, a pickled table restores it, and a pickle of
another layout or with indexes outside the trie is refused (issue 17: the CLI's fixed cost)."""

from __future__ import annotations

import mmap
import os
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, cache, core
from normalise.scan import Scanner, fold_form, restored_trie
from normalise.table import table_from_entries
from tests.test_core import drawn_keys
from tests.test_properties import tables_and_texts, words

needs_compiled = pytest.mark.skipif(
    core._compiled() is None, reason="the compiled core is not built here"
)


def restored(trie, protocol=pickle.HIGHEST_PROTOCOL):
    """A compiled trie through pickle, loaded where the compiled core runs (elsewhere it
    comes back as None: test_a_refused_or_foreign_trie_is_built_again)."""
    with core.using("compiled"):
        return pickle.loads(pickle.dumps(trie, protocol))


def restored_out_of_band(trie, misalign=0):
    """A compiled trie through pickle with its arrays out of band, each put in read-only
    memory that starts at a page, at a 64-byte boundary (as the cache's mapping has them),
    ``misalign`` bytes past it."""
    buffers = []
    with core.using("compiled"):
        data = pickle.dumps(trie, 5, buffer_callback=buffers.append)
    raws = [buffer.raw() for buffer in buffers]
    stride = 64 * (max(raw.nbytes for raw in raws) // 64 + 2)
    memory = mmap.mmap(-1, stride * len(raws))
    for i, raw in enumerate(raws):
        memory[i * stride + misalign : i * stride + misalign + raw.nbytes] = raw
    view = memoryview(memory).toreadonly()
    lying = [view[i * stride + misalign :][: raw.nbytes] for i, raw in enumerate(raws)]
    with core.using("compiled"):
        return pickle.loads(data, buffers=lying)  # the trie keeps the memory it uses


RESTORES = {
    "copied": (restored, False),
    "protocol 4": (lambda t: restored(t, 4), False),
    "in place": (restored_out_of_band, True),
    "misaligned: copied": (lambda t: restored_out_of_band(t, misalign=8), False),
}


def assert_same_scans(built, copy, text):
    assert copy.scan(text) == built.scan(text)
    assert copy.scan_overlapping(text) == built.scan_overlapping(text)
    assert copy.fold(text) == built.fold(text)
    # every array and value came back: the copy pickles to the very same bytes
    assert pickle.dumps(copy, 5) == pickle.dumps(built, 5)


@needs_compiled
@pytest.mark.parametrize("how", RESTORES)
@given(st.lists(words(), min_size=1, max_size=8), st.text(max_size=60), st.data())
def test_a_restored_trie_scans_as_the_built_one(how, forms, noise, data):
    """Forms of one word and of several (the followers' filter), case-sensitive keys and
    others, over text that mixes them with arbitrary Unicode; the arrays copied, or used
    where they lie (out of band, at a 64-byte boundary; copied when they are not)."""
    keys, exact = drawn_keys(forms, data)
    joined = data.draw(st.lists(st.sampled_from(forms), min_size=2, max_size=3))
    patterns = [fold_form(f) for f in forms] + [fold_form(" ".join(joined))]
    keys[fold_form(" ".join(joined))] = len(forms)
    pieces = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from([*forms, " ".join(joined)]).map(str.upper),
                st.sampled_from([*forms, " ".join(joined)]),
                st.just(noise),
                st.sampled_from([" ", "-", "\u0301", ". "]),
            )
        )
    )
    text = " ".join(pieces)
    with core.using("compiled"):
        built = Scanner(keys, exact, patterns)._trie
    restore, in_place = RESTORES[how]
    copy = restore(built)
    empty = not all(built.__reduce__()[1][4])  # no candidate keys: copied (none lies anywhere)
    assert copy.borrowed is (in_place and not empty) and not built.borrowed
    assert_same_scans(built, copy, text)


@needs_compiled
@given(tables_and_texts())
def test_a_pickled_table_restores_its_trie_and_normalises_alike(case):
    entries, text = case
    with core.using("compiled"):
        built = Normaliser(table=table_from_entries(entries), phonetic="off")
        copy = pickle.loads(pickle.dumps(built.compiled))
    assert copy.scanner._trie is not built.compiled.scanner._trie
    assert_same_scans(built.compiled.scanner._trie, copy.scanner._trie, text)
    result, again = built.normalise(text), Normaliser.from_compiled(copy).normalise(text)
    assert (again.text, again.substitutions) == (result.text, result.substitutions)


@needs_compiled
def test_a_pickled_scanner_is_not_rebuilt_under_the_compiled_core(monkeypatch):
    with core.using("compiled"):
        state = pickle.dumps(Scanner({"kabul": 0, "mazar i sharif": 1}, {}, ["kabul"]))

        def rebuilt(self):
            raise AssertionError("the trie was rebuilt, not restored")

        monkeypatch.setattr(Scanner, "_build_core", rebuilt)
        loaded = pickle.loads(state)
    assert loaded.scan("to Kabul.") == [(3, 8, 0)]


@needs_compiled
def test_an_empty_trie_pickles():
    with core.using("compiled"):
        built = Scanner({}, {}, [])._trie
    assert_same_scans(built, restored(built), "nothing here")


def reduced():
    """The compiled restore (which refuses) and the arguments a trie pickles."""
    with core.using("compiled"):
        forms = ["Kabul", "Mazar i Sharif", "Herat"]
        trie = Scanner({fold_form(f): i for i, f in enumerate(forms)}, {}, map(fold_form, forms))
    function, args = trie._trie.__reduce__()
    assert function is restored_trie
    return core.compiled_module()._restored_trie, list(args)


@needs_compiled
def test_a_refused_or_foreign_trie_is_built_again():
    """Where the compiled core does not run, or the arrays are refused, the pickled trie
    comes back as None and the scanner builds its own: the same hits either way."""
    forms = ["Kabul", "Mazar i Sharif", "Herat"]
    text = "From Kabul to MAZAR I SHARIF and Herat."
    with core.using("compiled"):
        scanner = Scanner({fold_form(f): i for i, f in enumerate(forms)}, {}, map(fold_form, forms))
        expected = scanner.scan(text)
        data = pickle.dumps(scanner)
    with core.using("python"):
        assert restored_trie(*reduced()[1]) is None
        again = pickle.loads(data)
        assert again._trie is None and again.scan(text) == expected
    _, args = reduced()
    args[0] = (*args[0][:-1], args[0][-1] + 1)
    with core.using("compiled"):
        assert restored_trie(*args) is None
        assert restored_trie(*reduced()[1]) is not None


@needs_compiled
def test_a_trie_of_another_layout_is_refused():
    function, args = reduced()
    args[0] = (*args[0][:-1], args[0][-1] + 1)
    with pytest.raises(ValueError, match="layout"):
        function(*args)


@needs_compiled
@pytest.mark.parametrize("array", range(7))
def test_a_trie_whose_arrays_do_not_fit_is_refused(array):
    function, args = reduced()
    arrays = list(args[4])
    arrays[array] = arrays[array][:-4] if arrays[array] else b"\0\0\0\0"
    args[4] = tuple(arrays)
    with pytest.raises(ValueError, match="pickled trie"):
        function(*args)


@needs_compiled
@pytest.mark.parametrize("array", [0, 1, 2])
def test_a_trie_whose_indexes_point_outside_it_is_refused(array):
    """terminal, dense rows, packed nodes: an index past the end is never followed."""
    function, args = reduced()
    arrays = list(args[4])
    arrays[array] = b"\xff\xff\xff\x7f" + arrays[array][4:]
    args[4] = tuple(arrays)
    with pytest.raises(ValueError, match="outside"):
        function(*args)


def test_the_code_digest_follows_the_files_stat_and_the_compiled_core(tmp_path, monkeypatch):
    """By path, size and modification time, the compiled core's file included: a new build of
    the core writes arrays of its own, so it must not meet a table pickled by the old one."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "romanisation.yaml").write_text("a: b\n")
    (tmp_path / "rewrite.py").write_text("x = 1\n")
    built = tmp_path / f"_core{cache.machinery.EXTENSION_SUFFIXES[0]}"
    built.write_bytes(b"\0" * 64)
    (tmp_path / "notes.txt").write_text("not code")
    monkeypatch.setattr(cache, "__file__", str(tmp_path / "cache.py"))
    digest = cache._code_digest.__wrapped__

    first = digest()
    assert digest() == first
    (tmp_path / "notes.txt").write_text("still not code")
    assert digest() == first
    os.utime(built, ns=(1, os.stat(built).st_mtime_ns + 1))
    assert digest() != first
    second = digest()
    (tmp_path / "rewrite.py").write_text("x = 22\n")
    assert digest() != second
    third = digest()
    os.utime(tmp_path / "data" / "romanisation.yaml", ns=(1, 1))
    assert digest() != third
