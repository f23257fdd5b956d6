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
