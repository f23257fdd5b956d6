"""The settling's and the mention cue's compiled parts (issue 17) against their Python
references: the cue's ending test (a necessary condition of ``keep._CUE_BEFORE``), the words
around a rewrite on text with combining marks (``settle._word_before``/``_word_after``),
:func:`normalise.settle.compose` of applied records, and the whole settled result on both
cores."""

from __future__ import annotations

import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core, keep, settle
from normalise.scan import fold_haystack
from normalise.table import Entry, table_from_entries
from tests.test_core import compares_cores, reference_near, settling_cases
from tests.test_properties import tables_and_texts, words

BUILT = core._compiled() is not None
pytestmark = compares_cores

if BUILT:
    from normalise import _core

# Pieces of text around a mention cue: the cues' words in any case, the separators and
# quotes the expression allows, the letters >= 128 that match ASCII ones ignoring case,
# Hebrew with points and other letters >= 128.
CUE_PIECES = [
    "spelt",
    "SPELLED",
    "Written",
    "transliterated",
    "romanized",
    "romanised",
    "rendered",
    "as",
    "in English",
    "known",
    "also",
    "a.k.a.",
    "aka",
    "(",
    "or",
    "OR",
    "\u017fpelt",  # ſ
    "a\u017f",
    "\u212aa",  # K
    "\u0130",  # İ
    "or\u0130",
    "\u05d0\u05b8\u05d1",  # Hebrew with a point
    "é",
    "x",
]
SEPARATORS = ["", " ", "  ", "\t", "\xa0", ":", ",", "\n", '"', "“", "‘", "'", "«", "-"]


@st.composite
def cue_texts(draw) -> str:
    pieces = draw(
        st.lists(st.tuples(st.sampled_from(CUE_PIECES), st.sampled_from(SEPARATORS)), max_size=8)
    )
    return "".join(a + b for a, b in pieces) + draw(st.sampled_from(["", "Kabul", " Kabul"]))


@given(cue_texts())
@settings(max_examples=300)
def test_the_cue_ending_test_never_says_no_where_the_expression_matches(text):
    for start in range(len(text) + 1):
        low = max(0, start - keep._CUE_REACH)
        if keep._CUE_BEFORE.search(text, low, start) is not None:
            assert _core.cue_may_end_at(text, start), (text, start)


@given(st.from_regex(re.compile(keep._CUE_BEFORE.pattern, re.IGNORECASE)))
@settings(max_examples=300)
def test_the_cue_ending_test_knows_every_cue_of_the_expression(text):
    """Texts drawn from the expression itself (``re``'s reading of its pattern): a cue added to
    :data:`normalise.keep._CUE` and not to the compiled list of endings fails here."""
    start = len(text)
    if keep._CUE_BEFORE.search(text, max(0, start - keep._CUE_REACH), start) is not None:
        assert _core.cue_may_end_at(text, start), text


def test_the_cue_ending_test_says_no_where_no_cue_ends():
    assert _core.cue_may_end_at("also spelt Kabul", len("also spelt "))
    assert _core.cue_may_end_at("(or «Kabul", len("(or «"))
    assert _core.cue_may_end_at("a.k.a.: Kabul", len("a.k.a.: "))
    assert _core.cue_may_end_at("A\u017f Kabul", len("A\u017f "))  # ſ matches s
    for text in ("the city of Kabul", "(Kabul", "\u05d0\u05b8\u05d1 Kabul", "orb Kabul"[1:]):
        assert not _core.cue_may_end_at(text, text.index("Kabul"))


def test_the_lookalikes_are_every_letter_above_ascii_that_matches_one_ignoring_case():
    letter = regex.compile("[a-z]", regex.IGNORECASE)
    found = {
        chr(c): chr(c).lower() if chr(c).lower().isascii() else None
        for c in range(128, 0x110000)
        if letter.match(chr(c))
    }
    assert set(found) == set(_core.CUE_LOOKALIKES)
    for char, ascii_letter in _core.CUE_LOOKALIKES.items():
        assert regex.match(ascii_letter, char, regex.IGNORECASE)


@given(cue_texts())
@settings(max_examples=100)
def test_a_mention_cue_keeps_the_word_after_it_on_both_cores(text):
    entries = [Entry("Kabul", ("Kaboul", "Cabool"), "place")]
    assert_same_on_both_cores(entries, text.replace("Kabul", "Kaboul"))


def assert_same_on_both_cores(entries, text):
    """The text and records of a table-only run, compiled and Python, byte for byte."""
    results = []
    for which in ("compiled", "python"):
        with core.using(which):
            normaliser = Normaliser(table=table_from_entries(entries), phonetic="off")
            results.append(normaliser.normalise(text))
    assert results[0].text == results[1].text
    assert results[0].substitutions == results[1].substitutions


# Text with combining marks near the words: Hebrew letters with points, decomposed accents.
MARKED = ["\u05d0\u05b8\u05d1", "e\u0301", "\u0301", "abc", "Ṭāl", "x_1", "\u0300a"]


@st.composite
def marked_texts(draw) -> str:
    pieces = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(MARKED), words()),
                st.sampled_from(["", " ", "  ", "\n", ", ", "-", "\u2028", "'"]),
            ),
            max_size=24,
        )
    )
    return "".join(a + b for a, b in pieces)


@given(marked_texts())
@settings(max_examples=200)
def test_the_words_around_a_rewrite_on_text_with_marks_are_the_references(text):
    """``_core.word_near`` against ``settle._word_before``/``_word_after`` where their piece
    of text holds a mark (the expression's branch, which the compiled check used to call)."""
    with core.using("compiled"):
        normaliser = Normaliser(
            table=table_from_entries([Entry("Kabul", ("Kaboul",), "place")]), phonetic="off"
        )
    trie = normaliser.compiled.scanner._trie
    assert trie is not None
    for at in range(len(text) + 1):
        if fold_haystack(text[max(0, at - 64) : at])[1]:
            assert _core.word_near(trie, text, at, True) == settle._word_before(text, at)
        if fold_haystack(text[at : at + 64])[1]:
            assert _core.word_near(trie, text, at, False) == settle._word_after(text, at)


LATIN = ["Zürich", "café", "naïve", "ÆØÅ", "x", "ab_c", "\xa0", "«", "»", "¿", "ß", "µ"]


@st.composite
def latin_texts(draw) -> str:
    """Text of Latin-1 characters only (a one-byte string: no combining mark in it)."""
    pieces = draw(
        st.lists(
            st.tuples(
                st.sampled_from(LATIN) | words("latin").filter(lambda w: w.isascii()),
                st.sampled_from(["", " ", "   ", "\n", "\r\n", ", ", "-", "\t"]),
            ),
            max_size=40,
        )
    )
    return "".join(a + b for a, b in pieces)


@given(st.one_of(latin_texts(), marked_texts(), st.text(max_size=80)))
@settings(max_examples=200)
def test_the_checks_words_around_a_position_are_the_references(text):
    """The words the compiled check reads before and after each position (a one-byte
    string read only as far as the word; other text folded 64 characters at a time) against
    ``settle._word_before``/``_word_after``."""
    with core.using("compiled"):
        normaliser = Normaliser(
            table=table_from_entries([Entry("Kabul", ("Kaboul",), "place")]), phonetic="off"
        )
    check = normaliser._settling._compiled_check
    for at in range(len(text) + 1):
        assert check.words_near(text, at) == (
            settle._word_before(text, at),
            settle._word_after(text, at),
        ), at


@given(st.one_of(settling_cases(), tables_and_texts()))
@settings(max_examples=80)
def test_the_check_reads_taken_spans_as_a_list_as_the_records(case):
    """The spans taken come as the records' buffer, or as a list of spans once kept forms
    are merged in: the records the check looks at closer are the reference's for both."""
    entries, text = case
    with core.using("compiled"):
        normaliser = Normaliser(table=table_from_entries(entries), phonetic="off")
    settling = normaliser._settling
    result, taken, _ = normaliser._pass(text)
    spans = [settle.Span(s, e) for s, e in taken]
    expected = reference_near(settling, result, spans)
    assert settling._compiled_check.near(result, spans) == expected
    assert settling._compiled_check.near(result, taken) == expected


@given(st.one_of(settling_cases(), tables_and_texts()))
@settings(max_examples=80)
def test_compose_of_applied_records_is_the_references(case):
    """The compiled compose against :func:`normalise.settle.compose` on the records of the
    passes the settling loop runs."""
    entries, text = case
    with core.using("compiled"):
        normaliser = Normaliser(table=table_from_entries(entries), phonetic="off")
    settling = normaliser._settling
    result, taken, held = normaliser._pass(text)
    unsettled = settling.unsettled(result, taken, held) if result.changed else []
    records, current = list(result.substitutions), result.text
    for _ in range(3):
        if not unsettled:
            break
        current, again, unsettled = settling.pass_lines(current, unsettled, normaliser._pass)
        composed = _core.compose_applied(text, records, again, current, settle._joined)
        assert composed is not None  # every record applied, in order
        reference = settle.compose(text, records, again, current)
        assert composed == reference
        records = reference


def test_compose_of_applied_records_moves_the_records_after_a_longer_rewrite():
    """A chain of rewrites of growing length (each unlocks the next) among one-pass records
    before and after it: the composed record, and the records after it moved."""
    words = ["zab", "zcdd", "zeffff", "zghhhhhh"]
    entries = [Entry("Kabul", ("Kaboul",), "place"), Entry("qar zab", ("qar xen",), "other")]
    for i in range(1, 4):
        tail = " ".join(f"w{j}" for j in range(i))
        entries.append(Entry(f"qar {words[i]} {tail}", (f"qar {words[i - 1]} {tail}",), "other"))
    text = "Kaboul, then qar xen w0 w1 w2 ends; Kaboul.\nKaboul and Kaboul."
    results = []
    for which in ("compiled", "python"):
        with core.using(which):
            normaliser = Normaliser(table=table_from_entries(entries), phonetic="off")
            results.append(normaliser.normalise(text))
    compiled, python = results
    assert (
        compiled.text
        == python.text
        == ("Kabul, then qar zghhhhhh w0 w1 w2 ends; Kabul.\nKabul and Kabul.")
    )
    assert compiled.substitutions == python.substitutions
    assert [
        s.note.startswith(settle.COMPOSED) if s.note else False for s in compiled.substitutions
    ] == [
        False,
        True,
        False,
        False,
        False,
    ]


def test_compose_is_left_to_python_with_an_unapplied_record_or_out_of_order():
    sub = settle.Substitution("a", "b", 0, 1, 0, 1, "table", "b", 1.0)
    suggested = sub._replace(rule="phonetic-suggest")
    later = [sub._replace(start=2, end=3, out_start=2, out_end=3)]
    assert _core.compose_applied("a a", [suggested], later, "b b", settle._joined) is None
    moved = sub._replace(out_start=2, out_end=3)
    assert _core.compose_applied("a a", [moved, sub], later, "b b", settle._joined) is None
    assert _core.compose_applied("a a", [sub], [suggested], "b a", settle._joined) == [sub]


@given(st.one_of(settling_cases(), tables_and_texts(), marked_texts().map(lambda t: ([], t))))
@settings(max_examples=80)
def test_the_settled_result_is_the_same_on_both_cores(case):
    entries, text = case
    if not entries:
        entries = [
            Entry("Ab", ("Aḇ", "E\u0301l"), "place"),
            Entry("Abc Def", ("Abc Xyz",), "place"),
        ]
    assert_same_on_both_cores(entries, text)
