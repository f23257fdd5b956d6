"""The spelling rules in C (``_core.SpellingRules``, what ``Romanisation.key`` runs on the
compiled core) against ``re`` (``Romanisation.regex_key`` and ``reference_key``): the same keys
on hypothesis words (the letters the rules read, other Latin-1 letters, other scripts, marks,
digits, spaces and newlines), on every word of the bundled tables and of the gazetteer, on a
rule set changed in the data, and on random expressions of the constructs the matcher holds;
and each fallback (a construct it lacks, a word it cannot hold) gives ``re``'s key."""

from __future__ import annotations

import copy
import gzip
import pickle
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from normalise import core
from normalise.gazetteer import GAZETTEER_PATH
from normalise.phonetic import ROMANISATION_PATH, Romanisation, default_romanisation
from normalise.table import load_table
from tests.test_core import compares_cores

pytestmark = compares_cores

#: the letters the rules are about, the vowels, and a few characters around them
RULE_LETTERS = "abcdeghijklmnopqstuvwxyz"
OTHER = "éèüöäçñßµªÿ_1 \n'-д中ʻ\u0301"
WORDS = st.text(
    alphabet=st.sampled_from(RULE_LETTERS + RULE_LETTERS + OTHER), min_size=0, max_size=14
)


def _data() -> dict:
    import yaml

    with open(ROMANISATION_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)  # type: ignore[no-any-return]


def _rules(romanisation: Romanisation):
    with core.using("compiled"):
        rules = romanisation.compiled_rules()
    assert rules, "the bundled rules run in C"
    return rules


def _compiled_key(romanisation: Romanisation, word: str) -> str:
    with core.using("compiled"):
        return romanisation.key(word)


def _program_rules(pattern: str, replace: str):
    return core.compiled_module().SpellingRules([(re.compile(pattern), replace, None)])


@settings(max_examples=2000, deadline=None)
@given(WORDS)
def test_keys_equal_re_on_hypothesis_words(word: str) -> None:
    romanisation = default_romanisation()
    expected = romanisation.reference_key(word)
    assert romanisation.regex_key(word) == expected
    found = _rules(romanisation).key(word)
    if all(ord(c) < 256 for c in word):
        assert found == expected  # every such word is keyed in C
    else:
        assert found is None  # handed back to re
    assert _compiled_key(romanisation, word) == expected


def test_keys_equal_re_on_every_short_word() -> None:
    """Every word of up to four characters over the letters of the rules' contexts and a
    newline (``$`` also matches before a final newline)."""
    import itertools

    romanisation = default_romanisation()
    rules = _rules(romanisation)
    alphabet = "aeiouyhdzjqcksw\n"
    for size in range(5):
        for letters in itertools.product(alphabet, repeat=size):
            word = "".join(letters)
            assert rules.key(word) == romanisation.reference_key(word), word


def _table_words() -> set[str]:
    romanisation = default_romanisation()
    words: set[str] = set()
    for entry in load_table("default").entries:
        for form in entry.forms:
            joined, parts = romanisation.words(form)
            words.update((joined, *parts, form.lower()))
    return words


def _gazetteer_words() -> set[str]:
    words: set[str] = set()
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as f:
        for line in f:
            name = line.split("\t", 1)[0]
            if line.startswith("#") or not name or name.isdigit():
                continue
            words.add(name)
            words.update(re.split(r"[\s\-]+", name))
    return words


@pytest.mark.parametrize("source", [_table_words, _gazetteer_words], ids=["tables", "gazetteer"])
def test_keys_equal_re_on_every_word_of_real_names(source) -> None:
    romanisation = default_romanisation()
    rules = _rules(romanisation)
    words = sorted(source())
    assert len(words) > 1000
    in_c = 0
    for word in words:
        found = rules.key(word)
        if found is None:  # handed back only for a character past 255
            assert max(map(ord, word)) > 255, word
        else:
            in_c += 1
            assert found == romanisation.regex_key(word), word
    assert in_c > 0.6 * len(words)


def test_a_changed_rule_is_followed() -> None:
    """The C rules are compiled from the data: a rule changed (q -> g, not k) and one added
    (a class, a group, a reference and a lookbehind) change the compiled keys as they change
    ``re``'s."""
    data = _data()
    for rule in data["rules"]:
        if rule["name"] == "q_k":
            rule["replace"] = "g"
    data["rules"].insert(
        0, {"name": "swap", "doc": "test", "pattern": r"(?<=a)([mn])(o)", "replace": r"\2\1"}
    )
    changed = Romanisation(data)
    bundled = default_romanisation()
    for word in ("qandahar", "amon", "anoqa", "tariq"):
        assert _compiled_key(changed, word) == changed.reference_key(word)
    assert _compiled_key(changed, "tariq") == "tarig" != _compiled_key(bundled, "tariq")
    assert changed.reference_key("amon") != bundled.reference_key("amon")


@pytest.mark.parametrize(
    ("pattern", "replace"),
    [
        (r"\bq", "k"),  # a word boundary
        (r"(?i)q", "k"),  # a flag
        (r"(?>q)", "k"),  # an atomic group
        (r"q*", "k"),  # matches the empty string
        (r"(?:(q)k)+", "k"),  # a group in a repeat
        (r"(?=(q))q", "k"),  # a group in a lookaround
        (r"q", r"\g<0>"),  # a replacement escape other than \1-\9
        (r"(q)", r"\10"),  # a group reference followed by a digit
        (r"q", "д"),  # a replacement character past 255
        (r"(q)(?(1)a|b)", "k"),  # a conditional
        (r"q{1,40}", "k"),  # a bounded repeat too wide to unroll
    ],
)
def test_a_rule_set_with_a_construct_c_lacks_is_keyed_by_re(pattern: str, replace: str) -> None:
    with pytest.raises(ValueError):
        _program_rules(pattern, replace)
    data = _data()
    data["rules"].append({"name": "odd", "doc": "test", "pattern": pattern, "replace": replace})
    try:
        romanisation = Romanisation(data)
        expected = romanisation.reference_key("qaqkqu")
    except re.error:
        return  # re refuses it too (\10 with one group): nothing to key
    with core.using("compiled"):
        assert romanisation.compiled_rules() is False
        assert romanisation.key("qaqkqu") == expected


def test_a_word_c_cannot_hold_is_keyed_by_re() -> None:
    romanisation = default_romanisation()
    rules = _rules(romanisation)
    for word in ("qandahār", "kabul" * 60, "дushanbe", "tashkent\u0301"):
        assert rules.key(word) is None
        assert _compiled_key(romanisation, word) == romanisation.reference_key(word)
    grows = _program_rules("a", "aaaa")  # a key that would grow past 255 characters
    assert grows.key("a" * 63) == "a" * 252
    assert grows.key("a" * 64) is None


def test_the_python_core_never_asks_c() -> None:
    romanisation = Romanisation(_data())
    with core.using("python"):
        assert romanisation.key("qunduz") == romanisation.reference_key("qunduz")
    assert romanisation._compiled_rules is None  # not made: the Python core ran re alone


def test_pickles_without_the_compiled_rules() -> None:
    romanisation = Romanisation(_data())
    _rules(romanisation)
    again = pickle.loads(pickle.dumps(romanisation))
    assert again._compiled_rules is None
    assert copy.copy(romanisation).key("djalalabad") == romanisation.reference_key("djalalabad")
    with pytest.raises(TypeError):
        pickle.dumps(romanisation._compiled_rules)


# Random expressions of the constructs the matcher holds, against re.sub itself.
_ATOMS = st.sampled_from(
    ["a", "b", "c", "ab", "[ab]", "[^a]", "[^\\W\\d_]", ".", "[a-c]", "é", "(?:a|ab)", "(?:b|)"]
)


@st.composite
def _expressions(draw) -> tuple[str, str]:
    parts = ["(" + draw(_ATOMS) + ")"]  # group 1
    for _ in range(draw(st.integers(0, 3))):
        atom = draw(_ATOMS)
        kind = draw(st.integers(0, 9))
        if kind == 0:
            atom = f"(?:{atom})" + draw(
                st.sampled_from(["+", "*", "?", "+?", "*?", "??", "{1,3}", "{2}"])
            )
            if re.fullmatch(atom, ""):
                atom = "a"  # a repeat that can match nothing is refused; tested above
        elif kind == 1:
            atom = draw(st.sampled_from(["(?=", "(?!"])) + atom + ")"
        elif kind == 2:
            atom = draw(st.sampled_from(["(?<=", "(?<!"])) + draw(st.sampled_from("abc")) + ")"
        elif kind == 3:
            atom = draw(st.sampled_from(["\\1", "$", "^", "\\Z", "\\A"]))
        elif kind == 4:
            atom = f"(?:{atom}|{draw(_ATOMS)})"
        parts.append(atom)
    pattern = "".join(parts)
    if re.compile(pattern).match("") or re.fullmatch(pattern, ""):
        pattern = "c" + pattern
    replace = draw(st.sampled_from(["", "x", r"\1", r"<\1>", "yy"]))
    return pattern, replace


@settings(max_examples=1000, deadline=None)
@given(_expressions(), st.text(alphabet=st.sampled_from("abcé1 \n"), max_size=10))
@example(("(a)$", "x"), "a\n")
@example(("(a)\\Z", "x"), "a\n")
def test_random_expressions_match_as_re_sub(expression: tuple[str, str], word: str) -> None:
    pattern, replace = expression
    compiled = re.compile(pattern)
    try:
        rules = _program_rules(pattern, replace)
    except ValueError:
        assert re._parser.parse(pattern).getwidth()[0] == 0  # only the empty-match refusal
        return
    assert rules.key(word) == compiled.sub(replace, word)


# The proof without a decision: PhoneticMatcher.may_act (``_core.reaches``) and the screen
# of Weighing.wanted_in_full built on it.


def _gazetteer_tokens(every: int) -> list[str]:
    """Capitalised words of the gazetteer's names (every ``every``-th), as a text has them."""
    words = sorted(w for w in _gazetteer_words() if w.isalpha() and len(w) >= 4)
    return [w.capitalize() for w in words[::every]]


def test_reaches_says_whether_a_whole_form_scores_at_least_the_floor() -> None:
    from normalise import Normaliser

    matcher = Normaliser(phonetic="apply").compiled.matcher
    with core.using("compiled"):
        ranker = matcher._ranker()
    reaches = core.compiled_module().reaches
    seen = {True: 0, False: 0}
    for token in _gazetteer_tokens(151):
        key = matcher.romanisation.form_key(token)
        with core.using("python"):
            ranked = matcher._ranked(token, prune=False)  # the reference: every form scored
        for floor in (0.5, 0.86, 0.93, 0.97, 1.0):
            expected = any(c.score >= floor for c in ranked if not c.part)
            found = reaches(ranker, key, floor)
            if found is None:
                assert not letters_only(key)
                continue
            assert found == expected, (token, floor)
            seen[found] += 1
    assert min(seen.values()) > 50


def letters_only(key: str) -> bool:
    return key.isascii() and key.isalpha() and key.islower() and len(key) <= 64


def _matchers(table: list[tuple[str, list[str], str]]):
    from normalise.evidence import rare_word_matcher
    from normalise.phonetic import PhoneticMatcher

    matcher = PhoneticMatcher([(c, [f + suffix for f in forms]) for c, forms, suffix in table])
    return matcher, rare_word_matcher(matcher)


_NAMES = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("BDKMSZTH"),
    st.text(alphabet="aeioubdkhmnrsyz", min_size=3, max_size=9),
)
#: Tables of look-alike names (canonical, variants, a multi-word form or not) ...
_LOOK_ALIKE_TABLES = st.lists(
    st.tuples(_NAMES, st.lists(_NAMES, max_size=3), st.sampled_from(["", " Kala"])),
    min_size=1,
    max_size=30,
    unique_by=lambda e: e[0],
)
#: ... and tokens near their forms, with English words among them.
_NEAR_TOKENS = st.lists(
    _NAMES | st.sampled_from(["Hominy", "Teheran", "Kabulis", "Host"]), max_size=25
)


@settings(max_examples=60, deadline=None)
@given(
    _LOOK_ALIKE_TABLES,
    _NEAR_TOKENS,
)
def test_may_act_is_false_only_when_the_decision_cannot_act(table, tokens) -> None:
    """Random tables of look-alike names: whenever may_act says False, the decision (of
    the matcher and of its view for rare English words) has no winner and no ambiguity."""
    for matcher in _matchers(table):
        with core.using("compiled"):
            for token in tokens:
                decision = matcher._decide(token, False)
                if decision.winner is not None or decision.ambiguous:
                    assert matcher.may_act(token), token


def test_may_act_on_real_names_and_the_python_core() -> None:
    from normalise import Normaliser

    matcher = Normaliser(phonetic="apply").compiled.matcher
    refused = acting = 0
    with core.using("compiled"):
        for token in _gazetteer_tokens(61):
            decision = matcher._decide(token, False)
            may = matcher.may_act(token)
            if decision.winner is not None or decision.ambiguous:
                assert may, token
                acting += 1
            refused += not may
    assert acting > 5 and refused > 500
    with core.using("python"):
        assert Normaliser(phonetic="apply").compiled.matcher.may_act("Hominy")  # never asks C


def test_wanted_in_full_equals_the_decisions() -> None:
    """The screen gives what ``acts(decide(...))`` gives, on the gazetteer's names (the
    matcher's winners, the second look's winners and the refusals)."""
    from normalise import Normaliser
    from normalise.weigh import acts

    second_look = ["Darrah", "Gotha", "Nicolai", "Fatwa"]  # won by the second look
    tokens = [*_gazetteer_tokens(41), *second_look, "Teheran", "Kandahari", "Jehudi"]
    with core.using("compiled"):
        weighing = Normaliser(phonetic="apply")._weighing
        reference = Normaliser(phonetic="apply")._weighing
        wanted = [weighing.wanted_in_full(t) for t in tokens]
        expected = [acts(reference.decide(t)[0]) for t in tokens]
    assert wanted == expected
    assert 10 < sum(wanted) < len(tokens) - 500
    assert all(reference.decide(t)[1] and weighing.wanted_in_full(t) for t in second_look)
