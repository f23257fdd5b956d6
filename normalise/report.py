"""``normalise report LOG -o report.html``: what a run changed, at a glance, in one static file.

Why a static file: it can be mailed, archived beside the corpus, and opened years later without
normalise, a server or the network. The charts are inline SVG and the page has no script and no
external asset; however large the log, the page holds only aggregates (the top entries, files
and spellings, a histogram of phonetic scores), so it opens at once.

The log is read one record at a time, so memory stays bounded by the number of distinct
entries, files and spellings, not the number of records.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO, cast

from .atomic import write_file
from .errors import InputError
from .log import read_log

#: Rows shown in each "most" chart or table.
TOP = 25
#: Width of a bin of the score histogram.
BIN = 0.02
#: The lowest score the histogram shows (scores below are counted in its first bin).
LOWEST = 0.5
PHONETIC_RULES = ("phonetic", "phonetic-suggest", "phonetic-ambiguous")
COLOURS = {
    "table": "#1a5fb4",
    "phonetic": "#26a269",
    "phonetic-suggest": "#e5a50a",
    "phonetic-ambiguous": "#c01c28",
    "table-suggest": "#9141ac",
}
#: Distinct spellings remembered (beyond it only those already seen are counted).
MAX_PAIRS = 200_000


@dataclass
class Summary:
    """Counts of a run's log (or several logs)."""

    records: int = 0
    logs: list[str] = field(default_factory=list)
    rules: Counter[str] = field(default_factory=Counter)
    entries: Counter[str] = field(default_factory=Counter)  # applied substitutions per entry
    files: Counter[str] = field(default_factory=Counter)  # applied substitutions per input file
    pairs: Counter[tuple[str, str, str]] = field(
        default_factory=Counter
    )  # (original, replacement, rule)
    scores: dict[str, Counter[int]] = field(default_factory=dict)  # rule -> bin -> records

    def add(self, record: dict[str, Any]) -> None:
        rule = record["rule"]
        self.records += 1
        self.rules[rule] += 1
        if rule in ("table", "phonetic"):
            self.entries[record["entry"]] += 1
            self.files[record.get("file", "-")] += 1
        key = (record["original"], record["replacement"], rule)
        if key in self.pairs or len(self.pairs) < MAX_PAIRS:
            self.pairs[key] += 1
        if rule in PHONETIC_RULES:
            score = float(record.get("score", 0.0))
            index = max(0, int((min(score, 1.0) - LOWEST) / BIN + 1e-9))
            self.scores.setdefault(rule, Counter())[index] += 1


def summarise(paths: Sequence[str]) -> Summary:
    """Read logs; raise :class:`~normalise.errors.LogError` naming the log and line of a bad
    record (:func:`normalise.log.read_log`, the parser ``undo`` uses)."""
    summary = Summary()
    for path in paths:
        summary.logs.append(path)
        with _open(path, "r", encoding="utf-8", errors="surrogateescape") as stream:
            for record in read_log(stream, path):  # summary lines checked and skipped
                summary.add(record)
    return summary


def _open(path: str, mode: str, **kwargs: Any) -> TextIO:
    """Open a log, or raise InputError naming it."""
    try:
        return cast(TextIO, open(path, mode, **kwargs))  # the caller closes it (with)
    except OSError as err:
        raise InputError(err.strerror or str(err), file=path) from None


# ---------------------------------------------------------------- HTML


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def bar_chart(rows: Sequence[tuple[str, int]], title: str, colour: str = "#1a5fb4") -> str:
    """A horizontal bar chart as inline SVG, labels left and counts right."""
    if not rows:
        return f"<p class=none>{_esc(title)}: none</p>"
    height, label_width, width = 18, 260, 720
    top = max(n for _, n in rows)
    parts = [
        (
            f'<svg role="img" aria-label="{_esc(title)}" width="{width}" '
            f'height="{height * len(rows) + 4}" viewBox="0 0 {width} {height * len(rows) + 4}">'
        )
    ]
    for i, (label, n) in enumerate(rows):
        y = i * height + 2
        bar = max(1, round((width - label_width - 70) * n / top))
        short = label if len(label) <= 38 else label[:36] + "\u2026"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
            f"<title>{_esc(label)}</title>{_esc(short)}</text>"
            f'<rect x="{label_width}" y="{y + 2}" width="{bar}" height="{height - 5}" '
            f'fill="{colour}"/><text x="{label_width + bar + 4}" y="{y + 13}">{n:,}'
            f"</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def score_histogram(scores: dict[str, Counter[int]], threshold: float) -> str:
    """Phonetic records by score, stacked by rule, with the threshold marked."""
    if not scores:
        return "<p class=none>No phonetic decisions in this log.</p>"
    bins = round((1.0 - LOWEST) / BIN) + 1
    totals = [sum(c.get(i, 0) for c in scores.values()) for i in range(bins)]
    top = max(totals) or 1
    width, height, left, bottom = 720, 220, 50, 30
    step = (width - left - 10) / bins

    def x_of(score: float) -> float:
        return left + (score - LOWEST) / BIN * step

    parts = [
        (
            f'<svg role="img" aria-label="phonetic decisions by score" width="{width}" '
            f'height="{height + bottom}" viewBox="0 0 {width} {height + bottom}">'
        ),
        f'<line x1="{left}" y1="{height}" x2="{width - 10}" y2="{height}" stroke="#888"/>',
        f'<text x="{left - 6}" y="12" text-anchor="end">{top:,}</text>',
        f'<text x="{left - 6}" y="{height}" text-anchor="end">0</text>',
    ]
    for i in range(bins):
        y: float = height
        for rule in PHONETIC_RULES:
            n = scores.get(rule, Counter()).get(i, 0)
            if not n:
                continue
            h = (height - 20) * n / top
            y -= h
            parts.append(
                f'<rect x="{left + i * step + 1:.1f}" y="{y:.1f}" '
                f'width="{step - 2:.1f}" height="{h:.1f}" fill="{COLOURS[rule]}">'
                f"<title>{rule} {LOWEST + i * BIN:.2f}\u2013"
                f"{LOWEST + (i + 1) * BIN:.2f}: {n:,}</title></rect>"
            )
    for tick in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        parts.append(
            f'<text x="{x_of(tick):.1f}" y="{height + 16}" text-anchor="middle">{tick:.1f}</text>'
        )
    x = x_of(threshold)
    parts.append(
        f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height}" stroke="#c01c28" '
        f'stroke-dasharray="4 3" stroke-width="2"/><text x="{x + 4:.1f}" y="14" '
        f'fill="#c01c28">threshold {threshold:.2f}</text>'
    )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class=key style="--c:{COLOURS[r]}">{r}</span>'
        for r in PHONETIC_RULES
        if r in scores
    )
    return "".join(parts) + f"<p>{legend}</p>"


def render(summary: Summary, threshold: float, title: str = "normalise report") -> str:
    """The report page (no script, no external asset)."""
    applied = summary.rules.get("table", 0) + summary.rules.get("phonetic", 0)
    rules = sorted(summary.rules.items(), key=lambda kv: -kv[1])
    pairs = summary.pairs.most_common(TOP * 2)
    rows = "".join(
        f"<tr><td>{_esc(o)}</td><td>{_esc(r)}</td><td>{_esc(rule)}</td><td class=n>{n:,}</td></tr>"
        for (o, r, rule), n in pairs
    )
    rule_bars = "".join(
        f'<div class=rule><span class=key style="--c:{COLOURS.get(r, "#666")}">{_esc(r)}'
        f"</span> {n:,}</div>"
        for r, n in rules
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 980px; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 28px; }}
svg text {{ font-size: 12px; fill: #222; }}
.totals {{ display: flex; gap: 24px; flex-wrap: wrap; }}
.totals div {{ border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; }}
.totals b {{ display: block; font-size: 20px; }}
.key::before {{ content: ""; display: inline-block; width: 10px; height: 10px;
               background: var(--c); margin-right: 4px; }}
.rule {{ display: inline-block; margin-right: 18px; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 2px 10px; border-bottom: 1px solid #eee;
  text-align: left; }} td.n {{ text-align: right; }}
.none {{ color: #666; }}
</style></head><body>
<h1>{_esc(title)}</h1>
<p>From {", ".join(_esc(p) for p in summary.logs)}.</p>
<div class=totals>
<div><b>{summary.records:,}</b>records</div>
<div><b>{applied:,}</b>substitutions applied</div>
<div><b>{len(summary.entries):,}</b>entries used</div>
<div><b>{len(summary.files):,}</b>files changed</div>
</div>
<h2>Records per rule</h2>
<p>{rule_bars or "none"}</p>
<h2>Substitutions per entry (top {TOP})</h2>
{bar_chart(summary.entries.most_common(TOP), "substitutions per entry")}
<h2>Phonetic decisions by score</h2>
{score_histogram(summary.scores, threshold)}
<h2>Files with most changes (top {TOP})</h2>
{bar_chart(summary.files.most_common(TOP), "substitutions per file", "#26a269")}
<h2>Most frequent changes</h2>
<table><tr><th>original</th><th>replacement</th><th>rule</th><th>records</th></tr>{rows}</table>
</body></html>
"""


def write_report(paths: Iterable[str], output: str, threshold: float) -> Summary:
    """Summarise logs and write the page atomically (never a half-written file)."""
    summary = summarise(list(paths))
    text = render(summary, threshold)
    write_file(output, text.encode("utf-8"))
    return summary


def report_parser() -> argparse.ArgumentParser:
    """The arguments of ``normalise report``."""
    from . import cliargs as cli
    from .phonetic import DEFAULT_MIN_SCORE

    parser = cli._Parser(
        prog="normalise report",
        description="Write a static HTML report (inline SVG charts, no "
        "external assets) of substitution logs.",
    )
    parser.add_argument("logs", nargs="+", metavar="LOG", help="substitution logs (JSON Lines)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="PATH", help="the HTML file to write (atomically)"
    )
    parser.add_argument(
        "--min-score",
        type=cli._score,
        default=DEFAULT_MIN_SCORE,
        metavar="X",
        help=f"the threshold to mark on the score chart (default {DEFAULT_MIN_SCORE})",
    )
    return parser


def run_report(argv: Sequence[str]) -> int:
    """The ``normalise report`` command."""
    from . import cliargs as cli

    args = report_parser().parse_args(argv)
    summary = write_report(args.logs, args.output, args.min_score)
    print(f"normalise report: {summary.records:,} records -> {args.output}", file=sys.stderr)
    return cli.EXIT_OK
