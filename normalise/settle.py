"""Why one pass is not always enough, how to tell cheaply, and how the records of several
passes become one record per change.

One pass rewrites every variant it finds, but a rewrite can create a match that was not in the
input: where forms of two entries overlap ("Sar i پل خمری": the Pashto name becomes
"Pul-e Khumri", and "Sar i Pul" then matches across it), or where a form holds another's
canonical form followed by punctuation ("Dr." in "Dr.."). Normalising the output again would
then change it: not idempotent. The rewriter therefore runs further passes until nothing
changes, and composes each later rewrite with the earlier ones it overlaps into one record
over the input, so that the log still rebuilds the input and says what happened.

Further passes are rare and cost a full pass, so the rewriter first asks whether one could
change anything. :func:`chaining_forms` finds, once per table, the canonical forms that a
pattern of the table can overlap other than exactly; only rewrites to those forms get a look
at the text around them, and of those that a longer form holds (Taliban in Tehrik-i-Taliban),
only where the table compiler has not spelled that form with each variant inside it, or where
another match stands close by.

The parts: :func:`chaining_forms` (and :func:`table_chaining`, its input from a table) is the
table-level analysis, done once per table; :class:`Settling` is the check of one normaliser's
passes (:meth:`Settling.unsettled`) and the further passes over the lines concerned
(:meth:`Settling.pass_lines`); :func:`compose` joins the records of two passes. The
rewriter's ``normalise`` runs them, at most :data:`MAX_PASSES` further passes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

import regex

from .chars import PROSE_BREAKS
from .log import Substitution
from .scan import Scanner, fold_form, fold_haystack, match_key
from .table import Entry

if TYPE_CHECKING:
    from .rewrite import Result

    #: One pass of the rewriter over a text: its result and the spans of the table hits taken.
    Pass = Callable[[str], tuple[Result, list[tuple[int, int]]]]
    #: The rewriter's rewrite of a table hit: an event, or None when the hit changes nothing.
    TableEvent = Callable[[str, int, int, Entry], object]
    #: Whether the name token after a rewrite would now be judged otherwise.
    NameCheck = Callable[[str, Substitution], bool]

#: Further passes after the first, at most (a table that still changes after them loops).
MAX_PASSES = 8
_by_span = itemgetter(0, 1)
#: The ``note`` of a record composed from rewrites of several passes begins with this.
COMPOSED = "composed of: "

_MARKS = regex.compile(r"\p{M}")
# The nearest word before or after a position, looked for this far away at most (beyond,
# the rewrite gets a full look).
_WORD_BEFORE = regex.compile(r"(?r)[\w\p{M}]+")
_WORD_AFTER = regex.compile(r"[\w\p{M}]+")
_NEAR = 64
_LINE_START = regex.compile(f"(?r)[{PROSE_BREAKS}]")
_LINE_END = regex.compile(f"[{PROSE_BREAKS}]")


def _bounds(folded: str) -> tuple[list[int], list[int]]:
    """Where a whole-word match may begin and end inside a folded form (folded text holds a
    space for every non-word character)."""
    starts = [0] + [i for i in range(1, len(folded)) if folded[i - 1] == " "]
    ends = [j for j in range(1, len(folded)) if folded[j] == " "] + [len(folded)]
    return starts, ends


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
    inside: dict[str, list[tuple[str, int, int]]] = {}  # proper word-bounded pieces
    # pieces from after a word of a pattern to its end (tails) and from its start to before
    # its last word (heads), each with the patterns that have it and where
    tails: dict[str, list[tuple[str, int]]] = {}
    heads: dict[str, list[tuple[str, int]]] = {}
    for pattern in pattern_set:
        starts, ends = _bounds(pattern)
        size = len(pattern)
        for i in starts:
            for j in ends:
                if i < j and (i, j) != (0, size):
                    inside.setdefault(pattern[i:j], []).append((pattern, i, j))
            if i:
                tails.setdefault(pattern[i:], []).append((pattern, i))
        for j in ends:
            if j < size:
                heads.setdefault(pattern[:j], []).append((pattern, j))
    crossing, contained, uncovered = set(), set(), set()
    reach: dict[str, int] = {}
    before: dict[str, set[str]] = {}
    after: dict[str, set[str]] = {}
    for canonical, (folded, spellings) in forms.items():
        lengths, words_before, words_after = [], set(), set()
        holders = inside.get(folded)
        if holders:
            contained.add(canonical)
            if spellings is None or any(
                p[:i] + s + p[j:] not in pattern_set
                for p, i, j in holders
                if spelled is None or p in spelled
                for s in spellings
            ):
                uncovered.add(canonical)
            for p, i, j in holders:
                lengths.append(len(p))
                if i:
                    words_before.add(_last_word(p[:i]))
                if j < len(p):
                    words_after.add(_first_word(p[j:]))
        starts, ends = _bounds(folded)
        size = len(folded)
        edged = folded[:1] == " " or folded[-1:] == " "
        for j in ends:  # a pattern whose tail is the form's head: it begins before the form
            for p, i in tails.get(folded[:j], ()) if j < size else ():
                lengths.append(len(p))
                words_before.add(_last_word(p[:i]))
        for i in starts:  # a pattern whose head is the form's tail: it runs past its end
            for p, j in heads.get(folded[i:], ()) if i else ():
                lengths.append(len(p))
                words_after.add(_first_word(p[j:]))
        if lengths or edged:
            if len(lengths) > len(holders or ()) or edged:
                crossing.add(canonical)
            if edged:
                words_before.add("")
                words_after.add("")
            reach[canonical] = max(lengths, default=size)
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


def _word_before(text: str, start: int) -> str | None:
    """The folded word that ends nearest before ``start`` on its line, as the scanner sees
    words ("" when there is none; None when none is within :data:`_NEAR` characters but the
    text goes on: it may hold one further back).

    Folding the few characters before, in C, is quicker than a regular expression per
    rewrite; text with combining marks (which folding drops) takes the expression."""
    low = start - _NEAR if start > _NEAR else 0
    piece = text[low:start]
    folded, dropped = fold_haystack(piece)
    if dropped:
        word = _WORD_BEFORE.search(text, low, start)
        if word is None:
            return None if low else ""
        if _LINE_END.search(text, word.end(), start):
            return ""
        return fold_form(word.group()).rsplit(" ", 1)[-1]
    head = folded.rstrip(b" ")
    if not head:
        return None if low else ""
    if _LINE_END.search(piece, len(head)):
        return ""
    return head.rsplit(b" ", 1)[-1].decode("latin-1")


def _word_after(text: str, end: int) -> str | None:
    """The folded word that begins nearest after ``end`` on its line: see
    :func:`_word_before`."""
    high = end + _NEAR
    piece = text[end:high]
    folded, dropped = fold_haystack(piece)
    if dropped:
        word = _WORD_AFTER.search(text, end, high)
        if word is None:
            return None if high < len(text) else ""
        if _LINE_END.search(text, end, word.start()):
            return ""
        return fold_form(word.group()).split(" ", 1)[0]
    tail = folded.lstrip(b" ")
    if not tail:
        return None if high < len(text) else ""
    if _LINE_END.search(piece, 0, len(piece) - len(tail)):
        return ""
    return tail.split(b" ", 1)[0].decode("latin-1")


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


class Settling:
    """The fixed-point check of one normaliser: where another pass over a pass's output could
    change it, and the further passes over just those lines.

    Built once per normaliser from its table analysis (:class:`Chaining`), scanner and entries.
    It asks the rewriter, not itself, how a table hit is rewritten (``table_event``) and, in
    phonetic apply mode, whether a rewrite changes how the next name token is judged
    (``next_name_changes``, None otherwise), so that the two cannot drift apart."""

    def __init__(
        self,
        chaining: Chaining,
        scanner: Scanner,
        entries: Sequence[Entry],
        embedded_keys: frozenset[str],
        table_event: TableEvent,
        next_name_changes: NameCheck | None = None,
    ) -> None:
        self.chaining = chaining
        #: keys of the spellings the table compiler added (embedded variants)
        self.embedded_keys = embedded_keys
        self._scanner = scanner
        self._entries = entries
        self._table_event = table_event
        self._next_name_changes = next_name_changes

    def unsettled(self, result: Result, taken: Sequence[tuple[int, int]]) -> list[int]:
        """Where another pass over ``result.text`` could change it (output offsets of the
        rewrites concerned): cheap, and never empty when it could. Only rewrites to forms
        that other patterns can overlap get a look at the text around them (those that a
        longer form holds, only where the table compiler has not spelled it with each
        variant, or where another table hit stands close), and a rewrite that ends a sentence
        differently is checked for a name token after it, which the phonetic matcher judges
        by whether it starts a sentence."""
        text = result.text
        chaining = self.chaining
        next_name_changes = self._next_name_changes
        found: list[int] = []
        near: list[Substitution] = []
        for sub in result.substitutions:
            if not sub.applied:
                continue
            entry = sub.entry
            if (
                entry in chaining.crossing
                or entry in chaining.uncovered
                or (entry in chaining.contained and not self._covered(taken, sub))
            ) and self._neighbours_fit(text, sub):
                near.append(sub)
            elif next_name_changes is not None and next_name_changes(text, sub):
                found.append(sub.out_start)
        if near:
            disturbed = self._disturbed(text, near)
            found.extend(
                sub.out_start
                for sub, bad in zip(near, disturbed, strict=False)
                if bad or (next_name_changes is not None and next_name_changes(text, sub))
            )
            found.sort()
        return found

    def pass_lines(
        self, text: str, positions: Sequence[int], run_pass: Pass
    ) -> tuple[str, list[Substitution], list[int]]:
        """A further pass (``run_pass``) over the lines that hold ``positions``: the new text,
        the pass's records in the coordinates of ``text``, and where it may still change. A
        line is a unit of its own (no form spans a line break, and a sentence starts after
        one), so passing over it alone gives what a pass over the whole text gives there."""
        pieces: list[str] = []
        records: list[Substitution] = []
        unsettled: list[int] = []
        pos = shift = 0
        for low, high in _lines_around(text, positions):
            result, taken = run_pass(text[low:high])
            if not result.changed:
                continue
            out_low = low + shift
            records.extend(
                s._replace(
                    start=s.start + low,
                    end=s.end + low,
                    out_start=s.out_start + out_low,
                    out_end=s.out_end + out_low,
                )
                for s in result.substitutions
                if s.applied
            )
            unsettled.extend(p + out_low for p in self.unsettled(result, taken))
            pieces += [text[pos:low], result.text]
            shift += len(result.text) - (high - low)
            pos = high
        if not records:
            return text, [], []
        pieces.append(text[pos:])
        return "".join(pieces), records, unsettled

    def _neighbours_fit(self, text: str, sub: Substitution) -> bool:
        """Whether the words right before and after a rewrite (in its line) are ones that a
        pattern overlapping its form has there: a pattern can match only where they are."""
        before = self.chaining.before.get(sub.entry, frozenset())
        after = self.chaining.after.get(sub.entry, frozenset())
        if "" in before or "" in after:
            return True
        start, end = sub.out_start, sub.out_end
        if before:
            word = _word_before(text, start)
            if word is None or word in before:
                return True
        if after:
            word = _word_after(text, end)
            if word is None or word in after:
                return True
        return False

    def _covered(self, taken: Sequence[tuple[int, int]], sub: Substitution) -> bool:
        """Whether a longer form holding the rewritten one would have matched in this pass
        already: true for a table rewrite of one of the entry's own spellings (the compiler
        spelled each longer form with it) unless another table hit stands within reach in
        the input, which may have kept that longer form from matching."""
        if sub.rule != "table" or sub.note or match_key(sub.original) in self.embedded_keys:
            return False
        reach = self._reach(sub.entry)
        i = bisect.bisect_left(taken, (sub.start,))  # the hit of this rewrite's span
        before = taken[i - 1] if i > 0 else None
        after = taken[i + 1] if i + 1 < len(taken) else None
        return not (
            (before is not None and sub.start - before[1] < reach)
            or (after is not None and after[0] - sub.end < reach)
        )

    def _reach(self, canonical: str, marks: bool = True) -> int:
        """How far from a rewrite to ``canonical`` a pattern overlapping it can reach in a
        text: its folded length, twice that where combining marks (dropped in folding) may
        make the text longer."""
        reach = self.chaining.reach.get(canonical, 0) + 2
        return 2 * reach if marks else reach

    def _disturbed(self, text: str, subs: Sequence[Substitution]) -> list[bool]:
        """For each rewrite, False when its span of ``text`` is a table hit that would stay as
        it is and no other hit overlaps or touches it (hits nested in it lose to it). One scan
        over the windows around them all, joined by line breaks (which no form spans)."""
        windows: list[list[int]] = []
        ascii_text = text.isascii()
        for sub in subs:
            reach = self._reach(sub.entry, marks=False)
            if not ascii_text and _MARKS.search(  # marks near: the text may be longer
                text, max(0, sub.out_start - 2 * reach), sub.out_end + 2 * reach
            ):
                reach *= 2
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
                if hit_end < start or (
                    start <= hit_start and hit_end <= end and (hit_start, hit_end) != (start, end)
                ):
                    continue  # apart, or nested in the rewrite
                if (hit_start, hit_end) != (start, end) or self._table_event(
                    text, start, end, self._entries[target]
                ) is not None:
                    bad = True
                    break
                found = True
            out.append(bad or not found)
        return out


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


def compose(
    text: str, first: Sequence[Substitution], second: Sequence[Substitution], final: str
) -> list[Substitution]:
    """The records of two passes as records of one: ``first`` made an intermediate text from
    ``text``, and ``second`` (in intermediate coordinates) made ``final`` from that.

    A rewrite of the second pass and the rewrites of the first that it overlaps become one
    record over their joint span, with every step in its note; the other records keep their
    own, with offsets moved by the other pass's changes before them. Unapplied records of the
    first pass that a second-pass rewrite overlaps are dropped (their text is gone), and so
    are the second pass's own (the first pass made them already, or they are of text that a
    rewrite made). Where the second pass put back what the first replaced, no record is left."""
    later = [s for s in second if s.applied]
    if not later:
        return list(first)
    # Groups: maximal runs of overlapping first-pass output spans and second-pass spans,
    # both in intermediate coordinates. Neither pass's rewrites overlap each other.
    spans = sorted(
        [(s.out_start, s.out_end, s) for s in first if s.applied]
        + [(s.start, s.end, s) for s in later],
        key=_by_span,
    )
    groups: list[list[tuple[int, int, Substitution]]] = []
    reach = -1
    for span in spans:
        if groups and span[0] < reach:
            groups[-1].append(span)
        else:
            groups.append([span])
        reach = max(reach, span[1]) if len(groups[-1]) > 1 else span[1]
    unapplied = [s for s in first if not s.applied]
    out: list[Substitution] = []
    # Between groups, a position u of the intermediate text is u + shift_in in the input
    # and u + shift_out in the final text.
    shift_in = shift_out = 0
    waiting = 0
    later_ids = {id(s) for s in later}
    for group in groups:
        if len(group) == 1:  # the common case, kept quick: a rewrite of one pass alone
            u0, u1, sub = group[0]
            later_one = id(sub) in later_ids
            while waiting < len(unapplied) and unapplied[waiting].out_start < u1:
                if unapplied[waiting].out_end <= u0 or not later_one:
                    out.append(_moved(unapplied[waiting], shift_out))
                waiting += 1
            if later_one:  # a second-pass rewrite of text the first left alone
                out.append(sub._replace(start=u0 + shift_in, end=u1 + shift_in))
                shift_out += len(sub.replacement) - (u1 - u0)
            else:  # a first-pass rewrite the second pass left alone
                out.append(_moved(sub, shift_out))
                shift_in += (sub.end - sub.start) - (u1 - u0)
            continue
        u0, u1 = group[0][0], max(span[1] for span in group)
        members = [span[2] for span in group]
        seconds = [s for s in members if id(s) in later_ids]
        while waiting < len(unapplied) and unapplied[waiting].out_start < u1:
            note = unapplied[waiting]
            if note.out_end <= u0:
                out.append(_moved(note, shift_out))
            waiting += 1
        in0, out0 = u0 + shift_in, u0 + shift_out
        shift_in += sum(
            (s.end - s.start) - (s.out_end - s.out_start) for s in members if id(s) not in later_ids
        )
        shift_out += sum(len(s.replacement) - (s.end - s.start) for s in seconds)
        in1, out1 = u1 + shift_in, u1 + shift_out
        if text[in0:in1] == final[out0:out1]:
            continue  # the passes undid each other here: no change, no record
        # a second-pass rewrite and the first-pass ones it overlaps: one record
        out.append(
            Substitution(
                text[in0:in1],
                final[out0:out1],
                in0,
                in1,
                out0,
                out1,
                "phonetic" if any(s.rule == "phonetic" for s in members) else "table",
                seconds[-1].entry,
                min(s.score for s in members),
                COMPOSED
                + "; ".join(_step(s) for s in members if id(s) not in later_ids)
                + "; "
                + "; ".join(_step(s) for s in seconds),
            )
        )
    out.extend(_moved(s, shift_out) for s in unapplied[waiting:])
    return out


def _moved(sub: Substitution, shift: int) -> Substitution:
    if not shift:
        return sub
    return sub._replace(out_start=sub.out_start + shift, out_end=sub.out_end + shift)


def _step(sub: Substitution) -> str:
    """One rewrite as a step in a composed record's note (a composed record: its steps)."""
    if sub.note and sub.note.startswith(COMPOSED):
        return sub.note[len(COMPOSED) :]
    return f"'{sub.original}' -> '{sub.replacement}' ({sub.rule}, {sub.entry})"
