"""What one table hit costs, inside ASCII and outside it (issue 17).

Why: a workload's figure mixes the scan's walk, the per-hit path and the text between hits;
a hit outside ASCII (più, Łódź, Москва) took another verification and casing path than an
ASCII one. This takes the verified hits of a workload of ``heldback.py`` (the spans as the
text has them), writes them one after another, a space between, into one text per class
(ASCII spans, spans outside ASCII), a word that is no hit before each, and times on each text the compiled ``Trie.scan`` and
the table-only pass (``normalise_many``, a fresh unpickled normaliser each run, as
``bench.py``, less the same on a text of one short line: what a fresh normaliser's first
pass costs whatever its hits): CPU time, best of ``--repeat``, per hit. Each text holds
``--hits`` hits (the found spans over and over), nearly all of its cost, so the two classes'
figures compare the per-hit paths.

    python benchmarks/hit_cost.py --workload fortunes-it --variants 100000
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench
import heldback

from normalise import Normaliser, core

#: Spans a line of the texts written (short lines, as the fortunes have).
PER_LINE = 6
#: The word before each span: no table's form (the hits are counted on the text).
FILLER = "qzx"


def spans_by_class(normaliser: Normaliser, chunks: list[str]) -> dict[str, list[str]]:
    """The verified hits' spans of ``chunks``, ASCII ones and the others."""
    scanner = normaliser.compiled.scanner
    found: dict[str, list[str]] = {"ASCII": [], "outside ASCII": []}
    for chunk in chunks:
        for hit in scanner.scan(chunk):
            span = chunk[hit.start : hit.end]
            found["ASCII" if span.isascii() else "outside ASCII"].append(span)
    return found


def written(spans: list[str], total: int) -> str:
    """``total`` spans, the found ones over and over in their order, ``PER_LINE`` a line,
    each after a word that is no hit (so that no two hits touch, as in text)."""
    spans = [spans[i % len(spans)] for i in range(total)]
    lines = [
        " ".join(f"{FILLER} {span}" for span in spans[i : i + PER_LINE])
        for i in range(0, len(spans), PER_LINE)
    ]
    return "\n".join(lines) + "\n"


def best(work, repeat: int) -> float:
    """The least CPU time of ``repeat`` runs of ``work`` (its own set-up untimed)."""
    times = []
    for _ in range(repeat):
        run = work()
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="fortunes-it", choices=sorted(heldback.WORKLOADS))
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--hits", type=int, default=20_000)
    args = parser.parse_args(argv)
    path, tables = heldback.WORKLOADS[args.workload][1](args.seed)
    chunks = bench.read_chunks(path)
    normaliser = Normaliser(table=tables[args.variants].table, phonetic="off")
    fresh = pickle.dumps(normaliser)
    scanner = normaliser.compiled.scanner
    load = os.getloadavg()[0]
    print(f"{args.workload}, {args.variants:,} variants, core {core.selected()}, load {load:.2f}")

    def table_pass(text: str):
        fresh_normaliser = pickle.loads(fresh)
        return lambda: list(fresh_normaliser.normalise_many([text]))

    fixed = best(lambda: table_pass("x\n"), args.repeat)
    print(f"a fresh normaliser's first pass of one line: {fixed * 1e3:.2f} ms")
    print("| hits | found | in the text | scan µs/hit | table-only pass µs/hit |")
    print("|---|---:|---:|---:|---:|")
    for name, spans in spans_by_class(normaliser, chunks).items():
        if not spans:
            continue
        text = written(spans, args.hits)
        hits = len(scanner.scan(text))
        scan = best(lambda text=text: lambda: scanner.scan(text), args.repeat)
        whole = best(lambda text=text: table_pass(text), args.repeat) - fixed
        print(
            f"| {name} | {len(spans):,} | {hits:,} | {scan / hits * 1e6:.3f} "
            f"| {whole / hits * 1e6:.3f} |"
        )
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
