"""What a freshly unpickled table-only normaliser pays on a small text (issue 17):
``pickle.loads``, its first run and a second run on the same object, CPU time, best of
``--repeat``. bench.py times every run on a new ``pickle.loads`` (``run_library``), so on a
text of a few milliseconds whatever a normaliser builds or touches on first use shows.

The small texts are not held back: fortunes in English (cookie), Esperanto and Bulgarian
with the generated workload's GeoNames variants (``heldback.geonames_workload``, written
into ``--data``, a scratch folder), and the first MB of bench.py's generated corpus.

    python benchmarks/first_run.py --data /tmp/small-texts [--texts en,eo] [--sizes 1000]
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import bench
import heldback

from normalise import Normaliser

#: name -> (the fortune files, the words variants replace)
FORTUNES = {
    "en": ([heldback.FORTUNES / "cookie"], heldback._WORD),
    "eo": (None, heldback._ANY_WORD),
    "bg": (None, heldback._ANY_WORD),
}


def small_text(name: str, data: Path) -> Path:
    """The fortunes of ``name`` with GeoNames variants at 1 % of their words (made once)."""
    if name == "gen1":  # its first MB (main): bench.py's generated corpus, default seed
        return bench.DATA / f"corpus-10mb-s7-r{bench.RECIPE}.txt"
    files, word = FORTUNES[name]
    heldback.DATA = data
    path, _ = heldback.geonames_workload(
        name, lambda: heldback.fortune_lines(name, files), 23, word=word
    )
    return path


def cpu(work: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        result = work()
        return time.process_time() - start, result
    finally:
        gc.enable()


def measure(fresh: bytes, chunks: list[str], repeat: int) -> tuple[float, float, float]:
    """Best load, first run and second run (seconds) over ``repeat`` fresh normalisers."""

    def run(normaliser: Normaliser) -> int:
        return sum(len(r.substitutions) for r in normaliser.normalise_many(chunks))

    loads, firsts, seconds = [], [], []
    for _ in range(repeat):
        load, normaliser = cpu(lambda: pickle.loads(fresh))
        first, count = cpu(lambda n=normaliser: run(n))
        second, again = cpu(lambda n=normaliser: run(n))
        assert count == again
        loads.append(load)
        firsts.append(first)
        seconds.append(second)
    return min(loads), min(firsts), min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder for the small texts")
    parser.add_argument("--texts", default="en,eo,bg,gen1")
    parser.add_argument("--sizes", default=",".join(map(str, bench.TABLE_SIZES)))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    tables = bench.build_tables(bench.TABLE_SIZES)
    print(f"load average {os.getloadavg()[0]:.2f}")
    for size in map(int, args.sizes.split(",")):
        fresh = pickle.dumps(Normaliser(table=tables[size].table, phonetic="off"))
        for name in args.texts.split(","):
            chunks = bench.read_chunks(small_text(name, args.data), 1_000_000)
            load, first, second = measure(fresh, chunks, args.repeat)
            mb = sum(len(c.encode()) for c in chunks) / 1e6
            print(
                f"{name:5} {size:>7} {mb:.2f} MB  pickle {len(fresh) / 1e6:5.1f} MB  "
                f"load {load * 1e3:7.2f} ms  first {first * 1e3:6.2f} ms  "
                f"second {second * 1e3:6.2f} ms  first - second {(first - second) * 1e3:5.2f}",
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
