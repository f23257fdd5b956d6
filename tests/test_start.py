"""The command's start: the cache key's library versions are read without importing
importlib.metadata, and agree with it."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import pytest

from normalise import cache


@pytest.mark.parametrize("name", cache._LIBRARIES)
def test_versions_agree_with_importlib_metadata(name):
    assert cache.installed_version(name) == metadata.version(name)


def test_version_from_a_dist_info_name(tmp_path, monkeypatch):
    (tmp_path / "Some_Lib-2.5.post1.dist-info").mkdir()
    (tmp_path / "other-1.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path)])
    assert cache.installed_version("some-lib") == "2.5.post1"
    assert cache.installed_version("some.lib") == "2.5.post1"
    assert cache.installed_version("absent") is None


def test_other_layouts_ask_importlib_metadata(tmp_path, monkeypatch):
    (tmp_path / "some_lib-1.0-py3.11.egg-info").mkdir()
    (tmp_path / "some_lib-9.9.dist-info").mkdir()  # later in the listing: not the first found
    asked = []
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setattr(cache, "_metadata_version", lambda name: asked.append(name) or "1.0")
    items = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.setattr(cache.os, "listdir", lambda entry: items)
    assert cache.installed_version("some-lib") == "1.0"
    assert asked == ["some-lib"]


def test_a_table_only_run_does_not_import_importlib_metadata(tmp_path):
    table = tmp_path / "t.yaml"
    table.write_text(
        "entries:\n  - canonical: Taliban\n    kind: people\n    variants: [Taleban]\n"
    )
    script = (
        "import sys\n"
        "from normalise.cli import main\n"
        f"status = main(['--no-default-table', '--table', {str(table)!r}, '--phonetic', 'off',"
        f" '--no-progress', {str(table)!r}, '-o', {str(tmp_path / 'out.txt')!r}])\n"
        "print(status, 'importlib.metadata' in sys.modules)\n"
    )
    env = {**os.environ, "NORMALISE_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # built, then from the cache
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
        )
        assert out.stdout.split() == ["0", "False"], out.stderr


def test_versions_of_several_names_in_one_reading(tmp_path, monkeypatch):
    """Each entry of sys.path is listed once for all the names; each name's version is
    the one of the first entry that holds it."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "one_lib-1.0.dist-info").mkdir()
    (second / "one_lib-2.0.dist-info").mkdir()
    (second / "Two.Lib-3.1.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(first), str(second)])
    monkeypatch.setattr(cache, "_metadata_version", lambda name: None)
    listed = []
    listdir = os.listdir
    monkeypatch.setattr(cache.os, "listdir", lambda entry: listed.append(entry) or listdir(entry))
    versions = cache.installed_versions(["one-lib", "two_lib", "absent-lib"])
    assert versions == {"one-lib": "1.0", "two_lib": "3.1", "absent-lib": None}
    assert listed == [str(first), str(second)]


@pytest.mark.parametrize("before", ["enabled", "disabled"])
def test_importing_the_package_leaves_the_collector_as_it_found_it(before):
    """The collector is paused while the package is imported (normalise._importing), and
    left as it was: running, or paused by the caller."""
    script = (
        "import builtins, gc\n"
        f"{'gc.disable()' if before == 'disabled' else ''}\n"
        "seen, real = [], builtins.__import__\n"
        "def noted(name, globals=None, *args):\n"
        "    if (globals or {}).get('__name__') == 'normalise' and name not in ('', '_importing'):\n"
        "        seen.append(gc.isenabled())\n"
        "    return real(name, globals, *args)\n"
        "builtins.__import__ = noted\n"
        "import normalise.cli\n"
        "print(len(seen) > 3 and not any(seen), gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.split() == ["True", str(before == "enabled")], out.stderr


@pytest.mark.parametrize("frozen", [False, True])
def test_the_collector_restarts_without_walking_what_the_import_made(frozen):
    """``_importing.done``: no collection starts at the first allocation after the pause;
    what was made meanwhile is in the oldest generation. Objects the caller froze stay
    frozen, and the collection then runs as it would."""
    script = (
        "import gc\n"
        "from normalise import _importing\n"
        "gc.disable()\n"
        "made = [[] for _ in range(3000)]\n"
        f"{'gc.freeze()' if frozen else ''}\n"
        "young = [[] for _ in range(3000)]\n"
        "frozen = gc.get_freeze_count()\n"
        "starts = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and starts.append(1))\n"
        "_importing._collecting = True\n"
        "_importing.done()\n"
        "later = [[] for _ in range(10)]\n"
        "oldest = {id(o) for o in gc.get_objects(2)}\n"
        "print(gc.isenabled(), gc.get_freeze_count() == frozen, len(starts),"
        " id(made) in oldest, id(young) in oldest)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    expected = (
        ["True", "True", "1", "False", "False"] if frozen else ["True", "True", "0", "True", "True"]
    )
    assert out.stdout.split() == expected, out.stderr


def test_a_failed_import_of_the_package_leaves_the_collector_running():
    """A module of the package that cannot be imported (a broken install) must not leave the
    caller's process with its collector paused."""
    script = (
        "import gc, sys\n"
        "class Broken:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'normalise.rewrite':\n"
        "            raise ImportError('broken install')\n"
        "sys.meta_path.insert(0, Broken())\n"
        "try:\n"
        "    import normalise\n"
        "except ImportError:\n"
        "    print('failed', gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.split() == ["failed", "True"], out.stderr


@pytest.mark.parametrize("damaged", [False, True])
def test_a_cache_load_leaves_the_collector_running(tmp_path, damaged):
    """Loading from the cache pauses the collector (its collections free nothing there) and
    restarts it, whether the file loads or is a miss."""
    import gc

    built = cache.load_or_build("k", lambda: {"a": [1, 2]}, tmp_path / "c")
    assert built == {"a": [1, 2]}
    if damaged:
        path = tmp_path / "c" / "k.pickle"
        path.write_bytes(path.read_bytes()[:-3])
    assert gc.isenabled()
    again = cache.load_or_build("k", lambda: {"built": True}, tmp_path / "c")
    assert again == ({"built": True} if damaged else {"a": [1, 2]})
    assert gc.isenabled()


def test_a_built_table_holds_one_string_for_a_key_and_pattern_alike_and_for_a_kind(tmp_path):
    """What the cache stores of a built table, and loads at each start, is smaller where two
    of its strings are the same text: a spelling's key and its pattern, every entry's kind."""
    from normalise import Normaliser

    table = tmp_path / "t.yaml"
    table.write_text(
        "entries:\n"
        "  - canonical: Taloqan\n    kind: place\n    variants: [Taliqan, taluqan]\n"
        "  - canonical: Kabul\n    kind: place\n    variants: [Kabol]\n"
    )
    compiled = Normaliser([str(table)], default_table=False, phonetic="off").compiled
    patterns = {pattern: pattern for pattern in compiled.scanner.patterns}
    alike = [key for key in compiled.scanner.keys if key in patterns]
    assert len(alike) == len(compiled.scanner.keys) == 5
    assert all(patterns[key] is key for key in alike)
    first, second = (entry.kind for entry in compiled.table.entries)
    assert first == second == "place" and first is second
