"""pandas and Polars (issue 18): texts and records in two calls, missing values kept."""

from __future__ import annotations

import math

import pandas as pd  # in the test extra: CI runs these tests, none skipped
import polars as pl
import pytest

import normalise.pandas as npd
import normalise.polars as npl
from normalise import Normaliser, undo
from normalise.log import Substitution

VALUES = [
    "Taleban units reached Taliqan.",
    None,
    float("nan"),
    "Nothing to do.",
    pd.NA,
    "Qunduz, then Mazar-e-Sharif.",
    "",
]


@pytest.fixture(scope="module")
def n() -> Normaliser:
    return Normaliser()


def test_texts_and_records_with_missing_values(n):
    series = pd.Series(
        VALUES * 1500,
        dtype=object,
        name="body",
        index=pd.Index([f"d{i}" for i in range(len(VALUES) * 1500)], name="doc"),
    )
    texts, records = npd.normalise(series, n, records=True)
    assert texts.index.equals(series.index) and texts.name == "body"
    assert texts.iloc[0] == "Taliban units reached Taloqan."
    assert texts.iloc[1] is None and math.isnan(texts.iloc[2]) and texts.iloc[4] is pd.NA
    assert texts.iloc[6] == ""
    assert list(records.columns) == ["doc", *Substitution._fields]
    assert len(records) == 4 * 1500
    first = records[records["doc"] == "d5"]
    assert first["original"].tolist() == ["Qunduz", "Mazar-e-Sharif"]
    for label, rows in records[records["doc"].isin(series.index[:70])].groupby("doc"):
        subs = [Substitution(*row[1:]) for row in rows.itertuples(index=False)]
        assert undo(texts[label], subs) == series[label]


def test_string_dtype_and_accessor(n):
    series = pd.Series(["Qunduz", None, "Taleban"], dtype="string")
    texts = series.normalise.text(n)
    assert texts.dtype == series.dtype
    assert texts.tolist() == ["Kunduz", pd.NA, "Taliban"]
    records = series.normalise.records(n)
    assert records["row"].tolist() == [0, 2]
    both = series.normalise.both(n)
    assert both[0].equals(texts) and both[1].equals(records)


def test_empty_series_and_no_records(n):
    texts, records = npd.normalise(pd.Series([], dtype=object), n, records=True)
    assert texts.empty and records.empty
    assert list(records.columns) == ["row", *Substitution._fields]


def test_a_value_that_is_not_text_names_its_row(n):
    with pytest.raises(TypeError, match="row 'b': expected a string"):
        npd.normalise(pd.Series(["Qunduz", 3], index=["a", "b"]), n)


def test_polars_series(n):
    series = pl.Series("body", [v if isinstance(v, str) else None for v in VALUES])
    texts, records = npl.normalise(series, n, records=True)
    assert texts.name == "body" and texts.dtype == pl.String
    assert texts.to_list()[:3] == ["Taliban units reached Taloqan.", None, None]
    assert records["row"].to_list() == [0, 0, 5, 5]
    assert records.columns == ["row", *Substitution._fields]
    assert npl.normalise(series, n).equals(texts)
    with pytest.raises(TypeError, match="expected strings"):
        npl.normalise(pl.Series("x", [1, 2]), n)
