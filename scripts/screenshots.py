"""Take the README's screenshots of ``normalise review`` and ``normalise report`` (docs/*.png).

    python scripts/screenshots.py

Needs chromium, chromedriver and selenium (the test extra). The texts are made up here, so
the pictures show no one's reporting.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from normalise import cli
from normalise.review import ReviewServer, build_session

DOCS = Path(__file__).resolve().parents[1] / "docs"
TEXTS = [
    (
        "Elders of Zorbakhan met the governor of Qalbora on Monday to ask for a new well.\n"
        "Traders from Merikhel sold wheat in Dostabad before the road closed.\n"
    ),
    (
        "Fighting was reported near Zurbakhan, close to Qalbora, late on Tuesday.\n"
        "Merikhil and Dostabad were quiet, officials said.\n"
    ),
    (
        "In Zorbakhan the market reopened. Merikhel sent flour to Dostabad.\n"
        "Refugees reached Kondooz and Taleqan by night.\n"
    ),
    "Aid reached Merikhil and then Dostabad. Convoys left Qunduz for Taliqan.\n",
]


def browser() -> webdriver.Chrome:
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,560",
        f"--user-data-dir={tempfile.mkdtemp(prefix='normalise-shots-')}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "chromedriver"), options=options
    )


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="normalise-shots-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for n, text in enumerate(TEXTS):
        (corpus / f"report-{n + 1}.txt").write_text(text, encoding="utf-8")
    log = work / "run.jsonl"
    cli.main(["--log", str(log), "-o", str(work / "out.txt"), *map(str, corpus.iterdir())])
    session = build_session(str(work / "decisions.yaml"), [str(corpus)], [str(log)], min_count=1)
    server = ReviewServer(session)
    server.start()
    driver = browser()
    try:
        driver.get(server.url)
        time.sleep(1.5)
        driver.find_element("css selector", "body").send_keys("j")
        time.sleep(0.3)
        driver.save_screenshot(str(DOCS / "review.png"))
        cli.main(["report", str(log), "-o", str(work / "report.html")])
        driver.set_window_size(1000, 900)
        driver.get((work / "report.html").as_uri())
        time.sleep(0.5)
        driver.save_screenshot(str(DOCS / "report.png"))
    finally:
        driver.quit()
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {DOCS / 'review.png'} and {DOCS / 'report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
