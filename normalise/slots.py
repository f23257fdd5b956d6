"""Shared memory between the command and its ``--jobs`` workers: the chunks go out and their
results come back through it, not through the workers' pipes.

Why: a megabyte sent through a pipe moves 64 KB at a time, and a worker whose result does not
fit in the pipe waits until the command, busy normalising a chunk of its own, reads it.
Through a slot of memory mapped before the workers are forked, a chunk and its result cost
one copy each way, and the pipes carry only a few numbers per chunk.

A slot belongs to one chunk from the moment the parent writes it until the parent has
copied the result out, so parent and worker never write it at the same time; the pool's
messages order the two sides' accesses. Memory comes only from pages touched (the size
of the largest chunks and results seen), released when the last process ends.
"""

from __future__ import annotations

import mmap

#: Bytes per slot: a chunk (about ``CHUNK_CHARS``), or its output followed by its log lines.
#: Whatever does not fit goes through the pipe, as without slots.
SLOT_BYTES = 4 << 20


class Slots:
    """``count`` slots of shared anonymous memory, inherited by processes forked later."""

    def __init__(self, count: int, size: int = SLOT_BYTES) -> None:
        self.size, self.count = size, count
        self.memory = mmap.mmap(-1, count * size)  # MAP_SHARED: seen by forked children
        self.free = list(range(count - 1, -1, -1))

    def take(self) -> int | None:
        """A free slot, or None when all are in use."""
        return self.free.pop() if self.free else None

    def give(self, slot: int) -> None:
        self.free.append(slot)

    def put(self, slot: int, *parts: bytes) -> bool:
        """Write ``parts`` one after another into ``slot``; False (nothing written) when
        they do not fit."""
        if sum(map(len, parts)) > self.size:
            return False
        pos = slot * self.size
        for part in parts:
            self.memory[pos : pos + len(part)] = part
            pos += len(part)
        return True

    def view(self, slot: int, size: int) -> memoryview:
        """The first ``size`` bytes of ``slot`` where they lie (release it before the slot is
        given back: use it in a ``with``)."""
        pos = slot * self.size
        return memoryview(self.memory)[pos : pos + size]

    def get(self, slot: int, *sizes: int, skip: int = 0) -> list[bytes]:
        """The parts of the given sizes, in order, from ``skip`` bytes into ``slot``."""
        out, pos = [], slot * self.size + skip
        for size in sizes:
            out.append(self.memory[pos : pos + size])
            pos += size
        return out
