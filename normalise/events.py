"""The values one pass makes and returns: hits, events, substitution records, results.

Why a module of their own: the scanner, the compiled core, the weighing, the settling loop,
the log and the integrations all pass them around, and a compiled core (see
:mod:`normalise.compile`) must build exactly these. It imports nothing of the package but
:mod:`normalise.errors` (itself a leaf), so every other module may import it.

A *hit* is where the table matches; an *event* is what a pass decides to do there (or, for
the rules that are not applied, what it notes); :func:`apply_events` turns a pass's events
into the output text and one :class:`Substitution` record per event. Records are named
tuples, changed with ``_replace``, never rebuilt by position.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from .errors import LogError


class Rule:
    """The rules a record may carry: the values of the log's ``rule`` field (a documented
    contract, so plain strings)."""

    #: a table entry's form rewritten to its canonical form
    TABLE: Final = "table"
    #: a spelling no table lists rewritten by the phonetic matcher
    PHONETIC: Final = "phonetic"
    #: a phonetic candidate noted, not applied (suggest mode, or held back: see ``held``)
    PHONETIC_SUGGEST: Final = "phonetic-suggest"
    #: a token two entries fit about equally well: noted, not applied
    PHONETIC_AMBIGUOUS: Final = "phonetic-ambiguous"
    #: a table hit noted, not applied: a person's own spelling (``held: own-spelling``)
    TABLE_SUGGEST: Final = "table-suggest"


#: Rules whose records changed the text.
APPLIED_RULES = frozenset({Rule.TABLE, Rule.PHONETIC})
#: Every rule a record may carry.
RULES = APPLIED_RULES | {Rule.PHONETIC_SUGGEST, Rule.PHONETIC_AMBIGUOUS, Rule.TABLE_SUGGEST}


class Hit(NamedTuple):
    """A verified whole-word occurrence: ``text[start:end]`` belongs to entry ``target``
    (an index into the table's entries)."""

    start: int
    end: int
    target: int


class Span(NamedTuple):
    """A span of a text, ``[start, end)``."""

    start: int
    end: int


class Event(NamedTuple):
    """What one pass does at ``text[start:end]``: write ``replacement`` there by ``rule``
    (an applied rule), or note it (the others). ``held``: why a candidate was not
    applied (a key of :data:`normalise.evidence.HELD_REASONS`), else None."""

    start: int
    end: int
    replacement: str
    rule: str
    score: float
    note: str | None
    entry: str
    held: str | None = None


class Substitution(NamedTuple):
    """One substitution (or, for unapplied rules, one recorded candidate).

    A named tuple: cheap to build by the hundred thousand and to send between processes."""

    original: str
    replacement: str
    start: int
    end: int
    out_start: int
    out_end: int
    rule: str
    entry: str
    score: float
    note: str | None = None
    #: why a candidate was not applied (``phonetic-suggest`` and ``table-suggest`` only): a
    #: key of :data:`normalise.evidence.HELD_REASONS`; None otherwise
    held: str | None = None

    @property
    def applied(self) -> bool:
        return self.rule in APPLIED_RULES

    def to_dict(self) -> dict[str, Any]:
        record = self._asdict()
        if record["note"] is None:
            del record["note"]
        if record["held"] is None:
            del record["held"]
        return record

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Substitution:
        names = cls._fields
        try:
            values = {k: record[k] for k in names if k in record}
            sub = cls(**values)
        except TypeError as err:
            raise LogError(f"record is missing a field: {err}") from None
        for name in ("start", "end", "out_start", "out_end"):
            value = getattr(sub, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise LogError(f"field '{name}' must be a non-negative integer")
        for name in ("original", "replacement", "rule", "entry"):
            if not isinstance(getattr(sub, name), str):
                raise LogError(f"field '{name}' must be a string")
        if sub.note is not None and not isinstance(sub.note, str):
            raise LogError("field 'note' must be a string")
        if not isinstance(sub.score, (int, float)) or isinstance(sub.score, bool):
            raise LogError("field 'score' must be a number")
        if sub.rule not in RULES:
            raise LogError(f"unknown rule '{sub.rule}'")
        if sub.end - sub.start != len(sub.original) or (
            sub.applied and sub.out_end - sub.out_start != len(sub.replacement)
        ):
            raise LogError("offsets do not fit the lengths of 'original' and 'replacement'")
        return sub


@dataclass(frozen=True)
class Result:
    """A normalised text and the substitutions that made it from the input."""

    text: str
    substitutions: list[Substitution]
    _applied: list[Substitution] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the compiled apply_events passes the applied records it made (no call per record)
        if not self._applied:
            self._applied.extend([s for s in self.substitutions if s.rule in APPLIED_RULES])

    @property
    def changed(self) -> bool:
        return bool(self._applied)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (str, int, float, lists, dicts): for JSON, msgpack (spaCy's
        ``Doc.user_data``), Arrow columns. :meth:`from_dict` rebuilds an equal Result."""
        return {"text": self.text, "substitutions": [s.to_dict() for s in self.substitutions]}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Result:
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
            return int(getattr(subs[i], b0 if is_start else b1))
        if i == 0:
            return pos
        last = subs[i - 1]
        return int(pos - getattr(last, a1) + getattr(last, b1))


def apply_events(text: str, events: Iterable[Event]) -> Result:
    """The output text and the records of a pass's ``events`` (sorted by start, none
    overlapping another): an applied rule writes its replacement, the others leave the
    original and are recorded where it stands in the output. Scores are rounded to four
    places, as the log writes them."""
    pieces: list[str] = []
    subs: list[Substitution] = []
    pos = 0
    out = 0
    for start, end, replacement, rule, score, note, entry, held in events:
        pieces.append(text[pos:start])
        out += start - pos
        original = text[start:end]
        written = replacement if rule in APPLIED_RULES else original
        pieces.append(written)
        out_end = out + len(written)
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
                held,
            )
        )
        out = out_end
        pos = end
    if not subs:
        return Result(text, [])
    pieces.append(text[pos:])
    return Result("".join(pieces), subs)


def spans_of(hits: Sequence[Hit]) -> list[Span]:
    """The spans of ``hits``."""
    return [Span(start, end) for start, end, _ in hits]
