"""The compiled core (normalise._core) against the pure-Python reference, and how a core is
chosen: NORMALISE_CORE, the warning when the compiled core is not built, --version."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.compile import Left, PythonCore
from normalise.errors import TableError
from normalise.events import Event, Rule, apply_events
from normalise.scan import Scanner, fold_form, fold_haystack, match_key
from normalise.table import Entry, table_from_entries
from tests.test_properties import entry_lists, recased, spellings, tables_and_texts, words

BUILT = core._compiled() is not None
needs_compiled = pytest.mark.skipif(not BUILT, reason="the compiled core is not built here")
#: The marks of a test file whose every test compares the compiled core with the reference,
#: each forced (``core.using``): skipped where the compiled core is not built, and not run
#: again under NORMALISE_CORE=python (tests/conftest.py).
compares_cores = [needs_compiled, pytest.mark.compares_cores]


def both(entries):
    """The same table built on each core."""
    table = table_from_entries(entries)
    with core.using("compiled"):
        compiled = Normaliser(table=table, phonetic="off")
    with core.using("python"):
        python = Normaliser(table=table, phonetic="off")
    assert compiled.compiled.scanner._trie is not None and python.compiled.scanner._trie is None
    return compiled, python


def scanners(keys, exact, patterns):
    """The same scanner built on each core."""
    with core.using("compiled"):
        compiled = Scanner(keys, exact, patterns)
    with core.using("python"):
        python = Scanner(keys, exact, patterns)
    assert compiled._trie is not None and python._trie is None
    return compiled, python


def drawn_keys(forms, data):
    """The match keys of ``forms`` to their index, each drawn case-sensitive or not."""
    keys, exact = {}, {}
    for target, form in enumerate(forms):
        if data.draw(st.booleans()):
            exact[match_key(form, True)] = target
        else:
            keys[match_key(form)] = target
    return keys, exact


def records(result):
    return result.text, [tuple(s) for s in result.substitutions]


@needs_compiled
@given(tables_and_texts())
def test_both_cores_give_the_same_text_and_records(case):
    entries, text = case
    compiled, python = both(entries)
    assert compiled.compiled.scanner.scan(text) == python.compiled.scanner.scan(text)
    assert compiled.compiled.scanner.scan_overlapping(
        text
    ) == python.compiled.scanner.scan_overlapping(text)
    assert records(compiled.normalise(text)) == records(python.normalise(text))


@needs_compiled
@given(st.lists(words(), min_size=1, max_size=8), st.text(max_size=60), st.data())
def test_both_scanners_agree_on_random_forms_and_unicode(forms, noise, data):
    """Scanners straight from forms (case-sensitive ones too), over text that mixes them,
    recased, with arbitrary Unicode."""
    keys, exact = drawn_keys(forms, data)
    patterns = [fold_form(f) for f in forms]
    pieces = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from(forms).map(str.upper),
                st.sampled_from(forms),
                st.just(noise),
                st.sampled_from([" ", "-", "\u0301", ". "]),
            )
        )
    )
    text = " ".join(pieces)
    compiled, python = scanners(keys, exact, patterns)
    assert compiled.scan(text) == python.scan(text)
    assert compiled.scan_overlapping(text) == python.scan_overlapping(text)
    assert compiled._trie.fold(text) == fold_haystack(text)


@needs_compiled
@given(
    st.text(alphabet=st.characters(max_codepoint=127), max_size=80),
    st.text(alphabet="é\u0301Ωж우\uff41\U0001f600", max_size=3),
    st.integers(0, 80),
)
def test_the_compiled_fold_of_ascii_runs_is_the_reference(ascii, other, at):
    """The compiled fold reads runs of 16 ASCII characters at once (SSE2), in texts of one,
    two and four bytes a character: every ASCII character, at every position of a run,
    before and after a character that is not ASCII, folds as the reference folds it."""
    with core.using("compiled"):
        trie = Scanner({"kabul": 0}, {}, ["kabul"])._trie
    everything = "".join(map(chr, range(128)))
    texts = (ascii, everything * 3, ascii[:at] + other + ascii[at:], other + everything)
    # one character beyond ASCII in a run of 16 of each width, below and above 0x7FFF
    wide = [everything + char + everything for char in "éжΩ우\uff41\U0001f600"]
    for text in (*texts, *wide):
        for start in range(min(len(text), 17)):
            assert trie.fold(text[start:]) == fold_haystack(text[start:])


@needs_compiled
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x2FF0, max_codepoint=0xFFFF, exclude_categories=["Cs"]),
            st.sampled_from("a \u0301\u3000\u3099\uff9e\U00020000\U0001f600"),
        ),
        max_size=60,
    )
)
def test_the_compiled_fold_above_u3000_is_the_reference(text):
    """Characters of the BMP above U+3000 (CJK, kana, Hangul, fullwidth forms, marks among
    them) are folded from a table made at need: on a trie's first text and on its next ones
    (from the table), and beyond the BMP (by the reference each time), as the reference folds
    them."""
    with core.using("compiled"):
        trie = Scanner({"kabul": 0}, {}, ["kabul"])._trie
    assert trie.fold(text) == fold_haystack(text)
    assert trie.fold(text[::-1]) == fold_haystack(text[::-1])
    assert trie.fold(text) == fold_haystack(text)


#: What the per-hit decisions of a table pass read around a hit: mention cues (spelt,
#: "(or", "A or X"), name words beside a given name, points at line ends, non-ASCII windows.
CUES = [
    " or ",
    ", or ",
    " (or ",
    "also spelt ",
    "ALSO SPELLED ",
    'known as "',
    "a.k.a. ",
    "written ",
    "\u212anown as ",  # the Kelvin sign lower-cases to k: the reference's test decides
    "Said ",
    " Mr ",
    ". ",
    ".\n",
    ".",
    "…",
    "Émile ",
    "Xo'",  # a hit after an apostrophe inside a word: inside_words
    "Farg’",
    "l'",
]


@st.composite
def passes(draw):
    """A table (keep list, given names alone or not), and a text of its forms recased, around
    the cues the per-hit decisions read."""
    entries = draw(entry_lists())
    table_forms = [s for e in entries for _, s in spellings(e)]
    own = [[s for _, s in spellings(e)] for e in entries]
    or_pair = st.sampled_from(own).flatmap(
        lambda forms: st.tuples(st.sampled_from(forms), st.sampled_from(forms))
    )
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(table_forms).flatmap(recased),
                or_pair.map(lambda pair: f"{pair[0]} or {pair[1]}"),
                st.sampled_from(CUES),
                words(),
                st.text(max_size=3),
            ),
            max_size=24,
        )
    )
    text = "".join(p + draw(st.sampled_from(["", " ", " ", "\n"])) for p in pieces)
    keep = draw(st.lists(st.sampled_from(table_forms), max_size=2))
    given_names = draw(st.sampled_from(["alone", "always"]))
    return entries, text, keep, given_names


@needs_compiled
@given(passes())
def test_both_table_passes_give_the_same_events_spans_hits_and_trace(case):
    """The compiled table pass (TablePassRunner) against the reference's, on one compiled
    table: events, spans taken, hits and the trace of hits left alone, byte for byte; then
    the records of both cores' apply."""
    entries, text, keep, given_names = case
    table = table_from_entries(entries)
    with core.using("compiled"):
        normaliser = Normaliser(table=table, phonetic="off", keep=keep, given_names=given_names)
    compiled_core = normaliser._core
    assert compiled_core._runner is not None
    reference = PythonCore(normaliser.compiled)
    trace_c: list[Left] = []
    trace_p: list[Left] = []
    found_c = compiled_core.table_pass(text, trace_c)
    found_p = reference.table_pass(text, trace_p)
    assert found_c == found_p
    assert [type(e) for e in found_c.events] == [type(e) for e in found_p.events]
    assert trace_c == trace_p
    assert compiled_core.table_pass(text) == found_p  # untraced: canonical forms skip the tests
    assert compiled_core.inside_words(text, found_c.hits) == reference.inside_words(
        text, found_p.hits
    )
    assert records(compiled_core.apply(text, found_c.events)) == records(
        reference.apply(text, found_p.events)
    )


@needs_compiled
def test_both_table_passes_hold_the_same_given_names():
    """The given names held as parts of full names (``TablePass.held``), ASCII and other
    canonical forms, spelled as the canonical form (not held: nothing to rewrite) or not."""
    entries = [
        Entry("Wtjdz", ("Zshk",), "given-name"),
        Entry("Élodie", ("Elodie",), "given-name"),
        Entry("ZCQEH", ("Xhltthkai Xhltthkai",), "place", "flexible"),
    ]
    text = (
        "Zshk Mirza, Wtjdz Mirza, ZSHK MIRZA, Élodie Roux, Elodie Roux, zshk alone, Zshk Xhltthkai"
    )
    with core.using("compiled"):
        normaliser = Normaliser(table=table_from_entries(entries), phonetic="off")
    found_c = normaliser._core.table_pass(text)
    found_p = PythonCore(normaliser.compiled).table_pass(text)
    assert [text[s:e] for s, e in found_p.held] == ["Zshk", "ZSHK", "Elodie", "Zshk"]
    assert found_c.held == found_p.held


@needs_compiled
@given(
    st.text(max_size=40),
    st.lists(
        st.tuples(
            st.integers(0, 40),
            st.integers(0, 6),
            st.text(max_size=5),
            st.sampled_from([Rule.TABLE, Rule.PHONETIC, Rule.PHONETIC_SUGGEST]),
            st.floats(0, 1),
            st.one_of(st.none(), st.text(max_size=3)),
            st.text(max_size=5),
            st.one_of(st.none(), st.just("no-evidence")),
        ),
        max_size=6,
    ),
)
def test_both_cores_apply_events_alike(
    text,
    raw,
):
    """apply: the same output text and records (scores rounded as the reference rounds)."""
    events, pos = [], 0
    for start, length, *rest in sorted(raw, key=lambda r: r[:2]):
        start = max(start, pos)
        end = min(start + length, len(text))
        if start > len(text):
            break
        events.append(Event(start, end, *rest))
        pos = end
    with core.using("compiled"):
        compiled = Normaliser(table=table_from_entries([]), phonetic="off")
    reference = PythonCore(compiled.compiled)
    assert records(compiled._core.apply(text, events)) == records(reference.apply(text, events))


@needs_compiled
def test_multi_word_forms_choose_the_longest_leftmost_hit():
    keys = {match_key(f): i for i, f in enumerate(["Sar i Pul", "Pul", "Sar", "i Pul Khumri"])}
    patterns = [fold_form(f) for f in ["Sar i Pul", "Pul", "Sar", "i Pul Khumri"]]
    text = "Sar-i-Pul and Sar i Pul Khumri, SAR I PUL, pul."
    with core.using("compiled"):
        compiled = Scanner(keys, {}, patterns)
    with core.using("python"):
        python = Scanner(keys, {}, patterns)
    assert compiled.scan(text) == python.scan(text)
    assert [text[s:e] for s, e, _ in compiled.scan(text)] == [
        "Sar",
        "Pul",
        "Sar i Pul",
        "SAR I PUL",
        "pul",
    ]


@needs_compiled
def test_a_pickled_scanner_takes_the_core_that_runs_where_it_is_loaded():
    scanner_state = pickle.dumps(Scanner({"kabul": 0}, {}, ["kabul"]))
    with core.using("python"):
        assert pickle.loads(scanner_state)._trie is None
    with core.using("compiled"):
        loaded = pickle.loads(scanner_state)
        assert loaded._trie is not None
        assert loaded.scan("in Kabul.") == [(3, 8, 0)]


def run_version(env_value, *prelude):
    """``normalise --version`` in a fresh interpreter with NORMALISE_CORE=env_value
    (None: unset); ``prelude`` runs before normalise is imported."""
    env = {k: v for k, v in os.environ.items() if k != core.ENV}
    if env_value is not None:
        env[core.ENV] = env_value
    code = "; ".join(
        [*prelude, "import sys", "from normalise.cli import main", "sys.exit(main(['--version']))"]
    )
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


NOT_BUILT = "import sys; sys.modules['normalise._core'] = None"  # import fails as if not built


@needs_compiled
@pytest.mark.parametrize("value", ["python", "compiled", None])
def test_version_says_which_core_runs(value):
    proc = run_version(value)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(f"({value or 'compiled'} core)")
    assert "RuntimeWarning" not in proc.stderr


def test_without_the_compiled_core_python_runs_with_one_warning():
    proc = run_version(None, NOT_BUILT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("(python core)")
    assert proc.stderr.count("the compiled core is not built") == 1


def test_forcing_a_missing_compiled_core_is_a_one_line_error():
    proc = run_version("compiled", NOT_BUILT)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    # the one-line error, then the hint line every error with a remedy carries
    assert len(lines) == 2, lines
    assert lines[0].startswith("normalise: NORMALISE_CORE=compiled, but the compiled core")
    assert lines[1].startswith("normalise: hint: ")


def test_an_unknown_core_is_a_one_line_error():
    proc = run_version("fortran")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "normalise: NORMALISE_CORE='fortran': not a core; use one of compiled, python (or auto)"
    )


def test_forcing_python_needs_no_compiled_core():
    proc = run_version("python", NOT_BUILT)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("(python core)")
    assert proc.stderr == ""


@needs_compiled
@given(
    st.text(alphabet="aeiouybcdfghjklmnpqrstvwxzkh'é", max_size=12),
    st.text(alphabet="aeiouybcdfghjklmnpqrstvwxzkh'é", max_size=12),
)
def test_both_cores_give_the_same_phonetic_edit_distance(a, b):
    """The compiled Costs.distance gives the reference's float, bit for bit (the same
    additions and minima in the same order)."""
    from normalise.phonetic import default_romanisation

    costs = default_romanisation().costs
    with core.using("python"):
        reference = costs.distance(a, b)
    with core.using("compiled"):
        compiled = costs.distance(a, b)
    assert compiled.hex() == reference.hex()


#: What the settling check reads around a rewrite: the words before and after it in its
#: line, line breaks, combining marks (which folding drops), non-Latin letters.
NEIGHBOURS = ["\n", "\u2028", "\u0301", " ", "-", "'", "Émile ", "Ǆ ", "ω ", ". ", "(", "x" * 70]


@st.composite
def settling_cases(draw):
    """A table and a text of its forms (recased), joined by the neighbours the settling
    check reads."""
    entries = draw(entry_lists())
    for _ in range(draw(st.integers(0, 2))):  # a form holding another's canonical form
        inner = draw(st.sampled_from(entries)).canonical
        word = draw(words("latin"))
        holder = draw(st.sampled_from([f"{word} {inner}", f"{inner} {word}", f"{word}-{inner}"]))
        candidate = [*entries, Entry(draw(words("latin")), (holder,), "place")]
        try:
            table_from_entries(candidate)
        except TableError:
            continue
        entries = candidate
    table_forms = [s for e in entries for _, s in spellings(e)]
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(table_forms).flatmap(recased),
                st.sampled_from(NEIGHBOURS),
                words(),
                st.text(max_size=3),
            ),
            max_size=30,
        )
    )
    return entries, "".join(p + draw(st.sampled_from(["", " ", " ", "\n"])) for p in pieces)


@needs_compiled
@given(st.one_of(settling_cases(), tables_and_texts()))
def test_both_settling_checks_give_the_same_positions(case):
    """The compiled settling check (SettleCheck) against the reference's
    ``Settling.reference_unsettled``, on the result of a first pass and of each further
    one."""
    entries, text = case
    with core.using("compiled"):
        normaliser = Normaliser(table=table_from_entries(entries), phonetic="off")
    settling = normaliser._settling
    assert settling._compiled_check is not None
    check = settling._compiled_check
    for _ in range(3):
        result, taken, _ = normaliser._pass(text)
        near = check.near(result, taken)
        assert near == reference_near(settling, result, taken)
        assert check.windows(result.text, near) == settling._windows(result.text, near)
        assert settling.unsettled(result, taken) == settling.reference_unsettled(result, taken)
        if result.text == text:
            break
        text = result.text


def reference_near(settling, result, taken):
    """The records the reference's check looks at closer (its first loop, no matcher)."""
    chaining = settling.chaining
    return [
        sub
        for sub in result.substitutions
        if sub.applied
        and (
            sub.entry in chaining.crossing
            or sub.entry in chaining.uncovered
            or (sub.entry in chaining.contained and not settling._covered(taken, sub))
        )
        and settling._neighbours_fit(result.text, sub)
    ]


def test_a_python_core_or_a_matcher_keeps_the_reference_settling_check():
    table = table_from_entries([])
    with core.using("python"):
        assert Normaliser(table=table, phonetic="off")._settling._compiled_check is None
    assert Normaliser(table=table, phonetic="apply")._settling._compiled_check is None


#: Characters of each width a str may hold: ASCII, Latin-1, two bytes, four bytes.
WIDTHS = ["a", "ß", "ı", "\U0001d4b6"]


@needs_compiled
@given(
    st.lists(st.sampled_from([*WIDTHS, " ", "x"]), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4)), max_size=5),
    st.lists(st.sampled_from([*WIDTHS, "", "Xy"]), min_size=5, max_size=5),
)
def test_the_compiled_output_is_as_narrow_as_its_characters(chars, spans, replacements):
    """The compiled core writes the output into a string of its final width: the text's,
    narrower where the rewrites took its only wide characters, wider where a replacement
    is (a str of the wrong width would compare unequal to the reference's)."""
    text = "".join(chars)
    events, pos = [], 0
    for (start, length), replacement in zip(sorted(spans), replacements, strict=False):
        start = max(start, pos)
        end = min(start + length, len(text))
        if start > len(text):
            break
        events.append(Event(start, end, replacement, Rule.TABLE, 1.0, None, "e", None))
        pos = end
    compiled = core.compiled_module().apply_events(text, events)
    assert compiled == apply_events(text, events)
    assert max(compiled.text, default="") == max(apply_events(text, events).text, default="")
