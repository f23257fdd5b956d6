"""Why one pass is not always enough, how to tell cheaply, and how the records of several
passes become one record per change: the settling loop.

One pass rewrites every variant it finds, but a rewrite can create a match that was not in the
input: where forms of two entries overlap ("Sar i پل خمری": the Pashto name becomes
"Pul-e Khumri", and "Sar i Pul" then matches across it), or where a form holds another's
canonical form followed by punctuation ("Dr." in "Dr.."). Normalising the output again would
then change it: not idempotent. The settling loop therefore runs further passes until nothing
changes, and composes each later rewrite with the earlier ones it overlaps into one record
over the input, so that the log still rebuilds the input and says what happened.

Further passes are rare and cost a full pass, so the loop first asks whether one could
change anything. :func:`~normalise.compile.chaining_forms` finds, once per table (when it is
compiled), the canonical forms that a pattern of the table can overlap other than exactly;
only rewrites to those forms get a look at the text around them, and of those that a longer
form holds (Taliban in Tehrik-i-Taliban), only where the table compiler has not spelled that
form with each variant inside it, or where another match stands close by. A rewrite can also
change how the text beside it reads: a given name held as part of a full name may stand alone
once the name word beside it is rewritten (to an acronym, say); the table pass reports the
given names it held, and only those with a rewrite at the words read around them are judged
again (:meth:`Settling.rejudged`).

The parts: :class:`Settling` is the loop of one normaliser (:meth:`Settling.settle`), its
check (:meth:`Settling.unsettled`) and the further passes over the lines concerned
(:meth:`Settling.pass_lines`), at most :data:`MAX_PASSES`; :func:`compose` joins the records
of two passes. The check has a compiled twin for table-only normalisers (``_core.SettleCheck``,
the same positions: :meth:`Settling.reference_unsettled` is the reference), and so does
:func:`compose` where every first-pass record is applied (``_core.compose_applied``, through
:meth:`Settling.compose`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

import regex

from .chars import PROSE_BREAKS
from .compile import Chaining, CompiledTable, in_full_name, in_full_name_after, table_event
from .events import APPLIED_RULES, Result, Rule, Span, Substitution
from .lazyregex import lazy_compile
from .scan import fold_form, fold_haystack, match_key
from .sentence import NAME_TOKEN, OPENERS, SENTENCE_END, is_sentence_initial, sentence_tail

if TYPE_CHECKING:
    from .phonetic import PhoneticMatcher

#: One pass over a text: its result, the spans of the table hits taken and the given-name
#: hits it held as parts of full names (:attr:`~normalise.compile.TablePass.held`).
Pass = Callable[[str], tuple[Result, Sequence[tuple[int, int]], Sequence[tuple[int, int]]]]

#: Further passes after the first, at most (a table that still changes after them loops).
MAX_PASSES = 8
_by_span = itemgetter(0, 1)
#: The ``note`` of a record composed from rewrites of several passes begins with this.
COMPOSED = "composed of: "

_MARKS = lazy_compile(r"\p{M}")
# The nearest word before or after a position, looked for this far away at most (beyond,
# the rewrite gets a full look).
_WORD_BEFORE = lazy_compile(r"(?r)[\w\p{M}]+")
_WORD_AFTER = lazy_compile(r"[\w\p{M}]+")
_NEAR = 64
#: :data:`~normalise.sentence.OPENERS` as one string, for the compiled ``tail_changes``
_OPENERS = "".join(sorted(OPENERS))
_ENDS = "".join(sorted(SENTENCE_END))
_LINE_START = lazy_compile(f"(?r)[{PROSE_BREAKS}]")
_LINE_END = lazy_compile(f"[{PROSE_BREAKS}]")
# What lies between a held given name and a rewrite after it that may be (or be in) the word
# :func:`~normalise.evidence.name_neighbour` reads after the name; and between a rewrite and
# a held name after it, where the rewrite may be (or be in) the word it reads before the name
# or the character before that word's openers, which says whether it starts a sentence.
_TO_WORD_AFTER = lazy_compile(r"[ \-\u00a0]?[\p{L}\p{M}'’ʼʻ]*")
_FROM_WORD_BEFORE = lazy_compile(
    "[" + regex.escape("".join(sorted(OPENERS))) + r"]*[\p{L}\p{M}'’ʼʻ.]*[ \-\u00a0]?"
)


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


class Settling:
    """The settling loop of one normaliser: where another pass over a pass's output could
    change it, and the further passes over just those lines.

    Built once per normaliser from its compiled table. A table hit is rewritten by
    :func:`~normalise.compile.table_event`, as in a pass; with a ``matcher`` (phonetic apply
    mode, None otherwise), a rewrite that changes how a sentence reads is checked for the
    next name token, which the matcher judges by whether it starts a sentence."""

    def __init__(self, compiled: CompiledTable, matcher: PhoneticMatcher | None = None) -> None:
        self.chaining: Chaining = compiled.chaining
        #: keys of the spellings the table compiler added (embedded variants)
        self.embedded_keys = compiled.embedded_keys
        self._scanner = compiled.scanner
        self._entries = compiled.table.entries
        self._matcher = matcher
        # Without a matcher, the compiled core's check (the same positions) where the
        # scanner was built on it; this class stays the reference.
        trie = getattr(self._scanner, "_trie", None)
        self._compiled_check = None
        #: with a matcher: the compiled check of the table's part, and the compiled first
        #: test of :meth:`_next_name_changes` (see :meth:`apply_unsettled`)
        self._apply_check = None
        self._tail_changes: Callable[..., list[Substitution]] | None = None
        #: the compiled :func:`compose` of applied records (None on the Python core)
        self._compose_applied: Callable[..., list[Substitution] | None] | None = None
        if trie is not None:
            from .core import compiled_module

            module = compiled_module()
            self._compose_applied = module.compose_applied
            if matcher is None:
                self._compiled_check = module.SettleCheck(self, trie)
            else:
                self._apply_check = module.SettleCheck(self, trie)
                self._tail_changes = module.tail_changes

    def settle(
        self,
        text: str,
        result: Result,
        taken: Sequence[tuple[int, int]],
        run_pass: Pass,
        held: Sequence[tuple[int, int]] = (),
    ) -> Result:
        """The result of the first pass (``result``, ``taken``, ``held``) over ``text``, with
        further passes (``run_pass``) over the lines it may still change, until nothing
        changes, their records composed with the first pass's."""
        unsettled = self.unsettled(result, taken, held) if result.changed else []
        if not unsettled:
            return result
        records, current = result.substitutions, result.text
        for _ in range(MAX_PASSES):
            current, again, unsettled = self.pass_lines(current, unsettled, run_pass)
            if not again:
                break
            records = self.compose(text, records, again, current)
            if not unsettled:
                break
        return Result(current, records)

    def compose(
        self,
        text: str,
        first: Sequence[Substitution],
        second: Sequence[Substitution],
        final: str,
    ) -> list[Substitution]:
        """:func:`compose`; on the compiled core its twin where every first-pass record is
        applied (a table-only pass: the first-pass rewrites that no later one overlaps are
        kept without a Python step each)."""
        if self._compose_applied is not None and type(first) is list and type(second) is list:
            composed = self._compose_applied(text, first, second, final, _joined)
            if composed is not None:
                return composed
        return compose(text, first, second, final)

    def _next_name_changes(self, text: str, sub: Substitution) -> bool:
        """Whether the name token after a rewrite (only openers between) would now be
        judged otherwise, the rewrite having changed how the sentence reads there."""
        matcher = self._matcher
        if matcher is None:
            return False
        last = sub.original[-1]
        if (last == sub.replacement[-1] and last not in OPENERS) or sentence_tail(
            sub.original
        ) == sentence_tail(sub.replacement):
            return False  # both end alike (the common case: a letter), or both read alike
        pos = sub.out_end
        while pos < len(text) and text[pos] in OPENERS:
            pos += 1
        token = NAME_TOKEN.match(text, pos)
        if token is None:
            return False
        decision = matcher.decide(token.group(), sentence_initial=is_sentence_initial(text, pos))
        from .weigh import acts  # imported with the matcher's weighing (rewrite): a look-up

        return acts(decision)

    def unsettled(
        self,
        result: Result,
        taken: Sequence[tuple[int, int]],
        held: Sequence[tuple[int, int]] = (),
    ) -> list[int]:
        """Where another pass over ``result.text`` could change it (output offsets of the
        rewrites concerned): cheap, and never empty when it could. Only rewrites to forms
        that other patterns can overlap get a look at the text around them (those that a
        longer form holds, only where the table compiler has not spelled it with each
        variant, or where another table hit stands close), a rewrite that ends a sentence
        differently is checked for a name token after it, which the phonetic matcher judges
        by whether it starts a sentence, and a given name ``held`` as part of a full name is
        judged again where a rewrite stands beside it (:meth:`rejudged`)."""
        if self._compiled_check is not None:
            found: list[int] = self._compiled_check.unsettled(result, taken)
        elif self._apply_check is not None:
            found = self.apply_unsettled(result, taken)
        else:
            found = self.reference_unsettled(result, taken)
        if held:
            rejudged = self.rejudged(result, held)
            if rejudged:
                found = sorted(found + rejudged)
        return found

    def rejudged(self, result: Result, held: Sequence[tuple[int, int]]) -> list[int]:
        """The output offsets of the given-name hits that the pass held as parts of full
        names (``held``, input offsets) and that another pass would rewrite: a rewrite
        beside one can change the name word that made it part of a full name ("Zshk
        Xhltthkai" -> "Zshk ZCQEH": an acronym beside a name in lower case is no name word),
        or whether that word starts a sentence. Only a held name with a rewrite at what
        :func:`~normalise.evidence.name_neighbour` reads around it (the word before and the
        character before that word's openers, the word after) is judged again, as the table
        pass judges it."""
        subs = [s for s in result.substitutions if s.applied]
        if not subs:
            return []
        text = result.text
        found: list[int] = []
        i = shift = 0
        for start, end in held:
            while i < len(subs) and subs[i].end <= start:  # no rewrite overlaps a held hit
                sub = subs[i]
                shift += (sub.out_end - sub.out_start) - (sub.end - sub.start)
                i += 1
            out_start, out_end = start + shift, end + shift
            near = (
                i > 0 and _FROM_WORD_BEFORE.fullmatch(text, subs[i - 1].out_end, out_start)
            ) or (i < len(subs) and _TO_WORD_AFTER.fullmatch(text, out_end, subs[i].out_start))
            if (
                near
                and not in_full_name_after(text, out_start, out_end)  # the quick half first
                and not in_full_name(text, out_start, out_end)
            ):
                found.append(out_start)
        return found

    def apply_unsettled(self, result: Result, taken: Sequence[tuple[int, int]]) -> list[int]:
        """:meth:`reference_unsettled` with a matcher, its table part by the compiled check
        and the first test of :meth:`_next_name_changes` in C: the same positions.

        The reference's positions are those of the records the table's check finds
        disturbed, and of every applied record whose name token after it the matcher would
        now judge otherwise (asked of a record the table's check found only when it is not
        disturbed): each record's output start once, in order. The compiled check gives the
        first (no matcher in it); ``_tail_changes`` leaves out the records whose original and
        replacement end alike (the common case: a letter) or read alike to
        :func:`~normalise.sentence.sentence_tail`, for which the second says False."""
        assert self._apply_check is not None and self._tail_changes is not None
        found = set(self._apply_check.unsettled(result, taken))
        text = result.text
        for sub in self._tail_changes(result.substitutions, APPLIED_RULES, _OPENERS, _ENDS):
            if sub.out_start not in found and self._next_name_changes(text, sub):
                found.add(sub.out_start)
        return sorted(found)

    def reference_unsettled(self, result: Result, taken: Sequence[tuple[int, int]]) -> list[int]:
        """:meth:`unsettled` in Python but for the held given names: what the compiled check
        must give."""
        text = result.text
        chaining = self.chaining
        next_name_changes = self._next_name_changes if self._matcher is not None else None
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
            result, taken, held = run_pass(text[low:high])
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
            unsettled.extend(p + out_low for p in self.unsettled(result, taken, held))
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
        if sub.rule != Rule.TABLE or sub.note or match_key(sub.original) in self.embedded_keys:
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
        hits = self._window_hits(text, self._windows(text, subs))
        longest = max((end - start for start, end, _ in hits), default=0)
        return [self._is_disturbed(text, sub, hits, longest) for sub in subs]

    def _windows(self, text: str, subs: Sequence[Substitution]) -> list[list[int]]:
        """The spans of ``text`` around the rewrites that a pattern overlapping them can
        reach, widened to whole words, overlapping ones joined."""
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
        return windows

    def _window_hits(self, text: str, windows: Sequence[list[int]]) -> list[tuple[int, int, int]]:
        """Every table hit in the windows, overlaps included, as sorted (start, end, target)
        in the coordinates of ``text``."""
        bases, pieces, size = [], [], 0
        for low, high in windows:
            bases.append(size)
            pieces.append(text[low:high])
            size += high - low + 1
        hits: list[tuple[int, int, int]] = []
        for start, end, target in self._scanner.scan_overlapping("\n".join(pieces)):
            i = bisect.bisect_right(bases, start) - 1
            shift = windows[i][0] - bases[i]
            hits.append((start + shift, end + shift, target))
        hits.sort()
        return hits

    def _is_disturbed(
        self, text: str, sub: Substitution, hits: Sequence[tuple[int, int, int]], longest: int
    ) -> bool:
        """Whether a hit other than the rewrite's own overlaps or touches it, or its own is
        missing or would be rewritten again (see :meth:`_disturbed`)."""
        start, end = sub.out_start, sub.out_end
        found = False
        for k in range(bisect.bisect_left(hits, (start - longest,)), len(hits)):
            hit_start, hit_end, target = hits[k]  # not hits[first:]: a copy per rewrite
            if hit_start > end:
                break
            if hit_end < start or (
                start <= hit_start and hit_end <= end and (hit_start, hit_end) != (start, end)
            ):
                continue  # apart, or nested in the rewrite
            if (hit_start, hit_end) != (start, end) or table_event(
                text, start, end, self._entries[target]
            ) is not None:
                return True
            found = True
        return not found


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
    later_ids = {id(s) for s in later}
    unapplied = [s for s in first if not s.applied]
    out: list[Substitution] = []
    # Between groups, a position u of the intermediate text is u + shift_in in the input
    # and u + shift_out in the final text.
    shift_in = shift_out = 0
    waiting = 0
    for u0, u1, members in _groups(first, later):
        while waiting < len(unapplied) and unapplied[waiting].out_start < u1:
            if unapplied[waiting].out_end <= u0:  # before the group; else its text is gone
                out.append(_moved(unapplied[waiting], shift_out))
            waiting += 1
        if len(members) == 1 and id(members[0]) not in later_ids:
            # a first-pass rewrite the second left alone (most records of a chunk where one
            # line needed another pass): kept as it is until a second-pass rewrite before it
            # moved the final text (what :func:`_joined` gives it, without its sums)
            sub = members[0]
            shift_in += (sub.end - sub.start) - (u1 - u0)
            out.append(_moved(sub, shift_out))
            continue
        seconds = [s for s in members if id(s) in later_ids]
        in0, out0 = u0 + shift_in, u0 + shift_out
        shift_in += sum(
            (s.end - s.start) - (s.out_end - s.out_start) for s in members if id(s) not in later_ids
        )
        shift_out += sum(len(s.replacement) - (s.end - s.start) for s in seconds)
        record = _joined(
            text, final, members, seconds, Span(in0, u1 + shift_in), out0, u1 + shift_out
        )
        if record is not None:
            out.append(record)
    out.extend(_moved(s, shift_out) for s in unapplied[waiting:])
    return out


def _groups(
    first: Sequence[Substitution], later: Sequence[Substitution]
) -> list[tuple[int, int, list[Substitution]]]:
    """Maximal runs of overlapping first-pass output spans and second-pass spans, both in
    intermediate coordinates, as (start, end, members). Neither pass's rewrites overlap each
    other."""
    spans = sorted(
        [(s.out_start, s.out_end, s) for s in first if s.applied]
        + [(s.start, s.end, s) for s in later],
        key=_by_span,
    )
    groups: list[tuple[int, int, list[Substitution]]] = []
    reach = -1
    for start, end, sub in spans:
        if groups and start < reach:
            low, high, members = groups[-1]
            members.append(sub)
            groups[-1] = (low, max(high, end), members)
            reach = max(reach, end)
        else:
            groups.append((start, end, [sub]))
            reach = end
    return groups


def _joined(
    text: str,
    final: str,
    members: Sequence[Substitution],
    seconds: Sequence[Substitution],
    span: Span,
    out0: int,
    out1: int,
) -> Substitution | None:
    """The one record of a group of rewrites at ``span`` of the input and ``out0:out1`` of
    the final text: a rewrite alone keeps its own record, moved; several become one record
    with every step in its note, none where the passes undid each other."""
    in0, in1 = span
    if len(members) == 1:
        sub = members[0]
        if seconds:  # a second-pass rewrite of text the first left alone
            return sub._replace(start=in0, end=in1)
        return sub._replace(out_start=out0, out_end=out1)  # a first-pass rewrite left alone
    if text[in0:in1] == final[out0:out1]:
        return None  # the passes undid each other here: no change, no record
    second_ids = {id(s) for s in seconds}
    firsts = [s for s in members if id(s) not in second_ids]
    return Substitution(
        text[in0:in1],
        final[out0:out1],
        in0,
        in1,
        out0,
        out1,
        Rule.PHONETIC if any(s.rule == Rule.PHONETIC for s in members) else Rule.TABLE,
        seconds[-1].entry,
        min(s.score for s in members),
        COMPOSED
        + "; ".join(_step(s) for s in firsts)
        + "; "
        + "; ".join(_step(s) for s in seconds),
    )


def _moved(sub: Substitution, shift: int) -> Substitution:
    if not shift:
        return sub
    return sub._replace(out_start=sub.out_start + shift, out_end=sub.out_end + shift)


def _step(sub: Substitution) -> str:
    """One rewrite as a step in a composed record's note (a composed record: its steps)."""
    if sub.note and sub.note.startswith(COMPOSED):
        return sub.note[len(COMPOSED) :]
    return f"'{sub.original}' -> '{sub.replacement}' ({sub.rule}, {sub.entry})"
