"""The compiled verification of a hit outside ASCII (issue 17): the match key of più, Łódź
or Москва is made in C a character at a time (``normalise.scan.key_codes``), not by a slice
and ``match_key``. It must be ``match_key``'s key exactly wherever it is made (and left to
``match_key`` where a character's part is not one code point), and change no hit: both
cores give the same hits and records over random Unicode."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from normalise import core
from normalise.casing import cased
from normalise.scan import KEY_CODES_BELOW, Scanner, fold_form, key_codes, match_key
from normalise.table import Entry
from tests.test_core import both, compares_cores, drawn_keys, records, scanners

pytestmark = compares_cores

#: Letters whose key or fold is not the obvious one: lower or upper case of another length
#: (İ, ß, ẞ, ǰ, ŉ, ΐ), final sigma, ligatures (ﬁ, ĳ, æ), letters without a decomposition
#: (ł, ø, ı, ſ), compatibility-only ones (K Kelvin, Å Angstrom, Ω Ohm), title case (ǅ),
#: Cyrillic, Greek, Hangul syllables and jamo (composed by NFC), combining marks of
#: several classes, apostrophes, hyphens and spaces that keys rewrite, line breaks.
TRICKY = (
    "aeiouzlskgnAEIKSZ"
    "àéîõüçñÿÀÉÎÕÜÇÑŸłŁøØæÆœŒßẞſıİĳǅǆǄǰŉΐ"
    "\u212a\u212b\u2126ΣσςΩωЖжёЁщЩ한국\u1100\u1161\u11a8"
    "\u0301\u0308\u0307\u0327\u0345\u0344\u093c\u0f73"
    "’ʼʻ`´\u2010\u2011\u00a0\u2009\u2028\u0085 -'.ﬁﬂ"
)
spans = st.text(alphabet=st.sampled_from(TRICKY), max_size=12) | st.text(max_size=12)


def trie():
    with core.using("compiled"):
        return Scanner({"kabul": 0}, {}, ["kabul"])._trie


@given(spans)
@example("ΟΔΟΣ")  # a final sigma: lower-cased by its place
@example("\u1100\u1161\u11a8")  # jamo that NFC composes into a syllable
@example("İSTANBUL ǅemal ẞ ǰ ŉ ΐ")  # a lower or upper case of another length
@example("e\u0301\u0327 Å K Ω")  # marks of two classes, compatibility letters
def test_the_key_made_in_c_is_match_keys(span):
    """Wherever the compiled core makes a key it is ``match_key``'s, case kept and
    lower-cased; where it asks the form's ASCII keys, the key folds as the span, so that
    they hold it."""
    made = trie().key(span)
    if made is None:
        return
    kept, lowered, ascii_keys = made
    assert (kept, lowered) == (match_key(span, True), match_key(span))
    if ascii_keys:
        assert lowered.isascii() and fold_form(lowered) == fold_form(span)


def test_the_key_is_made_in_c_for_letters_with_marks_and_other_scripts():
    """The letters of Italian, Polish, Czech, German, Russian and Greek text, composed and
    decomposed, take the C path (a test that every key goes to ``match_key`` would pass
    the test above); ﬁ, Σ and Hangul do not."""
    made = trie()
    for span in ("più", "Łódź", "Dvořák", "Straße", "Москва", "Αθήνα", "İzmir", "e\u0301s"):
        assert made.key(span) is not None, span
        assert made.key(unicodedata.normalize("NFD", span)) is not None, span
    assert made.key("più")[2] and not made.key("Москва")[2]
    for span in ("ﬁne", "ΣΟΦΙΑ", "한국", "\U0001d4b6"):
        assert made.key(span) is None, span


def test_every_character_the_c_path_reads_keeps_its_place_under_nfc():
    """NFC composes only a base with what follows it; a key made a character at a time is
    NFC's only if no character it keeps is the second of a composition. The canonical
    decompositions have no such character outside the marks (which keys drop) and the
    Hangul jamo (which :func:`key_codes` refuses): this says so of this Python's Unicode."""
    seconds = set()
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    kept = [c for c in seconds if not unicodedata.category(c).startswith("M")]
    assert kept == []
    for jamo in ("\u1161", "\u11a8", "\u1100"):
        assert key_codes(jamo) == -3
    for code in range(128, KEY_CODES_BELOW):
        codes = key_codes(chr(code))
        if isinstance(codes, tuple):
            assert max(codes[:2]) < KEY_CODES_BELOW


forms = st.text(alphabet=st.sampled_from(TRICKY), min_size=1, max_size=8).filter(
    lambda f: fold_form(f).strip() and "\u2028" not in f and "\x85" not in f
)
SPELLINGS = (str, str.upper, str.lower, str.title, str.swapcase, str.casefold)


@given(st.lists(forms, min_size=1, max_size=6), st.data())
def test_both_scanners_agree_on_forms_outside_ascii(chosen, data):
    """Forms of the tricky letters, case-sensitive or not, in texts of their spellings
    recased, decomposed and composed: the same hits on both cores."""
    keys, exact = drawn_keys(chosen, data)
    patterns = [fold_form(f) for f in chosen]
    pieces = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(chosen),
                st.sampled_from(SPELLINGS),
                st.sampled_from(("NFC", "NFD", "NFKC")),
            ).map(lambda t: unicodedata.normalize(t[2], t[1](t[0])))
            | st.sampled_from([" ", "\u0301", ". ", "ﬁ", "ß"])
            | st.text(max_size=4),
            max_size=12,
        )
    )
    text = " ".join(pieces)
    compiled, python = scanners(keys, exact, patterns)
    assert compiled.scan(text) == python.scan(text)
    assert compiled.scan_overlapping(text) == python.scan_overlapping(text)


@given(st.lists(forms, min_size=1, max_size=4, unique_by=match_key), st.data())
def test_both_cores_give_the_same_records_outside_ascii(variants, data):
    """A table whose variants are of the tricky letters (and its canonical forms now and
    then too): the same text and records on both cores, recased (the table pass reads the
    hits the verification gave, and cases what it writes by the span)."""
    entries = [
        Entry(
            data.draw(st.sampled_from([f"Canon{chr(97 + n) * 3}", f"Çanon{chr(97 + n) * 3}"])),
            (variant,),
        )
        for n, variant in enumerate(variants)
    ]
    compiled, python = both(entries)
    text = " ".join(data.draw(st.lists(st.sampled_from([*variants, "x", "."]), max_size=8)))
    for spelling in SPELLINGS:
        assert records(compiled.normalise(spelling(text))) == records(
            python.normalise(spelling(text))
        )


@given(spans, st.sampled_from(["kabul", "Kabul", "KABUL", "k", "K", "al-Qaeda", "", "1a"]))
@example("ǅA", "kabul")  # a title-case letter: not in capitals
@example("STRAßE", "kabul")  # mixed case whose capitals keep their keys: the reference's
@example("Łódź", "lodz")
@example("ŁÓDŹ", "lodz")
@example("Ωa", "kabul")
@example("Ǆa", "kabul")
@example("Aı", "kabul")  # ı: its capital I has another key
@example("Aſ", "kabul")
@example("Mосква", "kabul")  # a Latin M before Cyrillic
def test_the_casing_made_in_c_is_the_references(span, canonical):
    """Where the table pass cases an ASCII form for a span itself (every span but one
    outside ASCII in mixed case), it writes what :func:`normalise.casing.cased` writes."""
    from normalise import _core

    written = _core.span_cased(trie(), span, canonical)
    if written is not None:
        assert written == cased(span, canonical)


def test_the_casing_is_made_in_c_outside_ascii():
    """Spans in capitals, small letters or capitalised outside ASCII take the C path."""
    from normalise import _core

    made = trie()
    for span, written in (("ŁÓDŹ", "LODZ"), ("łódź", "lodz"), ("Łódź", "Lodz"), ("МОСКВА", "LODZ")):
        assert _core.span_cased(made, span, "lodz") == written
    assert _core.span_cased(made, "STRAßE", "lodz") is None
