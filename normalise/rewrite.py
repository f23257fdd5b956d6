"""Decide and apply: the :class:`Normaliser` rewrites table hits and phonetic matches and builds
a :class:`Result` that records every substitution.

Table hits come from the scanner (one pass, whole words). Tokens that no table form covers and
that look like names go to the phonetic matcher, which rewrites only when sure. Casing: an
ALL-CAPS original stays all caps, a capitalised original capitalises a lower-case canonical
form, otherwise the canonical form is written as the table spells it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from .log import Substitution
from .scan import Scanner, fold_form, match_key
from .table import Entry, Table, TableSource, iter_spellings, load_table

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


def cased(original: str, canonical: str, case_sensitive: bool = False) -> str:
    """The canonical form in the casing the original calls for."""
    if case_sensitive:
        return canonical
    if original.isupper() and sum(c.isalpha() for c in original) >= 2:
        return canonical.upper()
    if original[:1].isupper() and canonical[:1].islower():
        return canonical[:1].upper() + canonical[1:]
    return canonical


_MULTI_WORD = regex.compile(r"[\s\-\u2010\u2011]")
#: Most spellings one multi-word form gains from the variants of the names inside it.
MAX_EMBEDDED_SPELLINGS = 64


def _embedded_variants(table: Table, scanner: Scanner) -> dict[str, int]:
    """Spellings of multi-word forms with a name inside them written as one of its variants
    (Tehrik-i-Taleban for Tehrik-i-Taliban, Gholam Rabani for Ghulam Rabani).

    Without them one pass would rewrite only the inner name, and the whole form would match
    only on a second pass: normalising would not be idempotent."""
    entries = table.entries
    extra: dict[str, int] = {}
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
                if target == index or inner.case_sensitive or (start, end) == (0, len(spelling)):
                    continue
                for form in inner.forms:
                    for variant in inner.spellings(form):
                        new = spelling[:start] + variant + spelling[end:]
                        key = match_key(new)
                        if key in scanner.keys or new in extra or added >= MAX_EMBEDDED_SPELLINGS:
                            continue
                        extra[new] = index
                        added += 1
    return extra


def is_sentence_initial(text: str, start: int) -> bool:
    """True when only openers (quotes, brackets, spaces) stand between ``start`` and the
    beginning of the text, a line or a sentence."""
    pos = start - 1
    while pos >= 0 and text[pos] in _OPENERS:
        pos -= 1
    return pos < 0 or text[pos] in _SENTENCE_END


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
        self.table = table
        self.phonetic = phonetic
        self.min_score = min_score
        self.margin = margin
        self._scanner = self._build_scanner(table)
        self._matcher = self._build_matcher() if phonetic != "off" else None

    @property
    def matcher(self) -> PhoneticMatcher | None:
        """The phonetic matcher (None when ``phonetic="off"``)."""
        return self._matcher

    @staticmethod
    def _build_scanner(table: Table) -> Scanner:
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
        extra = _embedded_variants(table, scanner)
        if not extra:
            return scanner
        for spelling, index in extra.items():
            keys[match_key(spelling)] = index
            patterns.append(fold_form(spelling))
        return Scanner(keys, exact, patterns)

    def _build_matcher(self) -> PhoneticMatcher:
        from .phonetic import DEFAULT_MARGIN, DEFAULT_MIN_SCORE, PhoneticMatcher

        names = [(e.canonical, e.forms) for e in self.table.entries
                 if e.kind in PHONETIC_KINDS and not e.case_sensitive]
        protected = [f for e in self.table.entries
                     if e.kind not in PHONETIC_KINDS or e.case_sensitive for f in e.forms]
        return PhoneticMatcher(
            names, protected=protected,
            min_score=DEFAULT_MIN_SCORE if self.min_score is None else self.min_score,
            margin=DEFAULT_MARGIN if self.margin is None else self.margin)

    # ------------------------------------------------------------------ normalising

    def normalise(self, text: str) -> Result:
        """Normalise one text; the result records every substitution."""
        if not isinstance(text, str):
            raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
        entries = self.table.entries
        events: list[tuple[int, int, str, str, float, str | None, str]] = []
        taken = []
        for start, end, target in self._scanner.scan(text):
            entry = entries[target]
            original = text[start:end]
            replacement = cased(original, entry.canonical, entry.case_sensitive)
            taken.append((start, end))
            if replacement != original:
                events.append((start, end, replacement, "table", 1.0, None, entry.canonical))
        if self._matcher is not None:
            events.extend(self._phonetic_events(text, taken))
            events.sort(key=lambda e: e[0])
        return self._apply(text, events)

    def _phonetic_events(self, text: str, taken: Sequence[tuple[int, int]]):
        starts = [s for s, _ in taken]
        decide = self._matcher.decide
        for match in _NAME_TOKEN.finditer(text):
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
                "margin": self.margin, "scanner": self._scanner, "matcher": self._matcher}

    def __setstate__(self, state) -> None:
        self.table = state["table"]
        self.phonetic = state["phonetic"]
        self.min_score = state["min_score"]
        self.margin = state["margin"]
        self._scanner = state["scanner"]
        self._matcher = state["matcher"]
