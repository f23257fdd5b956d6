"""One small error hierarchy, so that callers catch one class and the CLI maps each to an exit status.

Every error knows the file (and, where there is one, the line) it is about, and prints as one
line. Where there is something to do about it, ``hint`` says what (the command prints it on a
second line, as ftfy's does), so that the message itself stays a plain statement of the fault.
"""

from __future__ import annotations

from typing import Any


class NormaliseError(Exception):
    """Base of every error normalise raises on bad input; prints as ``file:line: message``
    (the ``hint``, when there is one, is not part of it)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        return (where + self.message).replace("\n", " ")

    def __reduce__(self) -> tuple[Any, ...]:  # keep file/line/hint across process boundaries
        return (_rebuild, (type(self), self.message, self.file, self.line, self.hint))


def _rebuild(
    cls: type[NormaliseError], message: str, file: str | None, line: int | None, hint: str | None
) -> NormaliseError:
    return cls(message, file=file, line=line, hint=hint)


class TableError(NormaliseError):
    """A variant table is malformed or contradicts itself or another table."""


class InputError(NormaliseError):
    """An input file cannot be read or decoded."""


class LogError(NormaliseError):
    """A substitution log is malformed or does not fit the text it is applied to."""
