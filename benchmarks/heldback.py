"""Held-back speed workloads: two texts nobody tuned the table-only or `apply` speed on,
measured once at the end of a round of speed work (issues 15 and 17).

Why: bench.py's generated corpus was tuned on and its dense KJV workload was measured while
tuning; a target met there only is not met. These two have other shapes:

* **Treasury**: Spurgeon's *Treasury of David* (Debian's sword-comm-tdavid, public domain),
  real English prose in long paragraphs (a line is a commentary section, hundreds of
  characters), 1 % of its words replaced by variants of the GeoNames tables of bench.py's
  generated workload (the same tables, ``table-N-r1.yaml``).
* **WEB**: the World English Bible (sword-text-web), one verse a line, with a table of its own
  proper names' derived spellings padded with GeoNames entries, built by bench.py's dense
  recipe from this text (dense hits, modern spellings of the names).

Every method of ``bench.py --quick`` runs on each (the library table-only and with
``phonetic="apply"``, flashtext line by line, flashtext2 whole and line by line ...), with
1,000, 10,000 and 100,000 variants, CPU time; a summary prints the issues' ratios.

    python benchmarks/heldback.py [--workload treasury|web|all] [--seed 11]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bench
from bench import (
    DATA,
    MB,
    TABLE_SIZES,
    BenchTable,
    Run,
    bench_size,
    build_dense_tables,
    build_tables,
    find,
    generate_dense,
    log,
)

#: Bump when a held-back text or its recipe changes.
RECIPE = 1
#: Sword modules and keys (diatheke stops the WEB after Psalms: it is read in two ranges).
TREASURY = ("TDavid", "Psalms 1:1-150:6")
WEB = ("engWEB2015eb", ("Genesis 1:1-Psalms 150:6", "Proverbs 1:1-Revelation 22:21"))
_VERSE = re.compile(r"^(?:\d )?[A-Za-z ]+? \d+:\d+: (.*)$")
_WORD = re.compile(r"[A-Za-z]+")


_PARAGRAPH = re.compile(r'<div\b[^>]*type="x-p"[^>]*/>|</?title\b[^>]*>')
_TAG = re.compile(r"<[^>]+>")
_SPACE_BEFORE = re.compile(r" +(?=[,.;:!?)\]’”])")
_SPACE_AFTER = re.compile(r"(?<=[(\[“‘]) +")


def sword_lines(module: str, keys: str, paragraphs: bool) -> list[str]:
    """The text of a sword module, markup removed: one line per entry (a verse), or with
    ``paragraphs`` one line per paragraph of an entry (a commentary's sections)."""
    import html
    import subprocess

    if shutil.which("diatheke") is None:
        raise SystemExit(
            "heldback.py: needs diatheke: apt-get install diatheke sword-comm-tdavid sword-text-web"
        )
    raw = subprocess.run(
        ["diatheke", "-b", module, "-k", keys], capture_output=True, check=False
    ).stdout.decode("utf-8", "replace")
    out = []
    for line in raw.splitlines():
        verse = _VERSE.match(line)
        if not verse:
            continue
        body = _PARAGRAPH.sub("\n", verse.group(1)) if paragraphs else verse.group(1)
        for part in body.split("\n"):
            # tags become spaces (the WEB tags each word: <w>God</w><w>created</w>), then
            # the spaces that puts before punctuation and after opening quotes go again
            text = re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", part))).strip()
            text = _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))
            if len(text) >= 20:
                out.append(text)
    if not out:
        raise SystemExit(f"heldback.py: the sword module {module} gave no text (is it installed?)")
    return out


def treasury_corpus(seed: int, inject: list[str]) -> Path:
    """The Treasury's sections, one a line, with 1 % of words replaced by ``inject`` forms."""
    path = DATA / f"heldback-treasury-s{seed}-r{RECIPE}.txt"
    if path.exists():
        return path
    rng = random.Random(seed)
    coins = rng.random

    def swap(match: re.Match) -> str:
        return inject[int(coins() * len(inject))] if coins() < bench.INJECT_RATE else match.group()

    seen: set[str] = set()
    with tempfile.NamedTemporaryFile("w", dir=DATA, delete=False, encoding="utf-8") as out:
        for section in sword_lines(*TREASURY, paragraphs=True):
            if section not in seen:  # the module repeats a comment for each verse it covers
                seen.add(section)
                out.write(_WORD.sub(swap, section) + "\n")
    Path(out.name).replace(path)
    return path


def web_verses() -> list[str]:
    return [v for keys in WEB[1] for v in sword_lines(WEB[0], keys, paragraphs=False)]


def web_corpus(verses: list[str], seed: int, inject: list[str]) -> Path:
    path = DATA / f"heldback-web-s{seed}-r{RECIPE}.txt"
    if not path.exists():
        generate_dense(path, verses, seed, inject)
    return path


def web_tables(verses: list[str]) -> dict[int, BenchTable]:
    """bench.py's dense tables, built from the WEB's names (written under their own names)."""
    return build_dense_tables(verses, TABLE_SIZES, recipe=f"{bench.DENSE_RECIPE}-web{RECIPE}")


def summary(runs: list[Run], corpus: str) -> list[str]:
    """The issues' ratios on one workload: x flashtext and x flashtext2 (table-only with the
    log), apply / table-only, and 100,000 variants against 1,000."""
    rows = [
        f"### {corpus}",
        "",
        "| variants | table-only MB/s | x flashtext (lines) | x flashtext2 (whole) "
        "| x flashtext2 (lines) | apply / table-only |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    table_only = {}
    for size in TABLE_SIZES:
        mine = find(runs, "normalise (table only)", size, corpus)
        if mine is None:
            continue
        table_only[size] = mine.mbps
        cells = [f"{size:,}", f"{mine.mbps:.1f}"]
        for peer in (
            "flashtext (line by line)",
            "flashtext2 (whole text)",
            "flashtext2 (line by line)",
        ):
            other = find(runs, peer, size, corpus)
            cells.append(f"{mine.mbps / other.mbps:.2f}x" if other else "–")
        apply = find(runs, "normalise (phonetic apply)", size, corpus)
        cells.append(f"{mine.mbps / apply.mbps:.2f}x" if apply else "–")
        rows.append("| " + " | ".join(cells) + " |")
    low, high = min(TABLE_SIZES), max(TABLE_SIZES)
    if low in table_only and high in table_only:
        rows += [
            "",
            f"{high:,} variants against {low:,}: "
            f"{table_only[low] / table_only[high]:.2f}x the time",
        ]
    return [*rows, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=("treasury", "web", "all"), default="all")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--prepare", action="store_true", help="build the texts and tables, time nothing"
    )
    args = parser.parse_args(argv)
    bench.CLOCK = time.process_time
    DATA.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    corpora: list[str] = []
    if args.workload in ("treasury", "all"):
        log("held back: Treasury of David with GeoNames variants ...")
        tables = build_tables(TABLE_SIZES)
        path = treasury_corpus(args.seed, sorted(tables[min(TABLE_SIZES)].pairs))
        name = f"Treasury {path.stat().st_size / MB:.1f} MB"
        corpora.append(name)
        if not args.prepare:
            bench_size(name, path, tables, True, runs)
    if args.workload in ("web", "all"):
        log("held back: World English Bible with its own names ...")
        verses = web_verses()
        tables = web_tables(verses)
        inject = sorted(v for e in tables[min(TABLE_SIZES)].table.entries for v in e.variants)
        path = web_corpus(verses, args.seed, inject)
        name = f"WEB {path.stat().st_size / MB:.1f} MB"
        corpora.append(name)
        if not args.prepare:
            bench_size(name, path, tables, True, runs)
    if args.prepare:
        print("prepared: " + ", ".join(corpora))
        return 0
    from normalise.core import selected

    print(f"core: {selected()}; CPU time; library best of 2 (bench.py's run_library)")
    print()
    for corpus in corpora:
        print("\n".join(summary(runs, corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
