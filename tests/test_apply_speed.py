"""The shortcuts that make ``phonetic="apply"`` cheap on running text (issue 15) give what the
reference gives: the compiled token finder finds the tokens :data:`PHONETIC_TOKEN` finds, and
the screen of common English words in :meth:`Weighing.wanted` answers as the matchers'
decisions do."""

from __future__ import annotations

import functools
import pickle

import pytest
import wordfreq
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.phonetic import Candidate, common_english_words, english_zipf, score_keys
from normalise.sentence import (
    PHONETIC_TOKEN,
    name_token_spans,
    name_tokens,
    token_class,
    token_classes,
)
from normalise.weigh import acts

BUILT = core._compiled() is not None
needs_compiled = pytest.mark.skipif(not BUILT, reason="the compiled core is not built here")

#: Characters the token expression reads differently, over-represented among arbitrary ones:
#: capitals and lower case, digits and ``_`` (word characters), apostrophes and the clitics
#: after them, combining marks, letters of other scripts, one beyond the Basic Plane.
_PARTS = st.sampled_from(
    [*"AKQZakqz9_ -.\n'`", "s", "d", "t", "m", "ll", "re", "ve", "\u2019", "\u2018", "\u00b4",
     "\u02bc", "\u0301", "\u00e9", "\u00c9", "\u0416", "\u0436", "\u00a0", "\U0001d400",
     "\U00010400", "\U00010428"]
)  # fmt: skip
_TEXTS = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(_PARTS, st.text(max_size=2)), max_size=30).map("".join),
)


def _compiled_finders():
    from normalise import _core

    classes, classify = token_classes(), token_class
    return (
        lambda text, taken: _core.name_tokens(text, taken, classes, classify),
        lambda text, wanted: _core.name_token_spans(text, wanted, classes, classify),
    )


@needs_compiled
@given(_TEXTS, st.lists(st.integers(0, 40), max_size=4), st.data())
def test_compiled_token_finder_finds_the_expressions_tokens(text, cuts, data):
    """Random Unicode text: the same distinct tokens outside random spans, and the same
    spans of the tokens asked for (some of those present, one absent)."""
    tokens, spans = _compiled_finders()
    bounds = sorted(min(c, len(text)) for c in cuts)
    taken = list(zip(bounds[::2], bounds[1::2], strict=False))
    assert tokens(text, taken) == name_tokens(text, taken)
    found = [m.group() for m in PHONETIC_TOKEN.finditer(text)]
    wanted = {t for t in found if data.draw(st.booleans())} | {"Zzzz"}
    assert spans(text, wanted) == name_token_spans(text, wanted)


@needs_compiled
def test_compiled_token_finder_on_names_and_clitics():
    """The expression's edge cases: an apostrophe inside a name, before a clitic, before a
    digit; a capital after an apostrophe; marks; a word character after the name."""
    tokens, _spans = _compiled_finders()
    text = (
        "Farg'ona and Kabul's, Herat'll O'Neill Abcd'ef9 Abcd9 Syrdar\u2019ya "
        "Kaʿba Jose\u0301 Ba'qubah Andkho'y AB Abc Abcd_ X'Abcd \U0001d400Abcd Abcd'"
    )
    expected = set(PHONETIC_TOKEN.findall(text))
    assert tokens(text, []) == expected
    assert {"Farg'ona", "Kabul", "Herat", "O'Neill", "Abcd", "Syrdar\u2019ya"} <= expected


def test_token_classes_are_the_expressions():
    assert token_class("A") == 1 | 2 | 4
    assert token_class("a") == 2 | 4
    assert token_class("9") == 4
    assert token_class("'") == 8
    assert token_class("\u0301") == 2 | 4
    assert token_class(" ") == 0
    assert len(token_classes()) == 0x110000


#: Rare words and names (variants of entries of the default table) a matcher acts on.
_NAMES = ["Taluqan", "Talukan", "Teheran", "Kandahaar", "Hominy", "Odessa", "Mohammed"]


def _near_names() -> list[str]:
    """Unseen spellings of the default table's one-word names: the last a made an o."""
    entries = Normaliser.cached()._weighing._entries
    names = {e.canonical for e in entries if e.canonical.isalpha() and len(e.canonical) >= 6}
    return sorted(n[: n.rindex("a")] + "o" + n[n.rindex("a") + 1 :] for n in names if "a" in n[1:])[
        :400
    ]


def _tokens(first: int, last: int, casings: bool) -> list[str]:
    """The English words of frequency ranks ``[first, last)`` (wordfreq), capitalised, also
    as written and in capitals when ``casings``, and :data:`_NAMES`."""
    words = wordfreq.top_n_list("en", last)[first:]
    cased = ((w, w.capitalize(), w.upper()) if casings else (w.capitalize(),) for w in words)
    return sorted({t for forms in cased for t in forms} | set(_NAMES) | set(_near_names()))


@pytest.mark.parametrize(
    ("options", "ranks"),
    [
        ({}, [(0, 30_000, True), (30_000, 40_000, False)]),
        ({"min_score": 0.6}, [(25_000, 40_000, False)]),
        ({"min_score": 0.99, "given_names": "always"}, [(25_000, 40_000, False)]),
    ],
    ids=["default", "low-score", "high-score-given-names"],
)
def test_screen_of_english_words_answers_as_the_decisions_do(options, ranks):
    """The 30,000 most frequent English words, as written, capitalised and in capitals, and
    the next 10,000 capitalised (around the screen's bound), and names: :meth:`Weighing.wanted`
    (screen first) gives what the matchers' decisions give (:meth:`Weighing.wanted_in_full`);
    with user options that change the decisions, around the bound."""
    weighing = Normaliser(phonetic="apply", **options)._weighing
    tokens = sorted({t for first, last, casings in ranks for t in _tokens(first, last, casings)})
    screened = [t for t in tokens if english_zipf(t) >= weighing._refused_zipf]
    assert len(screened) > len(tokens) // 3  # the screen answers many of them
    differ = [t for t in tokens if weighing.wanted(t) != weighing.wanted_in_full(t)]
    assert differ == []
    wanted = [t for t in tokens if weighing.wanted(t)]
    assert len(wanted) >= 5  # not all refused: the check can fail
    assert weighing._screen  # the set of common words answered after the first tokens
    # wanted_in_full asks the decision within a sentence only: a token leads to a record at
    # a sentence start only if it leads to one within (they differ for many tokens)
    initial = {t: weighing.decide(t, sentence_initial=True)[0] for t in tokens}
    within = {t: weighing.decide(t)[0] for t in tokens}
    assert [t for t in tokens if acts(initial[t]) and not acts(within[t])] == []
    assert sum(initial[t].verdict != within[t].verdict for t in tokens) > 1000


def test_common_english_words_are_at_or_above_the_bound():
    """Every word of the screen's set has the frequency it stands for, in any casing (the
    set is read from wordfreq's buckets, one look-up a bucket)."""
    words = common_english_words(2.9)
    assert 25_000 < len(words) < 40_000
    assert {"the", "water"} <= words
    assert all(english_zipf(w) >= 2.9 for w in words)
    assert all(english_zipf(w.capitalize()) >= 2.9 for w in sorted(words)[::50])


def _reference_ranked(matcher, token):
    """``PhoneticMatcher._ranked`` as it was written before its loop was hoisted: one
    ``score_keys`` per indexed form (of equal scores, the form indexed first)."""
    key = matcher.romanisation.form_key(token)
    best = {}
    for number in sorted(matcher._matches(key)):
        form = matcher._forms[number]
        score = score_keys(key, form.key, matcher.romanisation.costs)
        held = best.get((form.entry, form.part))
        if held is None or score > held.score:
            best[form.entry, form.part] = Candidate(
                matcher._entries[form.entry], form.form, score, form.part
            )
    return sorted(best.values(), key=lambda c: (-c.score, c.part, c.entry))


@pytest.mark.parametrize("name", ["compiled", "python"])
def test_ranking_gives_the_scores_of_score_keys(name):
    """The ranking's hoisted loop gives the candidates and the scores, bit for bit, that one
    ``score_keys`` per form gives, on either core's edit distance."""
    if name == "compiled" and not BUILT:
        pytest.skip("the compiled core is not built here")
    matcher = pickle.loads(pickle.dumps(Normaliser.cached().matcher))  # nothing memoised
    tokens = _near_names()[:150] + [w.capitalize() for w in wordfreq.top_n_list("en", 300)]
    with core.using(name):
        ranked = [matcher._ranked(t) for t in tokens]
        assert ranked == [_reference_ranked(matcher, t) for t in tokens]
    assert sum(map(len, ranked)) > 500


@needs_compiled
@given(
    st.text(alphabet="aeioubdghkqstvwyzc\u00e9'", max_size=12),
    st.text(alphabet="aeioubdghkqstvwyzc\u00e9'", max_size=12),
)
def test_table_distance_is_the_compiled_distance(a, b):
    """The ranking's table of letter costs gives the compiled distance's float, bit for bit,
    and hands keys with other characters to it."""
    from normalise import _core

    costs = Normaliser.cached().matcher.romanisation.costs
    table = _core.DistanceTable(costs)
    fallback = functools.partial(_core.edit_distance, costs)
    assert _core.table_distance(table, a, b, fallback) == _core.edit_distance(costs, a, b)
