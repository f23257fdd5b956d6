"""The kind-of-edit evidence in Cyrillic and Greek (normalise.alphabet): vowels and letters
that write one sound are read from each letter's romanisation; Latin spellings are judged as
before."""

from __future__ import annotations

import pytest

from normalise import alphabet
from normalise.ranking import (
    CITED,
    MIN_EVIDENCE,
    PairEvidence,
    _fold,
    edit_kinds,
    pair_score,
)
from normalise.suggest import discover


@pytest.mark.parametrize(
    ("a", "b", "kinds"),
    [
        ("Сэмюель", "Сэмюэль", ["vowel"]),  # е and э
        ("Карлейль", "Карлиль", ["vowel"]),
        ("Брудзинский", "Брудзиньский", ["vowel"]),  # a soft sign added
        ("Мэрилин", "Мерилин", ["vowel"]),
        ("Уильям", "Вильям", ["alternation"]),  # у and в as u and v (ALTERNATIONS)
        ("Мопассан", "Мопасан", ["double"]),
        ("Генин", "Тенин", ["consonant"]),  # another consonant stays one
        ("Маяковский", "Маяковкий", ["consonant"]),
        ("Σωκράτης", "Σοκράτης", ["vowel"]),  # Greek ω and ο
    ],
)
def test_cyrillic_and_greek_edit_kinds(a: str, b: str, kinds: list[str]) -> None:
    assert edit_kinds(a, b) == kinds


@pytest.mark.parametrize(
    ("a", "b", "kinds"),
    [
        ("Hiram", "Huram", ["vowel"]),
        ("Abimelech", "Ahimelech", ["consonant"]),
        ("Uzza", "Uzzah", ["h"]),
        ("Fausset", "Faussett", ["double"]),
        ("Zalmon", "Zalmonah", ["affix"]),
        ("Brande", "Brende", ["vowel"]),
    ],
)
def test_latin_edit_kinds_unchanged(a: str, b: str, kinds: list[str]) -> None:
    assert edit_kinds(a, b) == kinds


def test_latin_letters_are_no_business_of_the_alphabets() -> None:
    assert not alphabet.vowels("aeiou") and not alphabet.foreign("Windows")
    assert not alphabet.romanised_alike("brande", "brende")
    assert _fold("Crème Brûlée") == "cremebrulee"  # Latin diacritics still folded
    # two Latin authors a letter apart, both signing quotations: still two names
    cited = PairEvidence((3, 2), context=None, never_mid=True, cited=True, docs=(3, 2))
    assert pair_score("Brande", "Brende", cited) == CITED - 1.0 - 1.5


def test_a_cyrillic_letter_with_a_mark_is_a_letter_of_its_own() -> None:
    assert _fold("Йорк") == "йорк" and _fold("Фёдор") == "фёдор"
    assert _fold("Ива\u0301н") == "иван"  # a stress mark is still folded
    assert edit_kinds("Андрей", "Андреи") == ["vowel"]


def test_spellings_romanised_alike_are_one_name_even_as_signatures() -> None:
    assert alphabet.romanise("сэмюель") == alphabet.romanise("сэмюэль") == "semyuel"
    assert alphabet.romanised_alike(_fold("Windоws"), _fold("Windows"))  # a Cyrillic о
    cited = PairEvidence((5, 3), context=None, never_mid=True, cited=True, docs=(5, 3))
    assert pair_score("Сэмюель Джонсон", "Сэмюэль Джонсон", cited) >= MIN_EVIDENCE
    # Greek letters romanised alike tell two words apart: an adjective and its adverb
    assert not alphabet.romanised_alike(_fold("Ἰουδαϊκός"), _fold("Ἰουδαϊκῶς"))
    # a consonant apart, they are still two authors
    assert pair_score("Михаил Генин", "Михаил Тенин", cited) < MIN_EVIDENCE


def _sayings(author: str, n: int) -> str:
    return "".join(
        f"Сегодня мы снова говорили о книгах, погоде и жизни в городе, номер {i}.\n-- {author}\n"
        for i in range(n)
    )


# Made-up fortune files in Russian: sayings signed by Samuel Johnson in two transcriptions
# (Сэмюель, Сэмюэль: e written е or э) in different files, and by Mikhail Genin and a
# different Mikhail Tenin (a consonant apart).
RUSSIAN_SAYINGS = {
    "a.txt": _sayings("Сэмюель Джонсон", 3) + _sayings("Михаил Генин", 2),
    "b.txt": _sayings("Сэмюель Джонсон", 2) + _sayings("Михаил Генин", 2),
    "c.txt": _sayings("Сэмюэль Джонсон", 2) + _sayings("Михаил Тенин", 1),
    "d.txt": _sayings("Сэмюэль Джонсон", 1),
}


def test_a_russian_name_in_two_transcriptions_reaches_the_top_list() -> None:
    found = discover(list(RUSSIAN_SAYINGS.items()), default_table=False, min_count=1, limit=None)
    assert found.language == "ru"
    supported = {frozenset(s.form for s in p.spellings) for p in found.groups if p.supported}
    assert frozenset({"Сэмюель Джонсон", "Сэмюэль Джонсон"}) in supported
    assert not any("Михаил Тенин" in g for g in supported)
