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

import bisect
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import NamedTuple

import ahocorasick_rs
import regex

#: Marks that mean "apostrophe" in romanised names; all match as one.
APOSTROPHES = "'\u2019\u02bc\u02bb\u02bf\u02be\u2018\u0060\u00b4\u2032"
#: Characters that join the parts of a hyphenated name.
HYPHENS = "-\u2010\u2011"

_MARKS = regex.compile(r"\p{M}+")
_NON_ASCII = regex.compile(r"[^\x00-\x7f]+")
#: Characters that end a line; a name is never matched across one.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"

# ASCII part of the haystack fold as a byte table: letters lower-cased, digits and '_' kept,
# everything else a space. Bytes >= 0x80 (UTF-8 of non-ASCII characters, already folded) pass.
_ASCII_TABLE = bytes(
    (b + 32 if 65 <= b <= 90 else b) if (chr(b).isalnum() or b == 95) else (32 if b < 128 else b)
    for b in range(256)
)


def is_word_char(char: str) -> bool:
    """True for characters that continue a word: letters, digits, '_' and combining marks."""
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


@cache
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


def _fold_bytes(text: str) -> bytes:
    """The haystack of a text without combining marks, as UTF-8 bytes."""
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_run, text)
    return text.encode("utf-8", "surrogatepass").translate(_ASCII_TABLE)


def fold_haystack(text: str) -> tuple[bytes, list[int] | None]:
    """Fold ``text`` for scanning: the haystack as UTF-8 bytes and, if combining marks were
    dropped, their haystack positions (sorted: the character at haystack index ``h`` is at
    ``h + bisect_right(dropped, h)`` in ``text``)."""
    if text.isascii() or not _MARKS.search(text):
        return _fold_bytes(text), None
    dropped: list[int] = []
    pieces: list[str] = []
    pos = kept = 0
    for mark in _MARKS.finditer(text):
        pieces.append(text[pos:mark.start()])
        kept += mark.start() - pos
        dropped.extend([kept] * (mark.end() - mark.start()))
        pos = mark.end()
    pieces.append(text[pos:])
    return _fold_bytes("".join(pieces)), dropped


def fold_form(form: str) -> str:
    """A form folded as the haystack is (what the automaton looks for, without padding)."""
    return _fold_bytes(_MARKS.sub("", form)).decode("utf-8", "surrogatepass")


@lru_cache(maxsize=1 << 18)
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
        elif char.isspace() and char not in LINE_BREAKS:
            char = " "
        out.append(char)
    key = unicodedata.normalize("NFC", "".join(out))
    return key if case_sensitive else key.lower()


class Hit(NamedTuple):
    """A verified whole-word occurrence: ``text[start:end]`` belongs to entry ``target``."""

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
        padded = [f" {p} ".encode("utf-8", "surrogatepass") for p in patterns]
        # The contiguous NFA scans as fast as a DFA here (hits are rare: the padding admits
        # whole words only) for a small fraction of the memory (3 MB against 76 MB at 10k).
        return ahocorasick_rs.BytesAhoCorasick(
            padded, matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA)

    def __getstate__(self):
        return (self.keys, self.exact_keys, self.patterns)

    def __setstate__(self, state):
        self.keys, self.exact_keys, self.patterns = state
        self._automaton = self._build(self.patterns)

    def scan(self, text: str) -> list[Hit]:
        """Verified hits ``(start, end, target)`` in ``text``, non-overlapping, leftmost
        then longest."""
        hits: list[Hit] = []
        taken = 0
        for start, neg_end, target in sorted(self.scan_overlapping(text)):
            if start >= taken:
                hits.append(Hit(start, -neg_end, target))
                taken = -neg_end
        return hits

    def scan_overlapping(self, text: str) -> list[tuple[int, int, int]]:
        """Every verified hit, overlaps included, as ``(start, -end, target)``."""
        if self._automaton is None or not text:
            return []
        haystack, dropped = fold_haystack(text)
        raw = self._automaton.find_matches_as_indexes(b" " + haystack + b" ", overlapping=True)
        if not raw:
            return []
        # padded hit [start, end) covers " form "; the form is [start, end - 2) unpadded
        spans = [(start, end - 2) for _, start, end in raw]
        if len(haystack) != len(text) - len(dropped or ()):
            spans = _char_spans(haystack, spans)
        found: list[tuple[int, int, int]] = []
        verify = self._verify
        for start, end in spans:
            if dropped:
                start += bisect.bisect_right(dropped, start)
                end = end - 1 + bisect.bisect_right(dropped, end - 1) + 1
                while end < len(text) and unicodedata.category(text[end]).startswith("M"):
                    end += 1
            target = verify(text[start:end])
            if target is not None:
                found.append((start, -end, target))
        return found

    def _verify(self, span: str) -> int | None:
        if self.exact_keys:
            target = self.exact_keys.get(match_key(span, True))
            if target is not None:
                return target
        return self.keys.get(match_key(span))


def _char_spans(haystack: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte offsets of a UTF-8 haystack as character offsets."""
    points = sorted({p for span in spans for p in span})
    chars: dict[int, int] = {}
    byte = char = 0
    for point in points:
        char += len(haystack[byte:point].decode("utf-8", "surrogatepass"))
        byte = point
        chars[point] = char
    return [(chars[s], chars[e]) for s, e in spans]
