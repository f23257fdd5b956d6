"""Decide and apply: the :class:`Normaliser` rewrites table hits and phonetic matches and builds
a :class:`Result` that records every substitution.

Table hits come from the scanner (one pass, whole words). Tokens that no table form covers and
that look like names go to the phonetic matcher, which rewrites only when sure. Casing: an
ALL-CAPS original stays all caps, a capitalised original capitalises a lower-case canonical
form, otherwise the canonical form is written as the table spells it.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from .log import Substitution
from .scan import LINE_BREAKS, Scanner, fold_form, match_key
from .settle import MAX_PASSES, Chaining, chaining_forms, compose
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
_MARKS = regex.compile(r"\p{M}")
# The nearest word before or after a position, looked for this far away at most (beyond,
# the rewrite gets a full look).
_WORD_BEFORE = regex.compile(r"(?r)[\w\p{M}]+")
_WORD_AFTER = regex.compile(r"[\w\p{M}]+")
_NEAR = 64
_LINE_START = regex.compile(r"(?r)[\n\r\u2028\u2029]")
_LINE_END = regex.compile(r"[\n\r\u2028\u2029]")
#: Up to this many distinct name tokens to look for, one alternation finds them.
_FEW_TOKENS = 32
_CLOSERS = frozenset(" \t\"'”’»)]}\u00a0")


def cased(original: str, canonical: str, case_sensitive: bool = False) -> str:
    """The canonical form in the casing the original calls for.

    Capitals never change a form's key: a letter whose capital would (ß: SS) stays as it is,
    so that the result is still the canonical form and no other entry's."""
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
    if text.isascii():
        return text.isupper() and sum(c.isalpha() for c in text) >= 2
    return (sum(c.isalpha() for c in text) >= 2 and any(c.isupper() for c in text)
            and all(_capital(c) == c for c in text))


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


def _lines_around(text: str, positions: Sequence[int]) -> list[tuple[int, int]]:
    """The spans of the lines that hold ``positions`` (sorted), each once. Lines end at the
    breaks that also end a sentence, so that a line reads the same alone."""
    spans: list[tuple[int, int]] = []
    for pos in positions:
        if spans and pos < spans[-1][1]:
            continue
        before = _LINE_START.search(text, 0, pos)
        after = _LINE_END.search(text, pos)
        spans.append((before.end() if before else 0, after.start() if after else len(text)))
    return spans


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
        self._scanner, spelled, self._embedded_keys = self._build_scanner(table)
        self._matcher = self._build_matcher() if phonetic != "off" else None
        self._chaining = self._chaining_forms(table, self._scanner, spelled)

    @classmethod
    def cached(cls, tables: Iterable[TableSource] = (), *, default_table: bool = True,
               phonetic: str = "apply", min_score: float | None = None,
               margin: float | None = None, cache_dir: os.PathLike[str] | None = None
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

    @staticmethod
    def _chaining_forms(table: Table, scanner: Scanner, spelled: set[str]) -> Chaining:
        """Canonical forms whose rewrites may need another pass (see :mod:`normalise.settle`)."""
        forms = {}
        for entry in table.entries:
            spellings = None if entry.case_sensitive else sorted(
                {fold_form(s) for f in entry.forms for s in entry.spellings(f)})
            forms[entry.canonical] = (fold_form(entry.canonical), spellings)
        return chaining_forms(forms, scanner.patterns, spelled)

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
        """Normalise one text; the result records every substitution.

        Idempotent: where a rewrite makes a new match (overlapping forms of two entries),
        further passes run until nothing changes, and their records are composed with the
        first pass's (see :mod:`normalise.settle`)."""
        if not isinstance(text, str):
            raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
        result, taken = self._pass(text)
        unsettled = self._unsettled(result, taken) if result.changed else []
        if not unsettled:
            return result
        records, current = result.substitutions, result.text
        for _ in range(MAX_PASSES):
            current, again, unsettled = self._pass_lines(current, unsettled)
            if not again:
                break
            records = compose(text, records, again, current)
            if not unsettled:
                break
        return Result(current, records)

    def _pass_lines(self, text: str, positions: Sequence[int]
                    ) -> tuple[str, list[Substitution], list[int]]:
        """A further pass over the lines that hold ``positions``: the new text, the pass's
        records in the coordinates of ``text``, and where it may still change. A line is a
        unit of its own (no form spans a line break, and a sentence starts after one), so
        passing over it alone gives what a pass over the whole text gives there."""
        pieces: list[str] = []
        records: list[Substitution] = []
        unsettled: list[int] = []
        pos = shift = 0
        for low, high in _lines_around(text, positions):
            result, taken = self._pass(text[low:high])
            if not result.changed:
                continue
            out_low = low + shift
            records.extend(s._replace(start=s.start + low, end=s.end + low,
                                      out_start=s.out_start + out_low,
                                      out_end=s.out_end + out_low)
                           for s in result.substitutions if s.applied)
            unsettled.extend(p + out_low for p in self._unsettled(result, taken))
            pieces += [text[pos:low], result.text]
            shift += len(result.text) - (high - low)
            pos = high
        if not records:
            return text, [], []
        pieces.append(text[pos:])
        return "".join(pieces), records, unsettled

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

    def _unsettled(self, result: Result, taken: Sequence[tuple[int, int]]) -> list[int]:
        """Where another pass over ``result.text`` could change it (output offsets of the
        rewrites concerned): cheap, and never empty when it could. Only rewrites to forms
        that other patterns can overlap get a look at the text around them (those that a
        longer form holds, only where the table compiler has not spelled it with each
        variant, or where another table hit stands close), and a rewrite that ends a sentence
        differently is checked for a name token after it, which the phonetic matcher judges
        by whether it starts a sentence."""
        text = result.text
        chaining = self._chaining
        found: list[int] = []
        near: list[Substitution] = []
        for sub in result.substitutions:
            if not sub.applied:
                continue
            entry = sub.entry
            if (entry in chaining.crossing or entry in chaining.uncovered or
                    (entry in chaining.contained and not self._covered(taken, sub))) and \
                    self._neighbours_fit(text, sub):
                near.append(sub)
            elif self.phonetic == "apply" and self._next_name_changes(text, sub):
                found.append(sub.out_start)
        if near:
            disturbed = self._disturbed(text, near)
            found.extend(sub.out_start for sub, bad in zip(near, disturbed) if bad or (
                self.phonetic == "apply" and self._next_name_changes(text, sub)))
            found.sort()
        return found

    def _neighbours_fit(self, text: str, sub: Substitution) -> bool:
        """Whether the words right before and after a rewrite (in its line) are ones that a
        pattern overlapping its form has there: a pattern can match only where they are."""
        before = self._chaining.before.get(sub.entry, frozenset())
        after = self._chaining.after.get(sub.entry, frozenset())
        if "" in before or "" in after:
            return True
        start, end = sub.out_start, sub.out_end
        if before:
            word = _WORD_BEFORE.search(text, max(0, start - _NEAR), start)
            if word is None and start > _NEAR or word and \
                    not _LINE_END.search(text, word.end(), start) and \
                    fold_form(word.group()).rsplit(" ", 1)[-1] in before:
                return True
        if after:
            word = _WORD_AFTER.search(text, end, end + _NEAR)
            if word is None and end + _NEAR < len(text) or word and \
                    not _LINE_END.search(text, end, word.start()) and \
                    fold_form(word.group()).split(" ", 1)[0] in after:
                return True
        return False

    def _covered(self, taken: Sequence[tuple[int, int]], sub: Substitution) -> bool:
        """Whether a longer form holding the rewritten one would have matched in this pass
        already: true for a table rewrite of one of the entry's own spellings (the compiler
        spelled each longer form with it) unless another table hit stands within reach in
        the input, which may have kept that longer form from matching."""
        if sub.rule != "table" or sub.note or match_key(sub.original) in self._embedded_keys:
            return False
        reach = self._reach(sub.entry)
        i = bisect.bisect_left(taken, sub.start, key=lambda span: span[0])
        before = taken[i - 1] if i > 0 else None
        after = taken[i + 1] if i + 1 < len(taken) else None
        return not ((before is not None and sub.start - before[1] < reach) or
                    (after is not None and after[0] - sub.end < reach))

    def _reach(self, canonical: str, marks: bool = True) -> int:
        """How far from a rewrite to ``canonical`` a pattern overlapping it can reach in a
        text: its folded length, twice that where combining marks (dropped in folding) may
        make the text longer."""
        reach = self._chaining.reach.get(canonical, 0) + 2
        return 2 * reach if marks else reach

    def _disturbed(self, text: str, subs: Sequence[Substitution]) -> list[bool]:
        """For each rewrite, False when its span of ``text`` is a table hit that would stay as
        it is and no other hit overlaps or touches it (hits nested in it lose to it). One scan
        over the windows around them all, joined by line breaks (which no form spans)."""
        windows: list[list[int]] = []
        marks = not text.isascii() and _MARKS.search(text) is not None
        for sub in subs:
            reach = self._reach(sub.entry, marks)
            low = max(0, sub.out_start - reach)
            high = min(len(text), sub.out_end + reach)
            while low > 0 and not text[low - 1].isspace() and sub.out_start - low < 2 * reach:
                low -= 1
            while high < len(text) and not text[high].isspace() and high - sub.out_end < 2 * reach:
                high += 1
            if windows and low <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], high)
            else:
                windows.append([low, high])
        bases, pieces, size = [], [], 0
        for low, high in windows:
            bases.append(size)
            pieces.append(text[low:high])
            size += high - low + 1
        hits: list[tuple[int, int, int]] = []
        for start, neg_end, target in self._scanner.scan_overlapping("\n".join(pieces)):
            i = bisect.bisect_right(bases, start) - 1
            shift = windows[i][0] - bases[i]
            hits.append((start + shift, shift - neg_end, target))
        hits.sort()
        longest = max((end - start for start, end, _ in hits), default=0)
        out = []
        for sub in subs:
            start, end = sub.out_start, sub.out_end
            first = bisect.bisect_left(hits, (start - longest,))
            found = bad = False
            for k in range(first, len(hits)):  # not hits[first:]: a copy per rewrite
                hit_start, hit_end, target = hits[k]
                if hit_start > end:
                    break
                if hit_end < start or start <= hit_start and hit_end <= end and \
                        (hit_start, hit_end) != (start, end):
                    continue  # apart, or nested in the rewrite
                if (hit_start, hit_end) != (start, end) or self._table_event(
                        text, start, end, self.table.entries[target]) is not None:
                    bad = True
                    break
                found = True
            out.append(bad or not found)
        return out

    def _next_name_changes(self, text: str, sub: Substitution) -> bool:
        """Whether the name token after a rewrite (only openers between) would now be
        judged otherwise, the rewrite having changed how the sentence reads there."""
        if _sentence_tail(sub.original) == _sentence_tail(sub.replacement):
            return False
        pos = sub.out_end
        while pos < len(text) and text[pos] in _OPENERS:
            pos += 1
        token = _NAME_TOKEN.match(text, pos)
        if token is None:
            return False
        decision = self._matcher.decide(token.group(),
                                        sentence_initial=is_sentence_initial(text, pos))
        return _acts(decision)

    def _phonetic_events(self, text: str, taken: Sequence[tuple[int, int]]):
        decide = self._matcher.decide
        # A token the matcher does nothing with mid-sentence is left alone anywhere (at a
        # sentence start only the gates refuse more), so only the others are looked for,
        # and in most chunks of running text there are none.
        active = [token for token in set(_NAME_TOKEN.findall(text))
                  if _acts(decide(token))]
        if not active:
            return
        if len(active) <= _FEW_TOKENS:
            alternatives = "|".join(map(regex.escape, sorted(active, key=len, reverse=True)))
            matches = regex.finditer(rf"(?<![\w\p{{M}}])(?:{alternatives})(?![\w\p{{M}}])",
                                     text)
        else:
            wanted = frozenset(active)
            matches = (m for m in _NAME_TOKEN.finditer(text) if m.group() in wanted)
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
                "chaining": self._chaining,
                "embedded_keys": self._embedded_keys}

    def __setstate__(self, state) -> None:
        self.table = state["table"]
        self.phonetic = state["phonetic"]
        self.min_score = state["min_score"]
        self.margin = state["margin"]
        self._scanner = state["scanner"]
        self._matcher = state["matcher"]
        self._chaining = state["chaining"]
        self._embedded_keys = state["embedded_keys"]
