"""``normalise review`` in a real browser: Debian's chromium and chromedriver driven by Selenium.

A person's clicks and keys go through the page to the server, and the table file it writes is
checked as ``normalise check`` would and used to normalise the texts. The browser is needed:
where chromium or chromedriver is missing the tests skip, except under CI (CI=true), where
``.ci/run`` installs them and a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from normalise import Normaliser
from normalise.check import check_tables
from normalise.review import ReviewServer, build_session

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REPORTS = sorted(SEEDS.glob("[0-9]*.txt")) if SEEDS.is_dir() else []
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,900",
)

# Three reports of my own, each in its own words: two names spelt two ways each, and a
# name that sounds like one of them but stands beside it (two names, never proposed).
FIXTURES = {
    "a.txt": "Elders of Zorbakhan met the governor of Qalbora on Monday.\n"
    "The road from Qalbora to Zorbakhan was closed.\n"
    "Traders from Merikhel sold wheat in Dostabad.\n",
    "b.txt": "Fighting was reported near Zurbakhan, close to Qalbora.\n"
    "Families fled Zurbakhan for Qalbora.\n"
    "Merikhil and Dostabad were quiet, officials said.\n",
    "c.txt": "In Zorbakhan the market reopened. Merikhel sent flour to Dostabad.\n"
    "Aid reached Merikhil and then Dostabad.\n",
}


@pytest.fixture(scope="module")
def driver():
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver must be installed (.ci/run installs them)")
        pytest.skip(
            "chromium or chromedriver not installed (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must download nothing
    profile = tempfile.mkdtemp(prefix="normalise-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in HEADLESS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _serve(session):
    server = ReviewServer(session)
    server.start()
    return server


def _wait_items(driver, count=None, timeout=10):
    def ready(d):
        items = d.find_elements("css selector", "section.item")
        counts = d.find_element("id", "counts").text
        if not counts:
            return False
        return items if count is None or len(items) == count else False

    WebDriverWait(driver, timeout).until(ready)
    return driver.find_elements("css selector", "section.item")


def _accept(driver, forms: set[str], timeout=10) -> None:
    """Click the accept button of the item with these spellings. The page may render again
    between finding the item and clicking (a stale element): then find it again."""

    def click(d):
        try:
            for item in _wait_items(d):
                if _spellings(item) == forms:
                    item.find_element("css selector", "button[data-action=accept]").click()
                    return True
        except StaleElementReferenceException:
            return False
        return False

    WebDriverWait(driver, timeout).until(click)


def _spellings(item) -> set[str]:
    return {
        box.get_attribute("data-form") for box in item.find_elements("css selector", "input.tick")
    }


def _press(driver, keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def _wait_table(path: Path, predicate, timeout=10):
    def written(_):
        if not path.exists():
            return False
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return data if predicate(data) else False

    return WebDriverWait(None, timeout, poll_frequency=0.1).until(written)


def test_review_of_own_texts_by_keyboard_and_clicks(driver, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in FIXTURES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    out = tmp_path / "decisions.yaml"
    session = build_session(str(out), [str(corpus)], default_table=False, min_count=2, cache=False)
    assert {frozenset(s["form"] for s in i.spellings) for i in session.items} == {
        frozenset({"Zorbakhan", "Zurbakhan"}),
        frozenset({"Merikhel", "Merikhil"}),
    }
    server = _serve(session)
    try:
        driver.get(server.url)
        items = _wait_items(driver, 2)
        zor = next(i for i, item in enumerate(items) if "Zorbakhan" in _spellings(item))
        # Keyboard: select the Zorbakhan group, change its canonical form, accept with Enter.
        for _ in range(zor):
            _press(driver, "j")
        from selenium.webdriver.support.select import Select

        Select(items[zor].find_element("css selector", "select.kind")).select_by_value("place")
        _press(driver, "c")
        box = items[zor].find_element("css selector", "input.canonical")
        box.clear()
        box.send_keys("Zurbakhan\n")
        data = _wait_table(out, lambda d: d and d.get("entries"))
        assert data["entries"] == [
            {"canonical": "Zurbakhan", "kind": "place", "variants": ["Zorbakhan"]}
        ]
        # The other group: tick Merikhil (key 2 ticks the second spelling) and split it off.
        items = _wait_items(driver, 1)
        assert "Merikhel" in _spellings(items[0])
        forms = [
            b.get_attribute("data-form")
            for b in items[0].find_elements("css selector", "input.tick")
        ]
        _press(driver, str(forms.index("Merikhil") + 1))
        _press(driver, "s")
        items = _wait_items(driver, 2)
        assert sorted(len(_spellings(i)) for i in items) == [1, 1]
        # Reject both parts: Merikhil by a click, Merikhel by its key.
        lone = next(i for i in items if _spellings(i) == {"Merikhil"})
        lone.find_element("css selector", "button[data-action=reject]").click()
        _wait_items(driver, 1)
        _press(driver, "r")
        WebDriverWait(driver, 10).until(lambda d: d.find_element("id", "range").text == "none")
        # A reload loses nothing.
        driver.refresh()
        WebDriverWait(driver, 10).until(
            lambda d: d.find_element("id", "counts").text.startswith("0 to decide")
        )
    finally:
        server.shutdown()
        server.server_close()
    assert check_tables([str(out)]) == []
    # The table makes the texts converge on the chosen spelling; the kept form stays.
    normaliser = Normaliser([str(out)], default_table=False, phonetic="off")
    texts = [normaliser.normalise(t).text for t in FIXTURES.values()]
    assert not any("Zorbakhan" in t for t in texts)
    assert all("Zurbakhan" in t for t in texts if "Zur" in t or "Zor" in t)
    assert "Merikhil" in texts[1] and "Merikhel" in texts[0]
    # A second review of the same corpus shows nothing new.
    again = build_session(str(out), [str(corpus)], default_table=False, min_count=2, cache=False)
    assert [i for i in again.items if i.id not in again.decisions] == []
    assert {d["action"] for d in again.decisions.values()} == {"accept", "reject", "split"}

    # The records of a run: the phonetic matcher read Zorbakhen as Zurbakhan (a place entry
    # named nearby is its evidence); the person keeps it as written (key w), and the next run
    # leaves it alone.
    text = "Refugees left Zurbakhan and reached Zorbakhen by night.\n"
    (tmp_path / "run.txt").write_text(text, encoding="utf-8")
    log = tmp_path / "run.jsonl"
    Normaliser([str(out)], default_table=False)  # the table loads
    from normalise import cli

    assert (
        cli.main(
            [
                "--no-default-table",
                "-t",
                str(out),
                "--log",
                str(log),
                "-o",
                str(tmp_path / "run.out"),
                str(tmp_path / "run.txt"),
            ]
        )
        == 0
    )
    assert '"rule": "phonetic"' in log.read_text(encoding="utf-8")
    session = build_session(str(out), logs=[str(log)], default_table=False, cache=False)
    server = _serve(session)
    try:
        driver.get(server.url)
        items = _wait_items(driver, 1)
        assert "Zorbakhen" in items[0].find_element("css selector", "table.kwic").text
        _press(driver, "w")
        _wait_table(out, lambda d: d.get("keep") == ["Zorbakhen"])
    finally:
        server.shutdown()
        server.server_close()
    assert check_tables([str(out)]) == []
    kept = Normaliser([str(out)], default_table=False)
    assert kept.normalise(text).text == text


@pytest.mark.skipif(not REPORTS, reason="../shared/seeds is not beside the repo")
def test_review_of_the_reference_reports_makes_them_converge(driver, tmp_path):
    out = tmp_path / "seeds.yaml"
    session = build_session(str(out), [str(SEEDS)], default_table=False, cache=False)
    server = _serve(session)
    try:
        driver.get(server.url)
        wanted = [{"Taliban", "Taleban"}, {"Taloqan", "Taleqan", "Taliqan"}]
        for forms in wanted:
            _accept(driver, forms)
            _wait_table(
                out,
                lambda d, forms=forms: (
                    d
                    and any(
                        {e["canonical"], *e["variants"]} == forms for e in d.get("entries") or ()
                    )
                ),
            )
    finally:
        server.shutdown()
        server.server_close()
    assert check_tables([str(out)]) == []
    normaliser = Normaliser([str(out)], default_table=False, phonetic="off")
    inputs = [p.read_text(encoding="utf-8") for p in REPORTS]
    outputs = [normaliser.normalise(text).text for text in inputs]
    for canonical, variants in (("Taliban", ("Taleban",)), ("Taloqan", ("Taleqan", "Taliqan"))):
        named = [
            out
            for text, out in zip(inputs, outputs, strict=False)
            if any(f in text for f in (canonical, *variants))
        ]
        assert len(named) >= 4
        # Every report that names the place or the movement now spells it one way.
        assert all(canonical in out and not any(v in out for v in variants) for out in named)
