"""A table compiled for normalising, and the seam a compiled core plugs into.

:func:`compile_table` turns a :class:`~normalise.table.Table` and the
:class:`~normalise.options.Options` into one :class:`CompiledTable`: the scanner of every
spelling (the table's own and the *embedded variants* the compiler adds), the chaining
analysis the settling check reads (:class:`Chaining`), the kept forms, the entries' kinds and
the phonetic matcher. It is built once, picklable, and the unit the cache of built tables
stores (:mod:`normalise.cache`).

The core
--------
The table-only work of a pass runs in a *core*, chosen in one place, :func:`load_core`:
``NORMALISE_CORE=python`` forces the Python core below (:class:`PythonCore`);
``NORMALISE_CORE=compiled`` requires the compiled one; unset (or ``auto``), the compiled core
is used when ``normalise._core`` imports, else the Python one. A core is made from a
:class:`CompiledTable` (``Core(compiled)``; it may build what it needs from
``compiled.scanner.keys``, ``.exact_keys`` and ``.patterns``) and implements, exactly as
:class:`PythonCore` does (``benchmarks/digests.py`` proves it: the same digests):

``table_pass(text: str, trace: list[Left] | None = None) -> TablePass``
    Fold the text, find every whole-word hit of the scanner's patterns, verify each on the
    original span (:func:`~normalise.scan.match_key`, case-sensitive keys first), resolve
    overlaps (leftmost, then longest), leave alone the hits the keep list, a mention as a
    spelling ("Taliqan or Taleqan", "also spelt X") or a full name (a given name beside
    another name, with ``given_names="alone"``) holds, and rewrite the rest with
    :func:`table_event` (boundary point and casing). Returns a :class:`TablePass`: the
    events (sorted by start), the spans taken (hits and kept spans, merged where kept spans
    are), every hit not kept (with its entry: the weighing reads them as evidence), and the
    given-name hits held as parts of full names (the settling loop judges them again where a
    rewrite stands beside them). ``trace``, when given, receives a :class:`Left` for each hit left alone and why.

``inside_words(text: str, hits: Sequence[TableHit]) -> set[int]``
    The starts of the hits that continue the word before them through an apostrophe
    (:func:`~normalise.evidence.inside_word`: Xo'*jand*), which the pass then leaves alone.

``apply(text: str, events: Sequence[Event]) -> Result``
    The output text and one :class:`~normalise.events.Substitution` per event
    (:func:`~normalise.events.apply_events`).

Everything else (the phonetic weighing, :mod:`normalise.weigh`; the settling loop,
:mod:`normalise.settle`) stays in Python and calls the core. One part of the settling loop has
a compiled twin: without a phonetic matcher, where the scanner holds the compiled trie,
:class:`~normalise.settle.Settling` asks ``_core.SettleCheck`` whether another pass could
change a result (``Settling.reference_unsettled`` is its reference).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

import regex

from .casing import cased
from .events import Event, Result, Rule, Span, apply_events
from .evidence import inside_word, name_neighbour, name_neighbour_after
from .keep import KeepList, is_mentioned, merge_spans, or_spelling, overlaps
from .options import Options
from .scan import Scanner, fold_form, match_key
from .sentence import ends_line, is_sentence_initial
from .table import Entry, Table, iter_spellings

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from .phonetic import PhoneticMatcher

#: Entry kinds the phonetic matcher may map unseen spellings to (not house spelling).
PHONETIC_KINDS = frozenset(
    {"place", "person", "given-name", "people", "organisation", "term", "other"}
)
#: The ``note`` of a table rewrite whose form's final point stays: it also ends a sentence.
POINT_KEPT = "the point also ends the sentence: kept"


# ---------------------------------------------------------------------------- the compiled table


@dataclass(frozen=True, eq=False)
class CompiledTable:
    """A table compiled with its options: everything a pass reads, built once."""

    #: the table (with the surnames of its persons added: :mod:`normalise.surnames`)
    table: Table
    options: Options
    #: every spelling of the table and the embedded variants the compiler adds
    scanner: Scanner
    #: which canonical forms other patterns can overlap (the settling check's input)
    chaining: Chaining
    #: the keys of the spellings the compiler added (embedded variants)
    embedded_keys: frozenset[str]
    #: the table's kept forms and the options' ones
    keeping: KeepList
    #: each entry's kind by its canonical form
    kinds: Mapping[str, str]
    #: the phonetic matcher (None when ``phonetic="off"``)
    matcher: PhoneticMatcher | None

    @property
    def entries(self) -> Sequence[Entry]:
        return self.table.entries


def compile_table(table: Table, options: Options) -> CompiledTable:
    """The :class:`CompiledTable` of ``table`` (surnames already added) with ``options``."""
    scanner, spelled, embedded_keys = build_scanner(table)
    return CompiledTable(
        table=table,
        options=options,
        scanner=scanner,
        chaining=table_chaining(table.entries, scanner.patterns, spelled),
        embedded_keys=embedded_keys,
        keeping=KeepList([k.form for k in table.keep] + list(options.keep)),
        kinds={e.canonical: e.kind for e in table.entries},
        matcher=build_matcher(table, options) if options.phonetic != "off" else None,
    )


def build_scanner(table: Table) -> tuple[Scanner, set[str], frozenset[str]]:
    """The scanner of every spelling of the table and of the embedded-variant spellings
    the compiler adds; the patterns of the table's own spellings; the keys of the added
    ones."""
    keys: dict[str, int] = {}
    exact: dict[str, int] = {}
    patterns = []
    for index, entry in enumerate(table.entries):
        for spelling, pattern in iter_spellings(entry):
            if entry.case_sensitive:
                exact[match_key(spelling, True)] = index
            else:
                keys[_one_string(match_key(spelling), pattern)] = index
            patterns.append(pattern)
    scanner = Scanner(keys, exact, patterns)
    spelled = set(patterns)
    extra = embedded_variants(table, scanner)
    if not extra:
        return scanner, spelled, frozenset()
    for spelling, index in extra.items():
        pattern = fold_form(spelling)
        keys[_one_string(match_key(spelling), pattern)] = index
        patterns.append(pattern)
    return Scanner(keys, exact, patterns), spelled, frozenset(map(match_key, extra))


def _one_string(key: str, pattern: str) -> str:
    """The pattern where the key is the same text (most keys of a table): one string object
    for both, which the cache stores once, so that loading the built table makes 11,500
    fewer objects at 10,000 variants (issue 17: the table's load is part of each start)."""
    return pattern if key == pattern else key


def build_matcher(table: Table, options: Options) -> PhoneticMatcher:
    """The phonetic matcher of the table's entries of :data:`PHONETIC_KINDS`; every other
    form is protected (never a candidate's source)."""
    from .phonetic import DEFAULT_MARGIN, DEFAULT_MIN_SCORE, PhoneticMatcher

    names = [
        (e.canonical, e.forms)
        for e in table.entries
        if e.kind in PHONETIC_KINDS and not e.case_sensitive and e.phonetic
    ]
    protected = [
        f
        for e in table.entries
        if e.kind not in PHONETIC_KINDS or e.case_sensitive or not e.phonetic
        for f in e.forms
    ]
    return PhoneticMatcher(
        names,
        protected=protected,
        min_score=DEFAULT_MIN_SCORE if options.min_score is None else options.min_score,
        margin=DEFAULT_MARGIN if options.margin is None else options.margin,
    )


_MULTI_WORD = regex.compile(r"[\s\-\u2010\u2011]")
#: Most spellings one multi-word form gains from the variants of the names inside it.
MAX_EMBEDDED_SPELLINGS = 64


def embedded_variants(table: Table, scanner: Scanner) -> dict[str, int]:
    """Spellings of multi-word forms with a name inside them written as one of its variants
    (Tehrik-i-Taleban for Tehrik-i-Taliban, Gholam Rabani for Ghulam Rabani), the entry's own
    name included (Aboe Dhabi Emirate for a variant Abu Dhabi Emirate of Abu Dhabi).

    Without them one pass would rewrite only the inner name, and the whole form would match
    only on a second pass. Only where the inner name is its canonical form: with another
    variant in place of an inner variant, a pass writes the canonical form there, not the
    spelling, so the spelling is no step of any chain (and would rewrite wrongly)."""
    entries = table.entries
    extra: dict[str, int] = {}
    canonical_keys = [frozenset(match_key(s) for s in e.spellings(e.canonical)) for e in entries]
    for index, entry in enumerate(entries):
        if entry.case_sensitive:
            continue
        for spelling in {s for f in entry.forms for s in entry.spellings(f)}:
            if _MULTI_WORD.search(spelling):  # a single word holds no other name
                _add_embedded(spelling, index, entries, canonical_keys, scanner, extra)
    return extra


def _add_embedded(
    spelling: str,
    index: int,
    entries: Sequence[Entry],
    canonical_keys: Sequence[frozenset[str]],
    scanner: Scanner,
    extra: dict[str, int],
) -> None:
    """Add to ``extra`` the spellings of ``spelling`` (of entry ``index``) with each name
    inside it written as one of that name's spellings."""
    added = 0
    for start, end, target in scanner.scan_overlapping(spelling):
        inner = entries[target]
        if (
            inner.case_sensitive
            or (start, end) == (0, len(spelling))
            or match_key(spelling[start:end]) not in canonical_keys[target]
        ):
            continue  # only where a pass writes the inner canonical form
        for form in inner.forms:
            for variant in inner.spellings(form):
                new = spelling[:start] + variant + spelling[end:]
                key = match_key(new)
                if key in scanner.keys or new in extra or added >= MAX_EMBEDDED_SPELLINGS:
                    continue
                extra[new] = index
                added += 1


# ---------------------------------------------------------------------------- chaining


class Chaining(NamedTuple):
    """Canonical forms that patterns of the table can overlap other than exactly."""

    #: a pattern begins inside the form and runs past its end, or ends inside it having
    #: begun before it
    crossing: frozenset[str]
    #: a pattern holds the form and more
    contained: frozenset[str]
    #: ... and the same pattern with a spelling of the form's entry in its place is not a
    #: pattern too (so one pass cannot have matched the whole where that spelling stood)
    uncovered: frozenset[str]
    #: for each form above, the length of the longest pattern that overlaps it: how far from
    #: the form (in folded characters) such a pattern can reach
    reach: Mapping[str, int]
    #: for each form above, the folded words that such a pattern has right before the form
    #: and right after it: a text can hold the pattern only where one of them stands there
    #: ("" among them: the pattern has only punctuation there, so any text may)
    before: Mapping[str, frozenset[str]]
    after: Mapping[str, frozenset[str]]


def _bounds(folded: str) -> tuple[list[int], list[int]]:
    """Where a whole-word match may begin and end inside a folded form (folded text holds a
    space for every non-word character)."""
    starts = [0] + [i for i in range(1, len(folded)) if folded[i - 1] == " "]
    ends = [j for j in range(1, len(folded)) if folded[j] == " "] + [len(folded)]
    return starts, ends


class _Pieces:
    """The word-bounded pieces of a set of patterns: proper pieces inside a pattern
    (``inside``), pieces from after a word of a pattern to its end (``tails``) and from its
    start to before its last word (``heads``), each with the patterns that have it and
    where."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.inside: dict[str, list[tuple[str, int, int]]] = {}
        self.tails: dict[str, list[tuple[str, int]]] = {}
        self.heads: dict[str, list[tuple[str, int]]] = {}
        for pattern in patterns:
            starts, ends = _bounds(pattern)
            size = len(pattern)
            for i in starts:
                for j in ends:
                    if i < j and (i, j) != (0, size):
                        self.inside.setdefault(pattern[i:j], []).append((pattern, i, j))
                if i:
                    self.tails.setdefault(pattern[i:], []).append((pattern, i))
            for j in ends:
                if j < size:
                    self.heads.setdefault(pattern[:j], []).append((pattern, j))

    def crossing(self, folded: str) -> tuple[list[int], set[str], set[str]]:
        """The lengths of the patterns that begin before ``folded`` and end inside it, or
        begin inside it and run past its end; their words right before and after it."""
        lengths: list[int] = []
        before: set[str] = set()
        after: set[str] = set()
        starts, ends = _bounds(folded)
        size = len(folded)
        for j in ends:  # a pattern whose tail is the form's head: it begins before the form
            for p, i in self.tails.get(folded[:j], ()) if j < size else ():
                lengths.append(len(p))
                before.add(_last_word(p[:i]))
        for i in starts:  # a pattern whose head is the form's tail: it runs past its end
            for p, j in self.heads.get(folded[i:], ()) if i else ():
                lengths.append(len(p))
                after.add(_first_word(p[j:]))
        return lengths, before, after


def _holders_words(holders: Sequence[tuple[str, int, int]]) -> tuple[list[int], set[str], set[str]]:
    """The lengths of the patterns holding a form, and their words right before and after
    it."""
    lengths, before, after = [], set(), set()
    for p, i, j in holders:
        lengths.append(len(p))
        if i:
            before.add(_last_word(p[:i]))
        if j < len(p):
            after.add(_first_word(p[j:]))
    return lengths, before, after


def _is_uncovered(
    spellings: Sequence[str] | None,
    holders: Sequence[tuple[str, int, int]],
    pattern_set: Container[str],
    spelled: Container[str] | None,
) -> bool:
    """Whether some pattern holding the form lacks its copy with a spelling of the form's
    entry in the form's place (always, for a case-sensitive entry: ``spellings`` None)."""
    return spellings is None or any(
        p[:i] + s + p[j:] not in pattern_set
        for p, i, j in holders
        if spelled is None or p in spelled
        for s in spellings
    )


def chaining_forms(
    forms: Mapping[str, tuple[str, Sequence[str] | None]],
    patterns: Iterable[str],
    spelled: Container[str] | None = None,
) -> Chaining:
    """Which canonical forms some pattern can overlap in a text without matching exactly the
    same span. ``forms`` maps each canonical form to its folded form and the folded spellings
    of every form of its entry (None for a case-sensitive entry, which the table compiler
    does not spell inside other forms). A pattern nested in the form loses to it and does
    not count. ``spelled`` holds the patterns of the table's own spellings (all when None):
    only those need their variant-spelled copies to cover a form, since any other pattern
    (one the compiler made) holds a variant of another name, which is a match of its own.
    A form that begins or ends with punctuation counts as crossing: a pattern may end or
    begin right at it.

    Each test is a lookup of a word-bounded piece of a pattern among the word-bounded pieces
    of the canonical forms, so the cost grows with the table, not with its square."""
    pattern_set = set(patterns)
    pieces = _Pieces(pattern_set)
    crossing, contained, uncovered = set(), set(), set()
    reach: dict[str, int] = {}
    before: dict[str, frozenset[str]] = {}
    after: dict[str, frozenset[str]] = {}
    for canonical, (folded, spellings) in forms.items():
        holders = pieces.inside.get(folded, [])
        lengths, words_before, words_after = _holders_words(holders)
        if holders:
            contained.add(canonical)
            if _is_uncovered(spellings, holders, pattern_set, spelled):
                uncovered.add(canonical)
        more, more_before, more_after = pieces.crossing(folded)
        lengths += more
        words_before |= more_before
        words_after |= more_after
        edged = folded[:1] == " " or folded[-1:] == " "
        if not (lengths or edged):
            continue
        if more or edged:
            crossing.add(canonical)
        if edged:
            words_before.add("")
            words_after.add("")
        reach[canonical] = max(lengths, default=len(folded))
        before[canonical] = frozenset(words_before)
        after[canonical] = frozenset(words_after)
    return Chaining(
        frozenset(crossing), frozenset(contained), frozenset(uncovered), reach, before, after
    )


def _last_word(folded: str) -> str:
    """The last word of a folded piece ("" when it holds none)."""
    words = folded.split()
    return words[-1] if words else ""


def _first_word(folded: str) -> str:
    words = folded.split()
    return words[0] if words else ""


def table_chaining(
    entries: Sequence[Entry], patterns: Iterable[str], spelled: Container[str]
) -> Chaining:
    """:func:`chaining_forms` of a table's entries, given the scanner's patterns and those of
    the table's own spellings."""
    forms = {}
    for entry in entries:
        spellings = (
            None
            if entry.case_sensitive
            else sorted({fold_form(s) for f in entry.forms for s in entry.spellings(f)})
        )
        forms[entry.canonical] = (fold_form(entry.canonical), spellings)
    return chaining_forms(forms, patterns, spelled)


# ---------------------------------------------------------------------------- the core


class TableHit(NamedTuple):
    """A table hit with its entry: ``text[start:end]`` is a spelling of ``entry``."""

    start: int
    end: int
    entry: Entry


class Left(NamedTuple):
    """A table hit (or kept span) a pass left alone, and why: ``kept`` (the keep list or a
    mention as a spelling), ``mention`` ("A or B") or ``full-name``."""

    start: int
    end: int
    why: str


class TablePass(NamedTuple):
    """What the table part of a pass found (see the module docstring)."""

    #: rewrites of table hits, sorted by start
    events: list[Event]
    #: the spans of the hits taken and the kept spans, sorted, none overlapping (the compiled
    #: core gives a read-only sequence whose records are made when read)
    taken: Sequence[Span]
    #: every hit not kept, with its entry (the same there)
    hits: Sequence[TableHit]
    #: the given-name hits left alone as part of a full name, but for those spelled as the
    #: canonical form (nothing to rewrite), sorted: a rewrite beside one can change that
    #: judgement (see :meth:`normalise.settle.Settling.rejudged`)
    held: list[Span]


def table_event(text: str, start: int, end: int, entry: Entry) -> Event | None:
    """The rewrite of a table hit, or None when it changes nothing.

    A form that ends in a point (U.S., Dr.) is left alone when another point follows
    (which of them is the abbreviation's cannot be told); when it ends a line or the
    text, the point also ends the sentence, so it stays and only the rest is rewritten."""
    original = text[start:end]
    note = None
    if original[-1] == "." and not entry.canonical.endswith("."):
        if text.startswith(".", end):
            return None
        if ends_line(text, end):
            end -= 1
            original = original[:-1]
            note = POINT_KEPT
    replacement = cased(original, entry.canonical, entry.case_sensitive)
    if replacement == original:
        return None
    # tuple.__new__: a named tuple without its Python-level __new__ (per rewrite)
    return tuple.__new__(
        Event, (start, end, replacement, Rule.TABLE, 1.0, note, entry.canonical, None)
    )


def in_full_name(text: str, start: int, end: int) -> bool:
    """Whether a name at ``[start, end)`` stands beside another name word."""
    from .phonetic import english_zipf

    return name_neighbour(text, start, end, english_zipf, is_sentence_initial) is not None


def in_full_name_after(text: str, start: int, end: int) -> bool:
    """Whether the word after a name at ``[start, end)`` makes it part of a full name: when
    it does, so does :func:`in_full_name` (a quicker first look)."""
    from .phonetic import english_zipf

    return name_neighbour_after(text, start, end, english_zipf) is not None


class Core(Protocol):
    """What a core implements (see the module docstring)."""

    def table_pass(self, text: str, trace: list[Left] | None = None) -> TablePass: ...

    def inside_words(self, text: str, hits: Sequence[TableHit]) -> set[int]: ...

    def apply(self, text: str, events: Sequence[Event]) -> Result: ...


class PythonCore:
    """The core in Python: the reference every other core must agree with."""

    def __init__(self, compiled: CompiledTable) -> None:
        self.compiled = compiled
        self._scanner = compiled.scanner
        self._entries = compiled.table.entries
        self._keeping = compiled.keeping
        self._full_names = compiled.options.given_names == "alone"

    def table_pass(self, text: str, trace: list[Left] | None = None) -> TablePass:
        entries = self._entries
        new = tuple.__new__  # a named tuple without its Python-level __new__: per hit
        events: list[Event] = []
        taken: list[Span] = []
        kept = self._keeping.kept(text)  # mentions: asked of each hit
        if trace is not None:
            trace.extend(Left(start, end, "kept") for start, end in kept)
        previous: tuple[int, int] | None = None  # (end, target) of the last hit
        hits: list[TableHit] = []
        held: list[Span] = []
        for start, end, target in self._scanner.scan(text):
            if kept and overlaps(kept, start, end):
                continue  # a kept form, or a spelling mentioned as such, wins
            taken.append(new(Span, (start, end)))
            entry = entries[target]
            hits.append(new(TableHit, (start, end, entry)))
            if (
                previous is not None
                and previous[1] == target
                and or_spelling(text, previous[0], start)
            ):
                why: str | None = "mention"  # "Taliqan or Taleqan": mentioned as a spelling
            elif is_mentioned(text, start):
                why = "kept"  # "also spelt Khamenehi": a spelling mentioned as a spelling
            elif self._full_names and entry.kind == "given-name" and in_full_name(text, start, end):
                why = "full-name"
            else:
                why = None
            previous = (end, target)
            if why is not None:
                if trace is not None:
                    trace.append(Left(start, end, why))
                if why == "full-name" and text[start:end] != entry.canonical:
                    held.append(new(Span, (start, end)))
                continue
            event = table_event(text, start, end, entry)
            if event is not None:
                events.append(event)
        if kept:
            taken = [Span(s, e) for s, e in merge_spans(taken + kept)]
        return TablePass(events, taken, hits, held)

    def inside_words(self, text: str, hits: Sequence[TableHit]) -> set[int]:
        return {h.start for h in hits if inside_word(text, h.start)}

    def apply(self, text: str, events: Sequence[Event]) -> Result:
        return apply_events(text, events)


def load_core(compiled: CompiledTable) -> Core:
    """The core for ``compiled``: the one place where it is chosen (see the module
    docstring; the choice itself, NORMALISE_CORE and the fallback, is :mod:`normalise.core`'s,
    which the scanner also asks when it is built)."""
    from .core import compiled_module, selected

    if selected() == "compiled":
        core: Core = compiled_module().Core(compiled)
        return core
    return PythonCore(compiled)


def name_token_finders() -> tuple[
    Callable[[str, Sequence[tuple[int, int]]], set[str]],
    Callable[[str, Collection[str]], list[tuple[int, int]]],
]:
    """The phonetic weighing's token finders (:func:`normalise.sentence.name_tokens` and
    :func:`~normalise.sentence.name_token_spans`) of the core that runs: the compiled core
    reads ASCII text in C and leaves the rest to the same expression."""
    import functools

    from .core import compiled_module, selected
    from .sentence import name_token_spans, name_tokens, token_class, token_classes

    if selected() == "compiled":
        module = compiled_module()
        reading = {"classes": token_classes(), "classify": token_class}
        return (
            functools.partial(module.name_tokens, **reading),
            functools.partial(module.name_token_spans, **reading),
        )
    return name_tokens, name_token_spans
