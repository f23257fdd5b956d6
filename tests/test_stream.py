"""The streaming engine in small pieces: chunks cut as bytes, and records placed in the file.

The command's guarantees are tested end to end in test_cli.py; these tests drive
``normalise.stream`` with reads of a few bytes and tiny chunks, so that every cut (line end,
CR before LF, white space in a long line, a character split between reads) happens often.
"""

from __future__ import annotations

import io
import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from normalise import Normaliser, Substitution, undo
from normalise.stream import Source, normalise_source, read_byte_chunks, read_chunks

TABLE = Path(__file__).resolve().parent / "fixtures" / "cli_table.yaml"

_PIECES = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\r\n",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xff",
        b"\xc3",
        b"\xa9",
        b" ",
        b"\t",
        b"Taleban",
        b" US ",
        "Київ".encode(),
        b"Kiev",
        "é".encode(),
        "𝔘".encode(),
        b"\xed\xa0\x80",
        b"words",
    ]
)
DATA = st.lists(st.one_of(_PIECES, st.binary(max_size=6)), max_size=80).map(b"".join)


class Trickle(io.RawIOBase):
    """A stream that gives at most a few bytes per read, as a slow pipe does."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data, self.sizes, self.pos = data, sizes or [3], 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        step = self.sizes[self.pos % len(self.sizes)]
        block = self.data[self.pos : self.pos + step]
        self.pos += len(block)
        return block


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser([str(TABLE)], default_table=False, phonetic="off")


def positions(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """(1-based line, 0-based column) of each offset; LF, CRLF and CR each end a line."""
    out = []
    for start in starts:
        before = text[:start]
        line = 1 + before.count("\n") + before.count("\r") - before.count("\r\n")
        out.append((line, start - max(before.rfind("\n"), before.rfind("\r")) - 1))
    return out


@given(
    data=DATA,
    sizes=st.lists(st.integers(1, 9), max_size=5),
    limit=st.integers(1, 24),
    eager=st.booleans(),
)
def test_byte_chunks_decode_to_the_text_of_the_whole(data, sizes, limit, eager):
    source = Source("x", Trickle(data, sizes), interactive=eager)
    chunks = list(read_byte_chunks(source, chunk_bytes=limit))
    assert b"".join(chunks) == data
    decoded = "".join(c.decode("utf-8", "surrogateescape") for c in chunks)
    assert decoded == data.decode("utf-8", "surrogateescape")
    for before, after in pairwise(chunks):
        assert not (before.endswith(b"\r") and after.startswith(b"\n"))


@given(
    data=DATA,
    sizes=st.lists(st.integers(1, 9), max_size=5),
    limit=st.integers(1, 24),
    eager=st.booleans(),
)
@example(data=b"abcdefgh\r\nij", sizes=[9], limit=4, eager=False)
@example(data=b"\r\n", sizes=[1], limit=1, eager=False)
def test_text_chunks_never_part_cr_from_lf(data, sizes, limit, eager):
    """The other encodings' path: the same text, cut only where a line may end (a long
    line without white space is cut anywhere, but never between CR and LF)."""
    source = Source("x", Trickle(data, sizes), interactive=eager)
    chunks = list(read_chunks(source, "latin-1", chunk_chars=limit))
    assert "".join(chunks) == data.decode("latin-1")
    for before, after in pairwise(chunks):
        assert not (before.endswith("\r") and after.startswith("\n"))


@given(data=DATA, sizes=st.lists(st.integers(1, 9), max_size=5), limit=st.integers(1, 24))
@example(data=b"x\r\n" + "é Taleban Kiev US ".encode() * 4 + b"\xff Taleban\n", sizes=[5], limit=8)
def test_records_are_placed_in_the_file(normaliser, data, sizes, limit):
    """Output and log rebuild the input, and every line and column is the file's, however
    the input was cut (a record after a cut inside a long line needs the column before it)."""
    out, log = [], []
    normalise_source(
        normaliser,
        Source("in.txt", Trickle(data, sizes)),
        out.append,
        log=log.append,
        chunk_chars=limit,
    )
    text = data.decode("utf-8", "surrogateescape")
    result = b"".join(out).decode("utf-8", "surrogateescape")
    records = [json.loads(line) for line in b"".join(log).decode("utf-8").splitlines()]
    assert undo(result, [Substitution.from_dict(r) for r in records]) == text
    assert [(r["line"], r["column"]) for r in records] == positions(
        text, [r["start"] for r in records]
    )
    assert all(r["file"] == "in.txt" for r in records)


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "utf-16"])
def test_one_chunk_or_many_give_the_same_output_and_log(normaliser, encoding):
    extra = {"utf-8": "\udcff Київ", "latin-1": "\xff Kiev", "utf-16": "Київ"}[encoding]
    text = "".join(f"line {i} Taleban\r\nKiev é US\rx {extra}\n" for i in range(200))
    data = text.encode(encoding, "surrogateescape")
    runs = []
    for sizes, limit in (([len(data)], len(data) + 1), ([7, 50, 3], 40)):
        out, log = [], []
        stats = normalise_source(
            normaliser,
            Source("f", Trickle(data, sizes)),
            out.append,
            encoding=encoding,
            log=log.append,
            chunk_chars=limit,
        )
        runs.append((b"".join(out), b"".join(log), stats.invalid_at, dict(stats.counts)))
    assert runs[0] == runs[1]
    assert runs[0][3] == {"Taliban": 200, "Kyiv": 400, "U.S.": 200}
