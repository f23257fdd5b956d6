"""The worker processes of ``--jobs``: each answers the calls sent to it, in order, through a
pipe that the command's own thread writes and reads.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: its calls and results pass through
two threads of the command (a manager and a feeder), and neither can run while the command's
main thread is normalising a chunk in compiled code, holding the interpreter lock for 15 ms
at a time; the worker then waits for its next chunk although the command has sent it (on the
dense 100 MB workload the worker stood idle a fifth of the run). Here a call is written to
the pipe when it is made, and a result read when the command wants it; the worker's own
results are a few numbers (the rest is in shared memory, :mod:`normalise.slots`), so it
never waits for the command to read.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .slots import SLOT_BYTES, Slots

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


class WorkerDied(RuntimeError):
    """A worker process ended abruptly (killed, out of memory): the run cannot finish."""


DIED = "a worker process died (killed or out of memory); no output file was written"


class Task:
    """One call sent to a worker; :meth:`done` and :meth:`result` as a future's."""

    __slots__ = ("_finished", "_ok", "_pool", "_value", "_worker")

    def __init__(self, pool: Workers, worker: int) -> None:
        self._pool, self._worker = pool, worker
        self._finished = False
        self._ok = True
        self._value: Any = None

    def done(self) -> bool:
        if not self._finished:
            self._pool._collect(self._worker, block=False)
        return self._finished

    def result(self) -> Any:
        while not self._finished:
            self._pool._collect(self._worker, block=True)
        if not self._ok:
            raise self._value
        return self._value


class Workers:
    """``workers`` processes that each hold a copy of the normaliser (inherited by fork on
    Linux; pickled elsewhere) and, when forked, the shared :class:`Slots`. Started by
    :meth:`start` or at the first call; :meth:`shutdown` ends them."""

    def __init__(
        self,
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        workers: int,
        window: int = 2,
        slot_bytes: int = SLOT_BYTES,
        start_method: str | None = None,
    ) -> None:
        # fork on Linux (the default there before Python 3.14): the workers inherit the
        # normaliser and the slots; the command has no other thread when it forks
        if start_method is None and sys.platform.startswith("linux"):
            start_method = "fork"
        forked = start_method == "fork"
        # Any: typeshed's BaseContext has no Process (each concrete context defines its own)
        self._context: Any = None
        if not forked:  # a forked worker is started with os.fork: no multiprocessing (6 ms)
            import multiprocessing

            self._context = multiprocessing.get_context(start_method)
            forked = self._context.get_start_method() == "fork"
        # a slot per chunk in flight, and one per worker for results waiting their turn
        self.slots = Slots(workers * (window + 1), slot_bytes) if forked else None
        self._max_workers = workers
        self._initializer, self._initargs = initializer, initargs
        self._processes: dict[int, Any] = {}  # pid -> process
        self._pipes: list[Connection | Channel] = []
        self._waiting: list[deque[Task]] = []  # per worker, oldest first: answered in order
        self._told = False  # the workers were told that no call follows (:meth:`finish`)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(cancel_futures=exc[0] is not None)

    def _start(self) -> None:
        _ENDING[:] = [process for process in _ENDING if process.is_alive()]
        for _ in range(self._max_workers):
            if self._context is None:
                process = Forked(self._pipes, self._initializer, self._initargs, self.slots)
                self._processes[process.pid] = process
                self._pipes.append(process.channel)
                self._waiting.append(deque())
                continue
            here, there = self._context.Pipe()
            args = (there, self._initializer, (*self._initargs, self.slots))
            process = self._context.Process(target=_serve, args=args, daemon=True)
            process.start()
            there.close()  # only the worker holds its end: its death is an EOF here
            assert process.pid is not None
            self._processes[process.pid] = process
            self._pipes.append(here)
            self._waiting.append(deque())

    def start(self) -> None:
        """Start the processes now, not at the first call: the command forks them before it
        opens its outputs and reads the first chunk, which they meanwhile get ready for."""
        if not self._pipes:
            self._start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Task:
        """Send ``fn(*args)`` to the worker with the fewest calls waiting."""
        if self._told:
            raise RuntimeError("a call sent after finish()")
        if not self._pipes:
            self._start()
        worker = min(range(len(self._pipes)), key=lambda i: len(self._waiting[i]))
        task = Task(self, worker)
        try:
            self._pipes[worker].send((fn, args))
        except (OSError, EOFError):
            raise WorkerDied(DIED) from None
        self._waiting[worker].append(task)
        return task

    def _collect(self, worker: int, block: bool) -> None:
        """Read the results worker ``worker`` has sent (at least one when ``block``)."""
        pipe, waiting = self._pipes[worker], self._waiting[worker]
        try:
            while waiting and (block or pipe.poll()):
                ok, value = pipe.recv()
                task = waiting.popleft()
                task._ok, task._value, task._finished = ok, value, True
                block = False
        except (OSError, EOFError):
            raise WorkerDied(DIED) from None

    def finish(self) -> None:
        """Tell the workers that no call follows: each answers the calls it was sent, then
        ends, while the command still writes their results and its own chunks' and renames
        its outputs (a process's exit, its memory released, took 3 ms of the end of each
        ``--jobs 2`` run while the command waited for it); :meth:`shutdown` then only
        reaps them. Their answers stay readable in the pipes and slots."""
        if self._told:
            return
        self._told = True
        for pipe in self._pipes:
            with contextlib.suppress(OSError):  # a worker already gone: nothing to tell
                pipe.send(None)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """End the workers: at once when calls are still waiting (what they would send is
        not read: an error or Ctrl-C ended the run), else once they have read the end of
        their input. ``wait`` and ``cancel_futures`` as an executor's (calls that wait are
        always cancelled)."""
        busy = any(self._waiting)
        for pipe in self._pipes:
            try:
                if not busy and not self._told:
                    pipe.send(None)
            except OSError:
                pass
        for process in self._processes.values():
            if busy:
                process.terminate()
            if not wait and isinstance(process, Forked):
                _ENDING.append(process)  # reaped at the next start (or by init)
            elif wait:
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()
                    process.join()
        for pipe in self._pipes:
            pipe.close()
        self._pipes, self._waiting, self._processes = [], [], {}
        self._told = False


def _serve(
    pipe: Connection | Channel, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> None:
    """A worker's life: set up, then answer each call in order until told to stop."""
    initializer(*initargs)
    while True:
        try:
            call = pipe.recv()
        except (EOFError, OSError):
            break
        if call is None:
            break
        fn, args = call
        try:
            answer: tuple[bool, Any] = (True, fn(*args))
        except BaseException as err:
            answer = (False, err)
        try:
            pipe.send(answer)
        except (OSError, EOFError):
            break
        except Exception as err:
            pipe.send((False, RuntimeError(f"worker: {type(err).__name__}: {err}")))
    pipe.close()
    os._exit(0)


#: Forked workers left to end on their own (:meth:`Workers.shutdown` without ``wait``): not
#: waited for, but reaped, so that a long-lived caller keeps no zombie processes.
_ENDING: list[Forked] = []


class Channel:
    """One end of a worker's two pipes (calls one way, answers the other): pickled objects,
    each after its length, as :class:`multiprocessing.connection.Connection` sends them, without
    importing :mod:`multiprocessing` (6 ms of a forked run's start).

    A send never waits on a full pipe while the other side waits for it to read: what the
    other side sends meanwhile is read into an inbox (a chunk of another encoding, a
    megabyte, goes through the pipes; blocking writes both ways hung ``--encoding latin-1
    --jobs 2`` on a 24 MB file)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._in_fd, self._out_fd = read_fd, write_fd
        os.set_blocking(write_fd, False)
        self._inbox = bytearray()
        self._ended = False  # the other end closed its side (or died)

    def fileno(self) -> int:
        return self._in_fd

    def send(self, obj: object) -> None:
        """Raises OSError (BrokenPipeError) when the other end is gone."""
        data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        for part in (_HEADER.pack(len(data)), data):
            view = memoryview(part)
            while view:
                try:
                    view = view[os.write(self._out_fd, view) :]
                except BlockingIOError:  # full: read what comes meanwhile, then write on
                    if self._wait_to_write():
                        self._read(1 << 20)

    def _wait_to_write(self) -> bool:
        """Wait until the pipe out takes more or the pipe in has something (or its end) to
        read; whether it has. ``poll``, not ``select``: a caller may hold descriptors past
        ``select``'s 1,024."""
        poller = select.poll()
        poller.register(self._out_fd, select.POLLOUT)
        if not self._ended:
            poller.register(self._in_fd, select.POLLIN)
        return any(fd == self._in_fd for fd, _ in poller.poll())

    def recv(self) -> Any:
        """Raises EOFError when the other end is gone."""
        (size,) = _HEADER.unpack(self._take(_HEADER.size))
        return pickle.loads(self._take(size))

    def _take(self, size: int) -> bytes:
        while len(self._inbox) < size:
            if self._ended or not self._read(max(size - len(self._inbox), 1 << 16)):
                raise EOFError("the other end of the channel closed it")
        with memoryview(self._inbox) as view:
            taken = bytes(view[:size])
        del self._inbox[:size]
        return taken

    def _read(self, size: int) -> int:
        data = os.read(self._in_fd, size)
        if not data:
            self._ended = True
        self._inbox += data
        return len(data)

    def poll(self) -> bool:
        """Whether a message (or the end) can be read without waiting for one to start."""
        if self._inbox:
            return True
        poller = select.poll()
        poller.register(self._in_fd, select.POLLIN)
        return bool(poller.poll(0))

    def close(self) -> None:
        for fd in (self._in_fd, self._out_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._in_fd = self._out_fd = -1


_HEADER = struct.Struct("!Q")


class Forked:
    """A worker process started with :func:`os.fork`, with the part of
    :class:`multiprocessing.Process`'s interface the pool uses (``pid``, ``exitcode``,
    ``is_alive``, ``join``, ``terminate``, ``kill``)."""

    def __init__(
        self,
        others: list[Connection | Channel],
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        slots: Slots | None,
    ) -> None:
        calls_r, calls_w = os.pipe()
        answers_r, answers_w = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # what a child would otherwise write twice
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the command's code
            status = 1
            try:
                os.close(calls_w)
                os.close(answers_r)
                for other in others:  # the other workers' ends: their deaths stay EOFs
                    other.close()
                _serve(Channel(calls_r, answers_w), initializer, (*initargs, slots))
                status = 0
            finally:
                os._exit(status)
        os.close(calls_r)
        os.close(answers_w)
        self.pid = pid
        self.channel = Channel(answers_r, calls_w)
        self.exitcode: int | None = None

    def _reap(self, flags: int) -> None:
        if self.exitcode is not None:
            return
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped elsewhere
            self.exitcode = -1
            return
        if pid:
            self.exitcode = os.waitstatus_to_exitcode(status)

    def is_alive(self) -> bool:
        self._reap(os.WNOHANG)
        return self.exitcode is None

    def join(self, timeout: float | None = None) -> None:
        if timeout is None:
            self._reap(0)
            return
        if not self.is_alive():
            return
        ended = _wait_for_exit(self.pid, timeout)
        if ended is not None:
            self._reap(0 if ended else os.WNOHANG)
            return
        deadline = time.monotonic() + timeout
        while self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)

    def _signal(self, signum: int) -> None:
        if self.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)


def _wait_for_exit(pid: int, timeout: float) -> bool | None:
    """Whether child ``pid`` (not reaped yet) ended within ``timeout`` seconds, woken the
    moment it does (a pidfd, Linux 5.3): the command's end waited up to a millisecond more
    for its worker in steps of ``time.sleep``. None, not waited, where there is no pidfd."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(max(0, int(timeout * 1000))))
    finally:
        os.close(fd)
