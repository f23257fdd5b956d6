"""``normalise check``: every problem of a set of tables, with file, line and entry.

First what :func:`~normalise.table.table_problems` finds (syntax, fields, conflicts, chains).
When the tables load, each finding below is one small function over the merged entries, named
by the ``kind`` of the :class:`~normalise.table.Problem` it yields:

* ``english-word``: a variant is a common English word, so ordinary prose would be rewritten;
* ``shadowed``: a form that can never be matched as written (another entry always wins it);
* ``redundant`` (a note): a variant that matches nothing its entry does not match already;
* ``unstable``: a form that a first run can create and a second run rewrites again (the
  rewriter's further passes settle overlaps; what they leave is reported);
* ``point-chain``: a variant ending in a full stop whose canonical form, with the point the
  rewriter keeps at the end of a sentence, is a form of another entry;
* ``phonetic-conflict``: a form the phonetic matcher would give to another entry;
* ``casing``: a canonical form whose casing does not fit its kind or its variants;
* ``unused-keep`` (a note): a kept form (``keep:``) that no table form and no phonetic
  candidate would ever touch, so keeping it changes nothing;
* ``shared-surname`` (a note): a surname two person entries share, so neither is matched by
  it alone (see :mod:`normalise.surnames`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import regex

from .chars import APOSTROPHES, HYPHENS, NAME_PARTICLES
from .phonetic import Candidate, PhoneticMatcher, Verdict, is_phonetic_name
from .rewrite import PHONETIC_KINDS, Normaliser
from .scan import fold_form, match_key
from .surnames import shared_surnames
from .table import Entry, Problem, Table, TableSource, TableText, table_problems

#: How many of wordfreq's most frequent English words count as common.
COMMON_WORDS = 30_000
#: Words in that list only as the very name they spell (checked by hand): rewriting them is
#: the point of their entry. Every addition needs the reason in a comment.
SAME_NAME = frozenset(
    {
        "kiev",  # the city (Kyiv)
        "odessa",  # the city (Odesa)
        "koran",
        "qur'an",
        "quran",  # the book
        "mohammed",
        "mohammad",
        "mohamed",  # the given name
        "hussain",  # the given name (Hussein)
        "khaled",  # the given name (Khalid)
        "syed",  # the given name or title (Sayed)
        "sheik",  # the title (sheikh)
    }
)
#: Kinds that name a place, person or group: their canonical forms are capitalised.
PROPER_NAME_KINDS = frozenset({"place", "person", "given-name", "people", "organisation"})
#: Lower-case particles a proper name may start with (al-Qaeda, bin Laden, van Gogh).
PARTICLES = NAME_PARTICLES
#: Kinds of finding that are notes: worth tidying, harmless to the output.
NOTE_KINDS = frozenset({"redundant", "unused-keep", "shared-surname"})

_FIRST_WORD = regex.compile(rf"^[^\s{regex.escape(HYPHENS)}]+")


def check_tables(sources: Sequence[TableSource | TableText]) -> list[Problem]:
    """Validate tables loaded together, in order; return the problems (empty when clean).

    The findings past loading need a table that loads: they ask what the scanner and the
    phonetic matcher would do with it, which is undefined while two entries claim one form.
    """
    table, problems = table_problems(sources)
    if table is None:
        return problems
    entries = table.entries
    problems = list(wordless(entries))
    if problems:
        return problems
    normaliser = Normaliser(table=table, phonetic="off")
    for finding in (
        english_words(entries),
        shadowed(normaliser),
        redundant(entries),
        unstable(normaliser),
        point_chains(entries),
        phonetic_conflicts(entries),
        casing(entries),
        unused_keep(table, normaliser),
        shared_surnames(entries),
    ):
        problems.extend(finding)
    order = {name: i for i, name in enumerate(table.sources)}
    return sorted(problems, key=lambda p: (order.get(p.file or "", -1), p.line or 0))


def severity(problem: Problem) -> str:
    """``note`` for findings that cannot change any output, ``error`` otherwise."""
    return "note" if problem.kind in NOTE_KINDS else "error"


def _problem(entry: Entry, index: int, message: str, kind: str) -> Problem:
    file, line = entry.where(index)
    return Problem(file, line, message, entry.canonical, kind)


def _spellings(entry: Entry) -> Iterator[tuple[int, str, str]]:
    """(form index, form, spelling) for each spelling the entry matches."""
    for index, form in enumerate(entry.forms):
        for spelling in entry.spellings(form):
            yield index, form, spelling


def _named(index: int, form: str, spelling: str) -> str:
    role = "canonical form" if index == 0 else "variant"
    if spelling == form:
        return f"{role} '{form}'"
    return f"spelling '{spelling}' (flexible separators of the {role} '{form}')"


# --------------------------------------------------------------------------- wordless


def wordless(entries: Iterable[Entry]) -> Iterator[Problem]:
    """Forms with no letter or digit once combining marks are set aside: the scanner would
    find them in punctuation or between two spaces, so nothing else can be checked."""
    for entry in entries:
        for index, form, spelling in _spellings(entry):
            if not fold_form(spelling).strip():
                yield _problem(
                    entry,
                    index,
                    f"{_named(index, form, spelling)} of "
                    f"'{entry.canonical}' has no letter or digit besides combining "
                    "marks",
                    "invalid",
                )


# --------------------------------------------------------------------------- english-word


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Match keys of wordfreq's most frequent English words (lower case, marks folded)."""
    from wordfreq import top_n_list

    return frozenset(match_key(w) for w in top_n_list("en", COMMON_WORDS))


def english_words(entries: Iterable[Entry]) -> Iterator[Problem]:
    """Variants that are common English words: the table would rewrite ordinary prose ("us",
    "china"). Not for ``spelling`` entries, whose variants are English words by design, nor
    for case-sensitive forms that are not all lower case (``US`` never touches "us")."""
    common = common_words()
    for entry in entries:
        if entry.kind == "spelling":
            continue
        for index, form, spelling in _spellings(entry):
            if spelling == entry.canonical:
                continue
            if entry.case_sensitive and spelling != spelling.lower():
                continue
            key = match_key(spelling)
            if key in common and key not in SAME_NAME:
                yield _problem(
                    entry,
                    index,
                    f"{_named(index, form, spelling)} of "
                    f"'{entry.canonical}' is a common English word: ordinary text "
                    f"with '{key}' would be rewritten (make the entry case_sensitive "
                    "if only one casing is meant, or drop the variant)",
                    "english-word",
                )


# --------------------------------------------------------------------------- shadowed


def shadowed(normaliser: Normaliser) -> Iterator[Problem]:
    """Forms that never reach their entry. Leftmost-longest cannot hide a form that stands
    alone, so a form is unreachable exactly when, on its own, it is not one hit of its own
    entry: another entry wins it, or the scanner cannot find it as written."""
    for entry in normaliser.table.entries:
        for index, form, spelling in _spellings(entry):
            found = normaliser.explain(spelling).entry
            if found is entry:
                continue
            why = (
                "the scanner never finds it as written"
                if found is None
                else f"it is always read as '{found.canonical}'"
            )
            yield _problem(
                entry,
                index,
                f"{_named(index, form, spelling)} of "
                f"'{entry.canonical}' can never be matched: {why}",
                "shadowed",
            )


# --------------------------------------------------------------------------- redundant


def redundant(entries: Iterable[Entry]) -> Iterator[Problem]:
    """Variants that fold to a key an earlier form of the same entry already matches
    (differing only in diacritics, casing, apostrophes or a flexible separator): harmless,
    but they suggest coverage that is not there."""
    for entry in entries:
        keys: dict[str, str] = {}
        for index, form in enumerate(entry.forms):
            key = match_key(form, entry.case_sensitive)
            if index and key in keys:
                yield _problem(
                    entry,
                    index,
                    f"variant '{form}' of '{entry.canonical}' matches "
                    f"only what '{keys[key]}' matches already (it differs in "
                    "diacritics, casing, apostrophes or separators)",
                    "redundant",
                )
            for spelling in entry.spellings(form):
                keys.setdefault(match_key(spelling, entry.case_sensitive), form)


# --------------------------------------------------------------------------- unstable


def unstable(normaliser: Normaliser) -> Iterator[Problem]:
    """Forms that one run of normalise can create and a second run rewrites again, so that
    normalising twice differs from normalising once. A one-pass rewriter would show it where a
    form holds, from one of its words on, the canonical form of an entry (or the start of one):
    a text with a variant or another casing there becomes the form, then its entry. The
    rewriter runs further passes until such texts settle (see :mod:`normalise.settle`), so
    what is reported here is what those passes leave: overlaps that chain further than
    :data:`~normalise.settle.MAX_PASSES`. Reported only with a witness text for which two runs
    differ."""
    entries = normaliser.table.entries
    starts = _canonical_starts(entries)
    cases = [
        (entry, index, form, spelling, text)
        for entry in entries
        for index, form, spelling in _spellings(entry)
        for cased in _casings(spelling, entry)
        for text in (cased, *_overlaps(entries, starts, cased))
    ]
    runs = _twice(normaliser, (text for *_, text in cases))
    reported = set()
    for entry, index, form, spelling, text in cases:
        first, second = runs[text]
        if first != second and (id(entry), index) not in reported:
            reported.add((id(entry), index))  # one witness per form is enough
            yield _problem(
                entry,
                index,
                f"{_named(index, form, spelling)} of "
                f"'{entry.canonical}' is not stable: '{text}' becomes '{first}' "
                f"and, run again, '{second}'",
                "unstable",
            )


def _twice(normaliser: Normaliser, texts: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Each distinct text -> (normalised once, normalised twice). One text, a witness per
    line: no form spans a line break, so the lines are independent; that also lets each
    distinct line be run once (half the witnesses repeat another) and the second run skip the
    lines the first left as they were (the same input gives the same output)."""
    unique = list(dict.fromkeys(texts))
    once = normaliser.normalise("\n".join(unique)).text.split("\n")
    pairs = list(zip(unique, once, strict=False))
    changed = list(dict.fromkeys(first for text, first in pairs if first != text))
    twice = normaliser.normalise("\n".join(changed)).text.split("\n")
    again = dict(zip(changed, twice, strict=False))
    return {text: (first, again.get(first, first)) for text, first in pairs}


# --------------------------------------------------------------------------- point-chain


def point_chains(entries: Sequence[Entry]) -> Iterator[Problem]:
    """Variants ending in a full stop ("Aaaa Aaaa.") of an entry whose canonical form does
    not: at the end of a sentence the rewriter keeps the point ("Aaaaa."), and where that is a
    form of another entry, further passes take the text on to that entry, so the variant
    never reaches its own."""
    owner = {
        match_key(spelling): entry
        for entry in entries
        if not entry.case_sensitive
        for _, _, spelling in _spellings(entry)
    }
    for entry in entries:
        if entry.case_sensitive or entry.canonical.endswith("."):
            continue
        other = owner.get(match_key(entry.canonical + "."))
        if other is None or other is entry:
            continue
        for index, variant in enumerate(entry.variants, start=1):
            if variant.endswith("."):
                yield _problem(
                    entry,
                    index,
                    f"variant '{variant}' of '{entry.canonical}' "
                    f"ends a sentence as '{entry.canonical}.', which is a form of "
                    f"'{other.canonical}': the text goes on to that entry",
                    "point-chain",
                )


def _casings(spelling: str, entry: Entry) -> list[str]:
    """The spelling as written and, unless the entry is case-sensitive, in the casings the
    rewriter treats apart: lower case, capitalised and ALL CAPS."""
    if entry.case_sensitive:
        return [spelling]
    return [spelling, spelling.lower(), spelling[:1].upper() + spelling[1:], spelling.upper()]


_WORDS = regex.compile(rf"(?:(?![{APOSTROPHES}])[\w\p{{M}}])+")
#: (case-sensitive?, match key) -> [(entry index, the whole canonical form?)]
_Starts = dict[tuple[bool, str], list[tuple[int, bool]]]


def _canonical_starts(entries: Sequence[Entry]) -> _Starts:
    """(case-sensitive?, key) of each canonical spelling cut after each of its words ->
    [(entry index, whole?)]: where a canonical form may begin inside another form."""
    starts: _Starts = {}
    for target, entry in enumerate(entries):
        for spelling in entry.spellings(entry.canonical):
            ends = [m.end() for m in _WORDS.finditer(spelling)]
            for end in ends:
                key = match_key(spelling[:end], entry.case_sensitive)
                whole = end == ends[-1]
                starts.setdefault((entry.case_sensitive, key), []).append((target, whole))
    return starts


def _overlaps(entries: Sequence[Entry], starts: _Starts, spelling: str) -> Iterator[str]:
    """The spelling with a canonical form that begins at one of its words (and ends inside
    it, or runs past its end) written instead as a spelling rewritten to that form: one of
    its variants, or another casing."""
    words = [m.span() for m in _WORDS.finditer(spelling)]
    for first, (start, _) in enumerate(words):
        for _, end in words[first:]:
            part = spelling[start:end]
            for target, whole in (
                *starts.get((False, match_key(part)), ()),
                *starts.get((True, match_key(part, True)), ()),
            ):
                rest = spelling[end:]
                inside = whole and (start, end) != (0, len(spelling))
                if inside or (start and end == words[-1][1]):
                    inner = entries[target]
                    for other in (*inner.variants, *_casings(inner.canonical, inner)[1:]):
                        yield spelling[:start] + other + (rest if whole else "")


# --------------------------------------------------------------------------- phonetic-conflict


def phonetic_conflicts(entries: Sequence[Entry]) -> Iterator[Problem]:
    """Forms that the phonetic matcher would give to another entry were they left out of the
    table: then a spelling the table does not list, close to that form, is read as the other
    entry. Each form is left out in turn; its own entry keeps its other forms, and the other
    entry must win by the matcher's threshold and margin."""
    matcher = PhoneticMatcher.for_entries(entries, PHONETIC_KINDS)
    names = [e for e in entries if is_phonetic_name(e, PHONETIC_KINDS)]
    for entry in names:
        for index, form in enumerate(entry.forms):
            conflict = _sound_conflict(matcher, entry, form, len(names))
            if conflict is None:
                continue
            other, own = conflict
            role = "canonical form" if index == 0 else "variant"
            yield _problem(
                entry,
                index,
                f"{role} '{form}' of '{entry.canonical}' sounds "
                f"like '{other.entry}' (via '{other.form}', score "
                f"{other.score:.2f}; its own entry's other forms score at most "
                f"{own:.2f}): left out of the table, it would be read as "
                f"'{other.entry}'",
                "phonetic-conflict",
            )


def _sound_conflict(
    matcher: PhoneticMatcher, entry: Entry, form: str, limit: int
) -> tuple[Candidate, float] | None:
    """The other entry that would win ``form`` were it left out of ``entry``, and the best
    score of the entry's other forms; None when no other entry would win it."""
    others = [
        c
        for c in matcher.candidates(form, limit=limit)
        if c.entry != entry.canonical and not c.part
    ]
    if not others:
        return None
    own = max((matcher.similarity(form, f) for f in entry.forms if f != form), default=0.0)
    best = others[0]
    runner = max(own, others[1].score if len(others) > 1 else 0.0)
    if best.score < matcher.min_score or best.score - runner < matcher.margin_needed(best.score):
        return None
    return best, own


# --------------------------------------------------------------------------- casing


def _initial_case(form: str) -> str | None:
    """'upper' or 'lower' for the first cased letter after any leading particle, or None
    (no cased letter: another script, or digits only)."""
    word = _FIRST_WORD.match(form)
    if word and word.group().lower() in PARTICLES and len(form) > word.end():
        form = form[word.end() :]
    for char in form:
        if char.isupper():
            return "upper"
        if char.islower():
            return "lower"
    return None


def casing(entries: Iterable[Entry]) -> Iterator[Problem]:
    """Canonical forms whose casing would be copied into the text wrongly. A proper name
    starts with a capital, after any particle (al-Qaeda, bin Laden, van Gogh), unless its
    first word is cased on purpose (eBay); a canonical form in lower case whose variants are
    all capitalised, or a name's variant cased unlike its canonical form, shows a slip in one
    of them."""
    for entry in entries:
        yield from _casing_slips(entry)


def _cased_on_purpose(form: str) -> bool:
    """A first word in lower case with a capital inside (eBay, iPhone): cased as meant."""
    word = _FIRST_WORD.match(form)
    first = word.group() if word else ""
    return first[:1].islower() and any(c.isupper() for c in first)


def _casing_slips(entry: Entry) -> Iterator[Problem]:
    head = _initial_case(entry.canonical)
    on_purpose = _cased_on_purpose(entry.canonical)
    proper = entry.kind in PROPER_NAME_KINDS
    if proper and head == "lower" and not on_purpose:
        yield _problem(
            entry,
            0,
            f"canonical form '{entry.canonical}' (kind {entry.kind}) "
            "starts in lower case: a name starts with a capital, after any "
            "particle (al-, bin, van ...)",
            "casing",
        )
        return
    if entry.case_sensitive or on_purpose:
        return  # the casing of each form is deliberate
    cases = [(i, v, c) for i, v in enumerate(entry.variants, start=1) if (c := _initial_case(v))]
    if head == "lower" and cases and all(c == "upper" for *_, c in cases):
        yield _problem(
            entry,
            0,
            f"canonical form '{entry.canonical}' is in lower case but every variant is capitalised",
            "casing",
        )
    elif proper and head is not None:
        for index, variant, case in cases:
            if case != head:
                yield _problem(
                    entry,
                    index,
                    f"variant '{variant}' of '{entry.canonical}' starts in {case} case, "
                    f"its canonical form in {head} case",
                    "casing",
                )


# --------------------------------------------------------------------------- keep


def unused_keep(table: Table, normaliser: Normaliser) -> Iterator[Problem]:
    """Kept forms that nothing would rewrite: no table form matches in them and no word of
    them has a phonetic candidate that would win (or tie) wherever it stood."""
    if not table.keep:
        return
    matcher = PhoneticMatcher.for_entries(table.entries, PHONETIC_KINDS)
    for kept in table.keep:
        if normaliser.table_matches(kept.form) or any(
            (d := matcher.decide(w)).winner is not None or d.verdict is Verdict.AMBIGUOUS
            for w in _KEPT_WORD.findall(kept.form)
        ):
            continue
        yield Problem(
            kept.file,
            kept.line,
            f"kept form '{kept.form}' is touched by no table "
            "form and no phonetic candidate: keeping it changes nothing",
            None,
            "unused-keep",
        )


_KEPT_WORD = regex.compile(rf"[\p{{L}}\p{{M}}{regex.escape(APOSTROPHES)}]+")
