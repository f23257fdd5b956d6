"""A unified diff of an input and its normalised text in bounded memory (``--diff``).

Why not :mod:`difflib`: it holds both texts and their lines in memory (465 MB for 50 MB of
input). A substitution never crosses a line break, so line *n* of the output is line *n* of
the input changed or not: the two texts can be compared line by line as they are read back
from temporary files, and a hunk that grows large is spooled to disk too.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from itertools import zip_longest
from typing import IO

from .textcodec import ERRORS, encode_text

CONTEXT = 3
_SPOOL = 1 << 20


def diff_label(name: str) -> str:
    """The name after ``a/`` and ``b/``: standard input is ``<stdin>``; an absolute path loses
    its leading slashes, as git writes it (``a/srv/x.txt``)."""
    if name == "-":
        return "<stdin>"
    return name.lstrip(os.sep) if os.path.isabs(name) else name


class StreamDiff:
    """The bytes before (:attr:`old`) and after (:attr:`new`) normalisation, spooled to
    temporary files, then compared by :meth:`write`."""

    def __init__(self, stack: ExitStack) -> None:
        import tempfile  # here, not at import: 2 ms of every start of the command

        self.old = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        self.new = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115

    def write(self, out: Callable[[bytes], None], label: str, encoding: str) -> None:
        """Write the unified diff (``a/label``, ``b/label``) to ``out``; nothing when the
        texts are equal."""
        old, new = (self._lines(f, encoding) for f in (self.old, self.new))
        header = [f"--- a/{label}\n", f"+++ b/{label}\n"]

        def emit(text: str) -> None:
            out(encode_text(text, encoding))

        for hunk in _hunks(old, new):
            while header:
                emit(header.pop(0))
            hunk.write_to(emit)

    @staticmethod
    def _lines(stream: IO[bytes], encoding: str) -> Iterator[str]:
        stream.flush()
        stream.seek(0)
        return iter(io.TextIOWrapper(stream, encoding=encoding, errors=ERRORS, newline=""))


class _Hunk:
    """One hunk: its line counts for the header, its body spooled as text."""

    def __init__(self, old_start: int, new_start: int, context: list[str]) -> None:
        self.old_start, self.new_start = old_start, new_start
        self.old_count = self.new_count = 0
        import tempfile  # imported by StreamDiff already: a look-up

        self.body = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by write_to
            max_size=_SPOOL, mode="w+", encoding="utf-8", errors="surrogatepass", newline=""
        )
        self.removed: list[str] = []
        self.added: list[str] = []
        for line in context:
            self.equal(line)

    def equal(self, line: str) -> None:
        self._close_run()
        self._put(" ", line)
        self.old_count += 1
        self.new_count += 1

    def change(self, old: str | None, new: str | None) -> None:
        if old is not None:
            self.removed.append(old)
            self.old_count += 1
        if new is not None:
            self.added.append(new)
            self.new_count += 1
        if len(self.removed) + len(self.added) > 4096:  # a long run: spool it as it stands
            self._close_run()

    def _close_run(self) -> None:
        for line in self.removed:
            self._put("-", line)
        for line in self.added:
            self._put("+", line)
        self.removed, self.added = [], []

    def _put(self, mark: str, line: str) -> None:
        self.body.write(mark + line)
        if not line.endswith(("\n", "\r")):
            self.body.write("\n\\ No newline at end of file\n")

    def write_to(self, emit: Callable[[str], None]) -> None:
        self._close_run()
        emit(
            f"@@ -{_range(self.old_start, self.old_count)} "
            f"+{_range(self.new_start, self.new_count)} @@\n"
        )
        self.body.seek(0)
        while True:
            block = self.body.read(1 << 16)
            if not block:
                break
            emit(block)
        self.body.close()


def _range(start: int, count: int) -> str:
    """A hunk range as difflib writes it (1-based; an empty range names the line before)."""
    first = start + 1 if count else start
    return str(first) if count == 1 else f"{first},{count}"


def _hunks(old: Iterator[str], new: Iterator[str], n: int = CONTEXT) -> Iterator[_Hunk]:
    before: deque[str] = deque(maxlen=n)  # equal lines before the next change
    after: list[str] = []  # equal lines since the last change of the hunk
    hunk: _Hunk | None = None
    old_no = new_no = 0
    for a, b in zip_longest(old, new):
        if a == b:
            if hunk is not None:
                after.append(a)
                if len(after) > 2 * n:  # the hunk ends: n lines of context after it
                    for line in after[:n]:
                        hunk.equal(line)
                    yield hunk
                    hunk = None
                    before.extend(after[n:])
                    after = []
            else:
                before.append(a)
        else:
            if hunk is None:
                hunk = _Hunk(old_no - len(before), new_no - len(before), list(before))
                before.clear()
            for line in after:
                hunk.equal(line)
            after = []
            hunk.change(a, b)
        old_no += a is not None
        new_no += b is not None
    if hunk is not None:
        for line in after[:n]:
            hunk.equal(line)
        yield hunk
