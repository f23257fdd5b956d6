"""The rewriter and the Result API: casing, records, span mapping, streams, pickling."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from normalise import Normaliser, Substitution, undo
from normalise.log import apply
from normalise.rewrite import cased, is_sentence_initial

TABLE = Path(__file__).parent / "fixtures" / "core_table.yaml"


@pytest.fixture(scope="module")
def n() -> Normaliser:
    return Normaliser([TABLE], default_table=False, phonetic="off")


@pytest.mark.parametrize(
    "original, canonical, expected",
    [
        ("TALEBAN", "Taliban", "TALIBAN"),
        ("Taleban", "Taliban", "Taliban"),
        ("taleban", "Taliban", "Taliban"),
        ("tALEBAN", "Taliban", "Taliban"),
        ("Neighbourhood", "neighborhood", "Neighborhood"),
        ("neighbourhood", "neighborhood", "neighborhood"),
        ("NEIGHBOURHOOD", "neighborhood", "NEIGHBORHOOD"),
        ("Al Qaida", "al-Qaeda", "Al-Qaeda"),
        ("A", "al-Qaeda", "Al-Qaeda"),
        ("FUSWEG", "Fußweg", "FUßWEG"),  # capitals keep the key: not FUSSWEG
        ("Straße", "straße", "Straße"),
    ],
)
def test_casing_rule(original, canonical, expected):
    assert cased(original, canonical) == expected


def test_case_sensitive_entries_keep_the_canonical_casing():
    assert cased("US", "U.S.", case_sensitive=True) == "U.S."


def test_record_fields(n):
    text = "In Taliqan, the Taleban's men."
    r = n.normalise(text)
    assert r.text == "In Taloqan, the Taliban's men."
    first, second = r.substitutions
    assert first == Substitution("Taliqan", "Taloqan", 3, 10, 3, 10, "table", "Taloqan", 1.0)
    assert (second.original, second.replacement, second.entry) == ("Taleban", "Taliban", "Taliban")
    for sub in r.substitutions:
        assert text[sub.start : sub.end] == sub.original
        assert r.text[sub.out_start : sub.out_end] == sub.replacement
        assert sub.applied and sub.score == 1.0
    assert r.changed


def test_offsets_after_length_changes(n):
    text = "US forces and طالبان near Sar-i-Pul; 😀 İ Taleban"
    r = n.normalise(text)
    assert r.text == "U.S. forces and Taliban near Sar-e Pul; 😀 İ Taliban"
    for sub in r.substitutions:
        assert text[sub.start : sub.end] == sub.original
        assert r.text[sub.out_start : sub.out_end] == sub.replacement
    assert undo(r.text, r.substitutions) == text
    assert apply(text, r.substitutions) == r.text


def test_no_substitution_for_the_canonical_form(n):
    r = n.normalise("Taliban in Taloqan; TALIBAN")
    assert r.substitutions == [] and not r.changed
    assert r.text == "Taliban in Taloqan; TALIBAN"


def test_span_mapping(n):
    text = "US and Taleqan are here."
    r = n.normalise(text)
    assert r.text == "U.S. and Taloqan are here."
    assert r.normalised_span(0, 2) == (0, 4)
    assert r.original_span(0, 4) == (0, 2)
    assert r.normalised_span(3, 6) == (5, 8)  # "and"
    assert r.original_span(5, 8) == (3, 6)
    assert r.normalised_span(1, 5) == (0, 7)  # cuts "US": taken whole
    assert r.original_span(2, 3) == (0, 2)  # inside "U.S."
    assert r.normalised_span(len(text), len(text)) == (len(r.text), len(r.text))
    assert r.original_span(0, len(r.text)) == (0, len(text))


def test_normalise_many_is_lazy(n):
    seen = []

    def texts():
        for t in ("Taleban", "Taliqan", "nothing"):
            seen.append(t)
            yield t

    results = n.normalise_many(texts())
    assert seen == []
    assert next(results).text == "Taliban"
    assert seen == ["Taleban"]
    assert [r.text for r in results] == ["Taloqan", "nothing"]


def test_pickled_normaliser_gives_identical_results(n):
    text = "US and Taleqan; Sari Pul, TALEBAN"
    clone = pickle.loads(pickle.dumps(n))
    assert clone.normalise(text) == n.normalise(text)


def test_empty_and_tableless(n):
    assert n.normalise("").text == ""
    bare = Normaliser(default_table=False, phonetic="off")
    assert bare.normalise("Taleban").text == "Taleban"
    with pytest.raises(TypeError):
        n.normalise(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Normaliser(default_table=False, phonetic="sometimes")


def test_lone_surrogates_pass_through(n):
    text = "\udcff Taleban \udc80"
    r = n.normalise(text)
    assert r.text == "\udcff Taliban \udc80"
    assert undo(r.text, r.substitutions) == text


def test_explain_table_word(n):
    info = n.explain("Taleqan")
    assert info.result == "Taloqan"
    assert info.entry.canonical == "Taloqan" and info.form == "Taleqan"
    assert "variant 'Taleqan'" in info.reason and "core_table.yaml" in info.reason
    same = n.explain("Taloqan")
    assert same.result == "Taloqan" and "canonical form" in same.reason
    unknown = n.explain("Talukan")
    assert unknown.result == "Talukan" and "phonetic matcher is off" in unknown.reason


@pytest.mark.parametrize(
    "text, start, expected",
    [
        ("Kabul fell.", 0, True),
        ("It fell. Kabul next", 9, True),
        ("It fell. “Kabul next", 10, True),
        ("the city of Kabul", 12, False),
        ("line\nKabul", 5, True),
    ],
)
def test_sentence_initial(text, start, expected):
    assert is_sentence_initial(text, start) is expected
