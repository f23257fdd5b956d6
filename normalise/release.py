"""Files that a commit replaced, freed after the command has exited rather than inside its
last rename.

Why: renaming a new output over an old one frees the old file's pages and disk blocks inside
``rename(2)``, when no one else holds it open: on the 100 MB benchmark (a 104 MB output and a
55 MB log written over the last run's) the two renames took 16-38 ms, at the very end of the
run, when nothing else is left to do. A file still open elsewhere is freed only when its last
descriptor closes. So the command (and only the command, see :func:`hold_replaced`) opens a
large file just before it is replaced, and at its exit hands what it holds to a small process
that closes it once the command is gone (:func:`hand_over`).

What a user sees is unchanged: the new file is in place when the command ends, and the old
one's space comes back a few milliseconds later, as after any ``rm`` of an open file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys

#: Files smaller than this are freed as before: their rename costs little.
MIN_BYTES = 4 << 20
#: Files held at most (``--in-place`` over many large files): the rest are freed as before,
#: so that the run's own opens never meet the limit of open files.
MAX_HELD = 8

_held: list[int] = []  # descriptors of replaced files, held open
_holding = False

#: The helper where ``cat`` is not found: a bare interpreter (no site, isolated from the
#: environment) that reads its input to the end.
_HELPER = "import os\nos.read(0, 1)"


def _helper() -> list[str]:
    """The helper's command line. It waits until its standard input, a pipe whose other end
    only the command holds, ends (the command has exited), then exits and so closes the
    files it inherited: ``cat`` does that and starts in a millisecond (an interpreter takes
    ten, on the core the next command may need)."""
    cat = shutil.which("cat")
    return [cat] if cat else [sys.executable, "-I", "-S", "-c", _HELPER]


def hold_replaced(on: bool = True) -> None:
    """Hold replaced files from now on (the command, which ends with :func:`hand_over`); a
    caller in Python does not, so its files are freed when replaced, as before."""
    global _holding
    _holding = on
    if not on:
        close_held()


def hold(path: str) -> None:
    """Keep ``path`` open if it is a regular file of at least :data:`MIN_BYTES` that its
    next replacement would free (a file with another link, a backup say, is not freed)."""
    if not _holding or len(_held) >= MAX_HELD:
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return  # absent, or not ours to read: nothing held, nothing changes
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return
    if not stat.S_ISREG(st.st_mode) or st.st_size < MIN_BYTES or st.st_nlink != 1:
        os.close(fd)
        return
    _held.append(fd)


def hand_over() -> tuple[int, int] | None:
    """Give the held files to a helper process that closes them once this process has
    exited (its end of the helper's pipe closes then); called just before the command's
    ``os._exit``. Where the helper cannot start, the files are closed here, as before.

    Returns the helper's process id and this process's end of its pipe (closing it ends
    the helper), or None when no helper started."""
    if not _held:
        return None
    helper = None
    try:
        wait_here, keep_open = os.pipe()  # keep_open: this process's, closed by its exit
    except OSError:
        close_held()
        return None
    try:
        for fd in _held:
            os.set_inheritable(fd, True)
        helper_argv = _helper()
        actions = [
            (os.POSIX_SPAWN_DUP2, wait_here, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        if hasattr(os, "sched_param"):
            # the ordinary priority, also under ``chrt`` (a real-time one is inherited): the
            # freeing must not take a core from whatever runs next
            normal = (os.SCHED_OTHER, os.sched_param(0))
            pid = os.posix_spawn(
                helper_argv[0], helper_argv, {}, file_actions=actions, scheduler=normal
            )
        else:
            pid = os.posix_spawn(helper_argv[0], helper_argv, {}, file_actions=actions)
        helper = (pid, keep_open)
    except (OSError, ValueError, AttributeError, NotImplementedError):
        os.close(keep_open)  # no posix_spawn (not POSIX) or it failed: freed as we close them
    finally:
        os.close(wait_here)
    close_held()
    return helper


def close_held() -> None:
    """Close this process's descriptors of the held files (freed now, unless a helper holds
    them too)."""
    while _held:
        with contextlib.suppress(OSError):
            os.close(_held.pop())
