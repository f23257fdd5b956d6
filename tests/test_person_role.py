"""A place candidate standing where only a person stands is held (issue 15, round seven):
``held: person-role``, on both cores."""

from __future__ import annotations

import pytest

from normalise import Normaliser, core
from normalise.core import CORES
from normalise.evidence import HELD_REASONS, person_role
from normalise.sentence import is_sentence_initial

BUILT = core._compiled() is not None
CORE_NAMES = [name for name in CORES if name == "python" or BUILT]


def role(text: str, name: str) -> str | None:
    start = text.index(name)
    return person_role(text, start, start + len(name), is_sentence_initial)


@pytest.mark.parametrize(
    ("text", "name", "verb"),
    [
        ("Zarif arrived at the gate.", "Zarif", "arrived"),
        ('"Enough," and then Zarif smiled.', "Zarif", "smiled"),
        ("It rained, and Zarif smiled.", "Zarif", "smiled"),
        ("It rained when Zarif walked home.", "Zarif", "walked"),
        ("The clerk asked Zarif about the harvest.", "Zarif", "asked"),
        ("A reporter interviewed Zarif at noon.", "Zarif", "interviewed"),
        # a place in a phrase before the verb is no subject
        ("Traders from Zarif arrived at the gate.", "Zarif", None),
        ("Traders from Herat and Zarif arrived at the gate.", "Zarif", None),
        # metonymy: speech and decision verbs, and requests to a government
        ("Zarif said the talks would go on.", "Zarif", None),
        ("Zarif warned against the plan.", "Zarif", None),
        ("The envoy asked Zarif to reopen the road.", "Zarif", None),
        ("The envoy asked Zarif for grain.", "Zarif", None),
        ("The envoy questioned Zarif's motives.", "Zarif", None),
    ],
)
def test_the_role_is_read_from_the_verb_beside_the_name(text, name, verb):
    assert role(text, name) == verb


@pytest.mark.parametrize("name", CORE_NAMES)
def test_a_place_candidate_as_a_person_is_held(name):
    with core.using(name):
        normaliser = Normaliser()
    for text in (
        "Qabil arrived in Kunduz on Friday with two friends.",
        "Officials in Kunduz asked Hanedan about the harvest.",
    ):
        result = normaliser.normalise(text)
        assert result.text == text
        [sub] = result.substitutions
        assert sub.rule == "phonetic-suggest" and sub.held == "person-role"
        assert HELD_REASONS["person-role"] in sub.note
    # the same candidates elsewhere in a sentence are still rewritten on evidence
    request = normaliser.normalise("The council in Kunduz asked Dağistan to send grain.")
    assert request.text == "The council in Kunduz asked Dagestan to send grain."
    phrase = normaliser.normalise("Traders from Kunduz and Qabil arrived in Herat.")
    assert phrase.text == "Traders from Kunduz and Kabul arrived in Herat."


def test_explain_in_context_gives_the_hold():
    normaliser = Normaliser()
    found = normaliser.explain("Qabil", context="Qabil smiled in Kunduz.")
    assert found.result == "Qabil" and found.held == "person-role"


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("The clerk asked Zarif.", "asked"),
        ("The clerk asked Zarif, then left.", "asked"),
        ("The clerk told Zarif that the road was shut.", "told"),
        ("The paper quoted Zarif as saying so.", "quoted"),
        ("The clerk told Zarif his son was safe.", "told"),
        # the name modifies a noun, or a hyphen joins it: a place
        ("The clerk asked Zarif officials about the road.", None),
        ("The paper quoted Zarif residents.", None),
        ("The clerk asked Zarif-based traders.", None),
    ],
)
def test_an_object_is_read_up_to_what_follows_it(text, verb):
    assert role(text, "Zarif") == verb
