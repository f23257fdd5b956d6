"""The spaCy tokenizer (issue 18): normalised Docs whose records travel with them and map
every token, span and entity back to the original text."""

from __future__ import annotations

import subprocess
import sys

import pytest
import spacy  # in the test extra: CI runs these tests, none skipped
from spacy.tokens import Doc, DocBin

import normalise.spacy as nspacy
from normalise import Normaliser, Result

CONFIG = {"nlp": {"tokenizer": {"@tokenizers": nspacy.TOKENIZER_NAME}}}
TEXTS = [
    "Taleban fighters reached Taliqan before dawn, and the U.S. envoy flew to Qunduz.",
    "Elders of Mazar-e-Sharif spoke to the Taleban-led council about Shebarghan.",
    "Nothing here needs to change at all.",
    "",
    "TALEBAN units left Kondooz; Paris said little.\r\nA second line: Maymana.",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en", config=CONFIG)


def _check(doc: Doc, original: str) -> None:
    assert doc._.original_text == original
    result = doc._.normalisation
    assert isinstance(result, Result) and result.text == doc.text
    changed = {(s.out_start, s.out_end) for s in result.substitutions if s.applied}
    for token in doc:
        start, end = token._.original_span
        if (token.idx, token.idx + len(token)) not in changed and not any(
            a < token.idx + len(token) and token.idx < b for a, b in changed
        ):
            assert original[start:end] == token.text  # untouched tokens map exactly
    for ent in doc.ents:
        start, end = ent._.original_span
        assert ent._.original_text == original[start:end]


def test_tokens_and_entities_map_back_exactly(nlp):
    doc = nlp(TEXTS[0])
    assert doc.text == (
        "Taliban fighters reached Taloqan before dawn, and the U.S. envoy flew to Kunduz."
    )
    doc.ents = [
        doc.char_span(doc.text.index(word), doc.text.index(word) + len(word), label)
        for word, label in (("Taliban", "NORP"), ("Taloqan", "GPE"), ("Kunduz", "GPE"))
    ]
    assert [(e.text, e._.original_text) for e in doc.ents] == [
        ("Taliban", "Taleban"),
        ("Taloqan", "Taliqan"),
        ("Kunduz", "Qunduz"),
    ]
    assert [e._.original_span for e in doc.ents] == [(0, 7), (25, 32), (73, 79)]
    for text, doc in zip(TEXTS, nlp.pipe(TEXTS), strict=False):
        _check(doc, text)


def test_a_token_inside_a_changed_span_maps_to_the_whole_original(nlp):
    doc = nlp("They met the Taleban-led group.")
    token = next(t for t in doc if t.text == "Taliban")
    assert doc[token.i : token.i + 3].text == "Taliban-led"
    assert doc[token.i : token.i + 3]._.original_text == "Taleban-led"


def test_records_survive_to_bytes_and_docbin(nlp):
    docs = list(nlp.pipe(TEXTS))
    for text, doc in zip(TEXTS, docs, strict=False):
        again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
        _check(again, text)
    store = DocBin(store_user_data=True)
    for doc in docs:
        store.add(doc)
    loaded = list(DocBin().from_bytes(store.to_bytes()).get_docs(nlp.vocab))
    for text, doc in zip(TEXTS, loaded, strict=False):
        _check(doc, text)


def test_records_survive_two_processes(nlp):
    docs = list(nlp.pipe(TEXTS * 3, n_process=2, batch_size=2))
    assert [d.text for d in docs] == [d.text for d in nlp.pipe(TEXTS * 3)]
    for text, doc in zip(TEXTS * 3, docs, strict=False):
        _check(doc, text)


def test_the_entry_point_needs_no_import_and_the_config_is_saved(tmp_path):
    code = (
        "import spacy, sys; "
        f"nlp = spacy.blank('en', config={CONFIG!r}); "
        "print('normalise.spacy' in sys.modules, nlp('Qunduz').text); "
        f"nlp.to_disk({str(tmp_path)!r}); print(spacy.load({str(tmp_path)!r})('Taliqan').text)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "Kunduz", "Taloqan"]  # loaded by spaCy through the entry point


def test_config_options_reach_the_normaliser():
    nlp = spacy.blank(
        "en",
        config={
            "nlp": {
                "tokenizer": {
                    "@tokenizers": nspacy.TOKENIZER_NAME,
                    "default_table": True,
                    "phonetic": "off",
                }
            }
        },
    )
    assert nlp("Qunduz and Kondooz").text == "Kunduz and Kondooz"  # no phonetic matcher
    assert spacy.blank("en", config=CONFIG)("Kondooz near Kabul").text == "Kunduz near Kabul"


def test_use_wraps_an_existing_pipeline():
    nlp = nspacy.use(spacy.blank("en"), Normaliser(phonetic="off"))
    doc = nlp("Qunduz")
    assert doc.text == "Kunduz" and doc._.original_text == "Qunduz"
    plain = spacy.blank("en")("Qunduz")  # a Doc from another tokenizer: no records
    assert plain._.original_text == "Qunduz" and plain[0]._.original_span == (0, 6)
