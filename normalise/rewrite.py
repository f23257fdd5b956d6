"""Decide and apply: the :class:`Normaliser` rewrites table hits and phonetic matches and builds
a :class:`Result` that records every substitution.

A pass: the table part runs in the core (:mod:`normalise.compile`: whole-word hits, kept forms
and spellings mentioned as spellings left as written, a given name inside a full name too);
tokens that no table form covers and that look like names go to the phonetic weighing
(:mod:`normalise.weigh`), which applies a matcher's proposal only with evidence and in the
right context; the core then writes the events out (:mod:`normalise.casing` says how a
rewrite is cased). One pass is not always enough for idempotence: the settling loop
(:mod:`normalise.settle`) runs after the first pass.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from .casing import cased
from .compile import (
    PHONETIC_KINDS,
    CompiledTable,
    Core,
    Left,
    TablePass,
    compile_table,
    load_core,
)
from .events import Event, Hit, Result, Rule, Span
from .evidence import EVIDENCE_KINDS, HELD_REASONS
from .keep import is_mentioned
from .options import PHONETIC_MODES, Options
from .own_spellings import OwnSpellings
from .scan import match_key
from .sentence import is_sentence_initial
from .settle import Settling
from .surnames import with_surnames
from .table import Entry, Table, TableSource, load_table, resolve

if TYPE_CHECKING:
    from .phonetic import Decision, PhoneticMatcher
    from .weigh import Weighing

__all__ = [
    "PHONETIC_KINDS",
    "PHONETIC_MODES",
    "Explanation",
    "Normaliser",
    "Options",
    "Result",
    "cased",
    "default_normaliser",
    "is_sentence_initial",
]


def _options(
    options: Options | None,
    tables: Iterable[TableSource],
    default_table: bool,
    phonetic: str,
    min_score: float | None,
    margin: float | None,
    table: Table | None,
    keep: Iterable[str],
    given_names: str,
) -> Options:
    """The options of ``Normaliser(...)`` and ``Normaliser.cached(...)``: ``options`` as given,
    or the keyword arguments as one :class:`Options`; both at once is an error (a keyword
    would be silently ignored)."""
    if options is not None:
        given = (tables, default_table, phonetic, min_score, margin, table, keep, given_names)
        if given != ((), True, "apply", None, None, None, (), "alone"):
            raise TypeError("give the options as options= or as keyword arguments, not both")
        return options
    if isinstance(keep, str):
        raise TypeError("keep takes an iterable of forms, not one string")
    return Options(
        tables=tuple(tables) if not isinstance(tables, (str, os.PathLike)) else (tables,),
        default_table=default_table,
        phonetic=phonetic,
        min_score=min_score,
        margin=margin,
        table=table,
        keep=tuple(keep),
        given_names=given_names,
    )


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


def build(options: Options) -> CompiledTable:
    """The compiled table of ``options``: its tables loaded (or its built ``table``), the
    surnames of persons added (:mod:`normalise.surnames`), compiled."""
    table = options.table
    if table is None:
        sources = options.sources
        table = load_table(*sources) if sources else Table((), ())
    return compile_table(with_surnames(table), options)


class Normaliser:
    """Built once (compiled table, phonetic index), then used for any number of texts.

    ``Normaliser(tables, phonetic=..., ...)`` takes the options as keyword arguments, or
    ``Normaliser(options=Options(...))`` as one value (:class:`~normalise.options.Options`,
    which says what each means). Picklable, so worker processes can receive it.
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
        options: Options | None = None,
    ) -> None:
        options = _options(
            options, tables, default_table, phonetic, min_score, margin, table, keep, given_names
        )
        self._start(build(options))

    @classmethod
    def from_compiled(cls, compiled: CompiledTable) -> Normaliser:
        """The normaliser of a compiled table (what the cache stores)."""
        normaliser = cls.__new__(cls)
        normaliser._start(compiled)
        return normaliser

    def _start(self, compiled: CompiledTable) -> None:
        """Set up the per-process parts of a normaliser: its core, weighing and settling."""
        self.compiled = compiled
        self.options = compiled.options
        self._core: Core = load_core(compiled)
        #: people's own spellings held (None: ``given_names="always"`` folds them too)
        self._own_spellings = (
            OwnSpellings(compiled.table.entries)
            if compiled.options.given_names != "always"
            else None
        )
        self._weighing: Weighing | None = None
        if compiled.matcher is not None:
            # weigh (with the gazetteer) only where there is a matcher: 1.5 ms of each
            # --phonetic off start; imported here, before a --jobs command forks its workers
            from .weigh import Weighing

            self._weighing = Weighing(compiled, self._own_spellings)
        self._settling = Settling(
            compiled, compiled.matcher if compiled.options.phonetic == "apply" else None
        )

    # The options and the table, as attributes (the public API before Options).
    @property
    def table(self) -> Table:
        """The table in use (with the surnames of its persons added)."""
        return self.compiled.table

    @property
    def phonetic(self) -> str:
        return self.options.phonetic

    @property
    def min_score(self) -> float | None:
        return self.options.min_score

    @property
    def margin(self) -> float | None:
        return self.options.margin

    @property
    def keep(self) -> tuple[str, ...]:
        return self.options.keep

    @property
    def given_names(self) -> str:
        return self.options.given_names

    @property
    def matcher(self) -> PhoneticMatcher | None:
        """The phonetic matcher (None when ``phonetic="off"``)."""
        return self.compiled.matcher

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
        options: Options | None = None,
    ) -> Normaliser:
        """The same as ``Normaliser(...)``, taken from the on-disk cache of built tables when
        these table files and options were built before (see :mod:`normalise.cache`); the
        compiled table is what the cache stores."""
        from . import cache

        options = _options(
            options, tables, default_table, phonetic, min_score, margin, None, keep, given_names
        )
        if options.table is not None:  # a built table has no files to key the cache by
            return cls(options=options)

        files = [resolve(source) for source in options.sources]

        def key() -> str:
            return cache.cache_key(files, options.cache_key())

        try:
            if not all(path.is_file() for path in files):  # a pipe can be read only once
                return cls(options=options)
            first = key()
        except OSError:  # an unreadable table: the build says so, file named
            return cls(options=options)
        compiled = cache.load_or_build(
            first,
            lambda: build(options),
            None if cache_dir is None else Path(cache_dir),
            unchanged=lambda: key() == first,
            kind=CompiledTable,
        )
        return cls.from_compiled(compiled)

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
        result, taken, held = self._pass(text, before, after, evidence)
        if not result.changed:
            return result
        settled = self._settling.settle(text, result, taken, self._pass, held)
        if len(settled.text) == len(text) and settled.text == text:
            # rewrites that undo one another (forms of two entries that chain: "Aaaa Aaaa
            # Aaaa" -> "Aaaa" beside "Aaaaa" -> "Aaaa Aaaa Aaaaa"): the text comes out as
            # it went in, and a change that is none is not recorded
            return Result(text, [s for s in settled.substitutions if not s.applied])
        return settled

    def _pass(
        self,
        text: str,
        before: str = "",
        after: str = "",
        evidence: bool = False,
        trace: list[Left] | None = None,
    ) -> tuple[Result, Sequence[Span], list[Span]]:
        """One pass: table hits (leftmost, longest), then name tokens outside them. Returns
        the result, the spans of the table hits taken and the given-name hits held as parts
        of full names (:attr:`~normalise.compile.TablePass.held`). ``trace``, when given, receives
        why a table hit at a position was left alone (for :meth:`explain`)."""
        core = self._core
        found = core.table_pass(text, trace)
        inside = core.inside_words(text, found.hits)
        if inside:
            found = _without_inside_words(found, inside, trace)
        if self._own_spellings is not None:
            found = self._own_spellings.held(text, found)
        events: list[Event] = found.events
        if self._weighing is not None:
            # the table pass gives its events in order of start; the few phonetic ones are
            # sorted and merged in (ties: table events first, as a stable sort of both)
            phonetic = sorted(
                self._weighing.events(text, found.taken, found.hits, before, after, evidence),
                key=_event_start,
            )
            if phonetic:
                events = _merged(events, phonetic)
        return core.apply(text, events), found.taken, found.held

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
        """Whether ``text`` holds a table hit of a name kind that counts as evidence (not a
        person's own spelling, which a pass holds: :mod:`normalise.own_spellings`)."""
        entries = self.table.entries
        own = self._own_spellings
        return any(
            entries[target].kind in EVIDENCE_KINDS
            and not (
                own is not None
                and entries[target].kind == "person"
                and own.own_spelling(text[start:end], entries[target])
            )
            for start, end, target in self.compiled.scanner.scan(text)
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
        trace: list[Left] = []
        result, _, _ = self._pass(text, trace=trace)
        sub = next((s for s in result.substitutions if s.start <= pos < s.end), None)
        if sub is not None:
            if sub.applied:
                why = (
                    base.reason
                    if sub.rule == Rule.TABLE or not sub.note
                    else sub.note.split("; held: ")[0]
                )
                return replace(base, result=sub.replacement, reason=why)
            if sub.held is not None:
                why = f"held: {HELD_REASONS[sub.held]} (else -> {sub.replacement}: {base.reason})"
                return replace(base, result=word, reason=why, held=sub.held)
            return replace(base, result=word)
        held = next((left.why for left in trace if left.start <= pos < left.end), None)
        if held is None and base.result != word and is_mentioned(text, pos):
            held = "kept"
        if held is not None:
            why = (
                HELD_REASONS[held]
                if base.result == word
                else f"held: {HELD_REASONS[held]} (else -> {base.result})"
            )
            return replace(base, result=word, reason=why, held=held)
        return base

    def _explain_word(self, word: str, sentence_initial: bool) -> Explanation:
        """What the table or the matcher makes of ``word`` itself, before its context."""
        hits = self.compiled.scanner.scan(word)
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
        if self.matcher is None:
            return Explanation(word, word, reason="not in the table; phonetic matcher is off")
        decision = self.matcher.decide(word, sentence_initial=sentence_initial)
        result = cased(word, decision.winner.entry) if decision.winner else word
        return Explanation(word, result, None, None, decision, decision.reason)

    def table_matches(self, text: str) -> list[Hit]:
        """The table's hits in ``text`` as a pass finds them, before any rewriting: (start,
        end, index in ``table.entries``), non-overlapping, leftmost then longest. What
        ``suggest`` leaves to the table and ``check`` asks of kept forms."""
        return self.compiled.scanner.scan(text)

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        compiled, options = self.compiled, self.options
        return {
            "table": compiled.table,
            "phonetic": options.phonetic,
            "min_score": options.min_score,
            "margin": options.margin,
            "keep": options.keep,
            "keeping": compiled.keeping,
            "given_names": options.given_names,
            "kinds": compiled.kinds,
            "scanner": compiled.scanner,
            "matcher": compiled.matcher,
            "chaining": compiled.chaining,
            "embedded_keys": compiled.embedded_keys,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Canonical bytes (sets in sorted order): the same tables and options pickle alike in
        # every process, before and after use, so a ``datasets`` fingerprint is stable.
        from .state import reduce_normaliser

        return reduce_normaliser(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        options = Options(
            phonetic=state["phonetic"],
            min_score=state["min_score"],
            margin=state["margin"],
            table=state["table"],
            keep=state["keep"],
            given_names=state["given_names"],
        )
        self._start(
            CompiledTable(
                table=state["table"],
                options=options,
                scanner=state["scanner"],
                chaining=state["chaining"],
                embedded_keys=state["embedded_keys"],
                keeping=state["keeping"],
                kinds=state["kinds"],
                matcher=state["matcher"],
            )
        )


def _without_inside_words(
    found: TablePass, inside: set[int], trace: list[Left] | None
) -> TablePass:
    """The table pass without the hits that start inside a word joined by an apostrophe
    (Xo'jand is not Xo' and Jand; see :func:`~normalise.evidence.inside_word`): not
    rewritten, not evidence, and not taken, so the matcher sees the whole word."""
    dropped = {(h.start, h.end) for h in found.hits if h.start in inside}
    if trace is not None:
        trace.extend(Left(start, end, "inside-word") for start, end in dropped)
    return TablePass(
        [e for e in found.events if e.start not in inside],
        [s for s in found.taken if (s[0], s[1]) not in dropped],
        [h for h in found.hits if h.start not in inside],
        [s for s in found.held if s[0] not in inside],
    )


def _merged(table: list[Event], phonetic: list[Event]) -> list[Event]:
    """``heapq.merge(table, phonetic)`` by start, both in order of start (ties: table events
    first), made by slicing: a few phonetic events among thousands of table hits cost a
    bisection each, not a Python step per table event."""
    out: list[Event] = []
    low = 0
    for event in phonetic:
        cut = bisect.bisect_right(table, event.start, lo=low, key=_event_start)
        out += table[low:cut]
        out.append(event)
        low = cut
    out += table[low:]
    return out


def _event_start(event: Event) -> int:
    return event.start


@cache
def default_normaliser() -> Normaliser:
    """``Normaliser.cached()`` (default table, phonetic matcher), built once per process: what
    the integrations (pandas, Polars) use when they are given no normaliser."""
    return Normaliser.cached()
