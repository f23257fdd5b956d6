"""``normalise report``: a static page of a run's log (no script, no external asset)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from normalise import cli
from normalise.report import report_parser, summarise
from normalise.review import review_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _record(original, entry, rule="table", score=1.0, file="a.txt"):
    return json.dumps(
        {
            "file": file,
            "line": 1,
            "column": 0,
            "original": original,
            "replacement": entry,
            "start": 0,
            "end": len(original),
            "out_start": 0,
            "out_end": len(entry),
            "rule": rule,
            "entry": entry,
            "score": score,
        }
    )


def test_report_of_a_real_run(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(
        "Taleban fighters took Taliqan and Kondooz.\n", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text("The Taleban left.\n", encoding="utf-8")
    log = tmp_path / "run.jsonl"
    assert (
        cli.main(
            [
                "--log",
                str(log),
                "-o",
                str(tmp_path / "out.txt"),
                str(tmp_path / "a.txt"),
                str(tmp_path / "b.txt"),
            ]
        )
        == 0
    )
    page = tmp_path / "report.html"
    assert cli.main(["report", str(log), "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )  # nothing to fetch
    assert html.count("<svg") == 3  # entries, scores, files
    assert ">Taliban</text>" in html and "threshold 0.86" in html
    assert re.search(r"<b>4</b>substitutions applied", html)
    assert "normalise report: 4 records" in capsys.readouterr().err


def test_counts_and_score_bins(tmp_path):
    log = tmp_path / "run.jsonl"
    log.write_text(
        "\n".join(
            [_record("Taleban", "Taliban")] * 3
            + [
                _record("Kondooz", "Kunduz", "phonetic", 0.93, "b.txt"),
                _record("Kundoz", "Kunduz", "phonetic-ambiguous", 0.71),
                "",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    summary = summarise([str(log)])
    assert summary.records == 5
    assert summary.entries == {"Taliban": 3, "Kunduz": 1}
    assert summary.files == {"a.txt": 3, "b.txt": 1}
    assert summary.scores["phonetic"] == {21: 1}  # (0.93 - 0.5) / 0.02
    assert summary.scores["phonetic-ambiguous"] == {10: 1}


def test_bad_record_names_log_and_line_and_writes_nothing(tmp_path, capsys):
    log = tmp_path / "run.jsonl"
    log.write_text(_record("Taleban", "Taliban") + "\n{not json\n", encoding="utf-8")
    page = tmp_path / "report.html"
    assert cli.main(["report", str(log), "-o", str(page)]) == 2
    err = capsys.readouterr().err
    assert f"{log}:2:" in err and "Traceback" not in err
    assert not page.exists() and list(tmp_path.iterdir()) == [log]
    assert cli.main(["report", str(tmp_path / "missing.jsonl"), "-o", str(page)]) == 2


def test_labels_are_escaped(tmp_path):
    log = tmp_path / "run.jsonl"
    log.write_text(_record("<b>x", "<script>alert(1)</script>") + "\n", encoding="utf-8")
    page = tmp_path / "r.html"
    assert cli.main(["report", str(log), "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_every_flag_of_review_and_report_is_in_the_readme():
    for parser in (review_parser(), report_parser()):
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert f"`{flag}" in README or f"{flag}`" in README, flag
    for command in ("normalise review", "normalise report"):
        assert command in README
