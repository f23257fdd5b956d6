"""How ``--jobs`` starts and ends its workers: forked with :func:`os.fork` (no
:mod:`multiprocessing`), talking through two pipes that never leave both sides waiting; a
worker's output written from its slot; finished workers left to end on their own. Whatever
the start, the bytes are those of one process.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
import threading
import time

import pytest
from test_jobs import BASE, ENV, TABLE
from test_stream import Trickle

from normalise import Normaliser
from normalise.stream import (
    Source,
    make_executor,
    max_jobs,
    normalise_chunk,
    normalise_chunks,
    normalise_source,
)
from normalise.workers import _ENDING, Channel, Forked

pytestmark = pytest.mark.skipif(max_jobs() < 2, reason="one processor: no worker processes")

TEXT = "Taleban in Kiev and Mazar-e-Sharif; the US neighbourhood.\n"


def test_the_command_with_two_jobs_from_the_cache_gives_the_same_bytes(tmp_path):
    env = {**ENV, "NORMALISE_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "in.txt").write_bytes((TEXT * 40_000).encode())  # 2.4 MB: three chunks
    outputs = []
    for jobs in ("1", "2", "2"):  # the first builds the cache, the others load it
        done = subprocess.run(
            [sys.executable, "-m", "normalise", *BASE, "-j", jobs, "in.txt", "--log", "-"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.append((done.stdout, done.stderr))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][0].count(b"Taliban") == 40_000


# ---------------------------------------------------------------- forked processes


def _echo(channel: Channel, initializer: object, initargs: object) -> None:
    """A worker's life (the shape of ``workers._serve``): send back what comes."""
    while True:
        try:
            message = channel.recv()
        except EOFError:
            break
        channel.send(message)


def _sleeper(channel: Channel, initializer: object, initargs: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as a worker's set-up does
    channel.send("ready")  # a SIGTERM before this would meet the handler inherited by fork
    time.sleep(60)


def test_a_channel_carries_objects_larger_than_a_pipe(monkeypatch):
    """A message larger than a pipe's buffer (64 KB) goes whole, both ways."""
    monkeypatch.setattr("normalise.workers._serve", _echo)
    worker = Forked([], print, (), None)
    try:
        big = os.urandom(3 << 20)
        worker.channel.send(("big", big))
        assert worker.channel.recv() == ("big", big)
        worker.channel.send(None)
        assert worker.channel.recv() is None
        assert worker.is_alive()
    finally:
        worker.channel.close()  # an end of file: the worker ends
        worker.join(timeout=10)
    assert worker.exitcode == 0


def test_a_forked_worker_can_be_terminated_and_reaped(monkeypatch):
    monkeypatch.setattr("normalise.workers._serve", _sleeper)
    worker = Forked([], print, (), None)
    assert worker.channel.recv() == "ready"
    assert worker.is_alive() and worker.exitcode is None
    worker.terminate()
    worker.join(timeout=10)
    assert worker.exitcode == -signal.SIGTERM
    worker.channel.close()


@pytest.mark.parametrize("pidfd", [True, False])
def test_join_with_a_timeout_waits_for_the_exit_or_the_timeout(monkeypatch, pidfd):
    """With a pidfd (woken at the exit) and without (steps of sleep): a worker still running
    is not reaped when the timeout passes; one that ends is reaped, its status kept."""
    monkeypatch.setattr("normalise.workers._serve", _sleeper)
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open")
    worker = Forked([], print, (), None)
    try:
        assert worker.channel.recv() == "ready"
        worker.join(timeout=0.05)
        assert worker.exitcode is None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=10)
        assert worker.exitcode == -signal.SIGKILL
        with pytest.raises(ChildProcessError):
            os.waitpid(worker.pid, os.WNOHANG)  # reaped: no zombie left
    finally:
        worker.kill()
        worker.channel.close()


def test_a_dead_worker_is_an_end_of_file(monkeypatch):
    monkeypatch.setattr("normalise.workers._serve", _sleeper)
    worker = Forked([], print, (), None)
    assert worker.channel.recv() == "ready"
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    assert worker.exitcode == -signal.SIGKILL
    assert worker.channel.poll()  # the end can be read without waiting
    with pytest.raises(EOFError):
        worker.channel.recv()
    with pytest.raises(OSError):
        worker.channel.send("to nobody")
    worker.channel.close()


def test_a_worker_closes_the_ends_of_the_workers_forked_before_it(monkeypatch):
    """Else a dead worker's calls would not end (a later worker still holding them)."""
    monkeypatch.setattr("normalise.workers._serve", _sleeper)
    first = Forked([], print, (), None)
    second = Forked([first.channel], print, (), None)
    try:
        fds = {int(fd) for fd in os.listdir(f"/proc/{second.pid}/fd")}
        mine = {first.channel._in_fd, first.channel._out_fd}
        deadline = time.monotonic() + 10
        while mine & fds and time.monotonic() < deadline:  # closed as it starts
            time.sleep(0.01)
            fds = {int(fd) for fd in os.listdir(f"/proc/{second.pid}/fd")}
        assert not mine & fds
    finally:
        for worker in (first, second):
            worker.kill()
            worker.join()
            worker.channel.close()


def test_finished_workers_left_to_end_are_reaped_at_the_next_start(tmp_path):
    normaliser = Normaliser(str(TABLE), default_table=False, phonetic="off")
    pool = make_executor(normaliser, 2)
    assert pool is not None
    assert pool.submit(len, "abc").result() == 3
    pool.finish()
    (process,) = pool._processes.values()
    pool.shutdown(wait=False)
    assert process in _ENDING
    deadline = time.monotonic() + 10
    while process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    with make_executor(normaliser, 2) as other:
        other.start()
        assert process not in _ENDING  # reaped: no zombie kept
    assert process.exitcode == 0


def test_a_pool_of_forked_workers_imports_no_multiprocessing():
    code = (
        "import sys\n"
        "from normalise import Normaliser\n"
        "from normalise.stream import make_executor\n"
        f"n = Normaliser({str(TABLE)!r}, default_table=False, phonetic='off')\n"
        "with make_executor(n, 2) as pool:\n"
        "    assert pool.submit(len, 'abc').result() == 3\n"
        "print('multiprocessing' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True
    )
    assert done.stdout == "False\n"


# ---------------------------------------------------------------- output from the slot


def test_a_workers_output_is_a_view_given_back_at_the_next_chunk(tmp_path):
    """With in_place, a worker's output comes as a view of its slot, released once the next
    chunk is asked for (a caller that kept it fails, rather than read other bytes), and
    every slot is given back at the end."""
    normaliser = Normaliser(str(TABLE), default_table=False, phonetic="off")
    data = (TEXT * 40).encode()
    chunks = [data[i : i + 590] for i in range(0, len(data), 590)]
    expected = [normalise_chunk(normaliser, chunk).out for chunk in chunks]
    with make_executor(normaliser, 2) as pool:
        assert pool is not None and pool.slots is not None
        views = []
        outs = []
        for _, result in normalise_chunks(normaliser, iter(chunks), pool, 2, in_place=True):
            outs.append(bytes(result.out))
            if isinstance(result.out, memoryview):
                views.append(result.out)
        assert outs == expected
        assert views, "no chunk went to the worker"
        with pytest.raises(ValueError):
            bytes(views[0])
        assert len(pool.slots.free) == pool.slots.count


def test_without_views_a_workers_output_is_bytes(tmp_path):
    normaliser = Normaliser(str(TABLE), default_table=False, phonetic="off")
    data = (TEXT * 400).encode()
    kept: list[object] = []
    with make_executor(normaliser, 2) as pool:
        normalise_source(
            normaliser,
            Source("in.txt", Trickle(data, [500]), len(data)),
            kept.append,
            executor=pool,
            chunk_chars=600,
        )
    assert all(type(out) is bytes for out in kept)
    assert b"".join(kept) == normalise_chunk(normaliser, data).out  # type: ignore[arg-type]


def test_the_command_writes_views_whole(tmp_path):
    out = io.BytesIO()
    normaliser = Normaliser(str(TABLE), default_table=False, phonetic="off")
    data = (TEXT * 400).encode()
    with make_executor(normaliser, 2) as pool:
        normalise_source(
            normaliser,
            Source("in.txt", Trickle(data, [500]), len(data)),
            out.write,
            executor=pool,
            chunk_chars=600,
            views=True,
        )
    assert out.getvalue() == normalise_chunk(normaliser, data).out


def test_chunks_larger_than_a_pipe_go_both_ways_at_once(tmp_path):
    """Text of another encoding goes through the pipes: a chunk (a megabyte) sent while the
    worker sends a result back must not leave both waiting for the other to read (with
    blocking writes both ways, ``--encoding latin-1 -j 2`` on a 24 MB file hung)."""
    line = "Taleban in Kiev, café résumé naïve; the US neighbourhood.\n"
    (tmp_path / "in.txt").write_bytes((line * 60_000).encode("latin-1"))  # 3.5 MB: 4 chunks
    outputs = []
    for jobs in ("1", "2"):
        args = [*BASE, "--encoding", "latin-1", "-j", jobs, "in.txt", "-o", f"out{jobs}.txt"]
        done = subprocess.run(
            [sys.executable, "-m", "normalise", *args],
            cwd=tmp_path,
            env=ENV,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / f"out{jobs}.txt").read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"Taliban") == 60_000


def test_a_channel_works_with_descriptors_past_selects_limit():
    """A long-lived caller may hold more than 1,024 descriptors: the channel waits with
    ``poll``, which ``select`` could not (a ValueError at the first full pipe)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2100:
        pytest.skip(f"descriptors limited to {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2100), hard))
    ends = []
    try:
        for number, fd in zip(range(2000, 2004), (*os.pipe(), *os.pipe()), strict=True):
            ends.append(os.dup2(fd, number))
            os.close(fd)
        left = Channel(ends[0], ends[3])  # reads the first pipe, writes the second
        right = Channel(ends[2], ends[1])
        assert not left.poll()
        big = b"x" * (1 << 20)  # both ways at once, each larger than a pipe
        got = []
        other = threading.Thread(target=lambda: (right.send(big), got.append(right.recv())))
        other.start()
        left.send(big)
        assert left.recv() == big
        other.join(timeout=10)
        assert got == [big]
    finally:
        for fd in ends:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
