"""Polars integration: the same as :mod:`normalise.pandas` for a ``polars.Series`` of strings.

Nulls pass through; the records DataFrame has the row's position in column ``row``.
"""

from __future__ import annotations

from typing import Literal, overload

import polars as pl

from .log import Substitution
from .rewrite import Normaliser, default_normaliser

#: Polars types of the record fields that are not strings; every other field is a string, so a
#: field added to :class:`Substitution` becomes a column without a change here.
_NUMBERS = {
    "start": pl.Int64,
    "end": pl.Int64,
    "out_start": pl.Int64,
    "out_end": pl.Int64,
    "score": pl.Float64,
}
_SCHEMA = {
    "row": pl.Int64,
    **{name: _NUMBERS.get(name, pl.String) for name in Substitution._fields},
}


@overload
def normalise(
    series: pl.Series,
    normaliser: Normaliser | None = None,
    *,
    records: Literal[False] = False,
    jobs: int = 1,
) -> pl.Series: ...


@overload
def normalise(
    series: pl.Series,
    normaliser: Normaliser | None = None,
    *,
    records: Literal[True],
    jobs: int = 1,
) -> tuple[pl.Series, pl.DataFrame]: ...


def normalise(
    series: pl.Series,
    normaliser: Normaliser | None = None,
    *,
    records: bool = False,
    jobs: int = 1,
) -> pl.Series | tuple[pl.Series, pl.DataFrame]:
    """The Series of normalised texts (same name, nulls kept); with ``records=True``, the pair
    (texts, records DataFrame)."""
    if series.dtype not in (pl.String, pl.Null):
        raise TypeError(f"series {series.name!r}: expected strings, not {series.dtype}")
    normaliser = normaliser or default_normaliser()
    values = series.to_list()
    done = iter(normaliser.normalise_many([v for v in values if v is not None], jobs=jobs))
    out = [None if v is None else next(done) for v in values]
    texts = pl.Series(series.name, [None if r is None else r.text for r in out], dtype=pl.String)
    if not records:
        return texts
    rows = [(i, *sub) for i, r in enumerate(out) if r is not None for sub in r.substitutions]
    return texts, pl.DataFrame(rows, schema=_SCHEMA, orient="row")
