"""Errors: one line naming the file, and a hint on a line of its own where there is one."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from normalise.errors import InputError, LogError, NormaliseError


def test_the_hint_is_not_part_of_the_one_line_message():
    err = InputError("cannot write: is a device", file="/dev/null", hint="redirect instead")
    assert str(err) == "/dev/null: cannot write: is a device"
    assert err.hint == "redirect instead"
    assert NormaliseError("no file").hint is None


def test_file_line_and_hint_cross_a_process_boundary():
    err = pickle.loads(pickle.dumps(LogError("bad record", file="l.jsonl", line=3, hint="h")))
    assert type(err) is LogError
    assert (str(err), err.file, err.line, err.hint) == ("l.jsonl:3: bad record", "l.jsonl", 3, "h")


def test_the_command_prints_the_hint_on_a_second_line(tmp_path):
    (tmp_path / "a.txt").write_text("Taleban\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "normalise", "--no-default-table", "a.txt", "--log", "/dev/null"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "normalise: /dev/null: cannot write: not a regular file "
        "(a device, pipe or socket is never replaced)",
        "normalise: hint: write to standard output and redirect it instead",
    ]


def test_a_keep_file_line_without_a_letter_says_what_to_do(tmp_path):
    from normalise.keep import read_keep_file

    path = tmp_path / "keep.txt"
    path.write_text("Mohamed Salah\n---\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_keep_file(str(path))
    assert (caught.value.file, caught.value.line) == (str(path), 2)
    assert caught.value.hint is not None and "#" in caught.value.hint
