"""The compiled trie's per-code-point tables (issue 17, small texts): the haystack byte and
the packed match-key codes of every code point from 128 below 0x3000, made whole by the
reference's own ``_fold_char`` and ``key_codes`` when a trie is pickled and kept in the
pickle, so that a freshly unpickled normaliser (every table loaded from the cache) does not
call back into Python once per new character of its first text; a trie just built fills
them as code points come. They must be the reference's, entry for entry; a pickle is the
same before and after its trie was used; a restored trie keeps them; a pickle whose tables
do not fit or point outside the fold table is refused; and a fresh trie scans as a used one
and as the pure-Python core."""

from __future__ import annotations

import pickle
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import core
from normalise.scan import KEY_CODES_BELOW, Scanner, _fold_char, fold_form, key_codes
from tests.test_core import compares_cores, drawn_keys, scanners
from tests.test_trie_pickle_compiled import reduced, restored
from tests.test_word_filter_compiled import assert_same_hits

pytestmark = compares_cores

#: the tables' range and a little beyond it (folded and keyed by the reference per span)
CHARS = st.characters(min_codepoint=32, max_codepoint=0x3100)
UNKNOWN = -2  # an ASCII entry: ASCII is folded and keyed by tables of its own


def reference_tables() -> tuple[list[int], list[int]]:
    """What each entry must be, from the reference's functions one code point at a time."""
    folded, keyed = [], []
    for c in range(KEY_CODES_BELOW):
        if c < 128:
            folded.append(UNKNOWN)
            keyed.append(UNKNOWN)
            continue
        char = _fold_char(chr(c))
        folded.append(ord(char) if char else -1)
        codes = key_codes(chr(c))
        keyed.append(
            codes if isinstance(codes, int) else codes[0] | codes[1] << 15 | codes[2] << 30
        )
    return folded, keyed


def unpacked(tables: tuple[bytes, bytes]) -> tuple[list[int], list[int]]:
    folded, keyed = tables
    return (
        list(struct.unpack(f"={len(folded) // 2}h", folded)),
        list(struct.unpack(f"={len(keyed) // 4}i", keyed)),
    )


def a_trie(forms=("Kabul", "Łódź", "Москва", "İzmir")):
    with core.using("compiled"):
        return Scanner({fold_form(f): i for i, f in enumerate(forms)}, {}, map(fold_form, forms))


def test_a_restored_trie_has_every_entry_of_the_reference():
    folded, keyed = unpacked(restored(a_trie()._trie).code_point_tables())
    expected_folded, expected_keyed = reference_tables()
    assert len(folded) == len(expected_folded) == 0x3000
    assert [c for c in range(0x3000) if folded[c] != expected_folded[c]] == []
    assert [c for c in range(0x3000) if keyed[c] != expected_keyed[c]] == []


def test_a_built_trie_fills_only_what_it_meets_and_pickles_the_same_after():
    """A build pays for none of the tables; a scan fills the entries of its characters (the
    reference's); the pickle does not depend on what was filled."""
    trie = a_trie()._trie
    before = pickle.dumps(trie)
    folded, keyed = unpacked(trie.code_point_tables())
    assert set(folded) == set(keyed) == {UNKNOWN}
    trie.scan("Łódź ŁÓDŹ Москва")
    folded, keyed = unpacked(trie.code_point_tables())
    expected_folded, expected_keyed = reference_tables()
    met = {ord(c) for c in "ŁóźÓŹМоскваМОСКВА"}
    filled = {c for c in range(0x3000) if folded[c] != UNKNOWN}
    assert filled and filled <= met
    assert all(folded[c] == expected_folded[c] for c in filled)
    assert all(keyed[c] in (UNKNOWN, expected_keyed[c]) for c in range(0x3000))
    assert pickle.dumps(trie) == before


def test_a_restored_trie_keeps_the_tables_and_a_scan_changes_none():
    trie = a_trie()._trie
    copy = restored(trie)
    tables = copy.code_point_tables()
    assert tables == restored(copy).code_point_tables()
    copy.scan("Łódź, ŁÓDŹ, Москва, МОСКВА, İzmir, izmir, ä\u0301 ﬁ Σ ſ ǅ")
    assert copy.code_point_tables() == tables


@pytest.mark.parametrize(
    ("which", "change"),
    [
        (0, lambda b: b[:-2]),
        (1, lambda b: b + b"\0\0\0\0"),
        (0, lambda b: b[:400] + struct.pack("=h", 256) + b[402:]),
        (0, lambda b: b[:400] + struct.pack("=h", -3) + b[402:]),
        (1, lambda b: b[:800] + struct.pack("=i", -4) + b[804:]),
    ],
)
def test_tables_that_do_not_fit_are_refused(which, change):
    function, args = reduced()
    tables = list(args[-1])
    tables[which] = change(tables[which])
    args[-1] = tuple(tables)
    with pytest.raises(ValueError, match=r"code point tables|fold table|key codes"):
        function(*args)


@given(
    st.lists(st.text(CHARS, min_size=1, max_size=8), min_size=1, max_size=6),
    st.text(CHARS, max_size=60),
    st.data(),
)
def test_a_fresh_trie_scans_as_a_used_one_and_as_the_reference(forms, noise, data):
    """Forms and text of characters below 0x3000 and above: the hits of a trie just unpickled,
    of the one it was pickled from after it scanned the text, and of the Python core."""
    keys, exact = drawn_keys(forms, data)
    compiled, python = scanners(keys, exact, [fold_form(f) for f in forms])
    text = " ".join([noise, *forms, noise.upper(), *map(str.upper, forms)])
    with core.using("compiled"):
        fresh = pickle.loads(pickle.dumps(compiled))
    assert fresh._trie is not None
    assert_same_hits(compiled, python, text)
    assert fresh.scan(text) == compiled.scan(text)
    assert fresh.scan_overlapping(text) == compiled.scan_overlapping(text)
