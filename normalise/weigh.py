"""The phonetic part of a pass: the matcher's winners among the name tokens no table hit
covers, each weighed in its context before it may rewrite.

A winner is applied only with evidence and in the right context (:mod:`normalise.evidence`):
it is held, and logged as a ``phonetic-suggest`` record that says why, when it would turn a
proper name into a term, has letters or a spelling of another language, is a given name, a
part of an unknown full name, a short name without a sure score, a name whose own entry is
not near (closed kinds), the name of another real place (:mod:`normalise.gazetteer`), or
has no evidence near it (for a place: none of its own region of the world). Ambiguous
tokens are logged as ``phonetic-ambiguous`` records.

:class:`Weighing` is built once per normaliser from its compiled table; :meth:`Weighing.events`
is what a pass calls.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex

from .casing import cased
from .compile import name_token_finders
from .events import Event, Rule
from .evidence import (
    EVIDENCE_KINDS,
    EVIDENCE_WINDOW,
    HELD_REASONS,
    OPEN_KINDS,
    PLACE_EVIDENCE_KINDS,
    RARE_WORD_NOTE,
    SHORT_NAME_CONSONANTS,
    SHORT_NAME_SCORE,
    foreign_letter,
    foreign_spelling,
    foreign_word_beside,
    is_common_term,
    name_neighbour,
    other_language,
    paragraph_window,
    person_role,
    rare_word_matcher,
    weigh_evidence,
)
from .gazetteer import gazetteer
from .keep import is_mentioned
from .sentence import is_sentence_initial, is_whole_token
from .surnames import surname

if TYPE_CHECKING:
    from .compile import CompiledTable, TableHit
    from .own_spellings import OwnSpellings
    from .phonetic import Decision, PhoneticMatcher
    from .table import Entry

#: Tokens whose :meth:`Weighing.wanted` answer is remembered (as many as the matcher's
#: decisions, ``phonetic.MAX_CACHED_DECISIONS``): bounded memory on any corpus.
MAX_WANTED_TOKENS = 100_000
#: After this many distinct tokens, :meth:`Weighing.wanted` screens common English words by
#: a set read from wordfreq's list (about 10 ms once per process) instead of one frequency
#: look-up per token (about 1.5 µs).
SCREEN_AFTER = 2_000
#: Up to this many distinct name tokens to look for, one alternation finds them.
_FEW_TOKENS = 32


@dataclass
class Candidate:
    """A phonetic winner in a pass, before evidence and context are weighed."""

    start: int
    end: int
    original: str
    replacement: str
    score: float
    reason: str
    entry: str
    #: why it is held back (a key of :data:`~normalise.evidence.HELD_REASONS`), or None
    held: str | None = None
    #: its evidence window in its text (:meth:`window_in`), once asked
    window: tuple[int, int] | None = None

    def window_in(self, text: str) -> tuple[int, int]:
        """:func:`~normalise.evidence.paragraph_window` of the candidate in ``text`` (the
        text it was found in; computed once: the evidence and the entry's tests read it)."""
        if self.window is None:
            self.window = paragraph_window(text, self.start, self.end)
        return self.window


#: the start and the end of a span or hit (bisection keys, called in C)
_start = operator.itemgetter(0)
_end = operator.itemgetter(1)
#: the entry of a hit, and an entry's canonical form (read in C by ``map``)
_entry_of = operator.itemgetter(2)
_canonical = operator.attrgetter("canonical")


def _merged(windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of ``[low, high]`` windows as disjoint windows, in order."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(windows):
        if merged and low <= merged[-1][1]:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


class HitWindow:
    """The table hits of a text, as a pass gives them (sorted by start, none overlapping, so
    their ends are sorted too): those near a candidate are found by bisection, not by a look
    at every hit of the text for each candidate (a chunk of dense text holds thousands).
    Nothing is copied or sorted: the cost of a chunk's weighing follows its candidates, not
    its hits."""

    def __init__(self, hits: Sequence[TableHit], compiled: Any = None) -> None:
        self.hits = hits
        if compiled is not None and isinstance(hits, (list, compiled.HitRecords)):
            # the same hits, bisected in C: only those returned are made records
            self.within = functools.partial(compiled.hits_within, hits)  # type: ignore[method-assign]
            self.canonicals_within = functools.partial(  # type: ignore[method-assign]
                compiled.canonicals_within, hits
            )

    def within(self, low: int, high: int) -> Sequence[TableHit]:
        """The hits with ``low <= start`` and ``end <= high``, in order."""
        hits = self.hits
        first = bisect.bisect_left(hits, low, key=_start)
        last = bisect.bisect_left(hits, high + 1, first, key=_start)
        while last > first and hits[last - 1][1] > high:
            last -= 1  # ends are sorted: only the last can end past ``high``
        return hits[first:last]

    def canonicals_within(self, low: int, high: int) -> set[str]:
        """The canonical forms of the entries of :meth:`within` (``_core.canonicals_within``
        on the compiled core: no record made)."""
        return set(map(_canonical, map(_entry_of, self.within(low, high))))

    def covers(self, start: int, end: int) -> bool:
        """Whether a hit holds ``[start, end)``: only the last hit starting at or before
        ``start`` can (a later one would overlap it)."""
        i = bisect.bisect_right(self.hits, start, key=_start) - 1
        return i >= 0 and end <= self.hits[i][1]

    def ending_at(self, end: int) -> TableHit | None:
        """The hit that ends at ``end``, or None."""
        i = bisect.bisect_left(self.hits, end, key=_end)
        return self.hits[i] if i < len(self.hits) and self.hits[i][1] == end else None

    def starting_at(self, start: int) -> TableHit | None:
        """The hit that starts at ``start``, or None."""
        i = bisect.bisect_left(self.hits, start, key=_start)
        return self.hits[i] if i < len(self.hits) and self.hits[i][0] == start else None


@functools.lru_cache(maxsize=1 << 12)
def _given_name(word: str) -> regex.Pattern[str]:
    """The expression of a given name as a whole word (compiled once per name)."""
    return regex.compile(rf"(?<![\w\p{{M}}]){regex.escape(word)}(?![\w\p{{M}}])")


def wanted_spans_finder() -> Callable[[str, list[str]], list[tuple[int, int]]] | None:
    """``_core.wanted_spans`` with the token finder's character classes, when the compiled
    core runs; None otherwise."""
    from .core import compiled_module, selected

    if selected() != "compiled":
        return None
    from .sentence import token_class, token_classes

    return functools.partial(
        compiled_module().wanted_spans, classes=token_classes(), classify=token_class
    )


def token_memo() -> tuple[Any, Callable[..., Any]]:
    """A new ``_core.TokenMemo`` and its ``read`` with the token finder's character classes
    (the compiled core only)."""
    from .core import compiled_module
    from .sentence import token_class, token_classes

    memo = compiled_module().TokenMemo()
    return memo, functools.partial(memo.read, classes=token_classes(), classify=token_class)


def compiled_word_before() -> Callable[[str, int, int], tuple[int, int] | None]:
    """``_core.word_before`` with the token finder's character classes (the compiled core
    only)."""
    from .core import compiled_module
    from .sentence import token_class, token_classes

    return functools.partial(
        compiled_module().word_before, classes=token_classes(), classify=token_class
    )


def compiled_window() -> Callable[[str, int, int, int], tuple[int, int]]:
    """``_core.paragraph_window`` (the compiled core only)."""
    from .core import compiled_module

    return compiled_module().paragraph_window  # type: ignore[no-any-return]


def acts(decision: Decision) -> bool:
    """Whether a decision leads to a record: a rewrite, a suggestion or an ambiguity."""
    return decision.winner is not None or decision.ambiguous


class Weighing:
    """The phonetic events of a pass, for one compiled table with a matcher."""

    def __init__(self, compiled: CompiledTable, own_spellings: OwnSpellings | None = None) -> None:
        if compiled.matcher is None:
            raise ValueError("the phonetic weighing needs a matcher (phonetic is off)")
        self.matcher: PhoneticMatcher = compiled.matcher
        from .phonetic import english_zipf  # loaded with the matcher already

        self._english_zipf = english_zipf
        self._rare = rare_word_matcher(self.matcher)
        #: from this English Zipf frequency up, both matchers' common-word gates refuse a
        #: token wherever it stands: :meth:`wanted` answers without a decision
        self._refused_zipf = max(
            self.matcher.common_word_zipf,
            self._rare.common_word_zipf if self._rare is not None else 0.0,
        )
        self._kinds = compiled.kinds
        self._scanner = compiled.scanner
        self._entries = compiled.table.entries
        #: people's own spellings, no evidence in a neighbouring chunk either (None: folded)
        self._own_spellings = own_spellings
        self._apply = compiled.options.phonetic == "apply"
        self._always = compiled.options.given_names == "always"
        self._consonant_counts: dict[str, int] = {}
        self._by_canonical: dict[str, Entry] | None = None
        self._regions: dict[str, str | None] = {}
        self._places: dict[str, frozenset[int]] = {}
        self._surnames: dict[str, str | None] = {}
        self._by_surname: dict[str, frozenset[str]] | None = None
        self._screen: frozenset[str] | None = None
        self._asked = 0
        self._name_tokens, self._name_token_spans = name_token_finders()
        #: the matches of the few tokens' alternation (see :meth:`_token_spans`) found in C
        #: on the compiled core (``_core.wanted_spans``), else None: the expression itself
        self._wanted_spans = wanted_spans_finder()
        #: token -> whether the matcher may act on it (see :meth:`wanted`)
        self._wanted: dict[str, bool] = {}
        #: the tokens of ``_wanted`` it may act on
        self._acting: set[str] = set()
        #: ``_core.TokenScreen`` of both matchers once asked (see :meth:`token_screen`; the
        #: core is chosen here, as for ``_wanted_spans``); False: none (the Python core, or
        #: matchers it cannot hold)
        from .core import selected

        self._token_screen: Any = None if selected() == "compiled" else False
        #: ``_core.TokenMemo``'s reading (:meth:`_memo_spans`) on the compiled core, else None
        self._memo: Any = None
        self._memo_read: Callable[..., Any] | None = None
        if selected() == "compiled":
            self._memo, self._memo_read = token_memo()
        #: :func:`~normalise.evidence.paragraph_window`, in C on the compiled core
        self._window: Callable[[str, int, int, int], tuple[int, int]] = (
            compiled_window() if selected() == "compiled" else paragraph_window
        )
        #: whether the memo may not hold what ``_wanted`` holds (rebuilt before its next read)
        self._memo_stale = False
        #: the compiled core, whose ``evidence_spans`` and ``weigh_evidence`` do what
        #: :meth:`evidence_spans` and :func:`~normalise.evidence.weigh_evidence` do (None: the
        #: Python core, which runs those references)
        self._evidence_core: Any = None
        if selected() == "compiled":
            from .core import compiled_module

            self._evidence_core = compiled_module()
        #: :func:`~normalise.evidence.word_before_span`, in C on the compiled core
        self._word_before: Callable[[str, int, int], tuple[int, int] | None] | None = (
            compiled_word_before() if selected() == "compiled" else None
        )

    def events(
        self,
        text: str,
        taken: Sequence[tuple[int, int]],
        hits: Sequence[TableHit] = (),
        before: str = "",
        after: str = "",
        evidence: bool = False,
    ) -> Iterator[Event]:
        """Phonetic events outside ``taken``: each winner weighed in its context
        (:meth:`weigh`), and the events of ambiguous tokens."""
        candidates: list[Candidate] = []
        for found in self.winners(text, taken):
            if isinstance(found, Candidate):
                candidates.append(found)
            else:
                yield found
        if candidates:
            yield from self.weigh(text, candidates, hits, before, after, evidence)

    def decide(self, token: str, sentence_initial: bool = False) -> tuple[Decision, bool]:
        """The matcher's decision on a token, and whether it came from the matcher for rare
        English words (see :data:`~normalise.evidence.RARE_WORD_ZIPF`): a token the English
        gates refuse gets a second look with those gates loosened; a winner then still
        needs evidence, as every candidate does."""
        decision = self.matcher.decide(token, sentence_initial=sentence_initial)
        if (
            decision.winner is None
            and self._rare is not None
            and decision.english
            and self._rare.required_score(token) <= 1.0
        ):
            rare = self._rare.decide(token, sentence_initial=sentence_initial)
            if rare.winner is not None:
                return rare, True
        return decision, False

    def winners(self, text: str, taken: Sequence[tuple[int, int]]) -> Iterator[Candidate | Event]:
        """A :class:`Candidate` for each winner of the matcher outside ``taken``, and the
        events of ambiguous tokens."""
        for start, end in self._token_spans(text, taken):
            i = bisect.bisect_right(taken, start, key=_start) - 1
            if i >= 0 and taken[i][1] > start:
                continue  # inside a table hit
            if is_mentioned(text, start):
                continue  # a spelling mentioned as a spelling: left as written
            found = self._winner(text[start:end], start, end, is_sentence_initial(text, start))
            if found is not None:
                yield found

    def wanted(self, token: str) -> bool:
        """Whether the matcher may act on a name token somewhere: decided by where it stands
        (a rare English word), or a decision that leads to a record. Remembered per token
        (bounded as the matcher's decisions are): running text repeats its words in every
        chunk, and most are English words the gates refuse, so this is the per-token cost of
        ``apply`` on text without candidates."""
        found = self._wanted.get(token)
        if found is None:
            if token.isascii() and token.lower() in self._common_words():
                found = False
            else:
                found = self._english_zipf(token) < self._refused_zipf and self.wanted_in_full(
                    token
                )
            if len(self._wanted) >= MAX_WANTED_TOKENS:
                self._wanted.clear()
                self._acting.clear()
            self._wanted[token] = found
            self._memo_stale = True
            if found:
                self._acting.add(token)
        return found

    def _common_words(self) -> frozenset[str]:
        """The common English words of :meth:`wanted`'s screen
        (:func:`~normalise.phonetic.common_english_words`), once this normaliser has decided
        :data:`SCREEN_AFTER` tokens: a short text does not pay for reading the list."""
        if self._screen is None:
            self._asked += 1
            if self._asked <= SCREEN_AFTER:
                return frozenset()
            from .phonetic import common_english_words

            self._screen = common_english_words(self._refused_zipf)
        return self._screen

    def token_screen(self) -> Any:
        """The proof of :meth:`proved_idle` in C (``_core.TokenScreen``: one call for both
        matchers, the required score made once, the spelling key made without Python
        strings), or None: on the Python core, or when a matcher has no compiled ranking or
        spelling rules, or the two matchers do not share their forms. What it cannot hold it
        hands back: tokens with characters other than ASCII letters and apostrophes (their
        fold and ``$``), keys outside a-z, and every token the proof does not settle (a form
        reaches the score: the inflection check and the decision stay in Python)."""
        screen = self._token_screen
        if screen is None:
            screen = self._token_screen = self._make_token_screen() or False
        return screen or None

    def _make_token_screen(self) -> Any:
        from .chars import APOSTROPHES
        from .core import compiled_module
        from .phonetic import MAX_TOKEN_CHARS, MIN_LETTERS, SHORT_LETTERS, SHORT_PENALTY

        matcher, rare = self.matcher, self._rare
        romanisation = matcher.romanisation
        ranker, rules = matcher._ranker(), romanisation.compiled_rules()
        rare_ranker = rare._ranker() if rare is not None else None
        if ranker is None or not rules or (rare is not None and rare_ranker is None):
            return None
        if rare is not None and not (
            rare.romanisation is romanisation
            and all(
                getattr(rare, name) is getattr(matcher, name)
                for name in ("_known", "_protected", "_known_words", "_bare_words")
            )
        ):
            return None
        return compiled_module().TokenScreen(
            matcher,
            rare,
            ranker,
            rare_ranker,
            rules,
            romanisation._table,
            APOSTROPHES,
            (SHORT_PENALTY, SHORT_LETTERS, MIN_LETTERS, MAX_TOKEN_CHARS),
        )

    def _screen_in_c(self, screen: Any, new: set[str]) -> list[str]:
        """:meth:`wanted` of each new token in one compiled loop (``TokenScreen.screen``):
        the same answers, stored as :meth:`wanted` stores them. The set of common words is
        read once this normaliser has met :data:`SCREEN_AFTER` tokens, as there. The English
        frequency of a token of the ASCII letters is read in C from the dict ``english_zipf``
        reads (:class:`~normalise.english.EnglishFrequencies`), once that dict is made."""
        from .english import english_frequencies

        common = self._screen
        if common is None:
            self._asked += len(new)
            if self._asked > SCREEN_AFTER:
                from .phonetic import common_english_words

                common = self._screen = common_english_words(self._refused_zipf)
        return screen.screen(  # type: ignore[no-any-return]
            new,
            self._wanted,
            self._acting,
            common,
            self._refused_zipf,
            self._english_zipf,
            self._decided,
            self.wanted_in_full,
            MAX_WANTED_TOKENS,
            english_frequencies(),
        )

    def _decided(self, token: str) -> bool:
        return acts(self.decide(token)[0])

    def wanted_in_full(self, token: str) -> bool:
        """:meth:`wanted` by the matchers' decisions, without its screen of common English
        words. On the compiled core the proof that no decision can act is asked of
        :meth:`token_screen` first (the same answer as :meth:`proved_idle`)."""
        screen = self.token_screen()
        if screen is not None:
            idle = screen.idle(token, self._english_zipf(token))
            if idle is not None:
                return not idle and acts(self.decide(token)[0])
        return not self.proved_idle(token) and acts(self.decide(token)[0])

    def proved_idle(self, token: str) -> bool:
        """Whether the matchers' gates and ``may_act`` prove, without a decision, that
        :meth:`wanted_in_full` is False (the reference of :meth:`token_screen`).

        The screen of common English words gives the same answer: a token at or above both
        common-word gates (``_refused_zipf``) is refused by the gate wherever it stands (never a sentence-start
        question), by a check of its form or as a common word (no winner, no ambiguity), and
        the matcher for rare words refuses it again for the same reasons. The screen is what
        makes ``apply`` cheap on running text: most distinct tokens are such words.

        The decision within a sentence is the only one asked: at a sentence start a token
        is decided otherwise only when it is an English word (Zipf frequency above 0), and
        then the gate refuses it there (``sentence-initial English word``, not an English
        verdict, so the matcher for rare words is not asked either): a token whose decision
        within a sentence leads to no record leads to none at a sentence start."""
        # A decision that cannot act is not made when its second look (:meth:`decide`)
        # cannot win either: that look is taken only for a token refused as English (common,
        # or no score enough), and only when the matcher for rare words has a score that is.
        # Most tokens of running text find no form near enough (PhoneticMatcher.may_act).
        matcher, rare = self.matcher, self._rare
        return not matcher.may_act(token) and (
            rare is None
            or not (
                self._english_zipf(token) >= matcher.common_word_zipf
                or matcher.required_score(token) > 1.0
            )
            or rare.required_score(token) > 1.0
            or not rare.may_act(token)
        )

    def _token_spans(
        self, text: str, taken: Sequence[tuple[int, int]]
    ) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of the name tokens of ``text`` the matcher may act on.

        Each distinct name token outside the table hits is decided once; only those the
        matcher acts on are looked for in the text (in most chunks of running text there
        are none). On the compiled core one reading with the token memo gives them
        (:meth:`_memo_spans`); this is its reference."""
        if self._memo_read is not None:
            return self._memo_spans(text, taken)
        tokens = self._name_tokens(text, taken)
        acting = tokens & self._acting  # set operations: most tokens were decided before
        new = tokens.difference(self._wanted)
        screen = self.token_screen()
        if screen is not None and new:
            wanted = self._screen_in_c(screen, new)
        else:
            wanted = [t for t in new if self.wanted(t)]
        wanted += acting
        return self._spans_of(text, wanted)

    def _spans_of(self, text: str, wanted: list[str]) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of the name tokens of the whole ``text`` that are ``wanted``."""
        if not wanted:
            return iter(())
        if len(wanted) <= _FEW_TOKENS:
            longest_first = sorted(wanted, key=len, reverse=True)
            if self._wanted_spans is not None:
                spans = self._wanted_spans(text, longest_first)
            else:
                alternatives = "|".join(map(regex.escape, longest_first))
                pattern = rf"(?<![\w\p{{M}}])(?:{alternatives})(?![\w\p{{M}}])"
                spans = [match.span() for match in regex.finditer(pattern, text)]
            # the alternation also finds a wanted token inside a longer one that an
            # apostrophe joins (D'Talaqan): the same spans as the token reading below
            return (span for span in spans if is_whole_token(text, *span))
        return iter(self._name_token_spans(text, frozenset(wanted)))

    def _memo_spans(self, text: str, taken: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        """:meth:`_token_spans` by one reading of the chunk (``_core.TokenMemo.read``): the
        tokens the memo holds as acting give their spans at once; only the tokens it does not
        hold are made strings, screened as :meth:`_token_spans` screens them (the same
        answers stored in ``_wanted`` and ``_acting``, with their bound), then settled in the
        memo. The memo holds what ``_wanted`` holds: when ``_wanted`` changed otherwise (a
        :meth:`wanted` call, the bound's clearing), it is rebuilt from it. The spans are
        those of the whole text's reading, as here (see ``TokenMemo.read``)."""
        memo, read = self._memo, self._memo_read
        assert read is not None
        if self._memo_stale:
            memo.rebuild(self._wanted)
            self._memo_stale = False
        acting, new, ordered = read(text, taken)
        if new:
            self._memo_stale = True  # until the pending tokens are settled
            before = len(self._wanted)
            fresh = set(new)
            screen = self.token_screen()
            if screen is not None:
                wanted = self._screen_in_c(screen, fresh)
            else:
                wanted = [t for t in fresh if self.wanted(t)]
            chosen = set(wanted)
            found = memo.settle([t in chosen for t in new])
            if len(self._wanted) == before + len(new):
                self._memo_stale = False  # else cleared while screening: rebuilt next
            if found:
                acting += found
                ordered = False
        if not ordered:
            acting.sort()
        return iter(acting)

    def _winner(
        self, token: str, start: int, end: int, sentence_initial: bool
    ) -> Candidate | Event | None:
        """The candidate of a token at ``[start, end)``, the event of an ambiguous one, or
        None."""
        decision, rare = self.decide(token, sentence_initial)
        if decision.winner is not None:
            winner = decision.winner
            replacement = cased(token, winner.entry)
            if replacement == token:
                return None
            return Candidate(
                start,
                end,
                token,
                replacement,
                winner.score,
                (RARE_WORD_NOTE if rare else "") + decision.reason,
                winner.entry,
            )
        if decision.ambiguous and decision.candidates:
            best = decision.candidates[0]
            return Event(
                start,
                end,
                cased(token, best.entry),
                Rule.PHONETIC_AMBIGUOUS,
                best.score,
                decision.reason,
                best.entry,
            )
        return None

    def weigh(
        self,
        text: str,
        candidates: list[Candidate],
        hits: Sequence[TableHit],
        before: str,
        after: str,
        evidence: bool,
    ) -> Iterator[Event]:
        """Apply a candidate only with evidence and in the right context; hold the others
        as ``phonetic-suggest`` records that say why (see :mod:`normalise.evidence`)."""
        window = HitWindow(hits, self._evidence_core)
        for cand in candidates:
            if cand.window is None:  # what Candidate.window_in would compute, found here
                cand.window = self._window(text, cand.start, cand.end, EVIDENCE_WINDOW)
            cand.held = self.held_in_context(text, cand, window)
        pending = [c for c in candidates if c.held is None]
        if pending and not evidence:
            self.mark_evidence(text, pending, window, before, after)
        for cand in pending:
            if cand.held is None:
                cand.held = self.held_by_entry(text, cand, window)
        for cand in candidates:
            yield self._event(cand)

    def held_in_context(self, text: str, cand: Candidate, hits: HitWindow) -> str | None:
        """Why a candidate is held whatever the evidence (see
        :data:`~normalise.evidence.HELD_REASONS`), or None."""
        english_zipf = self._english_zipf
        kind = self._kinds.get(cand.entry, "other")
        romanisation = self.matcher.romanisation
        if is_common_term(cand.entry, kind):
            return "proper-name-to-term"
        if foreign_letter(cand.original):
            return "foreign-letters"
        if cand.score < romanisation.other_language_score and other_language(
            cand.original, romanisation.other_languages
        ):
            return "foreign-word"
        if (
            foreign_spelling(cand.original, cand.entry, cand.score, romanisation.other_spellings)
            is not None
        ):
            return "foreign-spelling"
        if kind == "given-name" and not self._always:
            return "given-name"
        if (
            not (kind == "given-name" and self._always)
            and name_neighbour(
                text, cand.start, cand.end, english_zipf, is_sentence_initial, self._word_before
            )
            is not None
            and not self.known_name_beside(text, cand, hits, kind)
        ):
            return "name-part"
        if (
            foreign_word_beside(
                text,
                cand.start,
                cand.end,
                english_zipf,
                romanisation.other_languages,
                hits.covers,
            )
            is not None
        ):
            return "name-part"
        if kind == "place" and person_role(text, cand.start, cand.end, is_sentence_initial):
            return "person-role"
        return None

    def held_by_entry(self, text: str, cand: Candidate, hits: HitWindow) -> str | None:
        """Why a candidate with evidence is still held: a short name without a sure score,
        or a name of a closed kind whose own entry is not near; else None."""
        kind = self._kinds.get(cand.entry)
        if cand.score < SHORT_NAME_SCORE and self.consonants(cand.entry) <= SHORT_NAME_CONSONANTS:
            return "short-name"
        if (
            kind not in OPEN_KINDS
            and not (kind == "given-name" and self._always)
            and not self.own_entry_near(text, cand, hits)
        ):
            return "own-entry"
        if kind == "person" and not self.person_named_near(text, cand, hits):
            return "own-person"
        if self.other_place(cand):
            return "other-place"
        return None

    def _event(self, cand: Candidate) -> Event:
        """The event of a weighed candidate: applied (apply mode, not held) or noted."""
        if self._apply and cand.held is None:
            return Event(
                cand.start,
                cand.end,
                cand.replacement,
                Rule.PHONETIC,
                cand.score,
                cand.reason,
                cand.entry,
            )
        note = (
            cand.reason if cand.held is None else f"{cand.reason}; held: {HELD_REASONS[cand.held]}"
        )
        return Event(
            cand.start,
            cand.end,
            cand.replacement,
            Rule.PHONETIC_SUGGEST,
            cand.score,
            note,
            cand.entry,
            cand.held,
        )

    def consonants(self, canonical: str) -> int:
        """Consonants in the romanisation skeleton of an entry's canonical form (cached)."""
        count = self._consonant_counts.get(canonical)
        if count is None:
            romanisation = self.matcher.romanisation
            skeleton = romanisation.skeleton(
                romanisation.costs.plain(romanisation.form_key(canonical))
            )
            vowels = romanisation.costs.vowels
            count = sum(1 for c in skeleton if c.isalpha() and c not in vowels)
            if len(self._consonant_counts) < 1 << 16:
                self._consonant_counts[canonical] = count
        return count

    @staticmethod
    def own_entry_near(text: str, cand: Candidate, hits: HitWindow) -> bool:
        """Whether a table hit of the candidate's own entry stands within its evidence
        window (this text only)."""
        low, high = cand.window_in(text)
        return any(entry.canonical == cand.entry for _s, _e, entry in hits.within(low, high))

    def person_named_near(self, text: str, cand: Candidate, hits: HitWindow) -> bool:
        """Whether the person a candidate of a ``person`` entry stands for is named within its
        evidence window (this text only): a hit of its own entry, of the full name its
        surname entry comes from (:mod:`normalise.surnames`) or of a person whose surname is
        the entry (Muammar Gaddafi for Gaddafi), or that full name's given name (its first
        word) as a word."""
        full = self.full_name_of(cand.entry)
        low, high = cand.window_in(text)
        # the canonical forms near it read once in C (a window of dense text holds dozens
        # of hits); a person whose surname is the entry is looked for only when one of the
        # table's persons with that surname stands there
        canonicals = hits.canonicals_within(low, high)
        if cand.entry in canonicals or full in canonicals:
            return True
        persons = self._persons_by_surname().get(cand.entry)
        if (
            persons is not None
            and not persons.isdisjoint(canonicals)
            and any(
                entry.kind == "person" and self._surname(entry.canonical) == cand.entry
                for _s, _e, entry in hits.within(low, high)
            )
        ):
            return True
        words = full.split()
        if len(words) < 2:
            return False
        # the expression matches the given name itself: not searched for where it is not
        given = words[0]
        return text.find(given, low, high) >= 0 and (
            _given_name(given).search(text, low, high) is not None
        )

    def _persons_by_surname(self) -> dict[str, frozenset[str]]:
        """A surname -> the canonical forms of the table's persons with it (made once)."""
        if self._by_surname is None:
            found: dict[str, set[str]] = {}
            for entry in self._entries:
                if entry.kind == "person":
                    name = self._surname(entry.canonical)
                    if name is not None:
                        found.setdefault(name, set()).add(entry.canonical)
            self._by_surname = {name: frozenset(c) for name, c in found.items()}
        return self._by_surname

    def _surname(self, canonical: str) -> str | None:
        """:func:`~normalise.surnames.surname` of a person's canonical form (cached: the
        hits near a candidate are read again for every candidate)."""
        try:
            return self._surnames[canonical]
        except KeyError:
            found = self._surnames[canonical] = surname(canonical)
            return found

    def full_name_of(self, canonical: str) -> str:
        """The full name a derived surname entry comes from (``Entry.person``), else the
        entry's own canonical form."""
        entry = self._entry(canonical)
        return entry.person if entry is not None and entry.person else canonical

    @staticmethod
    def known_name_beside(text: str, cand: Candidate, hits: HitWindow, kind: str) -> bool:
        """A surname beside a given name or person the table knows (Hamid Karzay): the
        candidate of a person entry next to such a table hit is not a word of an unknown
        name."""
        if kind != "person":
            return False
        return any(
            hit is not None and hit[2].kind in ("given-name", "person")
            for hit in (hits.ending_at(cand.start - 1), hits.starting_at(cand.end + 1))
        )

    def mark_evidence(
        self,
        text: str,
        pending: list[Candidate],
        hits: HitWindow,
        before: str,
        after: str,
    ) -> None:
        """Mark ``held`` on the candidates with no evidence near them (``no-evidence``), or
        only evidence that does not count for their kind (``person-only``).

        Evidence: table hits of :data:`EVIDENCE_KINDS` in the text and in its context
        (``before``, ``after``), and candidates applied on evidence, to a fixed point
        (:func:`~normalise.evidence.weigh_evidence`). Only the hits within some candidate's
        window are read: no other can be evidence for any of them."""
        shift = 0
        whole = text
        if before or after:
            before = before[-EVIDENCE_WINDOW:]
            after = after[:EVIDENCE_WINDOW]
            shift = len(before)
            whole = before + text + after
        windows = [
            self._window(whole, c.start + shift, c.end + shift, EVIDENCE_WINDOW)
            if shift or after
            else c.window_in(text)
            for c in pending
        ]
        merged = _merged(windows)
        compiled = self._evidence_core
        if compiled is not None and isinstance(hits.hits, (list, compiled.HitRecords)):
            spans = compiled.evidence_spans(
                hits.hits, merged, shift, EVIDENCE_KINDS, self._regions, self.region_of
            )
        else:
            spans = self.evidence_spans(hits, merged, shift)
        if before or after:
            spans += self._context_spans(before, 0)
            spans += self._context_spans(after, shift + len(text))
        kinds = self._kinds
        weighed = [
            (c.start + shift, c.end + shift, kinds.get(c.entry), self.region_of(c.entry))
            for c in pending
        ]
        if compiled is not None:
            held = compiled.weigh_evidence(
                spans, weighed, windows, PLACE_EVIDENCE_KINDS, EVIDENCE_KINDS
            )
        else:
            held = weigh_evidence(whole, spans, weighed, EVIDENCE_WINDOW, windows)
        for cand, code in zip(pending, held, strict=True):
            cand.held = code

    def evidence_spans(
        self, hits: HitWindow, merged: Sequence[tuple[int, int]], shift: int
    ) -> list[tuple[int, int, str, str | None]]:
        """The evidence hits within the ``merged`` windows (disjoint, in order, in the
        coordinates of the text with its context: ``shift`` past the text's), as
        ``(start, end, kind, region)`` spans in those coordinates (the reference of
        ``_core.evidence_spans``)."""
        spans = []
        regions = self._regions
        for low, high in merged:
            for s, e, entry in hits.within(low - shift, high - shift):
                kind = entry.kind
                if kind in EVIDENCE_KINDS:
                    # region_of, its cache read here (thousands of hits a dense chunk)
                    if kind != "place":
                        region = None
                    elif entry.canonical in regions:
                        region = regions[entry.canonical]
                    else:
                        region = self.region_of(entry)
                    spans.append((s + shift, e + shift, kind, region))
        return spans

    def _context_spans(self, context: str, offset: int) -> list[tuple[int, int, str, str | None]]:
        """The evidence hits in a context text, with their kinds and regions, in the
        coordinates of the text with its context (``offset``: where the context starts
        there). A person's own spelling is none, as in the text itself
        (:meth:`~normalise.rewrite.Normaliser.has_evidence`)."""
        entries = self._entries
        own = self._own_spellings
        return [
            (s + offset, e + offset, entries[target].kind, self.region_of(entries[target]))
            for s, e, target in self._scanner.scan(context)
            if entries[target].kind in EVIDENCE_KINDS
            and not (
                own is not None
                and entries[target].kind == "person"
                and own.own_spelling(context[s:e], entries[target])
            )
        ]

    def _entry(self, canonical: str) -> Entry | None:
        if self._by_canonical is None:
            self._by_canonical = {e.canonical: e for e in self._entries}
        return self._by_canonical.get(canonical)

    def region_of(self, entry: Entry | str) -> str | None:
        """The region of the world a place entry lies in (:mod:`normalise.gazetteer`), None
        for other kinds and places the gazetteer does not know (cached per entry)."""
        if isinstance(entry, str):
            found = self._entry(entry)
            if found is None:
                return None
            entry = found
        if entry.kind != "place":
            return None
        if entry.canonical not in self._regions:
            self._regions[entry.canonical] = gazetteer().entry_region(entry.forms, entry.sources)
        return self._regions[entry.canonical]

    def other_place(self, cand: Candidate) -> bool:
        """Whether a place candidate's token is the name of a real place (the gazetteer)
        none of which is a place its entry stands for: a place of its own."""
        entry = self._entry(cand.entry)
        if entry is None or entry.kind != "place":
            return False
        atlas = gazetteer()
        named = atlas.places(cand.original)
        if not named:
            return False
        if entry.canonical not in self._places:
            self._places[entry.canonical] = frozenset(
                atlas.entry_places(entry.forms, entry.sources)
            )
        return self._places[entry.canonical].isdisjoint(named)
