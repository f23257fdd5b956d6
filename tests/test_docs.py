"""README.md documents every flag of the command and every field of the table and the log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from normalise.cli import COMMANDS, filter_parser, main
from normalise.log import RULES, Substitution

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "normalise" / "data" / "table.schema.json").read_text(
        encoding="utf-8"
    )
)


def _flags():
    for action in filter_parser()._actions:
        yield from (s for s in action.option_strings if s.startswith("--"))


@pytest.mark.parametrize("flag", sorted(set(_flags())))
def test_every_filter_flag_is_in_the_readme(flag):
    assert f"`{flag}" in README or f"{flag}`" in README or f" {flag} " in README


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_in_the_readme(command):
    assert f"normalise {command}" in README


#: The words that reach a sub-command's own options (import takes its source first).
_HELP = {"import": ["import", "geonames"]}


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"help"}))
def test_every_flag_of_every_command_is_in_the_readme(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*_HELP.get(command, [command]), "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    flags = set(re.findall(r"--[a-z][a-z0-9-]*[a-z0-9]", shown)) - {"--help"}
    assert flags, shown
    missing = [
        flag
        for flag in sorted(flags)
        if not any(f in README for f in (f"`{flag}", f"{flag}`", f" {flag} ", f", {flag}"))
    ]
    assert not missing, f"{command}: {missing}"


@pytest.mark.parametrize("field", [*SCHEMA["properties"], *SCHEMA["$defs"]["entry"]["properties"]])
def test_every_table_field_is_in_the_readme(field):
    assert f"| `{field}` |" in README


@pytest.mark.parametrize("field", [*Substitution._fields, "file", "line", "column", *sorted(RULES)])
def test_every_log_field_and_rule_is_in_the_readme(field):
    assert f"`{field}`" in README
