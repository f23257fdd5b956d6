"""Where ``phonetic="apply"`` spends its time beyond table-only (issue 15).

Why: apply must stay within 2x table-only on the benchmark corpus; this says which part of the
apply path the extra goes to (the screen and the decisions of distinct name tokens, the token
finder, the weighing of evidence, the settling check, the rest). On the generated corpus of
``bench.py`` (``--workload generated``) or its dense KJV workload (the default): CPU time of
``normalise_many``, best of ``--repeat`` runs, each on a fresh unpickled normaliser (so the
matcher decides every distinct token afresh) with the English frequency cache emptied, as
``bench.py`` measures; then one cProfile run of apply. ``--warm`` also times a second run on
the same normaliser (every distinct token decided already: the per-chunk apply path alone) and
profiles that run.

    python benchmarks/profile_apply.py                          # dense KJV, 1,000 variants
    python benchmarks/profile_apply.py --variants 10000         # padded with GeoNames entries
    python benchmarks/profile_apply.py --workload generated --variants 10000 --no-profile
    python benchmarks/profile_apply.py --warm --top 20              # the per-chunk path
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pickle
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

from normalise import Normaliser
from normalise.core import selected
from normalise.phonetic import english_zipf


def workload(name: str, size: int, seed: int) -> tuple[list[str], object]:
    """The chunks and the table of ``size`` variants of a workload of ``bench.py``."""
    bench.DATA.mkdir(parents=True, exist_ok=True)
    sizes = tuple(sorted({1000, size}))
    if name == "dense":
        verses = bench.kjv_verses()
        tables = bench.build_dense_tables(verses, sizes)
        inject = sorted(v for e in tables[1000].table.entries for v in e.variants)
        return bench.read_chunks(bench.dense_corpus(verses, seed, inject)), tables[size].table
    tables = bench.build_tables(sizes)
    inject = sorted(v for e in tables[1000].table.entries for v in e.variants)
    return bench.read_chunks(bench.corpus(10, seed, inject)), tables[size].table


def run_time(blob: bytes, chunks: list[str], warm: bool = False) -> tuple[float, float]:
    """CPU time of one run on a fresh normaliser, no frequency cached (as ``bench.py``),
    and with ``warm`` of a second run on the same normaliser (its decisions all made: what
    the per-chunk apply path costs by itself), else 0."""
    normaliser = pickle.loads(blob)
    english_zipf.cache_clear()
    started = time.process_time()
    for _result in normaliser.normalise_many(chunks):
        pass
    cold = time.process_time() - started
    if not warm:
        return cold, 0.0
    started = time.process_time()
    for _result in normaliser.normalise_many(chunks):
        pass
    return cold, time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=("dense", "generated"), default="dense")
    parser.add_argument(
        "--variants", type=int, choices=(1000, 10000, 100000), default=1000, help="table size"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the injected variants")
    parser.add_argument("--no-profile", action="store_true", help="the timings only")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="also time a second run on the same normaliser (every decision made), and "
        "profile that run",
    )
    parser.add_argument("--top", type=int, default=30, help="profile lines (default 30)")
    args = parser.parse_args(argv)
    chunks, table = workload(args.workload, args.variants, args.seed)
    english_zipf("the")  # wordfreq's list is loaded once per process (start-up), as bench.py
    gc.disable()
    best = {}
    blobs = {}
    for mode in ("off", "apply"):
        blobs[mode] = pickle.dumps(Normaliser(table=table, phonetic=mode))
    for _ in range(args.repeat):  # interleaved: a busy spell hits both modes alike
        for mode in ("off", "apply"):
            cold, warm = run_time(blobs[mode], chunks, args.warm)
            best[mode] = min(best.get(mode, cold), cold)
            if args.warm:
                best[mode + " warm"] = min(best.get(mode + " warm", warm), warm)
    gc.enable()
    mb = sum(len(c.encode("utf-8")) for c in chunks) / 2**20
    print(
        f"{args.workload}, {args.variants} variants, {mb:.1f} MB, {selected()} core, CPU time "
        f"best of {args.repeat}: table-only {best['off']:.3f} s ({mb / best['off']:.1f} MB/s), "
        f"apply {best['apply']:.3f} s ({mb / best['apply']:.1f} MB/s), "
        f"apply/table-only {best['apply'] / best['off']:.2f}x"
    )
    if args.warm:
        off, apply = best["off warm"], best["apply warm"]
        print(
            f"warm (a second run, every decision made): table-only {off:.3f} s, "
            f"apply {apply:.3f} s, apply/table-only {apply / off:.2f}x"
        )
    if args.no_profile:
        return 0
    normaliser = pickle.loads(blobs["apply"])
    english_zipf.cache_clear()
    if args.warm:
        for _result in normaliser.normalise_many(chunks):
            pass
    profile = cProfile.Profile()
    profile.enable()
    for _result in normaliser.normalise_many(chunks):
        pass
    profile.disable()
    pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
