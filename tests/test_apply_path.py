"""The shortcuts of the per-chunk apply path (issues 15 and 17) give what their references give.

Each shortcut is exact, not estimated, and each test below compares it with the reference it
replaces, on random input (hypothesis) and, where they are installed, on the KJV names and
the default table's forms:

* the weighing reads the table hits near its candidates by bisection
  (:class:`~normalise.weigh.HitWindow`) instead of a look at every hit of the chunk, and takes
  as evidence only the hits within some candidate's window;
* the settling check of a normaliser with a matcher runs the compiled table check and a
  compiled first test of ``_next_name_changes`` (``_core.tail_changes``);
* the spelling key skips the rules whose every match reads a letter the word lacks
  (:func:`~normalise.phonetic.needed_letters`), and folding skips Unicode normalisation for
  ASCII and the particle and separator expressions for a word of letters only.
"""

from __future__ import annotations

import heapq
import itertools
import re
import shutil
import unicodedata

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, core, weigh
from normalise.compile import TableHit
from normalise.events import APPLIED_RULES, Event, Rule, Substitution
from normalise.evidence import EVIDENCE_KINDS, EVIDENCE_WINDOW, weigh_evidence
from normalise.phonetic import _SEPARATORS, default_romanisation, needed_letters
from normalise.rewrite import _merged
from normalise.sentence import (
    OPENERS,
    is_whole_token,
    name_token_spans,
    name_tokens,
    sentence_tail,
    token_class,
    token_classes,
)
from normalise.table import Entry, table_from_entries
from normalise.weigh import Candidate, HitWindow
from tests.test_apply_speed import _TEXTS
from tests.test_core import settling_cases
from tests.test_properties import tables_and_texts

BUILT = core._compiled() is not None
needs_compiled = pytest.mark.skipif(not BUILT, reason="the compiled core is not built here")


# ---------------------------------------------------------------------------- the hits near


@st.composite
def sorted_hits(draw):
    """Table hits as a pass gives them: sorted by start, none overlapping, of a few kinds."""
    kinds = ["place", "person", "given-name", "term"]
    hits, pos = [], 0
    for _ in range(draw(st.integers(0, 12))):
        start = pos + draw(st.integers(0, 4))
        end = start + draw(st.integers(1, 5))
        entry = Entry(f"E{len(hits)}", (), draw(st.sampled_from(kinds)))
        hits.append(TableHit(start, end, entry))
        pos = end
    return hits


@given(sorted_hits(), st.integers(-2, 60), st.integers(-2, 60))
def test_the_hit_window_finds_what_a_look_at_every_hit_finds(hits, a, b):
    window = HitWindow(hits)
    low, high = min(a, b), max(a, b)
    assert list(window.within(low, high)) == [h for h in hits if low <= h[0] and h[1] <= high]
    assert window.covers(low, high) == any(s <= low and high <= e for s, e, _ in hits)
    assert window.ending_at(a) == next((h for h in hits if h[1] == a), None)
    assert window.starting_at(b) == next((h for h in hits if h[0] == b), None)


def test_a_pass_gives_its_hits_sorted_and_apart():
    """What :class:`HitWindow` relies on, on both cores."""
    table = table_from_entries(
        [
            Entry("Mazar-i-Sharif", ("Mazar",), "place"),
            Entry("Sharif", (), "person"),
            Entry("Kunduz", ("Qunduz",), "place"),
        ]
    )
    text = "Mazar-i-Sharif and Qunduz, Sharif of Mazar; Kunduz-Sharif Mazar " * 3
    for name in ("python", "compiled") if BUILT else ("python",):
        with core.using(name):
            hits = Normaliser(table=table, phonetic="off")._core.table_pass(text).hits
        assert len(hits) > 10
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(hits))


# ---------------------------------------------------------------------------- evidence near


@pytest.fixture(scope="module")
def weighing():
    return Normaliser()._weighing


def reference_mark_evidence(weighing, text, pending, hits, before, after):
    """``Weighing.mark_evidence`` as it was: every evidence hit of the text made a span."""
    spans = [
        (s, e, entry.kind, weighing.region_of(entry))
        for s, e, entry in hits
        if entry.kind in EVIDENCE_KINDS
    ]
    shift, whole = 0, text
    if before or after:
        before, after = before[-EVIDENCE_WINDOW:], after[:EVIDENCE_WINDOW]
        shift = len(before)
        spans = [(s + shift, e + shift, kind, region) for s, e, kind, region in spans]
        spans += weighing._context_spans(before, 0)
        spans += weighing._context_spans(after, shift + len(text))
        whole = before + text + after
    cands = [
        (c.start + shift, c.end + shift, weighing._kinds.get(c.entry), weighing.region_of(c.entry))
        for c in pending
    ]
    return weigh_evidence(whole, spans, cands, EVIDENCE_WINDOW)


_NAMES = [
    "Kabul", "Kandahar", "Paris", "Moscow", "Hamid Karzai", "Taliban", "Pashtuns", "Mohammed",
    "jirga", "Herat", "Lima", "Gaddafi",
]  # fmt: skip
_PIECES = st.sampled_from([*_NAMES, "Xyzzyq", "Qorvath", "words", "and", " " * 300, "\n", "\n\n"])


@given(
    st.lists(_PIECES, min_size=1, max_size=40),
    st.lists(_PIECES, max_size=8),
    st.lists(_PIECES, max_size=8),
    st.data(),
)
def test_evidence_from_the_hits_near_the_candidates_is_all_the_evidence(
    weighing, pieces, before, after, data
):
    """Random texts of place, person, people and term names of the default table, other
    words, blank lines and long gaps, with candidates for entries of every kind on the
    unknown names: the same held codes as from every hit of the text."""
    text = " ".join(pieces)
    before, after = " ".join(before), " ".join(after)
    entries = ["Kunduz", "Hamid Karzai", "Pashtuns", "jirga", "Mohammed", "Taliban"]
    pending = [
        Candidate(m.start(), m.end(), m.group(), "X", 0.9, "", data.draw(st.sampled_from(entries)))
        for m in re.finditer(r"Xyzzyq|Qorvath", text)
    ]
    if not pending:
        return
    hits = weighing_hits(weighing, text)
    expected = reference_mark_evidence(weighing, text, pending, hits, before, after)
    weighing.mark_evidence(text, pending, HitWindow(hits), before, after)
    assert [c.held for c in pending] == expected


def weighing_hits(weighing, text):
    entries = weighing._entries
    return [TableHit(s, e, entries[t]) for s, e, t in weighing._scanner.scan(text)]


# ---------------------------------------------------------------------------- settling


def first_test_passes(sub: Substitution) -> bool:
    """Whether ``Settling._next_name_changes`` reads past its first test (the reference)."""
    last = sub.original[-1]
    return not (
        (last == sub.replacement[-1] and last not in OPENERS)
        or sentence_tail(sub.original) == sentence_tail(sub.replacement)
    )


_ENDINGS = st.text(alphabet="ab.!?;:\"')( -\u2029\u00a0”«", min_size=1, max_size=4)


@needs_compiled
@given(st.lists(st.tuples(_ENDINGS, _ENDINGS, st.sampled_from([*sorted(APPLIED_RULES), "x"]))))
def test_the_compiled_first_test_of_the_name_check_is_the_reference(records):
    from normalise import _core
    from normalise.settle import _ENDS, _OPENERS

    subs = [Substitution(a, b, 0, len(a), 0, len(b), rule, "E", 1.0) for a, b, rule in records]
    expected = [s for s in subs if s.rule in APPLIED_RULES and first_test_passes(s)]
    assert _core.tail_changes(subs, APPLIED_RULES, _OPENERS, _ENDS) == expected


@needs_compiled
@given(st.one_of(settling_cases(), tables_and_texts()))
def test_the_settling_check_with_a_matcher_gives_the_references_positions(case):
    """A normaliser in apply mode: the compiled table check and the compiled first test of
    the name check give the positions of ``Settling.reference_unsettled``, on the result of
    a first pass and of each further one."""
    entries, text = case
    with core.using("compiled"):
        normaliser = Normaliser(table=table_from_entries(entries), phonetic="apply")
    settling = normaliser._settling
    assert settling._apply_check is not None
    for _ in range(3):
        result, taken, _ = normaliser._pass(text)
        assert settling.apply_unsettled(result, taken) == settling.reference_unsettled(
            result, taken
        )
        if result.text == text:
            break
        text = result.text


@needs_compiled
def test_a_sentence_end_written_by_a_rewrite_is_seen_by_the_check():
    """A rewrite that ends a sentence makes the next name token sentence-initial: the check
    with a matcher sends that line to a further pass, as the reference does."""
    table = table_from_entries(
        [Entry("Kabul.", ("Kabool",), "place"), Entry("Kunduz", ("Qunduz",), "place")]
    )
    with core.using("compiled"):
        normaliser = Normaliser(table=table, phonetic="apply")
    settling = normaliser._settling
    for text, expected in (("Kabool Qunduzz went", [0]), ("in Kabool; Kundoozi. Then", [])):
        result, taken, _ = normaliser._pass(text)
        assert settling.apply_unsettled(result, taken) == expected
        assert settling.reference_unsettled(result, taken) == expected


# ---------------------------------------------------------------------------- spelling keys


def reference_fold(romanisation, text):
    text = text.lower().translate(romanisation._table)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def reference_words(romanisation, form):
    folded = romanisation._particle.sub("", reference_fold(romanisation, form).strip())
    izafe, replace = romanisation._izafe, romanisation._izafe_replace
    joined = _SEPARATORS.sub("", izafe.sub(replace, folded))
    words = [w for w in _SEPARATORS.split(izafe.sub(" ", folded)) if w]
    return joined, words


#: The letters the rules are about, over-represented among arbitrary characters.
_KEY_LETTERS = st.sampled_from([*"abcdeghijkloqstuvwxyz", "kh", "dzh", "sch", "-", " ", "'"])
_FORMS = st.one_of(
    st.text(max_size=12),
    st.lists(st.one_of(_KEY_LETTERS, st.text(max_size=2)), max_size=14).map("".join),
)


@given(_FORMS)
def test_the_spelling_key_skips_only_rules_that_cannot_fire(form):
    romanisation = default_romanisation()
    assert romanisation.fold(form) == reference_fold(romanisation, form)
    assert romanisation.words(form) == reference_words(romanisation, form)
    word = reference_words(romanisation, form)[0]
    assert romanisation.key(word) == romanisation.reference_key(word)
    assert romanisation.key(form) == romanisation.reference_key(form)


@given(_FORMS)
def test_a_rule_does_not_match_a_word_without_the_letters_it_needs(word):
    for rule in default_romanisation().rules:
        needed = needed_letters(rule.pattern)
        if needed is not None and needed.isdisjoint(word):
            assert rule.pattern.search(word) is None, rule.name


def test_needed_letters_read_the_expression():
    assert needed_letters(re.compile("dsch")) == frozenset("c")  # the rarest of the four
    assert needed_letters(re.compile("kh|x")) == frozenset("kx")
    assert needed_letters(re.compile("(?<=[sc])z")) == frozenset("z")
    assert needed_letters(re.compile("(?<=s)j?")) == frozenset("s")  # a lookbehind reads too
    assert needed_letters(re.compile("(?:eh|ah|e)$")) == frozenset("eh")
    assert needed_letters(re.compile(r"([^\W\d_])\1+")) is None  # any letter
    assert needed_letters(re.compile("(?i)q")) is None  # a flag: not told
    assert needed_letters(re.compile("(?!q)a?")) is None  # a negative lookahead reads no q


def test_a_word_of_letters_only_holds_no_separator():
    """The fast path of ``Romanisation.words``: no letter is a space, hyphen or dash to the
    separator and particle expressions (every code point)."""
    separators = re.compile(r"[\s\-‐‑–]")
    assert not [c for c in map(chr, range(0x110000)) if c.isalpha() and separators.match(c)]


def _known_forms():
    normaliser = Normaliser(phonetic="off")
    forms = {f for e in normaliser.table.entries for f in e.forms}
    if shutil.which("bible"):
        import subprocess

        text = subprocess.run(
            ["bible", "-f", "gen1:1-rev22:21"], capture_output=True, text=True, check=True
        ).stdout
        forms |= set(re.findall(r"[A-Z][a-z]{3,}", text))
    return sorted(forms)


def test_the_spelling_keys_of_the_table_forms_and_the_kjv_names_are_the_references():
    """Every form of the default table (and every KJV name, where ``bible`` is installed):
    the same folding, words and key as the references."""
    romanisation = default_romanisation()
    forms = _known_forms()
    assert len(forms) > 1000
    for form in forms:
        joined, words = romanisation.words(form)
        assert (joined, words) == reference_words(romanisation, form), form
        for word in (joined, *words):
            assert romanisation.key(word) == romanisation.reference_key(word), word


def test_a_rule_fires_on_the_forms_it_is_about():
    """The skips leave the rules working: each changes some form of the table or KJV."""
    romanisation = default_romanisation()
    fired = {
        name
        for form in _known_forms()[:20000]
        for name in romanisation.fired(romanisation.words(form)[0])
    }
    assert len(fired) >= 20


# ---------------------------------------------------------------------------- token spans


#: Texts of name-like words (a capital, then letters) and what stands between and inside
#: them: the alternation's lookarounds decide at each of these.
_NAMEY = st.lists(
    st.one_of(
        st.from_regex(r"[AKQÉ][abké]{2,7}", fullmatch=True),
        st.sampled_from([" ", "-", "'", "s", "’", "\u0301", "_", "9", "é", ".", "\n", "Ж"]),
    ),
    max_size=16,
).map("".join)


@needs_compiled
@given(st.one_of(_TEXTS, _NAMEY), st.data())
def test_the_compiled_alternation_finds_what_the_expression_finds(text, data):
    """``_core.wanted_spans`` against the alternation ``Weighing._token_spans`` searches with
    for a few tokens (some present, some a part of a longer token, one absent), longest
    first, on random Unicode text."""
    from normalise import _core

    present = sorted(name_tokens(text, []))
    parts = [t[:k] for t in present for k in range(4, len(t))]
    pool = [*present, *parts, "Qzzzq"]
    wanted = data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=6))
    longest_first = sorted(wanted, key=len, reverse=True)
    alternatives = "|".join(map(regex.escape, longest_first))
    pattern = rf"(?<![\w\p{{M}}])(?:{alternatives})(?![\w\p{{M}}])"
    expected = [m.span() for m in regex.finditer(pattern, text)] if wanted else []
    found = _core.wanted_spans(text, longest_first, token_classes(), token_class)
    assert found == expected


@given(st.one_of(_TEXTS, _NAMEY), st.data())
def test_the_few_tokens_alternation_finds_whole_tokens_only(text, data):
    """The alternation of a few wanted tokens, kept to whole tokens (``is_whole_token``),
    finds the spans the token reading finds for many: a wanted token inside a longer one
    that an apostrophe joins (Talaqan in D'Talaqan) is no span of either, so a chunk's
    tokens are decided alike whatever else the chunk holds."""
    present = sorted(name_tokens(text, []))
    parts = [t[k:] for t in present for k in range(1, len(t) - 3) if t[k].isupper()]
    parts += [t[:k] for t in present for k in range(4, len(t))]
    wanted = data.draw(st.lists(st.sampled_from([*present, *parts, "Qzzzq"]), max_size=6))
    longest_first = sorted(set(wanted), key=len, reverse=True)
    alternatives = "|".join(map(regex.escape, longest_first))
    pattern = rf"(?<![\w\p{{M}}])(?:{alternatives})(?![\w\p{{M}}])"
    found = [m.span() for m in regex.finditer(pattern, text)] if wanted else []
    kept = [span for span in found if is_whole_token(text, *span)]
    assert kept == name_token_spans(text, set(wanted))


@pytest.mark.parametrize("few", [True, False])
def test_a_name_inside_a_longer_token_is_not_rewritten(monkeypatch, few):
    """Talaqan is rewritten beside a table name, the same letters inside D'Talaqan (one token
    of the matcher's reading) are not, with few wanted tokens in the chunk or many."""
    if not few:
        monkeypatch.setattr(weigh, "_FEW_TOKENS", 0)
    text = "Fighting near Kunduz spread to Talaqan; the D'Talaqan clan fled.\n"
    out = Normaliser(phonetic="apply").normalise(text).text
    assert out == "Fighting near Kunduz spread to Taloqan; the D'Talaqan clan fled.\n"


@given(
    st.lists(st.integers(0, 30), max_size=40).map(sorted),
    st.lists(st.integers(0, 30), max_size=6).map(sorted),
)
def test_phonetic_events_are_merged_as_heapq_merges_them(table_starts, phonetic_starts):
    """``rewrite._merged`` gives the order of ``heapq.merge`` by start: table events first
    at a tie, each list's own order kept."""
    table = [
        Event(s, s + 1, f"t{i}", Rule.TABLE, 1.0, None, "e") for i, s in enumerate(table_starts)
    ]
    phonetic = [
        Event(s, s + 1, f"p{i}", Rule.PHONETIC, 0.9, None, "e")
        for i, s in enumerate(phonetic_starts)
    ]
    expected = list(heapq.merge(table, phonetic, key=lambda e: e.start))
    assert _merged(table, phonetic) == expected


@given(
    st.text(alphabet="Jon a\u0301-'\n", max_size=40),
    st.sampled_from(["Jo", "Jon", "on", "a\u0301"]),
    st.integers(0, 45),
    st.integers(0, 45),
)
def test_a_given_name_not_found_as_text_is_not_found_by_its_expression(text, word, a, b):
    """``person_named_near`` searches for the given name only where ``str.find`` finds it."""
    low, high = min(a, b), max(a, b)
    if text.find(word, low, high) < 0:
        assert weigh._given_name(word).search(text, low, high) is None
