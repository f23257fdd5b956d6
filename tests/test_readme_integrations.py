"""The Python blocks of README's Integrations section run as written (issue 18); Dask's
local scheduler is set to run in this process, where its default would start processes
(seconds, for two texts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Integrations") : README.index("## The phonetic matcher")]
BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, re.DOTALL)


def test_every_integration_has_a_block():
    assert len(BLOCKS) == 4
    for name in ("spacy", "pandas", "datasets", "dask"):
        assert any(f"import {name}" in b for b in BLOCKS), name


@pytest.mark.parametrize("block", BLOCKS, ids=["spacy", "pandas", "datasets", "dask"])
def test_readme_block_runs(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    import dask

    with dask.config.set(scheduler="synchronous"):
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


def test_every_dask_flag_is_in_the_readme():
    from normalise.dask import parser

    for action in parser()._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in SECTION or f"{flag}`" in SECTION or f", {flag}" in SECTION, (
                    flag
                )
