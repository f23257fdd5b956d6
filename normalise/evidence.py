"""Evidence before a phonetic rewrite, and the places where a name is not one on its own.

Why: a phonetic candidate that scores well is not yet a variant. Of place names from regions no
table covers, about 0.3 % score like a variant of some entry (Modene and Medina, Helmond and
Helmand), and neither the score nor its margin separates them from true variants. What does is
the text around the token:

* **Evidence.** A candidate is applied only when a name the table knows stands near it: a
  table hit (rewritten or already canonical) of an entry of kind place, person, people or
  organisation, in the same paragraph (no blank line between) and at most
  :data:`EVIDENCE_WINDOW` characters away. Given names and terms do not count: they occur in
  any text (Mohamed, imam). A phonetic rewrite applied on such evidence counts as evidence in
  turn (a second run would see its canonical form as a table hit, so the first must too, for
  idempotence). Without evidence the candidate is logged as ``phonetic-suggest`` with
  ``held: no-evidence``. A candidate of a place entry needs a place, people or organisation
  nearby: a person of the table's world is written about anywhere, so beside a person alone it
  is held (``held: person-only``; Rauno beside Shehbaz Sharif is not Rivne).
* **Where in the world.** Places of the table near a place candidate are its evidence only
  when they lie in the entry's region of the world or in none the gazetteer knows
  (``held: other-region``; Makaa beside a Moscow district is not Mecca), and a token that is
  the name of another real place, of none bearing the entry's names, is a place of its own
  (``held: other-place``; Jalalabat is Jalal-Abad, not Jalalabad): see
  :mod:`normalise.gazetteer`.
* **A word of a longer name** is not a name on its own: a candidate with a capitalised name word
  right beside it (Johor *Baharu*, *Tarik* Cohen) is held (``held: name-part``), unless that
  word is a title (President, Mullah), a generic word of names (Province, City), a day or a
  month, or a common English word opening the sentence; so is one with a lower-case word of
  another language joined by a hyphen (Kajiki-*cho*; not Kabul-*based*, Mazar-*i*-Sharif), or
  with a space: right after it (Zlínský *kraj*), or between it and another capitalised word
  (Ravne *na* Koroškem; *na* is a word English uses, so between two names a word of another
  language's list counts too, when English uses it less than :data:`LINK_ENGLISH_ZIPF`). An
  English word (province, district, via) or a word the table knows never counts.
* **A person is named.** A candidate of a ``person`` entry (a full name, or the surname of
  one standing alone) is applied only when that person is named near it: a hit of its own
  entry, of the full name its surname comes from, or that name's given name
  (``held: own-person``). A known person's name beside other names of the table's world is
  not yet that person (Maalim beside Shoigu is not al-Moallem).
* **A word of another language.** A token attested as a word in wordfreq's list of a
  Latin-script language outside the table's world (``other_languages`` in
  ``romanisation.yaml``) needs a score of at least its ``score`` (``held: foreign-word``):
  Ravenne, Zeiden, Vierdag are French, Dutch and Dutch words and names, not Rivne, Zahedan
  and Wardak; the exonyms of the table's world those languages use (Kaboul, Damaskus) score
  as near variants and pass.
* **A spelling of another orthography.** A token with a letter sequence no romanisation of
  the table's languages writes (``other_languages.spellings`` in ``romanisation.yaml``: c for
  k or s, ck) is held unless its score reaches the rule's or the entry is spelt so too
  (``held: foreign-spelling``): Cafra is not Kufra, Macka not Mecca.
* **Where only a person stands.** A place candidate that is the subject of a verb of a
  person's own action (arrived, smiled) where it opens a clause, or the object of a verb whose
  object is a person (asked, interviewed; not a request: asked Tehran *to*), is a person's name
  (``held: person-role``; Qabil arrived, asked Hanedan about). Verbs of speech and decision as
  subjects are left out: news writes "Kabul said" for a government (:func:`person_role`).
* **The right kind of target.** A capitalised token inside a sentence is a proper name: it is
  never mapped to an entry whose canonical form is a lower-case common term (jihadi, mullah)
  (``held: proper-name-to-term``).
* **People's own spellings.** A given name (kind ``given-name``) inside a full name is that
  person's spelling and is left alone (Mohamed Salah); standing alone it is normalised (the
  Prophet Mohammed). ``Normaliser(given_names="always")`` (``--given-names always``) rewrites
  given names everywhere, for search-style folding.
"""

from __future__ import annotations

import bisect
import functools
import re
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import regex

from .lazyregex import lazy_compile

if TYPE_CHECKING:
    from .phonetic import PhoneticMatcher

#: How often English uses a word (wordfreq's Zipf scale), and whether a position of a text
#: opens a sentence: what the name-word rules ask of the caller.
ZipfOf = Callable[[str], float]
SentenceInitial = Callable[[str, int], bool]
#: ``(text, pos, endpos)`` -> the span of the word :func:`word_before_span` finds, or None
WordBefore = Callable[[str, int, int], "tuple[int, int] | None"]

#: Kinds of entry whose table hits are evidence that a text is about the table's world.
EVIDENCE_KINDS = frozenset({"place", "person", "people", "organisation"})
#: Kinds whose table hits are evidence for a candidate of a place entry: a person of the
#: table's world is written about anywhere (a visit, a summit, a match abroad), so a person
#: beside an unknown name says nothing of where that name lies (Rauno beside Shehbaz Sharif is
#: not Rivne); a place, a people or an organisation of the table does.
PLACE_EVIDENCE_KINDS = frozenset({"place", "people", "organisation"})
#: Kinds that name something: a capitalised token may be mapped to them mid-sentence.
PROPER_NAME_KINDS = frozenset({"place", "person", "given-name", "people", "organisation"})
#: The farthest (in characters) a table hit may stand from a candidate to be its evidence.
EVIDENCE_WINDOW = 1000
#: A name whose skeleton has this few consonants (Mecca, Hilla, Daraa) is matched by many
#: names of other languages; a candidate for it needs at least :data:`SHORT_NAME_SCORE`.
SHORT_NAME_CONSONANTS = 2
SHORT_NAME_SCORE = 0.95
#: The policies for given names inside full names.
GIVEN_NAME_POLICIES = ("alone", "always")

#: Why a phonetic candidate was held back (the ``held`` field of its ``phonetic-suggest``
#: record), and what the note says.
HELD_REASONS = {
    "no-evidence": f"no place, person, people or organisation of the table within "
    f"{EVIDENCE_WINDOW} characters in its paragraph",
    "person-only": "the only evidence near it is a person of the table: a place needs a "
    "place, people or organisation of the table nearby",
    "other-region": "the only places of the table near it lie in another region of the "
    "world (GeoNames continents, Asia and Africa as one): a place needs one of its own "
    "region, or a people or organisation, nearby",
    "other-place": "the name of another real place (GeoNames cities of 15,000 people or "
    "more), not of the entry's own: a place of its own",
    "name-part": "a word of a longer name (a capitalised name word beside it, or a "
    "lower-case word of another language beside it)",
    "proper-name-to-term": "a capitalised word is a proper name, not the lower-case common term",
    "given-name": "a given name is its bearer's own spelling: only the table's listed "
    "spellings are rewritten (--given-names always: every spelling)",
    "own-spelling": "a person's name in letters no form of the entry has (the diacritic "
    "fold alone reaches it): its bearer's own spelling, unless that person is named in full "
    "nearby (--given-names always: every spelling)",
    "person-role": "a place standing where only a person stands: the subject of a verb of a "
    "person's own action (arrived, smiled) or the object of a verb whose object is a person "
    "(asked, interviewed; not a request: asked X to)",
    "own-entry": "a term or people's name needs its own entry nearby as evidence",
    "own-person": "a person's name needs that person named nearby (a hit of its entry, of the "
    "full name, or of its given name)",
    "short-name": f"a name of at most {SHORT_NAME_CONSONANTS} consonants needs a score of "
    f"{SHORT_NAME_SCORE}",
    "foreign-letters": "a letter no romanisation of the table's languages writes: a name "
    "of another language",
    "foreign-spelling": "a letter sequence no romanisation of the table's languages writes "
    "(other_languages.spellings), and the entry has none: that "
    "orthography's own name",
    "foreign-word": "a word of another language (wordfreq) with only a fair score: that "
    "language's own word or name",
    # table hits left as written (explain only: no record is logged for them)
    "kept": "a kept form, or a spelling mentioned as a spelling: never rewritten",
    "mention": "a spelling mentioned as a spelling ('A or X', both forms of one entry)",
    "full-name": "a given name inside a full name: that person's own spelling",
    "inside-word": "the end of a word joined by an apostrophe (Xo'jand): not a word of its own",
}

#: A paragraph break: two line ends with only spaces or tabs between them, or U+2029. A line
#: end is ``\r\n`` as one (the atomic group never gives back its ``\n``: a text with CR LF
#: line ends has the paragraphs of the same text with LF ones) or one line-break character.
_PARAGRAPH_BREAK = lazy_compile(
    r"(?>\r\n|[\n\r\x0b\x0c\x85\u2028\u2029])[ \t]*"
    r"(?>\r\n|[\n\r\x0b\x0c\x85\u2028\u2029])|\u2029"
)
#: A word right before a position (one space or hyphen between) or right after one.
_WORD_BEFORE = lazy_compile(r"([\p{L}\p{M}'’ʼʻ.]+)[ \-\u00a0]$")
_WORD_AFTER = lazy_compile(r"[ \-\u00a0]([\p{L}\p{M}'’ʼʻ]+)")
#: Particles that continue a personal name (Mohammed bin Salman, Ali al-Sistani).
NAME_PARTICLES = frozenset(
    {
        "bin",
        "ibn",
        "bint",
        "ben",
        "al",
        "el",
        "ul",
        "ud",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "abu",
        "abd",
        "abdul",
        "van",
        "von",
        "de",
        "da",
        "di",
        "del",
        "der",
        "dos",
        "das",
        "le",
        "la",
    }
)
#: Capitalised words beside a name that do not make a longer name of it: titles, generic
#: words of names, days and months.
NOT_NAME_WORDS = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "prof",
        "prof.",
        "sir",
        "lord",
        "lady",
        "dame",
        "saint",
        "st",
        "st.",
        "mx",
        "president",
        "vice",
        "prime",
        "minister",
        "ministers",
        "secretary",
        "general",
        "gen",
        "gen.",
        "colonel",
        "col",
        "col.",
        "captain",
        "capt",
        "capt.",
        "major",
        "lieutenant",
        "lt",
        "lt.",
        "sergeant",
        "sgt",
        "commander",
        "admiral",
        "marshal",
        "governor",
        "senator",
        "judge",
        "justice",
        "chief",
        "deputy",
        "ambassador",
        "envoy",
        "mayor",
        "spokesman",
        "spokeswoman",
        "king",
        "queen",
        "prince",
        "princess",
        "crown",
        "emir",
        "amir",
        "sultan",
        "shah",
        "sheikh",
        "sheik",
        "shaikh",
        "imam",
        "mullah",
        "mulla",
        "maulvi",
        "mawlawi",
        "maulana",
        "mufti",
        "ayatollah",
        "hojatoleslam",
        "grand",
        "hajji",
        "haji",
        "hajj",
        "sayyid",
        "sayed",
        "syed",
        "seyed",
        "prophet",
        "caliph",
        "pope",
        "bishop",
        "archbishop",
        "father",
        "brother",
        "sister",
        "uncle",
        "aunt",
        "mother",
        "son",
        "daughter",
        "wife",
        "husband",
        "commander-in-chief",
        "warlord",
        "kandahari",
        "province",
        "provinces",
        "city",
        "town",
        "village",
        "district",
        "districts",
        "county",
        "region",
        "state",
        "states",
        "river",
        "valley",
        "mountains",
        "mountain",
        "mount",
        "lake",
        "sea",
        "gulf",
        "bay",
        "island",
        "islands",
        "desert",
        "plain",
        "airport",
        "airfield",
        "base",
        "camp",
        "road",
        "street",
        "highway",
        "bridge",
        "dam",
        "pass",
        "gate",
        "square",
        "market",
        "bazaar",
        "mosque",
        "shrine",
        "university",
        "college",
        "school",
        "hospital",
        "prison",
        "palace",
        "fort",
        "castle",
        "tower",
        "park",
        "border",
        "front",
        "movement",
        "party",
        "army",
        "brigade",
        "division",
        "corps",
        "council",
        "committee",
        "ministry",
        "government",
        "republic",
        "kingdom",
        "emirate",
        "emirates",
        "caliphate",
        "network",
        "group",
        "union",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upper",
        "lower",
        "greater",
        "new",
        "old",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "with",
        "by",
        "as",
        "into",
        "near",
        "after",
        "before",
        "during",
        "said",
        "says",
        "told",
    ]
)

_CAPITAL = lazy_compile(r"\p{Lu}")
#: A word opening a sentence at least this frequent in English (Yesterday, Meanwhile) is read
#: as a word, not as part of a name (Foster, Reyes, Nova are names there).
OPENING_WORD_ZIPF = 4.4
#: Kinds whose entries a phonetic candidate may reach on the evidence of any name nearby;
#: the others (term, people, other) need their own entry nearby (they are words, and spellings
#: of them are as often words of other languages: Schio is not Shia).
OPEN_KINDS = frozenset({"place", "person", "organisation"})
#: Letters that no romanisation of the table's languages writes (Czech, Slovak, Hungarian,
#: Baltic, Nordic, Polish, Romance orthographies): a token holding one is a name of another
#: language (Říčany, Kőbánya, Torunė, Sibbå), never a new spelling of an entry.
FOREIGN_LETTERS = frozenset("óèëņőűřďťľĺŕůěąęųåøæðþñõœ")


#: The matcher for rare English words, asked only with evidence: tokens up to this Zipf
#: frequency (the 30,000 most frequent English words are all above 2.97) and ...
RARE_WORD_ZIPF = 2.9
#: ... this much more score per Zipf unit (no score is enough from Zipf 2.8).
RARE_WORD_PENALTY = 0.05
RARE_WORD_NOTE = "rare English word (needs evidence): "


def rare_word_matcher(matcher: PhoneticMatcher | None) -> PhoneticMatcher | None:
    """A view of ``matcher`` with the English gates loosened for rare words (sharing its
    index), or None without a matcher: Teheran, Hasakah, Bamiyan are words English uses, and
    names the table knows; beside other names of the table they are those names."""
    if matcher is None:
        return None
    return matcher.view(common_word_zipf=RARE_WORD_ZIPF, known_word_penalty=RARE_WORD_PENALTY)


def foreign_letter(token: str) -> str | None:
    """The first letter of ``token`` in :data:`FOREIGN_LETTERS`, or None."""
    for char in token.lower():
        if char in FOREIGN_LETTERS:
            return char
    return None


#: Bits of the filter of words of other languages (16 MB): with about 3.8 million distinct
#: words of the 23 lists and two hashes, about 0.3 % of other tokens read as attested (a
#: candidate wrongly held back, never one wrongly applied).
WORD_FILTER_BITS = 1 << 27


def _word_hashes(word: str) -> tuple[int, int]:
    data = word.encode("utf-8")
    return (zlib.crc32(data) % WORD_FILTER_BITS, zlib.crc32(data[::-1]) % WORD_FILTER_BITS)


@functools.cache
def _word_filter(languages: tuple[str, ...]) -> bytes:
    """A Bloom filter of every word of wordfreq's lists of ``languages``.

    Why: the lists themselves take about 25 MB each in memory (540 MB for 23 languages);
    the filter takes 16 MB. Building it takes about 4 s, so it is built once, only when a
    candidate first asks, and kept in the cache of built tables (:mod:`normalise.cache`,
    trusted as a built table is), from which a process reads it in a few milliseconds."""
    from importlib import metadata

    from . import cache

    key = cache.cache_key(
        [], ("other-language words", languages, WORD_FILTER_BITS, metadata.version("wordfreq"))
    )
    return cache.load_or_build(key, lambda: _build_word_filter(languages), kind=bytes)


def _build_word_filter(languages: tuple[str, ...]) -> bytes:
    from wordfreq import available_languages, read_cBpack

    bits = bytearray(WORD_FILTER_BITS >> 3)
    paths = available_languages(wordlist="best")
    for language in languages:
        if language not in paths:
            continue
        for bucket in read_cBpack(paths[language]):
            for word in bucket:
                for h in _word_hashes(word):
                    bits[h >> 3] |= 1 << (h & 7)
    return bytes(bits)


@functools.lru_cache(maxsize=1 << 14)
def other_language(token: str, languages: tuple[str, ...]) -> bool:
    """Whether wordfreq's list of one of ``languages`` attests ``token`` as a word.

    Why: a token that French, Dutch or Icelandic text uses (Ravenne, Zeiden, Juliana) is
    that language's own word or name; beside a name of the table it still scores like a
    variant."""
    if not languages:
        return False
    bits = _word_filter(languages)
    return all(bits[h >> 3] >> (h & 7) & 1 for h in _word_hashes(token.lower()))


def foreign_spelling(
    token: str,
    canonical: str,
    score: float,
    rules: Sequence[tuple[str, re.Pattern[str], float | None]],
) -> str | None:
    """The name of the first rule of ``rules`` (``Romanisation.other_spellings``) whose letter
    sequence ``token`` holds and ``canonical`` does not, when ``score`` is below the rule's
    (a rule without a score holds at any score); None otherwise.

    Why: Cafra, Tomboco, Macka are spelt as Spanish, Portuguese or Slavic write; no
    romanisation of Arabic, Persian or Russian writes c for k or ck, so a name spelt so is that
    language's own (Cafra is not Kufra), unless the entry itself is spelt so (Jacobabad)."""
    word, target = token.lower(), canonical.lower()
    for name, pattern, needed in rules:
        if (
            pattern.search(word)
            and not pattern.search(target)
            and (needed is None or score < needed)
        ):
            return name
    return None


def paragraph_window(
    text: str, start: int, end: int, window: int = EVIDENCE_WINDOW
) -> tuple[int, int]:
    """The span around ``[start, end)`` where evidence counts: ``window`` characters either
    side, cut at the nearest paragraph break (a blank line) on each side."""
    low, high = max(0, start - window), min(len(text), end + window)
    breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(text, low, start)]
    if breaks:
        low = breaks[-1]
    after = _PARAGRAPH_BREAK.search(text, end, high)
    if after is not None:
        high = after.start()
    return low, high


def evidence_kinds(kind: str | None) -> frozenset[str]:
    """The kinds of table hit that are evidence for a candidate of an entry of ``kind``."""
    return PLACE_EVIDENCE_KINDS if kind == "place" else EVIDENCE_KINDS


def weigh_evidence(
    whole: str,
    spans: list[tuple[int, int, str, str | None]],
    candidates: Sequence[tuple[int, int, str | None, str | None]],
    window: int = EVIDENCE_WINDOW,
    windows: Sequence[tuple[int, int]] | None = None,
) -> list[str | None]:
    """For each candidate ``(start, end, kind of its entry, region of its entry)`` in
    ``whole``: None when evidence stands near it, else the ``held`` code (``no-evidence``,
    ``person-only``, ``other-region``).

    ``spans``: the table hits of :data:`EVIDENCE_KINDS` as ``(start, end, kind, region)``
    (region None: not a place, or a place the gazetteer does not place). A candidate applied
    on evidence is evidence in turn (a second run would see its canonical form as a table
    hit), to a fixed point. A place candidate counts only :data:`PLACE_EVIDENCE_KINDS` (see
    there), and of the places only those of its own region or of none known: a town of
    Europe says nothing of where an unknown name beside it lies in Asia (see
    :mod:`normalise.gazetteer`). ``windows``: each candidate's :func:`paragraph_window`
    with ``window``, when the caller has them already."""
    held: list[str | None] = ["no-evidence"] * len(candidates)
    places = sorted((s, e, r) for s, e, k, r in spans if k in PLACE_EVIDENCE_KINDS)
    others = sorted((s, e) for s, e, k, _ in spans if k not in PLACE_EVIDENCE_KINDS)
    waiting = list(range(len(candidates)))
    if windows is None:
        windows = [paragraph_window(whole, c[0], c[1], window) for c in candidates]
    changed = True
    while waiting and changed:
        other_starts, other_ends = [s for s, _ in others], [e for _, e in others]
        place_starts = [s for s, _, _ in places]
        found = []
        for i in waiting:
            low, high = windows[i]
            near = _regions_within(places, place_starts, low, high)
            other_near = not near and any_within(other_starts, other_ends, low, high)
            # a code other than None stands unless a later round finds what it lacks
            held[i] = _held_code(candidates[i][2], candidates[i][3], near, other_near)
            if held[i] is None:
                found.append(i)
        changed = False
        for i in found:
            waiting.remove(i)
            changed |= _add_evidence(candidates[i], places, others)
        places.sort(key=lambda p: (p[0], p[1]))
        others.sort()
    return held


def _regions_within(
    places: Sequence[tuple[int, int, str | None]], starts: Sequence[int], low: int, high: int
) -> list[str | None]:
    """The regions of the places (sorted, with their ``starts``) lying within low..high."""
    near = []
    j = bisect.bisect_left(starts, low)
    while j < len(places) and places[j][0] < high:
        if places[j][1] <= high:
            near.append(places[j][2])
        j += 1
    return near


def _held_code(
    kind: str | None, region: str | None, near: list[str | None], other_near: bool
) -> str | None:
    """None when the evidence near a candidate of an entry of ``kind`` and ``region`` counts
    for it (``near``: the regions of the places of the table near it; ``other_near``: a
    people, organisation or person of the table near it), else the ``held`` code."""
    if near:
        if kind != "place" or region is None or any(r in (None, region) for r in near):
            return None
        return "other-region"
    if other_near:
        return "person-only" if kind == "place" else None
    return "no-evidence"


def _add_evidence(
    candidate: tuple[int, int, str | None, str | None],
    places: list[tuple[int, int, str | None]],
    others: list[tuple[int, int]],
) -> bool:
    """Count a candidate applied on evidence as evidence in turn; whether it counts."""
    start, end, kind, region = candidate
    if kind not in EVIDENCE_KINDS:
        return False
    if kind in PLACE_EVIDENCE_KINDS:
        places.append((start, end, region if kind == "place" else None))
    else:
        others.append((start, end))
    return True


def any_within(starts: Sequence[int], ends: Sequence[int], low: int, high: int) -> bool:
    """Whether any span (sorted by start; ``ends`` alongside) lies within ``[low, high)``."""
    i = bisect.bisect_left(starts, low)
    while i < len(starts) and starts[i] < high:
        if ends[i] <= high:
            return True
        i += 1
    return False


def _is_name_word(
    word: str, sentence_start: bool, english_zipf: ZipfOf, caps: bool = False
) -> bool:
    """A word that makes a longer name with its neighbour: capitalised (or a name particle),
    and none of :data:`NOT_NAME_WORDS`, nor a common English word opening the sentence."""
    lower = word.lower()
    if lower in NAME_PARTICLES:
        return True
    if word.isupper() and len(word) > 1 and not caps:
        return False  # an acronym (US, NATO) beside a name in lower case: no longer name
    if not _CAPITAL.match(word) or lower in NOT_NAME_WORDS or lower.rstrip(".") in NOT_NAME_WORDS:
        return False
    if "'" in word or "’" in word:
        lower = regex.sub(r"['’]s$", "", lower)
        if lower in NOT_NAME_WORDS:
            return False
    return not (sentence_start and english_zipf(word) >= OPENING_WORD_ZIPF)


def name_neighbour(
    text: str,
    start: int,
    end: int,
    english_zipf: ZipfOf,
    sentence_initial: SentenceInitial,
    word_before: WordBefore | None = None,
) -> str | None:
    """The name word right beside ``text[start:end]`` that makes it part of a longer name
    (one space or hyphen between, same line), or None. ``word_before``: the span of
    :func:`word_before_span` found otherwise (``_core.word_before`` on the compiled core)."""
    caps = text[start:end].isupper()
    span = (word_before or word_before_span)(text, max(0, start - 40), start)
    if span is not None and text[span[1] - 1] != ".":
        word = text[span[0] : span[1]]
        if word.lower() in NAME_PARTICLES or _is_name_word(
            word, sentence_initial(text, span[0]), english_zipf, caps
        ):
            return word
    return name_neighbour_after(text, start, end, english_zipf)


def word_before_span(text: str, pos: int, endpos: int) -> tuple[int, int] | None:
    """The span of the word before a space or hyphen that ends ``text[pos:endpos]``
    (:data:`_WORD_BEFORE`), or None (the reference of ``_core.word_before``)."""
    before = _WORD_BEFORE.search(text, pos, endpos)
    return None if before is None else before.span(1)


def name_neighbour_after(text: str, start: int, end: int, english_zipf: ZipfOf) -> str | None:
    """The part of :func:`name_neighbour` that reads the word after ``text[start:end]``
    (an anchored match: cheaper than the word before, which is searched for)."""
    after = _WORD_AFTER.match(text, end)
    if after is not None:
        word = after.group(1)
        if _is_name_word(word, False, english_zipf, text[start:end].isupper()):
            return word
        if text[end] == "-" and _is_foreign_tail(word, english_zipf):
            return word
        low = word.lower()
        if any(
            low.startswith(p + "-")
            for p in ("al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "ad-", "bin", "ibn")
        ):
            return word
    return None


#: Lower-case words that join the words of names of the table's world with hyphens: the izafe
#: (Mazar-i-Sharif, Sar-e-Pul, Pul-e-Khumri, Deh-ye), Arabic articles and the Russian na
#: (Rostov-na-Donu).
HYPHEN_PARTICLES = frozenset(
    {
        "e",
        "i",
        "ye",
        "yi",
        "o",
        "u",
        "wa",
        "va",
        "na",
        "ul",
        "ud",
        "al",
        "el",
        "ar",
        "as",
        "at",
        "az",
        "ad",
        "ash",
        "an",
    }
)
#: A lower-case word after a hyphen at least this frequent in English (Kabul-based, Herat-born,
#: Kandahar-bound) is English, not a word of the name.
HYPHEN_ENGLISH_ZIPF = 3.0


def _is_foreign_tail(word: str, english_zipf: ZipfOf) -> bool:
    """A lower-case word joined to a name by a hyphen that makes it a longer name of another
    language (Kajiki-*cho*, Kuum-*nodongjagu*): neither an izafe or article of the table's
    world nor an English word."""
    if not word.islower() or word in HYPHEN_PARTICLES:
        return False
    return english_zipf(word) < HYPHEN_ENGLISH_ZIPF


#: Apostrophes that write a letter inside a word (Uzbek o' and g', ayn, hamza).
INNER_APOSTROPHES = frozenset("'’ʼʻ")


def inside_word(text: str, start: int) -> bool:
    """Whether a table hit at ``start`` would continue the word before it through an
    apostrophe (Xo'*jand*, Farg'*ona*): the apostrophe writes a letter of one word there, so
    the hit is not a word of its own. A capital after it starts a word (Côte d'*Ivoire*,
    l'*Afghanistan*). Asked of each hit: a few character tests."""
    return (
        start >= 2
        and text[start - 1] in INNER_APOSTROPHES
        and text[start].islower()
        and text[start - 2].isalpha()
    )


def is_common_term(canonical: str, kind: str) -> bool:
    """An entry whose canonical form is a lower-case common term (jihadi, mullah, burqa)."""
    return kind not in PROPER_NAME_KINDS and canonical[:1].islower()


#: A lower-case word between a candidate and another capitalised word that English uses less
#: often than this (wordfreq's Zipf scale) and another language's list holds is a word of a
#: longer name of that language (Ravne *na* Koroškem, *nad*, *pod*); English words that stand
#: between two names (and, to, via, near) are all more frequent.
LINK_ENGLISH_ZIPF = 4.5
#: The particles of :data:`HYPHEN_PARTICLES` the table's world also writes with spaces (the
#: izafe, Arabic articles, wa): not Russian *na*, always hyphenated there (Rostov-na-Donu),
#: while Slovene, Czech and Polish names write it with spaces (Ravne na Koroškem).
SPACED_PARTICLES = HYPHEN_PARTICLES - {"na"}
_SPACED_WORD_AFTER = lazy_compile(r" ([\p{L}\p{M}'’ʼʻ]+)(?: (\p{Lu}))?")
_SPACED_WORDS_BEFORE = lazy_compile(r"(\p{Lu}[\p{L}\p{M}'’ʼʻ]*) ([\p{L}\p{M}'’ʼʻ]+) $")


def foreign_word_beside(
    text: str,
    start: int,
    end: int,
    english_zipf: ZipfOf,
    languages: tuple[str, ...],
    known: Callable[[int, int], bool],
) -> str | None:
    """The lower-case word of another language beside ``text[start:end]`` (one space between)
    that makes it a word of a longer name, or None: right after it, a word English does not
    use (:data:`HYPHEN_ENGLISH_ZIPF`; Zlínský *kraj*); between it and a capitalised word on
    either side, also a word of one of ``languages`` that English uses rarely
    (:data:`LINK_ENGLISH_ZIPF`; Ravne *na* Koroškem). ``known(start, end)``: whether a table
    hit covers a word (jirga, madrassa: the table's own world, never counted)."""
    after = _SPACED_WORD_AFTER.match(text, end)
    if after is not None:
        word = after.group(1)
        if _foreign_link(word, english_zipf, languages, after.group(2) is not None) and not known(
            *after.span(1)
        ):
            return word
    before = _SPACED_WORDS_BEFORE.search(text, max(0, start - 80), start)
    if before is not None:
        word = before.group(2)
        if _foreign_link(word, english_zipf, languages, True) and not known(*before.span(2)):
            return word
    return None


def _foreign_link(
    word: str, english_zipf: ZipfOf, languages: tuple[str, ...], between_names: bool
) -> bool:
    """A lower-case word of another language (see :func:`foreign_word_beside`)."""
    if not word.islower() or word in SPACED_PARTICLES or word in NAME_PARTICLES:
        return False
    zipf = english_zipf(word)
    if zipf < HYPHEN_ENGLISH_ZIPF:
        return True
    return between_names and zipf < LINK_ENGLISH_ZIPF and other_language(word, languages)


#: Verbs whose subject is a person, not a place: a body's own action or a journey made on
#: foot or by road (``Qabil arrived in ...``). Verbs of speech and decision (said, warned,
#: told, agreed, met) are left out: news gives them a capital for its government ("Kabul
#: said", "Moscow met the demand"), so a place before them is still a place.
PERSON_SUBJECT_VERBS = frozenset(
    {
        "arrived",
        "smiled",
        "laughed",
        "nodded",
        "shrugged",
        "sighed",
        "wept",
        "grinned",
        "frowned",
        "whispered",
        "walked",
        "slept",
    }
)
#: Verbs whose object is a person: one is asked a question, interviewed, quoted, hugged.
PERSON_OBJECT_VERBS = frozenset(
    {"asked", "told", "interviewed", "quoted", "questioned", "hugged", "kissed", "married"}
)
#: What may follow a person as the object of such a verb: the end of a clause, or a word that
#: opens what was asked, told or said (about, whether, that, his ...). Not *to* or *for*: a
#: request to a government (``asked Tehran to``, ``thanked Qatar for``) is no person; not a
#: possessive (``questioned Tehran's``), a hyphen (``Kabul-based``) or a noun, of which the
#: name is a modifier (``asked Herat officials``, ``quoted Kabul residents``): a place.
OBJECT_FOLLOWERS = frozenset(
    {
        "about",
        "whether",
        "if",
        "why",
        "how",
        "what",
        "when",
        "where",
        "who",
        "that",
        "his",
        "her",
        "their",
        "the",
        "a",
        "an",
        "at",
        "on",
        "in",
        "during",
        "after",
        "before",
        "again",
        "later",
        "as",
        "with",
        "twice",
        "once",
    }
)
#: Words after which a capitalised token opens a clause: its subject. Not a bare *and*
#: (``from Kunduz and Qabil arrived`` joins two places of one phrase); after a comma it opens
#: one (``, and Qabil smiled``).
CLAUSE_OPENERS = frozenset({"but", "when", "while", "after", "before", "until", "then"})
_VERB_AFTER = lazy_compile(r" ([\p{Ll}]+)(?![\p{L}\p{M}'’])")
_VERB_BEFORE = lazy_compile(r"(?<![\p{L}\p{M}'’])(\p{Ll}+) $")
_OPENER_BEFORE = lazy_compile(r"(?:,(?: and| but)?|(?<![\p{L}\p{M}])(\p{Ll}+)) $")
_OBJECT_END = lazy_compile(
    r"[.,;:!?)\]\"”]|[ \t]*(?:[\r\n]|$)|[ \u00a0](\p{Ll}+)(?![\p{L}\p{M}'’\-])"
)


def person_role(
    text: str,
    start: int,
    end: int,
    sentence_initial: SentenceInitial,
    subject_verbs: frozenset[str] = PERSON_SUBJECT_VERBS,
    object_verbs: frozenset[str] = PERSON_OBJECT_VERBS,
) -> str | None:
    """The verb that makes the name at ``[start, end)`` a person (see
    :data:`PERSON_SUBJECT_VERBS` and :data:`PERSON_OBJECT_VERBS`), else None.

    Why: a place candidate standing where only a person stands is a person's name that
    happens to sound like a place (``Reporters asked Hanedan about the talks`` is not
    Hamadan). Its subject is read only where the name opens a clause (a sentence start, a
    comma or a conjunction before it), so ``Protesters from Herat arrived`` keeps Herat a
    place; its object only where the clause ends after it or a word of
    :data:`OBJECT_FOLLOWERS` follows. Other verb lists are for measuring what a verb would cost
    (``benchmarks/person_role.py``)."""
    after = _VERB_AFTER.match(text, end, min(len(text), end + 24))
    if after is not None and after.group(1) in subject_verbs:
        opener = _OPENER_BEFORE.search(text, max(0, start - 12), start)
        if sentence_initial(text, start) or (
            opener is not None and (opener.group(1) is None or opener.group(1) in CLAUSE_OPENERS)
        ):
            return after.group(1)
    before = _VERB_BEFORE.search(text, max(0, start - 24), start)
    if before is not None and before.group(1) in object_verbs:
        then = _OBJECT_END.match(text, end)
        if then is not None and (then.group(1) is None or then.group(1) in OBJECT_FOLLOWERS):
            return before.group(1)
    return None
