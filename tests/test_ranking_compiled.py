"""The ranking of one token in C (``_core.Ranker``, what ``PhoneticMatcher._ranked`` runs with
``prune=True`` on the compiled core) against the Python reference: the same Decision objects
(winner, candidates list, reason, verdict), and its candidates an exact prefix of the full
Python ranking, on random tables, random tokens (keys of the letters a-z, which C scores, and
keys with other letters, which go back to Python form by form or token by token) and the
names of the King James Bible."""

from __future__ import annotations

import pickle

import jellyfish
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.phonetic import PhoneticMatcher
from tests.test_core import compares_cores
from tests.test_ranking_pruned import _kjv_names, look_alike_names, look_alike_tables

pytestmark = compares_cores


def _decisions(matcher: PhoneticMatcher, tokens: list[str], name: str, prune: bool) -> list:
    """``_decide`` for each token at either position, on core ``name``, nothing cached."""
    matcher.prune_ranking = prune
    try:
        with core.using(name):
            return [matcher._decide(t, at_start) for t in tokens for at_start in (False, True)]
    finally:
        del matcher.prune_ranking


def _ranked(matcher: PhoneticMatcher, token: str, name: str, prune: bool) -> list:
    with core.using(name):
        return matcher._ranked(token, prune=prune)


def _assert_same(matcher: PhoneticMatcher, tokens: list[str]) -> int:
    """The compiled decisions equal the Python ones (pruned and full), and each compiled
    ranking is a prefix of the full one; returns how many tokens C ranked itself."""
    compiled = _decisions(matcher, tokens, "compiled", True)
    assert compiled == _decisions(matcher, tokens, "python", True)
    assert compiled == _decisions(matcher, tokens, "python", False)
    ranked_in_c = 0
    with core.using("compiled"):
        ranker = matcher._ranker()
    for token in tokens:
        short = _ranked(matcher, token, "compiled", True)
        full = _ranked(matcher, token, "python", False)
        assert short == full[: len(short)], token
        key = matcher.romanisation.form_key(token)
        ranked_in_c += ranker.rank(key) is not None
    return ranked_in_c


#: few letters, so that the index finds many forms of many entries for a token; é folds to
#: e, ʻ is a mark the fold drops, д stays (a key C does not score: the reference's distance)
_NAMES = look_alike_names("BDKMSZTHД", "aeioubdkhmnrsyzéʻд")
_TABLES = look_alike_tables(_NAMES)


@settings(max_examples=80, deadline=None)
@given(_TABLES, st.lists(_NAMES, min_size=1, max_size=25))
def test_compiled_ranking_decides_as_the_reference(table, tokens):
    """Random tables of look-alike names (multi-word forms too, whose words are indexed as
    parts; keys with letters outside a-z among them) and random tokens."""
    matcher = PhoneticMatcher([(c, [f + suffix for f in forms]) for c, forms, suffix in table])
    _assert_same(matcher, tokens)


def test_ties_go_to_the_form_indexed_first():
    """Two forms of one entry with the same key score alike: both rankings name the first
    form of the entry (whatever order the index look-up met them in)."""
    matcher = PhoneticMatcher([("Taloqan", ["Taluqan", "Taleqan"]), ("Kunduz", ["Kondoz"])])
    for name, prune in (("compiled", True), ("python", True), ("python", False)):
        best = _ranked(matcher, "Talukan", name, prune)[0]
        assert (best.entry, best.form, best.score) == ("Taloqan", "Taloqan", 1.0)


def test_a_pickled_matcher_makes_its_ranker_afresh():
    """The ranker is not pickled (the matcher unpickles cheaply) and is made again when the
    compiled core first ranks; a matcher with another number of forms gets a new one."""
    matcher = PhoneticMatcher([("Taloqan", ["Taleqan"]), ("Kunduz", ["Kondoz"])])
    first = _ranked(matcher, "Taluqan", "compiled", True)
    assert matcher._compiled_ranker is not None
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy._compiled_ranker is None
    assert _ranked(copy, "Taluqan", "compiled", True) == first
    assert _ranked(copy, "Taluqan", "python", True) == first


def test_compiled_ranking_on_the_kjv_names():
    """The names of the King James Bible, every third one a table entry (with its
    neighbour's spelling as a variant) and the others the tokens: the same decisions, C
    ranks nearly every token itself, and there are enough matches, ambiguities and long
    candidates lists for the comparison to mean something."""
    names = _kjv_names()
    entries = [(n, [names[i + 1]]) for i, n in enumerate(names[:-1]) if i % 3 == 0]
    tokens = [n for i, n in enumerate(names) if i % 3 == 2]
    matcher = PhoneticMatcher(entries)
    assert _assert_same(matcher, tokens) > 0.9 * len(tokens)
    decided = _decisions(matcher, tokens, "compiled", True)
    assert {"match", "ambiguous", "below-threshold"} <= {d.verdict.value for d in decided}
    assert sum(len(d.candidates) == 5 for d in decided) > 100


def test_compiled_ranking_keeps_a_runner_up_below_the_candidates():
    """A whole-form best whose next four entries match only a word: the runner-up of the
    margin is a whole form far below the fifth candidate, and the cut must not skip it."""
    parts = ["Mdbamh Kalabad", "Mdnahh Kalabad", "Mdbahm Kalabad", "Msbahh Dashtabad"]
    parts += ["Mybahh Kalabad", "Mdbaah Dashtabad", "Mduahh Kalabad", "Mdbahi Dashtabad"]
    others = ["Mdbehh Kalabad", "Kkrbkk", "Budb", "Mueuz", "Zomdyaoa", "Marik", "Zndhyons"]
    matcher = PhoneticMatcher([(name, []) for name in ["Mdbahh", *parts, *others]])
    assert _assert_same(matcher, ["Mdbahhh"]) == 1
    decision = _decisions(matcher, ["Mdbahhh"], "compiled", True)[0]
    assert decision.verdict.value == "match"
    assert all(c.part for c in decision.candidates[1:])
    assert "margin 0.48" in decision.reason


def test_compiled_ranking_keeps_a_runner_up_it_meets_late():
    """The same in the order C meets the forms (the skeleton's look-ups first): five entries
    and two whole forms are scored before the runner-up Tushbi, which scores below the fifth
    entry's best and would be cut if the cut forgot the runner-up (found by a random search
    against a ranker built so)."""
    names = ["Tushbia", "Tushbi Dashtabad", "Tushbmia Kalabad", "Tusbia Dashtabad"]
    names += ["Tushtia Kalabad", "Tushba Kalabad", "Tushbyia Kalabad", "Tshbia Dashtabad"]
    names += ["Tuthbia Kalabad", "Tusmhbi", "Tukhbia", "Tuszhbit", "Tusbieka", "Tushbi"]
    names += ["Tsuhshbkia", "Tuzia"]
    matcher = PhoneticMatcher([(name, []) for name in names])
    assert _assert_same(matcher, ["Tushbiua"]) == 1
    decision = _decisions(matcher, ["Tushbiua"], "compiled", True)[0]
    assert decision.reason == "ambiguous: Tushbia 0.94 vs Tushbi 0.84"


_KEYS = st.text(alphabet="abdeikstuz", max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(_KEYS, min_size=1, max_size=12), st.lists(_KEYS, min_size=1, max_size=12))
def test_own_jaro_winkler_is_jellyfishs(left, right):
    """The ranking's Jaro-Winkler gives jellyfish's float, bit for bit, on random keys of a
    few letters (repeats, transpositions, the empty key, keys of one letter)."""
    from normalise import _core

    assert _core.jaro_winkler_mismatches(left, right, jellyfish.jaro_winkler_similarity) == []


def test_own_jaro_winkler_on_every_kjv_name_and_default_table_key():
    """Every pair of a KJV name's plain key and a plain key of the default table's forms
    (about 2,900 x 1,270 pairs): jellyfish's float, bit for bit."""
    from normalise import _core

    matcher = Normaliser.cached().matcher
    costs, key = matcher.romanisation.costs, matcher.romanisation.form_key
    names = {costs.plain(key(n)) for n in _kjv_names()}
    forms = {costs.plain(f.key) for f in matcher._forms}
    names = sorted(k for k in names if k.isascii() and k.isalpha() and k.islower())
    forms = sorted(k for k in forms if k.isascii() and k.isalpha() and k.islower())
    assert len(names) > 2000 and len(forms) > 1000
    assert _core.jaro_winkler_mismatches(names, forms, jellyfish.jaro_winkler_similarity) == []


def test_a_ranker_asked_again_mid_ranking_hands_the_token_back():
    """A ranker is asked while it ranks (another thread, between two of its Python calls):
    it answers None, and the matcher ranks that token in Python, instead of sharing its
    scratch arrays; the first ranking is unharmed."""
    from normalise import _core
    from normalise.phonetic import (
        _JARO_WINKLER_MOST,
        MAX_CANDIDATES,
        W_EDIT,
        W_JARO_WINKLER,
        Candidate,
    )

    matcher = PhoneticMatcher([("Taloqan", ["Taleqan"]), ("Kunduz", ["Kondoz"])])
    key = matcher.romanisation.form_key("Taluqan")
    asked_again = []

    def candidate(*fields):
        asked_again.append(ranker.rank(key))
        return Candidate(*fields)

    with core.using("compiled"):
        ranker = _core.Ranker(
            matcher._forms,
            matcher._entries,
            matcher._index,
            matcher.romanisation,
            _core.DistanceTable(matcher.romanisation.costs),
            None,
            candidate,
            (W_JARO_WINKLER, W_EDIT, _JARO_WINKLER_MOST, MAX_CANDIDATES),
        )
        ranked = ranker.rank(key)
    assert asked_again and all(answer is None for answer in asked_again)
    assert ranked == _ranked(matcher, "Taluqan", "python", False)[: len(ranked)]
    assert ranker.rank(key) is not None  # free again afterwards


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="abhk", min_size=1, max_size=10),
    st.text(alphabet="abhk", min_size=1, max_size=10),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_the_early_stop_of_the_distance_is_a_bound_below_the_cut(a, b, cut):
    """The ranking's edit distance stops early only with a lower bound of the distance
    whose score is already below the cut (so the form is dropped as the full distance would
    drop it), and is otherwise the table distance's float; keys of few letters, so that
    transpositions (which step over a row of the table) are common."""
    from normalise import _core
    from normalise.phonetic import _JARO_WINKLER_MOST, W_EDIT

    costs = PhoneticMatcher([]).romanisation.costs
    table = _core.DistanceTable(costs)
    full = _core.table_distance(table, a, b, None)
    longest = max(costs.weight(a), costs.weight(b), 1.0)
    found = _core.bounded_distance(table, a, b, longest, W_EDIT, _JARO_WINKLER_MOST, cut)

    def below(distance):
        return W_EDIT * max(0.0, 1.0 - distance / longest) + _JARO_WINKLER_MOST < cut

    if found != full:
        assert found < full and below(found) and below(full)


def test_the_distance_stops_early_on_a_far_form():
    """A far form under a high cut: the distance stops with a bound under the full one."""
    from normalise import _core
    from normalise.phonetic import _JARO_WINKLER_MOST, W_EDIT

    costs = PhoneticMatcher([]).romanisation.costs
    table = _core.DistanceTable(costs)
    a, b = "bakbakbak", "hkhkhkhkh"
    longest = max(costs.weight(a), costs.weight(b), 1.0)
    full = _core.table_distance(table, a, b, None)
    found = _core.bounded_distance(table, a, b, longest, W_EDIT, _JARO_WINKLER_MOST, 0.9)
    assert found < full
    assert _core.bounded_distance(table, a, b, longest, W_EDIT, _JARO_WINKLER_MOST, -1.0) == full


def test_rules_c_cannot_hold_leave_the_ranking_to_python():
    """Romanisation rules whose coarse key maps a letter to two letters cannot be held in
    C's letter maps: the matcher ranks in Python, with the same decisions."""
    import copy

    matcher = PhoneticMatcher([("Taloqan", ["Taleqan"]), ("Kunduz", ["Kondoz"])])
    expected = _decisions(matcher, ["Taluqan", "Kondooz"], "python", False)
    romanisation = matcher.romanisation = copy.copy(matcher.romanisation)
    coarse = romanisation.coarse
    romanisation.coarse = lambda skeleton: "ks" if skeleton == "x" else coarse(skeleton)
    with core.using("compiled"):
        assert matcher._ranker() is None
    assert matcher._compiled_ranker is False
    assert _decisions(matcher, ["Taluqan", "Kondooz"], "compiled", True) == expected
