"""The exception lexicon: forms that are never rewritten, and spellings mentioned as spellings.

Why: a table rewrites every occurrence of its forms and the phonetic matcher every spelling
close enough to one, but some words in a text must stay as they are whatever they resemble: a
person's own spelling (Mohamed Salah), a place of another region that a table form happens to
spell (Modene), a spelling quoted as a spelling ("also spelt Khamenehi"). A kept form wins
over every table form and every phonetic candidate: text inside it is neither rewritten nor
looked at by the matcher.

Kept forms come from the top-level ``keep:`` list of a table, from ``--keep WORD`` and
``--keep-file PATH`` on the command line, and from ``Normaliser(keep=...)``. They are folded
and matched as table forms are (whole words, case and diacritics ignored, any white space but a
line break for a space).

A spelling mentioned as a spelling is found by its cue: ``also spelt X``, ``spelled X``,
``written X``, ``transliterated as X``, ``known as X``, ``a.k.a. X``, ``(or X``; and ``A or X``
where A and X are spellings of one entry (``Taliqan or Taleqan``). X is the word after the cue
(a quoted phrase is taken whole); it is left as written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import regex

from .chars import LINE_BREAKS
from .errors import InputError
from .lazyregex import lazy_compile
from .scan import Scanner, fold_form, match_key

_WORD = lazy_compile(r"[\p{L}\p{N}]")

#: Words after which the next word (or quoted phrase) is a spelling, not a use of the name
#: (the source of :data:`_CUE_BEFORE`, which is what is searched: never compiled itself).
_SP = r"[\t\x20\xa0]"  # a space within a line (a cue never reaches across lines)
_CUE = (
    rf"(?:\b(?:(?:also|sometimes|often|variously|formerly|once|wrongly){_SP}+)?"
    rf"(?:spelt|spelled|written|transliterated|romani[sz]ed|rendered)"
    rf"(?:{_SP}+as)?(?:{_SP}+in{_SP}+English)?"
    rf"|\b(?:(?:also|better|locally){_SP}+)?known{_SP}+as"
    rf"|\ba\.k\.a\.|\baka\b"
    rf"|\({_SP}*or(?={_SP}))"
    rf"(?:{_SP}|[:,])*(?=\S)"
)
#: A cue that ends right before a position (an opening quote may stand between).
_CUE_BEFORE = regex.compile(_CUE.removesuffix(r"(?=\S)") + r"[\"“‘'«]?\Z", regex.IGNORECASE)
#: How far before a word its cue is looked for.
_CUE_REACH = 48


def is_mentioned(text: str, start: int) -> bool:
    """Whether the word at ``start`` follows a cue that makes it a spelling mentioned as a
    spelling (``also spelt X``, ``(or X``, ...). Only the few characters before it are read,
    so asking this of each table hit and candidate costs next to nothing."""
    low = max(0, start - _CUE_REACH)
    window = text[low:start].lower()
    for key in _CUE_KEYS:  # a loop, not any() of a generator: asked of every candidate
        if key in window:
            return _CUE_BEFORE.search(text, low, start) is not None
    return False  # the common case, decided by a few substring tests in C


#: A piece of every cue: a window holding none of them holds no cue.
_CUE_KEYS = ("spel", "writ", "known", "aka", "a.k.a", "(", "transl", "romani", "render")


#: What stands between A and X in ``A or X`` (the caller checks both spell one entry).
_OR_BETWEEN = regex.compile(r"[\"”’']?(?:[ \t]*,)?[ \t]+or[ \t]+[\"“‘']?")


class KeptForm(NamedTuple):
    """A form of a ``keep:`` list, and where it was read."""

    form: str
    file: str | None = None
    line: int | None = None


def read_keep_file(path: str) -> list[str]:
    """Kept forms, one per line (UTF-8; blank lines and lines starting with ``#`` skipped).

    Raises :class:`InputError` naming the file (and the line) for an unreadable file or a
    line with no letter or digit."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as err:
        raise InputError(f"cannot read keep file: {err.strerror}", file=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            "keep file is not valid UTF-8",
            file=path,
            line=line,
            hint="convert it first, e.g. iconv -f LATIN1 -t UTF-8",
        ) from None
    forms = []
    for number, text_line in enumerate(text.splitlines(), start=1):
        form = text_line.strip()
        if not form or form.startswith("#"):
            continue
        if not _WORD.search(form):
            raise InputError(
                f"kept form {form!r} has no letter or digit",
                file=path,
                line=number,
                hint="remove the line, or start it with # to keep it as a comment",
            )
        forms.append(form)
    return forms


def check_form(form: object) -> str:
    """A kept form given in Python, checked as a table form is; TypeError or ValueError otherwise."""
    if not isinstance(form, str):
        raise TypeError(f"a kept form must be a string, not {type(form).__name__}")
    stripped = form.strip()
    if not _WORD.search(stripped):
        raise ValueError(f"kept form {form!r} has no letter or digit")
    if any(c in stripped for c in LINE_BREAKS):
        raise ValueError(f"kept form {form!r} spans lines")
    return stripped


class KeepList:
    """Finds the spans of a text that are never rewritten: kept forms and spellings
    mentioned as spellings. Picklable (the scanner rebuilds its automaton)."""

    def __init__(self, forms: Iterable[str]) -> None:
        self.forms = tuple(dict.fromkeys(forms))
        keys = {match_key(form): i for i, form in enumerate(self.forms)}
        self._scanner = (
            Scanner(keys, {}, [fold_form(form) for form in self.forms]) if self.forms else None
        )

    def __bool__(self) -> bool:
        return bool(self.forms)

    def kept(self, text: str) -> list[tuple[int, int]]:
        """Spans of kept forms in ``text``: whole words, leftmost then longest."""
        if self._scanner is None:
            return []
        return [(start, end) for start, end, _ in self._scanner.scan(text)]


def or_spelling(text: str, end: int, start: int) -> bool:
    """Whether ``text[end:start]`` is the " or " of ``A or X`` (A ends at ``end``, X starts at
    ``start``); the caller has found both to be spellings of one entry."""
    return start - end < 12 and _OR_BETWEEN.fullmatch(text, end, start) is not None


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans, overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps any of the sorted, disjoint ``spans``."""
    import bisect

    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    if i >= 0 and spans[i][1] > start:
        return True
    return i + 1 < len(spans) and spans[i + 1][0] < end


def keep_sources(words: Sequence[str], files: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The kept forms of ``--keep`` words and ``--keep-file`` files, in order."""
    forms = list(words)
    for path in files:
        forms.extend(read_keep_file(os.fspath(path)))
    return forms
