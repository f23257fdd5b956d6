"""The compiled core's log lines (``_core.chunk_records`` and ``_core.place_log``) against the
Python writer (:func:`normalise.log.log_template`, ``stream._fields``, ``Locator.place``):
the same bytes for every record, the same counts and line ends; and the command's log the
same on both cores, end to end."""

from __future__ import annotations

import functools
import math
import os
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, core, stream
from normalise.chars import count_newlines
from normalise.events import RULES, Substitution
from normalise.log import file_json, log_template, read_log
from normalise.table import table_from_entries
from tests.conftest import run_main
from tests.test_core import compares_cores
from tests.test_properties import tables_and_texts

pytestmark = compares_cores
SEEDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"


def python_chunk(text: str, subs: list[Substitution], name: str | None) -> stream.ChunkResult:
    """A chunk's counts, line ends and log by the Python writer (the reference)."""
    counts: dict[str, int] = {}
    for sub in subs:
        if sub.applied:
            counts[sub.entry] = counts.get(sub.entry, 0) + 1
    crlf = "\r" in text
    breaks = count_newlines(text) if crlf else text.count("\n")
    last = max(text.rfind("\n"), text.rfind("\r"))
    log, fields, first = b"", [], 0
    if name is not None and subs:
        log = log_template(name, subs)
        fields, first = stream._fields(text, subs, crlf)
    return stream.ChunkResult(b"", 0, 0, breaks, last, None, counts, log, fields, first)


def compiled_chunk(text: str, subs: list[Substitution], name: str | None) -> stream.ChunkResult:
    done = core.compiled_module().chunk_records(
        text, subs, None if name is None else file_json(name)
    )
    assert done is not None
    counts, log, fields, first, breaks, last = done
    return stream.ChunkResult(b"", 0, 0, breaks, last, None, counts, log, fields, first)


def placed(result: stream.ChunkResult, line: int, column: int, chars: int, out: int) -> bytes:
    locator = stream.Locator()
    locator.line, locator.column, locator.chars, locator.out_chars = line, column, chars, out
    return locator.place(result)


def assert_same_writing(text, subs, name, place=(1, 0, 0, 0)):
    reference = python_chunk(text, subs, name)
    compiled = compiled_chunk(text, subs, name)
    assert compiled.counts == reference.counts
    assert list(compiled.counts) == list(reference.counts)  # the same order
    assert (compiled.breaks, compiled.tail) == (reference.breaks, reference.tail)
    assert compiled.first_line == reference.first_line
    assert compiled.records == reference.records
    assert placed(compiled, *place) == placed(reference, *place)


#: Characters the JSON writer treats apart: quotes, backslashes, every control character,
#: the percent sign of the Python templates, lone surrogates (undecodable bytes), line ends.
ODD = st.sampled_from(
    [
        *['"', "\\", "%", "%d", "%%", "\x00", "\x1f", "\x7f", "\b", "\f", "\t", "\r\n"],
        *["\u2028", "\udc80", "\udcff", "\ud800", "\U0001f600", "é", "Київ", "\ufeff"],
    ]
)
STRINGS = st.lists(st.one_of(ODD, st.text(max_size=6)), max_size=5).map("".join)
LINES = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(["\n", "\r", "\r\n", "\n\r", " "]), ODD),
    max_size=30,
).map("".join)
SCORES = st.one_of(
    st.just(1.0),
    st.sampled_from([0.0, -0.0, 0.5, 0.93, 1e-05, 123456789.0, 2, 0, math.inf, math.nan]),
    st.floats(allow_nan=False).map(lambda x: round(x, 4)),
)


@st.composite
def chunks(draw):
    """A text with line ends of every kind, and records at ordered starts inside it, with
    any strings, scores, notes and reasons."""
    text = draw(LINES)
    starts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    subs = []
    out = 0
    for start in starts:
        original, replacement = draw(STRINGS), draw(STRINGS)
        subs.append(
            Substitution(
                original,
                replacement,
                start,
                start + len(original),
                out,
                out + len(replacement),
                draw(st.sampled_from(sorted(RULES))),
                draw(st.sampled_from(["Kabul", "Kyiv", 'é"%', "\udce9"])),
                draw(SCORES),
                draw(st.one_of(st.none(), STRINGS)),
                draw(st.one_of(st.none(), st.sampled_from(["no-evidence", "name-part"]))),
            )
        )
        out += 3
    return text, subs


NAMES = st.one_of(st.sampled_from(["-", "big.txt", 'a "b" %s\\\udce9 \u00e9\t.txt']), STRINGS)
PLACES = st.tuples(st.integers(1, 10**9), *[st.integers(0, 10**12)] * 3)


@given(chunks(), NAMES, PLACES)
def test_compiled_log_lines_are_the_python_writers(chunk, name, place):
    text, subs = chunk
    assert_same_writing(text, subs, name, place)
    assert_same_writing(text, subs, None, place)


@given(tables_and_texts(), st.sampled_from(["\n", "\r\n", "\r"]), PLACES)
def test_compiled_log_lines_of_the_engines_records(case, newline, place):
    """The records a table pass makes (either core), over its forms recased, on lines ended
    every way."""
    entries, text = case
    text = text.replace("\n", newline)
    table = table_from_entries(entries)
    for name in core.CORES:
        with core.using(name):
            result = Normaliser(table=table, phonetic="off").normalise(text)
        assert_same_writing(text, result.substitutions, "in.txt", place)


@functools.cache
def default_normaliser(name: str) -> Normaliser:
    """The default table without the phonetic matcher, built on core ``name``."""
    with core.using(name):
        return Normaliser(phonetic="off")


@given(st.binary(max_size=300), st.sampled_from([b"", b"\xef\xbb\xbf"]))
def test_both_cores_log_a_byte_chunk_alike(data, bom):
    """A chunk of bytes as the command reads them (invalid UTF-8 decoded with
    surrogateescape, a byte order mark, CR LF) through ``normalise_chunk`` on each core."""
    chunk = bom + data.replace(b"z", b"Taleban ").replace(b"y", b"\r\n")
    results = {}
    for name in core.CORES:
        with core.using(name):
            result = stream.normalise_chunk(default_normaliser(name), chunk, "f\udcff.txt")
        results[name] = result, placed(result, 3, 7, 11, 13)
    (compiled, compiled_log), (python, python_log) = results["compiled"], results["python"]
    assert compiled_log == python_log
    assert compiled._replace(log=b"", fields=[]) == python._replace(log=b"", fields=[])
    assert isinstance(compiled.fields, bytes) and isinstance(python.fields, list)


def test_long_lines_and_many_records():
    text = ("Taleban " * 5000 + "\n") * 3 + "Kabul. " * 2000
    result = Normaliser(phonetic="off").normalise(text)
    assert len(result.substitutions) >= 15000
    assert_same_writing(text, result.substitutions, "long.txt", (1, 5, 7, 9))


@pytest.mark.parametrize("wide", ["", "é", "Київ", "\U0001f600"])
def test_line_ends_of_a_long_chunk(wide):
    """Line ends counted 16 bytes a step and summed every 255 steps (a narrow text): every
    kind of line end, at every offset, in a chunk longer than many such blocks."""
    rng = random.Random(17)
    pieces = ["\n", "\r", "\r\n", "\n\r", " ", "Taleban", "x" * 15, wide]
    text = "".join(rng.choice(pieces) for _ in range(30000))
    result = default_normaliser("compiled").normalise(text)
    assert result.substitutions
    assert_same_writing(text, result.substitutions, "long.txt", (1, 5, 7, 9))
    assert_same_writing(text, [], None)
    assert_same_writing(text.replace("\r", ""), [], None)


def test_records_the_compiled_path_does_not_hold_go_to_the_python_writer():
    """A score of another type (a bool, a float subclass), a record that is a plain tuple,
    or records out of order: None, and the chunk is written by the Python writer."""
    sub = Substitution("Taleban", "Taliban", 0, 7, 0, 7, "table", "Taliban", 1.0)
    chunk_records = core.compiled_module().chunk_records

    class Score(float):
        pass

    for subs in (
        [sub._replace(score=True)],
        [sub._replace(score=Score(1.0))],
        [tuple(sub)],
        [sub._replace(start=3, end=10), sub],
        [sub._replace(start=40, end=47)],  # past the text's end
        [sub._replace(note=3)],
    ):
        assert chunk_records("Taleban here", subs, b'"x"') is None
    assert chunk_records("Taleban here", [sub], b'"x"') is not None


def test_place_log_checks_its_template():
    place_log = core.compiled_module().place_log
    fields = bytes(8 * 6)
    with pytest.raises(ValueError):
        place_log(b"\x00\x00", fields, 0, 1, 0, 0, 0)
    with pytest.raises(ValueError):
        place_log(b"\x00" * 7, fields, 0, 1, 0, 0, 0)
    assert place_log(b"a\x00b\x00\x00\x00\x00\x00c", fields, 1, 4, 5, 6, 7) == b"a4b56677c"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")
def test_the_seeds_log_alike_with_the_phonetic_matcher():
    normaliser = Normaliser()
    seen = 0
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        result = normaliser.normalise(text)
        seen += len(result.substitutions)
        assert_same_writing(text, result.substitutions, path.name, (2, 3, 5, 8))
    assert seen


def test_both_cores_write_the_same_log_through_the_command(tmp_path):
    """The command end to end on each core, and with ``--jobs 2``: the same output and log,
    byte for byte (CR LF lines, undecodable bytes, a file name JSON must escape)."""
    table = tmp_path / "t.yaml"
    table.write_text(
        "entries:\n"
        "  - canonical: Taliban\n    variants: [Taleban, Talebaan]\n    kind: organisation\n"
        '  - canonical: "Kyiv"\n    variants: [Kiev]\n    kind: place\n',
        encoding="utf-8",
    )
    source = tmp_path / 'in "%d" é.txt'
    lines = [b"The Taleban \xff met in Kiev.\r\n", b"TALEBAN, Kiev\n", b"\xef\xbb\xbfKiev"]
    source.write_bytes(b"".join(lines * 4000))
    outputs = {}
    for name, jobs in (("python", "1"), ("compiled", "1"), ("compiled", "2")):
        out, log = tmp_path / f"out-{name}-{jobs}", tmp_path / f"log-{name}-{jobs}"
        args = ["--no-default-table", "--table", table, "--phonetic", "off", "--no-progress"]
        args += ["--jobs", jobs, source, "-o", out, "--log", log]
        os.environ[core.ENV] = name
        try:
            done = run_main(args)
        finally:
            del os.environ[core.ENV]
        assert done.returncode == 0, done.stderr
        outputs[name, jobs] = out.read_bytes(), log.read_bytes()
    assert outputs["python", "1"] == outputs["compiled", "1"] == outputs["compiled", "2"]
    with open(tmp_path / "log-compiled-1", encoding="utf-8") as written:
        # four a group (a BOM's "Kiev" runs into the next "The"), and the file's last "Kiev"
        assert sum(1 for _ in read_log(written)) == 4 * 4000 + 1


def test_the_python_writer_keys_a_score_by_how_json_writes_it():
    """Equal scores written differently (1 and 1.0, 0.0 and -0.0) each get their own line,
    whatever the writer wrote before (its template cache once gave the first one's)."""
    sub = Substitution("Taleban", "Taliban", 0, 7, 0, 7, "table", "Taliban", 1.0)
    for scores in ([1.0, 1, 1.0], [0.0, -0.0, 0, 0.0]):
        subs = [sub._replace(score=score) for score in scores]
        template = log_template("x", subs).decode()
        written = [line.split('"score": ')[1] for line in template.splitlines()]
        assert written == [f"{score!r}}}" for score in scores]
        assert_same_writing("Taleban", subs[:1], "x")


def test_add_counts_is_counter_update():
    """Totals per entry added in C: the values and the order ``Counter.update`` gives."""
    add_counts = core.compiled_module().add_counts
    chunks = [{"Kabul": 2, "Kyiv": 1}, {}, {"é": 5, "Kabul": 1}, {"Kyiv": 3, "x": 1}]
    expected: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for counts in chunks:
        expected.update(counts)
        add_counts(totals, counts)
        assert totals == expected and list(totals) == list(expected)
    assert totals.most_common() == expected.most_common()
