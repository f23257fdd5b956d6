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
