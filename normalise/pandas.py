"""pandas integration: a Series of texts to a Series of normalised texts and, on request, a
DataFrame of substitution records keyed by the row's index label.

Missing values (``None``, ``NaN``, ``pd.NA``) pass through as they are and have no records;
any other value that is not a string is an error naming its row. Importing this module also
registers the accessor ``Series.normalise``::

    import normalise.pandas
    texts = series.normalise.text()          # or normalise.pandas.normalise(series)
    log = series.normalise.records()         # or normalise(series, records=True)[1]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

import pandas as pd

from .log import Substitution
from .rewrite import Normaliser, Result, default_normaliser

#: Columns of a records DataFrame after the row's label (``row``, or the index's name).
RECORD_COLUMNS = list(Substitution._fields)


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA: a scalar pandas counts as missing."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array is no missing scalar
        return False


def results(
    values: Iterable[Any], labels: Iterable[Any], normaliser: Normaliser, jobs: int = 1
) -> list[Result | None]:
    """A Result per value (None for a missing one); a value that is neither a string nor
    missing raises TypeError naming its row label."""
    values = list(values)
    texts: list[str] = []
    for label, value in zip(labels, values, strict=False):
        if isinstance(value, str):
            texts.append(value)
        elif not is_missing(value):
            raise TypeError(
                f"row {label!r}: expected a string or a missing value, not {type(value).__name__}"
            )
    done = iter(normaliser.normalise_many(texts, jobs=jobs))
    return [next(done) if isinstance(value, str) else None for value in values]


def records_frame(pairs: Iterable[tuple[Any, Result | None]], label: str = "row") -> pd.DataFrame:
    """One row per substitution: the row's label in column ``label``, then
    :data:`RECORD_COLUMNS` (``note`` is None where there is nothing to say)."""
    rows = [
        (key, *sub) for key, result in pairs if result is not None for sub in result.substitutions
    ]
    frame = pd.DataFrame.from_records(rows, columns=[label, *RECORD_COLUMNS])
    typed: pd.DataFrame = frame.astype(
        {
            "start": "int64",
            "end": "int64",
            "out_start": "int64",
            "out_end": "int64",
            "score": "float64",
        }
    )
    return typed


@overload
def normalise(
    series: pd.Series[Any],
    normaliser: Normaliser | None = None,
    *,
    records: Literal[False] = False,
    jobs: int = 1,
) -> pd.Series[Any]: ...


@overload
def normalise(
    series: pd.Series[Any],
    normaliser: Normaliser | None = None,
    *,
    records: Literal[True],
    jobs: int = 1,
) -> tuple[pd.Series[Any], pd.DataFrame]: ...


def normalise(
    series: pd.Series[Any],
    normaliser: Normaliser | None = None,
    *,
    records: bool = False,
    jobs: int = 1,
) -> pd.Series[Any] | tuple[pd.Series[Any], pd.DataFrame]:
    """The Series of normalised texts (same index, name; missing values kept); with
    ``records=True``, the pair (texts, records DataFrame). ``jobs`` > 1 normalises in that
    many processes (:meth:`~normalise.Normaliser.normalise_many`)."""
    normaliser = normaliser or default_normaliser()
    done = results(series.array, series.index, normaliser, jobs)
    texts: pd.Series[Any] = pd.Series(
        [series.iloc[i] if r is None else r.text for i, r in enumerate(done)],
        index=series.index,
        name=series.name,
        dtype=series.dtype,
    )
    if not records:
        return texts
    label = str(series.index.name or "row")
    return texts, records_frame(zip(series.index, done, strict=False), label)


@pd.api.extensions.register_series_accessor("normalise")
class NormaliseAccessor:
    """``series.normalise.text()`` and ``series.normalise.records()``; both take an optional
    Normaliser (the default one otherwise)."""

    def __init__(self, series: pd.Series[Any]) -> None:
        self._series = series

    def text(self, normaliser: Normaliser | None = None, *, jobs: int = 1) -> pd.Series[Any]:
        return normalise(self._series, normaliser, jobs=jobs)

    def records(self, normaliser: Normaliser | None = None, *, jobs: int = 1) -> pd.DataFrame:
        return normalise(self._series, normaliser, records=True, jobs=jobs)[1]

    def both(
        self, normaliser: Normaliser | None = None, *, jobs: int = 1
    ) -> tuple[pd.Series[Any], pd.DataFrame]:
        """Texts and records from one pass over the Series."""
        return normalise(self._series, normaliser, records=True, jobs=jobs)
