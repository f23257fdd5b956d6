"""Which core runs the table-only scan: the compiled one (``normalise._core``, Cython) or the
pure-Python reference (:class:`normalise.scan.Scanner`'s own code).

Both give the same hits, byte for byte (a differential property test checks it). The compiled
core is built at install time when a C compiler is there; without one the package installs
anyway and runs the reference, with a warning once. ``NORMALISE_CORE=python`` or
``NORMALISE_CORE=compiled`` forces one; a forced compiled core that is not built is an error.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from .errors import NormaliseError

if TYPE_CHECKING:
    from .events import Hit

#: The environment variable that forces a core.
ENV = "NORMALISE_CORE"
CORES = ("compiled", "python")


class CoreError(NormaliseError, ValueError):
    """The core asked for in ``NORMALISE_CORE`` cannot run."""


class TrieScanner(Protocol):
    """What the compiled core's ``Trie`` gives the scanner (``normalise/_core.pyx``)."""

    def scan(self, text: str) -> list[Hit]: ...

    def scan_overlapping(self, text: str) -> list[tuple[int, int, int]]: ...


@cache
def _compiled() -> ModuleType | None:
    """The compiled module, or None when it was not built (or does not load)."""
    try:
        return importlib.import_module("._core", __package__)
    except ImportError:
        return None


_forced: list[str] = []  # cores forced by ``using``, innermost last


def selected() -> str:
    """The name of the core that runs: ``"compiled"`` or ``"python"``."""
    return _forced[-1] if _forced else _from_environment()


@contextmanager
def using(name: str) -> Iterator[None]:
    """Scanners built inside run on core ``name`` (the differential test builds both in one
    process); a scanner takes the core that runs when it is built or unpickled."""
    if name not in CORES:
        raise ValueError(f"core must be one of {CORES}, not {name!r}")
    if name == "compiled" and _compiled() is None:
        raise CoreError("the compiled core (normalise._core) is not built")
    _forced.append(name)
    try:
        yield
    finally:
        _forced.pop()


def _from_environment() -> str:
    """The core the environment asks for (read at each build: cheap, and a test may set it)."""
    wanted = os.environ.get(ENV, "").strip().lower()
    if wanted and wanted not in (*CORES, "auto"):
        raise CoreError(
            f"{ENV}={os.environ[ENV]!r}: not a core; use one of {', '.join(CORES)} (or auto)"
        )
    if wanted == "python":
        return "python"
    if _compiled() is None:
        if wanted == "compiled":
            raise CoreError(
                f"{ENV}=compiled, but the compiled core (normalise._core) is not built",
                hint="reinstall normalise where a C compiler is present, or unset the variable",
            )
        _warn_once()
        return "python"
    return "compiled"


@cache
def _warn_once() -> None:
    # one line, whoever asked first: no caller's source line under it
    warnings.warn_explicit(
        "the compiled core is not built; the pure-Python core runs (slower)",
        RuntimeWarning,
        filename="normalise",
        lineno=0,
        module="normalise.core",
    )


def trie_class() -> Callable[..., TrieScanner] | None:
    """The compiled scanner's class when the compiled core runs, else None."""
    if selected() != "compiled":
        return None
    trie: Callable[..., TrieScanner] = compiled_module().Trie
    return trie


def edit_distance() -> Callable[[Any, str, str], float] | None:
    """The compiled :meth:`normalise.phonetic.Costs.distance` (``_core.edit_distance``) when
    the compiled core runs, else None (the reference's Python runs)."""
    if _forced:
        return _compiled_distance() if _forced[-1] == "compiled" else None
    return _environment_distance()


@cache
def _environment_distance() -> Callable[[Any, str, str], float] | None:
    return _compiled_distance() if _from_environment() == "compiled" else None


def _compiled_distance() -> Callable[[Any, str, str], float]:
    distance: Callable[[Any, str, str], float] = compiled_module().edit_distance
    return distance


def compiled_module() -> ModuleType:
    """``normalise._core`` (call only when :func:`selected` says ``"compiled"``)."""
    module = _compiled()
    if module is None:
        raise CoreError("the compiled core (normalise._core) is not built")
    return module
