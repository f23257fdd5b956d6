"""README.md documents every flag of the command and every field of the table and the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalise.cli import filter_parser
from normalise.log import RULES, Substitution

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "normalise" / "data"
                     / "table.schema.json").read_text(encoding="utf-8"))


def _flags():
    for action in filter_parser()._actions:
        yield from (s for s in action.option_strings if s.startswith("--"))


@pytest.mark.parametrize("flag", sorted(set(_flags())))
def test_every_filter_flag_is_in_the_readme(flag):
    assert f"`{flag}" in README or f"{flag}`" in README or f" {flag} " in README


@pytest.mark.parametrize("command", ["undo", "explain", "check", "suggest"])
def test_every_command_is_in_the_readme(command):
    assert f"normalise {command}" in README


@pytest.mark.parametrize("field", [*SCHEMA["properties"], *SCHEMA["$defs"]["entry"]["properties"]])
def test_every_table_field_is_in_the_readme(field):
    assert f"| `{field}` |" in README


@pytest.mark.parametrize("field", [*Substitution._fields, "file", "line", "column", *sorted(RULES)])
def test_every_log_field_and_rule_is_in_the_readme(field):
    assert f"`{field}`" in README
