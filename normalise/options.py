"""The normaliser's options, in one frozen value checked once.

Why: the same options shape the build (tables, matcher thresholds, kept forms), the cache key,
the pickled state, ``suggest`` and the command line; spelled out in each, they drift. One
:class:`Options` (ftfy's ``TextFixerConfig`` is the model) is made once, validated in its
constructor, and changed only by :meth:`Options.replace`, which validates again.

Tables: ``tables`` names table files or bundled tables, loaded after the bundled default
table unless ``default_table=False``; ``table`` is a table already built (a
:class:`~normalise.table.Table`), used as the whole table: it takes the place of the files
and of the default table. Giving both ``tables`` and ``table`` is an error, never a silent
choice of one.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .evidence import GIVEN_NAME_POLICIES
from .keep import check_form
from .table import TableSource, as_sources

if TYPE_CHECKING:
    from .table import Table

#: The phonetic matcher's modes: off, suggest (log candidates, change nothing), apply.
PHONETIC_MODES = ("off", "suggest", "apply")
#: The phonetic matcher's defaults (:mod:`normalise.phonetic`), here so that the command's
#: help names them without importing the matcher (a run with ``--phonetic off`` never does).
DEFAULT_MIN_SCORE: float = 0.86
DEFAULT_MARGIN: float = 0.12


@dataclass(frozen=True)
class Options:
    """What a :class:`~normalise.Normaliser` is built with (see the module docstring)."""

    #: table files or bundled table names, in order (later ones override earlier entries)
    tables: tuple[TableSource, ...] = ()
    #: load the bundled default table first
    default_table: bool = True
    #: the phonetic matcher: "off", "suggest" or "apply"
    phonetic: str = "apply"
    #: lowest phonetic score that may rewrite (None: the matcher's default)
    min_score: float | None = None
    #: how far the best entry must beat the next (None: the matcher's default)
    margin: float | None = None
    #: a table already built, used as the whole table (instead of ``tables``)
    table: Table | None = dataclasses.field(default=None, compare=False, repr=False)
    #: forms never rewritten
    keep: tuple[str, ...] = ()
    #: given names rewritten only standing "alone" (not inside a full name), or "always"
    given_names: str = "alone"

    def __post_init__(self) -> None:
        if self.phonetic not in PHONETIC_MODES:
            raise ValueError(f"phonetic must be one of {PHONETIC_MODES}, not {self.phonetic!r}")
        for name, value in (("min_score", self.min_score), ("margin", self.margin)):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        if self.given_names not in GIVEN_NAME_POLICIES:
            raise ValueError(
                f"given_names must be one of {GIVEN_NAME_POLICIES}, not {self.given_names!r}"
            )
        if isinstance(self.keep, str):
            raise TypeError("keep takes an iterable of forms, not one string")
        tables = tuple(as_sources(self.tables))
        if self.table is not None and tables:
            raise ValueError("give the tables as files (tables=) or built (table=), not both")
        object.__setattr__(self, "tables", tables)
        object.__setattr__(self, "keep", tuple(map(check_form, self.keep)))

    def replace(self, **changes: Any) -> Options:
        """A copy with ``changes``, validated as a new one is."""
        return dataclasses.replace(self, **changes)

    @property
    def sources(self) -> list[TableSource]:
        """The table sources loaded, in order: the default table (when used) and ``tables``
        (none when ``table`` is given)."""
        if self.table is not None:
            return []
        return (["default"] if self.default_table else []) + list(self.tables)

    def cache_key(self) -> tuple[Any, ...]:
        """What of the options the cache key needs besides the table files' bytes: the
        sources as given and every option that shapes the build or the passes."""
        return (
            [os.fspath(s) if isinstance(s, os.PathLike) else s for s in self.sources],
            self.phonetic,
            self.min_score,
            self.margin,
            list(self.keep),
            self.given_names,
        )

    @classmethod
    def of(cls, options: Options | None = None, **given: Any) -> Options:
        """``options``, or new options from keyword arguments; both given: ``options``
        with those changed."""
        if options is None:
            return cls(**given)
        return options.replace(**given) if given else options
