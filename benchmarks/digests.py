"""Digests of what the normaliser writes, to prove a refactoring changes no byte (issue 19).

For each input and mode it prints the sha256 of the output text and of the log records (one
JSON line per substitution, as ``normalise.log.dumps`` writes them): the same digests before
and after a change mean the same text and the same records.

Inputs: the five reference reports (``../shared/seeds/*.txt``, left out when absent), the
project's ``seeds/``, the generated benchmark corpus (bench.py's recipe, seed 7, 1 MB, the
10,000-variant table) and the dense King James workload (when the ``bible`` program of
Debian's bible-kjv is installed). Modes: the default normaliser (``Normaliser()``, phonetic
apply), ``phonetic="suggest"`` and table only (``phonetic="off"``); the command line
(``normalise --log``) on the seed reports.

Run: ``nice python benchmarks/digests.py`` (about a minute); compare with
``benchmarks/results/digests.md``, or let ``--compare benchmarks/results/digests.md`` do it:
it says which library rows differ and exits 1 if any does (the CLI rows name temporary paths
in their records, so they are printed, not compared).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench

from normalise import Normaliser
from normalise.log import dumps

SHARED = ROOT.parent / "shared" / "seeds"
#: The generated corpus: bench.py's recipe at this seed and size, with this table size.
SEED = 7
SIZE_MB = 1
VARIANTS = 10_000
MODES = ("apply", "suggest", "off")


def _digest(texts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def run(normaliser: Normaliser, chunks: list[str]) -> tuple[str, str, int]:
    """Digests of the output text and of the records, and the number of records."""
    results = list(normaliser.normalise_many(chunks))
    lines = [dumps(s.to_dict()) + "\n" for r in results for s in r.substitutions]
    return _digest(r.text for r in results), _digest(lines), len(lines)


def seed_files() -> list[Path]:
    shared = sorted(SHARED.glob("*.txt")) if SHARED.is_dir() else []
    return shared + sorted((ROOT / "seeds").glob("*.txt"))


def cli_digests(files: list[Path]) -> list[tuple[str, str, str, int]]:
    """The command line on each file: output and log bytes."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            out, log = Path(tmp) / "out.txt", Path(tmp) / "log.jsonl"
            subprocess.run(
                [sys.executable, "-m", "normalise", str(path), "-o", str(out), "--log", str(log)],
                check=True,
                cwd=ROOT,
            )
            data = log.read_bytes()
            rows.append(
                (
                    path.name,
                    hashlib.sha256(out.read_bytes()).hexdigest()[:16],
                    hashlib.sha256(data).hexdigest()[:16],
                    data.count(b"\n"),
                )
            )
    return rows


def recorded_rows(path: Path) -> dict[tuple[str, str], str]:
    """The library rows of a recorded digests table: (input, mode) -> the whole row."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1] in MODES:
            rows.setdefault((cells[0], cells[1]), line.strip())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="FILE",
        help="a recorded table (results/digests.md): exit 1 if a library row differs",
    )
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str, str, int]] = []
    files = seed_files()
    for mode in MODES:
        normaliser = Normaliser(phonetic=mode)
        for path in files:
            text = path.read_text(encoding="utf-8")
            rows.append((path.name, mode, *run(normaliser, [text])))
    bench.DATA.mkdir(parents=True, exist_ok=True)
    tables = bench.build_tables((bench.TABLE_SIZES[0], VARIANTS))
    inject = sorted(tables[bench.TABLE_SIZES[0]].pairs)
    chunks = bench.read_chunks(bench.corpus(SIZE_MB, SEED, inject))
    for mode in MODES:
        normaliser = Normaliser(table=tables[VARIANTS].table, phonetic=mode)
        rows.append((f"generated {SIZE_MB} MB s{SEED}", mode, *run(normaliser, chunks)))
    if shutil.which("bible"):
        verses = bench.kjv_verses()
        dense = bench.build_dense_tables(verses, (bench.TABLE_SIZES[0], VARIANTS))
        inject = sorted(v for e in dense[bench.TABLE_SIZES[0]].table.entries for v in e.variants)
        chunks = bench.read_chunks(bench.dense_corpus(verses, SEED, inject))
        for mode in MODES:
            normaliser = Normaliser(table=dense[VARIANTS].table, phonetic=mode)
            rows.append((f"dense KJV s{SEED}", mode, *run(normaliser, chunks)))
    print("| input | mode | text sha256 | records sha256 | records |")
    print("|---|---|---|---|---:|")
    for name, mode, text, records, count in rows:
        print(f"| {name} | {mode} | {text} | {records} | {count} |")
    for name, out, log, count in cli_digests(files):
        print(f"| {name} | CLI | {out} | {log} | {count} |")
    if args.compare is None:
        return 0
    recorded = recorded_rows(args.compare)
    differ = 0
    for name, mode, text, records, count in rows:
        row = f"| {name} | {mode} | {text} | {records} | {count} |"
        if recorded.get((name, mode)) != row:
            differ += 1
            print(f"digests.py: differs from {args.compare}: {row}", file=sys.stderr)
    print(
        f"digests.py: {len(rows) - differ} of {len(rows)} library rows as recorded", file=sys.stderr
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
