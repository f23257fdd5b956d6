"""Where a word stands in its text: at a sentence start, at a line end, as a name token.

The table pass, the phonetic weighing and the settling check all read these; one definition
keeps them agreeing.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from .scan import LINE_BREAKS

# A capitalised word of at least four letters, not inside a longer word.
NAME_TOKEN = regex.compile(r"(?<![\w\p{M}])\p{Lu}[\p{L}\p{M}]{3,}(?![\w\p{M}])")
# The same, for the phonetic matcher: apostrophes inside the word belong to it (Farg'ona,
# Ba'qubah, Syrdar’ya, Andkho'y: romanisations write ayn, hamza and the Uzbek o' so), except
# before an English clitic (Kabul's, Herat'll), which ends the name.
PHONETIC_TOKEN = regex.compile(
    r"(?<![\w\p{M}])\p{Lu}(?:[\p{L}\p{M}]|['’‘ʼʻ](?!(?:s|d|ll|re|ve|t|m)(?![\p{L}\p{M}]))"
    r"(?=[\p{L}\p{M}])){3,}(?![\w\p{M}])"
)
SENTENCE_END = frozenset(".!?:;\n\r\u2028\u2029")
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
