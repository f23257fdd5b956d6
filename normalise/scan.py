"""Find every whole-word occurrence of every table form in one pass over the text.

How: the text is folded, character for character, into a *haystack* of one byte per character
in which every word character becomes its lower-case base letter (diacritics removed) and every
other character a space. Each form is folded the same way and padded with a space on both
sides, so an Aho-Corasick automaton (``ahocorasick_rs``, Rust) reports only hits bounded by
non-word characters: whole words, whatever the number of forms. Folding keeps positions (one
character in, one byte out), so a hit is already a span of the original text; only combining
marks, which are dropped, need an offset map, and only in the rare chunks that contain them.

Letters that fold to no ASCII letter (Cyrillic, Arabic, ...) are folded to one of 95 non-ASCII
bytes by their code point, so the haystack is a lossy projection: a true hit is never missed
(equal folded forms give equal bytes), and a hit of two letters that share a byte is rejected
by the verification below. One byte per character means no byte-to-character offset mapping.

A hit is then *verified* on the original span with :func:`match_key`, which keeps punctuation and
separators, so ``U.S.`` is not ``U S`` and ``Sar-i-Pul`` matches only where the entry allows it.
Overlapping verified hits are resolved leftmost first, then longest.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import ahocorasick_rs
import regex

from .chars import APOSTROPHES, HYPHENS, LINE_BREAKS
from .events import Hit

if TYPE_CHECKING:
    from .core import TrieScanner

_NON_ASCII = regex.compile(r"[^\x00-\x7f]+")

# ASCII part of the haystack fold as a byte table: letters lower-cased, digits and '_' kept,
# everything else a space. Bytes >= 0x80 (non-ASCII characters, already folded to one byte) pass.
_ASCII_TABLE = bytes(
    (b + 32 if 65 <= b <= 90 else b) if (chr(b).isalnum() or b == 95) else (32 if b < 128 else b)
    for b in range(256)
)


def is_word_char(char: str) -> bool:
    """True for characters that continue a word: letters, digits, '_' and combining marks."""
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


@cache
def _fold_char(char: str) -> str:
    """One character of the haystack: its lower-case base letter, a space, or nothing for a
    combining mark (dropped, so that a decomposed Tāloqān folds as a composed one).

    Apostrophe-like modifier letters (ʼ ʻ ʿ ʾ) count as punctuation, as ' does."""
    if char in APOSTROPHES or not (char.isalnum() or char == "_"):
        return "" if unicodedata.category(char).startswith("M") else " "
    base = unicodedata.normalize("NFD", char)[0]
    lower = base.lower()
    folded = lower[0] if lower else base
    if folded > "\x7f":  # one byte of 0xA1-0xFF (no white space among them)
        folded = chr(0xA1 + ord(folded) % 95)
    return folded


def fold_haystack(text: str) -> tuple[bytes, list[int] | None]:
    """Fold ``text`` for scanning: the haystack, one byte per character kept, and, if
    combining marks were dropped, their haystack positions (sorted: the character at haystack index ``h`` is at
    ``h + bisect_right(dropped, h)`` in ``text``).

    One pass over the non-ASCII runs folds them and finds the marks: every other character
    folds to exactly one, so a run that comes out shorter held marks."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE), None
    marks: list[int] = []

    def fold_run(match: regex.Match[str]) -> str:
        run = match.group()
        folded = "".join(map(_fold_char, run))
        if len(folded) != len(run):
            marks.extend(match.start() + i for i, char in enumerate(run) if not _fold_char(char))
        return folded

    haystack = _NON_ASCII.sub(fold_run, text).encode("latin-1")
    # the k-th mark (from 0) at text index p stands before haystack index p - k
    dropped = [pos - k for k, pos in enumerate(marks)] if marks else None
    return haystack.translate(_ASCII_TABLE), dropped


@lru_cache(maxsize=1 << 16)
def fold_form(form: str) -> str:
    """A form folded as the haystack is (what the automaton looks for, without padding)."""
    return fold_haystack(form)[0].decode("latin-1")


@lru_cache(maxsize=1 << 18)
def match_key(span: str, case_sensitive: bool = False) -> str:
    """The key under which a form is stored and a span is looked up.

    Diacritics and combining marks are removed, apostrophe-like marks become ``'``, hyphen-like
    marks ``-``, other white space (not line breaks) a plain space; and unless
    ``case_sensitive``, letters are lower-cased. Punctuation is kept.
    """
    if span.isascii():  # no marks, nothing to compose: one C-level translation
        key = span.translate(_ASCII_KEY)
    else:
        key = unicodedata.normalize(
            "NFC", "".join(map(_key_char, unicodedata.normalize("NFD", span)))
        )
    return key if case_sensitive else key.lower()


@cache
def _key_char(char: str) -> str:
    """One character of a match key (of a decomposed span): see :func:`match_key`."""
    if unicodedata.category(char).startswith("M"):
        return ""
    if char in APOSTROPHES:
        return "'"
    if char in HYPHENS:
        return "-"
    if char.isspace() and char not in LINE_BREAKS:
        return " "
    return char


_ASCII_KEY = {ord(c): _key_char(c) for c in map(chr, range(128)) if _key_char(c) != c}

#: What :func:`key_codes` returns for a character that adds nothing to a key (a mark).
KEY_DROPPED = -1
#: ... and for one whose part of a key is not one character that keeps its place (ﬁ, Σ).
KEY_NOT_SIMPLE = -3
#: Code points below this are the ones the compiled core keeps :func:`key_codes` of.
KEY_CODES_BELOW = 0x3000
_FINAL_SIGMA = "\u03a3"  # lower-cased by its place in the word


@cache
def key_codes(char: str) -> tuple[int, int, bool] | int:
    """What a character adds to a :func:`match_key`, one code point or nothing, as the
    compiled core reads it: ``(case kept, lower-cased, folds alike)``, :data:`KEY_DROPPED`
    where it adds nothing, else :data:`KEY_NOT_SIMPLE` (``match_key`` itself decides).

    Why: most spans outside ASCII (più, Łódź, Москва, İzmir, a decomposed é) have keys made a
    character at a time, so the compiled core can make them without a string per hit. That
    holds only where the character decomposes into one base character of combining class 0
    and marks (NFD never reorders it), the base is no Hangul jamo (the only characters NFC
    composes without a mark), and its lower case is one character whatever its place (not
    Σ, not İ). ``folds alike``: the haystack folds it as it folds its key character, so an
    ASCII key made of such characters is among the matched form's own keys."""
    decomposed = unicodedata.normalize("NFD", char)
    key = "".join(map(_key_char, decomposed))
    folded = _fold_char(char)
    if not key:
        return KEY_DROPPED if not folded else KEY_NOT_SIMPLE
    base, rest = decomposed[0], decomposed[1:]
    lowered = key.lower()
    if (
        len(key) != 1
        or len(lowered) != 1
        or key == _FINAL_SIGMA
        or max(key, lowered) >= chr(KEY_CODES_BELOW)
        or "\u1100" <= key <= "\u11ff"
        or unicodedata.combining(base)
        or unicodedata.category(base).startswith("M")
        or not all(unicodedata.category(c).startswith("M") for c in rest)
    ):
        return KEY_NOT_SIMPLE
    alike = fold_form(key) == fold_form(char)
    return ord(key), ord(lowered), alike


def _is_mark(char: str) -> bool:
    """Whether ``char`` is a combining mark (a function, not a lambda: the trie pickles it)."""
    return unicodedata.category(char).startswith("M")


def restored_trie(*state: Any) -> Any:
    """A compiled trie pickled as its arrays (``_core.Trie.__reduce__``), restored where the
    compiled core runs and wrote arrays of the same layout; None elsewhere, and the scanner
    that held it builds its own: a normaliser pickled with the compiled core still loads
    under the Python core or on a machine without it (a Dask worker, an old cache)."""
    from .core import compiled_module, selected

    if selected() != "compiled":
        return None
    try:
        return compiled_module()._restored_trie(*state)
    except ValueError:
        return None


class Scanner:
    """A compiled multi-pattern matcher over a fixed set of forms.

    ``keys`` maps :func:`match_key` of each form to a target (an entry index); ``exact_keys``
    does the same for case-sensitive forms, keyed by ``match_key(form, case_sensitive=True)``.
    """

    def __init__(
        self, keys: dict[str, int], exact_keys: dict[str, int], patterns: Iterable[str]
    ) -> None:
        self.keys = keys
        self.exact_keys = exact_keys
        self.patterns = sorted(set(patterns))
        self._build_core()

    def _build_core(self) -> None:
        """The compiled core's trie when that core runs (normalise.core), else the
        reference's automaton."""
        from .core import trie_class

        trie = trie_class()
        self._trie: TrieScanner | None = (
            None if trie is None else self._build_trie(trie, self.patterns)
        )
        self._automaton = None if self._trie is not None else self._build(self.patterns)

    def _build_trie(self, trie: Callable[..., TrieScanner], patterns: Sequence[str]) -> TrieScanner:
        return trie(
            patterns,
            self.keys,
            self.exact_keys,
            match_key=match_key,
            fold_haystack=fold_haystack,
            ascii_fold=_ASCII_TABLE,
            hit=Hit,
            key_map=bytes(ord(_key_char(chr(c))) for c in range(128)),
            bisect_right=bisect.bisect_right,
            is_mark=_is_mark,
        )

    @staticmethod
    def _build(patterns: Sequence[str]) -> ahocorasick_rs.BytesAhoCorasick | None:
        if not patterns:
            return None
        padded = [f" {p} ".encode("latin-1") for p in patterns]
        # The contiguous NFA scans as fast as a DFA here (hits are rare: the padding admits
        # whole words only) for a small fraction of the memory (3 MB against 76 MB at 10k).
        return ahocorasick_rs.BytesAhoCorasick(
            padded,
            matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA,
        )

    def __getstate__(self) -> tuple[dict[str, int], dict[str, int], list[str], object]:
        # the compiled trie goes too, as its arrays: restoring them is a copy, a build is not
        return (self.keys, self.exact_keys, self.patterns, self._trie)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.keys, self.exact_keys, self.patterns = state[:3]
        # the trie as restored_trie gave it back: None where it cannot serve here
        pickled = state[3] if len(state) > 3 else None
        if pickled is not None:
            self._trie, self._automaton = pickled, None
        else:
            self._build_core()

    def scan(self, text: str) -> list[Hit]:
        """Verified hits in ``text``, non-overlapping, leftmost then longest."""
        if self._trie is not None:
            return self._trie.scan(text)
        hits: list[Hit] = []
        taken = 0
        # (start, -end, target) sorts leftmost, then longest, in C
        for start, neg_end, target in sorted(self._overlapping(text)):
            if start >= taken:
                hits.append(Hit(start, -neg_end, target))
                taken = -neg_end
        return hits

    def scan_overlapping(self, text: str) -> list[Hit]:
        """Every verified hit, overlaps included, in the order the automaton reports them."""
        return [Hit(start, -neg_end, target) for start, neg_end, target in self._overlapping(text)]

    def _overlapping(self, text: str) -> list[tuple[int, int, int]]:
        """Every verified hit as ``(start, -end, target)``: the order :meth:`scan` sorts
        by, kept inside this class."""
        if self._trie is not None:
            return self._trie.scan_overlapping(text)
        if self._automaton is None or not text:
            return []
        haystack, dropped = fold_haystack(text)
        raw = self._automaton.find_matches_as_indexes(b" " + haystack + b" ", overlapping=True)
        if not raw:
            return []
        # padded hit [start, end) covers " form "; the form is [start, end - 2) unpadded
        keys, exact_keys = self.keys, self.exact_keys
        found: list[tuple[int, int, int]] = []
        if not dropped and not exact_keys:  # the common case, without a call per hit
            for _, start, end in raw:
                target = keys.get(match_key(text[start : end - 2]))
                if target is not None:
                    found.append((start, 2 - end, target))
            return found
        size = len(text)
        for _, start, end in raw:
            end -= 2
            if dropped:  # haystack to text positions; marks after the last letter are kept
                start += bisect.bisect_right(dropped, start)
                end += bisect.bisect_right(dropped, end - 1)
                while end < size and unicodedata.category(text[end]).startswith("M"):
                    end += 1
            span = text[start:end]
            target = exact_keys.get(match_key(span, True)) if exact_keys else None
            if target is None:
                target = keys.get(match_key(span))
            if target is not None:
                found.append((start, -end, target))
        return found
