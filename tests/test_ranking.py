"""The evidence that ranks `normalise suggest` groups (normalise.ranking): one test per rule,
on made-up names."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from normalise import ranking
from normalise.proposals import Proposal, Spelling, Suggestions, format_json, format_text
from normalise.ranking import PairEvidence, edit_kinds, pair_score, rank_groups
from normalise.suggest import VariantDiscovery


@pytest.mark.parametrize(
    ("a", "b", "kinds"),
    [
        ("Zorbakhan", "Zurbakhan", ["vowel"]),
        ("Merikhel", "Merikel", ["h"]),  # kh / k
        ("Qalbora", "Qalborah", ["h"]),  # a final h
        ("Dostabad", "Dosstabad", ["double"]),
        ("Kelvarin", "Celvarin", ["alternation"]),  # c / k
        ("Philmora", "Filmora", ["alternation"]),  # ph / f
        ("Sarvezin", "Sarvesin", ["alternation"]),  # z / s
        ("Ahitorel", "Achitorel", ["alternation"]),  # ch / h
        ("Caesbora", "Cæsbora", []),  # æ written out
        ("Abinoret", "Ahinoret", ["consonant"]),  # b / h: another name
        ("Jehovar", "Jehovæ", ["affix", "consonant"]),  # a Latin -æ, and r for e
        ("Zalvon", "Zalvonah", ["affix"]),  # a syllable added at the end
        ("Carvelian", "Carvelianus", ["affix", "affix"]),  # ... and a Latin ending
        ("Talvorees", "Talvoraeus", ["affix", "vowel", "vowel"]),  # a Latin ending
        ("Jehovah", "Jehovae", ["affix", "consonant"]),  # a Latin genitive -ae
    ],
)
def test_edit_kinds(a, b, kinds):
    assert edit_kinds(a, b) == kinds
    assert sorted(edit_kinds(b, a)) == sorted(kinds)


def test_an_inserted_h_with_its_vowel_is_an_h_alternation():
    assert edit_kinds("Joiaret", "Jehoiaret") == ["h"]
    assert edit_kinds("Kalneh", "Kalno") == ["h"]


def _evidence(**kw) -> PairEvidence:
    return PairEvidence(**{"counts": (5, 4), "context": 0.2, **kw})


def test_each_piece_of_evidence_moves_the_score():
    base = pair_score("Zorbakhan", "Zurbakhan", _evidence())
    assert base == 0
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(glossed=True)) == ranking.GLOSS
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(context=0.5)) == ranking.CONTEXT
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(context=None)) == ranking.NO_CONTEXT
    apart = _evidence(shared_docs=0, expected_docs=0.5)
    assert pair_score("Zorbakhan", "Zurbakhan", apart) == ranking.COMPLEMENTARY
    # sharing no document is no evidence when chance would not give them one either
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(shared_docs=0, expected_docs=0.1)) == 0
    together = _evidence(shared_docs=2, expected_docs=1.0)
    assert pair_score("Zorbakhan", "Zurbakhan", together) == ranking.SHARED_DOCUMENTS
    rare = _evidence(counts=(40, 2))
    assert pair_score("Zorbakhan", "Zurbakhan", rare) == ranking.RARE
    # rare beside a rare name is no evidence
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(counts=(9, 1))) == 0
    assert pair_score("Abinoret", "Ahinoret", _evidence()) == ranking.OTHER_CONSONANT
    assert pair_score("Zalvon", "Zalvonah", _evidence()) == ranking.AFFIX


def test_two_established_names_are_two_names():
    # Both are names in their own right (wordfreq knows both); one made-up spelling is not.
    assert pair_score("Osborne", "Osburn", _evidence()) == ranking.ESTABLISHED
    assert pair_score("Osborne", "Osbarne", _evidence()) == 0


def test_many_places_of_difference():
    assert pair_score("Burvesh", "Burrouvhesh", _evidence()) < 0


def _proposal(canonical, variant, docs=1, count=2):
    return Proposal(
        canonical,
        "other",
        (Spelling(canonical, count - 1, docs), Spelling(variant, 1, 1, 0.9)),
        docs,
        (),
    )


def test_groups_without_enough_evidence_come_after_marked():
    strong = _proposal("Zorbakhan", "Zurbakhan", docs=1)
    weak = _proposal("Merikhel", "Merikhil", docs=9)  # more documents, no evidence
    against = _proposal("Abinoret", "Ahinoret", docs=5)
    table = {
        ("Zorbakhan", "Zurbakhan"): _evidence(glossed=True),
        ("Merikhel", "Merikhil"): _evidence(),
        ("Abinoret", "Ahinoret"): _evidence(),
    }
    ranked = rank_groups([weak, against, strong], lambda a, b: table[(a, b)])
    assert [p.canonical for p in ranked] == ["Zorbakhan", "Merikhel", "Abinoret"]
    assert [p.supported for p in ranked] == [True, False, False]
    assert [p.evidence for p in ranked] == [ranking.GLOSS, 0, ranking.OTHER_CONSONANT]


def test_a_group_is_as_strong_as_its_weakest_pair():
    group = Proposal(
        "Zorbakhan",
        "other",
        (Spelling("Zorbakhan", 3, 2), Spelling("Zurbakhan", 1, 1), Spelling("Zorbakhen", 1, 1)),
        2,
        (),
    )
    table = {
        ("Zorbakhan", "Zurbakhan"): _evidence(glossed=True),
        ("Zorbakhan", "Zorbakhen"): _evidence(),
    }
    (ranked,) = rank_groups([group], lambda a, b: table[(a, b)])
    assert ranked.evidence == 0 and not ranked.supported


def test_the_evidence_is_shown_in_text_and_json():
    strong = Proposal(
        "Zorbakhan",
        "other",
        (Spelling("Zorbakhan", 3, 2), Spelling("Zurbakhan", 1, 1, 0.9)),
        2,
        (),
        evidence=2.5,
    )
    weak = Proposal(
        "Merikhel",
        "other",
        (Spelling("Merikhel", 3, 2), Spelling("Merikhil", 1, 1, 0.9)),
        2,
        (),
        evidence=0.0,
        supported=False,
    )
    suggestions = Suggestions((strong, weak), (), 2, 10)
    text = format_text(suggestions)
    assert "evidence +2.5]" in text
    assert "evidence +0.0, weak: only similarity speaks for it]" in text
    groups = json.loads(format_json(suggestions))["groups"]
    assert [(g["evidence"], g["supported"]) for g in groups] == [(2.5, True), (0.0, False)]


def test_discovery_ranks_by_the_corpus_evidence():
    # Merikhel / Merikhil share their neighbouring names and never a document: supported.
    # Zorbakhan / Zurbakhan stand alone: only their spelling speaks; shown after, marked.
    d = VariantDiscovery(default_table=False)
    docs = [
        "We saw Merikhel near Qalbora and Dostabad.\n",
        "We saw Merikhil near Qalbora and Dostabad.\n",
        "Then Zorbakhan came.\n",
        "Then Zurbakhan came.\n",
        "Zorbakhan again.\n",
    ]
    for i, text in enumerate(docs):
        d.add_text(text, f"d{i}")
    groups = d.result(min_count=1).groups
    assert [(p.canonical, p.supported) for p in groups] == [
        ("Merikhel", True),
        ("Zorbakhan", False),
    ]
    assert groups[0].evidence >= ranking.MIN_EVIDENCE > groups[1].evidence


def test_round_three_evidence_moves_the_score():
    score = pair_score("Zorbakhan", "Zurbakhan", _evidence(nearby=True))
    assert score == ranking.NEARBY
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(never_mid=True)) == ranking.NEVER_MID
    assert pair_score("Zorbakhan", "Zurbakhan", _evidence(cited=True)) == ranking.CITED
    # a gloss outweighs where the spellings stand: the texts say they are one
    glossed = _evidence(glossed=True, nearby=True, never_mid=True)
    assert pair_score("Zorbakhan", "Zurbakhan", glossed) == ranking.GLOSS


def _ranked(*docs: str) -> list[tuple[str, bool]]:
    d = VariantDiscovery(default_table=False)
    for i, text in enumerate(docs):
        d.add_text(text, f"d{i}")
    return [(p.canonical, bool(p.supported)) for p in d.result(min_count=1).groups]


_COMPANY = (
    "We saw Merikhel near Qalbora and Dostabad.\n",
    "We saw Merikhil near Qalbora and Dostabad.\n",
)


def test_neighbouring_lines_of_one_document_are_two_entries():
    # The same company, but a line apart in one document: two entries of a dictionary.
    assert _ranked(*_COMPANY) == [("Merikhel", True)]
    assert _ranked("".join(_COMPANY)) == [("Merikhel", False)]
    # on one line (one passage) or further apart they are not neighbouring entries
    far = _COMPANY[0] + "\n" * 5 + _COMPANY[1]
    assert _ranked(far) == [("Merikhel", True)]


def _evidence_of(*docs: str) -> float:
    d = VariantDiscovery(default_table=False)
    for i, text in enumerate(docs):
        d.add_text(text, f"d{i}")
    (group,) = d.result(min_count=1).groups
    return group.evidence or 0.0


def test_spellings_never_seen_in_mid_sentence_are_no_evidence_of_a_name():
    heads = ("Merikhel near Qalbora and Dostabad.\n", "Merikhil near Qalbora and Dostabad.\n")
    assert _evidence_of(*heads) == _evidence_of(*_COMPANY) + ranking.NEVER_MID
    # one of them only at the head of sentences is enough (a headword beside a name)
    one = (heads[0], _COMPANY[1])
    assert _evidence_of(*one) == _evidence_of(*_COMPANY) + ranking.NEVER_MID


def test_two_signatures_of_citations_are_two_authors():
    quoted = "A fine thing, we said at Qalbora and Dostabad, "
    signed = (quoted + "--Merikhel & C.\n", quoted + "--Merikhil.\n")
    unsigned = (quoted + "said Merikhel.\n", quoted + "said Merikhil.\n")
    assert _evidence_of(*signed) == _evidence_of(*unsigned) + ranking.CITED
    # one signature and one name in running text: the rule needs both
    assert _evidence_of(signed[0], unsigned[1]) == _evidence_of(*unsigned)


def test_a_gloss_with_other_meetings_records_a_doubt():
    # "Merikhel or Merikhil" where both also stand apart in the same documents: two names.
    doubt = (
        "We saw a son of Merikhel or Merikhil.\nWe saw Merikhel at Qalbora.\n\n\n\n"
        "We saw Merikhil at Dostabad.\n",
        "We saw Merikhel at Qalbora.\n\n\n\nWe saw Merikhil at Dostabad.\n",
        "We saw Vardosh.\n",
    )
    assert _ranked(*doubt) == [("Merikhel", False)]
    gloss = ("We saw Merikhel, or Merikhil, at Qalbora.\n", "We saw Merikhel at Dostabad.\n")
    assert _ranked(*gloss) == [("Merikhel", True)]


def test_discovery_exposes_its_counts_read_only():
    d = VariantDiscovery(default_table=False)
    d.add_text("We saw Merikhel, or Merikhil, at Qalbora with Dostabad.\n", "d0")
    keys = {"merikhel", "merikhil"}
    assert d.glossed("merikhil", "merikhel") == d.glossed("merikhel", "merikhil") == 1
    assert d.together("qalbora", "dostabad") == 1
    assert d.together("merikhel", "merikhil") == 0  # a gloss is no meeting
    assert d.neighbours["qalbora"]["dostabad"] == 1
    with pytest.raises(TypeError):
        d.neighbours["qalbora"] = {}  # type: ignore[index]
    assert d.name_keys == frozenset()
    d.result(min_count=1)
    assert keys <= d.name_keys


def test_letter_edits_count_a_swap_as_one():
    assert ranking.letter_edits("Kerninghan", "Kernighan") == 1
    assert ranking.letter_edits("Zerubabbel", "Zerubbabel") == 1
    assert ranking.letter_edits("Qeshua", "Qeshaiah") == 3


def test_names_a_syllable_apart_are_two_names():
    # Jeshua / Jeshaiah: vowels and an h only, but three letters apart.
    assert pair_score("Qeshua", "Qeshaiah", _evidence()) == ranking.DISTANT
    assert pair_score("Qeshua", "Qeshaiah", _evidence(glossed=True)) == ranking.GLOSS


def test_a_misprint_beside_a_common_spelling():
    misprint = _evidence(counts=(40, 1), docs=(9, 1))
    both = ranking.RARE + ranking.MISPRINT
    assert pair_score("Zorbakhan", "Zorbakhn", misprint) == both
    # it stands in a document with the common spelling: that is where misprints stand
    beside = replace(misprint, shared_docs=1, expected_docs=0.5)
    assert pair_score("Zorbakhan", "Zorbakhn", beside) == both
    # in two documents, or two letters off, or the first letter, or a diacritic: no misprint
    assert pair_score("Zorbakhan", "Zorbakhn", replace(misprint, docs=(9, 2))) == ranking.RARE
    assert pair_score("Horbakhan", "Orbakhan", misprint) == ranking.RARE
    assert pair_score("Zorbakhan", "Zorbakhén", misprint) == ranking.RARE
    assert pair_score("Zorbakhan", "Zerbakhn", misprint) == ranking.RARE


def test_discovery_proposes_a_lone_misprint():
    # Dostabad stands among names in twelve documents; Dostabd, once, alone: too rare to keep
    # company, one letter off, in a document with the right spelling.
    docs = [f"We rode from Dostabad to Qalbora{i} by night.\n" for i in range(12)]
    docs[3] += "The road to Dostabd was long.\n"
    d = VariantDiscovery(default_table=False)
    for i, text in enumerate(docs):
        d.add_text(text, f"d{i}")
    groups = d.result(min_count=1).groups
    assert [(p.canonical, p.variants, p.supported) for p in groups] == [
        ("Dostabad", ("Dostabd",), True)
    ]


def test_two_ranks_of_a_classification_are_two_names():
    assert edit_kinds("Zorbophyta", "Zorbophytina") == ["affix", "consonant"]
    assert edit_kinds("Zorbaceae", "Zorbacaeae") == ["vowel"]


def test_one_letter_for_another_is_no_misprint():
    # Rachel / Rachal, Trapa / Tripa: a changed letter makes another name as often
    misprint = _evidence(counts=(40, 1), docs=(9, 1))
    assert pair_score("Zorbakhan", "Zorbikhan", misprint) == ranking.RARE
    swapped = pair_score("Zorbakhan", "Zorbkahan", misprint)
    assert swapped == pair_score("Zorbakhan", "Zorbkahan", replace(misprint, docs=None)) + 1.5
    assert ranking.MISPRINT == 1.5


def test_the_same_letters_written_apart_or_together_are_one_name():
    # Obed Edom / Obededom: a multi-word name has no company counted; its letters say enough
    alone = _evidence(context=None)
    assert pair_score("Zorba Khan", "Zorbakhan", alone) == ranking.NO_CONTEXT + ranking.SAME_LETTERS
    assert pair_score("Zorba-Khan", "Zorba Khan", alone) >= ranking.MIN_EVIDENCE
    assert pair_score("Zorbakhan", "Zorbakhán", alone) >= ranking.MIN_EVIDENCE


def test_a_misprint_at_the_head_of_a_sentence_is_no_headword():
    # Augstine signing a quotation ("-- Augstine."): once, so never in mid-sentence, yet a
    # misprint; Lepidopter heading a dictionary's line is a headword, and stays one.
    misprint = _evidence(counts=(40, 1), docs=(9, 1), never_mid=True)
    both = ranking.RARE + ranking.MISPRINT
    assert pair_score("Zorbakhan", "Zorbakhn", misprint) == both
    headword = replace(misprint, headed=(0, 1))
    assert pair_score("Zorbakhan", "Zorbakhn", headword) == both + ranking.NEVER_MID
    # not a misprint (two documents): never in mid-sentence counts as before
    apart = replace(misprint, docs=(9, 2))
    assert pair_score("Zorbakhan", "Zorbakhn", apart) == ranking.RARE + ranking.NEVER_MID


def test_discovery_counts_spellings_at_the_start_of_a_line():
    d = VariantDiscovery(default_table=False)
    d.add_text("Zorbakhan  n. a town.\nSee the town of Zorbakhan. Zorbakhan was old.\n", "d0")
    counts = d._merged_forms()["Zorbakhan"]
    assert (counts.count, counts.mid, counts.headed) == (3, 1, 1)


def test_company_kept_only_through_a_third_spelling_is_none():
    # WordNet: [syn: {Pahlavi}, {Pahlevi}] for the Shah, [syn: {Pahlavi}, {Pehlevi}] for the
    # language; their one shared neighbour is a third spelling of both
    assert ranking._third_spelling("qarlavi", "qarlevi", "qerlevi")
    assert not ranking._third_spelling("qarlavi", "zorbakhan", "zorbakhin")
    # Balaam beside Balak and Balac: a name two letters from each is company
    assert not ranking._third_spelling("balaam", "balak", "balac")

    def similarity(shared: str) -> float | None:
        d = VariantDiscovery(default_table=False)
        for i in range(3):
            d.add_text(f"Qarlevi spoke with {shared} at noon.\n", f"a{i}")
            d.add_text(f"Qerlevi wrote to {shared} at night.\n", f"b{i}")
        d.result(min_count=1)
        return ranking.NameContext(d).similarity("qarlevi", "qerlevi")

    assert (similarity("Tovrimund") or 0.0) > 0  # another name: company they share
    assert similarity("Qarlavi") is None  # a third spelling: no company of their own
