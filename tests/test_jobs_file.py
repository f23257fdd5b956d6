"""``--jobs`` on a named regular file: a worker reads its chunk from the file itself, and the
command reads only the end of each chunk to cut it (``normalise.stream.file_spans``). The
cuts are those of :func:`read_byte_chunks`, so the output, the log and the counts are byte
for byte those of one process reading the file.

Blocks, chunks and the cut window are made tiny (50, 64 and 16 bytes) so that a few
kilobytes make many chunks, and lines longer than the window are read whole.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
import threading
import time
from unittest import mock

import pytest
from hypothesis import example, given, settings
from test_jobs import INPUTS, LINE
from test_stream import DATA, Trickle

from normalise import Normaliser
from normalise import stream as stream_module
from normalise.stream import (
    FileStats,
    SharedFile,
    Source,
    file_spans,
    make_executor,
    max_jobs,
    normalise_source,
    open_source,
    read_byte_chunks,
    shared_file,
)
from normalise.workers import Workers

pytestmark = pytest.mark.skipif(max_jobs() < 2, reason="one processor: no worker processes")

TABLE = os.path.join(os.path.dirname(__file__), "fixtures", "cli_table.yaml")
CHUNK, READ, WINDOW = 64, 50, 16


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser(TABLE, default_table=False, phonetic="off")


@pytest.fixture(scope="module")
def workers(normaliser):
    with make_executor(normaliser, 2) as pool:
        yield pool


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(stream_module, "READ_SIZE", READ)
    monkeypatch.setattr(stream_module, "CUT_WINDOW", WINDOW)


def one_process(normaliser, data: bytes) -> tuple[bytes, bytes, FileStats]:
    out, log = io.BytesIO(), io.BytesIO()
    source = Source("in.txt", Trickle(data, [READ]), len(data))
    stats = normalise_source(normaliser, source, out.write, log=log.write, chunk_chars=CHUNK)
    return out.getvalue(), log.getvalue(), stats


def from_file(normaliser, path, executor: Workers) -> tuple[bytes, bytes, FileStats]:
    out, log = io.BytesIO(), io.BytesIO()
    source = open_source(str(path), io.BytesIO())
    with source.stream:
        stats = normalise_source(
            normaliser,
            Source("in.txt", source.stream, source.size),
            out.write,
            log=log.write,
            executor=executor,
            chunk_chars=CHUNK,
        )
    return out.getvalue(), log.getvalue(), stats


def summary(result: tuple[bytes, bytes, FileStats]) -> tuple[object, ...]:
    out, log, stats = result
    return (out, log, stats.counts, stats.invalid_at, stats.records, stats.bytes_in)


@pytest.mark.parametrize("name", list(INPUTS))
def test_workers_reading_the_file_give_the_bytes_of_one_process(
    normaliser, workers, tiny, submitted, tmp_path, name
):
    data = INPUTS[name]
    (tmp_path / "in.txt").write_bytes(data)
    one = one_process(normaliser, data)
    submitted.clear()
    workers.submit(time.sleep, 0.1)  # busy first: this process normalises some chunks too
    assert summary(from_file(normaliser, tmp_path / "in.txt", workers)) == summary(one)
    if len(data) > 10 * CHUNK:
        assert {"_work_in_file", "here"} <= set(submitted), submitted
        assert "_work_in_slot" not in submitted  # no chunk was copied into a slot
    assert workers.slots is not None and len(workers.slots.free) == workers.slots.count


def six_chunks(normaliser, submitted, path, read_where_it_lies, pool, on_input_end) -> None:
    """Six chunks through :func:`normalise_source` with ``pool`` (read where they lie, or from
    a stream), each write recorded in ``submitted``: the bytes of one process."""
    data = (LINE * 6).encode()
    path.write_bytes(data)
    one = one_process(normaliser, data)
    submitted.clear()
    out, log = io.BytesIO(), io.BytesIO()

    def write(chunk: bytes) -> None:
        submitted.append("write")
        out.write(chunk)

    with open(path, "rb") as stream:
        source = Source(
            "in.txt", stream if read_where_it_lies else Trickle(data, [READ]), len(data)
        )
        stats = normalise_source(
            normaliser,
            source,
            write,
            log=log.write,
            executor=pool,
            chunk_chars=CHUNK,
            on_input_end=on_input_end,
        )
    assert summary((out.getvalue(), log.getvalue(), stats)) == summary(one)


@pytest.mark.parametrize("read_where_it_lies", [True, False])
def test_the_workers_are_told_to_end_once_the_last_chunk_is_handed_out(
    normaliser, tiny, submitted, tmp_path, read_where_it_lies
):
    """``on_input_end`` (the command's ``Workers.finish`` with its last input) is called once,
    after the last chunk went to a worker or was normalised here and before the results the
    worker still owes are written: the worker ends on its own while the command writes them
    (not waited for at the end), and every chunk it was sent is still answered, the bytes
    those of one process. The worker is held on a pipe until then, so that its results wait
    (six chunks: the command never waits for the held worker)."""
    held, release = os.pipe()
    with make_executor(normaliser, 2) as pool:
        pool.submit(os.read, held, 1)  # the worker waits until end() writes to the pipe
        # else released after 10 s, so that a run that never calls end() fails, not hangs
        fallback = threading.Timer(10, os.write, (release, b"x"))
        fallback.start()

        def end() -> None:
            submitted.append("end")
            pool.finish()
            fallback.cancel()
            os.write(release, b"x")

        six_chunks(normaliser, submitted, tmp_path / "in.txt", read_where_it_lies, pool, end)
        for process in list(pool._processes.values()):
            process.join(timeout=10)
            assert process.exitcode == 0  # it ended on its own, told by finish()
    os.close(held)
    os.close(release)
    work = "_work_in_file" if read_where_it_lies else "_work_in_slot"
    assert submitted.count("end") == 1
    handed = [i for i, call in enumerate(submitted) if call in (work, "here")]
    written = [i for i, call in enumerate(submitted) if call == "write"]
    assert submitted[0] == work and len(handed) == 6
    assert handed[-1] < submitted.index("end") < written[0], submitted


@pytest.mark.parametrize("count", [0, 1, 3])
def test_handing_out_gives_the_end_with_the_last_item_only(count):
    calls: list[object] = []
    for item, handed_out in stream_module._handing_out(range(count), lambda: calls.append("end")):
        calls.append(item)
        handed_out()
    assert calls == [*range(count), "end"]


@pytest.mark.parametrize("read_where_it_lies", [True, False])
def test_the_workers_are_told_before_the_last_chunk_is_written(
    normaliser, tiny, submitted, tmp_path, read_where_it_lies
):
    """Every slot taken, so the command normalises every chunk itself and each is written as
    soon as it is done: the workers are told right after the last one is handed out (the
    input is read one chunk ahead to know it is the last), before it is written, not once
    the loop over the chunks ends."""
    with make_executor(normaliser, 2) as pool:
        pool.start()
        assert pool.slots is not None
        taken = list(iter(pool.slots.take, None))
        end = lambda: submitted.append("end")  # noqa: E731
        six_chunks(normaliser, submitted, tmp_path / "in.txt", read_where_it_lies, pool, end)
        for slot in taken:
            pool.slots.give(slot)
    assert submitted == ["here", "write"] * 5 + ["here", "end", "write"]


def test_a_worker_that_cannot_open_the_file_leaves_its_chunks_to_the_command(
    normaliser, workers, tiny, submitted, tmp_path, monkeypatch
):
    """The worker finds another file behind the descriptor (as when the file's permissions
    changed and it cannot be opened): it answers None, and the command does the chunk."""
    data = INPUTS["invalid utf-8"]
    (tmp_path / "in.txt").write_bytes(data)

    def elsewhere(source):
        where = shared_file(source)
        assert where is not None
        return where._replace(ino=where.ino + 1)

    monkeypatch.setattr(stream_module, "shared_file", elsewhere)
    one = one_process(normaliser, data)
    submitted.clear()
    assert summary(from_file(normaliser, tmp_path / "in.txt", workers)) == summary(one)
    assert "_work_in_file" in submitted
    assert workers.slots is not None and len(workers.slots.free) == workers.slots.count


@settings(max_examples=60, deadline=None)
@given(DATA)
@example(b"y" * 99 + b"\r\n" + b"z\r\n" * 30)  # a block ends between CR and LF: the CR waits
@example(b"y" * 80 + b"\n" + b"y" * 18 + b"\r\n" + b"z\r\n" * 30)  # the same, a line end before
@example(("Київ" * 60).encode() + b" Taleban\n")  # no line end in the window
def test_file_spans_cut_where_the_reads_cut(data):
    with (
        mock.patch.object(stream_module, "READ_SIZE", READ),
        mock.patch.object(stream_module, "CUT_WINDOW", WINDOW),
    ):
        chunks = list(read_byte_chunks(Source("x", Trickle(data, [READ])), None, CHUNK))
        with tempfile.TemporaryFile() as stream:
            stream.write(data)
            stream.flush()
            seen: list[int] = []
            spans = list(file_spans(stream.fileno(), on_bytes=seen.append, chunk_bytes=CHUNK))
    assert [data[start:end] for start, end in spans] == chunks
    assert sum(seen) == len(data)


def test_a_file_that_grows_while_it_is_cut_is_read_to_its_new_end(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(b"line\n" * 100)
    calls = []

    def grow():
        calls.append(1)
        if len(calls) == 3:
            with open(path, "ab") as stream:
                stream.write(b"more\n" * 100)

    with open(path, "rb") as stream, mock.patch.object(stream_module, "READ_SIZE", 64):
        spans = list(file_spans(stream.fileno(), grow, chunk_bytes=CHUNK))
    assert spans[-1][1] == 1000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_a_file_cut_short_while_it_is_cut_ends_the_spans_without_an_error(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(b"x" * 300 + b"\n" + b"y" * 300)
    calls = []

    def shrink():
        calls.append(1)
        if len(calls) == 2:
            os.truncate(path, 100)

    with open(path, "rb") as stream, mock.patch.object(stream_module, "READ_SIZE", 64):
        spans = list(file_spans(stream.fileno(), shrink, chunk_bytes=CHUNK))
    assert spans and spans[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_only_named_regular_files_not_yet_read_are_read_where_they_lie(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(b"Taleban\n" * 10)
    with open(path, "rb") as stream:
        where = shared_file(Source(str(path), stream, 80))
        assert isinstance(where, SharedFile)
        assert (where.pid, where.fd) == (os.getpid(), stream.fileno())
        assert where.ino == os.stat(path).st_ino
        assert shared_file(Source("-", stream, 80)) is None  # standard input: as before
        assert shared_file(Source(str(path), stream, 80, interactive=True)) is None
        stream.read(3)
        assert shared_file(Source(str(path), stream, 80)) is None  # not from its start
    read, write = os.pipe()
    with os.fdopen(read, "rb") as pipe:
        os.close(write)
        assert shared_file(Source("p", pipe, None)) is None
