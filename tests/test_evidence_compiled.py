"""The weighing's evidence in C (issues 15 and 17) gives what its Python references give:
``_core.hits_within`` and ``_core.canonicals_within`` are ``HitWindow.within`` and
``HitWindow.canonicals_within``, ``_core.evidence_spans`` is
``Weighing.evidence_spans`` and ``_core.weigh_evidence`` is
:func:`~normalise.evidence.weigh_evidence`, on the compiled table pass's ``HitRecords`` and on
lists of hits, on random input (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, core, sentence
from normalise.evidence import (
    EVIDENCE_KINDS,
    PLACE_EVIDENCE_KINDS,
    weigh_evidence,
    word_before_span,
)
from normalise.weigh import HitWindow, _merged
from tests.test_apply_path import _PIECES, sorted_hits
from tests.test_core import compares_cores

pytestmark = compares_cores


@pytest.fixture(scope="module")
def compiled():
    return core._compiled()


@pytest.fixture(scope="module")
def weighing():
    with core.using("compiled"):
        return Normaliser()._weighing


def _records(weighing, text):
    """The compiled table pass's hits of ``text`` (``HitRecords``) and the same as a list."""
    with core.using("compiled"):
        records = weighing_normaliser()._core.table_pass(text).hits
    return records, list(records)


_NORMALISER: list[Normaliser] = []


def weighing_normaliser() -> Normaliser:
    if not _NORMALISER:
        with core.using("compiled"):
            _NORMALISER.append(Normaliser())
    return _NORMALISER[0]


_TEXTS = st.lists(_PIECES, min_size=1, max_size=30).map(" ".join)
_BOUNDS = st.lists(st.tuples(st.integers(-20, 2500), st.integers(0, 400)), max_size=6)


def _windows(bounds):
    return _merged([(low, low + width) for low, width in bounds])


@given(sorted_hits(), st.integers(-2, 60), st.integers(-2, 60))
def test_hits_within_a_list_are_the_hit_windows(compiled, hits, a, b):
    low, high = min(a, b), max(a, b)
    assert compiled.hits_within(hits, low, high) == list(HitWindow(hits).within(low, high))
    assert compiled.canonicals_within(hits, low, high) == HitWindow(hits).canonicals_within(
        low, high
    )


@given(_TEXTS, st.integers(-5, 3000), st.integers(0, 3000))
def test_hits_within_the_records_are_the_hit_windows(compiled, weighing, text, low, width):
    records, hits = _records(weighing, text)
    found = compiled.hits_within(records, low, low + width)
    assert found == list(HitWindow(hits).within(low, low + width))
    assert all(type(hit) is type(hits[0]) for hit in found)
    expected = HitWindow(hits).canonicals_within(low, low + width)
    assert compiled.canonicals_within(records, low, low + width) == expected


def test_hits_within_refuses_what_it_cannot_read(compiled):
    with pytest.raises(TypeError):
        compiled.hits_within((), 0, 10)
    with pytest.raises(TypeError):
        compiled.canonicals_within((), 0, 10)


@given(_TEXTS, _BOUNDS, st.integers(0, 40))
def test_the_evidence_spans_are_the_references(compiled, weighing, text, bounds, shift):
    """The default table's hits (places with and without a region, people, persons, terms) in
    random windows: the same spans in the same order, from the records and from a list."""
    records, hits = _records(weighing, text)
    windows = _windows(bounds)
    expected = weighing.evidence_spans(HitWindow(hits), windows, shift)
    for given_hits in (records, hits):
        found = compiled.evidence_spans(
            given_hits, windows, shift, EVIDENCE_KINDS, weighing._regions, weighing.region_of
        )
        assert found == expected


@given(sorted_hits(), _BOUNDS, st.integers(0, 5))
def test_the_evidence_spans_of_a_list_are_the_references(compiled, weighing, hits, bounds, shift):
    windows = _windows([(low // 40, width // 40) for low, width in bounds])
    expected = weighing.evidence_spans(HitWindow(hits), windows, shift)
    found = compiled.evidence_spans(
        hits, windows, shift, EVIDENCE_KINDS, weighing._regions, weighing.region_of
    )
    assert found == expected


_KINDS = st.sampled_from(["place", "person", "people", "organisation", "term", "given-name"])
_REGIONS = st.sampled_from([None, "Asia", "Europe"])


@st.composite
def evidence_cases(draw):
    """Evidence spans (apart, as hits are), candidates anywhere with windows around them."""
    spans, pos = [], 0
    for _ in range(draw(st.integers(0, 12))):
        start = pos + draw(st.integers(0, 6))
        end = start + draw(st.integers(1, 4))
        kind = draw(st.sampled_from(sorted(EVIDENCE_KINDS)))
        spans.append((start, end, kind, draw(_REGIONS) if kind == "place" else None))
        pos = end
    candidates, windows = [], []
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, pos + 5))
        end = start + draw(st.integers(1, 4))
        kind = draw(st.one_of(st.none(), _KINDS))
        candidates.append((start, end, kind, draw(_REGIONS) if kind == "place" else None))
        windows.append((max(0, start - draw(st.integers(0, 12))), end + draw(st.integers(0, 12))))
    spans = draw(st.permutations(spans))
    return spans, candidates, windows


@given(evidence_cases())
def test_the_compiled_fixed_point_is_the_references(compiled, case):
    """The same held codes, candidates applied on evidence counted as evidence in turn."""
    spans, candidates, windows = case
    expected = weigh_evidence("", list(spans), candidates, 0, windows)
    found = compiled.weigh_evidence(
        list(spans), candidates, windows, PLACE_EVIDENCE_KINDS, EVIDENCE_KINDS
    )
    assert found == expected


def test_a_chain_of_candidates_reaches_the_fixed_point(compiled):
    """Each candidate's only evidence is the one before it, applied in the round before."""
    spans = [(0, 3, "place", None)]
    candidates = [(10 * i, 10 * i + 3, "place", None) for i in range(1, 6)]
    windows = [(10 * i - 10, 10 * i + 3) for i in range(1, 6)]
    expected = weigh_evidence("", spans, candidates, 0, windows)
    assert expected == [None] * 5
    found = compiled.weigh_evidence(
        spans, candidates, windows, PLACE_EVIDENCE_KINDS, EVIDENCE_KINDS
    )
    assert found == expected


_NEAR_NAMES = st.text(
    alphabet=st.sampled_from(
        [*"Ab z.'’ʼʻ-_9\n\r", "\u00a0", "\u2028", "\u0301", "Ж", "𝒜", "\u02b9", "\u3000", "中"]
    ),
    max_size=8,
)
_WORD_CHARS = st.text(alphabet=st.sampled_from([*"Ab.'’ʼʻ", "\u0301", "Ж", "𝒜"]), max_size=5)


@st.composite
def words_before(draw):
    """A text with a word, a separator and perhaps a newline, searched up to right after
    them (mostly) or anywhere, from anywhere (negative bounds read from the end)."""
    head, word = draw(_NEAR_NAMES), draw(_WORD_CHARS)
    tail = draw(st.sampled_from([" ", "-", "\u00a0", " \n", "-\n", "\n", "\r", " \r"]))
    text = head + word + tail + draw(_NEAR_NAMES)
    end = len(head) + len(word) + len(tail)
    endpos = draw(st.one_of(st.just(end), st.integers(-len(text) - 2, len(text) + 2)))
    pos = draw(st.one_of(st.integers(0, len(head) + len(word)), st.integers(-len(text) - 2, end)))
    return text, pos, endpos


@given(words_before())
def test_the_compiled_word_before_is_the_expressions(compiled, case):
    """``_core.word_before`` finds the span ``evidence._WORD_BEFORE`` finds, wherever the
    searched part starts and ends (past the text, before its start, from its end as a
    slice's, around a final newline), on letters, marks, apostrophes, dots, separators and
    characters past the BMP."""
    text, pos, endpos = case
    found = compiled.word_before(
        text, pos, endpos, classes=sentence.token_classes(), classify=sentence.token_class
    )
    assert found == word_before_span(text, pos, endpos)
