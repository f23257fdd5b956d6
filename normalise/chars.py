"""Character classes and word lists that several modules must agree on.

One definition each, so that the scanner, the phonetic matcher, ``suggest`` and ``check`` read
a name alike: when ``suggest`` took three apostrophe marks and the matcher ten, ``suggest``
never counted Fargʻona. This module imports nothing of the package, so any module can use it.
"""

from __future__ import annotations

#: Marks that mean "apostrophe" in romanised names (the Uzbek oʻ and gʻ, the ʿayn and hamza
#: ʿ ʾ, the typographic ’ ‘, and the backtick, acute and prime typed for them); all match as one.
APOSTROPHES = "'\u2019\u02bc\u02bb\u02bf\u02be\u2018\u0060\u00b4\u2032"
#: Characters that join the parts of a hyphenated name (hyphen-minus, hyphen, non-breaking).
HYPHENS = "-\u2010\u2011"
#: Characters that end a line for :meth:`str.splitlines`; a name is never matched across one.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: The line breaks that also end a sentence or a paragraph of prose (form feeds, vertical tabs
#: and the information separators are layout, not prose).
PROSE_BREAKS = "\n\r\u2028\u2029"
#: What ends a numbered line (log and example line numbers, chunk cuts): CR LF, CR or LF.
NEWLINES = "\n\r"
#: The same as a regular expression that takes CR LF as one line end.
NEWLINE_PATTERN = r"\r\n|\r|\n"

#: The Arabic definite article as romanised, with its assimilations (al-, ash-Sham, ad-Din,
#: ud-Din). A form is folded without a leading one (romanisation).
ARABIC_ARTICLES = frozenset(
    {"al", "el", "ul", "ud", "ad", "an", "ar", "as", "ash", "at", "az", "ath", "adh"}
)
#: Those that are also English words: written apart between two capitalised words they are
#: English ("Jerusalem at Passover"), so only a hyphen makes them a particle there.
ENGLISH_ARTICLES = frozenset({"an", "as", "at", "ash"})
#: "Son of" and "daughter of" (Osama bin Laden, Joshua ben Nun).
PATRONYMS = frozenset({"bin", "ibn", "bint", "ben"})
#: The Persian izafe written as a word (Mazar-e Sharif, Sar-i-Pul, Dasht-e Kavir).
IZAFE = frozenset({"e", "i", "ye", "yi"})
#: European particles of surnames and places (van Gogh, de Gaulle, della Robbia).
EUROPEAN_PARTICLES = frozenset(
    {
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "van",
        "von",
        "la",
        "le",
        "ter",
        "ten",
    }
)
#: Lower-case particles a proper name may start with (al-Qaeda, bin Laden, van Gogh).
NAME_PARTICLES = ARABIC_ARTICLES | PATRONYMS | EUROPEAN_PARTICLES


def count_newlines(text: str, start: int = 0, end: int | None = None) -> int:
    """Line ends in ``text[start:end]``, a CR LF counted once."""
    if end is None:
        end = len(text)
    return (
        text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
    )


def alternation(words: frozenset[str] | set[str]) -> str:
    """A regular expression group matching any of ``words``, longest first (so that ``ash``
    is tried before ``as``), in a stable order."""
    return "(?:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + ")"
