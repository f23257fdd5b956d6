"""People's own spellings: a person's name reached only through the diacritic fold is left as
written and recorded as ``table-suggest`` (``held: own-spelling``), unless the person is named
in full nearby (issue 15, round seven); on both cores."""

from __future__ import annotations

import pytest

from normalise import Normaliser, core
from normalise.core import CORES
from normalise.evidence import HELD_REASONS
from normalise.log import undo
from normalise.table import Entry, table_from_entries

BUILT = core._compiled() is not None
CORE_NAMES = [name for name in CORES if name == "python" or BUILT]

TABLE = table_from_entries(
    [
        Entry("Abdullah Ocalan", (), "person"),
        Entry("Erdogan", ("Erdoğan",), "person"),
        Entry("Kabul", ("Kabol",), "place"),
    ]
)
#: with a second person, whose phonetic candidate needs evidence
TABLE_WITH_PEER = table_from_entries([*TABLE.entries, Entry("Gulbuddin Hekmatyar", (), "person")])


def normaliser(name: str, **options) -> Normaliser:
    with core.using(name):
        return Normaliser(table=TABLE, default_table=False, phonetic="off", **options)


@pytest.mark.parametrize("name", CORE_NAMES)
def test_a_folded_spelling_of_a_person_is_held_and_recorded(name):
    text = "Öcalan spoke to the press in Kâbul."
    result = normaliser(name).normalise(text)
    assert result.text == "Öcalan spoke to the press in Kabul."  # the place is still folded
    held = [s for s in result.substitutions if not s.applied]
    assert [(s.original, s.replacement, s.rule, s.held) for s in held] == [
        ("Öcalan", "Ocalan", "table-suggest", "own-spelling")
    ]
    assert HELD_REASONS["own-spelling"] in held[0].note
    assert undo(result.text, result.substitutions) == text


@pytest.mark.parametrize("name", CORE_NAMES)
def test_the_person_named_in_full_nearby_is_rewritten(name):
    n = normaliser(name)
    # the full name itself, in the person's own letters: that person
    assert n.normalise("Abdullah Öcalan spoke.").text == "Abdullah Ocalan spoke."
    # the full name nearby, in the table's spelling or in the person's own
    for text in (
        "Abdullah Ocalan was moved. Later Öcalan spoke.",
        "Abdullah Öcalan was moved. Later Öcalan spoke.",
    ):
        assert n.normalise(text).text == "Abdullah Ocalan was moved. Later Ocalan spoke."
    # in another paragraph it is not near
    apart = "Öcalan spoke.\n\nAbdullah Ocalan was moved."
    assert n.normalise(apart).text == apart


@pytest.mark.parametrize("name", CORE_NAMES)
def test_a_listed_spelling_with_marks_is_rewritten(name):
    # the form has the marks: no fold is needed, it is the table's own variant
    assert normaliser(name).normalise("Erdoğan spoke.").text == "Erdogan spoke."


@pytest.mark.parametrize("name", CORE_NAMES)
def test_search_style_folding_rewrites_every_spelling(name):
    text = "Öcalan spoke."
    assert normaliser(name, given_names="always").normalise(text).text == "Ocalan spoke."


def test_the_default_table_and_explain_agree():
    n = Normaliser()
    text = "Öcalan met the mayor of Herat on Monday."
    result = n.normalise(text)
    assert result.text == text
    assert n.normalise(result.text).text == text  # idempotent
    found = n.explain("Öcalan", context=text)
    assert found.result == "Öcalan" and found.held == "own-spelling"


def test_a_held_spelling_is_no_evidence_for_the_next_document():
    n = normaliser("python")
    assert not n.has_evidence("Öcalan spoke.")
    assert n.has_evidence("Ocalan spoke.")
    assert n.has_evidence("Öcalan spoke in Kâbul.")


@pytest.mark.parametrize("name", CORE_NAMES)
def test_a_held_spelling_is_no_evidence_in_a_neighbouring_chunk(name):
    with core.using(name):
        n = Normaliser(table=TABLE_WITH_PEER, default_table=False, phonetic="apply")
    text = "Later Hekmatiar spoke."
    for before in ("Öcalan spoke. ", "Ocalan spoke. "):
        # the stream's neighbouring chunk gives the answer the same words give in the text
        beside = n.normalise(text, before=before).substitutions
        inside = [s for s in n.normalise(before + text).substitutions if s.rule != "table"]
        assert [s.held for s in beside] == [s.held for s in inside if s.original == "Hekmatiar"]
    assert n.normalise(text, before="Öcalan spoke. ").substitutions[0].held == "no-evidence"
