"""Names declined by case: one name, not two spellings (``normalise suggest``).

Polish, Czech, Slovak, Russian and Ukrainian decline names, and Bulgarian adds its article to
them: a corpus in one of them writes *Ponurnik*, *Ponurnika*, *Ponurnikowi*, and *Rostowa*,
*Rostową* for one person. Such spellings are as similar as two spellings of one name, but a
table entry that rewrote one into the other would change the grammar of the sentence, not the
spelling of the name: they are one name in two cases, and ``suggest`` does not group them.

The endings are data, one file per language (``normalise/data/case_endings/LANG.yaml``, each
with a comment on its source). Two spellings are two cases of one name when each is a stem and
one of its language's endings (or no ending) and the endings differ, while the stems are the
same once diacritics are left out (*Tomasz*, *Tomaszu*; *Kłoczko* has ł) or differ in one
letter in their middle (a case of a misspelt form: *Rostowa*, *Roztową*). A name of several
words is declined when one of its words is (*Tomasz Kłoczko*, *Tomaszu Kłoczko*).
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import regex

DATA = Path(__file__).parent / "data" / "case_endings"
#: The fewest letters of the stem left when an ending is taken off (Jan, Jana).
MIN_STEM = 3
#: Stems that differ in one letter must be at least this long (a misspelt declined name).
MISSPELT_STEM = 5
_WORDS = regex.compile(r"[\p{L}\p{M}]+")


@functools.cache
def case_endings(lang: str) -> frozenset[str]:
    """The case endings of a language (lower case, as written), or none for a language that
    has no file (English, German ...: the rule does not apply)."""
    import yaml

    path = DATA / f"{lang}.yaml"
    if not path.is_file():
        return frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(unicodedata.normalize("NFC", str(e)).casefold() for e in data["endings"])


def declines(lang: str) -> bool:
    """Whether the rule knows the case endings of a language."""
    return bool(case_endings(lang))


def _fold(stem: str) -> str:
    """A stem without diacritics (ł and đ written as l and d), lower case."""
    text = unicodedata.normalize("NFKD", stem.casefold()).replace("ł", "l").replace("đ", "d")
    return "".join(c for c in text if not unicodedata.category(c).startswith("M"))


def _splits(word: str, endings: frozenset[str]) -> list[tuple[str, str]]:
    """(folded stem, ending) for each ending of the word (and none) that leaves a stem."""
    out = [(_fold(word), "")]
    for size in range(1, len(word) - MIN_STEM + 1):
        ending = word[-size:]
        if ending in endings:
            out.append((_fold(word[:-size]), ending))
    return out


def _one_stem(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) != len(b) or len(a) < MISSPELT_STEM:
        return False
    diffs = [i for i, (p, q) in enumerate(zip(a, b, strict=True)) if p != q]
    return len(diffs) == 1 and 0 < diffs[0] < len(a) - 1


def two_cases_of_word(a: str, b: str, endings: frozenset[str]) -> bool:
    """Two words that are one stem with two different case endings (or one and none)."""
    x = unicodedata.normalize("NFC", a).casefold()
    y = unicodedata.normalize("NFC", b).casefold()
    if x == y or not endings:
        return False
    splits_y = _splits(y, endings)
    return any(
        ea != eb and _one_stem(sa, sb) for sa, ea in _splits(x, endings) for sb, eb in splits_y
    )


def two_cases(a: str, b: str, lang: str) -> bool:
    """Two spellings that are one name in two cases of the language (a name of several words
    when one of its words is, the others the same or one spelling apart)."""
    endings = case_endings(lang)
    if not endings:
        return False
    words_a, words_b = _WORDS.findall(a), _WORDS.findall(b)
    if len(words_a) != len(words_b):
        return False
    return any(two_cases_of_word(x, y, endings) for x, y in zip(words_a, words_b, strict=True))
