"""The pruned ranking (``PhoneticMatcher.prune_ranking``: a form whose edit distance alone
keeps it below what could change the decision gets no Jaro-Winkler score) decides as scoring
every form does: the whole Decision (winner, candidates list, reason, verdict) is equal."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import core
from normalise.phonetic import PhoneticMatcher

BUILT = core._compiled() is not None
CORES = ["python", *(["compiled"] if BUILT else [])]


def _decisions(matcher: PhoneticMatcher, tokens: list[str], prune: bool) -> list[object]:
    """``_decide`` for each token at either position, nothing cached, pruned or not."""
    matcher.prune_ranking = prune
    try:
        return [matcher._decide(t, at_start) for t in tokens for at_start in (False, True)]
    finally:
        del matcher.prune_ranking


def _assert_same(matcher: PhoneticMatcher, tokens: list[str]) -> None:
    for name in CORES:
        with core.using(name):
            assert _decisions(matcher, tokens, True) == _decisions(matcher, tokens, False)


def look_alike_names(initials: str, letters: str) -> st.SearchStrategy[str]:
    """Names of few letters, so that the index finds many forms of many entries for a token."""
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(initials),
        st.text(alphabet=letters, min_size=3, max_size=9),
    )


def look_alike_tables(
    names: st.SearchStrategy[str],
) -> st.SearchStrategy[list[tuple[str, list[str], str]]]:
    """Entries (canonical, variants, a generic word to add to each variant) of such names."""
    return st.lists(
        st.tuples(names, st.lists(names, max_size=3), st.sampled_from(["", " Kala", " Dasht"])),
        min_size=1,
        max_size=40,
        unique_by=lambda e: e[0],
    )


_NAMES = look_alike_names("BDKMSZTH", "aeioubdkhmnrsyz")
_TABLES = look_alike_tables(_NAMES)


@settings(max_examples=60, deadline=None)
@given(_TABLES, st.lists(_NAMES, min_size=1, max_size=25))
def test_pruned_ranking_decides_as_the_full_ranking(table, tokens):
    """Random tables of look-alike names (multi-word forms too, whose words are indexed as
    parts) and random tokens: the same Decision objects, on either core's edit distance."""
    matcher = PhoneticMatcher([(c, [f + suffix for f in forms]) for c, forms, suffix in table])
    _assert_same(matcher, tokens)


def _kjv_names() -> list[str]:
    bible = shutil.which("bible")
    if bible is None:
        pytest.skip("needs the `bible` program (Debian bible-kjv) for the KJV names")
    text = subprocess.run(
        [bible, "-f", "gen1:1-rev22:21"], capture_output=True, text=True, check=True
    ).stdout
    words = {w.strip(".,;:?!()'") for line in text.splitlines() for w in line.split()[1:]}
    lower = {w for w in words if w.islower()}
    return sorted(w for w in words if w.istitle() and w.isalpha() and w.lower() not in lower)


def test_pruned_ranking_on_the_kjv_names():
    """The names of the King James Bible, every third one a table entry (with its
    neighbour's spelling as a variant) and the others the tokens: the same decisions, and
    enough of them matches, ambiguities and long candidates lists to mean something."""
    names = _kjv_names()
    entries = [(n, [names[i + 1]]) for i, n in enumerate(names[:-1]) if i % 3 == 0]
    tokens = [n for i, n in enumerate(names) if i % 3 == 2]
    matcher = PhoneticMatcher(entries)
    _assert_same(matcher, tokens)
    decided = _decisions(matcher, tokens, True)
    verdicts = {d.verdict.value for d in decided}
    assert {"match", "ambiguous", "below-threshold"} <= verdicts
    assert sum(len(d.candidates) == 5 for d in decided) > 100


def test_pruned_ranking_keeps_a_runner_up_below_the_candidates():
    """A whole-form best whose next four entries match only a word (part forms): the
    runner-up of the margin (and of the reason text) is a whole form far below the fifth
    candidate, and pruning must still score it (found by a search that cut at the fifth
    entry alone)."""
    parts = ["Mdbamh Kalabad", "Mdnahh Kalabad", "Mdbahm Kalabad", "Msbahh Dashtabad"]
    parts += ["Mybahh Kalabad", "Mdbaah Dashtabad", "Mduahh Kalabad", "Mdbahi Dashtabad"]
    others = ["Mdbehh Kalabad", "Kkrbkk", "Budb", "Mueuz", "Zomdyaoa", "Marik", "Zndhyons"]
    matcher = PhoneticMatcher([(name, []) for name in ["Mdbahh", *parts, *others]])
    _assert_same(matcher, ["Mdbahhh"])
    decision = matcher._decide("Mdbahhh", False)
    assert decision.verdict.value == "match"
    assert all(c.part for c in decision.candidates[1:])
    assert "margin 0.48" in decision.reason
