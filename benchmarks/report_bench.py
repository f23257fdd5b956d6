"""Time ``normalise report`` on a large run's log, and the browser on the page it writes.

    python benchmarks/report_bench.py [--mb 100] [--keep DIR]

A deterministic log of about ``--mb`` megabytes is generated (records shaped as the command
writes them: the default table's entries, 2,000 files, 80 % table, 15 % phonetic, 5 %
phonetic-suggest or -ambiguous records with scores from 0.70 to 1.00). The report is written
with ``normalise report`` (wall time and the page's size are printed), then opened in headless
chromium through Selenium when chromium and chromedriver are installed: the time from
navigation start to the end of the load event is the page's render time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_log(path: Path, megabytes: int) -> int:
    from normalise.table import load_table

    entries = load_table("default").entries
    rng = random.Random(21)
    target = megabytes * 1_000_000
    written = records = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            entry = rng.choice(entries)
            variants = entry.variants or (entry.canonical,)
            original = rng.choice(variants)
            roll = rng.random()
            rule, score = "table", 1.0
            if roll > 0.80:
                rule, score = "phonetic", round(rng.uniform(0.86, 1.0), 4)
            if roll > 0.95:
                rule = rng.choice(("phonetic-suggest", "phonetic-ambiguous"))
                score = round(rng.uniform(0.70, 0.95), 4)
            start = rng.randrange(1_000_000)
            record = {
                "file": f"corpus/{rng.randrange(2000):04d}.txt",
                "line": rng.randrange(1, 5000),
                "column": rng.randrange(80),
                "original": original,
                "replacement": entry.canonical,
                "start": start,
                "end": start + len(original),
                "out_start": start,
                "out_end": start + len(entry.canonical),
                "rule": rule,
                "entry": entry.canonical,
                "score": score,
            }
            line = json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            records += 1
    return records


def render_time(page: Path) -> float | None:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tempfile.mkdtemp(prefix="normalise-bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        browser.get(page.resolve().as_uri())
        timing = browser.execute_script(
            "const t = performance.getEntriesByType('navigation')[0];"
            "return [t.startTime, t.loadEventEnd];"
        )
        return (timing[1] - timing[0]) / 1000
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--keep", metavar="DIR", help="write the log and page here")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="normalise-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    log, page = folder / "run.jsonl", folder / "report.html"
    records = make_log(log, args.mb)
    size = log.stat().st_size / 1e6
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "normalise", "report", str(log), "-o", str(page)], check=True
    )
    written = time.perf_counter() - started
    print(f"log: {size:.1f} MB, {records:,} records")
    print(
        f"normalise report: {written:.2f} s ({size / written:.1f} MB/s), "
        f"page {page.stat().st_size / 1000:.1f} kB"
    )
    seconds = render_time(page)
    print(
        "browser: chromium not installed"
        if seconds is None
        else f"browser: page loaded and rendered in {seconds * 1000:.0f} ms"
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
