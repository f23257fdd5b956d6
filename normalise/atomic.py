"""Writing a target file so that nothing is ever lost: atomically, only over a regular file,
never over another input or output of the same run, with the permissions a user expects.

Why one writer: every command that writes a file (``-o``, ``--in-place``, ``--log``,
``undo -o``) goes through :class:`AtomicFile`, and every run first registers its files with
:class:`Claims`, which compares device and inode (not strings), so that ``-i f --log f``,
``-o x --log x``, ``f --log f`` or ``-i f f`` are refused before anything is read.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import IO, Any, BinaryIO

from .errors import InputError

#: Writes of at least this many bytes get their disk blocks before they are written
#: (:meth:`AtomicFile._preallocate`).
_PREALLOCATE = 1 << 16

#: What names one file: ("inode", device, inode) or ("path", resolved path).
Identity = tuple[str | int, ...]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def identity(path: str) -> Identity:
    """What names one file: (device, inode) when it exists, else the resolved path (two
    names of a file still to be made resolve to the same path)."""
    try:
        st = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    return ("inode", st.st_dev, st.st_ino)


def stream_identity(stream: IO[Any]) -> Identity | None:
    """The identity of an open standard stream when it is a regular file (else None)."""
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return ("inode", st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


class Claims:
    """The files of one run: an output may name no input and no other output."""

    def __init__(self) -> None:
        self._inputs: dict[Identity, str] = {}
        self._outputs: dict[Identity, str] = {}

    def input(self, name: str, ident: Identity | None = None, *, unique: bool = False) -> None:
        """Register an input; with ``unique`` (``--in-place``) the same file twice is an
        error, since its second rewrite would read the first one's result."""
        ident = identity(name) if ident is None else ident
        if unique and ident in self._inputs:
            raise InputError(
                f"names the same file as {self._inputs[ident]} "
                "(each file can be rewritten in place only once)",
                file=name,
                hint="name each file once",
            )
        self._inputs.setdefault(ident, name)

    def output(self, name: str, role: str, ident: Identity | None = None) -> None:
        """Register an output (``role`` says which, for the message)."""
        ident = identity(name) if ident is None else ident
        for kind, seen in (("input", self._inputs), ("output", self._outputs)):
            if ident in seen:
                raise InputError(
                    f"{role} names the same file as the {kind} {seen[ident]}; "
                    "it would be overwritten",
                    file=name,
                    hint="write to another file",
                )
        self._outputs[ident] = name


def check_target(path: str) -> str:
    """The file a write to ``path`` replaces (a symbolic link is followed, as GNU sed
    ``--follow-symlinks`` does); raises :class:`InputError` when it is not a regular file."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if not os.path.isdir(os.path.dirname(real) or "."):
            raise InputError("cannot write: no such directory", file=path) from None
        return real
    except OSError as err:
        raise InputError(f"cannot write: {err.strerror}", file=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("cannot write: is a directory", file=path)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            "cannot write: not a regular file (a device, pipe or socket is never replaced)",
            file=path,
            hint="write to standard output and redirect it instead",
        )
    return real


class AtomicFile:
    """A file written beside its target and renamed over it only on :meth:`commit`.

    The target keeps its mode (and, where allowed, its owner and group); a new file gets the
    mode any new file gets under the umask (``0666 & ~umask``). Errors name ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.real = check_target(path)
        directory = os.path.dirname(self.real) or "."
        import tempfile  # here, not at import: 2 ms of every start, with shutil and random

        try:
            fd, self.temp = tempfile.mkstemp(
                dir=directory, prefix=f".{os.path.basename(self.real)}.", suffix=".tmp"
            )
        except OSError as err:
            raise InputError(f"cannot write: {err.strerror}", file=path) from None
        self.stream: BinaryIO = os.fdopen(fd, "wb")
        self._size = 0  # bytes written so far
        self._allocate = hasattr(os, "posix_fallocate")  # not on macOS or Windows
        try:
            st = os.stat(self.real)
        except OSError:
            os.fchmod(fd, 0o666 & ~_umask())
        else:
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
            if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                    os.fchmod(fd, stat.S_IMODE(st.st_mode))  # chown clears set-id bits
                except OSError:
                    pass  # only root may give a file away: it then belongs to the writer

    def write(self, data: bytes) -> None:
        try:
            if len(data) >= _PREALLOCATE and self._allocate:
                self._preallocate(len(data))
            self.stream.write(data)
            self._size += len(data)
        except OSError as err:
            raise InputError(f"cannot write: {err.strerror}", file=self.path) from None

    def _preallocate(self, size: int) -> None:
        """Give the next ``size`` bytes their disk blocks now, as they are written, so that
        :meth:`commit` does not wait for them. Why: renaming a new file over an old one makes
        ext4 allocate all its delayed blocks at once (its ``auto_da_alloc`` safeguard), 30 ms
        per 100 MB inside ``os.replace``, at the end of the run; blocks given as they are
        written cost a system call per megabyte (and writing into them is no slower). The
        range ends where the data does, so the file never holds bytes not written; where the
        file system cannot (``EOPNOTSUPP``, ``EINVAL``), the file is written as before."""
        try:
            os.posix_fallocate(self.stream.fileno(), self._size, size)
        except OSError as err:
            if err.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENODEV, errno.ESPIPE):
                raise
            self._allocate = False

    def commit(self, backup: str | None = None) -> None:
        """Make the written text the target's; with ``backup``, keep the old file there."""
        try:
            self.stream.close()
            if backup is not None and os.path.exists(self.real):
                real_backup = check_target(backup)
                if os.path.lexists(real_backup):
                    os.unlink(real_backup)
                os.link(self.real, real_backup)
            os.replace(self.temp, self.real)
        except OSError as err:
            raise InputError(f"cannot write: {err.strerror}", file=self.path) from None

    def discard(self) -> None:
        try:
            self.stream.close()
        except OSError:
            pass
        finally:
            if os.path.exists(self.temp):
                os.unlink(self.temp)


def write_file(path: str, data: bytes) -> None:
    """``data`` written to ``path`` through an :class:`AtomicFile`: whole or not at all, with
    its permissions and refusals (the pages, tables and synonym files the sub-commands write)."""
    sink = AtomicFile(path)
    try:
        sink.write(data)
        sink.commit()
    except BaseException:
        sink.discard()
        raise
