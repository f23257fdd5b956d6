"""``normalise export``: each file is read back with the grammar of its format.

The Solr synonym grammar, as documented for Lucene's SolrSynonymParser (the parser of Solr's
SynonymGraphFilterFactory and of the Elasticsearch/OpenSearch synonym filters, format
``solr``): a line that is empty or starts with ``#`` is a comment; a line is split on ``=>``
(more than one arrow is an error) and each side on ``,``; while splitting, a backslash keeps
the next character from being read as a separator; each item is then unescaped (a backslash
and the character after it become that character) and trimmed, and empty items are dropped.
Explicit rules map every left item to the right items; equivalence rules (no arrow) make the
items one group. The parser below is written from that description, not from our exporter.
No Solr or OpenSearch analyser could be installed here (they are not on PyPI or Debian), so
the real engines are not run.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from normalise import load_table
from normalise.cli import main
from normalise.export import escape, export, export_parser, spellings
from normalise.scan import match_key

TRICKY = """\
entries:
  - canonical: Taloqan
    kind: place
    variants: [Taleqan, Taliqan]
  - canonical: Mazar-i-Sharif
    kind: place
    separators: flexible
    variants: [Mazar-e Sharif]
  - canonical: "Comma, Inc"
    kind: organisation
    variants: ["Comma Inc\\\\ltd", "A=>B Group", "#Hash Co"]
  - canonical: U.S.
    kind: abbreviation
    case_sensitive: true
    variants: [US]
  - canonical: Herat
    kind: place
    variants: []
"""


def _split(text: str, separator: str) -> list[str]:
    """SolrSynonymParser.split: separators not after a backslash; the backslash is kept."""
    items, current, pos = [], [], 0
    while pos < len(text):
        if text.startswith(separator, pos):
            if current:
                items.append("".join(current))
                current = []
            pos += len(separator)
            continue
        char = text[pos]
        pos += 1
        if char == "\\":
            current.append(char)
            if pos >= len(text):
                break
            char = text[pos]
            pos += 1
        current.append(char)
    if current:
        items.append("".join(current))
    return items


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i < len(text) - 1:
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out)


def parse_solr(text: str) -> list[tuple[list[str], list[str] | None]]:
    """(left items, right items or None for an equivalence rule) per rule."""
    rules = []
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        sides = _split(line, "=>")
        if len(sides) > 2:
            raise ValueError("more than one explicit mapping specified on the same line")
        items = [
            [i for i in (_unescape(s).strip() for s in _split(side, ",")) if i] for side in sides
        ]
        rules.append((items[0], items[1] if len(items) == 2 else None))
    return rules


def _tricky(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.yaml"
    path.write_text(TRICKY, encoding="utf-8")
    return path


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(err):
        status = main(["export", *argv])
        stdout.flush()
    return status, out.getvalue().decode("utf-8"), err.getvalue()


@pytest.mark.parametrize("table", ["default", "tricky"])
def test_explicit_rules_read_back_to_the_table(tmp_path, table):
    source = str(_tricky(tmp_path)) if table == "tricky" else "default"
    entries = [e for e in load_table(source).entries if not e.case_sensitive]
    rules = parse_solr(export(entries, "solr", "explicit"))
    expected = [e for e in entries if len(spellings(e)) > 1]
    assert len(rules) == len(expected)
    for (left, right), entry in zip(rules, expected, strict=False):
        assert right == [entry.canonical]
        assert left == spellings(entry)[1:]
        for variant in entry.variants:  # every variant of the table is there
            assert match_key(variant) in {match_key(f) for f in left}


def test_equivalence_rules_read_back_as_groups(tmp_path):
    entries = [e for e in load_table(str(_tricky(tmp_path))).entries if not e.case_sensitive]
    rules = parse_solr(export(entries, "solr", "equivalence"))
    assert [right for _, right in rules] == [None] * len(rules)
    groups = {left[0]: left for left, _ in rules}
    assert groups["Comma, Inc"] == ["Comma, Inc", "Comma Inc\\ltd", "A=>B Group", "#Hash Co"]
    mazar = groups["Mazar-i-Sharif"]  # flexible: 9 spellings of each of two forms
    assert len(mazar) == len(set(mazar)) == 18
    assert {"Mazar i Sharif", "MazariSharif", "Mazar-e Sharif", "Mazar e Sharif"} <= set(mazar)
    assert "Herat" not in groups  # an entry with no other spelling has no rule


def test_special_characters_are_escaped():
    assert escape("A, B") == "A\\, B"
    assert escape("a\\b") == "a\\\\b"
    assert escape("x=>y") == "x\\=>y"
    assert escape("#tag") == "\\#tag"
    assert escape("two\twords") == "two words"
    for form in ("A, B", "a\\b", "x=>y", "#tag", "plain"):
        assert parse_solr(escape(form)) == [([form], None)]


def test_case_sensitive_entries_go_to_their_own_file(tmp_path):
    table = str(_tricky(tmp_path))
    status, out, err = _run(table)
    assert status == 0 and "1 case-sensitive entries left out" in err
    assert "U.S." not in out
    status, out, _ = _run(
        table, "--case-sensitive-output", str(tmp_path / "cs.txt"), "-o", str(tmp_path / "syn.txt")
    )
    assert status == 0 and out == ""
    assert parse_solr((tmp_path / "cs.txt").read_text("utf-8")) == [(["US"], ["U.S."])]
    rules = parse_solr((tmp_path / "syn.txt").read_text("utf-8"))
    assert (["Taleqan", "Taliqan"], ["Taloqan"]) in rules


def test_json_lines_give_form_canonical_and_kind(tmp_path):
    status, out, _ = _run(str(_tricky(tmp_path)), "--format", "jsonl")
    assert status == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert {
        "form": "Taliqan",
        "canonical": "Taloqan",
        "kind": "place",
        "case_sensitive": False,
    } in records
    assert {
        "form": "US",
        "canonical": "U.S.",
        "kind": "abbreviation",
        "case_sensitive": True,
    } in records
    assert {
        "form": "Herat",
        "canonical": "Herat",
        "kind": "place",
        "case_sensitive": False,
    } in records
    forms = {(r["form"], r["canonical"]) for r in records}
    for entry in load_table(str(_tricky(tmp_path))).entries:
        for variant in entry.variants:
            assert (variant, entry.canonical) in forms


def test_a_bad_table_is_one_line_and_status_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - canonical: X\n", encoding="utf-8")
    status, _, err = _run(str(bad), "-o", str(tmp_path / "out.txt"))
    assert status == 2 and "bad.yaml:2" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize(
    "flag",
    sorted(
        {
            s
            for a in export_parser()._actions
            for s in a.option_strings
            if s.startswith("--") and s != "--help"
        }
    ),
)
def test_every_export_flag_is_in_the_readme(flag):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "normalise export" in readme and f"`{flag}" in readme
