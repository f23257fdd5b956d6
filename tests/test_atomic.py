"""AtomicFile's preallocation: large writes get their blocks as they are written, the file
holds exactly the bytes written, and a file system without fallocate is written as before."""

from __future__ import annotations

import errno
import os

import pytest

from normalise import atomic
from normalise.atomic import AtomicFile
from normalise.errors import InputError

needs_fallocate = pytest.mark.skipif(
    not hasattr(os, "posix_fallocate"), reason="no posix_fallocate on this system"
)

PIECES = [b"a" * 200_000, b"small\n", b"b" * (1 << 16), b"", b"c" * 70_001, b"tail"]


@needs_fallocate
def test_preallocated_ranges_end_where_the_data_does(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_bytes(b"old content that is replaced")
    calls: list[tuple[int, int]] = []
    real = os.posix_fallocate

    def recording(fd: int, offset: int, size: int) -> None:
        calls.append((offset, size))
        real(fd, offset, size)

    monkeypatch.setattr(os, "posix_fallocate", recording)
    sink = AtomicFile(str(target))
    for piece in PIECES:
        sink.write(piece)
    sink.commit()
    data = b"".join(PIECES)
    assert target.read_bytes() == data
    # only the writes of at least _PREALLOCATE bytes, each at its own offset
    assert calls == [(0, 200_000), (200_006, 1 << 16), (200_006 + (1 << 16), 70_001)]
    assert all(size >= atomic._PREALLOCATE for _, size in calls)


@needs_fallocate
@pytest.mark.parametrize("code", [errno.EOPNOTSUPP, errno.EINVAL])
def test_file_system_without_fallocate_is_written_as_before(tmp_path, monkeypatch, code):
    calls = []

    def unsupported(fd: int, offset: int, size: int) -> None:
        calls.append(offset)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "posix_fallocate", unsupported)
    target = tmp_path / "out.txt"
    sink = AtomicFile(str(target))
    for piece in PIECES:
        sink.write(piece)
    sink.commit()
    assert target.read_bytes() == b"".join(PIECES)
    assert calls == [0]  # asked once, then never again


@needs_fallocate
def test_full_disk_is_one_error_and_no_file(tmp_path, monkeypatch):
    def full(fd: int, offset: int, size: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", full)
    target = tmp_path / "out.txt"
    sink = AtomicFile(str(target))
    with pytest.raises(InputError, match="cannot write: No space left on device"):
        sink.write(PIECES[0])
    sink.discard()
    assert list(tmp_path.iterdir()) == []
