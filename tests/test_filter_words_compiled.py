"""The first words' filter of the compiled scan reads the word after a first word 8 bytes at
once, and hashes the empty first word (the word start of a double space) like any other
(issue 17, 100,000 variants against 1,000): the same words as the byte-by-byte definition, and
a double space passes the filter only before a word some form goes on with."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from normalise import core
from normalise.scan import fold_form, match_key
from tests.test_core import compares_cores, scanners
from tests.test_word_filter_compiled import in_mode

BUILT = core._compiled() is not None
pytestmark = compares_cores

if BUILT:
    from normalise import _core


def filter_word(data: bytes, start: int) -> int:
    """The definition: the bytes from ``start`` up to and including the first space (the end
    of the data counts as one), at most 6, as a little-endian number."""
    word = bytearray()
    for c in data[start : start + 6]:
        word.append(c)
        if c == 32:
            break
    else:
        if len(word) < 6:
            word.append(32)
    return int.from_bytes(word, "little")


BYTES = st.binary(max_size=20) | st.lists(st.sampled_from(b"ab \x00\xff"), max_size=20).map(bytes)


@given(BYTES, st.integers(0, 20), st.binary(max_size=12))
def test_the_word_after_a_first_word_is_read_as_defined(data, start, after):
    start = min(start, len(data))
    expected = filter_word(data, start)
    assert _core.filter_word(data, start) == expected
    # read 8 bytes at once where the data goes on (the scan's case), byte by byte where not
    if b" " in data[start : start + 6] or len(data) - start >= 6:
        assert _core.filter_word(data + after, start) == expected
    assert _core.filter_word(data[:start] + data[start : start + 6] + b" " * 8, start) == (
        filter_word(data[: start + 6] + b" ", start)
    )


def test_a_double_space_passes_only_before_a_word_a_form_goes_on_with():
    """Forms that begin with punctuation fold to a leading space: their first word is empty.
    Its hash was 0, the same as its pair with nothing after it, so every double space of a
    text passed the filter (and was walked); now only those before some form's next word."""
    rng = random.Random(7)
    names = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(3000)
    ]
    # 30 forms begin with punctuation: their pairs share the empty word's line of the filter
    forms = [f"'{n}" if i % 100 == 0 else n for i, n in enumerate(names)]
    keys = {match_key(f): i for i, f in enumerate(forms)}
    compiled, python = scanners(keys, {}, [fold_form(f) for f in forms])
    trie = compiled._trie
    assert all(trie.passes(b" " + n.encode()) for n in names[::100])  # the forms' own
    others = [n.encode() for n in names[1::10]]  # first words, but after no leading space
    passed = sum(trie.passes(b" " + w + b" tail") for w in others)
    assert passed < len(others) // 10, passed
    assert sum(trie.passes(b"  " + w) for w in others) < len(others) // 10
    text = ", ".join(n.title() for n in names[:400]) + ", '" + names[0].upper()
    assert compiled.scan(text) == python.scan(text) != []


def test_a_first_word_of_many_forms_has_its_pairs_spread_and_all_found():
    """A first word that begins more forms than its filter line holds (200 pairs, 2 bits each,
    in a line of 512 bits) has its pairs spread over the filter: each of them passes and the
    scan finds every form, a pair of it with another word seldom passes."""
    rng = random.Random(11)
    names = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(400)
    ]
    forms = [f"ciudad {n}" for n in names[:200]] + names[200:]
    keys = {match_key(f): i for i, f in enumerate(forms)}
    compiled, python = scanners(keys, {}, [fold_form(f) for f in forms])
    trie = compiled._trie
    assert all(trie.passes(f"ciudad {n} x".encode()) for n in names[:200])
    passed = sum(trie.passes(f"ciudad {n}".encode()) for n in names[200:])
    assert passed < 20, passed
    text = ", ".join(f"Ciudad {n.title()}" for n in names[::3]) + " ciudad ciudad"
    hits = compiled.scan(text)
    assert len(hits) == len(names[::3])
    assert hits == in_mode(compiled.scan, text, word_filter=False) == python.scan(text)
    assert compiled.scan_overlapping(text) == python.scan_overlapping(text)
