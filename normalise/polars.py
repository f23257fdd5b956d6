"""Polars integration: the same as :mod:`normalise.pandas` for a ``polars.Series`` of strings.

Nulls pass through; the records DataFrame has the row's position in column ``row``.
"""

from __future__ import annotations

import polars as pl

from .log import Substitution
from .rewrite import Normaliser

_SCHEMA = {"row": pl.Int64, "original": pl.String, "replacement": pl.String,
           "start": pl.Int64, "end": pl.Int64, "out_start": pl.Int64, "out_end": pl.Int64,
           "rule": pl.String, "entry": pl.String, "score": pl.Float64, "note": pl.String,
           "held": pl.String}  # held: issue 15's field of Substitution
assert list(_SCHEMA)[1:] == list(Substitution._fields)

_DEFAULT: Normaliser | None = None


def default_normaliser() -> Normaliser:
    """``Normaliser.cached()``, built once per process (pandas need not be installed)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Normaliser.cached()
    return _DEFAULT


def normalise(series: pl.Series, normaliser: Normaliser | None = None, *,
              records: bool = False, jobs: int = 1):
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
