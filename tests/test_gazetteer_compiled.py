"""The gazetteer's name lines bisected in C (``_core.NameLines``, issues 15 and 17: the regions
of the place entries a candidate's evidence reads, thousands of bisections a text at 100,000
variants): every look-up gives the numbers of the Python bisection (``Gazetteer._bisected``),
on the bundled gazetteer's every name and near misses, and on small blocks of hypothesis lines
(sorted, with prefixes of each other, bytes past ASCII, numbers C does not read itself)."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import core
from normalise.gazetteer import Gazetteer, gazetteer
from tests.test_core import compares_cores

pytestmark = compares_cores


def _names_of(atlas: Gazetteer) -> list[bytes]:
    names, starts = atlas._names, atlas._starts
    return [names[s : names.index(b"\t", s)] for s in starts[:-1]]


def test_every_name_of_the_bundled_gazetteer_and_near_misses():
    atlas = gazetteer()
    with core.using("compiled"):
        lines = core.compiled_module().NameLines(atlas._names, atlas._starts)
    names = _names_of(atlas)
    probes = [*names, *(n[:-1] for n in names[::5]), *(n + b"a" for n in names[::7])]
    probes += [b"", b"\x00", b"\xff\xff", b"zzzzzz", names[0], names[-1] + b"z"]
    found = 0
    for key in probes:
        numbers = lines.numbers(key)
        assert numbers == atlas._bisected(key), key
        found += bool(numbers)
    assert found >= len(names)  # every name finds its cities


def _block(lines: list[tuple[bytes, str]]) -> tuple[bytes, array[int]]:
    """A block of name lines as the gazetteer file lays them out, and its line starts."""
    text = b"".join(name + b"\t" + numbers.encode() + b"\n" for name, numbers in lines)
    starts = array("I", [0])
    for name, numbers in lines:
        starts.append(starts[-1] + len(name) + len(numbers.encode()) + 2)
    return text, starts


_NAME = st.binary(min_size=0, max_size=6).filter(lambda b: b"\t" not in b and b"\n" not in b)
_NUMBERS = st.one_of(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=4).map(lambda ns: ",".join(map(str, ns))),
    st.sampled_from(["12345678901234567890", "7, 8", "0012", "1_000", "+5", "3,,4"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_NAME, _NUMBERS, min_size=0, max_size=12),
    st.lists(_NAME, max_size=8),
)
def test_small_blocks_answer_as_the_python_bisection(table, extra):
    text, starts = _block(sorted(table.items()))
    atlas = Gazetteer.__new__(Gazetteer)
    atlas._names, atlas._starts = text, starts
    with core.using("compiled"):
        lines = core.compiled_module().NameLines(text, starts)
    for key in [*table, *extra, *(k + b"\x00" for k in table)]:
        try:
            expected: object = atlas._bisected(key)
        except ValueError as error:
            expected = type(error)
        try:
            got: object = lines.numbers(key)
        except ValueError as error:
            got = type(error)
        assert got == expected, key


def test_line_starts_past_the_block_are_refused():
    with core.using("compiled"):
        make = core.compiled_module().NameLines
    with pytest.raises(ValueError):
        make(b"a\t1\n", array("I", [0, 9]))
    with pytest.raises(ValueError):
        make(b"", array("I"))


def test_the_compiled_core_bisects_in_c_and_the_python_core_does_not():
    with core.using("compiled"):
        assert Gazetteer(_gazetteer_text())._lines is not None
    with core.using("python"):
        assert Gazetteer(_gazetteer_text())._lines is None


def _gazetteer_text() -> bytes:
    import gzip

    from normalise.gazetteer import GAZETTEER_PATH

    return gzip.decompress(GAZETTEER_PATH.read_bytes())
