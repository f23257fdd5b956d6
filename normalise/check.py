"""``normalise check``: every problem of a set of tables, with file, line and entry."""

from __future__ import annotations

from typing import Sequence

from .table import Problem, TableSource, table_problems


def check_tables(sources: Sequence[TableSource]) -> list[Problem]:
    """Validate tables loaded together, in order; return the problems (empty when clean)."""
    _table, problems = table_problems(sources)
    return problems
