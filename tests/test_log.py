"""The substitution record, its JSON form, and undo."""

from __future__ import annotations

import io

import pytest

from normalise import LogError, Substitution, undo
from normalise.log import TEMPLATE_FIELDS, apply, dumps, log_template, read_log

SUB = Substitution("Taleban", "Taliban", 4, 11, 4, 11, "table", "Taliban", 1.0)


def test_record_round_trips_through_json():
    record = SUB.to_dict()
    assert "note" not in record
    assert Substitution.from_dict(record) == SUB
    noted = Substitution("Taluqan", "Taloqan", 0, 7, 0, 7, "phonetic", "Taloqan", 0.93, "why")
    assert Substitution.from_dict(noted.to_dict()) == noted


TEMPLATE_SUBS = [
    SUB,
    Substitution("Taluqan", "Taloqan", 0, 7, 0, 7, "phonetic", "Taloqan", 0.93, "why: 93% sure"),
    Substitution("Київ \udcff", "Kyiv", 5, 11, 5, 9, "table", "Kyiv", 1.0),
    Substitution(
        'a "q" \\ %d %%', "b\u2028\t", 20, 30, 21, 25, "phonetic-ambiguous", "é", 0.5, None
    ),
]


@pytest.mark.parametrize("name", ["big.txt", "-", "caf\u00e9 %s \udce9.txt"])
def test_log_template_writes_what_dumps_writes(name):
    values = [3, 9, 12, 40, 41, 47]
    template = log_template(name, TEMPLATE_SUBS)
    expected = b"".join(
        (
            dumps(
                {
                    "file": name,
                    "line": 3,
                    "column": 9,
                    **s.to_dict(),
                    "start": 12,
                    "end": 40,
                    "out_start": 41,
                    "out_end": 47,
                }
            )
            + "\n"
        ).encode("utf-8", "backslashreplace")
        for s in TEMPLATE_SUBS
    )
    assert template % tuple(values * len(TEMPLATE_SUBS)) == expected
    assert len(TEMPLATE_FIELDS) == len(values)


def test_undo_and_apply_are_inverse():
    text = "The Taleban left."
    out = apply(text, [SUB])
    assert out == "The Taliban left."
    assert undo(out, [SUB]) == text


def test_unapplied_records_are_ignored_by_undo():
    suggestion = Substitution("Taluqan", "Taloqan", 0, 7, 0, 7, "phonetic-suggest", "Taloqan", 0.9)
    assert undo("Taluqan", [suggestion]) == "Taluqan"


def test_undo_rejects_a_log_of_another_text():
    with pytest.raises(LogError, match="does not belong"):
        undo("The Talibxn left.", [SUB])


def test_undo_rejects_overlapping_records():
    other = Substitution("x", "Taliban", 6, 7, 6, 13, "table", "Taliban", 1.0)
    with pytest.raises(LogError, match="overlap"):
        undo("The Taliban left.", [SUB, other])


def test_read_log_names_the_bad_line():
    stream = io.StringIO(dumps(SUB.to_dict()) + "\n\nnot json\n")
    with pytest.raises(LogError) as info:
        list(read_log(stream, "x.jsonl"))
    assert str(info.value).startswith("x.jsonl:3: not JSON")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"start": -1}, "non-negative"),
        ({"rule": "guess"}, "unknown rule"),
        ({"original": 3}, "must be a string"),
    ],
)
def test_read_log_validates_records(change, message):
    record = {**SUB.to_dict(), **change}
    with pytest.raises(LogError, match=message):
        list(read_log(io.StringIO(dumps(record)), "x.jsonl"))


def test_missing_field():
    record = SUB.to_dict()
    del record["entry"]
    with pytest.raises(LogError, match="missing"):
        Substitution.from_dict(record)


def test_lone_surrogates_survive_the_log():
    sub = Substitution("\udcffTaleban", "Taliban", 0, 8, 0, 7, "table", "Taliban", 1.0)
    line = dumps(sub.to_dict()).encode("utf-8", "backslashreplace").decode("utf-8")
    (record,) = read_log(io.StringIO(line))
    assert record["original"] == "\udcffTaleban"
