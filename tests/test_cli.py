"""End-to-end tests of the ``normalise`` command (issue 4): every flag, command and guarantee,
driven through the command's entry point with the working directory set to a temporary
directory: in this process (``main(argv)``, standard input and output as bytes: see
conftest.run_main) where the process boundary is not what is tested, and in a new process
(``python -m normalise``) for signals, broken pipes, ``--jobs`` and its workers, output that
starts before input ends, memory, and the module entry point itself.

The tests load only tests/fixtures/cli_table.yaml (``--no-default-table --table ...``) so they
do not depend on the bundled default table. Every run asserts that no Python traceback reaches
standard error.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import assert_quiet_broken_pipe, run_main
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "fixtures" / "cli_table.yaml"
#: A run that loads only the fixture table, without the phonetic matcher.
BASE = ["--no-default-table", "--phonetic", "off", "--table", str(TABLE)]
#: A run that loads no table at all: the identity on any bytes.
IDENTITY = ["--no-default-table", "--phonetic", "off"]
#: What the fixture table does to the words the tests use.
REWRITES = {
    "Taleban": "Taliban",
    "Taleqan": "Taloqan",
    "Taliqan": "Taloqan",
    "US": "U.S.",
    "Kiev": "Kyiv",
    "Київ": "Kyiv",
    "Mazar e Sharif": "Mazar-i-Sharif",
    "Mazar-e-Sharif": "Mazar-i-Sharif",
    "neighbourhood": "neighborhood",
}
LOG_FIELDS = {
    "file",
    "line",
    "column",
    "start",
    "end",
    "out_start",
    "out_end",
    "original",
    "replacement",
    "rule",
    "entry",
    "score",
}
#: Characters (bytes, for UTF-8) per chunk: normalise.stream.CHUNK_CHARS, with or without --jobs.
CHUNK_CHARS = 1 << 20
READ_SIZE = 1 << 20
TIMEOUT = 60


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONUNBUFFERED", None)  # test the buffering users get
    return env


ENV = _env()


def command(*args) -> list[str]:
    return [sys.executable, "-m", "normalise", *map(str, args)]


def run(
    args, cwd, input: bytes = b"", timeout: float = TIMEOUT, *, process: bool | None = None
) -> subprocess.CompletedProcess:
    """``normalise ARGS`` in ``cwd``: through ``main`` in this process (conftest.run_main), or
    in a new one (``python -m normalise``) with ``process=True`` and always with ``--jobs``,
    whose worker processes are part of what is run."""
    if process is None:
        process = any(str(a) in ("--jobs", "-j") or str(a).startswith("--jobs=") for a in args)
    if not process:
        return run_main(args, cwd, input)
    proc = subprocess.run(
        command(*args),
        input=input,
        capture_output=True,
        cwd=cwd,
        env=ENV,
        timeout=timeout,
        check=False,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    return proc


def norm(cwd, *args, input: bytes = b"") -> subprocess.CompletedProcess:
    """Run the filter with the fixture table only."""
    return run([*BASE, *args], cwd, input)


def ok(proc: subprocess.CompletedProcess) -> bytes:
    assert proc.returncode == 0, (proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


def assert_one_line_error(proc, *names, status: int = 2) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == status, (proc.returncode, err)
    lines = err.splitlines()
    if len(lines) == 2 and lines[1].startswith("normalise: hint: "):
        lines = lines[:1]  # what to do about it, on a line of its own
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert lines[0].startswith("normalise"), lines[0]
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]


def assert_no_temp_files(directory: Path, expected: set[str]) -> None:
    assert set(os.listdir(directory)) == expected


def rewrite(text: str) -> str:
    for old, new in REWRITES.items():
        text = text.replace(old, new)
    return text


def records(log: bytes | str) -> list[dict]:
    if isinstance(log, bytes):
        log = log.decode("utf-8")
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    return [r for r in lines if "summary" not in r]  # each input's last line: its summary


def expected_positions(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """(1-based line, 0-based column) of sorted character offsets; CRLF, LF and CR each end a
    line."""
    out = []
    line, line_start, pos = 1, 0, 0
    for start in starts:
        assert start >= pos
        line += (
            text.count("\n", pos, start)
            + text.count("\r", pos, start)
            - text.count("\r\n", pos, start)
        )
        last = max(text.rfind("\n", pos, start), text.rfind("\r", pos, start))
        if last >= 0:
            line_start = last + 1
        out.append((line, start - line_start))
        pos = start
    return out


def check_records(
    data_in: bytes, data_out: bytes, recs: list[dict], name: str, encoding: str = "utf-8"
) -> None:
    """Every record has the fields of the contract and its values index the file's text."""
    text = data_in.decode(encoding, "surrogateescape")
    out = data_out.decode(encoding, "surrogateescape")
    for r in recs:
        assert LOG_FIELDS <= set(r) <= LOG_FIELDS | {"note"}, r
        assert r["file"] == name
        for key in ("line", "column", "start", "end", "out_start", "out_end"):
            assert isinstance(r[key], int) and r[key] >= 0, r
        assert isinstance(r["score"], (int, float)) and 0 <= r["score"] <= 1, r
        assert text[r["start"] : r["end"]] == r["original"], r
        if r["rule"] in ("table", "phonetic"):
            assert out[r["out_start"] : r["out_end"]] == r["replacement"], r
        else:
            assert out[r["out_start"] : r["out_end"]] == r["original"], r
    starts = [r["start"] for r in recs]
    assert starts == sorted(starts)
    got = [(r["line"], r["column"]) for r in recs]
    assert got == expected_positions(text, starts)


#: A variant no table form covers, beside another name of the table: the phonetic matcher's
#: evidence (issue 15), so that ``apply`` rewrites it.
PHONETIC_TEXT = b"Troops left Taloqon for Mazar-i-Sharif today.\n"


def _bundled() -> dict[str, Path]:
    from normalise import bundled_tables

    return bundled_tables()


# ------------------------------------------------------------------------------- big inputs

FILLER = [
    "plain",
    "words",
    "fill",
    "most",
    "of",
    "this",
    "line",
    "without",
    "any",
    "variant",
    "spelling",
    "at",
    "all",
    "café",
    "naïve",
    "us",
    "façade",
    "über",
]
SPECIAL = [*list(REWRITES), "(US)", "Taliban", "Kyiv"]


def make_text(
    size: int, seed: int, every: int = 15, endings=("\n", "\r\n", "\r")
) -> tuple[str, str]:
    """A text of about ``size`` characters of lines with mixed endings and sparse variants, and
    the text the fixture table makes of it."""
    rng = random.Random(seed)
    pool_in, pool_out = [], []
    for i in range(400):
        words = [rng.choice(FILLER) for _ in range(rng.randint(4, 16))]
        if i % 3 == 0:
            words[rng.randrange(len(words))] = rng.choice(SPECIAL)
        line = " ".join(words)
        ending = rng.choice(endings)
        pool_in.append(line + ending)
        pool_out.append(rewrite(line) + ending)
    picks, total, count = [], 0, 0
    while total < size:
        pick = rng.randrange(len(pool_in))
        count += 1
        if pick % 3 == 0 and count % every:
            continue  # keep variants sparse
        picks.append(pick)
        total += len(pool_in[pick])
    return "".join(pool_in[p] for p in picks), "".join(pool_out[p] for p in picks)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """About 9.5 MB (several chunks even at the jobs-mode chunk size) and its expected output."""
    directory = tmp_path_factory.mktemp("big")
    text, expected = make_text(9_500_000, seed=7)
    path = directory / "big.txt"
    path.write_bytes(text.encode("utf-8"))
    return path, expected.encode("utf-8")


def dense_file(
    path: Path, size: int = 8_000_000, line: bytes = b"Taleban Taliqan US Kiev\n"
) -> bytes:
    """A file with many variants: slow enough to interrupt."""
    data = line * (size // len(line))
    path.write_bytes(data)
    return data


# ------------------------------------------------------------------------------- basics


@pytest.mark.parametrize("process", [False, True], ids=["main", "python -m normalise"])
def test_stdin_to_stdout(tmp_path, process):
    data = b"The Taleban left Taliqan; US and us.\n"
    out = ok(run([*BASE], tmp_path, data, process=process))
    assert out == b"The Taliban left Taloqan; U.S. and us.\n"


def test_empty_input(tmp_path):
    proc = norm(tmp_path, input=b"")
    assert ok(proc) == b""
    assert proc.stderr == b""


def test_files_and_stdin_in_order(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"first Taleban\n")
    (tmp_path / "b.txt").write_bytes(b"third Kiev")
    out = ok(norm(tmp_path, "a.txt", "-", "b.txt", input=b"second US\n"))
    assert out == b"first Taliban\nsecond U.S.\nthird Kyiv"


def test_output_file_is_written_atomically(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Taleban\r\n")
    proc = norm(tmp_path, "-o", "out.txt", "a.txt")
    assert ok(proc) == b""
    assert (tmp_path / "out.txt").read_bytes() == b"Taliban\r\n"
    assert_no_temp_files(tmp_path, {"a.txt", "out.txt"})


def test_output_file_replaces_an_existing_one(tmp_path):
    (tmp_path / "out.txt").write_bytes(b"old content, much longer than the new one\n" * 100)
    ok(norm(tmp_path, "--output", "out.txt", input=b"US\n"))
    assert (tmp_path / "out.txt").read_bytes() == b"U.S.\n"
    assert_no_temp_files(tmp_path, {"out.txt"})


@pytest.mark.parametrize("problem", ["missing input", "bad table"])
def test_output_file_not_created_on_error(tmp_path, problem):
    (tmp_path / "a.txt").write_bytes(b"Taleban\n")
    (tmp_path / "bad.yaml").write_text(
        "entries:\n  - canonical: X\n    kind: nonsense\n    variants: [Y]\n"
    )
    args = (
        ["a.txt", "missing.txt"] if problem == "missing input" else ["--table", "bad.yaml", "a.txt"]
    )
    proc = norm(tmp_path, "-o", "out.txt", "--log", "log.jsonl", *args)
    assert_one_line_error(proc, "missing.txt" if problem == "missing input" else "bad.yaml")
    assert_no_temp_files(tmp_path, {"a.txt", "bad.yaml"})


def test_in_place_rewrites_each_file_and_keeps_its_mode(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"Taleban\n")
    b.write_bytes(b"nothing\r\nUS")
    a.chmod(0o640)
    proc = norm(tmp_path, "--in-place", "a.txt", "b.txt")
    assert ok(proc) == b""
    assert a.read_bytes() == b"Taliban\n"
    assert b.read_bytes() == b"nothing\r\nU.S."
    assert a.stat().st_mode & 0o777 == 0o640
    assert_no_temp_files(tmp_path, {"a.txt", "b.txt"})


def test_in_place_with_backup(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"in Taleqan\n")
    ok(norm(tmp_path, "-i", "--backup", ".orig", "a.txt"))
    assert (tmp_path / "a.txt").read_bytes() == b"in Taloqan\n"
    assert (tmp_path / "a.txt.orig").read_bytes() == b"in Taleqan\n"
    assert_no_temp_files(tmp_path, {"a.txt", "a.txt.orig"})


def test_in_place_with_a_missing_file_changes_nothing(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Taleban\n")
    proc = norm(tmp_path, "--in-place", "a.txt", "missing.txt")
    assert_one_line_error(proc, "missing.txt")
    assert (tmp_path / "a.txt").read_bytes() == b"Taleban\n"
    assert_no_temp_files(tmp_path, {"a.txt"})


def test_repeated_tables(tmp_path):
    (tmp_path / "more.yaml").write_text(
        "entries:\n  - canonical: Kunduz\n    kind: place\n    variants: [Qonduz, Kondoz]\n",
        encoding="utf-8",
    )
    out = ok(norm(tmp_path, "-t", "more.yaml", input=b"Taleban in Kondoz\n"))
    assert out == b"Taliban in Kunduz\n"


def test_bundled_table_by_name(tmp_path):
    bundled = {n: p for n, p in _bundled().items() if n != "default"}
    name, path = min(bundled.items())
    text = b"The colour of the neighbourhood centre; the color of the center.\n"
    by_name = run(["--no-default-table", "--phonetic", "off", "--table", name], tmp_path, text)
    by_path = run(["--no-default-table", "--phonetic", "off", "--table", path], tmp_path, text)
    assert ok(by_name) == ok(by_path)


def test_unknown_table_is_an_error(tmp_path):
    proc = run(["--no-default-table", "--table", "no-such-table"], tmp_path, b"x\n")
    assert_one_line_error(proc, "no-such-table")


def test_default_table_loads_without_flags(tmp_path):
    proc = run(["--phonetic", "off"], tmp_path, b"a plain line on the Taleban\n")
    assert ok(proc) == b"a plain line on the Taliban\n"


# ------------------------------------------------------------------------------- phonetic


@pytest.mark.parametrize("mode", ["off", "suggest", "apply"])
def test_phonetic_modes(tmp_path, mode):
    text = PHONETIC_TEXT
    args = ["--no-default-table", "--table", TABLE, "--phonetic", mode, "--log", "log.jsonl"]
    out = ok(run(args, tmp_path, text))
    recs = records((tmp_path / "log.jsonl").read_bytes())
    if mode == "apply":
        assert out == b"Troops left Taloqan for Mazar-i-Sharif today.\n"
        assert [r["rule"] for r in recs] == ["phonetic"]
        assert 0 < recs[0]["score"] < 1
    else:
        assert out == text
        assert [r["rule"] for r in recs] == ([] if mode == "off" else ["phonetic-suggest"])
    check_records(text, out, recs, "-")
    if mode == "apply":
        undone = run(["undo", "--log", "log.jsonl"], tmp_path, out)
        assert ok(undone) == text


def test_min_score_stops_weak_matches(tmp_path):
    text = PHONETIC_TEXT
    common = ["--no-default-table", "--table", TABLE, "--phonetic", "apply"]
    assert ok(run([*common, "--min-score", "0.5"], tmp_path, text)) != text
    assert ok(run([*common, "--min-score", "0.99"], tmp_path, text)) == text
    shown = ok(run(["explain", *common[:-2], "--min-score", "0.97", "Taloqon"], tmp_path))
    assert b"0.97" in shown


@pytest.mark.parametrize("value", ["0", "1", "0.5"])
def test_min_score_accepts_0_to_1(tmp_path, value):
    assert ok(norm(tmp_path, "--min-score", value, input=b"Taleban\n")) == b"Taliban\n"


# ------------------------------------------------------------------------------- the log


def test_log_records(tmp_path):
    data = b"The Taleban entered Taliqan.\nUS troops met us in Mazar e Sharif\n"
    out = ok(norm(tmp_path, "--log", "log.jsonl", input=data))
    recs = records((tmp_path / "log.jsonl").read_bytes())
    assert [(r["original"], r["replacement"], r["entry"]) for r in recs] == [
        ("Taleban", "Taliban", "Taliban"),
        ("Taliqan", "Taloqan", "Taloqan"),
        ("US", "U.S.", "U.S."),
        ("Mazar e Sharif", "Mazar-i-Sharif", "Mazar-i-Sharif"),
    ]
    assert recs[0] == {
        "file": "-",
        "line": 1,
        "column": 4,
        "start": 4,
        "end": 11,
        "out_start": 4,
        "out_end": 11,
        "original": "Taleban",
        "replacement": "Taliban",
        "rule": "table",
        "entry": "Taliban",
        "score": 1.0,
    }
    us = recs[2]
    assert (us["line"], us["column"], us["start"], us["end"], us["out_start"], us["out_end"]) == (
        2,
        0,
        29,
        31,
        29,
        33,
    )
    mazar = recs[3]
    assert (mazar["line"], mazar["column"], mazar["start"], mazar["out_start"]) == (2, 20, 49, 51)
    check_records(data, out, recs, "-")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "mixed"])
def test_log_line_and_column(tmp_path, newline):
    lines = [
        "no variant here",
        "  Taleban at column two",
        "",
        "x US y Kiev",
        "Taliqan",
        "end Taleban",
    ]
    if newline == "mixed":
        text = "".join(
            line + nl
            for line, nl in zip(lines, ["\r\n", "\n", "\r", "\r", "\r\n", ""], strict=False)
        )
    else:
        text = newline.join(lines)
    data = text.encode()
    (tmp_path / "in.txt").write_bytes(data)
    out = ok(norm(tmp_path, "--log", "log.jsonl", "in.txt"))
    recs = records((tmp_path / "log.jsonl").read_bytes())
    assert [(r["line"], r["column"], r["original"]) for r in recs] == [
        (2, 2, "Taleban"),
        (4, 2, "US"),
        (4, 7, "Kiev"),
        (5, 0, "Taliqan"),
        (6, 4, "Taleban"),
    ]
    check_records(data, out, recs, "in.txt")


def test_log_offsets_count_characters(tmp_path):
    data = "café Київ — naïve Taleban\nüber Київ\n".encode()
    (tmp_path / "in.txt").write_bytes(data)
    out = ok(norm(tmp_path, "--log", "log.jsonl", "in.txt"))
    assert out == "café Kyiv — naïve Taliban\nüber Kyiv\n".encode()
    recs = records((tmp_path / "log.jsonl").read_bytes())
    assert [(r["start"], r["line"], r["column"]) for r in recs] == [
        (5, 1, 5),
        (18, 1, 18),
        (31, 2, 5),
    ]
    assert [r["out_start"] for r in recs] == [5, 18, 31]
    check_records(data, out, recs, "in.txt")


def test_log_offsets_restart_for_each_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"one US\ntwo Kiev\n")
    (tmp_path / "b.txt").write_bytes(b"US first\r\n")
    out = ok(norm(tmp_path, "--log", "log.jsonl", "a.txt", "b.txt"))
    recs = records((tmp_path / "log.jsonl").read_bytes())
    assert [(r["file"], r["line"], r["column"], r["start"], r["out_start"]) for r in recs] == [
        ("a.txt", 1, 4, 4, 4),
        ("a.txt", 2, 4, 11, 13),
        ("b.txt", 1, 0, 0, 0),
    ]
    assert out == b"one U.S.\ntwo Kyiv\nU.S. first\r\n"


def test_log_to_stderr(tmp_path):
    proc = norm(tmp_path, "--log", "-", input=b"Taleban\n")
    assert ok(proc) == b"Taliban\n"
    recs = records(proc.stderr)
    assert len(recs) == 1 and recs[0]["original"] == "Taleban"


def test_log_is_exact_across_chunks(tmp_path, big):
    path, expected = big
    shutil.copy(path, tmp_path / "big.txt")
    out = ok(norm(tmp_path, "--log", "log.jsonl", "big.txt"))
    assert out == expected
    recs = records((tmp_path / "log.jsonl").read_bytes())
    assert recs[-1]["start"] > 8 * CHUNK_CHARS
    check_records(path.read_bytes(), out, recs, "big.txt")


# ------------------------------------------------------------------------------- undo

UNDO_SAMPLES = {
    "crlf": b"Taleban\r\nand US\r\n",
    "cr": b"Taleban\rTaliqan\r",
    "bom": b"\xef\xbb\xbfTaleban then US",
    "nul": b"a\x00Taleban\x00b\n",
    "invalid": b"caf\xc3\xa9 \xff\xfe Taleban \xc3 US\n",
    "cyrillic": "Київ and Kiev and neighbourhood\n".encode(),
    "flexible": b"Mazar e Sharif, MazareSharif, mazar-e-sharif\n",
    "empty": b"",
    "unchanged": b"nothing to change here\n",
}


@pytest.mark.parametrize("name", list(UNDO_SAMPLES))
def test_undo_round_trip(tmp_path, name):
    data = UNDO_SAMPLES[name]
    (tmp_path / "in.txt").write_bytes(data)
    out = ok(norm(tmp_path, "--log", "log.jsonl", "-o", "out.txt", "in.txt"))
    assert out == b""
    normalised = (tmp_path / "out.txt").read_bytes()
    recs = records((tmp_path / "log.jsonl").read_bytes())
    assert (normalised != data) == bool(recs)
    check_records(data, normalised, recs, "in.txt")
    assert ok(run(["undo", "--log", "log.jsonl", "out.txt"], tmp_path)) == data


def test_undo_from_stdin_to_output_file(tmp_path):
    data = b"x\r\nTaleban\rUS\n"
    normalised = ok(norm(tmp_path, "--log", "log.jsonl", input=data))
    proc = run(["undo", "--log", "log.jsonl", "-o", "orig.txt"], tmp_path, normalised)
    assert ok(proc) == b""
    assert (tmp_path / "orig.txt").read_bytes() == data


def test_undo_picks_the_file_from_a_log_of_several(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"a: Taleban\n")
    (tmp_path / "b.txt").write_bytes(b"b: US, Kiev\r\n")
    ok(norm(tmp_path, "--in-place", "--log", "log.jsonl", "a.txt", "b.txt"))
    assert (tmp_path / "b.txt").read_bytes() == b"b: U.S., Kyiv\r\n"
    assert ok(run(["undo", "--log", "log.jsonl", "b.txt"], tmp_path)) == b"b: US, Kiev\r\n"
    assert ok(run(["undo", "--log", "log.jsonl", "a.txt"], tmp_path)) == b"a: Taleban\n"


def test_undo_with_a_bad_log(tmp_path):
    (tmp_path / "out.txt").write_bytes(b"Taliban\n")
    (tmp_path / "bad.jsonl").write_bytes(b'{"not json\n')
    assert_one_line_error(run(["undo", "--log", "bad.jsonl", "out.txt"], tmp_path), "bad.jsonl:1")
    ok(norm(tmp_path, "--log", "log.jsonl", input=b"US\n"))
    assert_one_line_error(run(["undo", "--log", "log.jsonl", "out.txt"], tmp_path), "log.jsonl")
    assert_one_line_error(
        run(["undo", "--log", "missing.jsonl", "out.txt"], tmp_path), "missing.jsonl"
    )


# ------------------------------------------------------------------------------- diff, stats


def test_diff(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"one Taleban\ntwo\nthree US")
    proc = norm(tmp_path, "--diff", "a.txt")
    out = ok(proc).decode()
    lines = out.splitlines()
    assert lines[0] == "--- a/a.txt" and lines[1] == "+++ b/a.txt"
    for line in (
        "-one Taleban",
        "+one Taliban",
        " two",
        "-three US",
        "+three U.S.",
        "\\ No newline at end of file",
    ):
        assert line in lines, (line, out)
    assert all(line[:1] in "-+ @\\" for line in lines), out
    assert (tmp_path / "a.txt").read_bytes() == b"one Taleban\ntwo\nthree US"


def test_diff_of_stdin_and_of_an_unchanged_file(tmp_path):
    (tmp_path / "same.txt").write_bytes(b"nothing to do\n")
    assert ok(norm(tmp_path, "--diff", "same.txt")) == b""
    out = ok(norm(tmp_path, "--diff", input=b"Kiev\r\n")).decode()
    assert "-Kiev\r\n" in out and "+Kyiv\r\n" in out


def test_stats(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Taleban, US and Taleban\n")
    (tmp_path / "b.txt").write_bytes(b"Taleban in Kiev\n")
    proc = norm(tmp_path, "--stats", "a.txt", "b.txt")
    assert ok(proc) == b"Taliban, U.S. and Taliban\nTaliban in Kyiv\n"
    counts = dict(re.findall(r"^(\S+)\s+(\d+)\s*$", proc.stderr.decode(), re.MULTILINE))
    assert counts == {"Taliban": "3", "U.S.": "1", "Kyiv": "1", "total": "5"}


def test_stats_without_substitutions(tmp_path):
    proc = norm(tmp_path, "--stats", input=b"nothing\n")
    assert ok(proc) == b"nothing\n"
    assert not re.search(r"Taliban|\b[1-9]\d*\s*$", proc.stderr.decode(), re.MULTILINE)


def test_progress_flags(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Taleban\n" * 1000)
    shown = norm(tmp_path, "--progress", "a.txt")
    hidden = norm(tmp_path, "--no-progress", "a.txt")
    default = norm(tmp_path, "a.txt")  # standard error is a pipe: no bar
    assert ok(shown) == ok(hidden) == ok(default) == b"Taliban\n" * 1000
    assert shown.stderr != b""
    assert hidden.stderr == b"" and default.stderr == b""


# ------------------------------------------------------------------------------- jobs


def test_jobs_give_identical_output_and_log(tmp_path, big):
    path, expected = big
    shutil.copy(path, tmp_path / "big.txt")
    one = ok(norm(tmp_path, "--jobs", "1", "--log", "one.jsonl", "big.txt"))
    two = ok(norm(tmp_path, "--jobs", "2", "--log", "two.jsonl", "big.txt"))
    assert one == expected
    assert two == one
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    recs = records((tmp_path / "one.jsonl").read_bytes())
    assert recs[-1]["start"] > 8 * CHUNK_CHARS  # several chunks


def test_jobs_are_byte_identical_on_mixed_input(tmp_path):
    """A BOM, CRLF, CR, invalid UTF-8 and non-ASCII over many chunks, and a line longer than a
    chunk (cut inside the line, so the records after the cut need the column before it): the
    text, the log and the warning are the same with --jobs 1 and --jobs 2."""
    text, _ = make_text(3_000_000, seed=5)
    lines = text.encode().splitlines(keepends=True)
    data = bytearray("\ufeffKiev é\r\n".encode())
    for i, line in enumerate(lines[: len(lines) // 2]):
        data += line
        if i % 499 == 0:
            data += b"\xff Taleban \xc3(" + "Київ".encode() + b")\xe2\x82 US\r"
    data += ("plain words Київ " + "word " * 30 + "US ").encode() * 12_000 + b"Taleban\r\n"
    data += b"".join(lines[len(lines) // 2 :])
    (tmp_path / "mixed.txt").write_bytes(bytes(data))
    one = norm(tmp_path, "--jobs", "1", "--log", "one.jsonl", "mixed.txt")
    two = norm(tmp_path, "--jobs", "2", "--log", "two.jsonl", "mixed.txt")
    assert ok(two) == ok(one)
    assert two.stderr == one.stderr != b""
    log = (tmp_path / "one.jsonl").read_bytes()
    assert (tmp_path / "two.jsonl").read_bytes() == log
    recs = records(log)
    assert len(recs) > 20_000 and recs[-1]["start"] > 4 * CHUNK_CHARS
    check_records(bytes(data), one.stdout, recs, "mixed.txt")


def test_jobs_keep_file_order(tmp_path):
    names = []
    for i in range(5):
        name = f"f{i}.txt"
        (tmp_path / name).write_bytes(f"file {i}: Taleban\n".encode() * (i + 1))
        names.append(name)
    one = ok(norm(tmp_path, "-j", "1", *names))
    assert ok(norm(tmp_path, "-j", "2", *names)) == one
    assert one.decode().splitlines()[0] == "file 0: Taliban"


# ------------------------------------------------------------------------------- lossless

PRESERVE = {
    "crlf": b"{V} one\r\ntwo {V}\r\n",
    "cr": b"{V} one\rtwo {V}\r",
    "bom": b"\xef\xbb\xbf{V}\n",
    "nul": b"\x00{V}\x00\n\x00",
    "no final newline": b"a\n{V}",
    "mixed": b"x\n\r\n\r{V}\n\n\r\r\n",
    "blank lines only": b"\n\r\n\r",
    "invalid utf-8": b"\xff{V}\xfe \x80\n\xc3({V})",
}


@pytest.mark.parametrize("how", ["file", "stdin"])
@pytest.mark.parametrize("name", list(PRESERVE))
def test_bytes_outside_substitutions_are_kept(tmp_path, name, how):
    template = PRESERVE[name]
    data = template.replace(b"{V}", b"Taleban")
    expected = template.replace(b"{V}", b"Taliban")
    if how == "file":
        (tmp_path / "in.bin").write_bytes(data)
        proc = norm(tmp_path, "in.bin")
    else:
        proc = norm(tmp_path, input=data)
    assert ok(proc) == expected


def test_invalid_utf8_warns_once_with_the_byte_offset(tmp_path):
    data = "ééé".encode() + b"\xff\xfe Taleban \xff\n" + b"more \x80 bad\n"
    (tmp_path / "bad.txt").write_bytes(data)
    proc = norm(tmp_path, "bad.txt")
    assert ok(proc) == data.replace(b"Taleban", b"Taliban")
    line = assert_one_line_error(proc, "bad.txt", status=0)
    assert re.search(r"\b6\b", line), line  # byte 6, not character 3


def test_invalid_utf8_offset_is_per_file_and_beyond_the_first_chunk(tmp_path):
    (tmp_path / "good.txt").write_bytes(b"fine\n")
    far = b"words words\n" * 250_000  # 3 MB: past several reads and chunks
    data = far + b"x\xc0y\n"
    (tmp_path / "far.txt").write_bytes(data)
    proc = norm(tmp_path, "good.txt", "far.txt")
    assert ok(proc) == b"fine\n" + data
    line = assert_one_line_error(proc, "far.txt", status=0)
    assert str(len(far) + 1) in line, line
    assert "good.txt" not in line


def test_character_split_across_reads_is_not_invalid(tmp_path):
    data = b"a" * (READ_SIZE - 1) + "é".encode() + b" Taleban\n"
    (tmp_path / "in.txt").write_bytes(data)
    proc = norm(tmp_path, "in.txt")
    assert ok(proc) == data.replace(b"Taleban", b"Taliban")
    assert proc.stderr == b""


_PIECES = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\r\n",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xff",
        b"\xc3",
        b"\xa9",
        b" ",
        b"Taleban",
        "Київ".encode(),
        b"\xed\xa0\x80",
    ]
)
BYTES = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.one_of(_PIECES, st.binary(max_size=8)), max_size=60).map(b"".join),
)


def run_in_process(args: list[str], data: bytes) -> tuple[int, bytes, str]:
    """The command's ``main`` in this process, standard input a pipe fed with ``data`` (as
    in a shell pipeline) and standard output a file: (status, output, standard error). For
    properties with many examples, where a new interpreter per example costs most of the
    time; the subprocess tests cover the process boundary."""
    import io
    import tempfile
    import threading

    from normalise.cli import main

    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)

    feeder = threading.Thread(target=feed)
    saved = sys.stdin, sys.stdout, sys.stderr, signal.getsignal(signal.SIGTERM)
    with os.fdopen(read_end, "rb") as stdin, tempfile.TemporaryFile() as out:
        sys.stdin = io.TextIOWrapper(stdin)
        sys.stdout = io.TextIOWrapper(out)
        sys.stderr = io.StringIO()
        feeder.start()
        try:
            status = main(args)
            sys.stdout.flush()
            err = sys.stderr.getvalue()
        finally:
            sys.stdin.detach()
            sys.stdout.detach()
            sys.stdin, sys.stdout, sys.stderr = saved[:3]
            signal.signal(signal.SIGTERM, saved[3])
            feeder.join()
        out.seek(0)
        return status, out.read(), err


@settings(max_examples=50, deadline=None)
@given(data=BYTES)
def test_identity_on_any_bytes(data):
    status, out, err = run_in_process(IDENTITY, data)
    assert (status, out) == (0, data), err
    assert "Traceback" not in err


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_identity_on_large_random_bytes(tmp_path, how):
    rng = random.Random(11)
    data = rng.randbytes(3_000_000) + b"\r"
    if how == "file":
        (tmp_path / "r.bin").write_bytes(data)
        proc = run([*IDENTITY, "r.bin"], tmp_path)
    else:
        proc = run(IDENTITY, tmp_path, data)
    assert ok(proc) == data


# ------------------------------------------------------------------------------- encodings


def test_latin1_round_trip(tmp_path):
    text = "café Taleban\r\nnaïve US\xa0end ÿ"
    data = text.encode("latin-1")
    (tmp_path / "l1.txt").write_bytes(data)
    out = ok(norm(tmp_path, "--encoding", "latin-1", "--log", "log.jsonl", "l1.txt"))
    assert out == "café Taliban\r\nnaïve U.S.\xa0end ÿ".encode("latin-1")
    recs = records((tmp_path / "log.jsonl").read_bytes())
    check_records(data, out, recs, "l1.txt", encoding="latin-1")
    (tmp_path / "out.txt").write_bytes(out)
    undone = run(["undo", "--encoding", "latin-1", "--log", "log.jsonl", "out.txt"], tmp_path)
    assert ok(undone) == data
    assert b"invalid" not in undone.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_encoding_with_a_bom_over_several_chunks(tmp_path, encoding):
    text = "plain words and Taleban here\r\n" * 100_000  # 3M characters
    (tmp_path / "in.txt").write_bytes(text.encode(encoding))
    out = ok(norm(tmp_path, "--encoding", encoding, "in.txt"))
    assert out == rewrite(text).encode(encoding)


def test_unknown_encoding(tmp_path):
    assert_one_line_error(
        norm(tmp_path, "--encoding", "no-such-codec", input=b"x"), "no-such-codec"
    )


# ------------------------------------------------------------------------------- errors


def test_missing_file(tmp_path):
    proc = norm(tmp_path, "missing.txt")
    assert_one_line_error(proc, "missing.txt")
    assert proc.stdout == b""


def test_directory_as_input(tmp_path):
    (tmp_path / "adir").mkdir()
    proc = norm(tmp_path, "adir")
    assert_one_line_error(proc, "adir")
    assert proc.stdout == b""


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"x")
    path.chmod(0)
    assert_one_line_error(norm(tmp_path, "secret.txt"), "secret.txt")


def test_unwritable_output(tmp_path):
    proc = norm(tmp_path, "-o", "no/such/dir/out.txt", input=b"Taleban\n")
    assert_one_line_error(proc, "out.txt")
    proc = norm(tmp_path, "--log", "no/such/dir/log.jsonl", input=b"Taleban\n")
    assert_one_line_error(proc, "log.jsonl")


BAD_TABLES = {
    # name: (text, lines where the problem may be reported, words the message must contain)
    "syntax.yaml": (
        textwrap.dedent("""\
        entries:
          - canonical: Taliban
            kind: organisation
            variants: [Taleban
          - canonical: Kunduz
            kind: place
            variants: [Qonduz]
        """),
        {4, 5},
        ["YAML"],
    ),
    "unknown_field.yaml": (
        textwrap.dedent("""\
        entries:
          - canonical: Taliban
            kind: organisation
            variants: [Taleban]
            spellings: [Talib]
        """),
        {5},
        ["spellings"],
    ),
    "duplicate.yaml": (
        textwrap.dedent("""\
        entries:
          - canonical: Taliban
            kind: organisation
            variants: [Taleban]
          - canonical: Taloqan
            kind: place
            variants:
              - Taleqan
              - Taleban
        """),
        {9},
        ["Taleban"],
    ),
}


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_malformed_table_stops_the_filter(tmp_path, name):
    text, lines, words = BAD_TABLES[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run(["--no-default-table", "--phonetic", "off", "-t", name], tmp_path, b"Taleban\n")
    line = assert_one_line_error(proc, *words)
    assert proc.stdout == b""
    found = re.search(rf"{re.escape(name)}:(\d+)", line)
    assert found and int(found.group(1)) in lines, line


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_check_reports_file_and_line(tmp_path, name):
    text, lines, words = BAD_TABLES[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run(["check", name], tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = (proc.stdout + proc.stderr).decode()
    found = re.findall(rf"{re.escape(name)}:(\d+)", report)
    assert any(int(n) in lines for n in found), report
    for word in words:
        assert word in report


def test_check_clean_tables(tmp_path):
    shutil.copy(TABLE, tmp_path / "cli_table.yaml")
    (tmp_path / "more.yaml").write_text(
        "entries:\n  - canonical: Kunduz\n    kind: place\n    variants: [Qonduz]\n"
    )
    proc = run(["check", "cli_table.yaml", "more.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == b""


def test_check_conflict_between_tables(tmp_path):
    shutil.copy(TABLE, tmp_path / "cli_table.yaml")
    (tmp_path / "mine.yaml").write_text(
        "entries:\n  - canonical: Kunduz\n    kind: place\n    variants: [Qonduz]\n"
        "  - canonical: Talibs\n    kind: organisation\n    variants: [Taleban]\n"
    )
    proc = run(["check", "cli_table.yaml", "mine.yaml"], tmp_path)
    assert proc.returncode == 1
    report = proc.stdout.decode()
    assert "mine.yaml:7" in report and "cli_table.yaml" in report, report


def test_check_missing_table(tmp_path):
    proc = run(["check", "nosuch.yaml"], tmp_path)
    assert proc.returncode == 2
    assert "nosuch.yaml" in (proc.stdout + proc.stderr).decode()


# ------------------------------------------------------------------------------- pipes, signals


def test_broken_pipe_is_quiet(tmp_path, big):
    path, _ = big
    proc = subprocess.Popen(
        command(*BASE, path), cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert_quiet_broken_pipe(proc, timeout=TIMEOUT)


@pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("head") is None, reason="needs bash and head"
)
def test_broken_pipe_in_a_shell_pipeline(tmp_path, big):
    path, _ = big
    line = " ".join(map(_quote, command(*BASE)))
    script = (
        f"cat {_quote(path)} | {line} 2>err.txt | head -c 100 > head.txt; echo ${{PIPESTATUS[1]}}"
    )
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.stdout.strip() == b"141"
    assert (tmp_path / "err.txt").read_bytes() == b""
    assert len((tmp_path / "head.txt").read_bytes()) == 100


def _quote(text) -> str:
    return "'" + str(text).replace("'", "'\\''") + "'"


def _wait_for_output(
    proc, directory: Path, original: str, timeout: float = 30, min_size: int = 1
) -> None:
    """Until a temporary file beside ``original`` holds ``min_size`` bytes of output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        for name in os.listdir(directory):
            if name != original:
                try:
                    if (directory / name).stat().st_size >= min_size:
                        return
                except FileNotFoundError:
                    pass
        time.sleep(0.02)
    raise AssertionError("no output appeared")


@pytest.mark.parametrize(
    "signum,status,jobs",
    [(signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "1"), (signal.SIGINT, 130, "2")],
)
def test_signal_during_in_place(tmp_path, signum, status, jobs):
    if jobs == "1":
        data = dense_file(tmp_path / "big.txt")
    else:  # 4 MiB chunks, each quick enough that the pool shuts down soon after the signal
        data = dense_file(
            tmp_path / "big.txt", 16_000_000, b"Taleban " + b"plain words " * 6 + b"\n"
        )
    proc = subprocess.Popen(
        command(*BASE, "--jobs", jobs, "--in-place", "--log", "log.jsonl", "big.txt"),
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_output(proc, tmp_path, "big.txt")
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert b"Traceback" not in err, err.decode("utf-8", "replace")
    assert proc.returncode == status, (proc.returncode, err)
    assert (tmp_path / "big.txt").read_bytes() == data
    assert_no_temp_files(tmp_path, {"big.txt"})


@pytest.mark.parametrize("signum,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_while_reading_a_pipe_leaves_no_output(tmp_path, signum, status):
    proc = subprocess.Popen(
        command(*BASE, "-o", "out.txt", "--log", "log.jsonl"),
        cwd=tmp_path,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        proc.stdin.write(b"Taleban\n")
        proc.stdin.flush()
        _wait_for_output(proc, tmp_path, "", min_size=0)  # the temporary files exist
        _wait_until_read(proc)  # and the line has been read: the command waits for more
        proc.send_signal(signum)
        proc.wait(timeout=TIMEOUT)  # stdin stays open: only the signal can end the run
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
    assert b"Traceback" not in err, err.decode("utf-8", "replace")
    assert proc.returncode == status, (proc.returncode, err)
    assert_no_temp_files(tmp_path, set())


@pytest.mark.parametrize(
    "signum,raised", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, None)]
)
def test_a_signal_whose_exception_was_dropped_stops_the_next_read(monkeypatch, signum, raised):
    """A handler run inside a finaliser (here a generator closed as it is collected) has its
    exception reported and dropped by CPython; the next read of the input raises it again,
    so the command does not wait on a pipe nobody writes to."""
    import io

    from normalise import cli

    raised = raised or cli._Terminated
    monkeypatch.setattr(cli, "_stopping", None)
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: dropped.append(unraisable))

    def closed_by_the_collector():
        try:
            yield
        finally:
            cli._terminate(signum, None)

    pending = closed_by_the_collector()
    next(pending)
    del pending  # the handler's exception is dropped here
    assert [type(u.exc_value) for u in dropped] == [raised]
    reader = cli._Stoppable(io.BytesIO(b"more text"))
    with pytest.raises(raised):
        reader.read1(4)
    with pytest.raises(raised):
        reader.read()
    monkeypatch.setattr(cli, "_stopping", None)
    assert reader.read1(4) == b"more"


def _wait_until_read(proc, timeout: float = 30) -> None:
    """Until the child has read everything written to its standard input (the pipe holds
    no unread byte: FIONREAD), or fail after ``timeout`` seconds."""
    import fcntl
    import struct
    import termios

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        unread = fcntl.ioctl(proc.stdin.fileno(), termios.FIONREAD, b"\0\0\0\0")
        if struct.unpack("i", unread)[0] == 0:
            return
        time.sleep(0.01)
    raise AssertionError("the command did not read its input")


def _read_line(proc, timeout: float = 10) -> bytes:
    """One line of the child's standard output, or fail after ``timeout`` seconds."""
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no complete output line within {timeout} s (got {data!r})")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            block = os.read(fd, 4096)
            if not block:
                raise AssertionError(f"output ended early (got {data!r})")
            data += block
    return data


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_starts_before_input_ends(tmp_path, jobs):
    proc = subprocess.Popen(
        command(*BASE, "--jobs", jobs),
        cwd=tmp_path,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        proc.stdin.write(b"first Taleban\n")
        proc.stdin.flush()
        assert _read_line(proc) == b"first Taliban\n"
        proc.stdin.write(b"then US\r\n")
        proc.stdin.flush()
        assert _read_line(proc) == b"then U.S.\r\n"
        proc.stdin.close()
        rest = proc.stdout.read()
        err = proc.stderr.read()
        assert proc.wait(timeout=TIMEOUT) == 0, err
    finally:
        proc.kill()
    assert rest == b""
    assert b"Traceback" not in err


MEASURE = textwrap.dedent("""\
    import resource, shutil, subprocess, sys
    mode, source, target, *args = sys.argv[1:]
    with open(target, "wb") as out:
        if mode == "file":
            proc = subprocess.Popen(args + [source], stdin=subprocess.DEVNULL, stdout=out)
        else:
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out)
            with open(source, "rb") as stream:
                shutil.copyfileobj(stream, proc.stdin, 1 << 16)
            proc.stdin.close()
        status = proc.wait()
    print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


@pytest.mark.parametrize("kind,how", [("words", "file"), ("words", "pipe"), ("no spaces", "file")])
def test_memory_is_bounded_on_one_long_line(tmp_path, kind, how):
    """A 20 MB line (no line end at all) is normalised in well under 200 MB."""
    size = 20_000_000
    if kind == "words":
        unit = b"plain words " * 40 + b"Taleban "
        data = unit * (size // len(unit))
    else:
        data = b"x" * size
    (tmp_path / "line.txt").write_bytes(data)
    (tmp_path / "measure.py").write_text(MEASURE)
    proc = subprocess.run(
        [sys.executable, "measure.py", how, "line.txt", "out.txt", *command(*BASE)],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    status, peak_kb = map(int, proc.stdout.split())
    assert status == 0, proc.stderr
    assert peak_kb < 200 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
    out = (tmp_path / "out.txt").read_bytes()
    assert out == data.replace(b"Taleban", b"Taliban")


# ------------------------------------------------------------------------------- the surface


def test_version(tmp_path):
    import normalise
    from normalise.core import selected

    proc = run(["--version"], tmp_path, process=True)  # the module entry point
    assert ok(proc).decode().strip() == f"normalise {normalise.__version__} ({selected()} core)"


HELP_FLAGS = [
    "--table",
    "--no-default-table",
    "--phonetic",
    "--min-score",
    "--log",
    "--diff",
    "--stats",
    "--jobs",
    "--progress",
    "--no-progress",
    "--output",
    "-o",
    "--in-place",
    "--backup",
    "--encoding",
    "--version",
    "--help",
]


def test_help_mentions_every_flag_and_command(tmp_path):
    text = ok(run(["--help"], tmp_path)).decode()
    for flag in HELP_FLAGS:
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), flag
    for word in ("off", "suggest", "apply", "undo", "explain", "check"):
        assert word in text, word


@pytest.mark.parametrize(
    "cmd,flags",
    [
        ("undo", ["--log", "--output", "--encoding"]),
        ("explain", ["--table", "--phonetic", "--min-score"]),
        ("check", ["TABLE"]),
    ],
)
def test_command_help(tmp_path, cmd, flags):
    text = ok(run([cmd, "--help"], tmp_path)).decode()
    for flag in flags:
        assert flag in text, flag


USAGE_ERRORS = {
    "in-place on stdin": (True, ["--in-place"]),
    "in-place on dash": (True, ["--in-place", "-"]),
    "backup without in-place": (True, ["--backup", ".orig", "a.txt"]),
    "min-score 2": (True, ["--min-score", "2", "a.txt"]),
    "min-score negative": (True, ["--min-score=-0.1", "a.txt"]),
    "min-score not a number": (True, ["--min-score", "high", "a.txt"]),
    "unknown flag": (True, ["--frobnicate", "a.txt"]),
    "jobs 0": (True, ["--jobs", "0", "a.txt"]),
    "phonetic mode": (True, ["--phonetic", "sometimes", "a.txt"]),
    "in-place with output": (True, ["--in-place", "-o", "x.txt", "a.txt"]),
    "in-place with diff": (True, ["--in-place", "--diff", "a.txt"]),
    "stdin twice": (True, ["-", "-"]),
    "progress both ways": (True, ["--progress", "--no-progress", "a.txt"]),
    "undo without log": (False, ["undo", "a.txt"]),
    "explain without words": (False, ["explain"]),
    "check unknown flag": (False, ["check", "--frobnicate"]),
}


@pytest.mark.parametrize("name", list(USAGE_ERRORS))
def test_usage_errors(tmp_path, name):
    is_filter, args = USAGE_ERRORS[name]
    (tmp_path / "a.txt").write_bytes(b"Taleban\n")
    proc = run([*BASE, *args] if is_filter else args, tmp_path, b"Taleban\n")
    assert_one_line_error(proc)
    assert proc.stdout == b""
    assert (tmp_path / "a.txt").read_bytes() == b"Taleban\n"
    assert_no_temp_files(tmp_path, {"a.txt"})


@pytest.mark.parametrize("name", ["undo", "explain", "check"])
def test_file_named_like_a_command(tmp_path, name):
    (tmp_path / name).write_bytes(b"Taleban\n")
    assert ok(norm(tmp_path, f"./{name}")) == b"Taliban\n"
    assert ok(norm(tmp_path, "--", name)) == b"Taliban\n"
    assert ok(norm(tmp_path, "--in-place", "--", name)) == b""
    assert (tmp_path / name).read_bytes() == b"Taliban\n"


def test_leading_double_dash_is_not_a_command(tmp_path):
    (tmp_path / "undo").write_bytes(b"a plain line\n")
    proc = run(["--", "undo"], tmp_path)
    assert "--log" not in proc.stderr.decode()
    assert ok(proc) == b"a plain line\n"


def test_command_word_runs_the_command(tmp_path):
    (tmp_path / "undo").write_bytes(b"Taleban\n")
    assert_one_line_error(run(["undo"], tmp_path), "--log")


# ------------------------------------------------------------------------------- explain

EXPLAIN = ["--no-default-table", "--phonetic", "off", "--table", str(TABLE)]


def test_explain_table_words(tmp_path):
    out = ok(run(["explain", *EXPLAIN, "Taleqan", "Taloqan", "US", "us"], tmp_path)).decode()
    lines = out.splitlines()
    assert len(lines) == 4, out
    assert lines[0].startswith("Taleqan -> Taloqan")
    assert re.search(r"cli_table\.yaml:(8|10)\b", lines[0]), lines[0]
    assert lines[1].startswith("Taloqan") and "unchanged" in lines[1]
    assert lines[2].startswith("US -> U.S.")
    assert lines[3].startswith("us") and "unchanged" in lines[3]


def test_explain_unknown_word(tmp_path):
    out = ok(run(["explain", *EXPLAIN, "Kabul"], tmp_path)).decode()
    assert out.startswith("Kabul") and "unchanged" in out and "table" in out


def test_explain_json(tmp_path):
    out = ok(run(["explain", "--format", "json", *EXPLAIN, "Kiev", "Kabul"], tmp_path))
    first, second = records(out)
    assert (first["word"], first["result"], first["entry"], first["rule"]) == (
        "Kiev",
        "Kyiv",
        "Kyiv",
        "table",
    )
    assert (second["word"], second["result"], second["entry"]) == ("Kabul", "Kabul", None)


def test_explain_with_the_phonetic_matcher(tmp_path):
    args = [
        "explain",
        "--no-default-table",
        "--table",
        TABLE,
        "--context",
        PHONETIC_TEXT.decode(),
        "Taloqon",
    ]
    out = ok(run(args, tmp_path)).decode()
    assert out.startswith("Taloqon -> Taloqan")
    assert "threshold" in out
    data = records(ok(run([*args[:1], "--format", "json", *args[1:]], tmp_path)))[0]
    assert data["result"] == "Taloqan" and data["rule"] == "phonetic"
    assert data["candidates"][0]["entry"] == "Taloqan"
