"""Normalise byte streams of any size with bounded memory, keeping every byte outside the
substitutions.

Input is decoded incrementally with ``surrogateescape`` (so invalid bytes survive as lone
surrogates and are encoded back unchanged), cut into chunks at line ends (or, in a line longer
than a chunk, at white space), normalised chunk by chunk, possibly in worker processes, and
written in order. Each substitution becomes a log record with the file, line and column and
offsets counted from the start of that file's text.
"""

from __future__ import annotations

import codecs
import os
import re
import signal
import stat
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

from .log import Substitution
from .rewrite import Normaliser

#: Bytes read at a time from a regular file (a pipe gives what it has, up to this).
READ_SIZE = 1 << 20
#: A chunk is cut at the last line end once it holds this many characters (or, with no
#: line end, at the last white space: a multi-word name across such a cut is not matched).
CHUNK_CHARS = 1 << 20
_BREAKS = ("\n", "\r")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


@dataclass
class Source:
    """One input: a name for messages and logs, and its binary stream."""

    name: str
    stream: BinaryIO
    size: int | None = None          # bytes, when known (for the progress bar)
    interactive: bool = False        # a pipe or terminal: flush after every chunk


@dataclass
class FileStats:
    """What happened to one input."""

    name: str
    counts: Counter = field(default_factory=Counter)
    invalid_at: int | None = None    # byte offset of the first undecodable byte


def read_chunks(source: Source, encoding: str, on_bytes: Callable[[int], None] | None = None,
                chunk_chars: int = CHUNK_CHARS) -> Iterator[str]:
    """Decoded text of ``source`` in chunks that end at a line end where possible."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    read = getattr(source.stream, "read1", None) or source.stream.read
    pending = ""
    while True:
        block = read(READ_SIZE)
        if on_bytes is not None and block:
            on_bytes(len(block))
        text = decoder.decode(block, final=not block)
        if text:
            pending = pending + text if pending else text
        if not block:
            break
        cut = _cut(pending, chunk_chars, source.interactive)
        if cut:
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending


def _cut(text: str, limit: int, eager: bool) -> int:
    """Where to end a chunk: after the last line end (never between CR and LF)."""
    if not eager and len(text) < limit:
        return 0
    end = len(text) - 1 if text.endswith("\r") else len(text)
    cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
    if cut or len(text) < limit:
        return cut
    for pos in range(len(text) - 1, max(0, len(text) - 4096), -1):
        if text[pos].isspace() and text[pos] != "\r":
            return pos + 1
    return len(text)


class Locator:
    """Turns chunk offsets into file offsets, 1-based lines and 0-based columns."""

    def __init__(self) -> None:
        self.chars = 0       # characters of the file before the current chunk
        self.out_chars = 0   # characters of the output before the current chunk
        self.line = 1        # line at the start of the current chunk
        self.column = 0      # column at the start of the current chunk

    def records(self, name: str, chunk: str, out_len: int,
                subs: Iterable[Substitution]) -> Iterator[dict]:
        line, pos, line_start = self.line, 0, -self.column
        for sub in subs:
            # only the text since the previous record is searched: linear in the chunk
            line += _count_breaks(chunk, pos, sub.start)
            last = max(chunk.rfind("\n", pos, sub.start), chunk.rfind("\r", pos, sub.start))
            if last >= 0:
                line_start = last + 1
            pos = sub.start
            record = {"file": name, "line": line, "column": sub.start - line_start}
            record.update(sub.to_dict())
            for key in ("start", "end"):
                record[key] += self.chars
            for key in ("out_start", "out_end"):
                record[key] += self.out_chars
            yield record
        self.advance(chunk, out_len)

    def advance(self, chunk: str, out_len: int) -> None:
        breaks = _count_breaks(chunk, 0, len(chunk))
        last = max(chunk.rfind("\n"), chunk.rfind("\r"))
        self.column = len(chunk) - last - 1 if last >= 0 else self.column + len(chunk)
        self.line += breaks
        self.chars += len(chunk)
        self.out_chars += out_len


def _count_breaks(text: str, start: int, end: int) -> int:
    return (text.count("\n", start, end) + text.count("\r", start, end)
            - text.count("\r\n", start, end))


def first_invalid(text: str) -> int | None:
    """Index of the first lone surrogate (an undecodable byte), or None."""
    if text.isascii():
        return None
    found = _UNDECODABLE.search(text)
    return found.start() if found else None


# ---------------------------------------------------------------- worker processes

_WORKER: Normaliser | None = None


def _init_worker(normaliser: Normaliser) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _WORKER = normaliser


def _work(chunk: str):
    assert _WORKER is not None
    result = _WORKER.normalise(chunk)
    return result.text, result.substitutions


def make_executor(normaliser: Normaliser, jobs: int) -> Executor | None:
    """A pool of ``jobs`` worker processes that each hold a copy of the normaliser."""
    if jobs <= 1:
        return None
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                               initargs=(normaliser,))


def normalise_chunks(normaliser: Normaliser, chunks: Iterable[str],
                     executor: Executor | None, window: int = 2):
    """(chunk, output, substitutions) for each chunk, in order; at most ``window`` chunks per
    worker in flight, so memory stays bounded. ``window=1`` answers each chunk before the
    next is read (interactive input)."""
    if executor is None or window <= 1:
        for chunk in chunks:
            result = normaliser.normalise(chunk)
            yield chunk, result.text, result.substitutions
        return
    limit = window * getattr(executor, "_max_workers", 2)
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, executor.submit(_work, chunk)))
        if len(pending) >= limit:
            done_chunk, future = pending.popleft()
            yield (done_chunk, *future.result())
    while pending:
        done_chunk, future = pending.popleft()
        yield (done_chunk, *future.result())


def normalise_source(normaliser: Normaliser, source: Source, write: Callable[[bytes], None], *,
                     encoding: str = "utf-8", log: Callable[[dict], None] | None = None,
                     executor: Executor | None = None,
                     on_bytes: Callable[[int], None] | None = None,
                     flush: Callable[[], None] | None = None,
                     chunk_chars: int = CHUNK_CHARS) -> FileStats:
    """Normalise one input to ``write``; send each record to ``log``; return the counts."""
    stats = FileStats(source.name)
    locator = Locator()
    if executor is not None:
        chunk_chars = max(chunk_chars, 2 * CHUNK_CHARS)
    chunks = read_chunks(source, encoding, on_bytes, chunk_chars)
    encoder = codecs.getincrementalencoder(encoding)(errors="surrogateescape")
    measure = codecs.getincrementalencoder(encoding)(errors="surrogateescape")
    bytes_before = 0  # counted only until the first undecodable byte is found
    window = 1 if source.interactive else 2
    for chunk, out, subs in normalise_chunks(normaliser, chunks, executor, window):
        if stats.invalid_at is None:
            bad = first_invalid(chunk)
            if bad is None:
                bytes_before += len(measure.encode(chunk))
            else:
                stats.invalid_at = bytes_before + len(measure.encode(chunk[:bad]))
        write(encoder.encode(out))
        if flush is not None and source.interactive:
            flush()
        for sub in subs:
            if sub.applied:
                stats.counts[sub.entry] += 1
        if log is not None and subs:
            for record in locator.records(source.name, chunk, len(out), subs):
                log(record)
        else:
            locator.advance(chunk, len(out))
    write(encoder.encode("", final=True))
    return stats


def open_source(path: str, stdin: BinaryIO) -> Source:
    """A :class:`Source` for a path (``-`` is standard input); raises OSError."""
    if path == "-":
        return Source("-", stdin, None, not _is_regular(stdin))
    stream = open(path, "rb")  # noqa: SIM115 - closed by the caller
    return Source(path, stream, os.fstat(stream.fileno()).st_size, not _is_regular(stream))


def _is_regular(stream) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False
