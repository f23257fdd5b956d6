"""Measures the targets of the integrations (issue 18) on generated text.

No downloads: documents are sentences of English words drawn by wordfreq frequency, with 1 %
of the tokens replaced by variants of the default table (so that there is something to do).

    python benchmarks/integrations.py pickle           # pickled size before/after 10 MB
    python benchmarks/integrations.py batch            # normalise_many jobs=1 vs jobs=2
    python benchmarks/integrations.py spacy            # nlp.pipe throughput with/without
    python benchmarks/integrations.py pandas           # 10,000 texts with missing values
    python benchmarks/integrations.py dask [--mb 100]  # LocalCluster(2) vs the CLI

Run it with ``nice`` on a shared machine; each part prints its figures.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import wordfreq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalise import Normaliser

DATA = ROOT / "benchmarks" / "data"
MB = 1_000_000


def variants() -> list[str]:
    """Single-word variants of the default table's name entries."""
    n = Normaliser(phonetic="off")
    return sorted(
        v
        for e in n.table.entries
        if e.kind in ("place", "person", "people")
        for v in e.variants
        if v.isalpha() and v.isascii()
    )


def documents(count: int, words_per_doc: int = 150, seed: int = 18) -> list[str]:
    """``count`` documents of about ``words_per_doc`` words (about 1 KB each)."""
    rng = random.Random(seed)
    words = [w for w in wordfreq.top_n_list("en", 20_000) if w.isalpha()]
    weights = [wordfreq.word_frequency(w, "en") for w in words]
    inject = variants()
    docs = []
    for _ in range(count):
        drawn = rng.choices(words, weights=weights, k=words_per_doc)
        out, left = [], 0
        for word in drawn:
            if rng.random() < 0.01:
                word = rng.choice(inject)
            if left == 0:
                left = rng.randint(6, 20)
                word = word[:1].upper() + word[1:]
            left -= 1
            out.append(word + ("." if left == 0 else ""))
        docs.append(" ".join(out))
    return docs


def corpus_dir(mb: int, file_kb: int = 500) -> Path:
    """``mb`` MB of text in files of about ``file_kb`` KB, with line breaks, generated once."""
    path = DATA / f"integrations-{mb}mb"
    if path.is_dir():
        return path
    tmp = path.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    docs = documents(2000, seed=mb)
    rng = random.Random(mb)
    written, index = 0, 0
    while written < mb * MB:
        parts, size = [], 0
        while size < file_kb * 1000:
            doc = rng.choice(docs)
            lines = [doc[i : i + 90] for i in range(0, len(doc), 90)]
            text = "\n".join(lines) + "\n\n"
            parts.append(text)
            size += len(text)
        data = "".join(parts).encode()
        (tmp / f"doc{index:05d}.txt").write_bytes(data)
        written += len(data)
        index += 1
    tmp.rename(path)
    return path


def load() -> float:
    """1-minute load average: how busy the shared machine was."""
    return os.getloadavg()[0]


def bench_pickle() -> None:
    n = Normaliser()
    before = pickle.dumps(n)
    docs = documents(12_500)  # about 10 MB
    size = sum(len(d.encode()) for d in docs)
    t0 = time.perf_counter()
    for doc in docs:
        n.normalise(doc)
    elapsed = time.perf_counter() - t0
    after = pickle.dumps(n)
    print(
        f"pickle: {len(before):,} bytes before, {len(after):,} after normalising "
        f"{size / MB:.1f} MB ({elapsed:.1f} s); identical bytes: {before == after}"
    )


def bench_batch() -> None:
    """normalise_many in one process and in two: wall time, and CPU seconds of this process
    and of the workers (both together; they share the work evenly)."""
    n = Normaliser()
    docs = documents(20_000)
    size = sum(len(d.encode()) for d in docs) / MB
    for jobs in (1, 2):
        cpu, children = time.process_time(), _children_cpu()
        t0 = time.perf_counter()
        out = list(n.normalise_many(docs, jobs=jobs))
        elapsed = time.perf_counter() - t0
        cpu, children = time.process_time() - cpu, _children_cpu() - children
        print(
            f"normalise_many jobs={jobs}: {len(out):,} docs, {size:.1f} MB in {elapsed:.2f} s "
            f"({size / elapsed:.2f} MB/s); CPU: this process {cpu:.2f} s, workers "
            f"{children:.2f} s; load {load():.1f}"
        )


def bench_spacy() -> None:
    import spacy

    docs = documents(5_000)
    plain = spacy.blank("en")
    normalising = spacy.blank(
        "en", config={"nlp": {"tokenizer": {"@tokenizers": "normalise.Tokenizer.v1"}}}
    )
    for _repeat in range(2):
        times = {}
        for name, nlp in (("blank", plain), ("normalising", normalising)):
            t0 = time.perf_counter()
            for _ in nlp.pipe(docs):
                pass
            times[name] = time.perf_counter() - t0
        print(
            f"spacy nlp.pipe of {len(docs):,} docs: blank {times['blank']:.2f} s, with "
            f"normalisation {times['normalising']:.2f} s: ratio "
            f"{times['blank'] / times['normalising']:.2f} (target >= 0.5), load {load():.1f}"
        )


def bench_pandas() -> None:
    import pandas as pd

    import normalise.pandas as npd

    n = Normaliser()
    docs = documents(10_000)
    values = [
        None if i % 10 == 3 else float("nan") if i % 10 == 7 else d for i, d in enumerate(docs)
    ]
    series = pd.Series(values, dtype=object, name="body")
    t0 = time.perf_counter()
    _, records = npd.normalise(series, n, records=True)
    elapsed = time.perf_counter() - t0
    print(
        f"pandas: {len(series):,} texts ({series.isna().sum():,} missing) -> texts and "
        f"{len(records):,} records in {elapsed:.2f} s, load {load():.1f}"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu() -> float:
    return time.process_time()


def bench_dask(mb: int) -> None:
    """The command in one process against ``normalise dask`` (cluster start included) and
    ``run_corpus`` on a running LocalCluster of 2 workers. Wall times, and CPU seconds (the
    command's; the busier worker's): on a shared machine the wall times say how busy it was,
    the CPU seconds how the work divides."""
    from distributed import Client, LocalCluster

    from normalise.dask import run_corpus

    corpus = corpus_dir(mb)
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    out = DATA / "integrations-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    cli_dir, dask_dir = out / "cli", out / "dask"
    cli_dir.mkdir()
    size = sum(os.path.getsize(f) for f in files) / MB
    cmd = [sys.executable, "-m", "normalise"]
    subprocess.run([*cmd, "explain", "Taleqan"], check=True, capture_output=True)  # warm cache
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=40
        ) as cluster,
        Client(cluster) as client,
    ):
        n = Normaliser.cached()
        for _ in range(2):
            cpu0 = _children_cpu()
            t0 = time.perf_counter()
            subprocess.run(
                [*cmd, *files, "-o", str(cli_dir / "all.txt"), "--log", str(cli_dir / "log.jsonl")],
                check=True,
            )
            cli = time.perf_counter() - t0
            cli_cpu = _children_cpu() - cpu0
            t0 = time.perf_counter()
            subprocess.run(
                [
                    *cmd,
                    "dask",
                    str(corpus),
                    "-O",
                    str(dask_dir),
                    "--log",
                    str(out / "dask.jsonl"),
                    "--workers",
                    "2",
                    "--no-progress",
                ],
                check=True,
            )
            whole = time.perf_counter() - t0
            before = client.run(_process_cpu)
            t0 = time.perf_counter()
            run_corpus([str(corpus)], str(out / "dask2"), n, client=client)
            warm = time.perf_counter() - t0
            after = client.run(_process_cpu)
            worker_cpu = max(after[w] - before[w] for w in after)
            print(
                f"dask: {size:.0f} MB in {len(files)} files, load {load():.1f}\n"
                f"  command, one process:            {cli:6.2f} s wall, {cli_cpu:6.2f} s CPU\n"
                f"  'normalise dask --workers 2':    {whole:6.2f} s wall ({cli / whole:.2f}x; "
                f"cluster start included)\n"
                f"  run_corpus, running 2 workers:   {warm:6.2f} s wall ({cli / warm:.2f}x), "
                f"busier worker {worker_cpu:.2f} s CPU ({cli_cpu / worker_cpu:.2f}x)"
            )
    joined = b"".join((dask_dir / Path(f).name).read_bytes() for f in files)
    same_text = joined == (cli_dir / "all.txt").read_bytes()
    same_log = filecmp.cmp(out / "dask.jsonl", cli_dir / "log.jsonl", shallow=False)
    print(f"dask: outputs identical to the CLI's: {same_text}; log identical: {same_log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="+", choices=["pickle", "batch", "spacy", "pandas", "dask"])
    parser.add_argument("--mb", type=int, default=100, help="corpus size for dask")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load {load():.1f}")
    for part in args.parts:
        if part == "dask":
            bench_dask(args.mb)
        else:
            globals()[f"bench_{part}"]()


if __name__ == "__main__":
    main()
