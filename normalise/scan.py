"""Find every whole-word occurrence of every table form in one pass over the text.

How: the text is folded, character for character, into a *haystack* in which every word
character becomes its lower-case base letter (diacritics removed) and every other character a
space. Each form is folded the same way and padded with a space on both sides, so an
Aho-Corasick automaton (``ahocorasick_rs``, Rust) reports only hits bounded by non-word
characters: whole words, whatever the number of forms. Folding keeps positions (one character
in, one out), so a hit is already a span of the original text; only combining marks, which are
dropped, need an offset map, and only in the rare chunks that contain them.

A hit is then *verified* on the original span with :func:`match_key`, which keeps punctuation and
separators, so ``U.S.`` is not ``U S`` and ``Sar-i-Pul`` matches only where the entry allows it.
Overlapping verified hits are resolved leftmost first, then longest.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import ahocorasick_rs
import regex

#: Marks that mean "apostrophe" in romanised names; all match as one.
APOSTROPHES = "'\u2019\u02bc\u02bb\u02bf\u02be\u2018\u0060\u00b4\u2032"
#: Characters that join the parts of a hyphenated name.
HYPHENS = "-\u2010\u2011"

_MARKS = regex.compile(r"\p{M}+")
_NON_ASCII = regex.compile(r"[^\x00-\x7f]+")
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"

# ASCII part of the haystack fold as a byte table: letters lower-cased, digits and '_' kept,
# everything else a space. Bytes >= 0x80 (UTF-8 of non-ASCII characters, already folded) pass.
_ASCII_TABLE = bytes(
    (b + 32 if 65 <= b <= 90 else b) if (chr(b).isalnum() or b == 95) else (32 if b < 128 else b)
    for b in range(256)
)


def is_word_char(char: str) -> bool:
    """True for characters that continue a word: letters, digits, '_' and combining marks."""
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


@lru_cache(maxsize=None)
def _fold_char(char: str) -> str:
    """One character of the haystack: its lower-case base letter, or a space.

    Apostrophe-like modifier letters (ʼ ʻ ʿ ʾ) count as punctuation, as ' does."""
    if char in APOSTROPHES or not (char.isalnum() or char == "_"):
        return " "
    base = unicodedata.normalize("NFD", char)[0]
    lower = base.lower()
    return lower[0] if lower else base


def _fold_run(match: regex.Match) -> str:
    return "".join(map(_fold_char, match.group()))


def _fold_unmarked(text: str) -> str:
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_run, text)
    return text.encode("utf-8", "surrogatepass").translate(_ASCII_TABLE).decode(
        "utf-8", "surrogatepass")


def fold_haystack(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` for scanning; return the haystack and, if marks were dropped, an offset map.

    The map gives, for each haystack index, the index of the same character in ``text``.
    """
    if text.isascii() or not _MARKS.search(text):
        return _fold_unmarked(text), None
    kept: list[int] = []
    pieces: list[str] = []
    pos = 0
    for mark in _MARKS.finditer(text):
        pieces.append(text[pos:mark.start()])
        kept.extend(range(pos, mark.start()))
        pos = mark.end()
    pieces.append(text[pos:])
    kept.extend(range(pos, len(text)))
    return _fold_unmarked("".join(pieces)), kept


def fold_form(form: str) -> str:
    """A form folded as the haystack is (what the automaton looks for, without padding)."""
    return _fold_unmarked(_MARKS.sub("", form))


@lru_cache(maxsize=65536)
def match_key(span: str, case_sensitive: bool = False) -> str:
    """The key under which a form is stored and a span is looked up.

    Diacritics and combining marks are removed, apostrophe-like marks become ``'``, hyphen-like
    marks ``-``, other white space (not line breaks) a plain space; and unless
    ``case_sensitive``, letters are lower-cased. Punctuation is kept.
    """
    out = []
    for char in unicodedata.normalize("NFD", span):
        if unicodedata.category(char).startswith("M"):
            continue
        if char in APOSTROPHES:
            char = "'"
        elif char in HYPHENS:
            char = "-"
        elif char.isspace() and char not in _LINE_BREAKS:
            char = " "
        out.append(char)
    key = unicodedata.normalize("NFC", "".join(out))
    return key if case_sensitive else key.lower()


@dataclass(frozen=True, slots=True)
class Hit:
    """A verified whole-word occurrence of a form: ``text[start:end]`` belongs to ``target``."""

    start: int
    end: int
    target: int


class Scanner:
    """A compiled multi-pattern matcher over a fixed set of forms.

    ``keys`` maps :func:`match_key` of each form to a target (an entry index); ``exact_keys``
    does the same for case-sensitive forms, keyed by ``match_key(form, case_sensitive=True)``.
    """

    def __init__(self, keys: dict[str, int], exact_keys: dict[str, int],
                 patterns: Iterable[str]) -> None:
        self.keys = keys
        self.exact_keys = exact_keys
        self.patterns = sorted(set(patterns))
        self._automaton = self._build(self.patterns)

    @staticmethod
    def _build(patterns: Sequence[str]):
        if not patterns:
            return None
        padded = [f" {p} " for p in patterns]
        return ahocorasick_rs.AhoCorasick(padded, matchkind=ahocorasick_rs.MatchKind.Standard)

    def __getstate__(self):
        return (self.keys, self.exact_keys, self.patterns)

    def __setstate__(self, state):
        self.keys, self.exact_keys, self.patterns = state
        self._automaton = self._build(self.patterns)

    def scan(self, text: str) -> list[Hit]:
        """Verified hits in ``text``, non-overlapping, leftmost then longest."""
        if self._automaton is None or not text:
            return []
        haystack, kept = fold_haystack(text)
        raw = self._automaton.find_matches_as_indexes(f" {haystack} ", overlapping=True)
        if not raw:
            return []
        found: list[tuple[int, int, int]] = []
        for _, start, end in raw:
            # padded hit [start, end) covers " form "; the form is [start, end - 2) unpadded
            end -= 2
            if kept is not None:
                start, end = kept[start], kept[end - 1] + 1
                while end < len(text) and unicodedata.category(text[end]).startswith("M"):
                    end += 1
            target = self._verify(text[start:end])
            if target is not None:
                found.append((start, -end, target))
        found.sort()
        hits: list[Hit] = []
        taken = 0
        for start, neg_end, target in found:
            if start >= taken:
                hits.append(Hit(start, -neg_end, target))
                taken = -neg_end
        return hits

    def _verify(self, span: str) -> int | None:
        if self.exact_keys:
            target = self.exact_keys.get(match_key(span, True))
            if target is not None:
                return target
        return self.keys.get(match_key(span))
