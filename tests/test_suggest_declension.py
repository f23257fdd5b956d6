"""suggest's declined-name rule: one name in two cases of the corpus's language is no group."""

from __future__ import annotations

import pytest
import yaml

from normalise.declension import DATA, case_endings, declines, two_cases
from normalise.language import is_language
from normalise.suggest import discover

# Made-up Polish notes: Ponurnik is declined (Ponurnika, Ponurnikowi); Kowalczykiewicz is
# misspelt once in the same case (Kowalczykewiczu).
POLISH = {
    "a.txt": (
        "Wczoraj pan Ponurnik przyszedł do domu i długo rozmawiał z Gabrielą Wysocką o pogodzie.\n"
        "Potem Ponurnik poszedł do sklepu, gdzie spotkał znajomego z pracy.\n"
    ),
    "b.txt": (
        "Nikt nie widział Ponurnika od tygodnia, ale sąsiedzi mówili, że wyjechał nad morze.\n"
        "List od Gabrieli Wysockiej przyszedł dopiero w piątek rano.\n"
    ),
    "c.txt": (
        "Pani Gabriela Wysocka napisała, że Ponurnikowi nic się nie stało i wróci w sobotę.\n"
        "Opowiadała też o Kowalczykiewiczu, którego wszyscy znali z gazet.\n"
    ),
    "d.txt": (
        "Pisano też o Kowalczykiewiczu i o jego bracie, ale nikt nie pamiętał szczegółów.\n"
        "W gazecie był też Kowalczykiewicz z żoną, a obok artykuł o Kowalczykewiczu.\n"
    ),
}
# The same in Russian, in Cyrillic: Rostov declined, Kutuzov misspelt once (Кутузофе).
RUSSIAN = {
    "a.txt": (
        "Вчера Ростов приехал в город и долго говорил с Долоховым о погоде и о войне.\n"
        "Потом Ростов пошёл домой, где его ждали все родные и друзья.\n"
    ),
    "b.txt": (
        "Никто не видел Ростова уже неделю, но соседи говорили, что он уехал к морю.\n"
        "Письмо от Долохова пришло только в пятницу утром.\n"
    ),
    "c.txt": (
        "Наташа писала, что Ростову ничего не грозит и что он вернётся в субботу.\n"
        "Ещё она рассказывала о Кутузове, которого все знали по газетам.\n"
    ),
    "d.txt": (
        "В газете писали о Кутузове и о его армии, но никто не помнил подробностей.\n"
        "Там же был Кутузов с офицерами, а рядом статья о Кутузофе.\n"
    ),
}


def _groups(corpus: dict[str, str], language: str | None) -> set[frozenset[str]]:
    found = discover(
        list(corpus.items()), default_table=False, min_count=1, limit=None, language=language
    )
    return {frozenset(s.form for s in p.spellings) for p in found.groups}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ponurnik", "Ponurnika"),  # nominative, genitive
        ("Chucka", "Chucku"),  # a foreign name, two cases
        ("Grzegorz", "Grzegorzach"),
        ("Bezuchow", "Bezuchowa"),
        ("Rostowa", "Roztową"),  # a case of a misspelt form
        ("Tomasz Kłoczko", "Tomaszu Kłoczko"),  # one word of a longer name declined
        ("Murzyn", "Murzynow"),  # typed without its diacritic (-ów)
    ],
)
def test_polish_cases_of_one_name(a: str, b: str) -> None:
    assert two_cases(a, b, "pl")
    assert two_cases(b, a, "pl")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Patryk", "Patrk"),  # misspelt
        ("Kłoczko", "Kloczko"),  # without the diacritic: one case
        ("Rostowej", "Roztowej"),  # one case, misspelt
        ("Moskwie", "Maskwie"),
        ("Rostowa", "Rostova"),  # two romanisations, one case
        ("Jarosław Kamper", "Jaroslaw Kamper"),
        ("Jana", "Jana"),
        ("Ponurnik", "Ponurnik Ponurnika"),  # not as many words
    ],
)
def test_polish_spellings_that_are_no_cases(a: str, b: str) -> None:
    assert not two_cases(a, b, "pl")


def test_other_languages() -> None:
    assert two_cases("Ростов", "Ростову", "ru")
    assert two_cases("Zlopočasná", "Zlopočasné", "cs")
    assert two_cases("Vetinariho", "Vetinarimu", "cs")
    assert not two_cases("Кутузове", "Кутузофе", "ru")
    # a language without case endings (English, German): the rule does not apply
    assert not declines("en") and not declines("de")
    assert not two_cases("Ponurnik", "Ponurnika", "en")


def test_every_endings_file_is_a_wordfreq_language_with_its_source() -> None:
    files = sorted(DATA.glob("*.yaml"))
    assert {p.stem for p in files} >= {"pl", "cs", "sk", "ru", "uk", "bg"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        assert data["language"] == path.stem and is_language(path.stem)
        comment = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
        assert "written by hand from" in comment.lower()  # the comment on the source
        endings = data["endings"]
        assert len(endings) == len(set(endings)) and all(e == e.lower() for e in endings)
        assert case_endings(path.stem) == frozenset(endings)


def test_a_declined_name_is_no_group_but_a_misspelt_one_is() -> None:
    groups = _groups(POLISH, "pl")
    assert frozenset({"Kowalczykiewiczu", "Kowalczykewiczu"}) in groups
    assert not any(g & {"Ponurnik", "Ponurnika", "Ponurnikowi"} for g in groups)
    # read as a language that does not decline names, the two cases make a group
    assert frozenset({"Ponurnik", "Ponurnika"}) in _groups(POLISH, "de")


def test_cyrillic_corpus() -> None:
    found = discover(list(RUSSIAN.items()), default_table=False, min_count=1, limit=None)
    assert found.language == "ru"  # told by its lower-case words
    groups = {frozenset(s.form for s in p.spellings) for p in found.groups}
    assert groups == {frozenset({"Кутузове", "Кутузофе"})}
    assert frozenset({"Ростов", "Ростова", "Ростову"}) in _groups(RUSSIAN, "mk")


def test_review_language_flag(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from normalise.cli import main
    from normalise.review import build_session, review_parser

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in POLISH.items():
        (corpus / name).write_text(text, encoding="utf-8")

    def reviewed(language: str) -> set[frozenset[str]]:
        out = tmp_path / f"{language}.yaml"
        session = build_session(
            str(out), [str(corpus)], default_table=False, cache=False, language=language
        )
        return {frozenset(s["form"] for s in item.spellings) for item in session.items}

    assert frozenset({"Ponurnik", "Ponurnika"}) not in reviewed("pl")
    assert frozenset({"Ponurnik", "Ponurnika"}) in reviewed("de")
    assert review_parser().parse_args(["-o", "t.yaml", "--language", "pl", "x"]).language == "pl"
    assert main(["review", "--language", "xx", "-o", str(tmp_path / "t.yaml"), str(corpus)]) == 2
    assert "unknown language 'xx'" in capsys.readouterr().err
    assert not (tmp_path / "t.yaml").exists()
