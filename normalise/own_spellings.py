"""People's own spellings: a person's name written in letters no form of its entry has.

Why: the scanner folds diacritics, so ``Öcalan`` reaches the entry of ``Ocalan`` (the surname
of Abdullah Ocalan) as a table hit. A person's name written with letters that carry marks the
table's forms never have (ö, ş, ğ, ı) is a spelling in that person's own language: very often
another person of that language (a Turkish Öcalan is not Abdullah Ocalan), and in any case the
writer's choice. Such a hit of a ``person`` entry (a full name, or a surname derived from one:
:mod:`normalise.surnames`) is left as written and recorded as ``table-suggest`` with ``held:
own-spelling``, unless the text names the entry's person in full nearby: the hit is itself the
whole full name (``Abdullah Öcalan``), or a hit of the full name (or of the entry spelt as the
table spells it) stands within :data:`~normalise.evidence.EVIDENCE_WINDOW` characters in its
paragraph; then it is that person, and it is rewritten as every other mention of them is, so a
report converges on one spelling. ``given_names="always"`` (search-style folding) rewrites every
such hit. Places and other kinds keep their diacritic folding: a place's name is written
the same by everyone (Kabul, Kâbul), a person's name by its bearer.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .events import Event, Rule
from .evidence import EVIDENCE_WINDOW, HELD_REASONS, paragraph_window

if TYPE_CHECKING:
    from .compile import TableHit, TablePass
    from .table import Entry

#: The entry (canonical form) of an event.
_entry_of = operator.itemgetter(6)
#: The note of a held hit's record.
NOTE = f"held: {HELD_REASONS['own-spelling']}"


def marked_letters(spelling: str) -> frozenset[str]:
    """The letters of ``spelling`` outside ASCII, lower-cased (ö, ş, ı, ø)."""
    return frozenset(c for c in spelling.lower() if c.isalpha() and not c.isascii())


class OwnSpellings:
    """The own-spelling rule for one table (see the module docstring)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._persons = {e.canonical: e for e in entries if e.kind == "person"}
        self._letters: dict[str, frozenset[str]] = {}

    def own_spelling(self, spelling: str, entry: Entry) -> bool:
        """Whether ``spelling`` has a letter outside ASCII that no form of ``entry`` has: it
        reaches the entry only through the scanner's fold of diacritics."""
        if spelling.isascii():
            return False
        letters = marked_letters(spelling)
        if not letters:
            return False
        known = self._letters.get(entry.canonical)
        if known is None:
            known = self._letters[entry.canonical] = marked_letters("".join(entry.forms))
        return not letters <= known

    def held(self, text: str, found: TablePass) -> TablePass:
        """``found`` with the rewrites of people's own spellings turned into ``table-suggest``
        records (``held: own-spelling``); their hits are no evidence for the matcher (the
        person they name is not the table's). Unchanged when nothing is held (a text of
        ASCII alone is answered at once)."""
        if text.isascii() or not found.events:
            return found
        persons = self._persons
        found_events = found.events
        # the entries rewritten, read in C: most rewrites of dense text are of places
        named = persons.keys() & set(map(_entry_of, found_events))
        if not named:
            return found
        events: list[Event] | None = None
        dropped: set[int] = set()
        for i in [i for i, e in enumerate(found_events) if e[6] in named]:
            event = found_events[i]
            entry = persons[event.entry]
            if (
                event.rule != Rule.TABLE
                or not self.own_spelling(text[event.start : event.end], entry)
                or self.named_in_full(text, event.start, event.end, entry, found.hits)
            ):
                continue
            if events is None:
                events = list(found.events)
            events[i] = Event(
                event.start,
                event.end,
                event.replacement,
                Rule.TABLE_SUGGEST,
                1.0,
                NOTE,
                event.entry,
                "own-spelling",
            )
            dropped.add(event.start)
        if events is None:
            return found
        return found._replace(events=events, hits=[h for h in found.hits if h.start not in dropped])

    def named_in_full(
        self, text: str, start: int, end: int, entry: Entry, hits: Sequence[TableHit]
    ) -> bool:
        """Whether the text names ``entry``'s person in full at or near ``[start, end)``: the
        hit is the whole full name, or a hit of the full name in more than one word, or one
        spelt as the table spells it, stands in its evidence window."""
        from .weigh import HitWindow

        full = entry.person or entry.canonical
        if entry.canonical == full and " " in text[start:end]:
            return True
        low, high = paragraph_window(text, start, end, EVIDENCE_WINDOW)
        for s, e, other in HitWindow(hits).within(low, high):
            if s != start and other.canonical == full:
                spelling = text[s:e]
                if " " in spelling or not self.own_spelling(spelling, other):
                    return True
        return False
