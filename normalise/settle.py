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
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import NamedTuple

from .log import Substitution

#: Further passes after the first, at most (a table that still changes after them loops).
MAX_PASSES = 8
_by_span = itemgetter(0, 1)
#: The ``note`` of a record composed from rewrites of several passes begins with this.
COMPOSED = "composed of: "


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


def chaining_forms(forms: Mapping[str, tuple[str, Sequence[str] | None]],
                   patterns: Iterable[str], spelled: Container[str] | None = None) -> Chaining:
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
            if spellings is None or any(p[:i] + s + p[j:] not in pattern_set
                                        for p, i, j in holders
                                        if spelled is None or p in spelled
                                        for s in spellings):
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
    return Chaining(frozenset(crossing), frozenset(contained), frozenset(uncovered), reach,
                    before, after)


def _last_word(folded: str) -> str:
    """The last word of a folded piece ("" when it holds none)."""
    words = folded.split()
    return words[-1] if words else ""


def _first_word(folded: str) -> str:
    words = folded.split()
    return words[0] if words else ""


def compose(text: str, first: Sequence[Substitution], second: Sequence[Substitution],
            final: str) -> list[Substitution]:
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
    spans = sorted([(s.out_start, s.out_end, s) for s in first if s.applied] +
                   [(s.start, s.end, s) for s in later], key=_by_span)
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
            else:                     # a first-pass rewrite the second pass left alone
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
        shift_in += sum((s.end - s.start) - (s.out_end - s.out_start)
                        for s in members if id(s) not in later_ids)
        shift_out += sum(len(s.replacement) - (s.end - s.start) for s in seconds)
        in1, out1 = u1 + shift_in, u1 + shift_out
        if text[in0:in1] == final[out0:out1]:
            continue  # the passes undid each other here: no change, no record
        # a second-pass rewrite and the first-pass ones it overlaps: one record
        out.append(Substitution(
            text[in0:in1], final[out0:out1], in0, in1, out0, out1,
            "phonetic" if any(s.rule == "phonetic" for s in members) else "table",
            seconds[-1].entry, min(s.score for s in members),
            COMPOSED + "; ".join(_step(s) for s in members if id(s) not in later_ids)
            + "; " + "; ".join(_step(s) for s in seconds)))
    out.extend(_moved(s, shift_out) for s in unapplied[waiting:])
    return out


def _moved(sub: Substitution, shift: int) -> Substitution:
    if not shift:
        return sub
    original, replacement, start, end, out_start, out_end, rule, entry, score, note = sub
    return Substitution(original, replacement, start, end, out_start + shift, out_end + shift,
                        rule, entry, score, note)


def _step(sub: Substitution) -> str:
    """One rewrite as a step in a composed record's note (a composed record: its steps)."""
    if sub.note and sub.note.startswith(COMPOSED):
        return sub.note[len(COMPOSED):]
    return f"'{sub.original}' -> '{sub.replacement}' ({sub.rule}, {sub.entry})"
