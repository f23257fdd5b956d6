"""The token memo (``_core.TokenMemo``, :meth:`Weighing._memo_spans`) gives what the
reference gives: the name tokens of ``name_tokens`` looked up in ``Weighing._wanted`` and
``_acting``, then the spans of the wanted ones read again (issues 15 and 17).

Two weighings of one normaliser's table on the compiled core, one with the memo and one
without (the reference path, which the Python core runs), read the same texts with the same
taken spans: the spans the pass goes on with (those outside ``taken``), the events, the
answers stored and the memo's own answers must agree, on hypothesis texts (letters of several
scripts, apostrophes, combining marks, digits, taken spans anywhere, mid-word too), across the
clearing of ``MAX_WANTED_TOKENS`` (a small bound), and on real text with the table's own hits
as ``taken``.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core, weigh
from normalise.sentence import name_tokens
from normalise.weigh import Weighing
from tests.test_core import compares_cores

pytestmark = compares_cores

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

#: names some of which the default table's matcher acts on, and look-alikes
_NAMES = ["Talaqan", "Jehudi", "Maacah", "Shobab", "Khamenehi", "Yousef", "Kandahr", "Kunduz"]
_PIECES = st.one_of(
    st.sampled_from(_NAMES),
    st.from_regex(r"[A-ZÉЖΑ][a-zéжαü\u0301]{1,7}", fullmatch=True),
    st.sampled_from(
        [" ", " ", "-", "'", "’", "ʼ", "s", "ll", "\u0301", "_", "9", ".", "\n", "Ж", "d'", "O'"]
    ),
)
_TEXTS = st.lists(_PIECES, max_size=24).map("".join)


@functools.cache
def _normaliser() -> Normaliser:
    with core.using("compiled"):
        return Normaliser(phonetic="apply")


def _pair() -> tuple[Weighing, Weighing]:
    """A weighing with the memo and one on the reference path, of one compiled table, each
    with no token decided yet."""
    compiled = _normaliser().compiled
    with core.using("compiled"):
        memo, reference = Weighing(compiled), Weighing(compiled)
    assert memo._memo is not None
    reference._memo = reference._memo_read = None
    return memo, reference


def _outside(spans, taken) -> list[tuple[int, int]]:
    """The spans ``Weighing.winners`` goes on with: those starting outside ``taken``."""
    return [s for s in spans if not any(a <= s[0] < b for a, b in taken)]


def _taken(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Sorted disjoint spans of ``text`` from cut points (pairs; empty spans dropped)."""
    points = sorted({min(c, len(text)) for c in cuts})
    return [(a, b) for a, b in zip(points[::2], points[1::2], strict=False) if b > a]


def _check_memo(weighing: Weighing) -> None:
    """The memo holds what ``_wanted`` holds, answer for answer (unless it is to be
    rebuilt before its next reading)."""
    if weighing._memo_stale:
        return
    memo = weighing._memo
    assert len(memo) == len(weighing._wanted)
    for token, answer in weighing._wanted.items():
        assert memo.get(token) is answer, token
    assert weighing._acting == {t for t, a in weighing._wanted.items() if a}


def _decide_some(pair, tokens, answers) -> None:
    """Store the same answers for some tokens in both weighings, as ``wanted`` stores them."""
    for weighing in pair:
        for token, answer in zip(tokens, answers, strict=False):
            if token not in weighing._wanted:
                weighing._wanted[token] = answer
                if answer:
                    weighing._acting.add(token)
                weighing._memo_stale = True


def _same_reading(pair, text, taken) -> list[tuple[int, int]]:
    memo, reference = pair
    found = _outside(list(memo._token_spans(text, taken)), taken)
    expected = _outside(list(reference._token_spans(text, taken)), taken)
    assert found == expected
    _check_memo(memo)
    return found


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_TEXTS, st.lists(st.integers(0, 200), max_size=8)), max_size=4),
    st.data(),
)
def test_the_memo_reads_what_the_reference_reads(chunks, data):
    """Chunk after chunk on one pair of weighings: the same spans, answers and memo."""
    pair = _pair()
    for text, cuts in chunks:
        tokens = sorted(name_tokens(text, []))
        answers = data.draw(st.lists(st.booleans(), max_size=len(tokens)))
        _decide_some(pair, tokens, answers)
        _same_reading(pair, text, _taken(text, cuts))
        assert pair[0]._wanted == pair[1]._wanted


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_TEXTS, st.lists(st.integers(0, 200), max_size=6)), max_size=6),
    st.integers(1, 6),
)
def test_the_memo_follows_the_bound_and_its_clearing(chunks, bound):
    """With a bound of a few tokens ``_wanted`` is cleared within a chunk's screen; the
    memo is rebuilt from it and every reading still gives the reference's spans."""
    with _bound(bound):
        _read_bounded(chunks, bound)


def _read_bounded(chunks, bound) -> None:
    pair = _pair()
    for text, cuts in [*chunks, *chunks]:
        _decide_some(pair, sorted(name_tokens(text, []))[::2], [True, False] * 50)
        _same_reading(pair, text, _taken(text, cuts))
        memo, reference = pair
        for token in memo._wanted.keys() & reference._wanted.keys():
            assert memo._wanted[token] == reference._wanted[token]
        assert len(memo._wanted) <= max(bound, 1) + 200


@contextlib.contextmanager
def _bound(bound: int):
    """``weigh.MAX_WANTED_TOKENS`` set for one example (a fixture would span them all)."""
    saved = weigh.MAX_WANTED_TOKENS
    weigh.MAX_WANTED_TOKENS = bound
    try:
        yield
    finally:
        weigh.MAX_WANTED_TOKENS = saved


def test_an_edge_the_pieces_read_otherwise_is_read_again():
    """A taken span ending inside a word: the pieces' reading starts a token after it that
    the whole text's reading does not, so that run's spans come from the whole text's
    reading (the same spans as the reference); an edge before a space changes nothing."""
    pair = _pair()
    text = "xTalaqan and Talaqan, near Kunduz"
    memo = pair[0]._memo
    _decide_some(pair, ["Talaqan"], [True])
    pair[0]._memo.rebuild(pair[0]._wanted)
    pair[0]._memo_stale = False
    classes = pair[0]._memo_read.keywords
    acting, new, whole = memo.read(text, [(0, 1)], **classes)
    assert acting == [(13, 20)] and not whole
    assert new == ["Kunduz"] and memo.settle([True]) == [(27, 33)]
    pair[0]._memo_stale = True  # read by hand here: rebuilt from ``_wanted`` next
    assert _same_reading(pair, text, [(0, 1)]) == [(13, 20)]
    acting, new, whole = memo.read(text, [(27, 33)], **classes)
    assert acting == [(13, 20)] and whole
    memo.settle([False] * len(new))


def _real_texts() -> list[str]:
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")[:40_000]]
    if SEEDS.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return texts


def test_the_memo_gives_the_references_events_on_real_text():
    """README and the seed reports (when ``../shared`` is there), each read twice, with the
    table pass's own hits as ``taken``: the same spans and the same events."""
    pair = _pair()
    normaliser = _normaliser()
    spans = 0
    for text in _real_texts() * 2:
        found = normaliser._core.table_pass(text, None)
        spans += len(_same_reading(pair, text, found.taken))
        events = [list(w.events(text, found.taken, found.hits)) for w in pair]
        assert events[0] == events[1]
    assert spans > 0


def _person_named_near_reference(weighing: Weighing, text, cand, hits) -> bool:
    """``Weighing.person_named_near`` as it was: every hit in the window tested in turn."""
    full = weighing.full_name_of(cand.entry)
    low, high = cand.window_in(text)
    if any(
        entry.canonical in (cand.entry, full)
        or (entry.kind == "person" and weighing._surname(entry.canonical) == cand.entry)
        for _s, _e, entry in hits.within(low, high)
    ):
        return True
    words = full.split()
    return len(words) >= 2 and weigh._given_name(words[0]).search(text, low, high) is not None


def test_a_person_named_near_is_found_as_every_hit_tested_in_turn():
    """The canonical forms near a candidate read as a set, the surname index: the same
    answer as testing every hit, for candidates of every entry of the default table (person
    entries, surnames among them, and others) at positions across real text with its hits."""
    weighing = _pair()[0]
    text = "\n".join(_real_texts())
    found = _normaliser()._core.table_pass(text, None)
    hits = weigh.HitWindow(found.hits)
    step = max(1, len(text) // 15)
    answers = {True: 0, False: 0}
    for entry in weighing._entries:
        for start in range(0, len(text) - 10, step):
            cand = weigh.Candidate(
                start, start + 5, "Xxxxx", entry.canonical, 0.9, "", entry.canonical
            )
            expected = _person_named_near_reference(weighing, text, cand, hits)
            assert weighing.person_named_near(text, cand, hits) == expected, (entry, start)
            answers[expected] += 1
    assert answers[True] and answers[False]


_BREAKS = st.lists(
    st.sampled_from(
        ["\r", "\n", "\r\n", " ", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "a", "é", "Ж"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_BREAKS, st.integers(0, 45), st.integers(0, 6), st.integers(0, 30))
def test_the_compiled_paragraph_window_is_the_expressions(text, start, width, window):
    """``_core.paragraph_window`` against ``evidence.paragraph_window`` (the ``regex``
    module's search for paragraph breaks): line breaks of every kind, CR LF (one line end,
    never given back as two), spaces and tabs between, U+2029, windows cut anywhere."""
    from normalise import _core
    from normalise.evidence import paragraph_window

    start = min(start, len(text))
    end = min(start + width, len(text))
    assert _core.paragraph_window(text, start, end, window) == paragraph_window(
        text, start, end, window
    )
