"""Where the table-only path spends its time on the dense short-line workload (issue 17).

Two views of ``Normaliser(table=..., phonetic="off")`` on the dense KJV workload of
``bench.py`` (10,000-variant table unless ``--variants``):

* **stages, timed directly** (no profiler, best of ``--repeat``): each stage is run on its own
  over every chunk, cumulatively (fold; fold + Aho-Corasick; + verification of each raw match;
  + overlap resolution; then per-hit casing, the events, the records and the output join;
  then the settling check), so a stage's cost is the difference between two timings;
* **cProfile**: self time of every function, builtins charged to the stage of their caller.

It also times the peers on the same text in the same run and states the table-only MB/s that
issue 17's targets imply on this workload (2x flashtext2 whole text and line by line, 10x
flashtext), and, from ``results/bench.csv`` when present, on the generated corpus.

Run: ``nice python benchmarks/profile_dense.py``; writes ``benchmarks/results/profile-dense.md``.
The stages call private parts of ``normalise`` (``Normaliser._core``, ``_settling``,
``compile.table_event``): this is a measuring tool for the engine's authors, and it fails
loudly where they move.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import os
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

from normalise import Normaliser, core
from normalise.casing import cased
from normalise.compile import table_event
from normalise.scan import fold_haystack

#: cProfile stage of each function (by module file stem and name); builtins go to their caller.
STAGES = {
    ("scan", "fold_haystack"): "fold",
    ("scan", "_fold_char"): "fold",
    ("scan", "fold_run"): "fold",
    ("scan", "scan_overlapping"): "verification (match key, lookup)",
    ("scan", "match_key"): "verification (match key, lookup)",
    ("scan", "_key_char"): "verification (match key, lookup)",
    ("scan", "scan"): "overlap resolution (sort, Hit)",
    ("scan", "_overlapping"): "verification (match key, lookup)",
    ("casing", "cased"): "casing",
    ("casing", "_in_capitals"): "casing",
    ("casing", "_capital"): "casing",
    ("compile", "table_event"): "table event (per hit)",
    ("sentence", "ends_line"): "table event (per hit)",
    ("compile", "table_pass"): "pass loop (per hit)",
    ("compile", "_left_why"): "pass loop (per hit)",
    ("rewrite", "_pass"): "pass loop (per hit)",
    ("compile", "apply"): "records and output join",
    ("events", "apply_events"): "records and output join",
    ("log", "__init__"): "records and output join",
    ("events", "__post_init__"): "records and output join",
    ("events", "__init__"): "records and output join",
    ("events", "changed"): "settling check",
    ("rewrite", "normalise"): "settling check",
}
NAMEDTUPLES = "NamedTuple construction (Hit, Substitution), with the collections it triggers"
_BUILTIN_STAGE = {"find_matches_as_indexes": "Aho-Corasick scan"}


def stage_of(func: tuple[str, int, str]) -> str | None:
    path, _, name = func
    if path == "~":  # a builtin: by its own name, else its caller's stage
        return next((s for k, s in _BUILTIN_STAGE.items() if k in name), None)
    if path == "<string>":  # the generated __new__ of a NamedTuple (Hit, Substitution)
        return NAMEDTUPLES
    stem = Path(path).stem
    if stem == "settle":
        return "settling check"
    return STAGES.get((stem, name), "other" if "normalise" in path else None)


def cprofile_stages(normaliser: Normaliser, chunks: list[str]) -> tuple[dict, float, list]:
    """Self seconds per stage under cProfile, the profiled total, and the top functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in normaliser.normalise_many(chunks):
        pass
    profiler.disable()
    stats = pstats.Stats(profiler)
    stages: dict[str, float] = {}
    for func, (_, _, tottime, _, callers) in stats.stats.items():
        own = stage_of(func)
        if func[0] == "~" and own is None:
            for caller, (_, _, caller_tt, _) in callers.items():
                stage = stage_of(caller) or "other"
                stages[stage] = stages.get(stage, 0.0) + caller_tt
            continue
        stage = own or "other"
        stages[stage] = stages.get(stage, 0.0) + tottime
    top = sorted(
        (
            (tt, nc, f"{Path(f[0]).name}:{f[1]}({f[2]})" if f[0] != "~" else f[2])
            for f, (_, nc, tt, _, _) in stats.stats.items()
        ),
        reverse=True,
    )[:20]
    return stages, stats.total_tt, top


#: Passes over the text per timed sample: a sample of a few tenths of a second is less at
#: the mercy of the other processes of a shared machine than one of a few hundredths.
INNER = 3


def interleaved(
    works: list[tuple[str, Callable[[], object]]], repeat: int
) -> list[tuple[str, float]]:
    """Seconds per pass of each work, the best of ``repeat`` rounds; every round times every
    work in turn, so that all of them see the same spells of load."""
    samples: dict[str, list[float]] = {name: [] for name, _ in works}
    for _ in range(repeat):
        for name, work in works:
            samples[name].append(bench.timed(lambda w=work: [w() for _ in range(INNER)]) / INNER)
    return [(name, min(samples[name])) for name, _ in works]


def direct_stages(
    normaliser: Normaliser,
    chunks: list[str],
    repeat: int,
    compiled: Normaliser | None = None,
) -> list[tuple[str, float]]:
    """Cumulative seconds of each stage run on its own over all chunks (best of ``repeat``);
    ``normaliser`` runs the pure-Python core (whose stages these are), ``compiled``, when
    given, the same table on the compiled core (its scan and its whole run)."""
    scanner = normaliser.compiled.scanner
    automaton = scanner._automaton
    entries = normaliser.table.entries
    apply = normaliser._core.apply
    settling = normaliser._settling
    hits = [scanner.scan(c) for c in chunks]
    events = [
        [e for s, e_, t in h if (e := table_event(c, s, e_, entries[t])) is not None]
        for c, h in zip(chunks, hits, strict=False)
    ]

    def fold():
        for c in chunks:
            fold_haystack(c)

    def fold_ac():
        for c in chunks:
            automaton.find_matches_as_indexes(b" " + fold_haystack(c)[0] + b" ", overlapping=True)

    def verified():
        for c in chunks:
            scanner.scan_overlapping(c)

    def resolved():
        for c in chunks:
            scanner.scan(c)

    def casing_only():
        for c, h in zip(chunks, hits, strict=False):
            for s, e, t in h:
                cased(c[s:e], entries[t].canonical, entries[t].case_sensitive)

    def events_only():
        for c, h in zip(chunks, hits, strict=False):
            for s, e, t in h:
                table_event(c, s, e, entries[t])

    def apply_only():
        for c, ev in zip(chunks, events, strict=False):
            apply(c, ev)

    results = [apply(c, ev) for c, ev in zip(chunks, events, strict=False)]

    def settle_only():
        for r, h in zip(results, hits, strict=False):
            if r.changed:
                settling.unsettled(r, [(s, e) for s, e, _ in h])

    def passes():
        for c in chunks:
            normaliser._pass(c)

    def whole():
        for _ in normaliser.normalise_many(chunks):
            pass

    extra = []
    if compiled is not None:

        def compiled_scan():
            for c in chunks:
                compiled.compiled.scanner.scan(c)

        def compiled_whole():
            for _ in compiled.normalise_many(chunks):
                pass

        extra = [
            ("compiled core: scan (fold, trie walk, verification, overlap)", compiled_scan),
            ("compiled core: normalise_many", compiled_whole),
        ]
    return interleaved(
        [
            *extra,
            ("fold", fold),
            ("fold + Aho-Corasick", fold_ac),
            ("+ verification (scan_overlapping)", verified),
            ("+ overlap resolution (scan)", resolved),
            ("casing alone (cased per hit)", casing_only),
            ("table event alone (compile.table_event per hit, casing included)", events_only),
            ("records and output join alone (core.apply)", apply_only),
            ("settling check alone (unsettled)", settle_only),
            ("one pass (_pass: scan, events, records, join)", passes),
            ("normalise_many (the pass and the settling check)", whole),
        ],
        repeat,
    )


def gc_stages(normaliser: Normaliser, chunks: list[str], repeat: int) -> list[tuple[str, float]]:
    """The whole run with the collector off, on, and on after ``gc.freeze()``, interleaved,
    before anything else is kept in memory (a user's process holds the table and the text)."""

    def whole():
        for _ in normaliser.normalise_many(chunks):
            pass

    def with_gc() -> None:
        """As a user runs it: the collector on (``bench.timed`` turns it off)."""
        gc.enable()
        try:
            whole()
        finally:
            gc.disable()

    def frozen() -> None:
        """The collector on, after ``gc.freeze()``: the long-lived objects (the table, the
        text) moved out of its reach, as a process could do once its table is built."""
        gc.freeze()
        try:
            with_gc()
        finally:
            gc.unfreeze()

    return interleaved(
        [
            ("collector off", whole),
            ("collector on", with_gc),
            ("collector on, after gc.freeze()", frozen),
        ],
        repeat,
    )


def peers(t: bench.BenchTable, chunks: list[str]) -> dict[str, float]:
    """MB/s of the peers issue 17 names, on the same text."""
    mb = bench.nbytes(chunks)
    out = {}
    for name, run in (
        ("flashtext (line by line)", bench.peer_flashtext),
        ("flashtext2 (whole text)", bench.peer_flashtext2_whole),
        ("flashtext2 (line by line)", bench.peer_flashtext2_lines),
    ):
        out[name] = mb / min(run(t, chunks)[1] for _ in range(2))
    return out


def generated_needs(path: Path) -> list[tuple[str, int, float, float]]:
    """(corpus, variants, needed MB/s, measured MB/s) for the generated corpora of bench.csv."""
    if not path.exists():
        return []
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    if "corpus" not in (rows[0] if rows else {}):
        return []
    out = []
    for corpus in dict.fromkeys(r["corpus"] for r in rows if r["corpus"].startswith("generated")):
        for variants in bench.TABLE_SIZES:
            got = {
                r["method"]: float(r["mb_per_s"])
                for r in rows
                if r["corpus"] == corpus and r["variants"] == str(variants)
            }
            needs = [factor * got[p] for p, factor in bench.COMPILED_TARGETS if p in got]
            if needs and "normalise (table only)" in got:
                out.append((corpus, variants, max(needs), got["normalise (table only)"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=bench.HEADLINE, choices=bench.TABLE_SIZES)
    parser.add_argument("--repeat", type=int, default=9, help="best of N for direct timings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=bench.RESULTS / "profile-dense.md")
    args = parser.parse_args(argv)
    bench.DATA.mkdir(parents=True, exist_ok=True)
    verses = bench.kjv_verses()
    tables = bench.build_dense_tables(verses, bench.TABLE_SIZES)
    inject = sorted(v for e in tables[min(bench.TABLE_SIZES)].table.entries for v in e.variants)
    path = bench.dense_corpus(verses, args.seed, inject)
    chunks = bench.read_chunks(path)
    mb = bench.nbytes(chunks)
    t = tables[args.variants]
    del tables, verses  # only what a user's process would hold: one table and the text
    gc.collect()
    with core.using("python"):  # the reference's stages
        normaliser = Normaliser(table=t.table, phonetic="off")
    compiled = None
    if core.selected() == "compiled":
        compiled = Normaliser(table=t.table, phonetic="off")
    hits = sum(len(normaliser.compiled.scanner.scan(c)) for c in chunks)
    subs = sum(len(r.substitutions) for r in normaliser.normalise_many(chunks))
    lines = sum(c.count("\n") for c in chunks)

    load0 = os.getloadavg()[0]
    collector = dict(gc_stages(normaliser, chunks, args.repeat))
    direct = direct_stages(normaliser, chunks, args.repeat, compiled)
    load1 = os.getloadavg()[0]
    prof, prof_total, top = cprofile_stages(normaliser, chunks)
    peer_mbps = peers(t, chunks)
    load2 = os.getloadavg()[0]

    timing = dict(direct)
    total = timing["normalise_many (the pass and the settling check)"]
    scan_s = timing["+ overlap resolution (scan)"]
    derived = [
        ("fold", timing["fold"]),
        ("Aho-Corasick scan", timing["fold + Aho-Corasick"] - timing["fold"]),
        (
            "verification of each raw match (match key, lookup)",
            timing["+ verification (scan_overlapping)"] - timing["fold + Aho-Corasick"],
        ),
        (
            "overlap resolution (sort, Hit tuples)",
            scan_s - timing["+ verification (scan_overlapping)"],
        ),
        (
            "per-hit table event (casing included) and the pass loop",
            timing["one pass (_pass: scan, events, records, join)"]
            - scan_s
            - timing["records and output join alone (_apply)"],
        ),
        ("  of which casing (cased)", timing["casing alone (cased per hit)"]),
        ("records and output join (_apply)", timing["records and output join alone (_apply)"]),
        (
            "settling check and the rest of normalise_many (whole run - one pass)",
            total - timing["one pass (_pass: scan, events, records, join)"],
        ),
        ("  settling check alone (unsettled)", timing["settling check alone (unsettled)"]),
    ]
    md = [
        "# Profile of the table-only path on the dense workload",
        "",
        f"Machine: {bench.machine()}.  ",
        f"Command: `python benchmarks/profile_dense.py{' ' + ' '.join(argv or sys.argv[1:])}`".rstrip()
        + "  ",
        (
            f"Load average (1 minute): {load0:.1f} before the direct timings, {load1:.1f} "
            f"after, {load2:.1f} after cProfile and the peers."
        ),
        "",
        (
            f"Workload: the dense KJV corpus of `bench.py` ({mb:.2f} MB, {lines:,} lines of "
            f"{mb * bench.MB / lines:.0f} bytes on average), the {args.variants:,}-variant table "
            f"({t.own:,} variants derived from the text's own names, the rest GeoNames), "
            f'1 MB chunks; `Normaliser(table=..., phonetic="off")`: {hits:,} verified table '
            f"hits ({hits / mb:,.0f} per MB, canonical forms included), {subs:,} substitutions "
            f"({subs / mb:,.0f} per MB)."
        ),
        "",
        "## Stages, timed directly",
        "",
        (
            f"Each stage run on its own over all chunks ({INNER} passes a sample, best of {args.repeat} interleaved rounds), no profiler; the "
            "scan stages are cumulative, so each row is a difference of two timings. "
            f"Whole run: {total:.3f} s = {mb / total:.1f} MB/s."
        ),
        "",
        "| stage | seconds | share | µs per hit |",
        "|---|---:|---:|---:|",
    ]
    for name, secs in derived:
        md.append(f"| {name} | {secs:.3f} | {secs / total:.0%} | {secs / hits * 1e6:.2f} |")
    if compiled is not None:
        c_scan = timing["compiled core: scan (fold, trie walk, verification, overlap)"]
        c_total = timing["compiled core: normalise_many"]
        md += [
            "",
            (
                "These stages are the pure-Python core's (the reference). The compiled core "
                "(`normalise._core`) replaces the scan (fold, Aho-Corasick, verification, "
                "overlap) by one walk of a trie per word start, same table, same rounds:"
            ),
            "",
            "| compiled core | seconds | µs per hit | pure-Python core | µs per hit |",
            "|---|---:|---:|---:|---:|",
            f"| scan (fold, walk, verification, overlap) | {c_scan:.3f} | "
            f"{c_scan / hits * 1e6:.2f} | {scan_s:.3f} | {scan_s / hits * 1e6:.2f} |",
            f"| whole run (normalise_many) | {c_total:.3f} ({mb / c_total:.1f} MB/s) | "
            f"{c_total / hits * 1e6:.2f} | {total:.3f} ({mb / total:.1f} MB/s) | "
            f"{total / hits * 1e6:.2f} |",
        ]
    md += ["", "Raw timings (cumulative for the scan):", "", "| run | seconds |", "|---|---:|"]
    md += [f"| {name} | {secs:.3f} |" for name, secs in direct]
    off = collector["collector off"]
    md += [
        "",
        "## The garbage collector",
        "",
        (
            "Every figure above, and every figure of `bench.py`, is taken with the collector off "
            "(it would charge one method for another's garbage). A user's process runs with it "
            "on; measured before anything but the table and the text is held, best of "
            f"{args.repeat} interleaved rounds:"
        ),
        "",
        "| whole run | seconds | MB/s | over collector off |",
        "|---|---:|---:|---:|",
    ]
    md += [
        f"| {name} | {secs:.3f} | {mb / secs:.1f} | {secs / off - 1:+.0%} |"
        for name, secs in collector.items()
    ]
    md += [
        "",
        "## cProfile: self time by stage",
        "",
        (
            f"Profiled total {prof_total:.3f} s (the profiler inflates every Python call; "
            "builtins are charged to the stage of their caller)."
        ),
        "",
        "| stage | seconds | share |",
        "|---|---:|---:|",
    ]
    for stage, secs in sorted(prof.items(), key=lambda kv: -kv[1]):
        md.append(f"| {stage} | {secs:.3f} | {secs / prof_total:.0%} |")
    md += [
        "",
        "Top 20 functions by self time:",
        "",
        "| function | calls | self s |",
        "|---|---:|---:|",
    ]
    md += [f"| `{name}` | {calls:,} | {tt:.3f} |" for tt, calls, name in top]
    lib = mb / total
    md += [
        "",
        "## What a compiled core has to reach",
        "",
        (
            "Issue 17's targets: table-only with the log at least 2x flashtext2 (whole text and "
            "line by line) and at least 10x flashtext, on every workload. Peers timed in this "
            "run on the same text and table (best of two):"
        ),
        "",
        "| peer | MB/s | target factor | table-only MB/s needed |",
        "|---|---:|---:|---:|",
    ]
    factors = dict(bench.COMPILED_TARGETS)
    for name, mbps in peer_mbps.items():
        md.append(f"| {name} | {mbps:.1f} | {factors[name]}x | {factors[name] * mbps:.1f} |")
    need = max(factors[n] * m for n, m in peer_mbps.items())
    md += [
        "",
        (
            f"On the dense workload at {args.variants:,} variants the core must reach "
            f"**{need:.0f} MB/s**, {need / lib:.1f}x the {lib:.1f} MB/s measured here: the "
            f"whole run in {mb / need:.3f} s, {mb / need / hits * 1e6:.2f} µs per hit if "
            "nothing else cost (today "
            f"{total / hits * 1e6:.2f} µs per hit all told, of which the scan "
            f"{scan_s / hits * 1e6:.2f})."
        ),
    ]
    gen = generated_needs(bench.RESULTS / "bench.csv")
    if gen:
        md += [
            "",
            "On the generated corpus (from `results/bench.csv`, a separate run):",
            "",
            "| corpus | variants | needed MB/s | measured MB/s | factor to go |",
            "|---|---:|---:|---:|---:|",
        ]
        md += [f"| {c} | {v:,} | {n:.1f} | {m:.1f} | {n / m:.1f}x |" for c, v, n, m in gen]
    md.append("")
    text = "\n".join(md)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
