"""The five seed reports in ../shared/seeds (reference material beside the repository):
normalised with the default table, each name of NOTES.md has one spelling, and each log
rebuilds its report exactly. Skipped cleanly where ../shared is absent (a user's clone)."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from conftest import run_main

from normalise import Normaliser, undo

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REPORTS = sorted(SEEDS.glob("[0-9]*.txt")) if SEEDS.is_dir() else []
pytestmark = pytest.mark.skipif(not REPORTS, reason="../shared/seeds is not beside the repo")

# Spellings named in NOTES.md, by the canonical form the default table gives them.
NOTES_VARIANTS = {
    "Taliban": ["Taleban", "taliban"],
    "Taloqan": ["Taliqan", "Taleqan"],
    "Sheberghan": ["Shibirghan", "Shebergan", "Shiberghan"],
    "Maimana": ["Maymana", "Meymaneh"],
    "Kunduz": ["Qunduz", "Kondoz", "Konduz"],
    "Jowzjan": ["Jawzjan"],
    "Nimruz": ["Nimroz"],
    "Zaranj": ["Zarang"],
    "Lashkar Gah": ["Lashkargah"],
    "Kandahar": ["Qandahar"],
}


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(phonetic="off")


def _words(text: str) -> set[str]:
    return set(regex.findall(r"[\w\p{M}]+(?:[-\s][\w\p{M}]+)?", text)) | set(
        regex.findall(r"[\w\p{M}]+", text)
    )


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name[:3])
def test_report_uses_one_spelling_per_name_and_log_rebuilds_it(path, normaliser):
    text = path.read_text(encoding="utf-8")
    result = normaliser.normalise(text)
    assert undo(result.text, result.substitutions) == text
    words = _words(result.text)
    for canonical, variants in NOTES_VARIANTS.items():
        for variant in variants:
            assert variant not in words, f"{variant} left in {path.name} ({canonical})"


def test_variants_in_notes_map_to_their_canonical_forms(normaliser):
    for canonical, variants in NOTES_VARIANTS.items():
        for variant in variants:
            assert normaliser.normalise(variant).text == canonical, variant
    for variant in ("Sar-i-Pul", "Sar-e Pul", "Sar-e Pol", "Sari Pul"):
        assert normaliser.normalise(variant).text == normaliser.normalise("Sar-e Pul").text


def test_names_the_reports_spell_differently_are_reconciled(normaliser):
    """Across all five reports, the Taloqan and Taliban families end up in one spelling."""
    out = " ".join(normaliser.normalise(p.read_text(encoding="utf-8")).text for p in REPORTS)
    for family in (["Taloqan", "Taliqan", "Taleqan"], ["Taliban", "Taleban"]):
        used = {w for w in family if regex.search(rf"\b{w}\b", out)}
        assert len(used) == 1, used


def test_cli_log_rebuilds_every_report_byte_for_byte(tmp_path):
    """Through the command's entry point (in this process: conftest.run_main)."""
    log = tmp_path / "log.jsonl"
    for path in REPORTS:
        out = tmp_path / "out.txt"
        written = run_main([path, "-o", out, "--log", log], tmp_path)
        assert written.returncode == 0, written.stderr
        back = run_main(["undo", "--log", log, out], tmp_path)
        assert back.returncode == 0, back.stderr
        assert back.stdout == path.read_bytes()
