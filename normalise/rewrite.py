"""Decide and apply: the :class:`Normaliser` rewrites table hits and phonetic matches and builds
a :class:`Result` that records every substitution.

Table hits come from the scanner (one pass, whole words); a kept form or a spelling mentioned
as a spelling (:mod:`normalise.keep`) is left as written, and so is a given name inside a full
name. Tokens that no table form covers and that look like names go to the phonetic matcher,
which proposes only when sure; a proposal is applied only with evidence and in the right
context (:mod:`normalise.evidence`), else it is logged as held. Casing: an
ALL-CAPS original stays all caps, a capitalised original capitalises a lower-case canonical
form, otherwise the canonical form is written as the table spells it.

One pass is not always enough for idempotence; whether another could change anything, and the
further passes over the lines concerned, are :class:`~normalise.settle.Settling`'s, which
``normalise`` runs after the first pass.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from .evidence import (
    EVIDENCE_KINDS,
    EVIDENCE_WINDOW,
    GIVEN_NAME_POLICIES,
    HELD_REASONS,
    OPEN_KINDS,
    RARE_WORD_NOTE,
    SHORT_NAME_CONSONANTS,
    SHORT_NAME_SCORE,
    any_within,
    foreign_letter,
    foreign_spelling,
    is_common_term,
    name_neighbour,
    other_language,
    paragraph_window,
    rare_word_matcher,
)
from .keep import KeepList, check_form, is_mentioned, merge_spans, or_spelling, overlaps
from .log import Substitution
from .scan import LINE_BREAKS, Scanner, fold_form, match_key
from .settle import MAX_PASSES, Chaining, Settling, compose, table_chaining
from .surnames import with_surnames
from .table import Entry, Table, TableSource, as_sources, iter_spellings, load_table, resolve

if TYPE_CHECKING:
    from .phonetic import Decision, PhoneticMatcher

PHONETIC_MODES = ("off", "suggest", "apply")
#: Entry kinds the phonetic matcher may map unseen spellings to (not house spelling).
PHONETIC_KINDS = frozenset(
    {"place", "person", "given-name", "people", "organisation", "term", "other"}
)

# A capitalised word of at least four letters, not inside a longer word.
_NAME_TOKEN = regex.compile(r"(?<![\w\p{M}])\p{Lu}[\p{L}\p{M}]{3,}(?![\w\p{M}])")
# The same, for the phonetic matcher: apostrophes inside the word belong to it (Farg'ona,
# Ba'qubah, Syrdar’ya, Andkho'y: romanisations write ayn, hamza and the Uzbek o' so), except
# before an English clitic (Kabul's, Herat'll), which ends the name.
_PHONETIC_TOKEN = regex.compile(
    r"(?<![\w\p{M}])\p{Lu}(?:[\p{L}\p{M}]|['’‘ʼʻ](?!(?:s|d|ll|re|ve|t|m)(?![\p{L}\p{M}]))"
    r"(?=[\p{L}\p{M}])){3,}(?![\w\p{M}])"
)
_SENTENCE_END = frozenset(".!?:;\n\r\u2028\u2029")
_OPENERS = frozenset(" \t\"'“‘«([{—–-\u00a0")
#: Up to this many distinct name tokens to look for, one alternation finds them.
_FEW_TOKENS = 32
_CLOSERS = frozenset(" \t\"'”’»)]}\u00a0")


@lru_cache(maxsize=1 << 16)
def cased(original: str, canonical: str, case_sensitive: bool = False) -> str:
    """The canonical form in the casing the original calls for.

    Capitals never change a form's key: a letter whose capital would (ß: SS) stays as it is,
    so that the result is still the canonical form and no other entry's. Cached: the same
    spellings recur throughout a corpus."""
    if case_sensitive:
        return canonical
    if _in_capitals(original):
        return "".join(map(_capital, canonical))
    if original[:1].isupper() and canonical[:1].islower():
        return _capital(canonical[:1]) + canonical[1:]
    return canonical


def _in_capitals(text: str) -> bool:
    """ALL CAPS: two letters or more, and every letter a capital or one without a capital
    that keeps its key (ı, ß), so that what :func:`cased` writes reads as capitals again."""
    if text.isupper():  # every cased letter a capital (in C: the quick answer)
        return sum(c.isalpha() for c in text) >= 2
    if text.isascii() or text.islower():
        return False
    return (
        all(_capital(c) == c for c in text)
        and any(c.isupper() for c in text)
        and sum(c.isalpha() for c in text) >= 2
    )


@cache
def _capital(char: str) -> str:
    upper = char.upper()
    return upper if match_key(upper) == match_key(char) else char


_MULTI_WORD = regex.compile(r"[\s\-\u2010\u2011]")
#: Most spellings one multi-word form gains from the variants of the names inside it.
MAX_EMBEDDED_SPELLINGS = 64


def _embedded_variants(table: Table, scanner: Scanner) -> dict[str, int]:
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
            if not _MULTI_WORD.search(spelling):
                continue  # a single word holds no other name
            added = 0
            for start, neg_end, target in scanner.scan_overlapping(spelling):
                end = -neg_end
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
    return extra


def _sentence_tail(text: str) -> bool | None:
    """How the end of ``text`` reads to :func:`is_sentence_initial` for what follows: True
    (a sentence ends), False (it does not), None (only openers: look further back)."""
    stripped = text.rstrip("".join(_OPENERS))
    return stripped[-1] in _SENTENCE_END if stripped else None


def _ends_line(text: str, pos: int) -> bool:
    """True when only closing quotes or brackets and spaces stand between ``pos`` and the
    end of the line or of the text."""
    while pos < len(text) and text[pos] in _CLOSERS:
        pos += 1
    return pos == len(text) or text[pos] in LINE_BREAKS


def _between(text: str, taken: Sequence[tuple[int, int]]) -> str:
    """The text outside the spans ``taken``, the pieces joined by line breaks (which no
    token spans): where the phonetic matcher's tokens can be."""
    if not taken:
        return text
    pieces, pos = [], 0
    for start, end in taken:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return "\n".join(pieces)


def _acts(decision: Decision) -> bool:
    """Whether a decision leads to a record: a rewrite, a suggestion or an ambiguity."""
    return decision.winner is not None or decision.reason.startswith("ambiguous")


def is_sentence_initial(text: str, start: int) -> bool:
    """True when only openers (quotes, brackets, spaces) stand between ``start`` and the
    beginning of the text, a line or a sentence."""
    pos = start - 1
    while pos >= 0 and text[pos] in _OPENERS:
        pos -= 1
    return pos < 0 or text[pos] in _SENTENCE_END


def _next_name_changes(matcher: PhoneticMatcher, text: str, sub: Substitution) -> bool:
    """Whether the name token after a rewrite (only openers between) would now be judged
    otherwise, the rewrite having changed how the sentence reads there."""
    last = sub.original[-1]
    if (last == sub.replacement[-1] and last not in _OPENERS) or _sentence_tail(
        sub.original
    ) == _sentence_tail(sub.replacement):
        return False  # both end alike (the common case: a letter), or both read alike
    pos = sub.out_end
    while pos < len(text) and text[pos] in _OPENERS:
        pos += 1
    token = _NAME_TOKEN.match(text, pos)
    if token is None:
        return False
    decision = matcher.decide(token.group(), sentence_initial=is_sentence_initial(text, pos))
    return _acts(decision)


@dataclass(frozen=True)
class Result:
    """A normalised text and the substitutions that made it from the input."""

    text: str
    substitutions: list[Substitution]
    _applied: list[Substitution] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._applied.extend(s for s in self.substitutions if s.applied)

    @property
    def changed(self) -> bool:
        return bool(self._applied)

    def to_dict(self) -> dict:
        """Plain data (str, int, float, lists, dicts): for JSON, msgpack (spaCy's
        ``Doc.user_data``), Arrow columns. :meth:`from_dict` rebuilds an equal Result."""
        return {"text": self.text, "substitutions": [s.to_dict() for s in self.substitutions]}

    @classmethod
    def from_dict(cls, record: dict) -> Result:
        """The Result :meth:`to_dict` gave; raises :class:`~normalise.LogError` on a bad
        record."""
        return cls(record["text"], [Substitution.from_dict(s) for s in record["substitutions"]])

    def normalised_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the input to the output; a cut substitution is taken whole."""
        return (
            self._map(start, "start", "end", "out_start", "out_end", True),
            self._map(end, "start", "end", "out_start", "out_end", False),
        )

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the output back to the input; a cut substitution is taken whole."""
        return (
            self._map(start, "out_start", "out_end", "start", "end", True),
            self._map(end, "out_start", "out_end", "start", "end", False),
        )

    def _map(self, pos: int, a0: str, a1: str, b0: str, b1: str, is_start: bool) -> int:
        subs = self._applied
        i = bisect.bisect_right(subs, pos, key=lambda s: getattr(s, a1))
        if i < len(subs) and getattr(subs[i], a0) < pos:
            return getattr(subs[i], b0 if is_start else b1)
        if i == 0:
            return pos
        last = subs[i - 1]
        return pos - getattr(last, a1) + getattr(last, b1)


@dataclass(frozen=True)
class Explanation:
    """What would happen to one word, and why."""

    word: str
    result: str
    entry: Entry | None = None
    form: str | None = None
    decision: Decision | None = None
    reason: str = ""
    #: why a rewrite the table or the matcher would make is held back here (None: it is not)
    held: str | None = None


@dataclass
class _Candidate:
    """A phonetic winner in a pass, before evidence and context are weighed."""

    start: int
    end: int
    original: str
    replacement: str
    score: float
    reason: str
    entry: str
    held: str | None = None


class Normaliser:
    """Built once (compiled scanner, phonetic index), then used for any number of texts.

    Picklable, so worker processes can receive it.
    """

    def __init__(
        self,
        tables: Iterable[TableSource] = (),
        *,
        default_table: bool = True,
        phonetic: str = "apply",
        min_score: float | None = None,
        margin: float | None = None,
        table: Table | None = None,
        keep: Iterable[str] = (),
        given_names: str = "alone",
    ) -> None:
        if phonetic not in PHONETIC_MODES:
            raise ValueError(f"phonetic must be one of {PHONETIC_MODES}, not {phonetic!r}")
        for name, value in (("min_score", min_score), ("margin", margin)):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        if given_names not in GIVEN_NAME_POLICIES:
            raise ValueError(
                f"given_names must be one of {GIVEN_NAME_POLICIES}, not {given_names!r}"
            )
        if isinstance(keep, str):
            raise TypeError("keep takes an iterable of forms, not one string")
        keep = tuple(map(check_form, keep))
        if table is None:
            sources = (["default"] if default_table else []) + as_sources(tables)
            table = load_table(*sources) if sources else Table((), ())
        table = with_surnames(table)  # a person also by surname alone (normalise.surnames)
        self.table = table
        self.phonetic = phonetic
        self.min_score = min_score
        self.margin = margin
        self.keep = keep
        self.given_names = given_names
        self._keep = KeepList([k.form for k in table.keep] + list(keep))
        self._kinds = {e.canonical: e.kind for e in table.entries}
        self._consonant_counts: dict[str, int] = {}
        self._scanner, spelled, embedded_keys = self._build_scanner(table)
        self._matcher = self._build_matcher() if phonetic != "off" else None
        self._rare = rare_word_matcher(self._matcher)
        self._settling = self._build_settling(
            table_chaining(table.entries, self._scanner.patterns, spelled), embedded_keys
        )

    @classmethod
    def cached(
        cls,
        tables: Iterable[TableSource] = (),
        *,
        default_table: bool = True,
        phonetic: str = "apply",
        min_score: float | None = None,
        margin: float | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        keep: Iterable[str] = (),
        given_names: str = "alone",
    ) -> Normaliser:
        """The same as ``Normaliser(...)``, taken from the on-disk cache of built tables when
        these table files and options were built before (see :mod:`normalise.cache`); the
        command uses it unless given ``--no-cache``."""
        from . import cache

        tables = as_sources(tables)
        keep = list(keep)

        def build() -> Normaliser:
            return cls(
                tables,
                default_table=default_table,
                phonetic=phonetic,
                min_score=min_score,
                margin=margin,
                keep=keep,
                given_names=given_names,
            )

        sources = (["default"] if default_table else []) + tables
        files = [resolve(source) for source in sources]

        def key() -> str:
            return cache.cache_key(files, (sources, phonetic, min_score, margin, keep, given_names))

        try:
            if not all(path.is_file() for path in files):  # a pipe can be read only once
                return build()
            first = key()
        except OSError:  # an unreadable table: the build says so, file named
            return build()
        return cache.load_or_build(
            first,
            build,
            None if cache_dir is None else Path(cache_dir),
            unchanged=lambda: key() == first,
            kind=cls,
        )

    @property
    def matcher(self) -> PhoneticMatcher | None:
        """The phonetic matcher (None when ``phonetic="off"``)."""
        return self._matcher

    @staticmethod
    def _build_scanner(table: Table) -> tuple[Scanner, set[str], frozenset[str]]:
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
                    keys[match_key(spelling)] = index
                patterns.append(pattern)
        scanner = Scanner(keys, exact, patterns)
        spelled = set(patterns)
        extra = _embedded_variants(table, scanner)
        if not extra:
            return scanner, spelled, frozenset()
        for spelling, index in extra.items():
            keys[match_key(spelling)] = index
            patterns.append(fold_form(spelling))
        return Scanner(keys, exact, patterns), spelled, frozenset(map(match_key, extra))

    def _build_settling(self, chaining: Chaining, embedded_keys: frozenset[str]) -> Settling:
        """The fixed-point check of this normaliser's passes (see :mod:`normalise.settle`):
        it rewrites table hits as :meth:`_pass` does, and in apply mode also looks at the
        name token after a rewrite that changes how a sentence reads."""
        next_name_changes = (
            partial(_next_name_changes, self._matcher) if self.phonetic == "apply" else None
        )
        return Settling(
            chaining,
            self._scanner,
            self.table.entries,
            embedded_keys,
            self._table_event,
            next_name_changes,
        )

    def _build_matcher(self) -> PhoneticMatcher:
        from .phonetic import DEFAULT_MARGIN, DEFAULT_MIN_SCORE, PhoneticMatcher

        names = [
            (e.canonical, e.forms)
            for e in self.table.entries
            if e.kind in PHONETIC_KINDS and not e.case_sensitive and e.phonetic
        ]
        protected = [
            f
            for e in self.table.entries
            if e.kind not in PHONETIC_KINDS or e.case_sensitive or not e.phonetic
            for f in e.forms
        ]
        return PhoneticMatcher(
            names,
            protected=protected,
            min_score=DEFAULT_MIN_SCORE if self.min_score is None else self.min_score,
            margin=DEFAULT_MARGIN if self.margin is None else self.margin,
        )

    # ------------------------------------------------------------------ normalising

    def normalise(
        self, text: str, *, before: str = "", after: str = "", evidence: bool = False
    ) -> Result:
        """Normalise one text; the result records every substitution.

        ``before`` and ``after`` are the text around it (a stream's neighbouring chunks):
        only read for evidence, never rewritten. ``evidence=True`` says the text is known to
        be about the table's world (another document of the same stream had a table hit), so
        every phonetic candidate has evidence.

        Idempotent: where a rewrite makes a new match (overlapping forms of two entries),
        further passes run until nothing changes, and their records are composed with the
        first pass's (see :mod:`normalise.settle`)."""
        if not isinstance(text, str):
            raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
        result, taken = self._pass(text, before, after, evidence)
        settling = self._settling
        unsettled = settling.unsettled(result, taken) if result.changed else []
        if not unsettled:
            return result
        records, current = result.substitutions, result.text
        for _ in range(MAX_PASSES):
            current, again, unsettled = settling.pass_lines(current, unsettled, self._pass)
            if not again:
                break
            records = compose(text, records, again, current)
            if not unsettled:
                break
        return Result(current, records)

    def _pass(
        self,
        text: str,
        before: str = "",
        after: str = "",
        evidence: bool = False,
        trace: list[tuple[int, int, str]] | None = None,
    ) -> tuple[Result, list[tuple[int, int]]]:
        """One pass: table hits (leftmost, longest), then name tokens outside them. Returns
        the result and the spans of the table hits taken. ``trace``, when given, receives
        why a table hit at a position was left alone (for :meth:`explain`)."""
        entries = self.table.entries
        events: list[tuple] = []
        taken = []
        kept = self._keep.kept(text)  # mentions: asked of each hit
        if trace is not None:
            for start, end in kept:
                trace.append((start, end, "kept"))
        previous = None
        hits: list[tuple[int, int, Entry]] = []  # table hits, for evidence and names
        for start, end, target in self._scanner.scan(text):
            if kept and overlaps(kept, start, end):
                continue  # a kept form, or a spelling mentioned as such, wins
            taken.append((start, end))
            entry = entries[target]
            hits.append((start, end, entry))
            if (
                previous is not None
                and previous[1] == target
                and or_spelling(text, previous[0], start)
            ):
                previous = (end, target)
                if trace is not None:
                    trace.append((start, end, "mention"))
                continue  # "Taliqan or Taleqan": a spelling mentioned as a spelling
            previous = (end, target)
            if is_mentioned(text, start):
                if trace is not None:
                    trace.append((start, end, "kept"))
                continue  # "also spelt Khamenehi": a spelling mentioned as a spelling
            if (
                entry.kind == "given-name"
                and self.given_names == "alone"
                and self._in_full_name(text, start, end)
            ):
                if trace is not None:
                    trace.append((start, end, "full-name"))
                continue
            event = self._table_event(text, start, end, entry)
            if event is not None:
                events.append(event)
        if kept:
            taken = merge_spans(taken + kept)
        if self._matcher is not None:
            events.extend(self._phonetic_events(text, taken, hits, before, after, evidence))
            events.sort(key=lambda e: e[0])
        return self._apply(text, events), taken

    def _in_full_name(self, text: str, start: int, end: int) -> bool:
        """Whether a name at ``[start, end)`` stands beside another name word."""
        from .phonetic import english_zipf

        return name_neighbour(text, start, end, english_zipf, is_sentence_initial) is not None

    @staticmethod
    def _table_event(text: str, start: int, end: int, entry: Entry):
        """The rewrite of a table hit, or None when it changes nothing.

        A form that ends in a point (U.S., Dr.) is left alone when another point follows
        (which of them is the abbreviation's cannot be told); when it ends a line or the
        text, the point also ends the sentence, so it stays and only the rest is rewritten."""
        original = text[start:end]
        note = None
        if original[-1] == "." and not entry.canonical.endswith("."):
            if text.startswith(".", end):
                return None
            if _ends_line(text, end):
                end -= 1
                original = original[:-1]
                note = "the point also ends the sentence: kept"
        replacement = cased(original, entry.canonical, entry.case_sensitive)
        if replacement == original:
            return None
        return (start, end, replacement, "table", 1.0, note, entry.canonical)

    def _phonetic_events(
        self,
        text: str,
        taken: Sequence[tuple[int, int]],
        hits: Sequence[tuple[int, int, Entry]] = (),
        before: str = "",
        after: str = "",
        evidence: bool = False,
    ):
        """Phonetic events: each winner is weighed in its context (:meth:`_weigh`)."""
        candidates: list[_Candidate] = []
        for event in self._phonetic_winners(text, taken):
            if isinstance(event, _Candidate):
                candidates.append(event)
            else:
                yield event
        if not candidates:
            return
        yield from self._weigh(text, candidates, hits, before, after, evidence)

    def _weigh(
        self,
        text: str,
        candidates: list[_Candidate],
        hits: Sequence[tuple[int, int, Entry]],
        before: str,
        after: str,
        evidence: bool,
    ):
        """Apply a candidate only with evidence and in the right context; hold the others
        as ``phonetic-suggest`` records that say why (see :mod:`normalise.evidence`)."""
        from .phonetic import english_zipf

        kinds = self._kinds
        always = self.given_names == "always"
        romanisation = self._matcher.romanisation
        other_languages = romanisation.other_languages
        other_score = romanisation.other_language_score
        for cand in candidates:
            kind = kinds.get(cand.entry, "other")
            if is_common_term(cand.entry, kind):
                cand.held = "proper-name-to-term"
            elif foreign_letter(cand.original):
                cand.held = "foreign-letters"
            elif cand.score < other_score and other_language(cand.original, other_languages):
                cand.held = "foreign-word"
            elif (
                foreign_spelling(
                    cand.original, cand.entry, cand.score, romanisation.other_spellings
                )
                is not None
            ):
                cand.held = "foreign-spelling"
            elif kind == "given-name" and not always:
                cand.held = "given-name"
            elif (
                not (kind == "given-name" and always)
                and name_neighbour(text, cand.start, cand.end, english_zipf, is_sentence_initial)
                is not None
                and not self._known_name_beside(text, cand, hits, kind)
            ):
                cand.held = "name-part"
        pending = [c for c in candidates if c.held is None]
        if pending and not evidence:
            self._evidence(text, pending, hits, before, after)
        for cand in pending:
            if (
                cand.held is None
                and cand.score < SHORT_NAME_SCORE
                and self._consonants(cand.entry) <= SHORT_NAME_CONSONANTS
            ):
                cand.held = "short-name"
            elif (
                cand.held is None
                and kinds.get(cand.entry) not in OPEN_KINDS
                and not (kinds.get(cand.entry) == "given-name" and always)
                and not self._own_entry_near(text, cand, hits)
            ):
                cand.held = "own-entry"
        for cand in candidates:
            if self.phonetic == "apply" and cand.held is None:
                yield (
                    cand.start,
                    cand.end,
                    cand.replacement,
                    "phonetic",
                    cand.score,
                    cand.reason,
                    cand.entry,
                    None,
                )
            else:
                note = (
                    cand.reason
                    if cand.held is None
                    else f"{cand.reason}; held: {HELD_REASONS[cand.held]}"
                )
                yield (
                    cand.start,
                    cand.end,
                    cand.replacement,
                    "phonetic-suggest",
                    cand.score,
                    note,
                    cand.entry,
                    cand.held,
                )

    def _consonants(self, canonical: str) -> int:
        """Consonants in the romanisation skeleton of an entry's canonical form (cached)."""
        count = self._consonant_counts.get(canonical)
        if count is None:
            romanisation = self._matcher.romanisation
            skeleton = romanisation.skeleton(
                romanisation.costs.plain(romanisation.form_key(canonical))
            )
            vowels = romanisation.costs.vowels
            count = sum(1 for c in skeleton if c.isalpha() and c not in vowels)
            if len(self._consonant_counts) < 1 << 16:
                self._consonant_counts[canonical] = count
        return count

    @staticmethod
    def _own_entry_near(
        text: str, cand: _Candidate, hits: Sequence[tuple[int, int, Entry]]
    ) -> bool:
        """Whether a table hit of the candidate's own entry stands within its evidence
        window (this text only)."""
        low, high = paragraph_window(text, cand.start, cand.end)
        return any(
            entry.canonical == cand.entry and low <= start and end <= high
            for start, end, entry in hits
        )

    @staticmethod
    def _known_name_beside(
        text: str, cand: _Candidate, hits: Sequence[tuple[int, int, Entry]], kind: str
    ) -> bool:
        """A surname beside a given name or person the table knows (Hamid Karzay): the
        candidate of a person entry next to such a table hit is not a word of an unknown
        name."""
        if kind != "person":
            return False
        for start, end, entry in hits:
            if entry.kind in ("given-name", "person") and (
                0 < cand.start - end <= 1 or 0 < start - cand.end <= 1
            ):
                return True
        return False

    def _evidence(
        self,
        text: str,
        pending: list[_Candidate],
        hits: Sequence[tuple[int, int, Entry]],
        before: str,
        after: str,
    ) -> None:
        """Mark ``held = "no-evidence"`` on the candidates with no evidence near them.

        Evidence: table hits of :data:`EVIDENCE_KINDS` in the text and in its context
        (``before``, ``after``), and candidates applied on evidence, to a fixed point."""
        window = EVIDENCE_WINDOW
        spans = [(s, e) for s, e, entry in hits if entry.kind in EVIDENCE_KINDS]
        shift = 0
        if before or after:
            before = before[-window:]
            after = after[:window]
            shift = len(before)
            for context, offset in ((before, 0), (after, shift + len(text))):
                for s, e, target in self._scanner.scan(context):
                    if self.table.entries[target].kind in EVIDENCE_KINDS:
                        spans.append((s + offset - shift, e + offset - shift))
            spans.sort()
            whole = before + text + after
        else:
            whole = text
        kinds = self._kinds
        waiting = list(pending)
        while waiting:
            starts = [s + shift for s, _ in spans]
            ends = [e + shift for _, e in spans]
            found = []
            for cand in waiting:
                low, high = paragraph_window(whole, cand.start + shift, cand.end + shift, window)
                if any_within(starts, ends, low, high):
                    found.append(cand)
            if not found:
                break
            for cand in found:
                waiting.remove(cand)
                if kinds.get(cand.entry) in EVIDENCE_KINDS:
                    spans.append((cand.start, cand.end))
            spans.sort()
        for cand in waiting:
            cand.held = "no-evidence"

    def _decide(self, token: str, sentence_initial: bool = False) -> tuple[Decision, bool]:
        """The matcher's decision on a token, and whether it came from the matcher for rare
        English words (see :data:`~normalise.evidence.RARE_WORD_ZIPF`): a token the English
        gates refuse gets a second look with those gates loosened; a winner then still
        needs evidence, as every candidate does."""
        decision = self._matcher.decide(token, sentence_initial=sentence_initial)
        if (
            decision.winner is None
            and self._rare is not None
            and decision.reason.startswith(("common English word", "English word: needs"))
            and self._rare.required_score(token) <= 1.0
        ):
            rare = self._rare.decide(token, sentence_initial=sentence_initial)
            if rare.winner is not None:
                return rare, True
        return decision, False

    def _phonetic_winners(self, text: str, taken: Sequence[tuple[int, int]]):
        """A :class:`_Candidate` for each winner of the matcher outside ``taken``, and the
        events of ambiguous tokens."""
        matcher = self._matcher
        decide = self._decide
        # Each distinct name token outside the table hits is decided once; only those the
        # matcher acts on are looked for in the text (in most chunks of running text there
        # are none), and those decided by where they stand (a rare English word, refused at a
        # sentence start only).
        wanted = [
            token
            for token in set(_PHONETIC_TOKEN.findall(_between(text, taken)))
            if matcher.depends_on_position(token) or _acts(decide(token)[0])
        ]
        if not wanted:
            return
        if len(wanted) <= _FEW_TOKENS:
            alternatives = "|".join(map(regex.escape, sorted(wanted, key=len, reverse=True)))
            matches = regex.finditer(rf"(?<![\w\p{{M}}])(?:{alternatives})(?![\w\p{{M}}])", text)
        else:
            found = frozenset(wanted)
            matches = (m for m in _PHONETIC_TOKEN.finditer(text) if m.group() in found)
        starts = [s for s, _ in taken]
        for match in matches:
            start, end = match.span()
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and taken[i][1] > start:
                continue  # inside a table hit
            if is_mentioned(text, start):
                continue  # a spelling mentioned as a spelling: left as written
            decision, rare = decide(match.group(), is_sentence_initial(text, start))
            if decision.winner is not None:
                winner = decision.winner
                replacement = cased(match.group(), winner.entry)
                if replacement != match.group():
                    yield _Candidate(
                        start,
                        end,
                        match.group(),
                        replacement,
                        winner.score,
                        (RARE_WORD_NOTE if rare else "") + decision.reason,
                        winner.entry,
                    )
            elif decision.reason.startswith("ambiguous") and decision.candidates:
                best = decision.candidates[0]
                yield (
                    start,
                    end,
                    cased(match.group(), best.entry),
                    "phonetic-ambiguous",
                    best.score,
                    decision.reason,
                    best.entry,
                    None,
                )

    @staticmethod
    def _apply(text: str, events) -> Result:
        pieces: list[str] = []
        subs: list[Substitution] = []
        pos = 0
        out = 0
        for start, end, replacement, rule, score, note, entry, *held in events:
            pieces.append(text[pos:start])
            out += start - pos
            original = text[start:end]
            if rule in ("table", "phonetic"):
                pieces.append(replacement)
                out_end = out + len(replacement)
            else:
                pieces.append(original)
                out_end = out + len(original)
            subs.append(
                Substitution(
                    original,
                    replacement,
                    start,
                    end,
                    out,
                    out_end,
                    rule,
                    entry,
                    round(score, 4),
                    note,
                    held[0] if held else None,
                )
            )
            out = out_end
            pos = end
        if not subs:
            return Result(text, [])
        pieces.append(text[pos:])
        return Result("".join(pieces), subs)

    def normalise_many(
        self,
        texts: Iterable[str],
        *,
        jobs: int = 1,
        batch_size: int | None = None,
        evidence_documents: int = 0,
    ) -> Iterator[Result]:
        """Normalise a stream of documents lazily, one result per text, in order; with
        ``jobs`` > 1 in that many worker processes, ``batch_size`` documents at a time (see
        :mod:`normalise.batch`).

        ``evidence_documents=N``: a table hit of a name (place, person, people, organisation)
        in any of the N documents before a document is evidence for every phonetic candidate
        in it (a corpus about the table's world); 0 (default): each document on its own. It
        reads the documents in order, so it needs ``jobs=1``."""
        if evidence_documents < 0:
            raise ValueError("evidence_documents must be 0 or more")
        if jobs > 1 and evidence_documents:
            raise ValueError("evidence_documents reads the documents in order: use jobs=1")
        if jobs > 1:
            from .batch import BATCH_SIZE, normalise_batched

            yield from normalise_batched(self, texts, jobs, batch_size or BATCH_SIZE)
            return
        since = evidence_documents + 1  # documents since the last one with evidence
        for text in texts:
            result = self.normalise(text, evidence=since <= evidence_documents)
            since = 1 if evidence_documents and self.has_evidence(result.text) else since + 1
            yield result

    def has_evidence(self, text: str) -> bool:
        """Whether ``text`` holds a table hit of a name kind that counts as evidence."""
        entries = self.table.entries
        return any(
            entries[target].kind in EVIDENCE_KINDS for _, _, target in self._scanner.scan(text)
        )

    # ------------------------------------------------------------------ explaining

    def explain(self, word: str, context: str | None = None) -> Explanation:
        """Say what would happen to ``word`` and why: standing alone (as the whole text), or
        at its first occurrence in ``context``, as :meth:`normalise` would decide there.

        Raises ValueError when ``word`` does not occur in ``context`` as a whole word."""
        text = word if context is None else context
        pos = 0  # alone, the word is the whole text (no pattern to compile: check asks often)
        if context is not None:
            found = regex.search(
                rf"(?<![\w\p{{M}}]){regex.escape(word)}(?![\w\p{{M}}])", text
            ) or regex.search(rf"(?<![\w\p{{M}}])(?i:{regex.escape(word)})(?![\w\p{{M}}])", text)
            if found is None:
                raise ValueError(f"'{word}' does not occur in the context as a word")
            pos, word = found.start(), found.group()
        base = self._explain_word(word, is_sentence_initial(text, pos))
        trace: list[tuple[int, int, str]] = []
        result, _ = self._pass(text, trace=trace)
        sub = next((s for s in result.substitutions if s.start <= pos < s.end), None)
        if sub is not None:
            if sub.applied:
                return Explanation(
                    word,
                    sub.replacement,
                    base.entry,
                    base.form,
                    base.decision,
                    base.reason
                    if sub.rule == "table" or not sub.note
                    else sub.note.split("; held: ")[0],
                )
            if sub.held is not None:
                return Explanation(
                    word,
                    word,
                    base.entry,
                    base.form,
                    base.decision,
                    f"held: {HELD_REASONS[sub.held]} (else -> {sub.replacement}: {base.reason})",
                    sub.held,
                )
            return Explanation(word, word, base.entry, base.form, base.decision, base.reason)
        held = next((held for start, end, held in trace if start <= pos < end), None)
        if held is None and base.result != word and is_mentioned(text, pos):
            held = "kept"
        if held is not None:
            return Explanation(
                word,
                word,
                base.entry,
                base.form,
                base.decision,
                HELD_REASONS[held]
                if base.result == word
                else f"held: {HELD_REASONS[held]} (else -> {base.result})",
                held,
            )
        return base

    def _explain_word(self, word: str, sentence_initial: bool) -> Explanation:
        """What the table or the matcher makes of ``word`` itself, before its context."""
        hits = self._scanner.scan(word)
        if hits and hits[0][0] == 0 and hits[0][1] == len(word):
            entry = self.table.entries[hits[0][2]]
            form = next(
                (
                    f
                    for f in entry.forms
                    for s in entry.spellings(f)
                    if match_key(s, entry.case_sensitive) == match_key(word, entry.case_sensitive)
                ),
                entry.canonical,
            )
            result = cased(word, entry.canonical, entry.case_sensitive)
            why = (
                "is the canonical form"
                if result == word
                else f"is a {'variant' if form != entry.canonical else 'spelling'} "
                f"'{form}' of the table entry '{entry.canonical}'"
            )
            return Explanation(
                word, result, entry, form, None, f"{why} ({entry.kind}, {entry.file}:{entry.line})"
            )
        if self._matcher is None:
            return Explanation(word, word, reason="not in the table; phonetic matcher is off")
        decision = self._matcher.decide(word, sentence_initial=sentence_initial)
        result = cased(word, decision.winner.entry) if decision.winner else word
        return Explanation(word, result, None, None, decision, decision.reason)

    # ------------------------------------------------------------------ pickling

    def __getstate__(self):
        return {
            "table": self.table,
            "phonetic": self.phonetic,
            "min_score": self.min_score,
            "margin": self.margin,
            "keep": self.keep,
            "keeping": self._keep,
            "given_names": self.given_names,
            "kinds": self._kinds,
            "scanner": self._scanner,
            "matcher": self._matcher,
            "chaining": self._settling.chaining,
            "embedded_keys": self._settling.embedded_keys,
        }

    def __reduce__(self):
        # Canonical bytes (sets in sorted order): the same tables and options pickle alike in
        # every process, before and after use, so a ``datasets`` fingerprint is stable.
        from .state import reduce_normaliser

        return reduce_normaliser(self)

    def __setstate__(self, state) -> None:
        self.table = state["table"]
        self.phonetic = state["phonetic"]
        self.min_score = state["min_score"]
        self.margin = state["margin"]
        self.keep = state["keep"]
        self._keep = state["keeping"]
        self.given_names = state["given_names"]
        self._kinds = state["kinds"]
        self._consonant_counts = {}
        self._scanner = state["scanner"]
        self._matcher = state["matcher"]
        self._rare = rare_word_matcher(self._matcher)
        self._settling = self._build_settling(state["chaining"], state["embedded_keys"])


@cache
def default_normaliser() -> Normaliser:
    """``Normaliser.cached()`` (default table, phonetic matcher), built once per process: what
    the integrations (pandas, Polars) use when they are given no normaliser."""
    return Normaliser.cached()
