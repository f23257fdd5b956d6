"""Patterns of the ``regex`` module compiled at their first use, not at import.

Why: the command imports every module of the package before it can read its first chunk, and
compiling their patterns at import cost about 5 ms of each start (issue 17: the serial part of
a ``--jobs`` run, and all of a one-line run), most of them for evidence and settling checks
that a run with a cached table and ``--phonetic off`` never makes. A pattern a pass does use on
most text (``keep``'s mention cue, say) stays compiled at import: compiled lazily, each
``--jobs`` worker would compile it again after the fork.
"""

from __future__ import annotations

from typing import Any, cast

import regex


class LazyPattern:
    """A compiled ``regex`` pattern in all but when it is compiled: at the first attribute
    asked of it (``search``, ``match``, ...). Each attribute is then kept on the instance, so
    a later call costs one instance look-up, as a compiled pattern's method does."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.__dict__["_source"] = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for attributes not kept yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self.compiled()
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value

    def compiled(self) -> Any:
        """The compiled pattern (compiled now if it is not yet)."""
        found = self.__dict__.get("_compiled")
        if found is None:
            found = self.__dict__["_compiled"] = regex.compile(*self.__dict__["_source"])
        return found

    def __repr__(self) -> str:
        pattern, flags = self.__dict__["_source"]
        return f"LazyPattern({pattern!r}, {flags!r})"


def lazy_compile(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """``regex.compile(pattern, flags)``, compiled at its first use (:class:`LazyPattern`)."""
    return cast("regex.Pattern[str]", LazyPattern(pattern, flags))
