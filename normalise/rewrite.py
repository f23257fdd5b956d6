"""Decide and apply: the :class:`Normaliser` rewrites table hits and phonetic matches and builds
a :class:`Result` that records every substitution.

Table hits come from the scanner (one pass, whole words). Tokens that no table form covers and
that look like names go to the phonetic matcher, which rewrites only when sure. Casing: an
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

from .log import Substitution
from .scan import LINE_BREAKS, Scanner, fold_form, match_key
from .settle import MAX_PASSES, Chaining, Settling, compose, table_chaining
from .surnames import with_surnames
from .table import Entry, Table, TableSource, iter_spellings, load_table, resolve

if TYPE_CHECKING:
    from .phonetic import Decision, PhoneticMatcher

PHONETIC_MODES = ("off", "suggest", "apply")
#: Entry kinds the phonetic matcher may map unseen spellings to (not house spelling).
PHONETIC_KINDS = frozenset({"place", "person", "given-name", "people", "organisation", "term",
                            "other"})

# A capitalised word of at least four letters, not inside a longer word.
_NAME_TOKEN = regex.compile(r"(?<![\w\p{M}])\p{Lu}[\p{L}\p{M}]{3,}(?![\w\p{M}])")
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
    return (all(_capital(c) == c for c in text) and any(c.isupper() for c in text)
            and sum(c.isalpha() for c in text) >= 2)


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
                if inner.case_sensitive or (start, end) == (0, len(spelling)) or \
                        match_key(spelling[start:end]) not in canonical_keys[target]:
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
    if last == sub.replacement[-1] and last not in _OPENERS or \
            _sentence_tail(sub.original) == _sentence_tail(sub.replacement):
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

    def normalised_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the input to the output; a cut substitution is taken whole."""
        return (self._map(start, "start", "end", "out_start", "out_end", True),
                self._map(end, "start", "end", "out_start", "out_end", False))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the output back to the input; a cut substitution is taken whole."""
        return (self._map(start, "out_start", "out_end", "start", "end", True),
                self._map(end, "out_start", "out_end", "start", "end", False))

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


class Normaliser:
    """Built once (compiled scanner, phonetic index), then used for any number of texts.

    Picklable, so worker processes can receive it.
    """

    def __init__(self, tables: Iterable[TableSource] = (), *, default_table: bool = True,
                 phonetic: str = "apply", min_score: float | None = None,
                 margin: float | None = None, table: Table | None = None) -> None:
        if phonetic not in PHONETIC_MODES:
            raise ValueError(f"phonetic must be one of {PHONETIC_MODES}, not {phonetic!r}")
        if table is None:
            sources = (["default"] if default_table else []) + list(tables)
            table = load_table(*sources) if sources else Table((), ())
        table = with_surnames(table)  # a person also by surname alone (normalise.surnames)
        self.table = table
        self.phonetic = phonetic
        self.min_score = min_score
        self.margin = margin
        self._scanner, spelled, embedded_keys = self._build_scanner(table)
        self._matcher = self._build_matcher() if phonetic != "off" else None
        self._settling = self._build_settling(
            table_chaining(table.entries, self._scanner.patterns, spelled), embedded_keys)

    @classmethod
    def cached(cls, tables: Iterable[TableSource] = (), *, default_table: bool = True,
               phonetic: str = "apply", min_score: float | None = None,
               margin: float | None = None, cache_dir: str | os.PathLike[str] | None = None
               ) -> Normaliser:
        """The same as ``Normaliser(...)``, taken from the on-disk cache of built tables when
        these table files and options were built before (see :mod:`normalise.cache`); the
        command uses it unless given ``--no-cache``."""
        from . import cache

        tables = list(tables)

        def build() -> Normaliser:
            return cls(tables, default_table=default_table, phonetic=phonetic,
                       min_score=min_score, margin=margin)

        sources = (["default"] if default_table else []) + tables
        files = [resolve(source) for source in sources]

        def key() -> str:
            return cache.cache_key(files, (sources, phonetic, min_score, margin))

        try:
            if not all(path.is_file() for path in files):  # a pipe can be read only once
                return build()
            first = key()
        except OSError:  # an unreadable table: the build says so, file named
            return build()
        return cache.load_or_build(first, build, None if cache_dir is None else Path(cache_dir),
                                   unchanged=lambda: key() == first)

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
        next_name_changes = (partial(_next_name_changes, self._matcher)
                             if self.phonetic == "apply" else None)
        return Settling(chaining, self._scanner, self.table.entries, embedded_keys,
                        self._table_event, next_name_changes)

    def _build_matcher(self) -> PhoneticMatcher:
        from .phonetic import DEFAULT_MARGIN, DEFAULT_MIN_SCORE, PhoneticMatcher

        names = [(e.canonical, e.forms) for e in self.table.entries
                 if e.kind in PHONETIC_KINDS and not e.case_sensitive and e.phonetic]
        protected = [f for e in self.table.entries
                     if e.kind not in PHONETIC_KINDS or e.case_sensitive or not e.phonetic
                     for f in e.forms]
        return PhoneticMatcher(
            names, protected=protected,
            min_score=DEFAULT_MIN_SCORE if self.min_score is None else self.min_score,
            margin=DEFAULT_MARGIN if self.margin is None else self.margin)

    # ------------------------------------------------------------------ normalising

    def normalise(self, text: str) -> Result:
        """Normalise one text; the result records every substitution.

        Idempotent: where a rewrite makes a new match (overlapping forms of two entries),
        further passes run until nothing changes, and their records are composed with the
        first pass's (see :mod:`normalise.settle`)."""
        if not isinstance(text, str):
            raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
        result, taken = self._pass(text)
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

    def _pass(self, text: str) -> tuple[Result, list[tuple[int, int]]]:
        """One pass: table hits (leftmost, longest), then name tokens outside them. Returns
        the result and the spans of the table hits taken."""
        entries = self.table.entries
        events: list[tuple[int, int, str, str, float, str | None, str]] = []
        taken = []
        for start, end, target in self._scanner.scan(text):
            taken.append((start, end))
            event = self._table_event(text, start, end, entries[target])
            if event is not None:
                events.append(event)
        if self._matcher is not None:
            events.extend(self._phonetic_events(text, taken))
            events.sort(key=lambda e: e[0])
        return self._apply(text, events), taken

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

    def _phonetic_events(self, text: str, taken: Sequence[tuple[int, int]]):
        matcher = self._matcher
        decide = matcher.decide
        # Each distinct name token outside the table hits is decided once; only those the
        # matcher acts on are looked for in the text (in most chunks of running text there
        # are none), and those decided by where they stand (a rare English word, refused at a
        # sentence start only).
        wanted = [token for token in set(_NAME_TOKEN.findall(_between(text, taken)))
                  if matcher.depends_on_position(token) or _acts(decide(token))]
        if not wanted:
            return
        if len(wanted) <= _FEW_TOKENS:
            alternatives = "|".join(map(regex.escape, sorted(wanted, key=len, reverse=True)))
            matches = regex.finditer(rf"(?<![\w\p{{M}}])(?:{alternatives})(?![\w\p{{M}}])",
                                     text)
        else:
            found = frozenset(wanted)
            matches = (m for m in _NAME_TOKEN.finditer(text) if m.group() in found)
        starts = [s for s, _ in taken]
        for match in matches:
            start, end = match.span()
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and taken[i][1] > start:
                continue  # inside a table hit
            decision = decide(match.group(), sentence_initial=is_sentence_initial(text, start))
            if decision.winner is not None:
                winner = decision.winner
                rule = "phonetic" if self.phonetic == "apply" else "phonetic-suggest"
                replacement = cased(match.group(), winner.entry)
                if replacement != match.group():
                    yield (start, end, replacement, rule, winner.score, decision.reason,
                           winner.entry)
            elif decision.reason.startswith("ambiguous") and decision.candidates:
                best = decision.candidates[0]
                yield (start, end, cased(match.group(), best.entry), "phonetic-ambiguous",
                       best.score, decision.reason, best.entry)

    @staticmethod
    def _apply(text: str, events) -> Result:
        pieces: list[str] = []
        subs: list[Substitution] = []
        pos = 0
        out = 0
        for start, end, replacement, rule, score, note, entry in events:
            pieces.append(text[pos:start])
            out += start - pos
            original = text[start:end]
            if rule in ("table", "phonetic"):
                pieces.append(replacement)
                out_end = out + len(replacement)
            else:
                pieces.append(original)
                out_end = out + len(original)
            subs.append(Substitution(original, replacement, start, end, out, out_end, rule,
                                     entry, round(score, 4), note))
            out = out_end
            pos = end
        if not subs:
            return Result(text, [])
        pieces.append(text[pos:])
        return Result("".join(pieces), subs)

    def normalise_many(self, texts: Iterable[str]) -> Iterator[Result]:
        """Normalise a stream of documents lazily, one result per text."""
        for text in texts:
            yield self.normalise(text)

    # ------------------------------------------------------------------ explaining

    def explain(self, word: str) -> Explanation:
        """Say what would happen to ``word`` and why."""
        hits = self._scanner.scan(word)
        if hits and hits[0][0] == 0 and hits[0][1] == len(word):
            entry = self.table.entries[hits[0][2]]
            form = next((f for f in entry.forms for s in entry.spellings(f)
                         if match_key(s, entry.case_sensitive)
                         == match_key(word, entry.case_sensitive)), entry.canonical)
            result = cased(word, entry.canonical, entry.case_sensitive)
            why = ("is the canonical form" if result == word
                   else f"is a {'variant' if form != entry.canonical else 'spelling'} "
                        f"'{form}' of the table entry '{entry.canonical}'")
            return Explanation(word, result, entry, form, None,
                               f"{why} ({entry.kind}, {entry.file}:{entry.line})")
        if self._matcher is None:
            return Explanation(word, word, reason="not in the table; phonetic matcher is off")
        decision = self._matcher.decide(word)
        result = cased(word, decision.winner.entry) if decision.winner else word
        return Explanation(word, result, None, None, decision, decision.reason)

    # ------------------------------------------------------------------ pickling

    def __getstate__(self):
        return {"table": self.table, "phonetic": self.phonetic, "min_score": self.min_score,
                "margin": self.margin, "scanner": self._scanner, "matcher": self._matcher,
                "chaining": self._settling.chaining,
                "embedded_keys": self._settling.embedded_keys}

    def __setstate__(self, state) -> None:
        self.table = state["table"]
        self.phonetic = state["phonetic"]
        self.min_score = state["min_score"]
        self.margin = state["margin"]
        self._scanner = state["scanner"]
        self._matcher = state["matcher"]
        self._settling = self._build_settling(state["chaining"], state["embedded_keys"])
