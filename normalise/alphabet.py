"""The letters of non-Latin alphabets, for the ranking's evidence of the kind of edit.

:mod:`normalise.ranking` tells an edit between spellings of one name (a vowel, a doubled letter,
a pair of letters that write one sound) from one that makes another name (a changed consonant)
by the Latin letters. A corpus in Cyrillic or Greek needs the same for its own letters: which
are vowels (Сэмюель, Сэмюэль; Карлейль, Карлиль) and which letters write one sound
(Уильям, Вильям). Both are read from each letter's romanisation
(``data/alphabets.yaml``, BGN/PCGN and ELOT 743, with its source), not listed by hand: a
letter romanised as vowels only is a vowel, and two runs of letters romanised alike, or as a
pair of ranking's alternations, write one sound. A string of Latin letters only is none of
this module's business: the Latin rules stay as they are.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

DATA = Path(__file__).parent / "data" / "alphabets.yaml"
#: Latin letters written as vowels (ranking.VOWELS).
LATIN_VOWELS = frozenset("aeiouy")


#: The alphabets in which two spellings romanised alike are one name transcribed two ways
#: (:func:`romanised_alike`): Cyrillic writes a foreign e as е or э, a soft l as л or ль.
#: Greek letters that modern Greek romanises alike (ο and ω, ι and η) tell words apart
#: (Ἰουδαϊκός, the adjective, and Ἰουδαϊκῶς, the adverb, in Strong's dictionary).
TRANSCRIBING = ("cyrillic",)


@functools.cache
def _alphabets() -> dict[str, dict[str, str]]:
    import yaml

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return {
        name: {unicodedata.normalize("NFC", str(c)): str(latin or "") for c, latin in rows.items()}
        for name, rows in data.items()
    }


@functools.cache
def romanisations() -> dict[str, str]:
    """Each non-Latin letter (lower case) and its romanisation."""
    return {c: latin for rows in _alphabets().values() for c, latin in rows.items()}


@functools.cache
def transcribing_letters() -> frozenset[str]:
    """The letters of the :data:`TRANSCRIBING` alphabets."""
    return frozenset(c for name in TRANSCRIBING for c in _alphabets()[name])


@functools.cache
def vowel_letters() -> frozenset[str]:
    """The non-Latin letters romanised as vowels only (or as nothing: the soft and hard
    signs)."""
    return frozenset(c for c, latin in romanisations().items() if set(latin) <= LATIN_VOWELS)


@functools.cache
def marked_letters() -> frozenset[str]:
    """The non-Latin letters that Unicode decomposes into a letter and a mark (й, ё, ї, ў):
    letters of their own alphabets, which folding must keep (й is not и)."""
    return frozenset(c for c in romanisations() if unicodedata.normalize("NFD", c) != c)


def foreign(run: str) -> bool:
    """Whether a run of letters holds a letter of the non-Latin alphabets."""
    table = romanisations()
    return any(c in table for c in run)


def vowels(run: str) -> bool:
    """Whether a run holding a non-Latin letter is vowels only (Latin or not); False for a run
    of Latin letters only, which :mod:`normalise.ranking` judges itself."""
    letters = vowel_letters()
    return foreign(run) and all(c in letters or c in LATIN_VOWELS for c in run)


def romanise(run: str) -> str:
    """A run of letters romanised letter by letter (a Latin letter as itself)."""
    table = romanisations()
    return "".join(table.get(c, c) for c in run)


def same_sound(x: str, y: str, pairs: frozenset[frozenset[str]]) -> bool:
    """Whether two runs, one of them with a non-Latin letter, are romanised alike or as one of
    ``pairs`` (Latin letter pairs that write one sound: у and в as u and v)."""
    if not (foreign(x) or foreign(y)):
        return False
    rx, ry = romanise(x), romanise(y)
    return rx == ry or frozenset((rx, ry)) in pairs


def romanised_alike(a: str, b: str) -> bool:
    """Whether two different folded spellings, one with a Cyrillic letter, romanise alike:
    one name transcribed two ways where the alphabet has two letters for one sound (Сэмюель,
    Сэмюэль; Брудзинский, Брудзиньский), or a Latin letter typed for its double (Windows with
    a Cyrillic о)."""
    letters = transcribing_letters()
    if a == b or not (letters.intersection(a) or letters.intersection(b)):
        return False
    return romanise(a) == romanise(b)
