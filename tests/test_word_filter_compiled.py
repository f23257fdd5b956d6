"""The compiled scan's first words' filter (issue 17): a word start is walked only where its
whole first word is some pattern's first word. It must drop no hit: the scan with the filter
and without it (and with the first words' jumps and without them: see
test_first_word_jumps_compiled.py), and the pure-Python core, give the same hits and records."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.scan import fold_form, match_key
from normalise.table import table_from_entries
from tests.test_core import compares_cores, drawn_keys, scanners
from tests.test_properties import tables_and_texts, words

BUILT = core._compiled() is not None
pytestmark = compares_cores

if BUILT:
    from normalise import _core


#: The compiled scan's modes: the first words' filter and the first words' jumps, each on and
#: off. None may change a hit.
MODES = [(words, jumps) for words in (True, False) for jumps in (True, False)]


def in_mode(call, *args, word_filter=True, jumps=True):
    """``call(*args)`` with the filter and the jumps as asked (every walk from the root
    without the jumps, every word start walked without the filter)."""
    previous_filter = _core.set_word_filter(word_filter)
    previous_jumps = _core.set_first_word_jumps(jumps)
    try:
        return call(*args)
    finally:
        _core.set_word_filter(previous_filter)
        _core.set_first_word_jumps(previous_jumps)


def in_every_mode(call, *args):
    return [in_mode(call, *args, word_filter=w, jumps=j) for w, j in MODES]


def assert_same_hits(compiled, python, text):
    """Both scans (leftmost-longest and overlapping) give the Python core's hits in every
    mode of the compiled one."""
    for scan in ("scan", "scan_overlapping"):
        expected = getattr(python, scan)(text)
        assert in_every_mode(getattr(compiled, scan), text) == [expected] * len(MODES)


#: Forms whose first words share their first six letters or more, with one another and with
#: the words of the texts below; multi-word forms; a form that begins with a space.
STEMS = ["washing", "washington", "wash", "washingtonville", "abcdefgh", "abcdefg", "abcdef"]
JOINS = ["", " ", " city", " new york", "ton", "s", "\u0301", "e\u0301s"]


@st.composite
def stems_and_text(draw, stems, joins, noise, leads=("",)):
    """Forms made of ``stems`` (after one of ``leads``, before one of ``joins``), and a
    text of those forms, of the stems joined otherwise and of ``noise``, each piece
    recased."""
    forms = draw(
        st.lists(
            st.tuples(st.sampled_from(leads), st.sampled_from(stems), st.sampled_from(joins)).map(
                "".join
            ),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    forms = [f for f in forms if fold_form(f).strip()] or [stems[0]]
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(forms),
                st.tuples(st.sampled_from(stems), st.sampled_from(joins)).map("".join),
                st.sampled_from(noise),
            ),
            max_size=16,
        )
    )
    text = " ".join(draw(st.sampled_from([p, p.upper(), p.title()])) for p in pieces)
    return forms, text


def shared_prefixes():
    """Forms made of stems that share six letters and more, and a text of those stems
    joined otherwise (longer, shorter, with combining marks, multi-word), recased."""
    noise = [" ", "  ", "-", ", ", "\u0301", "Washingtonian", "WASHINGT"]
    return stems_and_text(STEMS, JOINS, noise)


@given(shared_prefixes(), st.data())
def test_forms_sharing_six_letters_give_the_same_hits(case, data):
    forms, text = case
    keys, exact = drawn_keys(forms, data)
    compiled, python = scanners(keys, exact, [fold_form(f) for f in forms])
    assert_same_hits(compiled, python, text)


@given(
    st.lists(st.one_of(words(), st.text(min_size=1, max_size=12)), min_size=1, max_size=8),
    st.text(max_size=40),
    st.data(),
)
def test_random_forms_and_unicode_give_the_same_hits(forms, noise, data):
    """Forms of the table's words and of any Unicode text, in texts of both."""
    forms = [f for f in forms if fold_form(f).strip()] or ["x"]
    keys = {match_key(form): target for target, form in enumerate(forms)}
    pieces = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from(forms),
                st.sampled_from(forms).map(lambda f: f + f[-3:]),  # longer, same start
                st.sampled_from(forms).map(lambda f: f[:-1]),  # shorter
                st.just(noise),
                st.sampled_from([" ", "  ", "\u0301", ". ", "\n"]),
            ),
            max_size=12,
        )
    )
    compiled, python = scanners(keys, {}, [fold_form(f) for f in forms])
    assert_same_hits(compiled, python, " ".join(pieces))


@given(tables_and_texts())
def test_the_table_pass_gives_the_same_text_and_records(case):
    entries, text = case
    table = table_from_entries(entries)
    with core.using("compiled"):
        compiled = Normaliser(table=table, phonetic="off")
    with core.using("python"):
        python = Normaliser(table=table, phonetic="off")

    def records(normaliser):
        result = normaliser.normalise(text)
        return result.text, [tuple(s) for s in result.substitutions]

    assert in_every_mode(records, compiled) == [records(python)] * len(MODES)


@given(st.binary(max_size=40), st.binary(max_size=3), st.binary(max_size=12))
def test_a_word_hashes_the_same_however_it_is_read(word, before, after):
    """The scan reads a word 8 bytes at a time where the haystack holds them past its end,
    the build reads a pattern's first word at its end byte by byte: the same hash."""
    alone = _core.first_word_hash(word, 0, len(word))
    assert _core.first_word_hash(before + word + after, len(before), len(word)) == alone
    assert _core.first_word_hash(word + b" " * 16, 0, len(word)) == alone


def test_the_filter_passes_every_first_word_and_few_others():
    forms = [f"form{i:05d}ing place" if i % 2 else f"form{i:05d}ing" for i in range(2000)]
    keys = {match_key(f): i for i, f in enumerate(forms)}
    compiled, _ = scanners(keys, {}, [fold_form(f) for f in forms])
    trie = compiled._trie
    assert all(trie.has_first_word(f.split(" ")[0].encode()) for f in forms)
    # the same first six letters and more, not a first word: a six-byte filter passed them all
    others = [f"form{i:05d}inx".encode() for i in range(2000)]
    passed = sum(trie.has_first_word(w) for w in others)
    assert passed < len(others) // 20, passed
    # and the pairs: a first word is walked only alone or before a word its forms go on with
    assert trie.passes(b"form00001ing place") and trie.passes(b"form00001ing place city")
    assert trie.passes(b"form00000ing") and trie.passes(b"form00000ing other")
    pairs = [f"form{i:05d}ing other".encode() for i in range(1, 2000, 2)]
    passed = sum(trie.passes(p) for p in pairs)
    assert passed < len(pairs) // 20, passed
    assert not trie.passes(b"form00001ing")  # no form is that word alone
    text = " ".join(w.decode() for w in others[:200]) + " Form00001ing place"
    assert compiled.scan(text) == in_mode(compiled.scan, text, word_filter=False) != []
