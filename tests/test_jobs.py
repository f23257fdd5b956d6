"""``--jobs``: the command works as one of the workers, and chunks and results go through
shared memory (``normalise.slots``) or, where that cannot be (no fork, a result too large for
its slot, text of another encoding), through the pool's pipes. Whichever way a chunk goes,
the output, the log and the counts are byte for byte those of one process.

The library tests drive ``normalise_source`` with tiny chunks, so that one input makes many
chunks and every cut (inside a line too long for a chunk, between the bytes of a character)
happens; the command tests run ``python -m normalise`` as users do.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_quiet_broken_pipe
from hypothesis import given, settings
from test_stream import DATA, Trickle

from normalise import Normaliser
from normalise import stream as stream_module
from normalise.stream import (
    FileStats,
    Source,
    _init_worker,
    make_executor,
    max_jobs,
    normalise_source,
)
from normalise.workers import Workers

pytestmark = pytest.mark.skipif(max_jobs() < 2, reason="one processor: no worker processes")

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "fixtures" / "cli_table.yaml"
BASE = ["--no-default-table", "--phonetic", "off", "--table", str(TABLE)]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
CHUNK = 64  # a chunk is cut once it holds this many bytes (characters) ...
READ = 50  # ... from reads of this many: many chunks from a few kilobytes

LINE = "Taleban in Kiev, Київ and the US neighbourhood; Mazar-e-Sharif é 𝔘\n"
INPUTS = {
    "empty": b"",
    "no final newline": (LINE * 40).encode().rstrip(b"\n"),
    "crlf": (LINE * 40).replace("\n", "\r\n").encode(),
    "cr only": (LINE * 40).replace("\n", "\r").encode(),
    "bom": b"\xef\xbb\xbf" + (LINE * 40).encode(),
    "invalid utf-8": (LINE * 20).encode() + b"\xff\xc3( Taleban \xe2\x82 US\n" * 20,
    # no white space for hundreds of bytes: chunks are cut before a character, and the
    # reads of the stream (3 bytes) split characters too
    "characters across cuts": ("Київ" * 200 + " Taleban\n").encode() * 4,
    "one long line": (LINE.rstrip("\n") + " ").encode() * 60,
}


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(str(TABLE), default_table=False, phonetic="off")


@pytest.fixture(scope="module")
def workers(normaliser):
    """One worker process (``--jobs 2``) with the normal shared memory."""
    with make_executor(normaliser, 2) as pool:
        yield pool


def run(
    normaliser, data: bytes, executor, encoding: str = "utf-8"
) -> tuple[bytes, bytes, FileStats]:
    out, log = io.BytesIO(), io.BytesIO()
    stats = normalise_source(
        normaliser,
        Source("in.txt", Trickle(data, [READ]), len(data)),
        out.write,
        encoding=encoding,
        log=log.write,
        executor=executor,
        chunk_chars=CHUNK,
    )
    return out.getvalue(), log.getvalue(), stats


def same(one, two) -> None:
    assert two[0] == one[0]
    assert two[1] == one[1]
    assert (two[2].counts, two[2].invalid_at, two[2].records) == (
        one[2].counts,
        one[2].invalid_at,
        one[2].records,
    )
    assert (two[2].bytes_in, two[2].bytes_out) == (one[2].bytes_in, one[2].bytes_out)


@pytest.mark.parametrize("name", list(INPUTS))
def test_workers_give_the_bytes_of_one_process(normaliser, workers, submitted, name):
    data = INPUTS[name]
    one = run(normaliser, data, None)
    submitted.clear()
    # the worker busy for a while first: the chunks queued for it wait, and this process
    # normalises the next ones itself (else a worker as fast as the reads might take all)
    workers.submit(time.sleep, 0.1)
    same(one, run(normaliser, data, workers))
    if len(data) > 10 * CHUNK:  # the worker (through shared memory) and this process took part
        assert {"_work_in_slot", "here"} <= set(submitted), submitted
    assert (
        workers.slots is not None and len(workers.slots.free) == workers.slots.count
    )  # every slot given back


def test_results_too_large_for_a_slot_come_through_the_pipe(normaliser, submitted):
    """Slots of 100 bytes: 64-byte chunks fit, their output and log do not."""
    data = INPUTS["crlf"]
    with make_executor(normaliser, 2, slot_bytes=100) as pool:
        same(run(normaliser, data, None), run(normaliser, data, pool))
        assert pool.slots is not None and len(pool.slots.free) == pool.slots.count
    assert "_work_in_slot" in submitted


def test_without_shared_memory_the_pipes_carry_the_chunks(normaliser, submitted):
    """Where workers are not forked (spawn, forkserver) there are no slots."""
    data = INPUTS["invalid utf-8"]
    with make_executor(normaliser, 2) as pool:
        pool.slots = None
        same(run(normaliser, data, None), run(normaliser, data, pool))
    assert "_work" in submitted and "_work_in_slot" not in submitted


def test_workers_started_afresh_get_a_pickled_normaliser(normaliser, submitted):
    """Where processes are not forked (macOS, Windows): no shared memory, the normaliser
    pickled to each worker, chunks and results through the pipes."""
    data = INPUTS["bom"] + INPUTS["invalid utf-8"]
    pool = Workers(_init_worker, (normaliser, os.getpid()), 1, start_method="spawn")
    with pool:
        assert pool.slots is None
        pool.submit(time.sleep, 0.1)  # as above: this process takes some chunks too
        same(run(normaliser, data, None), run(normaliser, data, pool))
    assert {"_work", "here"} <= set(submitted)


def test_text_of_another_encoding_goes_through_the_pipes(normaliser, workers, submitted):
    data = "\ufeff".encode("utf-16-le") + (LINE * 30).encode("utf-16-le")
    one = run(normaliser, data, None, "utf-16")
    assert one[0].decode("utf-16-le").count("Taliban") == 30
    same(one, run(normaliser, data, workers, "utf-16"))
    assert "_work" in submitted


@settings(max_examples=40, deadline=None)
@given(DATA)
def test_any_bytes_give_the_same_with_workers(normaliser, workers, data):
    same(run(normaliser, data, None), run(normaliser, data, workers))


# ------------------------------------------------------------------------------ the command


def norm(cwd: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "normalise", *BASE, *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def test_the_command_gives_the_same_bytes_with_two_jobs(tmp_path):
    """Several inputs in one run, each over several 1 MB chunks or none: the text, the log
    (with each file's summary line) and the warnings are those of --jobs 1."""
    big = (LINE * 20_000).encode()  # 1.5 MB: two chunks (cut after the first 1 MB read)
    files = {
        "empty.txt": b"",
        "bom-crlf.txt": b"\xef\xbb\xbf" + big.replace(b"\n", b"\r\n"),
        "invalid.txt": big[:1_200_000] + b"\xff\xfe Taleban\n" + big[:600_000],
        "no-newline.txt": big.rstrip(b"\n"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    results = {}
    for jobs in ("1", "2"):
        proc = norm(tmp_path, "-j", jobs, *files, "-o", f"out{jobs}.txt", "--log", f"log{jobs}")
        assert proc.returncode == 0, proc.stderr
        results[jobs] = (
            (tmp_path / f"out{jobs}.txt").read_bytes(),
            (tmp_path / f"log{jobs}").read_bytes(),
            proc.stderr,
        )
    assert results["2"] == results["1"]
    try:
        files["invalid.txt"].decode()
    except UnicodeDecodeError as err:
        assert f"invalid.txt: invalid utf-8 at byte {err.start};".encode() in results["1"][2]
    assert results["1"][0].count(b"Taliban") == sum(d.count(b"Taleban") for d in files.values())


def test_a_closed_pipe_ends_two_jobs_quietly(tmp_path):
    """Broken pipe with a worker running: exit 141 (as SIGPIPE), nothing on stderr, no worker
    left behind."""
    (tmp_path / "big.txt").write_bytes((LINE * 60_000).encode())
    proc = subprocess.Popen(
        [sys.executable, "-m", "normalise", *BASE, "-j", "2", "big.txt"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert_quiet_broken_pipe(proc, timeout=60)
    assert _processes_in(tmp_path) == [], "a worker outlived the command"


def _processes_in(folder: Path, wait: float = 5.0) -> list[int]:
    """The processes whose working directory is ``folder`` (the command's forked workers
    inherit it), after up to ``wait`` seconds for them to end."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if Path(os.readlink(entry / "cwd")) == folder:
                        found.append(int(entry.name))
                except OSError:
                    pass  # ended meanwhile, or not ours to read
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.mark.parametrize("known", [True, False])
def test_near_the_end_the_command_takes_the_chunks_a_busy_worker_would_hold(
    normaliser, submitted, known
):
    """Four chunks, the worker held busy: with the input's size known, the command takes the
    third and fourth itself (the worker's queue would outlast the chunks left) rather than
    wait for them with nothing to do; without it, only the fourth (its queue full)."""
    data = ("Taleban " * 7 + "x" * 7 + "\n").encode() * 4  # 64-byte lines: a chunk each
    one = run(normaliser, data, None)
    submitted.clear()
    with make_executor(normaliser, 2) as pool:
        pool.submit(time.sleep, 0.3)  # every chunk sent meanwhile waits in its queue
        out, log = io.BytesIO(), io.BytesIO()
        source = Source("in.txt", Trickle(data, [READ]), len(data) if known else None)
        stats = normalise_source(
            normaliser, source, out.write, log=log.write, executor=pool, chunk_chars=CHUNK
        )
    same(one, (out.getvalue(), log.getvalue(), stats))
    worker = ["_work_in_slot"] * (2 if known else 3)
    assert submitted == worker + ["here"] * (4 - len(worker))


def test_queue_outlasts_the_input_only_when_its_size_says_so():
    outlasts = stream_module._queue_outlasts
    assert not outlasts(3, None, 100, 1)  # size unknown (a pipe): the queue decides
    assert not outlasts(0, 400, 300, 3)  # an idle worker may take the last chunk
    assert not outlasts(2, 400, 200, 2)  # two waiting, two left: still a fair share
    assert outlasts(2, 400, 300, 3)  # two waiting, one left
    assert outlasts(1, 400, 400, 4)  # nothing left


def test_finished_workers_answer_their_calls_then_end_before_shutdown(normaliser):
    """finish() with a call waiting: the worker answers it, then ends on its own (while the
    command writes the last results and renames its outputs); no call may follow."""
    with make_executor(normaliser, 2) as pool:
        task = pool.submit(time.sleep, 0.2)
        processes = list(pool._processes.values())
        pool.finish()
        pool.finish()  # told once
        assert task.result() is None
        for process in processes:
            process.join(timeout=10)
            assert process.exitcode == 0
        with pytest.raises(RuntimeError, match="after finish"):
            pool.submit(len, "abc")
        pool.shutdown()
