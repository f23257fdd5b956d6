"""Shared test settings.

Hypothesis profiles, chosen with the environment variable HYPOTHESIS_PROFILE:

* ``ci`` (default): 50 examples per property, so that the whole suite stays
  fast enough to run on every change;
* ``thorough``: many thousands of examples per property, for a run before a release or after
  a change to the scanner, the rewriter or a table::

      HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The commands the tests run share one cache of built tables, not the user's, removed at exit.
# One for the whole run: the process that starts pytest makes it, and the xdist workers it
# starts inherit its name, so each table (and the filter of other languages' words, 4 s to
# build) is built once per run, not once per worker. Concurrent writers are safe: the cache
# writes each file beside its target and renames it, and makes its secret with a link.
_CACHE = os.environ.get("NORMALISE_TEST_CACHE_DIR")
if _CACHE is None:
    _CACHE = tempfile.mkdtemp(prefix="normalise-test-cache-")
    os.environ["NORMALISE_TEST_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["NORMALISE_CACHE_DIR"] = _CACHE


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (deselect with -m 'not slow')")
    config.addinivalue_line(
        "markers",
        "compares_cores: compares the compiled core with the Python reference, each forced "
        "(core.using), whatever NORMALISE_CORE selects: run once, not again under "
        "NORMALISE_CORE=python",
    )


#: Why the ``compares_cores`` files are not run again under ``NORMALISE_CORE=python``: each of
#: their tests forces both cores itself, so a second run repeats the same comparisons (28 s of
#: the Python core's run on two cores); they still run under any other selection, and where
#: the compiled core is not built they skip as before.
_COMPARED = "compares both cores itself: run in the suite's run on the compiled core"


#: The test files that take longest (CPU seconds of a run, measured with ``--durations``),
#: longest first. xdist hands whole files to the workers (``--dist loadfile``) in collection
#: order (``--no-loadscope-reorder``): the long ones go first, so that the short ones fill in
#: the gaps at the end and neither worker waits long for the other (longest first is the
#: classic greedy rule for balancing jobs over machines). A file not listed keeps its place
#: after these; a stale list only costs balance, never a test.
LONGEST_FIRST = (
    "test_properties.py",
    "test_check.py",
    "test_cli.py",
    "test_hardening.py",
    "test_evidence.py",
    "test_readme_console.py",
    "test_dask.py",
    "test_spelling_tables.py",
    "test_phonetic.py",
    "test_suggest.py",
    "test_engine_shape.py",
    "test_state.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
    if os.environ.get("NORMALISE_CORE") == "python":
        for item in items:
            if item.get_closest_marker("compares_cores"):
                item.add_marker(pytest.mark.skip(reason=_COMPARED))


def assert_quiet_broken_pipe(proc: subprocess.Popen, timeout: float) -> None:
    """Read 100 bytes of ``proc``'s output, close the pipe, and check that the command ended
    as a broken pipe should: exit 141 (or killed by SIGPIPE) and nothing on stderr."""
    try:
        head = proc.stdout.read(100)
        proc.stdout.close()
        status = proc.wait(timeout=timeout)
    finally:
        proc.kill()
    err = proc.stderr.read()
    proc.stderr.close()
    assert len(head) == 100
    assert status in (141, -signal.SIGPIPE), (status, err)
    assert err == b""


def run_main(args, cwd=None, input: bytes = b"") -> subprocess.CompletedProcess:
    """``normalise ARGS`` through the command's own entry point, :func:`normalise.cli.main`,
    in this process: standard input ``input`` (neither a terminal nor a regular file, as from
    a pipe), standard output and error captured as bytes as ``subprocess.run`` captures them,
    the working directory ``cwd``. Returns what ``subprocess.run`` returns.

    A new interpreter per run costs about 0.15 s of CPU (start-up and imports), a third of
    the whole suite's time when a few hundred tests each started one; the tests where the
    process boundary is what is checked (signals, broken pipes, other users, umask, resource
    limits, the environment, ``--jobs`` workers, the module entry point) keep real
    subprocesses. An exception that escapes ``main`` (a traceback in a real run) fails the
    test that ran it, as the subprocess tests' "no traceback" assertion does."""
    from normalise.cli import main

    argv = [str(a) for a in args]
    saved = sys.stdin, sys.stdout, sys.stderr, signal.getsignal(signal.SIGTERM), os.getcwd()
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(input), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8")
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
    try:
        if cwd is not None:
            os.chdir(cwd)
        try:
            status = main(argv)
        except SystemExit as exit:  # argparse's --help and --version
            status = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return subprocess.CompletedProcess(argv, status, out.getvalue(), err.getvalue())
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved[:3]
        signal.signal(signal.SIGTERM, saved[3])
        os.chdir(saved[4])


@pytest.fixture
def submitted(monkeypatch):
    """What each chunk went to: the worker function a worker process ran, or ``"here"``."""
    from normalise import stream as stream_module  # here: the module sets up before any import

    calls: list[str] = []
    real_submit, real_chunk = stream_module._submit, stream_module.normalise_chunk

    def submit(executor, work, *args):
        calls.append(work.__name__)
        return real_submit(executor, work, *args)

    def here(*args, **kwargs):
        calls.append("here")
        return real_chunk(*args, **kwargs)

    monkeypatch.setattr(stream_module, "_submit", submit)
    monkeypatch.setattr(stream_module, "normalise_chunk", here)
    return calls
