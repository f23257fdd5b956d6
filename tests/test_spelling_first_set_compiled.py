"""The characters a spelling rule's match can begin with (``_core.spelling_first_set``), by
which ``SpellingRules`` passes over the positions of a word where no match can start and the
rules a word cannot meet (issue 17: the spelling key is a third of the token screen's cost).

Exact: wherever ``re`` matches an expression (``Pattern.match(word, pos)``: the lookbehinds
and anchors read the whole word), its first set holds the character there; and the keys of
random expressions that begin with what reads no character (lookbehinds, lookaheads,
anchors, alternatives that may be empty, groups) equal ``re.sub``'s, on words of ASCII,
Latin-1 letters and newlines."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from normalise import core
from normalise.phonetic import default_romanisation
from tests.test_core import compares_cores
from tests.test_spelling_keys_compiled import _expressions

pytestmark = compares_cores

#: what an expression may begin with: nothing read, or maybe nothing
_PREFIXES = st.sampled_from(
    [
        "",
        "(?<=a)",
        "(?<![bc])",
        "(?<=é)",
        "(?<=ab)",
        "^",
        "\\A",
        "(?=a)",
        "(?![ab])",
        "(?:b|)",
        "(?:|c)",
        "(?:a|b?)",
        "a?",
        "[^\\W\\d_]*?",
        "(?:(?<=c)|^)",
        "$",
        "(?=é|\\n)",
        "(?:a*)",
    ]
)
WORDS = st.text(alphabet=st.sampled_from("abcé1 \nÿß"), max_size=10)


def _first(pattern: str) -> set[str] | None:
    module = core.compiled_module()
    code, classes = module.spelling_program(re.compile(pattern))
    bits = module.spelling_first_set(code, classes)
    if bits is None:
        return None
    return {chr(c) for c in range(256) if bits[c >> 3] >> (c & 7) & 1}


@st.composite
def _prefixed(draw) -> tuple[str, str]:
    """An expression of ``_expressions`` behind a prefix that reads nothing (or may not)."""
    pattern, replace = draw(_expressions())
    pattern = draw(_PREFIXES) + pattern
    if re.compile(pattern).match("") or re.fullmatch(pattern, ""):
        pattern = "c" + pattern
    return pattern, replace


@settings(max_examples=1500, deadline=None)
@given(_prefixed(), WORDS)
@example(("(?<=a)(b)", ""), "ab")
@example(("(?:b|)(a)", "x"), "ba")
@example(("(a)$", "x"), "a\n")
def test_a_match_begins_with_a_character_of_the_first_set(expression, word: str) -> None:
    pattern, replace = expression
    compiled = re.compile(pattern)
    try:
        first = _first(pattern)
    except ValueError:
        assert re._parser.parse(pattern).getwidth()[0] == 0  # the empty-match refusal
        return
    for pos in range(len(word) + 1):
        if compiled.match(word, pos) and first is not None:
            assert pos < len(word) and word[pos] in first, (pos, first)
    rules = core.compiled_module().SpellingRules([(compiled, replace, None)])
    assert rules.key(word) == compiled.sub(replace, word)


@pytest.mark.parametrize(
    ("pattern", "first"),
    [
        ("(?<=[sc])z", "z"),
        ("(?:eh|ah|e)$", "ae"),
        ("(?:b|)a", "ab"),
        ("^(?=a)[ab]c", "ab"),
        ("(?<!x)(?:k|)(?:h|)w", "khw"),
        ("(a*)b\\1", "ab"),
        ("(a?)\\1b", None),  # a reference to what may be empty, before any character
        (
            "(?!a)[^\\W\\d_]x",
            "".join(chr(c) for c in range(256) if re.fullmatch(r"[^\W\d_]", chr(c))),
        ),
    ],
)
def test_first_sets_of_known_expressions(pattern: str, first: str | None) -> None:
    assert _first(pattern) == (None if first is None else set(first))


def test_every_bundled_rule_has_its_first_set() -> None:
    """So no bundled rule is tried at every position."""
    romanisation = default_romanisation()
    assert all(_first(rule.pattern.pattern) is not None for rule in romanisation.rules)
