"""`apply` against table-only on real prose with the default table: texts nobody tuned the
apply speed on (Debian's fortunes, FOLDOC, the first 20 MB of GCIDE).

Why: bench.py's two workloads are a generated corpus (tuned on) and dense KJV verses; a user's
text is neither. Issue 15 asks `apply` to take at most 2x the table-only time; this measures
it where the default table rarely hits and the matcher meets thousands of distinct capitalised
words it does not know (names, headwords, sentence starts). CPU time, best of ``--repeat``
runs, each on a fresh unpickled normaliser (its decisions made afresh, as bench.py measures),
1 MB chunks through ``normalise_many``. Corpora whose Debian package is missing are skipped
(``apt-get install fortunes dict-foldoc dict-gcide dict-jargon dict-wn dict-devil``). The
Jargon File, the first 10 MB of WordNet and The Devil's Dictionary were held back from the
ninth session's speed work and measured once, at its end.

    python benchmarks/apply_prose.py [--repeat 3] [--corpus fortunes --corpus foldoc]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from normalise import Normaliser
from normalise.core import selected

FORTUNES = Path("/usr/share/games/fortunes")
DICTD = Path("/usr/share/dictd")
CHUNK = 1 << 20


def fortunes() -> str | None:
    files = sorted(p for p in FORTUNES.glob("*") if p.is_file() and not p.suffix)
    files = [p for p in files if p.stat().st_size > 1000]
    return "".join(p.read_text(errors="replace") for p in files) if files else None


def _dictd(name: str, limit: int | None = None) -> str | None:
    path = DICTD / f"{name}.dict.dz"
    if not path.exists():
        return None
    with gzip.open(path, "rt", errors="replace") as f:  # dictzip is gzip
        return f.read(limit) if limit else f.read()


CORPORA: dict[str, Callable[[], str | None]] = {
    "fortunes": fortunes,
    "foldoc": lambda: _dictd("foldoc"),
    "gcide": lambda: _dictd("gcide", 20_000_000),
    # held back from every change of the ninth session and measured once at its end
    "jargon": lambda: _dictd("jargon"),
    "wordnet": lambda: _dictd("wn", 10_000_000),
    "devil": lambda: _dictd("devil"),
}


def best_cpu(blob: bytes, chunks: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        normaliser = pickle.loads(blob)
        gc.collect()
        started = time.process_time()
        for _result in normaliser.normalise_many(chunks):
            pass
        times.append(time.process_time() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    args = parser.parse_args(argv)
    blobs = {mode: pickle.dumps(Normaliser(phonetic=mode)) for mode in ("off", "apply")}
    print(f"core: {selected()}; default table; CPU time, best of {args.repeat}")
    print("| corpus | MB | table only MB/s | apply MB/s | apply / table-only |")
    print("|---|---:|---:|---:|---:|")
    for name in args.corpus or sorted(CORPORA):
        text = CORPORA[name]()
        if text is None:
            print(f"| {name} | – | not installed | | |")
            continue
        chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
        mb = len(text.encode()) / 1e6
        off = best_cpu(blobs["off"], chunks, args.repeat)
        apply = best_cpu(blobs["apply"], chunks, args.repeat)
        print(f"| {name} | {mb:.1f} | {mb / off:.1f} | {mb / apply:.1f} | {apply / off:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
