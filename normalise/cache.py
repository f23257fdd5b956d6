"""A cache of built normalisers, so that a command does not rebuild the same tables each run.

Building a :class:`~normalise.rewrite.Normaliser` (parse and validate the YAML, compile the
spellings, index every form for the phonetic matcher) takes a noticeable part of a short run
and seconds for a table of 100,000 variants; unpickling the built object takes a fraction of
that. The cache key is a hash of everything the built object depends on: the bytes and paths of
the table files, the options, the package's own code and data, and the versions of Python and
of the libraries that shape the build. A changed table file is a new key, never a stale hit.

Files live in ``$NORMALISE_CACHE_DIR``, else ``$XDG_CACHE_HOME/normalise``, else
``~/.cache/normalise`` (a directory only the user can read, as pickles must be trusted). A
cache that cannot be read or written is skipped silently: the cache only ever saves time. At
most :data:`MAX_FILES` built tables are kept, the least recently used are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

#: Bump when the pickled layout changes in a way the code hash would not show.
FORMAT = 1
#: Built tables kept; older ones are removed when a new one is written.
MAX_FILES = 16
_SUFFIX = ".pickle"
#: Libraries whose behaviour is baked into a built normaliser.
_LIBRARIES = ("jellyfish", "regex", "pyyaml")

#: What unpickling a missing, damaged or incompatible file raises.
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
               IndexError, KeyError, TypeError, ValueError)

T = TypeVar("T")


def cache_dir() -> Path:
    """Where built tables are kept (see the module docstring)."""
    chosen = os.environ.get("NORMALISE_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "normalise"


@cache
def _code_digest() -> bytes:
    """A hash of the package's code and data and of what it runs on: a new version of any of
    them builds differently, so it must not meet an old pickle."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version} {sys.implementation.cache_tag}".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    package = Path(__file__).resolve().parent
    # Code and the romanisation data; a bundled table in use is hashed as a table file.
    for path in sorted([*package.glob("*.py"), package / "data" / "romanisation.yaml"]):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.digest()


def cache_key(files: Iterable[Path], options: Any) -> str:
    """The key of a build from ``files`` (in order) with ``options`` (a value whose ``repr``
    says everything else the build depends on)."""
    digest = hashlib.sha256(_code_digest())
    digest.update(repr(options).encode())
    for path in files:
        data = path.read_bytes()
        digest.update(f"\0{os.path.abspath(path)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def load_or_build(key: str, build: Callable[[], T], directory: Path | None = None, *,
                  unchanged: Callable[[], bool] = lambda: True) -> T:
    """The object cached under ``key``, or ``build()``'s result, which is then cached unless
    ``unchanged()`` says the inputs of the key changed during the build.

    ``build`` raises as it would without a cache (nothing is written then)."""
    directory = cache_dir() if directory is None else directory
    path = directory / f"{key}{_SUFFIX}"
    try:
        with open(path, "rb") as f:
            return _used(path, pickle.load(f))
    except _UNREADABLE:  # missing, unreadable, truncated, or from an incompatible build
        pass
    built = build()
    with contextlib.suppress(OSError):
        if unchanged():
            _store(directory, path, built)
    return built


def _used(path: Path, built: T) -> T:
    """Mark a cached build as recently used (kept longest), where the cache is writable."""
    with contextlib.suppress(OSError):
        os.utime(path)
    return built


def _store(directory: Path, path: Path, built: object) -> None:
    """Write atomically (a reader never sees half a pickle), then keep the newest files."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
        _prune(directory)
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # a read-only or full disk: run without the cache


def _prune(directory: Path) -> None:
    files = []
    for path in directory.glob(f"*{_SUFFIX}"):
        try:
            files.append((path.stat().st_mtime, path))
        except OSError:
            continue
    files.sort(reverse=True)
    for _, path in files[MAX_FILES:]:
        with contextlib.suppress(OSError):
            path.unlink()
