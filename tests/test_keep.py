"""The exception lexicon (issue 15, item 4): kept forms from a table's ``keep:`` list, from
``Normaliser(keep=...)``, ``--keep`` and ``--keep-file``, and spellings mentioned as spellings,
are never rewritten by a table form or the phonetic matcher."""

from __future__ import annotations

import json
import pickle
import textwrap
from pathlib import Path

import pytest

from normalise import Normaliser, TableError, load_table, undo
from normalise.check import check_tables
from normalise.cli import main
from normalise.keep import is_mentioned, read_keep_file

TABLE = textwrap.dedent("""\
    table: keep-test
    keep:
      - Modene
      - Mohamed Salah
    entries:
      - canonical: Taloqan
        kind: place
        variants: [Taleqan, Taliqan]
      - canonical: Medina
        kind: place
        variants: [Madina]
      - canonical: Muhammad
        kind: given-name
        variants: [Mohamed, Mohammed]
      - canonical: Khamenei
        kind: person
        variants: [Khamenehi]
      - canonical: Kunduz
        kind: place
        variants: [Qunduz]
    """)


@pytest.fixture
def table_path(tmp_path: Path) -> Path:
    path = tmp_path / "keep.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_keep_list_is_read_with_file_and_line(table_path):
    table = load_table(table_path)
    assert [(k.form, k.line) for k in table.keep] == [("Modene", 3), ("Mohamed Salah", 4)]
    assert table.keep[0].file == str(table_path)


def test_a_kept_form_wins_over_a_table_form_inside_it(table_path):
    n = Normaliser([table_path], default_table=False, phonetic="off")
    result = n.normalise("Mohamed Salah scored; Mohamed boxed in Taleqan.")
    assert result.text == "Mohamed Salah scored; Muhammad boxed in Taloqan."


def test_a_kept_form_wins_over_the_phonetic_matcher(table_path):
    text = "Modene lies near Madina and Taleqan."
    bare = table_path.parent / "bare.yaml"
    bare.write_text(TABLE.replace("  - Modene\n", ""), encoding="utf-8")
    without = Normaliser([bare], default_table=False, phonetic="suggest")
    assert any(s.original == "Modene" for s in without.normalise(text).substitutions)
    n = Normaliser([table_path], default_table=False)
    result = n.normalise(text)
    assert "Modene" in result.text
    assert not any(s.original == "Modene" for s in result.substitutions)


def test_kept_forms_are_folded_like_table_forms():
    n = Normaliser(keep=["taleqan"], phonetic="off")
    assert n.normalise("TALEQAN and Taléqan and Taleqan").text == "TALEQAN and Taléqan and Taleqan"
    assert n.normalise("Taliqan").text == "Taloqan"


def test_keep_in_python_checks_its_forms():
    with pytest.raises(ValueError):
        Normaliser(keep=["--"], phonetic="off")
    with pytest.raises(TypeError):
        Normaliser(keep="Taleqan", phonetic="off")


def test_a_normaliser_with_kept_forms_pickles():
    n = Normaliser(keep=["Taleqan"], phonetic="off")
    again = pickle.loads(pickle.dumps(n))
    assert again.normalise("Taleqan Taliqan").text == "Taleqan Taloqan"
    assert again.keep == ("Taleqan",)


@pytest.mark.parametrize(
    "text",
    [
        "Ali Khamenei (also spelt Khamenehi) spoke.",
        "Khamenei, sometimes spelled 'Khamenehi', spoke.",
        "the name is written Khamenehi in older reports",
        "Taloqan (or Taleqan) fell.",
        "the city of Taliqan, also known as Taleqan, fell.",
        "Khamenei, transliterated as Khamenehi, spoke.",
    ],
)
def test_a_spelling_mentioned_as_a_spelling_is_left_as_written(table_path, text):
    n = Normaliser([table_path], default_table=False)
    result = n.normalise(text)
    for word in ("Khamenehi", "Taleqan"):
        if word in text:
            assert word in result.text, result.text
    assert undo(result.text, result.substitutions) == text


def test_a_or_x_is_a_mention_only_when_both_spell_one_entry(table_path):
    n = Normaliser([table_path], default_table=False, phonetic="off")
    assert n.normalise("Taliqan or Taleqan").text == "Taloqan or Taleqan"
    assert n.normalise("Qunduz or Taleqan").text == "Kunduz or Taloqan"
    once = n.normalise("Taliqan or Taleqan").text
    assert n.normalise(once).text == once


@pytest.mark.parametrize(
    "text, word, mentioned",
    [
        ("also spelt Khamenehi", "Khamenehi", True),
        ('spelled "Taleqan" by some', "Taleqan", True),
        ("Taloqan (or Taleqan)", "Taleqan", True),
        ("romanised\nTaleqan", "Taleqan", False),  # a cue never reaches across lines
        ("the spell Taleqan", "Taleqan", False),
        ("(organisation) Taleqan", "Taleqan", False),
    ],
)
def test_is_mentioned_reads_the_cue_before_a_word(text, word, mentioned):
    assert is_mentioned(text, text.index(word)) is mentioned


def test_each_word_after_a_cue_is_mentioned():
    text = 'also spelt Khamenehi; spelled "Abu Dhabi"; (or Taleqan)'
    assert [is_mentioned(text, text.index(w)) for w in ("Khamenehi", "Abu", "Taleqan")] == [
        True,
        True,
        True,
    ]
    assert [is_mentioned(text, text.index(w)) for w in ("spelt", "Dhabi", "or")] == [
        False,
        False,
        False,
    ]
    text = "nothing to see here (really)"
    assert not is_mentioned(text, text.index("really"))


def test_read_keep_file_skips_comments_and_names_a_bad_line(tmp_path):
    path = tmp_path / "keep.txt"
    path.write_text("# people\nMohamed Salah\n\n  Modene  \n", encoding="utf-8")
    assert read_keep_file(str(path)) == ["Mohamed Salah", "Modene"]
    path.write_text("Modene\n--\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"keep\.txt:2: kept form '--' has no letter"):
        read_keep_file(str(path))


def test_bad_keep_node_is_a_table_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("keep: Modene\nentries: []\n", encoding="utf-8")
    with pytest.raises(TableError, match="'keep' must be a list"):
        load_table(path)
    path.write_text("keep:\n  - 12\nentries: []\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"bad\.yaml:2: kept form must be a string"):
        load_table(path)


def test_a_table_of_kept_forms_only_loads(tmp_path):
    path = tmp_path / "only.yaml"
    path.write_text("keep: [Taleqan]\n", encoding="utf-8")
    n = Normaliser(["default", path], default_table=False, phonetic="off")
    assert n.normalise("Taleqan Taliqan").text == "Taleqan Taloqan"


def test_check_reports_a_kept_form_nothing_touches(table_path):
    problems = check_tables([table_path])
    unused = [p for p in problems if p.kind == "unused-keep"]
    assert [p.line for p in unused] == []  # Modene sounds like Medina; Mohamed is a form
    extra = table_path.parent / "extra.yaml"
    extra.write_text("keep: [Zanzibar, Taleqan]\n", encoding="utf-8")
    problems = check_tables([table_path, extra])
    unused = [(p.file, p.line) for p in problems if p.kind == "unused-keep"]
    assert unused == [(str(extra), 1)]


def test_cli_keep_and_keep_file(tmp_path, capsys, table_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("Taleqan\n", encoding="utf-8")
    source = tmp_path / "in.txt"
    source.write_text("Taleqan Taliqan Qunduz\n", encoding="utf-8")
    base = ["--no-default-table", "--table", str(table_path), "--no-cache"]
    assert main([*base, "--keep-file", str(keep), "--keep", "qunduz", str(source)]) == 0
    assert capsys.readouterr().out == "Taleqan Taloqan Qunduz\n"
    assert main([*base, "--keep-file", str(tmp_path / "missing.txt"), str(source)]) == 2
    assert "missing.txt" in capsys.readouterr().err
    assert main(["explain", *base, "--keep", "Taleqan", "Taleqan", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["result"] == "Taleqan" and "kept" in record["reason"]
