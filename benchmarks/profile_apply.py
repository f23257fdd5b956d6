"""Where ``phonetic="apply"`` spends its time beyond table-only on the dense KJV workload.

Why: on that workload apply took 4.5-22.8x table-only (issue 15); this says which part of
the apply path the extra goes to (the matcher's ranking of each distinct name token, the
weighing of evidence, the rest). Best of two runs each on a fresh unpickled normaliser (so the
matcher decides every distinct token afresh, as bench.py measures), then one cProfile run.

    python benchmarks/profile_apply.py            # 1,000-variant table
    python benchmarks/profile_apply.py 10000      # 10,000 (GeoNames padding, as bench.py)
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    size = int(argv[0]) if argv else 1000
    bench.DATA.mkdir(parents=True, exist_ok=True)
    verses = bench.kjv_verses()
    tables = bench.build_dense_tables(verses, tuple(sorted({1000, size})))
    inject = sorted(v for e in tables[1000].table.entries for v in e.variants)
    chunks = bench.read_chunks(bench.dense_corpus(verses, 7, inject))
    table = tables[size].table
    gc.disable()
    best = {}
    for mode in ("off", "apply"):
        blob = pickle.dumps(Normaliser(table=table, phonetic=mode))
        times = []
        for _ in range(2):
            normaliser = pickle.loads(blob)
            started = time.perf_counter()
            for _result in normaliser.normalise_many(chunks):
                pass
            times.append(time.perf_counter() - started)
        best[mode] = min(times)
    print(
        f"{size} variants: table-only {best['off']:.2f} s, apply {best['apply']:.2f} s, "
        f"apply/table-only {best['apply'] / best['off']:.2f}x"
    )
    normaliser = pickle.loads(pickle.dumps(Normaliser(table=table, phonetic="apply")))
    profile = cProfile.Profile()
    profile.enable()
    for _result in normaliser.normalise_many(chunks):
        pass
    profile.disable()
    pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
