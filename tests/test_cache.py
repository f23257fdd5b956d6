"""The cache of built normalisers: a hit only for the same table bytes, options and code."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from normalise import Normaliser, TableError, cache, core, rewrite
from normalise.table import table_from_entries
from tests.test_properties import tables_and_texts

ROOT = Path(__file__).resolve().parent.parent
TABLE = """\
entries:
  - canonical: Taloqan
    kind: place
    variants: [Taliqan]
"""


def _table(tmp_path: Path, text: str = TABLE) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cached(path: Path, directory: Path, **options) -> Normaliser:
    return Normaliser.cached([path], default_table=False, cache_dir=directory, **options)


def _builds(monkeypatch) -> list[int]:
    """Count the tables actually compiled (not taken from the cache)."""
    built: list[int] = []
    original = rewrite.build

    def counting(options):
        built.append(1)
        return original(options)

    monkeypatch.setattr(rewrite, "build", counting)
    return built


def test_second_load_comes_from_the_cache(tmp_path, monkeypatch):
    built = _builds(monkeypatch)
    path = _table(tmp_path)
    first = _cached(path, tmp_path / "c")
    second = _cached(path, tmp_path / "c")
    assert len(built) == 1
    assert len(list((tmp_path / "c").glob("*.pickle"))) == 1
    text = "Taliqan and TALIQAN"
    assert second.normalise(text) == first.normalise(text)
    assert second.normalise(text).text == "Taloqan and TALOQAN"


def test_a_changed_table_is_built_again(tmp_path, monkeypatch):
    built = _builds(monkeypatch)
    path = _table(tmp_path)
    assert _cached(path, tmp_path / "c", phonetic="off").normalise("Taleqan").text == "Taleqan"
    path.write_text(TABLE.replace("[Taliqan]", "[Taliqan, Taleqan]"), encoding="utf-8")
    assert _cached(path, tmp_path / "c", phonetic="off").normalise("Taleqan").text == "Taloqan"
    assert len(built) == 2


@pytest.mark.parametrize("options", [{"phonetic": "off"}, {"min_score": 0.95}, {"margin": 0.3}])
def test_other_options_are_another_build(tmp_path, monkeypatch, options):
    built = _builds(monkeypatch)
    path = _table(tmp_path)
    _cached(path, tmp_path / "c")
    other = _cached(path, tmp_path / "c", **options)
    assert len(built) == 2
    for name, value in options.items():
        assert getattr(other, name) == value


def test_same_bytes_at_another_path_is_another_build(tmp_path, monkeypatch):
    """Entries remember their file and line (``explain`` names them)."""
    built = _builds(monkeypatch)
    first = _table(tmp_path)
    (tmp_path / "b").mkdir()
    second = _table(tmp_path / "b")
    _cached(first, tmp_path / "c")
    assert _cached(second, tmp_path / "c").table.entries[0].file == str(second)
    assert len(built) == 2


def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch):
    path = _table(tmp_path)
    _cached(path, tmp_path / "c")
    (stored,) = (tmp_path / "c").glob("*.pickle")
    stored.write_bytes(b"\x80\x05not a pickle")
    built = _builds(monkeypatch)
    assert _cached(path, tmp_path / "c").normalise("Taliqan").text == "Taloqan"
    assert len(built) == 1
    assert (
        cache._load(tmp_path / "c", stored).table == Normaliser([path], default_table=False).table
    )


def test_an_unwritable_cache_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = _table(tmp_path)
    assert _cached(path, blocker / "c").normalise("Taliqan").text == "Taloqan"


def test_a_bad_table_raises_as_without_cache(tmp_path):
    path = _table(tmp_path, "entries:\n  - canonical: Taloqan\n    kind: nowhere\n")
    with pytest.raises(TableError) as cached:
        _cached(path, tmp_path / "c")
    with pytest.raises(TableError) as plain:
        Normaliser([path], default_table=False)
    assert str(cached.value) == str(plain.value)
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").glob("*.pickle"))
    with pytest.raises(TableError, match="no such table file"):
        _cached(tmp_path / "missing.yaml", tmp_path / "c")


def test_only_the_newest_builds_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MAX_FILES", 3)
    path = _table(tmp_path)
    for score in (0.87, 0.88, 0.89, 0.90, 0.91):
        _cached(path, tmp_path / "c", min_score=score)
    assert len(list((tmp_path / "c").glob("*.pickle"))) == 3
    assert not list((tmp_path / "c").glob(".*.tmp"))


def test_a_table_changed_during_the_build_is_not_stored(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return "built"

    assert cache.load_or_build("k", build, tmp_path, unchanged=lambda: False) == "built"
    assert not list(tmp_path.glob("*.pickle"))
    assert cache.load_or_build("k", build, tmp_path) == "built"
    assert cache.load_or_build("k", build, tmp_path) == "built"
    assert len(calls) == 2


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NORMALISE_CACHE_DIR", str(tmp_path / "n"))
    assert cache.cache_dir() == tmp_path / "n"
    monkeypatch.delenv("NORMALISE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x" / "normalise"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_table_from_a_pipe_is_read_once_and_not_cached(tmp_path):
    fifo = tmp_path / "table.fifo"
    os.mkfifo(fifo)
    env = {**os.environ, "NORMALISE_CACHE_DIR": str(tmp_path / "c"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "normalise",
            "--no-default-table",
            "--phonetic",
            "off",
            "--table",
            str(fifo),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    with open(fifo, "w", encoding="utf-8") as f:
        f.write(TABLE)
    out, err = proc.communicate(b"Taliqan\n", timeout=60)
    assert (proc.returncode, out, err) == (0, b"Taloqan\n", b"")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("flag", [[], ["--no-cache"]])
def test_the_command_uses_the_cache_unless_told_not_to(tmp_path, flag):
    path = _table(tmp_path)
    env = {**os.environ, "NORMALISE_CACHE_DIR": str(tmp_path / "c"), "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "normalise", "--no-default-table", "--table", str(path), *flag],
            input=b"Taliqan\n",
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, b"Taloqan\n", b"")
    stored = list((tmp_path / "c").glob("*.pickle")) if (tmp_path / "c").exists() else []
    assert len(stored) == (0 if flag else 1)


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True,
    reason="root may write anywhere; needs file permissions",
)
def test_a_read_only_cache_is_still_read(tmp_path, monkeypatch):
    path = _table(tmp_path)
    _cached(path, tmp_path / "c")
    (tmp_path / "c").chmod(0o500)
    try:
        built = _builds(monkeypatch)
        assert _cached(path, tmp_path / "c").normalise("Taliqan").text == "Taloqan"
        assert not built
    finally:
        (tmp_path / "c").chmod(0o700)


def test_a_failed_touch_still_uses_the_cached_build(tmp_path, monkeypatch):
    path = _table(tmp_path)
    _cached(path, tmp_path / "c")

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(cache.os, "utime", refuse)
    built = _builds(monkeypatch)
    assert _cached(path, tmp_path / "c").normalise("Taliqan").text == "Taloqan"
    assert not built


def test_a_hit_does_not_copy_the_payload(tmp_path):
    """The payload is read through a view of the file's bytes: a 4 MB object's load peaks
    near the file plus the object (8 MB), not with a third copy (12 MB)."""
    import tracemalloc

    directory = tmp_path / "c"
    big = bytes(range(256)) * (4 << 12)  # 4 MiB
    assert cache.load_or_build("k", lambda: big, directory) == big
    tracemalloc.start()
    try:
        loaded = cache.load_or_build("k", lambda: b"", directory)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert loaded == big
    assert peak < 2.5 * len(big)


@pytest.mark.skipif(core._compiled() is None, reason="the compiled core is not built here")
def test_a_cached_trie_is_used_where_it_lies_in_the_file(tmp_path):
    """The compiled trie's arrays come out of band, mapped from the file and used there: the
    loaded table does not depend on the file after the load (it is replaced by another file
    or removed, as the cache itself does), and the bytes mapped are the verified ones."""
    path, directory = _table(tmp_path), tmp_path / "c"
    with core.using("compiled"):
        _cached(path, directory)
        (stored,) = directory.glob("*.pickle")
        loaded = cache._load(directory, stored)
    assert loaded.scanner._trie.borrowed
    replaced = stored.with_name("other")
    replaced.write_bytes(b"\0" * stored.stat().st_size)
    os.replace(replaced, stored)
    stored.unlink()
    assert Normaliser.from_compiled(loaded).normalise("From Taliqan.").text == "From Taloqan."


@settings(max_examples=30, deadline=None)
@given(tables_and_texts())
def test_a_cached_table_normalises_as_the_built_one(case):
    """Differential: a table stored and loaded through the cache (its trie's arrays mapped
    from the file under the compiled core) gives the text and records of the table built."""
    entries, text = case
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch) / "c"
        built = Normaliser(table=table_from_entries(entries), phonetic="off")
        cache.load_or_build("k", lambda: built.compiled, directory)
        loaded = cache.load_or_build("k", lambda: None, directory)
    assert loaded is not built.compiled and loaded is not None
    trie = loaded.scanner._trie
    if core.selected() == "compiled":
        assert trie.borrowed is all(trie.__reduce__()[1][4])  # none empty: mapped
    expected, result = built.normalise(text), Normaliser.from_compiled(loaded).normalise(text)
    assert (result.text, result.substitutions) == (expected.text, expected.substitutions)
