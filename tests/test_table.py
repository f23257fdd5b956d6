"""Table loading and validation: every bad-table case names its file and line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from normalise import Normaliser, TableError, bundled_tables, load_table, table_problems
from normalise.table import Entry, table_from_entries

HERE = Path(__file__).parent
BAD = sorted((HERE / "bad_tables").glob("*.yaml"))
SCHEMA = HERE.parent / "normalise" / "data" / "table.schema.json"


def _expectation(path: Path) -> tuple[int, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"# expect: (\d+): (.*)", first)
    assert match, f"{path.name} needs an '# expect: LINE: text' first line"
    return int(match.group(1)), match.group(2)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_table_is_reported_with_file_and_line(path):
    line, text = _expectation(path)
    with pytest.raises(TableError) as info:
        load_table(path)
    err = info.value
    assert err.file == str(path)
    assert err.line == line
    assert text in err.message
    assert str(err).startswith(f"{path}:{line}: ")
    assert "\n" not in str(err)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """entries:
  - canonical: Kunduz
    kind: place
    variants: [Kondoz, Qunduz]
"""


def test_conflict_between_tables_names_both_files(tmp_path):
    first = _write(tmp_path, "first.yaml", BASE)
    second = _write(
        tmp_path,
        "second.yaml",
        """entries:
  - canonical: Konduz
    kind: place
    variants: [Qunduz]
""",
    )
    with pytest.raises(TableError) as info:
        load_table(first, second)
    message = str(info.value)
    assert message.startswith(f"{second}:4: ")
    assert f"{first}:4" in message
    assert "override: true" in message


def test_override_takes_over_an_entry_and_its_forms(tmp_path):
    first = _write(
        tmp_path,
        "first.yaml",
        BASE
        + """  - canonical: Kondoz Province
    kind: place
    variants: [Qunduz Province]
""",
    )
    second = _write(
        tmp_path,
        "second.yaml",
        """entries:
  - canonical: Qunduz
    kind: place
    override: true
    variants: [Kunduz, Kondoz]
""",
    )
    table = load_table(first, second)
    assert [e.canonical for e in table.entries] == ["Kondoz Province", "Qunduz"]
    n = Normaliser(table=table, phonetic="off")
    assert n.normalise("Kunduz and Kondoz").text == "Qunduz and Qunduz"


def test_override_of_a_variant_only_removes_it_from_the_earlier_entry(tmp_path):
    first = _write(tmp_path, "first.yaml", BASE)
    second = _write(
        tmp_path,
        "second.yaml",
        """entries:
  - canonical: Konduz
    kind: place
    override: true
    variants: [Kondoz]
""",
    )
    table = load_table(first, second)
    assert table.entry("Kunduz").variants == ("Qunduz",)
    assert table.entry("Konduz").variants == ("Kondoz",)


def test_override_within_one_table_is_still_a_conflict_for_unrelated_forms(tmp_path):
    path = _write(
        tmp_path,
        "t.yaml",
        BASE
        + """  - canonical: Qunduz City
    kind: place
    variants: [Kondoz]
""",
    )
    with pytest.raises(TableError, match="also the variant 'Kondoz'"):
        load_table(path)


def test_case_sensitive_forms_clash_only_when_spelled_alike(tmp_path):
    path = _write(
        tmp_path,
        "t.yaml",
        """entries:
  - canonical: U.S.
    kind: abbreviation
    case_sensitive: true
    variants: [US]
  - canonical: Us Province
    kind: place
    case_sensitive: true
    variants: [Us]
""",
    )
    assert len(load_table(path)) == 2
    clash = _write(
        tmp_path,
        "clash.yaml",
        """entries:
  - canonical: U.S.
    kind: abbreviation
    case_sensitive: true
    variants: [US]
  - canonical: Usa
    kind: place
    variants: [us]
""",
    )
    with pytest.raises(TableError, match="line 5"):
        load_table(clash)


def test_all_problems_are_collected(tmp_path):
    path = _write(
        tmp_path,
        "t.yaml",
        """entries:
  - canonical: A1
    kind: nothing
    variants: [B1]
  - canonical: C1
    kind: place
    variants: [B1]
  - canonical: D1
    colour: red
    kind: place
    variants: []
""",
    )
    table, problems = table_problems([path])
    assert table is None
    assert [p.line for p in problems] == [3, 9, 7] or len(problems) >= 2
    with pytest.raises(TableError, match=r"more problems: run 'normalise check'"):
        load_table(path)


def test_missing_table_file_is_a_table_error(tmp_path):
    with pytest.raises(TableError) as info:
        load_table(tmp_path / "nope.yaml")
    assert "no such table file" in str(info.value)
    assert "en-US" in str(info.value) or "default" in str(info.value)


def test_table_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"entries:\n  - canonical: Kab\xfcl\n    kind: place\n    variants: []\n")
    with pytest.raises(TableError) as info:
        load_table(path)
    assert info.value.line == 2 and "UTF-8" in info.value.message


def test_flexible_spellings_are_generated():
    entry = Entry("Sar-e Pul", ("Sar-i-Pul",), "place", "flexible")
    assert set(entry.spellings("Sar-i-Pul")) == {
        "Sar i Pul",
        "Sar i-Pul",
        "Sar iPul",
        "Sar-i Pul",
        "Sar-i-Pul",
        "Sar-iPul",
        "Sari Pul",
        "Sari-Pul",
        "SariPul",
    }
    assert Entry("Kabul", (), "place", "flexible").spellings("Kabul") == ["Kabul"]
    assert Entry("Sar-e Pul", (), "place").spellings("Sar-e Pul") == ["Sar-e Pul"]


def test_table_from_entries_validates():
    table = table_from_entries([Entry("Kabul", ("Cabul",), "place")])
    assert len(table) == 1 and table.variant_count() == 1
    with pytest.raises(TableError, match="also the variant"):
        table_from_entries(
            [Entry("Kabul", ("Cabul",), "place"), Entry("Kaboul", ("Cabul",), "place")]
        )


def test_bundled_tables_are_named():
    tables = bundled_tables()
    assert "default" in tables
    assert tables["default"].is_file()


def test_default_table_loads_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = load_table()
    assert len(table) >= 200
    assert table.sources == ("default",)


@pytest.mark.parametrize(
    "path",
    [
        HERE.parent / "normalise" / "data" / "variants.yaml",
        HERE / "fixtures" / "core_table.yaml",
        *sorted((HERE.parent / "normalise" / "data" / "tables").glob("*.yaml")),
    ],
    ids=lambda p: p.name,
)
def test_tables_validate_against_the_json_schema(path):
    """The bundled tables read with libyaml's loader (the pure-Python one takes 5x as long on
    the 8,000-form spelling tables), as the package's own loader does."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    jsonschema.validate(yaml.load(path.read_text(encoding="utf-8"), Loader=loader), schema)


def test_schema_and_loader_agree_on_fields():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    from normalise.table import ENTRY_FIELDS, KINDS, TABLE_FIELDS

    assert set(schema["properties"]) == set(TABLE_FIELDS)
    entry = schema["$defs"]["entry"]
    assert set(entry["properties"]) == set(ENTRY_FIELDS)
    assert entry["properties"]["kind"]["enum"] == list(KINDS)
