"""The compiled table pass's hits and spans (``_core.HitRecords``): a read-only sequence
whose records are made when read, against the reference's lists record for record, and
the compiled casing of ASCII hits against the reference's ``cased``."""

from __future__ import annotations

import bisect
import pickle

import pytest
from hypothesis import given

from normalise import Normaliser, core
from normalise.compile import PythonCore, TableHit
from normalise.events import Span
from normalise.table import Entry, table_from_entries
from tests.test_core import needs_compiled, passes


def _passes(entries, text, keep=(), given_names="alone"):
    table = table_from_entries(entries)
    with core.using("compiled"):
        normaliser = Normaliser(table=table, phonetic="off", keep=keep, given_names=given_names)
    assert normaliser._core._runner is not None
    return normaliser._core.table_pass(text), PythonCore(normaliser.compiled).table_pass(text)


def _same_sequence(records, reference, kind):
    """Every way the engine reads a pass's sequences gives what the reference's list gives."""
    assert len(records) == len(reference)
    assert list(records) == reference and records == reference and reference == records
    assert (records != reference) is False
    assert all(type(r) is kind for r in records)
    assert list(reversed(records)) == reference[::-1]
    assert records[1:-1] == reference[1:-1] and records[::2] == reference[::2]
    for i in range(-len(reference), len(reference)):
        assert records[i] == reference[i]
    with pytest.raises(IndexError):
        records[len(reference)]
    for start in {r[0] for r in reference} | {0, 10**6}:
        assert bisect.bisect_left(records, (start,)) == bisect.bisect_left(reference, (start,))
        assert bisect.bisect_right(records, start, key=lambda r: r[0]) == bisect.bisect_right(
            reference, start, key=lambda r: r[0]
        )
    assert pickle.loads(pickle.dumps(records)) == reference
    assert repr(records) == repr(reference)
    if reference:
        assert reference[-1] in records and records.index(reference[-1]) == len(reference) - 1


@needs_compiled
@given(passes())
def test_hit_records_read_as_the_reference_lists(case):
    entries, text, keep, given_names = case
    found_c, found_p = _passes(entries, text, keep, given_names)
    _same_sequence(found_c.hits, found_p.hits, TableHit)
    if not keep:  # with a keep list the spans are merged with the kept ones: a list
        _same_sequence(found_c.taken, found_p.taken, Span)
    assert found_c.taken == found_p.taken


@needs_compiled
def test_records_of_dense_hits_and_kept_spans():
    entries = [
        Entry("Kabul", ("Cabul", "Kaboul")),
        Entry("Kandahar", ("Qandahar",)),
    ]
    text = "Kabul, Cabul and Qandahar; KABOUL. Kandahar kaboul " * 40
    found_c, found_p = _passes(entries, text)
    assert len(found_p.hits) == 240
    _same_sequence(found_c.hits, found_p.hits, TableHit)
    _same_sequence(found_c.taken, found_p.taken, Span)
    found_c, found_p = _passes(entries, text, keep=("Cabul",))
    assert found_c == found_p and isinstance(found_c.taken, list)


@needs_compiled
@pytest.mark.parametrize(
    ("canonical", "spelled", "case_sensitive"),
    [
        ("Kabul", "CABUL", False),  # capitals
        ("Kabul", "Cabul", False),
        ("Kabul", "cabul", False),
        ("iPhone", "Iphone", False),  # the first letter a capital
        ("iPhone", "IFONE", False),
        ("iPhone", "Ifone", True),  # case-sensitive: the form as it is
        ("e.g.", "E.G", False),  # capitals: two letters or more
        ("x-ray", "X", False),
        ("St. Louis", "ST LOUIS.", False),  # a point kept at a line's end
        ("Kabul", "Kabul.", False),
    ],
)
def test_compiled_casing_is_the_references(canonical, spelled, case_sensitive):
    table = table_from_entries([Entry(canonical, (spelled,), case_sensitive=case_sensitive)])
    text = f"{spelled} and ({spelled}) {spelled}\n{spelled}"
    with core.using("compiled"):
        compiled = Normaliser(table=table, phonetic="off")
    with core.using("python"):
        python = Normaliser(table=table, phonetic="off")
    got, want = compiled.normalise(text), python.normalise(text)
    assert want.substitutions  # the case rewrites something
    assert (got.text, [tuple(s) for s in got.substitutions]) == (
        want.text,
        [tuple(s) for s in want.substitutions],
    )
