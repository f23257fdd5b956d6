"""A cache of built normalisers, so that a command does not rebuild the same tables each run.

Building a :class:`~normalise.rewrite.Normaliser` (parse and validate the YAML, compile the
spellings, index every form for the phonetic matcher) takes a noticeable part of a short run
and seconds for a table of 100,000 variants; unpickling the built object takes a fraction of
that. The cache key is a hash of everything the built object depends on: the bytes and paths of
the table files, the options, the package's own code and data, and the versions of Python and
of the libraries that shape the build. A changed table file is a new key, never a stale hit.

Files live in ``$NORMALISE_CACHE_DIR``, else ``$XDG_CACHE_HOME/normalise``, else
``~/.cache/normalise``. Pickles run code when loaded, so a file is loaded only when it is
provably the user's own (see *trust* below); anything else is a miss. A cache that cannot be
read, written or trusted is skipped silently: the cache only ever saves time. At most
:data:`MAX_FILES` built tables are kept, the least recently used are removed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import mmap
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable, Iterable
from functools import cache
from importlib import machinery
from pathlib import Path
from typing import Any, TypeVar

from . import table_file

#: Bump when the pickled layout changes in a way the code hash would not show.
FORMAT = 2
#: Built tables kept; older ones are removed when a new one is written.
MAX_FILES = 16
_SUFFIX = ".pickle"
#: Libraries whose behaviour is baked into a built normaliser.
_LIBRARIES = ("jellyfish", "regex", "pyyaml")

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
    them builds differently, so it must not meet an old pickle.

    The package's files by path, size and modification time (nanoseconds), not by their
    bytes: an edit, an install or a new build of the compiled core changes them, and stat
    calls cost a fraction of reading every module (a few ms of each command's start). The
    compiled core is one of them: a built trie is pickled as its arrays, which only the
    core that wrote them may read."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version} {sys.implementation.cache_tag}".encode())
    versions = installed_versions(_LIBRARIES)
    for name in _LIBRARIES:
        version = versions[name]
        digest.update(f"{name} {version}".encode() if version else name.encode())
    package = Path(__file__).resolve().parent
    compiled = tuple(machinery.EXTENSION_SUFFIXES)
    # Code and the romanisation data; a bundled table in use is hashed as a table file.
    with os.scandir(package) as entries:
        names = [e.name for e in entries if e.name.endswith((".py", *compiled))]
    for name in sorted([*names, os.path.join("data", "romanisation.yaml")]):
        try:
            st = os.stat(package / name)
        except OSError:
            continue  # gone since: not part of what runs
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.digest()


def installed_version(name: str) -> str | None:
    """The version of the installed distribution ``name``, from the name of its
    ``NAME-VERSION.dist-info`` directory in the first entry of ``sys.path`` that holds it (as
    :mod:`importlib.metadata` finds it); from :mod:`importlib.metadata` itself when that
    entry holds it otherwise (an egg, a zip). Why not always the latter: importing it costs
    10 ms of every command's start (0.13 s in all)."""
    return installed_versions([name])[name]


def installed_versions(names: Iterable[str]) -> dict[str, str | None]:
    """:func:`installed_version` of each of ``names``, in one reading of ``sys.path``'s
    entries (the cache key asks for three: each entry listed once, not once a name)."""
    wanted = {_distribution(name): name for name in names}
    found: dict[str, str | None] = {}
    for entry in sys.path:
        if len(found) == len(wanted):
            break
        try:
            items = os.listdir(entry or ".")
        except OSError:
            continue
        here: set[str] = set()  # the first item of a distribution in an entry decides
        for item in items:
            stem, dot, kind = item.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info", "egg"):
                continue
            key = _distribution(stem.partition("-")[0])
            name = wanted.get(key)
            if name is None or name in found or key in here:
                continue
            here.add(key)
            version = stem.partition("-")[2]
            found[name] = version if kind == "dist-info" and version else _metadata_version(name)
    for name in wanted.values():
        if name not in found:
            found[name] = _metadata_version(name)
    return found


def _distribution(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata_version(name: str) -> str | None:
    from importlib import metadata  # only where the fast way fails

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


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


def load_or_build(
    key: str,
    build: Callable[[], T],
    directory: Path | None = None,
    *,
    unchanged: Callable[[], bool] = lambda: True,
    kind: type | None = None,
) -> T:
    """The object cached under ``key``, or ``build()``'s result, which is then cached unless
    ``unchanged()`` says the inputs of the key changed during the build. With ``kind``, a
    cached object of another type is a miss.

    ``build`` raises as it would without a cache (nothing is written then)."""
    directory = cache_dir() if directory is None else directory
    path = directory / f"{key}{_SUFFIX}"
    trusted = _trusted_dir(directory)
    if trusted:
        found = _load(directory, path)
        if found is not None and (kind is None or isinstance(found, kind)):
            hit: T = found
            return _used(path, hit)
    built = build()
    with contextlib.suppress(OSError):
        if unchanged() and _make_dir(directory):
            _store(directory, path, built)
    return built


# ---------------------------------------------------------------- trust
#
# A pickle runs code when loaded, so a cache file is loaded only when it is provably the
# user's own: the directory is the user's (owner) and nobody else may write in it (mode);
# the file is a regular file of the user's that nobody else may write; and its payload carries
# an HMAC-SHA256 made with a secret of 32 random bytes kept in the directory, readable by the
# user alone. A planted or damaged file fails one of these and is a miss, never loaded.

_MAGIC = b"normalise-cache\2"  # 2: the layout of :mod:`normalise.table_file`
_SECRET = "secret"
_TAG = 32


def _owned(st: os.stat_result, private: bool = False) -> bool:
    """Owned by the running user, and writable by nobody else (readable by nobody else
    either, when ``private``)."""
    others = 0o077 if private else 0o022
    return st.st_uid == os.geteuid() and not st.st_mode & others


def _trusted_dir(directory: Path) -> bool:
    """A real directory (not a link) of the user's, writable by the user alone."""
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _owned(st)


def _make_dir(directory: Path) -> bool:
    """Make the directory and any missing parent, each 0700; then whether it is trusted."""
    missing = []
    for parent in (directory, *directory.parents):
        if os.path.lexists(parent):
            break
        missing.append(parent)
    for parent in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(parent, 0o700)
            os.chmod(parent, 0o700)  # whatever the umask
    return _trusted_dir(directory)


def _open_own(path: Path, private: bool = False) -> tuple[int, int] | None:
    """An open descriptor of a regular file of the user's (see :func:`_owned`) and its size,
    or None. The checks are made on the opened file, so a file swapped in between cannot slip
    through."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(st.st_mode) or not _owned(st, private):
        os.close(fd)
        return None
    return fd, st.st_size


def _read_own(path: Path, private: bool = False) -> bytes | None:
    """The bytes of a regular file of the user's (see :func:`_open_own`), or None."""
    opened = _open_own(path, private)
    if opened is None:
        return None
    with os.fdopen(opened[0], "rb") as f:
        return f.read()


def _mapped_own(path: Path) -> mmap.mmap | None:
    """A read-only mapping of a cache file of the user's (see :func:`_open_own`), or None.

    Mapped, not read: a cached table's arrays are used where they lie in it (at the 64-byte
    boundaries :mod:`normalise.table_file` puts them on, in a mapping that starts at a page),
    so a start neither copies them nor faults in fresh memory for them (2 ms at 10,000
    variants), and the processes of a ``--jobs`` command share their pages."""
    opened = _open_own(path)
    if opened is None:
        return None
    fd, size = opened
    try:
        if size < len(_MAGIC) + _TAG:
            return None
        return mmap.mmap(fd, size, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def _secret(directory: Path, create: bool = False) -> bytes | None:
    secret = _read_own(directory / _SECRET, private=True)
    if secret is not None and len(secret) == _TAG:
        return secret
    if secret is not None or not create:
        return None
    import secrets
    import tempfile  # only a store writes: a cache hit never imports them (3 ms of a start)

    fd, temp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(_TAG))
        os.link(temp, directory / _SECRET)  # fails when another process made one first
    except FileExistsError:
        pass
    finally:
        os.unlink(temp)
    return _secret(directory)


def _load(directory: Path, path: Path) -> Any:
    """The object in a cache file that passes every check, else None.

    What is unpickled is what was verified: the header and the pickle are copied out of the
    mapping first, and the HMAC is made over that copy and the mapped buffers after it. The
    buffers (arrays of data, never unpickled) are then used in the mapping, as verified, and
    checked once more by what restores them (a compiled trie refuses an index outside it).
    They could change after the check only by a write into the file in place, which the
    cache never does (a file is written whole under another name and renamed over, and a
    mapping keeps the file it mapped), and which only a process of the user's could do: one
    that could as well rewrite the compiled core, mapped from a file of the user's too."""
    secret = _secret(directory)
    data = _mapped_own(path) if secret is not None else None
    if secret is None or data is None:
        return None
    view = memoryview(data)  # views, not slices: no copy (87 MB at 100,000 variants)
    start = len(_MAGIC) + _TAG
    end = table_file.head_end(view, start)
    if view[: len(_MAGIC)] != _MAGIC or end is None:
        return None
    head = bytes(view[start:end])
    mac = hmac.new(secret, head, hashlib.sha256)
    mac.update(view[end:])
    spans = table_file.spans(head, start, len(view))
    if not hmac.compare_digest(view[len(_MAGIC) : start], mac.digest()) or spans is None:
        return None
    pickled, buffers = spans
    # the collector paused: everything the load makes is reachable from the unpickler, so
    # a collection meanwhile frees nothing (it took 2.4 ms of the 9.7 ms that loading the
    # 10,000-variant table takes)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(pickled, buffers=[view[a:b] for a, b in buffers])
    except Exception:
        return None
    finally:
        if collecting:
            gc.enable()
        table_file.drop_before(data, buffers)


def _used(path: Path, built: T) -> T:
    """Mark a cached build as recently used (kept longest), where the cache is writable."""
    with contextlib.suppress(OSError):
        os.utime(path)
    return built


def _store(directory: Path, path: Path, built: object) -> None:
    """Write atomically (a reader never sees half a file), then keep the newest files."""
    try:
        secret = _secret(directory, create=True)
        if secret is None:
            return
        pieces = table_file.pieces(built, len(_MAGIC) + _TAG)
        mac = hmac.new(secret, digestmod=hashlib.sha256)
        for piece in pieces:
            mac.update(piece)
        import tempfile

        fd, temp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + mac.digest())
                for piece in pieces:
                    f.write(piece)
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
