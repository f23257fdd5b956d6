"""Replaced outputs freed after the command exits (:mod:`normalise.release`): the command
holds a large file open across the rename that replaces it and hands it to a helper process
at its exit; small files, and callers in Python, free it at the rename as before."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from normalise import release
from normalise.atomic import AtomicFile

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "fixtures" / "cli_table.yaml"

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def _holders(path: Path, pids: list[int | str]) -> list[str]:
    """Processes among ``pids`` with a descriptor of the (deleted) file once at ``path``."""
    found = []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue  # closed meanwhile (the listing's own, say)
            if link == f"{path} (deleted)":
                found.append(str(pid))
                break
    return found


def _replace(path: Path, data: bytes) -> None:
    sink = AtomicFile(str(path))
    sink.write(data)
    sink.commit()


@pytest.fixture
def holding():
    release.hold_replaced()
    yield
    release.hold_replaced(False)


@pytest.mark.parametrize("helper", ["cat", "interpreter"])
def test_a_large_replaced_file_is_held_then_handed_over(tmp_path, holding, monkeypatch, helper):
    if helper == "interpreter":
        monkeypatch.setattr(release.shutil, "which", lambda name: None)
    target = tmp_path / "out.txt"
    target.write_bytes(b"old\n" * (release.MIN_BYTES // 4))
    _replace(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert _holders(target, ["self"]) == ["self"]  # the rename did not free it
    helper = release.hand_over()
    assert helper is not None
    pid, keep_open = helper
    try:
        assert _holders(target, ["self"]) == []
        assert _holders(target, [pid]) == [str(pid)]  # the helper holds it now
        if hasattr(os, "sched_getscheduler"):  # not a real-time one, whatever this one's
            assert os.sched_getscheduler(pid) == os.SCHED_OTHER
    finally:
        os.close(keep_open)  # as this process's exit does: the helper ends
    assert os.waitpid(pid, 0)[1] == 0


def test_small_files_and_links_are_freed_at_once(tmp_path, holding):
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * (release.MIN_BYTES - 1))
    _replace(small, b"new\n")
    linked = tmp_path / "linked.txt"
    linked.write_bytes(b"x" * release.MIN_BYTES)
    os.link(linked, tmp_path / "backup.txt")  # the replace frees nothing
    _replace(linked, b"new\n")
    assert _holders(small, ["self"]) == _holders(linked, ["self"]) == []
    assert release.hand_over() is None


def test_at_most_max_held_files_are_held(tmp_path, holding):
    targets = [tmp_path / f"{i}.txt" for i in range(release.MAX_HELD + 2)]
    for target in targets:
        target.write_bytes(b"x" * release.MIN_BYTES)
        _replace(target, b"new\n")
    held = [t for t in targets if _holders(t, ["self"])]
    assert held == targets[: release.MAX_HELD]
    release.close_held()
    assert not any(_holders(t, ["self"]) for t in targets)


def test_callers_in_python_free_at_the_rename(tmp_path):
    target = tmp_path / "out.txt"
    target.write_bytes(b"x" * release.MIN_BYTES)
    _replace(target, b"new\n")
    assert _holders(target, ["self"]) == []


def test_the_command_leaves_the_helper_holding_the_old_output(tmp_path):
    """Run as users do, over a large output of an earlier run: the new output is complete
    when the command ends, and the old one is freed by the helper soon after."""
    source = tmp_path / "in.txt"
    source.write_text("The Taleban entered the city.\n")
    out = tmp_path / "out.txt"
    out.write_bytes(b"old\n" * (release.MIN_BYTES // 4))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NORMALISE_CACHE_DIR": str(tmp_path / "c")}
    args = ["--no-default-table", "--table", str(TABLE), "--phonetic", "off"]
    done = subprocess.run(
        [sys.executable, "-m", "normalise", *args, str(source), "-o", str(out)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "The Taliban entered the city.\n"
    deadline = time.monotonic() + 10
    while _holders(out, [p for p in os.listdir("/proc") if p.isdigit()]):
        assert time.monotonic() < deadline, "the helper did not end after the command"
        time.sleep(0.01)
