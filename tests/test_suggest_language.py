"""suggest's text-language rule: a corpus in another language keeps its common words out."""

from __future__ import annotations

import json

import pytest

from normalise.cli import main
from normalise.language import ENGLISH, LanguageWords, guess_language, is_language
from normalise.suggest import discover

# Made-up German notes, one document each: every noun has a capital, as German writes them.
GERMAN = {
    "sonntag.txt": (
        "Jeden Sonntag ging sie mit Anna zur Kirche, weil sie dort immer eine Kerze anzündet.\n"
        "Danach sagte sie, in die Suppe gehöre noch etwas Muskatnuß, aber nicht zu viel.\n"
        "Sie meinte, dass das Schicksal der Familie Weber nicht immer gerecht gewesen sei.\n"
        "Später schrieb Herr Habermann einen langen Brief an Anna und wartete auf Antwort.\n"
    ),
    "garten.txt": (
        "Jeden Sonntag aß sie mit Anna eine Kirsche, die sie selbst vom Baum geholt hatte.\n"
        "Wenn man eine Suppe kocht, gehört immer etwas Muskatnuss hinein, meinte er.\n"
        "Die Schicksale der Familie Weber sind schon lange vergessen, aber nicht ganz.\n"
        "Der Brief an Anna war von Herrn Habemann unterschrieben und kam erst heute an.\n"
    ),
    "abend.txt": (
        "Abends saßen sie noch lange zusammen und sprachen über alles, was sie wussten.\n"
        "Niemand wollte gehen, denn draußen wurde es schon kalt und dunkel, aber sehr still.\n"
        "Manchmal ist es besser, nicht zu viel zu fragen, sondern einfach zuzuhören.\n"
    ),
}

ENGLISH_TEXT = (
    "In the morning they walked down to the harbour, where the boats were waiting for the "
    "tide. Nobody said much, because everyone knew that the weather would turn before "
    "evening, and they would have to come back through the rain."
)


def _groups(language: str | None = None) -> set[frozenset[str]]:
    found = discover(
        list(GERMAN.items()), default_table=False, min_count=1, limit=None, language=language
    )
    return {frozenset(s.form for s in p.spellings) for p in found.groups}


def _lower_words(text: str) -> dict[str, int]:
    words: dict[str, int] = {}
    for word in text.split():
        word = word.strip(".,;:")
        if word.islower() and len(word) >= 4:
            words[word] = words.get(word, 0) + 1
    return words


def test_the_language_is_told_by_the_lower_case_words() -> None:
    assert guess_language(_lower_words(" ".join(GERMAN.values()))) == "de"
    assert guess_language(_lower_words(ENGLISH_TEXT)) == ENGLISH
    assert guess_language({}) == ENGLISH  # nothing to tell by: English, as before


def test_common_words_of_the_language_are_two_words() -> None:
    """As English, Kirche / Kirsche and Schicksal / Schicksale look like spellings of one
    name; as German they are two words and a noun with its plural."""
    english = _groups(ENGLISH)
    assert frozenset({"Kirche", "Kirsche"}) in english
    assert frozenset({"Schicksal", "Schicksale"}) in english
    german = _groups()  # guessed
    assert frozenset({"Kirche", "Kirsche"}) not in german
    assert frozenset({"Schicksal", "Schicksale"}) not in german
    assert not any("Kirche" in g or "Schicksal" in g for g in german)


def test_one_word_in_two_spellings_and_names_are_still_grouped() -> None:
    german = _groups("de")
    assert frozenset({"Muskatnuß", "Muskatnuss"}) in german  # ß or ss: one word
    assert frozenset({"Habermann", "Habemann"}) in german  # a name misspelt


def test_a_common_word_of_the_language_is_the_canonical_form() -> None:
    found = discover(list(GERMAN.items()), default_table=False, min_count=1, limit=None)
    assert found.language == "de"
    (group,) = [p for p in found.groups if "Habemann" in p.variants or p.canonical == "Habemann"]
    assert group.canonical == "Habermann"  # wordfreq knows Habermann in German


def test_language_words() -> None:
    words = LanguageWords("de")
    assert words.common("Kirche") and words.common("kirche")
    assert words.known("Gemse") and not words.common("Gemse")
    assert not words.known("Xqzwvt")
    assert is_language("de") and not is_language("xx")


def test_cli_language_flag(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in GERMAN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["suggest", "--no-default-table", "--min-count", "1", str(tmp_path)]) == 0
    assert ", language de\n" in capsys.readouterr().out.splitlines(keepends=True)[0]
    code = main(
        ["suggest", "--no-default-table", "--format", "json", "--language", "en", str(tmp_path)]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["language"] == "en"
    assert main(["suggest", "--language", "xx", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown language 'xx'" in err and "\n" not in err


def test_a_language_whose_look_ups_need_a_missing_tokenizer_is_refused(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """wordfreq looks up Japanese, Korean and Chinese words through tokenizers of its optional
    ``cjk`` extra: without them a look-up raises, so the language is neither guessed nor taken
    (one line, exit 2), never a traceback."""
    import importlib.util

    from normalise import language

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in {"MeCab", "jieba"} else real(name, *a),
    )
    language.languages.cache_clear()
    try:
        assert not {"ja", "ko", "zh"} & set(language.languages())
        (tmp_path / "a.txt").write_text("Kirche und Kirsche.\n", encoding="utf-8")
        assert main(["suggest", "--no-default-table", "--language", "ja", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip()
        assert "needs wordfreq's optional tokenizer" in err and "\n" not in err
    finally:
        language.languages.cache_clear()


def test_the_python_api_refuses_an_unknown_language() -> None:
    from normalise.suggest import VariantDiscovery

    with pytest.raises(ValueError, match="unknown language 'xx'"):
        VariantDiscovery(language="xx")
