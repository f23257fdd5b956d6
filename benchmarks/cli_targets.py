"""Issue 17's CLI targets on a 100 MB input: the CLI end to end against the library, its peak
RSS, and ``--jobs 2`` against ``--jobs 1``.

The input is the dense KJV workload of ``bench.py`` (short lines, about 9,000 table hits and
1,900 substitutions per MB) repeated to ``--mb`` megabytes; the table is its 10,000-variant
table (``--variants``), given to the CLI as YAML. Figures:

* **library**: ``Normaliser(table=..., phonetic="off").normalise_many(chunks)`` over the same
  text in 1 MB chunks (as the CLI cuts it), every ``Result`` built, in this process, CPU time
  and wall time, the garbage collector on (as in the CLI);
* **CLI**: ``normalise --no-default-table --table T.yaml --phonetic off --no-progress --jobs N
  FILE -o OUT --log LOG.jsonl`` under ``/usr/bin/time -v``: wall time, user + system CPU time,
  peak RSS; the built table comes from the benchmark's cache (one priming run first), so the
  runs differ only in the work; the package is byte-compiled first, as ``pip install``
  leaves it (:func:`bench.byte_compile`); each run writes new files, the previous run's
  removed and the disk synced before it (:func:`_settle_disk`); ``--repeat`` runs of each, ``--jobs 1`` and ``--jobs 2``
  alternated, medians, every run's output and log checked byte-identical;
* **reference**: the library pass in one process, then in two independent processes at
  once: the most any split of the work over two processes could gain on this machine at this
  moment (what sharing the cores, caches and memory costs, with nothing sent between them).

Run: ``nice python benchmarks/cli_targets.py`` (about 2 min on 2 quiet cores); writes
``benchmarks/results/cli-targets.md`` unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

from normalise import Normaliser, core

RESULTS = bench.RESULTS


def big_input(mb: int, seed: int) -> tuple[Path, bench.BenchTable]:
    """The dense workload repeated to ``mb`` MB (cached in ``benchmarks/data``), and its
    tables."""
    verses = bench.kjv_verses()
    tables = bench.build_dense_tables(verses, (1000, 10000))
    inject = sorted(v for e in tables[1000].table.entries for v in e.variants)
    dense = bench.dense_corpus(verses, seed, inject)
    path = bench.DATA / f"dense-kjv-s{seed}-r{bench.DENSE_RECIPE}-x{mb}mb.txt"
    if not path.exists():
        text = dense.read_bytes()
        copies = -(-mb * bench.MB // len(text))
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as stream:
            for _ in range(copies):
                stream.write(text)
        tmp.replace(path)
    return path, tables


def library(table: bench.BenchTable, path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of the library over the file in 1 MB chunks (read as it goes, as
    the CLI reads), and its substitutions."""
    normaliser = Normaliser(table=table.table, phonetic="off")
    gc.collect()
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    with open(path, encoding="utf-8", newline="") as stream:
        while block := stream.read(bench.CHUNK):
            block += stream.readline()
            for result in normaliser.normalise_many([block]):
                count += len(result.substitutions)
    return time.perf_counter() - wall, time.process_time() - cpu, count


#: ``--realtime``: the runs under ``chrt -f 10`` (SCHED_FIFO, root): the machine's other work
#: waits while they run (the kernel still keeps 5 % of each second for it), so that wall
#: times on a shared machine come close to those on idle cores.
REALTIME: list[str] = []


def cli(args: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds (user + system, children included), peak RSS (MB) of one CLI
    run under /usr/bin/time -v, and the load average just before it."""
    cmd = [*REALTIME, "/usr/bin/time", "-v", *bench.normalise_command(), *args]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed: {proc.stderr.decode()[-500:]}")

    def field(name: str) -> float:
        match = re.search(rf"{name}: ([\d.]+)".encode(), proc.stderr)
        return float(match.group(1)) if match else 0.0

    return {
        "wall": wall,
        "cpu": field(r"User time \(seconds\)") + field(r"System time \(seconds\)"),
        "rss": field(r"Maximum resident set size \(kbytes\)") / 1024,
        "load": load,
    }


def library_processes(args: argparse.Namespace, count: int) -> list[dict[str, float]]:
    """The library pass (:func:`library`) in ``count`` independent processes started together:
    with two, the most any split of the work over two processes can gain on this machine at
    this moment (no transfer at all, only the cores, caches and memory the two share)."""
    cmd = [sys.executable, __file__, "--library-pass", "--mb", str(args.mb)]
    cmd += ["--variants", str(args.variants), "--seed", str(args.seed)]
    procs = [
        subprocess.Popen([*REALTIME, *cmd], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for _ in range(count)
    ]
    for proc in procs:  # each has built its table: start the passes together
        assert proc.stdout is not None
        if proc.stdout.readline() != b"ready\n":
            raise RuntimeError(f"{shlex.join(cmd)} failed")
    out = []
    for proc in procs:
        stdout, _ = proc.communicate(b"go\n")
        if proc.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)} failed")
        out.append(json.loads(stdout))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=100, help="input size in MB (default 100)")
    parser.add_argument("--variants", type=int, choices=(1000, 10000), default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each CLI command, alternated (default 3)"
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run the CLI and the reference under chrt -f 10 (root): others' work waits",
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--library-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.realtime:
        if os.geteuid() != 0 or not shutil.which("chrt"):
            sys.exit("cli_targets.py: --realtime needs root and chrt (util-linux)")
        REALTIME[:] = ["chrt", "-f", "10"]
    bench.DATA.mkdir(parents=True, exist_ok=True)
    os.environ["NORMALISE_CACHE_DIR"] = str(bench.DATA / "cache")
    path, tables = big_input(args.mb, args.seed)
    table = tables[args.variants]
    if args.library_pass:  # one process of the parallel reference
        print("ready", flush=True)
        sys.stdin.readline()
        wall, cpu, _ = library(table, path)
        print(json.dumps({"wall": wall, "cpu": cpu}))
        return 0
    if not Path("/usr/bin/time").exists():
        sys.exit("cli_targets.py: needs /usr/bin/time (apt-get install time)")
    mb = path.stat().st_size / bench.MB
    table_args = ["--no-default-table", "--table", str(table.yaml_path), "--phonetic", "off"]
    bench.byte_compile()  # the command starts as an installed copy does
    subprocess.run(
        [*bench.normalise_command(), *table_args], input=b"", check=True, capture_output=True
    )  # the table built and cached once
    out, log = bench.DATA / "cli-targets-out.txt", bench.DATA / "cli-targets-log.jsonl"
    commands: dict[int, str] = {}
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    digests: dict[int, set[str]] = {1: set(), 2: set()}
    try:
        for _ in range(args.repeat):
            for jobs in (1, 2):
                cmd = [*table_args, "--no-progress", "--jobs", str(jobs), str(path)]
                cmd += ["-o", str(out), "--log", str(log)]
                commands[jobs] = shlex.join(["normalise", *cmd])
                bench.log(f"CLI --jobs {jobs} ...")
                _settle_disk(out, log)
                runs[jobs].append(cli(cmd))
                digests[jobs].add(_digest(out) + _digest(log))
        with open(log, "rb") as stream:
            lines = sum(1 for _ in stream)
    finally:
        out.unlink(missing_ok=True)
        log.unlink(missing_ok=True)
    identical = len(digests[1] | digests[2]) == 1
    bench.log("library ...")
    if REALTIME:  # this process too, for the pass only
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    try:
        lib_wall, lib_cpu, subs = library(table, path)
    finally:
        if REALTIME:
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    bench.log("library in one process, then in two at once ...")
    alone = library_processes(args, 1)[0]
    pair = library_processes(args, 2)
    one = {k: statistics.median(r[k] for r in runs[1]) for k in ("wall", "cpu", "rss", "load")}
    two = {k: statistics.median(r[k] for r in runs[2]) for k in ("wall", "cpu", "rss", "load")}
    one["rss"] = max(r["rss"] for r in runs[1])
    two["rss"] = max(r["rss"] for r in runs[2])
    load = os.getloadavg()[0]
    rows = [
        ("library, in process (normalise_many, 1 MB chunks)", lib_wall, lib_cpu, None),
        (f"CLI `--jobs 1` (median of {args.repeat})", one["wall"], one["cpu"], one["rss"]),
        (f"CLI `--jobs 2` (median of {args.repeat})", two["wall"], two["cpu"], two["rss"]),
        ("reference: library in one process", alone["wall"], alone["cpu"], None),
        (
            "reference: library in two processes at once (each)",
            max(p["wall"] for p in pair),
            statistics.mean(p["cpu"] for p in pair),
            None,
        ),
    ]
    text = [
        "# Issue 17: the CLI targets on a 100 MB input",
        "",
        "Command: `"
        + " ".join(["python benchmarks/cli_targets.py", *(argv or sys.argv[1:])])
        + "`",
        "",
        f"Input: the dense KJV workload repeated to {mb:.1f} MB (`{path.name}`), "
        f"{args.variants:,}-variant dense table (`{table.yaml_path.name}`); "
        f"{subs:,} substitutions ({lines:,} log lines). Core: {core.selected()}. "
        + ("Runs under `chrt -f 10` (the machine's other work waits). " if REALTIME else "")
        + f"Load average (2 cores) before the CLI runs: {_loads(runs[1] + runs[2])}; "
        f"after all runs: {load:.1f}.",
        "",
        "CLI command lines:",
        "",
        *(f"    {c}" for c in commands.values()),
        "",
        "| run | wall s | MB/s (wall) | CPU s | MB/s (CPU) | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, wall, cpu, rss in rows:
        rss_text = "" if rss is None else f"{rss:.0f}"
        text.append(
            f"| {name} | {wall:.2f} | {mb / wall:.1f} | {cpu:.2f} | {mb / cpu:.1f} | {rss_text} |"
        )
    ceiling = 2 * one["cpu"] / two["cpu"]
    # two processes of the whole work at once against one: what splitting it in two halves
    # could give at best, in CPU time and in wall time
    reference = 2 * alone["cpu"] / statistics.mean(p["cpu"] for p in pair)
    reference_wall = 2 * alone["wall"] / max(p["wall"] for p in pair)
    text += [
        "",
        "Each run (wall s / CPU s / load average before it):",
        "",
        *(
            f"- `--jobs {jobs}`: "
            + ", ".join(f"{r['wall']:.2f} / {r['cpu']:.2f} / {r['load']:.1f}" for r in runs[jobs])
            for jobs in (1, 2)
        ),
        "",
        "`--jobs 2` can gain at most its CPU-time ceiling, 2 x CPU(`--jobs 1`) / CPU(`--jobs 2`, "
        f"all processes) = {ceiling:.2f}x, and only on two idle cores. The same ceiling for the "
        "library alone against two independent library processes at once (nothing sent between "
        f"them; what sharing the cores, caches and memory costs now): {reference:.2f}x, and "
        f"{reference_wall:.2f}x in wall time (twice the work in two processes at once against "
        "the work in one, at this load).",
    ]
    targets = [
        (
            "CLI end to end >= 60 % of the library (CPU time)",
            f"{lib_cpu / one['cpu']:.0%}",
            lib_cpu / one["cpu"] >= 0.6,
        ),
        (
            "CLI end to end >= 60 % of the library (wall time)",
            f"{lib_wall / one['wall']:.0%}",
            lib_wall / one["wall"] >= 0.6,
        ),
        (
            "peak RSS < 150 MB (--jobs 1 / --jobs 2)",
            f"{one['rss']:.0f} / {two['rss']:.0f} MB",
            max(one["rss"], two["rss"]) < 150,
        ),
        (
            "--jobs 2 >= 1.7x --jobs 1 (wall time, medians)",
            f"{one['wall'] / two['wall']:.2f}x",
            one["wall"] / two["wall"] >= 1.7,
        ),
        ("--jobs 2 CPU-time ceiling >= 1.7x", f"{ceiling:.2f}x", ceiling >= 1.7),
        (
            "--jobs 1 and --jobs 2 output and log byte-identical (every run)",
            "yes" if identical else "NO",
            identical,
        ),
    ]
    text += ["", "| target | measured | met |", "|---|---:|---|"]
    text += [f"| {name} | {value} | {'met' if ok else 'missed'} |" for name, value, ok in targets]
    report = "\n".join(text) + "\n"
    print(report)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "cli-targets.md").write_text(report, encoding="utf-8")
    return 0 if identical else 1


def _settle_disk(*outputs: Path) -> None:
    """Start each run from the same state: the previous run's output and log removed and
    everything written so far on disk. Otherwise a run pays for the one before it: for
    freeing its 144 MB of files (which waits for their write-back to the disk, 30-70 ms
    inside the command's final rename) and for the kernel threads writing them back while
    it runs."""
    for path in outputs:
        path.unlink(missing_ok=True)
    os.sync()


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _loads(runs: list[dict[str, float]]) -> str:
    loads = [r["load"] for r in runs]
    return f"{min(loads):.1f} to {max(loads):.1f}"


if __name__ == "__main__":
    sys.exit(main())
