"""A person by surname: news names a person in full once, and by surname after that.

A ``person`` entry whose canonical form has more than one word also matches its surname
standing alone: the last word of the canonical form (with a particle before it: ``bin Laden``,
``al-Assad`` stays one word), rewritten from the surnames of its multi-word variants
(Sebghatullah Sailab -> Sailab -> Selab). The surname entry is derived when the table is
built, never written in a table, and only where precision allows:

* no other entry claims the surname or the variant's surname (Haqqani is an entry of its own;
  a given name is another entry's form);
* no other person entry has the same surname (Bashar and Hafez al-Assad): then neither gets
  it, and ``normalise check`` reports the pair (kind ``shared-surname``, a note);
* the surname is not a word English text uses on its own, however rarely: wordfreq Zipf
  frequency below 2.0 (the phonetic matcher's own line for "English uses it"), which leaves
  out Danish, but also surnames many people share (Ghani, Wali, Rehman, Hosseini, Assad) and
  that news uses alone for people the table does not hold; a variant's surname is held to
  the same line (that variant is left out);
* the surname is not a given name in the table: the first word of a person's name, or a
  form of any entry (Qasem is Qasem Soleimani's given name).

The derived entries are ordinary entries of kind ``person``, so the phonetic matcher also
maps a new spelling of the surname alone (Khalilzaad -> Khalilzad) under its usual gates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import regex

from .scan import match_key
from .table import Entry, Problem, Table

#: Highest wordfreq Zipf frequency of a surname matched alone (about once in 10 million words).
MAX_ZIPF = 2.0
#: Surnames never matched alone, each with its reason (checked by hand; the rules above cannot
#: see them): given names, and family names many people share, that English rarely uses.
NOT_ALONE = frozenset(
    {
        "qassem",
        "qasem",
        "qassim",
        "kassem",  # also a given name (Qassem Soleimani)
        "hussaini",
        "husaini",
        "hosseini",
        "husseini",  # a family name of many Sayyid families
        "rabbani",
        "rabani",  # Burhanuddin and Salahuddin Rabbani as well as Ghulam Rabani
    }
)
#: Fewest letters of a surname matched alone.
MIN_LETTERS = 4
#: Particles that belong to the surname after them (Osama bin Laden: "bin Laden").
SURNAME_PARTICLES = frozenset(
    {
        "bin",
        "ibn",
        "bint",
        "al",
        "el",
        "ul",
        "ud",
        "van",
        "von",
        "de",
        "del",
        "della",
        "da",
        "di",
        "du",
        "le",
        "la",
        "abu",
    }
)
NOTE = "surname of {}, standing alone (derived from its entry)"
_WORDS = regex.compile(r"\S+")


def surname(form: str) -> str | None:
    """The surname of a multi-word name, or None for a single word."""
    words: list[str] = _WORDS.findall(form)
    if len(words) < 2:
        return None
    if len(words) >= 3 and words[-2].lower() in SURNAME_PARTICLES:
        return f"{words[-2]} {words[-1]}"
    return words[-1]


def _claimed(entries: Sequence[Entry]) -> set[str]:
    """Match keys of every spelling of every entry (case-sensitive ones lower-cased too, so
    that ``US`` keeps "Us" from becoming a surname)."""
    return {
        match_key(spelling) for e in entries for form in e.forms for spelling in e.spellings(form)
    }


def _candidates(entries: Sequence[Entry]) -> dict[str, list[Entry]]:
    """Match key of each person's surname -> the person entries with that surname."""
    by_key: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.kind != "person" or entry.case_sensitive:
            continue
        name = surname(entry.canonical)
        if name is not None:
            by_key.setdefault(match_key(name), []).append(entry)
    return by_key


def _too_common(name: str) -> bool:
    """A surname English text uses on its own, or too short to stand alone."""
    from wordfreq import zipf_frequency

    letters = sum(c.isalpha() for c in name)
    return (
        letters < MIN_LETTERS
        or match_key(name) in NOT_ALONE
        or zipf_frequency(name, "en") >= MAX_ZIPF
    )


def _given_names(entries: Sequence[Entry]) -> set[str]:
    """Match keys of the first word of every multi-word person form."""
    found = set()
    for entry in entries:
        if entry.kind in ("person", "given-name"):
            for form in entry.forms:
                words = _WORDS.findall(form)
                if len(words) > 1:
                    found.add(match_key(words[0]))
    return found


def surname_entries(entries: Sequence[Entry]) -> list[Entry]:
    """The surname entries the rules above allow, in the order of their persons."""
    claimed = _claimed(entries) | _given_names(entries)
    candidates = _candidates(entries)
    variant_owners: dict[str, set[str]] = {}
    for key, persons in candidates.items():
        for person in persons:
            for variant in person.variants:
                name = surname(variant)
                if name is not None:
                    variant_owners.setdefault(match_key(name), set()).add(key)
    derived = []
    for key, persons in candidates.items():
        if len(persons) > 1 or key in claimed:
            continue
        person = persons[0]
        name = surname(person.canonical)
        assert name is not None
        if _too_common(name):
            continue
        variants, seen = [], {key}
        for variant in person.variants:
            other = surname(variant)
            if other is None:
                continue
            other_key = match_key(other)
            if (
                other_key in seen
                or other_key in claimed
                or other_key in candidates
                or variant_owners.get(other_key, set()) - {key}
                or _too_common(other)
            ):
                continue
            seen.add(other_key)
            variants.append(other)
        derived.append(
            Entry(
                name,
                tuple(variants),
                kind="person",
                notes=NOTE.format(person.canonical),
                sources=person.sources,
                file=person.file,
                line=person.line,
                phonetic=person.phonetic,
                person=person.canonical,
            )
        )
    return derived


def with_surnames(table: Table) -> Table:
    """The table with the surname entries of its persons added after its own entries."""
    derived = surname_entries(table.entries)
    if not derived:
        return table
    return replace(table, entries=(*table.entries, *derived))  # sources, keep: as they were


def shared_surnames(entries: Sequence[Entry]) -> Iterator[Problem]:
    """Surnames two person entries share and no other entry claims: neither is matched by
    it alone (a note: add an entry for the family name if one is meant)."""
    claimed = _claimed(entries)
    for key, persons in _candidates(entries).items():
        if len(persons) < 2 or key in claimed:
            continue
        first = persons[0]
        name = surname(first.canonical)
        others = ", ".join(f"'{p.canonical}'" for p in persons[1:])
        yield Problem(
            first.file,
            first.line,
            f"surname '{name}' of '{first.canonical}' is "
            f"also the surname of {others}: neither is matched by it alone",
            first.canonical,
            "shared-surname",
        )
