"""The casing of a rewrite: the canonical form written in the casing the original calls for.

An ALL-CAPS original stays all caps, a capitalised original capitalises a lower-case canonical
form, otherwise the canonical form is written as the table spells it.
"""

from __future__ import annotations

from functools import cache, lru_cache

from .scan import match_key


@lru_cache(maxsize=1 << 16)
def cased(original: str, canonical: str, case_sensitive: bool = False) -> str:
    """The canonical form in the casing the original calls for.

    Capitals never change a form's key: a letter whose capital would (ß: SS) stays as it is,
    so that the result is still the canonical form and no other entry's. Cached: the same
    spellings recur throughout a corpus."""
    if case_sensitive:
        return canonical
    if _in_capitals(original):
        return "".join(map(_capital, canonical))
    if original[:1].isupper() and canonical[:1].islower():
        return _capital(canonical[:1]) + canonical[1:]
    return canonical


def _in_capitals(text: str) -> bool:
    """ALL CAPS: two letters or more, and every letter a capital or one without a capital
    that keeps its key (ı, ß), so that what :func:`cased` writes reads as capitals again."""
    if text.isupper():  # every cased letter a capital (in C: the quick answer)
        return sum(c.isalpha() for c in text) >= 2
    if text.isascii() or text.islower():
        return False
    return (
        all(_capital(c) == c for c in text)
        and any(c.isupper() for c in text)
        and sum(c.isalpha() for c in text) >= 2
    )


@cache
def _capital(char: str) -> str:
    upper = char.upper()
    return upper if match_key(upper) == match_key(char) else char
