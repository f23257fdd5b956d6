"""The compiled scan's first words' jumps (issue 17): a walk that passed the first words'
filter starts at the node its first word's first 8 bytes lead to, found in one probe of a
table, not a step per byte. It must change no hit: the scan with the jumps and without
them (and without the filter), and the pure-Python core, give the same hits and records;
a pickled trie keeps its jumps, and refuses jumps that point outside it. (Random tables
and Unicode texts in every mode of the scan: test_word_filter_compiled.py.)"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import core
from normalise.scan import Scanner, fold_form, match_key
from tests.test_core import compares_cores, drawn_keys, scanners
from tests.test_word_filter_compiled import assert_same_hits, in_mode, stems_and_text

BUILT = core._compiled() is not None
pytestmark = compares_cores

if BUILT:
    from normalise import _core


#: First words of 7, 8, 9 and 16 bytes that share their first 7 or 8 (the jump's key is
#: the first 8: the longer ones meet at one node and go on by the walk), short ones, and
#: joins that make multi-word forms, forms that begin with punctuation (the empty first
#: word: no jump) and combining marks.
STEMS = ["abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefgx", "ab", "a", "zz"]
JOINS = ["", " ", " city", " abcdefgh ij", "s", "\u0301", "e\u0301s", "-"]


def eight_byte_words():
    noise = [" ", "  ", "-", ", ", "\u0301", "ABCDEFGHIJ", "abcdefgh\u00e9"]
    return stems_and_text(STEMS, JOINS, noise, leads=["", "-", ". "])


@given(eight_byte_words(), st.data())
def test_first_words_about_eight_bytes_give_the_same_hits(case, data):
    forms, text = case
    keys, exact = drawn_keys(forms, data)
    compiled, python = scanners(keys, exact, [fold_form(f) for f in forms])
    assert_same_hits(compiled, python, text)
    # the text's last word: fewer than 8 bytes readable after it (read byte by byte)
    assert_same_hits(compiled, python, text + " " + forms[-1])


@given(st.binary(max_size=24), st.integers(0, 24), st.integers(1, 24))
def test_a_jump_key_is_the_same_however_it_is_read(data, start, length):
    """8 bytes read at once where the buffer has them, else byte by byte: the key is the
    word's first 8 bytes at most, little-endian, whichever way."""
    if start + length > len(data):
        with pytest.raises(ValueError):
            _core.jump_key(data, start, length)
        return
    expected = int.from_bytes(data[start : start + min(length, 8)], "little")
    assert _core.jump_key(data, start, length) == expected
    # the same word at the very end of a buffer: fewer than 8 bytes readable past it
    word = data[start : start + length]
    assert _core.jump_key(word, 0, length) == expected


def test_a_long_table_of_shared_first_words_finds_every_form():
    """2,000 forms whose first words share 8 bytes and more (one jump, then the walk), and
    as many that differ in their last byte: every one found, each where it was written."""
    forms = [f"abcdefgh{i:04d} street" for i in range(1000)]
    forms += [f"abcdefg{chr(97 + i % 26)}{i:03d}" for i in range(1000)]
    forms += ["abcdefgh", "a", "ab cd"]
    compiled, python = scanners(
        {match_key(f): i for i, f in enumerate(forms)}, {}, [fold_form(f) for f in forms]
    )
    text = " ".join(f.upper() if i % 3 else f for i, f in enumerate(forms[::-7]))
    hits = compiled.scan(text)
    assert len(hits) == len(forms[::-7])
    assert hits == python.scan(text) == in_mode(compiled.scan, text, jumps=False)


def reduced(forms):
    with core.using("compiled"):
        scanner = Scanner({fold_form(f): i for i, f in enumerate(forms)}, {}, map(fold_form, forms))
    _, args = scanner._trie.__reduce__()
    return scanner, core.compiled_module()._restored_trie, list(args)


def test_a_restored_trie_keeps_its_jumps():
    forms = ["Kabul", "Mazar i Sharif", "Herat", "Abcdefghijk", "Abcdefgh"]
    scanner, _, _ = reduced(forms)
    text = "From Kabul to MAZAR I SHARIF, Herat, abcdefghijk and Abcdefgh."
    with core.using("compiled"):
        again = pickle.loads(pickle.dumps(scanner))
    assert again._trie is not None
    assert again.scan(text) == scanner.scan(text) and len(scanner.scan(text)) == 5


@pytest.mark.parametrize("damage", ["node", "length", "size", "full"])
def test_jumps_that_do_not_hold_together_are_refused(damage):
    """A jump to a node past the trie, of more than 8 bytes, a table whose size is not a
    power of two, or one with no empty slot (a probe would never end): refused."""
    _, function, args = reduced(["Kabul", "Mazar i Sharif", "Herat"])
    arrays = list(args[4])
    jumps = bytearray(arrays[7])
    slots = len(jumps) // 16
    used = next(i for i in range(slots) if jumps[16 * i + 8 : 16 * i + 12] != b"\0\0\0\0")
    if damage == "node":
        jumps[16 * used + 8 : 16 * used + 12] = (1 << 30).to_bytes(4, "little")
    elif damage == "length":
        jumps[16 * used + 12 : 16 * used + 16] = (9).to_bytes(4, "little")
    elif damage == "size":
        jumps = jumps[:-16]
    else:
        for i in range(slots):
            jumps[16 * i + 8 : 16 * i + 16] = (1).to_bytes(4, "little") * 2
    arrays[7] = bytes(jumps)
    args[4] = tuple(arrays)
    with pytest.raises(ValueError, match="pickled trie"):
        function(*args)
