"""One definition of each character class and particle list (normalise.chars), and the modules
that read names agreeing on them (issue 19)."""

from __future__ import annotations

import functools

import pytest

from normalise import chars, suggest
from normalise.phonetic import PhoneticMatcher, Verdict, default_romanisation
from normalise.rewrite import Normaliser
from normalise.suggest import _NAME_LIKE, _SPAN, _SPAN_WORDS

MARKS = list(chars.APOSTROPHES)


def test_chars_imports_nothing_of_the_package() -> None:
    with open(chars.__file__, encoding="utf-8") as f:
        source = f.read()
    assert "from ." not in source and "import normalise" not in source


def _farghona(marks: str) -> list[tuple[str, str]]:
    return [
        ("a.txt", f"The market in Farg{marks}ona opened. Traders from Farg{marks}ona came.\n"),
        ("b.txt", f"Water reached Farg{marks}ana late. The road to Farg{marks}ana was shut.\n"),
        ("c.txt", f"Cotton from Farg{marks}ona is sold in the capital.\n"),
    ]


def test_suggest_counts_a_name_written_with_the_uzbek_mark() -> None:
    """The fix: suggest took three apostrophe marks and the matcher ten, so Fargʻona (with the
    Uzbek ʻ, a modifier letter) was never a candidate; now the two are grouped."""
    found = suggest.discover(_farghona("\u02bb"), default_table=False)
    assert [{s.form for s in p.spellings} for p in found.groups] == [
        {"Farg\u02bbona", "Farg\u02bbana"}
    ]


@pytest.mark.parametrize("mark", MARKS)
def test_suggest_and_the_matcher_read_every_mark_alike(mark: str) -> None:
    token = f"Farg{mark}ona"
    matcher = PhoneticMatcher([("Kabul", ())])
    assert _NAME_LIKE.match(token)
    refusal = matcher.gate(token)
    assert refusal is None or refusal.verdict is not Verdict.NOT_NAME_LIKE
    # a possessive with any mark is left to the affix rules by both
    assert suggest._POSSESSIVE.search(f"Kabul{mark}s")
    assert matcher.gate(f"Kabul{mark}s").verdict is Verdict.POSSESSIVE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("They met Abd ar Rahman there.", "Abd ar Rahman"),  # an article no English word
        ("They met Osama bin Laden there.", "Osama bin Laden"),
        ("They went to Mazar-e Sharif there.", "Mazar-e Sharif"),
        ("Men of ud-Din Wing came.", "ud-Din Wing"),  # a leading article before a hyphen
        ("Pilgrims in Jerusalem at Passover.", None),  # 'at' is English between two names
        ("They met O'Brien Smith there.", None),  # not begun inside a word
    ],
)
def test_multi_word_names_take_the_shared_particles(text: str, span: str | None) -> None:
    found = [m.group() for m in _SPAN.finditer(text)]
    assert found == ([span] if span else [])
    if span:
        assert all(w[0].isupper() for w in _SPAN_WORDS.findall(span))


def test_the_romanisation_drops_the_shared_articles() -> None:
    romanisation = default_romanisation()
    for article in chars.ARABIC_ARTICLES:
        assert romanisation.words(f"{article}-Sham")[0] == "sham"
    assert romanisation.words("van-Sham")[0] != "sham"  # not an Arabic article


def test_name_particles_are_the_union_check_uses() -> None:
    from normalise.check import _initial_case

    for particle in chars.NAME_PARTICLES:
        assert _initial_case(f"{particle} Gogh") == "upper"
    assert _initial_case("of Gogh") == "lower"


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", 0), ("a\nb", 1), ("a\r\nb\rc\n", 3), ("\r\r\n\n", 3), ("a\u2028b", 0)],
)
def test_count_newlines(text: str, lines: int) -> None:
    assert chars.count_newlines(text) == lines
    assert chars.count_newlines("x" + text + "x", 1, len(text) + 1) == lines


@functools.cache
def _filter() -> Normaliser:
    return Normaliser()


@pytest.mark.parametrize("mark", MARKS)
def test_the_filter_reads_a_name_with_any_mark_as_one_token(mark: str) -> None:
    """The fix: the phonetic token took five marks and the romanisation deleted its own ten
    (with ʹ, without ′), so Farg`onah or Farg′onah was cut at the mark and never matched."""
    result = _filter().normalise(f"Cotton from Kabul and Farg{mark}onah came.")
    assert result.text == "Cotton from Kabul and Fergana came."
    assert [s.rule for s in result.substitutions] == ["phonetic"]
