"""The filter's fixed cost (issue 17): what a run from the cache of built tables does not
import, the process ending without the interpreter's final pass (its output flushed, its
exit status kept), and ``--jobs`` workers started before the first chunk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, options, phonetic
from normalise._importing import lazy
from normalise.stream import _ends, make_executor, max_jobs

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "fixtures" / "cli_table.yaml"
ARGS = ["--no-default-table", "--table", str(TABLE), "--phonetic", "off", "--no-progress"]


#: Modules a run of the filter that writes a file and a log from the cache does not import:
#: each is a few ms of every start (issue 17).
UNUSED_BY_THE_FILTER = (
    "normalise.diff",
    "normalise.restore",
    "normalise.weigh",  # --phonetic off: no candidates to weigh
    "normalise.gazetteer",
)


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NORMALISE_CACHE_DIR": str(tmp_path / "c")}


def test_a_run_from_the_cache_imports_neither_yaml_nor_the_matcher(tmp_path):
    """Built, the table is read from YAML; from the cache, PyYAML is never executed and
    the phonetic matcher never imported (``--phonetic off``)."""
    text = tmp_path / "in.txt"
    text.write_text("The Taleban entered the city.\n")
    script = (
        "import sys\n"
        "from normalise.cli import main\n"
        f"status = main({[*ARGS, str(text), '-o', str(tmp_path / 'out.txt'), '--log', str(tmp_path / 'log.jsonl')]!r})\n"
        "print(status, 'yaml.reader' in sys.modules, 'normalise.phonetic' in sys.modules,"
        " 'jellyfish' in sys.modules)\n"
        f"print(*sorted(set({UNUSED_BY_THE_FILTER!r}) & set(sys.modules)))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env=_env(tmp_path),
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][:4] == ["0", "True", "False", "False"]  # built: the table's YAML was read
    assert runs[1] == ["0", "False", "False", "False"]  # from the cache, and none of these
    assert (tmp_path / "out.txt").read_text() == "The Taliban entered the city.\n"


def test_lazy_module_loads_at_first_use():
    name = "xml.dom.minidom"  # stdlib, and imported by nothing the package imports
    # another test in this process may have imported it: set it aside, not skip
    earlier = sys.modules.pop(name, None)
    try:
        module = lazy(name)
        assert sys.modules[name] is module
        assert module.parseString("<a>b</a>").documentElement.tagName == "a"
        assert lazy(name) is module  # already there: the module itself
    finally:
        sys.modules.pop(name, None)
        if earlier is not None:
            sys.modules[name] = earlier
    with pytest.raises(ImportError):
        lazy("normalise_no_such_module")


def test_matcher_defaults_are_the_options_ones():
    assert (phonetic.DEFAULT_MIN_SCORE, phonetic.DEFAULT_MARGIN) == (
        options.DEFAULT_MIN_SCORE,
        options.DEFAULT_MARGIN,
    )
    matcher = Normaliser(str(TABLE), default_table=False, phonetic="apply").matcher
    assert matcher is not None
    assert (matcher.min_score, matcher.margin) == (0.86, 0.12)


_ATEXIT = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('final pass\\n'))\n"
    "sys.argv[0] = 'normalise'\n"
    "from normalise.cli import main\n"
    "sys.exit(main())\n"
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_filter_ends_without_the_final_pass_and_loses_no_output(tmp_path, jobs):
    """Standard output is a pipe (block-buffered): every byte still arrives, the status is
    the run's, and the interpreter's exit handlers (its final pass) do not run."""
    text = "The Taleban entered the city.\n" * 3000  # more than one buffer
    (tmp_path / "in.txt").write_text(text)
    done = subprocess.run(
        [sys.executable, "-c", _ATEXIT, *ARGS, "--jobs", jobs, str(tmp_path / "in.txt")],
        capture_output=True,
        env=_env(tmp_path),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == text.replace("Taleban", "Taliban").encode()
    assert b"final pass" not in done.stderr


def test_an_error_keeps_its_status_and_message(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _ATEXIT, *ARGS, str(tmp_path / "missing.txt")],
        capture_output=True,
        env=_env(tmp_path),
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode().startswith(f"normalise: {tmp_path / 'missing.txt'}: no such file")


def test_sub_commands_keep_the_interpreters_exit(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _ATEXIT, "check", str(TABLE)],
        capture_output=True,
        env=_env(tmp_path),
        check=False,
    )
    assert b"final pass" in done.stderr


def test_main_called_from_python_returns(tmp_path, capsys):
    from normalise.cli import main

    (tmp_path / "in.txt").write_text("The Taleban.\n")
    assert main([*ARGS, str(tmp_path / "in.txt")]) == 0
    assert capsys.readouterr().out == "The Taliban.\n"


@pytest.mark.skipif(max_jobs() < 2, reason="one processor: no worker processes")
def test_workers_start_before_the_first_call():
    normaliser = Normaliser(str(TABLE), default_table=False, phonetic="off")
    with make_executor(normaliser, 2) as pool:
        assert pool is not None
        pool.start()
        (process,) = pool._processes.values()
        assert process.is_alive()
        pool.start()  # once
        assert list(pool._processes.values()) == [process]
        assert pool.submit(len, "abc").result() == 3


@given(st.binary(max_size=40), st.binary(max_size=40), st.integers(1, 50))
def test_context_tail_is_the_end_of_both(tail, chunk, size):
    assert _ends(tail, chunk, size) == (tail + chunk)[-size:]
    text_tail, text_chunk = tail.decode("latin-1"), chunk.decode("latin-1")
    assert _ends(text_tail, text_chunk, size) == (text_tail + text_chunk)[-size:]


@pytest.mark.parametrize("fails", [False, True])
def test_the_normaliser_is_made_with_the_collector_paused_then_frozen(monkeypatch, fails):
    """No collection while the table is read or built (the first allocation after a read
    set off a full walk of it), the table frozen, the collector running again afterwards,
    also when the build raises."""
    import gc

    from normalise import cli

    seen: list[bool] = []

    def made(args):
        seen.append(gc.isenabled())
        if fails:
            raise ValueError("no table")
        return "normaliser"

    monkeypatch.setattr(cli, "_normaliser", made)
    frozen = gc.get_freeze_count()
    try:
        if fails:
            with pytest.raises(ValueError):
                cli._frozen_normaliser(None)
        else:
            assert cli._frozen_normaliser(None) == "normaliser"
            assert gc.get_freeze_count() > frozen
        assert seen == [False]
        assert gc.isenabled()
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(("phonetic", "weighs"), [("off", "False"), ("apply", "True")])
def test_the_weighing_is_imported_when_a_normaliser_with_a_matcher_is_made(phonetic, weighs):
    """weigh (and the gazetteer) are imported by the normaliser that has a phonetic matcher,
    as it is made (before a --jobs command forks), and by no other."""
    script = (
        "import sys\n"
        "from normalise import Normaliser\n"
        "before = 'normalise.weigh' in sys.modules\n"
        f"Normaliser([{str(TABLE)!r}], default_table=False, phonetic={phonetic!r})\n"
        "print(before, 'normalise.weigh' in sys.modules, 'normalise.gazetteer' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=_env(Path())
    )
    assert out.stdout.split() == ["False", weighs, weighs], out.stderr
