"""The table field ``phonetic: false``: only the listed forms of the entry match."""

from __future__ import annotations

from pathlib import Path

import pytest

from normalise import Normaliser, TableError, load_table

TABLE = """\
entries:
  - canonical: Sheberghan
    kind: place
    variants: [Shibirghan]
  - canonical: Kharkiv
    kind: place
    phonetic: false
    variants: [Kharkov]
"""


def _table(tmp_path: Path, text: str = TABLE) -> str:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_listed_forms_match_and_unseen_spellings_do_not(tmp_path):
    n = Normaliser(tables=[_table(tmp_path)], default_table=False)
    assert load_table(_table(tmp_path)).entry("Kharkiv").phonetic is False
    assert n.normalise("Kharkov").text == "Kharkiv"  # a listed form
    assert n.normalise("Kharkow and Kharkiw").text == "Kharkow and Kharkiw"  # never guessed
    # the matcher works for the rest (given evidence: a name of the table of the same region
    # of the world nearby; Kharkiv alone lies in another: held other-region)
    assert n.normalise("Kharkiv and Shebarghan").text == "Kharkiv and Shebarghan"
    assert n.normalise("Shibirghan and Shebarghan").text == "Sheberghan and Sheberghan"


def test_the_field_must_be_a_boolean(tmp_path):
    with pytest.raises(TableError, match="'phonetic' of 'Kharkiv' must be true or false"):
        load_table(_table(tmp_path, TABLE.replace("phonetic: false", "phonetic: maybe")))
