"""Normalise byte streams of any size with bounded memory, keeping every byte outside the
substitutions.

Input is cut into chunks at line ends (or, in a line longer than a chunk, at white space) and
decoded with ``surrogateescape`` (so invalid bytes survive as lone surrogates and are encoded
back unchanged). UTF-8 is cut as bytes, and each chunk is decoded, normalised, encoded and its
log records serialised in one call. With ``--jobs N`` the command is one of the N workers:
it reads, writes, and shifts each record's line, column and offsets from the chunk's start to
the file's, and normalises a chunk itself whenever the N - 1 worker processes have enough
queued (:mod:`normalise.workers`); UTF-8 chunks and their results go to and from the
workers through shared memory (:mod:`normalise.slots`). Other encodings are decoded and
encoded in the parent, and their chunks go through the workers' pipes.
"""

from __future__ import annotations

import codecs
import gc
import os
import pickle
import re
import signal
import stat
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import add
from typing import AnyStr, BinaryIO, NamedTuple, TypeVar, cast

from . import core
from .chars import count_newlines
from .evidence import EVIDENCE_WINDOW
from .log import Substitution, file_json, log_template
from .rewrite import Normaliser
from .slots import SLOT_BYTES, Slots
from .textcodec import ERRORS, encode_text, needs_head, read_head, with_byte_order
from .workers import Task, Workers
from .workers import WorkerDied as WorkerDied  # named here for the command and callers

#: Bytes read at a time from a regular file (a pipe gives what it has, up to this).
READ_SIZE = 1 << 20
#: A chunk is cut at the last line end once it holds this many characters (bytes, for UTF-8),
#: or, with no line end, at the last white space: a multi-word name across such a cut is not
#: matched. The same with and without worker processes, so that both give the same log.
CHUNK_CHARS = 1 << 20
_UNDECODABLE = re.compile("[\udc00-\udcff]")
T = TypeVar("T")


@dataclass
class Source:
    """One input: a name for messages and logs, and its binary stream."""

    name: str
    stream: BinaryIO
    size: int | None = None  # bytes, when known (for the progress bar)
    interactive: bool = False  # a pipe or terminal: flush after every chunk


@dataclass
class FileStats:
    """What happened to one input."""

    name: str
    counts: Counter[str] = field(default_factory=Counter)
    invalid_at: int | None = None  # byte offset of the first undecodable byte
    encoding: str = "utf-8"  # the codec used (utf-16 resolved to its byte order)
    records: int = 0  # log records written
    bytes_in: int = 0  # bytes read
    bytes_out: int = 0  # bytes written


def read_chunks(
    source: Source,
    encoding: str,
    on_bytes: Callable[[int], None] | None = None,
    chunk_chars: int = CHUNK_CHARS,
) -> Iterator[str]:
    """Decoded text of ``source`` in chunks that end at a line end where possible."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=ERRORS)
    return _chunked(
        source, on_bytes, lambda block: decoder.decode(block, final=not block), _cut, chunk_chars
    )


def _chunked(
    source: Source,
    on_bytes: Callable[[int], None] | None,
    decode: Callable[[bytes], AnyStr],
    cut_at: Callable[[AnyStr, int, bool], int],
    limit: int,
) -> Iterator[AnyStr]:
    """What ``decode`` makes of the blocks read from ``source``, cut where ``cut_at`` says
    (text or bytes alike: both paths read, count and cut the same way)."""
    read = getattr(source.stream, "read1", None) or source.stream.read
    pending: AnyStr | None = None
    while True:
        block = read(READ_SIZE)
        if on_bytes is not None and block:
            on_bytes(len(block))
        piece = decode(block)
        if piece:
            pending = pending + piece if pending else piece
        if not block:
            break
        cut = cut_at(pending, limit, source.interactive) if pending else 0
        if cut and pending is not None:
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
    return end  # a CR at the end waits: an LF may follow it (a lone "\r" waits whole)


def read_byte_chunks(
    source: Source, on_bytes: Callable[[int], None] | None = None, chunk_bytes: int = CHUNK_CHARS
) -> Iterator[bytes]:
    """The raw bytes of a UTF-8 ``source`` in chunks that end at a line end where possible.

    Why bytes: cutting is a few ``rfind`` calls, and decoding moves to the worker processes.
    In UTF-8 (invalid bytes included) a line-end byte is never part of another character and
    the decoder holds nothing after it, so the chunks decode to exactly the text of the whole.
    """
    return _chunked(source, on_bytes, lambda block: block, _cut_bytes, chunk_bytes)


_SPACE_BYTES = (b" ", b"\t", b"\v", b"\f", b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def _cut_bytes(data: bytes, limit: int, eager: bool) -> int:
    """Where to end a UTF-8 chunk: after the last line end (never between CR and LF); in a
    line longer than a chunk, after the last white space, else before a character."""
    if not eager and len(data) < limit:
        return 0
    end = len(data) - 1 if data.endswith(b"\r") else len(data)
    cut = max(data.rfind(b"\n", 0, end), data.rfind(b"\r", 0, end)) + 1
    if cut or len(data) < limit:
        return cut
    low = max(0, len(data) - 4096)
    space = max(data.rfind(byte, low) for byte in _SPACE_BYTES)
    if space >= 0:
        return space + 1
    for pos in range(end - 1, max(0, end - 3) - 1, -1):
        if data[pos] >= 0xC0:  # a lead byte: its character may go on past the end
            return pos
    return end


class ChunkResult(NamedTuple):
    """What normalising one chunk gives, all counted from the start of the chunk: cheap to
    send back from a worker, and cheap for the parent to place in the file."""

    out: bytes | memoryview | str  # bytes when the chunk came as bytes (a view of a worker's
    # slot, from :func:`normalise_chunks` with ``in_place``)
    chars: int  # characters of the input chunk
    out_chars: int  # characters of the output chunk
    breaks: int  # line ends in the chunk
    tail: int  # characters after the last line end; -1 when there is none
    invalid: int | None  # first undecodable byte: byte offset (bytes) or index (str)
    counts: dict[str, int]  # applied substitutions per entry
    log: bytes  # the records as a :func:`log_template` (empty without a log), or the
    # compiled core's template (a NUL for each field) when ``fields`` is bytes
    fields: list[int] | bytes  # its TEMPLATE_FIELDS values, line 0-based, columns from the
    # chunk start on its first line (bytes: packed int64, from the compiled core)
    first_line: int  # records on the chunk's first line (their column needs a base)

    @property
    def records(self) -> int:
        """Log records of the chunk (0 without a log)."""
        return len(self.fields) // (48 if isinstance(self.fields, bytes) else 6)


def normalise_chunk(
    normaliser: Normaliser,
    chunk: bytes | memoryview | str,
    log_name: str | None = None,
    before: bytes | str = "",
    after: bytes | str = "",
) -> ChunkResult:
    """Normalise one chunk: UTF-8 bytes (decoded here, the output encoded here) or text; with
    ``log_name``, also serialise its log records. ``before`` and ``after`` are the ends of the
    neighbouring chunks, read only as evidence for the phonetic matcher. UTF-8 may also come
    as a memoryview (a worker's slot, decoded where it lies)."""
    raw = not isinstance(chunk, str)
    text = chunk if isinstance(chunk, str) else str(chunk, "utf-8", "surrogateescape")
    if isinstance(before, bytes):
        before = before.decode("utf-8", "surrogateescape")
    if isinstance(after, bytes):
        after = after.decode("utf-8", "surrogateescape")
    result = normaliser.normalise(text, before=before, after=after)
    compiled = _chunk_records(text, result.substitutions, log_name)
    if compiled is None:
        counts: dict[str, int] = {}
        for sub in result.substitutions:
            if sub.applied:
                counts[sub.entry] = counts.get(sub.entry, 0) + 1
    else:
        counts = compiled[0]
    out: bytes | str = result.text
    invalid = None
    if raw:
        try:  # strict encoding fails only on an undecodable byte: no search when there is none
            out = result.text.encode("utf-8")
        except UnicodeEncodeError:
            out = result.text.encode("utf-8", "surrogateescape")
            invalid = first_invalid(text)
            if invalid is not None:
                invalid = len(text[:invalid].encode("utf-8", "surrogateescape"))
    else:
        invalid = first_invalid(text)
    log, first_line = b"", 0
    fields: list[int] | bytes = []
    if compiled is not None:
        _, log, fields, first_line, breaks, last = compiled
    else:
        crlf = "\r" in text
        breaks = count_newlines(text) if crlf else text.count("\n")
        last = max(text.rfind("\n"), text.rfind("\r"))
    if compiled is None and log_name is not None and result.substitutions:
        log = log_template(log_name, result.substitutions)
        fields, first_line = _fields(text, result.substitutions, crlf)
    return ChunkResult(
        out,
        len(text),
        len(result.text),
        breaks,
        len(text) - last - 1 if last >= 0 else -1,
        invalid,
        counts,
        log,
        fields,
        first_line,
    )


def _chunk_records(
    text: str, subs: list[Substitution], log_name: str | None
) -> tuple[dict[str, int], bytes, bytes, int, int, int] | None:
    """The counts and log lines of a chunk's records, its line ends and where the last one
    is, from the compiled core (``_core.chunk_records``), or None where the Python writer
    writes them: the Python core, or a record the compiled path does not hold."""
    if core.selected() != "compiled" or type(subs) is not list:
        return None
    name = None if log_name is None else file_json(log_name)
    done: tuple[dict[str, int], bytes, bytes, int, int, int] | None
    done = core.compiled_module().chunk_records(text, subs, name)
    return done


def _fields(text: str, subs: Iterable[Substitution], crlf: bool) -> tuple[list[int], int]:
    """TEMPLATE_FIELDS values of ``subs`` within ``text``, and how many are on line 0.

    Only the text since the previous record is searched: linear in the chunk."""
    fields: list[int] = []
    add = fields.extend
    line = pos = line_start = first = 0
    for sub in subs:
        start = sub.start
        if crlf:
            breaks = count_newlines(text, pos, start)
            if breaks:
                line += breaks
                line_start = max(text.rfind("\n", pos, start), text.rfind("\r", pos, start)) + 1
        else:
            breaks = text.count("\n", pos, start)
            if breaks:
                line += breaks
                line_start = text.rfind("\n", pos, start) + 1
        if not line:
            first += 1
        pos = start
        add((line, start - line_start, start, sub.end, sub.out_start, sub.out_end))
    return fields, first


class Locator:
    """Where the current chunk stands in its file: places a chunk's log records there."""

    def __init__(self) -> None:
        self.chars = 0  # characters of the file before the current chunk
        self.out_chars = 0  # characters of the output before the current chunk
        self.line = 1  # line at the start of the current chunk
        self.column = 0  # column at the start of the current chunk

    def place(self, result: ChunkResult) -> bytes:
        """The chunk's log lines with file lines, columns and offsets (C-level adds and one
        format, whatever the number of records)."""
        if not result.log:
            return b""
        if isinstance(result.fields, bytes):  # the compiled core's template: filled in C
            fill = core.compiled_module().place_log
            place = (self.line, self.column, self.chars, self.out_chars)
            return cast(bytes, fill(result.log, result.fields, result.first_line, *place))
        shift = (self.line, 0, self.chars, self.chars, self.out_chars, self.out_chars)
        values = list(map(add, result.fields, shift * (len(result.fields) // 6)))
        if self.column:
            for i in range(1, 6 * result.first_line, 6):
                values[i] += self.column
        return result.log % tuple(values)

    def advance(self, result: ChunkResult) -> None:
        self.column = result.tail if result.tail >= 0 else self.column + result.chars
        self.line += result.breaks
        self.chars += result.chars
        self.out_chars += result.out_chars


def first_invalid(text: str) -> int | None:
    """Index of the first lone surrogate (an undecodable byte), or None."""
    if text.isascii():
        return None
    found = _UNDECODABLE.search(text)
    return found.start() if found else None


# ---------------------------------------------------------------- worker processes

_WORKER: Normaliser | None = None
_SLOTS: Slots | None = None


#: The most worker processes ``--jobs`` starts: more only share the same cores.
def max_jobs() -> int:
    """The processors this process may run on (``--jobs`` is capped to it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _init_worker(normaliser: Normaliser, parent: int, slots: Slots | None = None) -> None:
    global _WORKER, _SLOTS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler
    _die_with_parent(parent)
    _WORKER, _SLOTS = normaliser, slots
    gc.freeze()  # the worker's table lives as long as it: not walked by each collection


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when its parent dies (PR_SET_PDEATHSIG), so a killed
    parent leaves no worker behind; then make sure the parent (``parent``, its process id as
    the parent knew it, since a worker asking after its parent died would be told another)
    did not die before the request."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the pool's own checks stop workers when the parent exits
    _keep_freed_memory(libc)
    if os.getppid() != parent:
        os._exit(1)


def _keep_freed_memory(libc: object) -> None:
    """Ask glibc to serve a worker's chunk-sized buffers from memory it keeps, not from
    fresh pages each chunk: in a forked worker, each chunk's megabyte buffers were mapped
    and unmapped anew (about 1,300 page faults a chunk, 5 % of the worker's time on the dense
    workload). Resident memory stays at the largest few chunks' buffers."""
    try:
        libc.mallopt(-3, 32 << 20)  # type: ignore[attr-defined]  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 64 << 20)  # type: ignore[attr-defined]  # M_TRIM_THRESHOLD
    except AttributeError:
        pass  # not glibc


def _work(
    chunk: bytes | str, log_name: str | None, before: bytes | str = "", after: bytes | str = ""
) -> ChunkResult:
    assert _WORKER is not None
    return normalise_chunk(_WORKER, chunk, log_name, before, after)


def _work_in_slot(
    slot: int, size: int, log_name: str | None, before: bytes, after: bytes
) -> tuple[int, int, int] | ChunkResult:
    """Normalise the chunk of ``size`` bytes in ``slot`` and put the whole result there: its
    output, its log lines and the rest pickled (their sizes are the answer, so the worker
    never waits for the command to read a large one); the result itself when it does not
    fit."""
    assert _WORKER is not None and _SLOTS is not None
    with _SLOTS.view(slot, size) as chunk:  # decoded from the slot: no copy of it first
        result = normalise_chunk(_WORKER, chunk, log_name, before, after)
    return _answer_in_slot(slot, result)


def _answer_in_slot(slot: int, result: ChunkResult) -> tuple[int, int, int] | ChunkResult:
    """Put a worker's result in ``slot``: its sizes, or the result when it does not fit."""
    assert _SLOTS is not None
    out = cast(bytes, result.out)
    rest = pickle.dumps(result._replace(out=b"", log=b""), pickle.HIGHEST_PROTOCOL)
    if _SLOTS.put(slot, out, result.log, rest):
        return len(out), len(result.log), len(rest)
    return result


def make_executor(
    normaliser: Normaliser, jobs: int, slot_bytes: int = SLOT_BYTES
) -> Workers | None:
    """``jobs - 1`` worker processes (``jobs`` at most :func:`max_jobs`) that each hold a
    copy of the normaliser; this process is the other worker (:func:`normalise_chunks`)."""
    jobs = min(jobs, max_jobs())
    if jobs <= 1:
        return None
    return Workers(_init_worker, (normaliser, os.getpid()), jobs - 1, WINDOW, slot_bytes)


def _result(
    task: Task | ChunkResult,
    slots: Slots | None = None,
    slot: int | None = None,
    in_place: bool = False,
) -> ChunkResult:
    """The result normalised here, or by a worker (read out of its slot, which is free
    again). ``in_place``: the output is left in the slot, the result's ``out`` a view of it,
    and the caller gives the slot back (:func:`_yielded`)."""
    if not isinstance(task, Task):
        return task
    done = task.result()
    if slot is None or slots is None:
        return cast(ChunkResult, done)
    if not isinstance(done, ChunkResult):  # its sizes: the result is in the slot
        if in_place:  # the output written from where it lies: a megabyte not copied
            log, rest = slots.get(slot, *done[1:], skip=done[0])
            view = slots.view(slot, done[0])
            return cast(ChunkResult, pickle.loads(rest))._replace(out=view, log=log)
        out, log, rest = slots.get(slot, *done)
        done = cast(ChunkResult, pickle.loads(rest))._replace(out=out, log=log)
    slots.give(slot)
    return done


def with_context(
    chunks: Iterable[AnyStr], look_ahead: bool = True
) -> Iterator[tuple[AnyStr, AnyStr, AnyStr]]:
    """(chunk, before, after) for each chunk: the :data:`CONTEXT` characters (bytes, four per
    character, for UTF-8 chunks) before and after it, the evidence the phonetic matcher may
    read across a cut. A chunk waits until that much of what follows has been read; without
    ``look_ahead`` (interactive input, answered before more arrives) ``after`` is empty.
    Memory: at most one chunk and :data:`CONTEXT` characters more than without."""
    tail = None  # the end of what has been yielded
    waiting: deque[AnyStr] = deque()
    ahead = 0  # length of the chunks waiting, all but the first
    for chunk in chunks:
        size = CONTEXT * (4 if isinstance(chunk, bytes) else 1)
        if tail is None:
            tail = chunk[:0]
        if not look_ahead:
            yield chunk, tail, chunk[:0]
            tail = _ends(tail, chunk, size)
            continue
        waiting.append(chunk)
        if len(waiting) > 1:
            ahead += len(chunk)
        while len(waiting) > 1 and ahead >= size:
            first = waiting.popleft()
            after = waiting[0][:size]
            i = 1
            while len(after) < size and i < len(waiting):
                after += waiting[i][: size - len(after)]
                i += 1
            yield first, tail, after
            tail = _ends(tail, first, size)
            ahead -= len(waiting[0])
    while waiting:
        first = waiting.popleft()
        size = CONTEXT * (4 if isinstance(first, bytes) else 1)
        after = first[:0].join(waiting)[:size]
        yield first, tail if tail is not None else first[:0], after
        tail = _ends(tail if tail is not None else first[:0], first, size)


def _ends(tail: AnyStr, chunk: AnyStr, size: int) -> AnyStr:
    """The last ``size`` characters (bytes) of ``tail + chunk``, without copying a whole
    chunk first (a megabyte per chunk, in the command's own share of ``--jobs``)."""
    return chunk[-size:] if len(chunk) >= size else (tail + chunk)[-size:]


#: Chunks kept queued for each worker process: the command normalises a chunk itself only when
#: they are all busy. Three, not two: a worker's queue then outlasts a chunk normalised here
#: (104 MB dense workload: 0.92-0.94 s against 0.97-1.0 s for the pass with two, under chrt).
WINDOW = 3

#: Characters of each neighbouring chunk read as evidence (the evidence window).
CONTEXT = EVIDENCE_WINDOW


def normalise_chunks(
    normaliser: Normaliser,
    chunks: Iterable[bytes | str],
    executor: Workers | None,
    window: int = WINDOW,
    log_name: str | None = None,
    size: int | None = None,
    in_place: bool = False,
    on_input_end: Callable[[], object] | None = None,
) -> Iterator[tuple[bytes | str, ChunkResult]]:
    """(chunk, result) for each chunk, in order. With ``executor``, this process works as one
    more worker: it keeps ``window`` chunks queued for each worker process and normalises
    the next chunk itself whenever they are all busy, so that it never waits while there is
    work and starts no process that would compete with it for a core. It waits for the
    oldest chunk only when twice that many, and one more, wait to be written, so memory stays
    bounded. ``window=1`` answers each chunk before the next is read (interactive input):
    then only the chunk before is read for evidence, not the next.

    ``size``, the bytes of the whole input when the chunks are bytes and it is known: near
    its end a worker is given a chunk only while it has no more waiting than there are
    chunks left after it, so that the command does not wait, with nothing left to do, for a
    worker's queue at the end (on the dense 104 MB workload it waited 6-14 ms of one core).

    ``in_place``: a worker's output is yielded as a view of its slot, valid until the next
    chunk is asked for (the caller writes it at once): not copied out first (a megabyte a
    chunk in the command's share of the work).

    ``on_input_end``: with ``executor`` (and ``window`` above 1), called once the last chunk
    is handed out, before the results still waiting are yielded: the command tells its
    workers then that no call follows, and they end while it writes those results."""
    contexts = with_context(chunks, look_ahead=window > 1)  # type: ignore[type-var]
    if executor is None or window <= 1:
        for chunk, before, after in contexts:
            yield chunk, normalise_chunk(normaliser, chunk, log_name, before, after)
        return
    slots: Slots | None = getattr(executor, "slots", None)
    queued = window * getattr(executor, "_max_workers", 1)
    Entry = tuple[bytes | str, Task | ChunkResult, int | None]  # chunk, result, slot
    pending: deque[Entry] = deque()
    handed = count = 0  # bytes and chunks handed out so far
    for (chunk, before, after), handed_out in _handing_out(contexts, on_input_end):
        busy = sum(1 for _, r, _ in pending if isinstance(r, Task) and not r.done())
        handed, count = handed + len(chunk), count + 1
        entry: Entry
        if busy >= queued or _queue_outlasts(busy, size, handed, count):
            entry = (chunk, normalise_chunk(normaliser, chunk, log_name, before, after), None)
        elif slots is not None and isinstance(chunk, bytes):
            slot = slots.take()
            if slot is not None and slots.put(slot, chunk):
                call = (_work_in_slot, slot, len(chunk), log_name, before, after)
                entry = (chunk, _submit(executor, *call), slot)
            else:
                if slot is not None:
                    slots.give(slot)
                entry = (chunk, normalise_chunk(normaliser, chunk, log_name, before, after), None)
        else:
            entry = (chunk, _submit(executor, _work, chunk, log_name, before, after), None)
        pending.append(entry)
        handed_out()  # after the last chunk: the workers are told that no call follows
        while pending and (
            len(pending) > 2 * queued + 1
            or not isinstance(pending[0][1], Task)
            or pending[0][1].done()
        ):
            done_chunk, result, slot = pending.popleft()
            yield from _yielded(done_chunk, result, slots, slot, in_place)
    while pending:
        done_chunk, result, slot = pending.popleft()
        yield from _yielded(done_chunk, result, slots, slot, in_place)


def _yielded(
    chunk: bytes | str,
    task: Task | ChunkResult,
    slots: Slots | None,
    slot: int | None,
    in_place: bool,
) -> Iterator[tuple[bytes | str, ChunkResult]]:
    """Yield a chunk and its result; with ``in_place``, give its slot back once the caller
    asks for the next (it has written the output by then: the view is released first, so a
    caller that kept it fails rather than read the next chunk's bytes)."""
    result = _result(task, slots, slot, in_place and slot is not None)
    yield chunk, result
    if isinstance(result.out, memoryview) and slots is not None and slot is not None:
        result.out.release()
        slots.give(slot)


def _queue_outlasts(busy: int, size: int | None, handed: int, count: int) -> bool:
    """Whether the ``busy`` chunks a worker has would outlast the chunks left of an input of
    ``size`` bytes, ``handed`` of them handed out in ``count`` chunks (at their average size):
    then the command takes the next chunk itself rather than wait idle at the end."""
    return size is not None and busy > 0 and busy * handed > (size - handed) * count


def _handing_out(
    items: Iterable[T], done: Callable[[], object] | None
) -> Iterator[tuple[T, Callable[[], object]]]:
    """Each item with what to call once it is handed out: ``done`` with the last (the next
    item is read first, to know), nothing with the others; ``done`` at once when there is
    none. So the workers are told that no call follows before the command writes the
    results still waiting, not after."""
    iterator = iter(items)
    item = next(iterator, _NO_ITEM)
    for following in iterator:
        yield cast(T, item), _nothing
        item = following
    if item is not _NO_ITEM:
        yield cast(T, item), done or _nothing
    elif done is not None:
        done()


_NO_ITEM = object()


def _nothing() -> None:
    """What :func:`_handing_out` gives to call after all but the last item."""


def _submit(executor: Workers, work: Callable[..., object], *args: object) -> Task:
    return executor.submit(work, *args)


# ---------------------------------------------------------------- chunks read where they lie

#: Bytes of a chunk's end read to find its cut: a line end among them is the cut (a longer
#: line is read whole, and cut as :func:`read_byte_chunks` cuts it).
CUT_WINDOW = 1 << 16


class SharedFile(NamedTuple):
    """A regular file the command has open, as a worker opens it again: through the
    command's descriptor (``/proc/PID/fd/FD``, the same file even if renamed since), checked
    to be the same file (device and inode)."""

    pid: int
    fd: int
    dev: int
    ino: int


def shared_file(source: Source) -> SharedFile | None:
    """``source`` as a :class:`SharedFile` when its chunks can be read where they lie: a
    named regular UTF-8 file not read yet, on a system that names open files in ``/proc``."""
    if source.interactive or source.name == "-" or source.size is None:
        return None
    try:
        fd = source.stream.fileno()
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or os.lseek(fd, 0, os.SEEK_CUR) != 0:
            return None
        if not os.path.exists(f"/proc/{os.getpid()}/fd/{fd}"):
            return None
    except (OSError, ValueError, AttributeError):
        return None
    return SharedFile(os.getpid(), fd, info.st_dev, info.st_ino)


def file_spans(
    fd: int,
    check: Callable[[], object] = lambda: None,
    on_bytes: Callable[[int], None] | None = None,
    chunk_bytes: int = CHUNK_CHARS,
) -> Iterator[tuple[int, int]]:
    """(start, end) of the chunks :func:`read_byte_chunks` cuts the regular file ``fd`` into
    (blocks of :data:`READ_SIZE`, each cut at its last line end), found by reading only each
    chunk's end. ``check`` runs before each block (a stopping signal raises there)."""
    start = pos = 0
    size = os.fstat(fd).st_size
    while True:
        check()
        if pos >= size:  # at the end as last seen: a file that grew is read on
            size = os.fstat(fd).st_size
        block = max(0, min(READ_SIZE, size - pos))
        if not block:
            break
        if on_bytes is not None:
            on_bytes(block)
        pos += block
        cut = _file_cut(fd, start, pos, chunk_bytes)
        if cut:
            yield start, start + cut
            start += cut
    if pos > start:
        yield start, pos


def _file_cut(fd: int, start: int, end: int, limit: int) -> int:
    """:func:`_cut_bytes` of the file's bytes from ``start`` to ``end``, reading only their
    last :data:`CUT_WINDOW` bytes when a line end is there."""
    length = end - start
    if length < limit:
        return 0
    window = min(CUT_WINDOW, length)
    tail = os.pread(fd, window, end - window)
    if len(tail) == window:
        last = window - 1 if tail.endswith(b"\r") else window
        found = max(tail.rfind(b"\n", 0, last), tail.rfind(b"\r", 0, last))
        if found >= 0:
            return length - window + found + 1
    data = os.pread(fd, length, start)  # a line longer than the window (or a file cut short)
    return _cut_bytes(data, limit, False) if len(data) == length else len(data)


def read_span(fd: int, start: int, end: int) -> tuple[memoryview, bytes, bytes]:
    """The chunk from ``start`` to ``end`` of file ``fd`` (a view), and the :data:`CONTEXT`
    characters' bytes before and after it, as :func:`with_context` gives them, in one read."""
    size = CONTEXT * 4
    low = max(0, start - size)
    data = os.pread(fd, end + size - low, low)
    view = memoryview(data)
    return view[start - low : end - low], data[: start - low], data[end - low :]


_FILE: tuple[SharedFile, int] | None = None  # a worker's descriptor of the command's file


def _open_shared(where: SharedFile) -> int | None:
    """This worker's descriptor of the command's file, opened at its first chunk; None when
    it cannot be opened (its permissions changed since) or is not that file."""
    global _FILE
    if _FILE is not None and _FILE[0] == where:
        return _FILE[1]
    if _FILE is not None:
        os.close(_FILE[1])
        _FILE = None
    try:
        fd = os.open(f"/proc/{where.pid}/fd/{where.fd}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    info = os.fstat(fd)
    if (info.st_dev, info.st_ino) != (where.dev, where.ino):
        os.close(fd)
        return None
    _FILE = (where, fd)
    return fd


def _work_in_file(
    slot: int, where: SharedFile, start: int, end: int, log_name: str | None
) -> tuple[int, int, int] | ChunkResult | None:
    """Read the chunk from ``start`` to ``end`` of the command's file, normalise it, and put
    the result in ``slot`` as :func:`_work_in_slot` does; None when the file cannot be read
    here (the command then normalises the chunk itself)."""
    assert _WORKER is not None
    fd = _open_shared(where)
    if fd is None:
        return None
    chunk, before, after = read_span(fd, start, end)
    with chunk:
        result = normalise_chunk(_WORKER, chunk, log_name, before, after)
    return _answer_in_slot(slot, result)


def normalise_file(
    normaliser: Normaliser,
    where: SharedFile,
    spans: Iterable[tuple[int, int]],
    executor: Workers,
    log_name: str | None = None,
    size: int | None = None,
    in_place: bool = False,
    on_input_end: Callable[[], object] | None = None,
) -> Iterator[tuple[int, ChunkResult]]:
    """(bytes, result) for each chunk of a regular file, in order, as
    :func:`normalise_chunks` gives them for its chunks, but a worker reads its chunk from the
    file itself: the command reads only the chunks it normalises and each chunk's last bytes
    (to cut it), and copies nothing into the slots (on the dense 104 MB workload it read,
    joined, cut and copied about 50 MB for the worker). ``on_input_end`` as for
    :func:`normalise_chunks`."""
    slots = executor.slots
    assert slots is not None
    queued = WINDOW * executor._max_workers
    Entry = tuple[int, int, Task | ChunkResult, int | None]  # start, end, result, slot
    pending: deque[Entry] = deque()
    handed = count = 0

    def here(start: int, end: int) -> ChunkResult:
        chunk, before, after = read_span(where.fd, start, end)
        with chunk:
            return normalise_chunk(normaliser, chunk, log_name, before, after)

    def finished(entry: Entry) -> Iterator[tuple[int, ChunkResult]]:
        start, end, task, slot = entry
        if isinstance(task, Task) and task.result() is None:  # the worker could not read it
            assert slot is not None
            slots.give(slot)
            task, slot = here(start, end), None
        yield from (
            (end - start, result) for _, result in _yielded(b"", task, slots, slot, in_place)
        )

    for (start, end), handed_out in _handing_out(spans, on_input_end):
        busy = sum(1 for *_, r, _slot in pending if isinstance(r, Task) and not r.done())
        handed, count = handed + end - start, count + 1
        slot = None
        if busy < queued and not _queue_outlasts(busy, size, handed, count):
            slot = slots.take()
        entry: Entry
        if slot is None:
            entry = (start, end, here(start, end), None)
        else:
            task = _submit(executor, _work_in_file, slot, where, start, end, log_name)
            entry = (start, end, task, slot)
        pending.append(entry)
        handed_out()  # after the last chunk: the workers are told that no call follows
        while pending and (
            len(pending) > 2 * queued + 1
            or not isinstance(pending[0][2], Task)
            or pending[0][2].done()
        ):
            yield from finished(pending.popleft())
    while pending:
        yield from finished(pending.popleft())


def normalise_source(
    normaliser: Normaliser,
    source: Source,
    write: Callable[[bytes], object],
    *,
    encoding: str = "utf-8",
    log: Callable[[bytes], None] | None = None,
    executor: Workers | None = None,
    on_bytes: Callable[[int], None] | None = None,
    flush: Callable[[], None] | None = None,
    chunk_chars: int = CHUNK_CHARS,
    views: bool = False,
    on_input_end: Callable[[], object] | None = None,
) -> FileStats:
    """Normalise one input to ``write``; send its log records, as JSON Lines bytes, to
    ``log``; return the counts. ``views``: ``write`` takes any buffer and keeps none (a file's
    ``write``), so a worker's output is written from its slot, not copied out first.
    ``on_input_end``: called once the last chunk is handed out to a worker process or to
    this one (as :func:`normalise_chunks` says); the command passes its workers'
    :meth:`~normalise.workers.Workers.finish` with its last input.

    UTF-8 input is cut into chunks as bytes and each chunk decoded, normalised, encoded and
    logged in one call (in a worker, with ``executor``), so that the parent only reads,
    writes and places log records. Other encodings are decoded and encoded here (a stateful
    codec, UTF-16 say, cannot be cut as bytes)."""
    stats = FileStats(source.name)
    locator = Locator()
    encoding = codecs.lookup(encoding).name
    if needs_head(encoding):
        head = read_head(getattr(source.stream, "read1", None) or source.stream.read)
        encoding = with_byte_order(encoding, head)
        prefixed = cast(BinaryIO, _Prefixed(head, source.stream))  # read1 and read suffice
        source = Source(source.name, prefixed, source.size, source.interactive)
    stats.encoding = encoding
    raw = encoding == "utf-8"

    def counted(size: int) -> None:
        stats.bytes_in += size
        if on_bytes is not None:
            on_bytes(size)

    chunks: Iterable[bytes | str] = (
        read_byte_chunks(source, counted, chunk_chars)
        if raw
        else read_chunks(source, encoding, counted, chunk_chars)
    )
    bytes_before = 0  # counted only until the first undecodable byte is found
    window = 1 if source.interactive else WINDOW
    log_name = source.name if log is not None else None
    size = source.size if raw else None
    results = _results(
        normaliser,
        source,
        executor,
        window,
        log_name,
        raw,
        counted,
        views,
        chunk_chars,
        on_input_end,
    )
    if results is None:
        results = normalise_chunks(
            normaliser, chunks, executor, window, log_name, size, views, on_input_end
        )
    for chunk, result in results:
        if stats.invalid_at is None:
            if not isinstance(chunk, str):  # raw: UTF-8 bytes (or their number) in and out
                if result.invalid is not None:
                    stats.invalid_at = bytes_before + result.invalid
                bytes_before += chunk if isinstance(chunk, int) else len(chunk)
            elif result.invalid is None:
                bytes_before += len(encode_text(chunk, encoding))
            else:
                stats.invalid_at = bytes_before + len(
                    encode_text(chunk[: result.invalid], encoding)
                )
        out = result.out if not isinstance(result.out, str) else encode_text(result.out, encoding)
        stats.bytes_out += len(out)
        write(cast(bytes, out))  # a view only when the caller said its write takes one
        if flush is not None and source.interactive:
            flush()
        if isinstance(result.fields, bytes):  # the compiled core's records: added in C
            core.compiled_module().add_counts(stats.counts, result.counts)
        else:
            stats.counts.update(result.counts)
        if log is not None and result.log:
            log(locator.place(result))
            stats.records += result.records
        locator.advance(result)
    return stats


def _results(
    normaliser: Normaliser,
    source: Source,
    executor: Workers | None,
    window: int,
    log_name: str | None,
    raw: bool,
    counted: Callable[[int], None],
    views: bool,
    chunk_chars: int = CHUNK_CHARS,
    on_input_end: Callable[[], object] | None = None,
) -> Iterable[tuple[bytes | str | int, ChunkResult]] | None:
    """:func:`normalise_file`'s results where the workers can read the chunks of ``source``
    from the file themselves (UTF-8, forked workers, a named regular file), else None."""
    if not (raw and window > 1 and isinstance(executor, Workers) and executor.slots is not None):
        return None
    where = shared_file(source)
    if where is None:
        return None
    read = getattr(source.stream, "read1", None) or source.stream.read
    spans = file_spans(where.fd, lambda: read(0), counted, chunk_chars)
    return normalise_file(
        normaliser, where, spans, executor, log_name, source.size, views, on_input_end
    )


class _Prefixed:
    """A binary stream whose first bytes were already read (to see a byte order mark)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream = head, stream

    def read1(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        read = getattr(self.stream, "read1", None) or self.stream.read
        return read(size)

    read = read1


def open_source(path: str, stdin: BinaryIO) -> Source:
    """A :class:`Source` for a path (``-`` is standard input); raises OSError."""
    if path == "-":
        return Source("-", stdin, None, not _is_regular(stdin))
    stream = open(path, "rb")  # noqa: SIM115 - closed by the caller
    return Source(path, stream, os.fstat(stream.fileno()).st_size, not _is_regular(stream))


def _is_regular(stream: BinaryIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False
