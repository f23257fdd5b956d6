"""The cache never runs a planted pickle (issue 20, items 1 and 7).

Each of the four placements a probe found is planted with a pickle whose loading would make a
marker directory; the build must come out right and the marker must not exist. Placements
that need a file of another user are made with ``chown`` as root, and are also tried the
other way round, running the command as the unprivileged user ``nobody`` (``setpriv``) against
a cache made by root.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import random
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from normalise import Normaliser, cache, table_file

ROOT = Path(__file__).resolve().parent.parent
OTHER = 65534  # nobody
TABLE = """\
entries:
  - canonical: Taloqan
    kind: place
    variants: [Taliqan]
"""
AS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0, reason="a file of another user can be made only by root"
)


class Plant:
    """Unpickling this makes ``marker``: proof that the pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _table(directory: Path) -> Path:
    path = directory / "t.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return path


def _key_name(table: Path, scratch: Path) -> str:
    """The cache file name a build of ``table`` uses (the key does not depend on the
    directory, so an attacker can compute it as here)."""
    Normaliser.cached([table], default_table=False, cache_dir=scratch)
    (stored,) = scratch.glob("*.pickle")
    return stored.name


def _plant(directory: Path, name: str, marker: Path, owner: int | None = None) -> Path:
    path = directory / name
    path.write_bytes(pickle.dumps(Plant(marker)))
    path.chmod(0o644)
    if owner is not None:
        os.chown(path, owner, owner)
    return path


def _load_through_env(monkeypatch, table: Path, **env: str) -> Normaliser:
    for name in ("NORMALISE_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Normaliser.cached([table], default_table=False)


def _works(normaliser: Normaliser) -> None:
    assert normaliser.normalise("Taliqan").text == "Taloqan"


def test_world_writable_cache_dir(tmp_path, monkeypatch):
    """Placement 1: a world-writable NORMALISE_CACHE_DIR (even the user's own)."""
    table, marker = _table(tmp_path), tmp_path / "ran"
    name = _key_name(table, tmp_path / "scratch")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    _plant(shared, name, marker)
    _works(_load_through_env(monkeypatch, table, NORMALISE_CACHE_DIR=str(shared)))
    assert not marker.exists()
    assert (shared / name).read_bytes() == pickle.dumps(Plant(marker))  # nothing written there


@AS_ROOT
@pytest.mark.parametrize("placement", ["XDG_CACHE_HOME", "HOME"])
def test_directory_made_in_advance_by_another_user(tmp_path, monkeypatch, placement):
    """Placements 2 and 3: ``normalise/`` made in advance by another user under a shared
    ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    table, marker = _table(tmp_path), tmp_path / "ran"
    name = _key_name(table, tmp_path / "scratch")
    base = tmp_path / "base"
    shared = base if placement == "XDG_CACHE_HOME" else base / ".cache"
    planted = shared / "normalise"
    planted.mkdir(parents=True)
    shared.chmod(0o1777)
    planted.chmod(0o755)
    os.chown(planted, OTHER, OTHER)
    _plant(planted, name, marker, owner=OTHER)
    _works(_load_through_env(monkeypatch, table, **{placement: str(base)}))
    assert not marker.exists()


@AS_ROOT
def test_file_of_another_user_in_the_users_own_directory(tmp_path, monkeypatch):
    """Placement 4: the user's own 0700 directory, with a valid secret, holds a file owned
    by another user."""
    table, marker = _table(tmp_path), tmp_path / "ran"
    own = tmp_path / "own"
    name = _key_name(table, own)
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    _plant(own, name, marker, owner=OTHER)
    _works(_load_through_env(monkeypatch, table, NORMALISE_CACHE_DIR=str(own)))
    assert not marker.exists()


def test_a_pickle_of_the_users_own_without_the_checksum_never_runs(tmp_path, monkeypatch):
    """The owner and mode are right (the user's own 0700 directory and a 0600 file), but the
    file was not written by normalise: no valid HMAC, so it is not loaded."""
    table, marker = _table(tmp_path), tmp_path / "ran"
    own = tmp_path / "own"
    name = _key_name(table, own)
    _plant(own, name, marker).chmod(0o600)
    _works(_load_through_env(monkeypatch, table, NORMALISE_CACHE_DIR=str(own)))
    assert not marker.exists()


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to run as another user"
)
@pytest.mark.parametrize("placement", ["NORMALISE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"])
def test_an_unprivileged_user_never_runs_a_pickle_of_root(placement):
    """The same placements seen from an unprivileged user (``nobody``, via setpriv): a cache
    directory made by root, with root's pickle in it."""
    top = Path(tempfile.mkdtemp(prefix="normalise-trust-"))
    try:
        top.chmod(0o755)
        table = _table(top)
        name = _key_name(table, top / "scratch")
        base = top / "base"
        directory = {
            "NORMALISE_CACHE_DIR": base,
            "XDG_CACHE_HOME": base / "normalise",
            "HOME": base / ".cache" / "normalise",
        }[placement]
        directory.mkdir(parents=True)
        for path in (base, *directory.relative_to(base).parents, directory):
            (base / path).chmod(0o755)
        marks = top / "marks"
        marks.mkdir()
        marks.chmod(0o777)
        _plant(directory, name, marks / "ran")
        code = (
            "from normalise import Normaliser; "
            f"n = Normaliser.cached([{str(table)!r}], default_table=False); "
            "print(n.normalise('Taliqan').text)"
        )
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            placement: str(base),
            "HOME": str(base) if placement == "HOME" else str(top),
        }
        proc = subprocess.run(
            [
                "setpriv",
                f"--reuid={OTHER}",
                f"--regid={OTHER}",
                "--clear-groups",
                sys.executable,
                "-c",
                code,
            ],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == b"Taloqan\n"
        assert not (marks / "ran").exists()
    finally:
        shutil.rmtree(top)


def test_made_directories_and_files_are_private_whatever_the_umask(tmp_path):
    table = _table(tmp_path)
    directory = tmp_path / "a" / "b" / "normalise"
    old = os.umask(0)
    try:
        Normaliser.cached([table], default_table=False, cache_dir=directory)
    finally:
        os.umask(old)
    for made in (tmp_path / "a", tmp_path / "a" / "b", directory):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def _older_format(directory: Path, good: bytes) -> bytes:
    """The same table as the cache's first format wrote it (the pickle after the tag, its
    arrays in band), with the right tag: a file of older code, to be rebuilt."""
    (stored,) = directory.glob("*.pickle")
    payload = pickle.dumps(cache._load(directory, stored), protocol=5)
    secret = (directory / "secret").read_bytes()
    return b"normalise-cache\0" + hmac.new(secret, payload, hashlib.sha256).digest() + payload


def _truncated(good: bytes) -> list[bytes]:
    """The file cut in its header, in its pickle, before and inside its last buffer (a
    table pickled by the Python core has no buffer: the pickle ends the file)."""
    start = len(cache._MAGIC) + cache._TAG
    end = table_file.head_end(memoryview(good), start)
    assert end is not None
    cuts = {start + 4, start + 20, end - 1, end + 1, len(good) - 1}
    return [good[:cut] for cut in sorted(cuts) if cut < len(good)]


@pytest.mark.parametrize(
    "damage", ["garbage", "pickled dict", "bit flips", "truncated", "older format"]
)
def test_damaged_cache_files_are_rebuilt_never_loaded(tmp_path, damage):
    """Item 7: nine bytes of garbage, a pickled dict, 300 single-bit flips, a file cut
    short, a file of the first format: each is a miss (rebuilt), never a traceback, never a
    damaged normaliser."""
    table = _table(tmp_path)
    directory = tmp_path / "c"
    Normaliser.cached([table], default_table=False, cache_dir=directory)
    (stored,) = directory.glob("*.pickle")
    good = stored.read_bytes()
    if damage == "garbage":
        variants = [b"\x80\x05garbage"]
    elif damage == "pickled dict":
        variants = [pickle.dumps({"table": None})]
    elif damage == "truncated":
        variants = _truncated(good)
    elif damage == "older format":
        variants = [_older_format(directory, good)]
    else:
        rng = random.Random(20)
        variants = []
        for _ in range(300):
            bit = rng.randrange(len(good) * 8)
            flipped = bytearray(good)
            flipped[bit // 8] ^= 1 << (bit % 8)
            variants.append(bytes(flipped))
    for data in variants:
        stored.write_bytes(data)
        assert cache._load(directory, stored) is None
    stored.write_bytes(variants[0])
    _works(Normaliser.cached([table], default_table=False, cache_dir=directory))
    assert cache._load(directory, stored) is not None  # rewritten by the rebuild
