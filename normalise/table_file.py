"""The payload of a cache file: a pickle, and its out-of-band buffers at 64-byte boundaries.

Why: most of a cached table's bytes are the compiled trie's arrays (2.3 of 3.2 MB at 10,000
variants). Pickled in band, a load copied them twice (the file's bytes into a bytes object
each, then into the trie). Written out of band (pickle protocol 5) where the file puts them
on a 64-byte boundary, the trie uses them where they lie in the cache's read-only mapping of
the file, which starts at a page (:func:`normalise.cache._mapped_own`).

The layout, after the cache's magic and tag: the number of buffers and the pickle's length,
then each buffer's offset (from the start of the file) and length, all 8 bytes little-endian;
the pickle; each buffer at the next multiple of 64 (zeros before it).
"""

from __future__ import annotations

import mmap
import pickle
from typing import Any

#: Where each buffer starts: a multiple of this from the start of the file (a cache line).
ALIGN = 64
_WORD = 8
Span = tuple[int, int]


def pieces(obj: Any, start: int) -> list[bytes | memoryview]:
    """The payload of ``obj`` as pieces to write one after another, at ``start`` bytes into
    the file (after the magic and the tag)."""
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [buffer.raw() for buffer in buffers]
    at = start + _WORD * (2 + 2 * len(raws)) + len(data)
    header = [len(raws), len(data)]
    after: list[bytes | memoryview] = []
    for raw in raws:
        padding = -at % ALIGN
        after += [bytes(padding), raw]
        header += [at + padding, raw.nbytes]
        at += padding + raw.nbytes
    return [b"".join(n.to_bytes(_WORD, "little") for n in header), data, *after]


def head_end(view: memoryview, start: int) -> int | None:
    """Where the pickle ends in the file's bytes (the header and the pickle end there: what
    the cache copies out of its mapping before verifying it), or None past the end."""
    if len(view) - start < 2 * _WORD:
        return None
    count, length = _word(view, start), _word(view, start + _WORD)
    end = start + _WORD * (2 + 2 * count) + length
    return end if end <= len(view) else None


def spans(head: bytes, start: int, size: int) -> tuple[memoryview, list[Span]] | None:
    """The pickle in ``head`` (the header and the pickle, from ``start`` bytes into a file of
    ``size`` bytes), and where each buffer lies in the file; None where the header does not
    fit (the buffers in order after the pickle, apart, inside the file, each on a boundary)."""
    view = memoryview(head)
    if len(view) < 2 * _WORD:
        return None
    count, length = _word(view, 0), _word(view, _WORD)
    if _WORD * (2 + 2 * count) + length != len(view):
        return None
    end = start + len(view)
    buffers = []
    for i in range(count):
        at = _WORD * (2 + 2 * i)
        offset, nbytes = _word(view, at), _word(view, at + _WORD)
        if offset < end or offset % ALIGN or offset + nbytes > size:
            return None
        buffers.append((offset, offset + nbytes))
        end = offset + nbytes
    return view[len(view) - length :], buffers


def _word(view: memoryview, at: int) -> int:
    return int.from_bytes(view[at : at + _WORD], "little")


def drop_before(data: mmap.mmap, buffers: list[Span]) -> None:
    """Unmap the pages before the first buffer once unpickled (the header and the pickle,
    copied out before: nothing reads them again), so that only the arrays in use count in
    the process's memory for as long as the table lives (at 100,000 variants the pickle is
    most of the file)."""
    if not buffers or not hasattr(mmap, "MADV_DONTNEED"):
        return
    length = buffers[0][0] - buffers[0][0] % mmap.PAGESIZE
    if length:
        data.madvise(mmap.MADV_DONTNEED, 0, length)
