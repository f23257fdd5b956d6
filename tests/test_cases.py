"""Golden cases: tests/cases/*.yaml, one parametrised test; anyone can add a case as data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from normalise import Normaliser, undo

HERE = Path(__file__).parent
CASE_FILES = sorted((HERE / "cases").glob("*.yaml"))


def _cases():
    for path in CASE_FILES:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            marks = (
                [pytest.mark.xfail(strict=True, reason=case.get("comment", ""))]
                if case.get("expect", "pass") == "fail"
                else []
            )
            yield pytest.param(case, id=f"{path.stem}: {case['label']}", marks=marks)


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser([HERE / "fixtures" / "core_table.yaml"], default_table=False, phonetic="off")


@pytest.mark.parametrize("case", list(_cases()))
def test_case(case, normaliser):
    result = normaliser.normalise(case["input"])
    assert result.text == case["expected"]
    assert undo(result.text, result.substitutions) == case["input"]
