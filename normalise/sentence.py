"""Where a word stands in its text: at a sentence start, at a line end, as a name token.

The table pass, the phonetic weighing and the settling check all read these; one definition
keeps them agreeing.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence

import regex

from .chars import APOSTROPHES, LINE_BREAKS, PROSE_BREAKS
from .lazyregex import lazy_compile

# A capitalised word of at least four letters, not inside a longer word.
NAME_TOKEN = lazy_compile(r"(?<![\w\p{M}])\p{Lu}[\p{L}\p{M}]{3,}(?![\w\p{M}])")
# The same, for the phonetic matcher: apostrophes inside the word belong to it (Farg'ona,
# Ba'qubah, Syrdar’ya, Andkho'y: romanisations write ayn, hamza and the Uzbek o' so), except
# before an English clitic (Kabul's, Herat'll), which ends the name.
PHONETIC_TOKEN = lazy_compile(
    rf"(?<![\w\p{{M}}])\p{{Lu}}(?:[\p{{L}}\p{{M}}]|[{APOSTROPHES}](?!(?:s|d|ll|re|ve|t|m)(?![\p{{L}}\p{{M}}]))"
    r"(?=[\p{L}\p{M}])){3,}(?![\w\p{M}])"
)
SENTENCE_END = frozenset(".!?:;" + PROSE_BREAKS)
OPENERS = frozenset(" \t\"'“‘«([{—–-\u00a0")
CLOSERS = frozenset(" \t\"'”’»)]}\u00a0")


def sentence_tail(text: str) -> bool | None:
    """How the end of ``text`` reads to :func:`is_sentence_initial` for what follows: True
    (a sentence ends), False (it does not), None (only openers: look further back)."""
    stripped = text.rstrip("".join(OPENERS))
    return stripped[-1] in SENTENCE_END if stripped else None


def ends_line(text: str, pos: int) -> bool:
    """True when only closing quotes or brackets and spaces stand between ``pos`` and the
    end of the line or of the text."""
    while pos < len(text) and text[pos] in CLOSERS:
        pos += 1
    return pos == len(text) or text[pos] in LINE_BREAKS


def is_sentence_initial(text: str, start: int) -> bool:
    """True when only openers (quotes, brackets, spaces) stand between ``start`` and the
    beginning of the text, a line or a sentence."""
    pos = start - 1
    while pos >= 0 and text[pos] in OPENERS:
        pos -= 1
    return pos < 0 or text[pos] in SENTENCE_END


def between(text: str, taken: Sequence[tuple[int, int]]) -> str:
    """The text outside the spans ``taken``, the pieces joined by line breaks (which no
    token spans): where the phonetic matcher's tokens can be."""
    if not taken:
        return text
    pieces, pos = [], 0
    for start, end in taken:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return "\n".join(pieces)


def name_tokens(text: str, taken: Sequence[tuple[int, int]]) -> set[str]:
    """The distinct :data:`PHONETIC_TOKEN` tokens outside the spans ``taken`` (the reference;
    the compiled core has the same, see :func:`normalise.compile.name_token_finders`)."""
    return set(PHONETIC_TOKEN.findall(between(text, taken)))


def name_token_spans(text: str, wanted: Collection[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of each :data:`PHONETIC_TOKEN` token of ``text`` that is one of
    ``wanted``, in order (the reference)."""
    return [m.span() for m in PHONETIC_TOKEN.finditer(text) if m.group() in wanted]


def is_whole_token(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole :data:`PHONETIC_TOKEN` token, not a part of a
    longer one (``Talaqan`` inside ``D'Talaqan`` or ``Kabul`` inside ``Kabul'i``, which an
    alternation bounded by ``\\w`` finds): read again within the run of characters
    around it that are not white space."""
    low, high = start, end
    while low > 0 and not text[low - 1].isspace():
        low -= 1
    while high < len(text) and not text[high].isspace():
        high += 1
    return any(m.span() == (start, end) for m in PHONETIC_TOKEN.finditer(text, low, high))


#: Bits of a character's class as :data:`PHONETIC_TOKEN` reads it (the same in
#: ``normalise/_core.pyx``): ``\\p{Lu}``, ``[\\p{L}\\p{M}]``, ``[\\w\\p{M}]``, an apostrophe.
UPPER, LETTER, WORD, APOSTROPHE = 1, 2, 4, 8
_CLASSES = (
    (UPPER, regex.compile(r"\p{Lu}")),
    (LETTER, regex.compile(r"[\p{L}\p{M}]")),
    (WORD, regex.compile(r"[\w\p{M}]")),
    (APOSTROPHE, regex.compile(f"[{regex.escape(APOSTROPHES)}]")),
)


def token_class(char: str) -> int:
    """The class bits of one character, asked of the expression engine that runs
    :data:`PHONETIC_TOKEN`."""
    return sum(bit for bit, pattern in _CLASSES if pattern.match(char))


@functools.cache
def token_classes() -> bytearray:
    """One byte per code point for the compiled token finder: the class of each character
    (:func:`token_class`) it has met in this process, 0xFF for the others (it asks
    :func:`token_class` the first time). A megabyte, once per process."""
    return bytearray(b"\xff") * 0x110000
