"""The default table's coverage (issue 16): every variant says where it is attested, the
imported places carry no other language's inflected forms, and the curation rules of
scripts/import_default_places.py do what its docstring says."""

from __future__ import annotations

import functools
import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import regex

from normalise import Normaliser, load_table
from normalise.importers.geonames import Place
from normalise.scan import match_key

REPO = Path(__file__).resolve().parent.parent
#: Who may attest a variant in a hand entry's ``sources``: agencies, papers, broadcasters,
#: and the official publications that print a name (a designation, a report, an airport).
PUBLISHERS = regex.compile(
    r"Associated Press|Reuters|AFP|BBC|New York Times|Guardian|FBI|9/11 Commission|"
    r"US government|Department of Defense|Treasury|State Department|WAM|Airport|"
    r"RFE/RL|IRNA|Foreign Ministry|Dawn|Straits Times|Times of India|CIA World Factbook|"
    r"own English site|Turkmen government|UN Security Council|AFP|TASS"
)
#: ... or the page that prints it, by its address (benchmarks/results/attestation.md logs the search).
PAGE = regex.compile(r"\(https?://\S+\)$")
#: The kinds whose variants are curated by hand (places and terms come from the importer or the
#: first table's gazetteer work, and given names are spelled by the romanisation rules).
CURATED = ("person", "organisation", "people")
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def table():
    return load_table("default")


def _geonames(entry) -> bool:
    return any(s.startswith("GeoNames ") for s in entry.sources)


def test_every_entry_says_what_it_is_or_where_it_is_from(table):
    missing = [e.canonical for e in table.entries if not (e.notes or e.sources)]
    assert not missing


def _attested(entry, variant: str) -> bool:
    """A source line "variant: who prints it" names the variant and a publisher or a page."""
    return any(
        variant in s.split(":")[0] and (PUBLISHERS.search(s) or PAGE.search(s))
        for s in entry.sources
    )


def test_every_variant_of_an_attested_hand_entry_names_its_publisher(table):
    """A hand entry with ``sources`` (the people and organisations of issue 16) names, for
    each variant, the agency or paper that prints it: "variant: publisher"."""
    attested = [e for e in table.entries if e.sources and not _geonames(e)]
    assert len(attested) >= 60
    unattested = [
        f"{e.canonical}: {v}" for e in attested for v in e.variants if not _attested(e, v)
    ]
    assert not unattested


def test_every_curated_variant_says_where_it_is_printed(table):
    """Every variant of a person, organisation or people entry of the default table names in
    ``sources`` where it is printed: a publisher, or the page's address. A spelling no print
    source was found for belongs in the opt-in table ``unattested``, not here."""
    hand = [e for e in table.entries if not _geonames(e) and e.kind in CURATED]
    assert len(hand) >= 300
    silent = [f"{e.canonical}: {v}" for e in hand for v in e.variants if not _attested(e, v)]
    assert not silent
    assert not [e.canonical for e in table.entries if "Not attested" in (e.notes or "")]


def test_every_curated_variant_cites_the_page_that_prints_it(table):
    """A publisher named from its house style is not enough: each curated variant's source
    line ends with the address of a page that prints it (benchmarks/results/attestation.md
    logs the search), or names the reference report that does."""
    hand = [e for e in table.entries if not _geonames(e) and e.kind in CURATED]
    bare = [
        f"{e.canonical}: {v}"
        for e in hand
        for v in e.variants
        if not any(
            v in s.split(":")[0] and (PAGE.search(s) or "reference report" in s) for s in e.sources
        )
    ]
    assert not bare


def test_a_source_line_without_a_publisher_or_a_page_does_not_attest():
    entry = next(e for e in load_table("default").entries if e.canonical == "Baradar")
    assert _attested(entry, "Beradar")
    bare = replace(entry, sources=("Beradar: somewhere",))
    assert not _attested(bare, "Beradar")
    assert not _attested(
        replace(entry, sources=("Beradar: (https://example.org) said",)), "Beradar"
    )


# --------------------------------------------------------------------------- the opt-in table


@pytest.fixture(scope="module")
def unattested():
    return load_table(REPO / "normalise" / "data" / "tables" / "unattested.yaml")


def test_the_unattested_table_only_adds_spellings_to_default_entries(table, unattested):
    """Each entry of ``unattested`` overrides the default entry of the same canonical form and
    kind, keeps every variant that entry has, and adds only spellings the default table does
    not know: loading it never takes a form away."""
    default = {e.canonical: e for e in table.entries}
    known = {match_key(s) for e in table.entries for f in e.forms for s in e.spellings(f)}
    assert len(unattested.entries) >= 60
    for entry in unattested.entries:
        assert entry.override, entry.canonical
        base = default[entry.canonical]
        assert (entry.kind, entry.separators, entry.phonetic) == (
            base.kind,
            base.separators,
            base.phonetic,
        )
        assert entry.variants[: len(base.variants)] == base.variants
        added = entry.variants[len(base.variants) :]
        assert added, entry.canonical
        assert not [v for v in added if match_key(v) in known], entry.canonical


def test_unattested_spellings_converge_only_with_the_opt_in_table():
    text = (
        "Sibghatullah Sailab spoke; Sailab later denied it. General Dostam and Hikmatyar met "
        "Serzh Sarkisian and Fayez al-Serraj."
    )
    assert Normaliser(phonetic="off").normalise(text).text == text
    assert Normaliser(["unattested"], phonetic="off").normalise(text).text == (
        "Sebghatullah Selab spoke; Selab later denied it. General Dostum and Hekmatyar met "
        "Serzh Sargsyan and Fayez al-Sarraj."
    )
    attested = "Shahbaz Sharif and Hizb-i-Islami; Khaled Meshal."
    assert Normaliser(phonetic="off").normalise(attested).text == (
        "Shehbaz Sharif and Hezb-e-Islami; Khaled Meshaal."
    )


def _notes_names() -> list[list[str]]:
    """The names of NOTES.md's "Names transliterated" list, grouped: the spellings of one
    name (Taloqan / Taliqan / Taleqan; Sar-i-Pul: also Sar-e Pul ...) form one group."""
    text = (SEEDS / "NOTES.md").read_text(encoding="utf-8")
    section = text.split("Names transliterated", 1)[1].split("Spelling and orthographic", 1)[0]
    name = regex.compile(r"\p{Lu}[\p{L}'’]*(?:[- ](?:[ie]-|[ie] )?\p{Lu}[\p{L}'’]*)*")
    groups: list[list[str]] = []
    for bullet in regex.findall(r"^- (.+(?:\n  .+)*)", section, regex.M):
        bullet = bullet.replace("\n", " ")
        # leave out which reports (000, 001 / all), lower-case forms in backquotes, and "..."
        bullet = regex.sub(r"`[^`]*`|\((?:all|[\d, ]+)\)|\.\.\.", "", bullet)
        head, _, rest = bullet.partition(":")
        if "/" in head:
            groups.append([m for part in head.split("/") for m in name.findall(part)])
            groups.extend([n] for n in name.findall(rest))
        elif rest.strip().startswith("also"):
            spellings = rest.split("also", 1)[1].replace("written", "")
            groups.append(name.findall(head) + name.findall(spellings))
        else:
            groups.extend([n] for n in name.findall(bullet) if n not in ("People", "Names"))
    return groups


@pytest.mark.skipif(not (SEEDS / "NOTES.md").is_file(), reason="../shared/seeds is absent")
def test_every_name_of_the_reference_notes_is_known_and_its_spellings_converge(table):
    """A name NOTES.md lists that the default table does not hold fails here, and so do two
    spellings of one name that the table does not bring to one form."""
    groups = _notes_names()
    names = [n for g in groups for n in g]
    assert {"Sebghatullah Selab", "Zalmay Khalilzad", "Hazara", "Taleqan", "Sari Pul"} <= set(names)
    known = {match_key(s) for e in table.entries for f in e.forms for s in e.spellings(f)}
    missing = [n for n in names if match_key(n) not in known]
    assert not missing
    normaliser = Normaliser(phonetic="off")
    split = [g for g in groups if len({normaliser.normalise(n).text for n in g}) > 1]
    assert not split


def test_hand_entries_without_variants_match_no_unseen_spelling(table):
    """A name added only to be known (no variant) draws no unrelated name to it."""
    open_ = [
        e.canonical
        for e in table.entries
        if e.sources == ()
        and not e.variants
        and e.kind in ("person", "organisation")
        and e.phonetic
        and e.notes
        and "No variant listed" in e.notes
    ]
    assert not open_


def test_news_spellings_converge():
    normaliser = Normaliser(phonetic="off")
    text = (
        "Moammar Gadhafi and Muammar Qaddafi; Usama bin Ladin; Volodymyr Zelenskyy; "
        "Abed Rabbo Mansour Hadi; Dmitri Peskov; al-Qaida in the Arabian Peninsula; "
        "the Qods Force; Iyad Allawi."
    )
    assert normaliser.normalise(text).text == (
        "Muammar Gaddafi and Muammar Gaddafi; Osama bin Laden; Volodymyr Zelensky; "
        "Abdrabbuh Mansour Hadi; Dmitry Peskov; al-Qaeda in the Arabian Peninsula; "
        "the Quds Force; Ayad Allawi."
    )


def test_family_entries_keep_each_person_to_their_full_name():
    """Barzani, Sharif, Khan, Saleh, Hariri, Bhutto, Zardari and Massoud name several people:
    alone they stay as written."""
    normaliser = Normaliser(phonetic="apply")
    text = "Barzani met Sharif. Khan and Saleh spoke; Hariri, Bhutto, Zardari and Massoud did not."
    assert normaliser.normalise(text).text == text


# --------------------------------------------------------------------------- imported places

#: Endings of other languages' forms of a name (Esperanto, Lithuanian, Latin): Mosulo, Lahoras.
_INFLECTED = ("o", "as", "um", "ium")


def test_imported_places_hold_no_inflected_forms(table):
    found = []
    for entry in table.entries:
        if not _geonames(entry) or entry.phonetic:
            continue
        keys = {match_key(f) for f in entry.forms}
        for variant in entry.variants:
            key = match_key(variant)
            for ending in _INFLECTED:
                stem = key[: -len(ending)]
                if key.endswith(ending) and len(stem) >= 4 and stem in keys:
                    found.append(f"{entry.canonical}: {variant}")
    assert not found


@functools.cache
def _script():
    name = "import_default_places"
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_inflections_and_demonyms_are_not_spellings():
    script = _script()
    names = {"mosul", "aden", "rumaith", "kaliningrad"}
    assert script.inflection("Mosulo", names, "IQ")
    assert script.inflection("Adeni", names, "YE")
    assert script.inflection("Kaliningrada", names, "RU")
    assert not script.inflection("Rumaitha", names, "IQ")  # -a is Arabic romanisation's own
    assert not script.inflection("Mosul", names, "IQ")
    assert not script.inflection("Cheboksari", {"cheboksar"}, "RU")  # Russian -y/-i


def test_the_canonical_form_drops_the_article_unless_english_uses_the_word():
    script = _script()

    def place(asciiname: str, country: str = "SY") -> Place:
        return Place(1, asciiname, asciiname, country, "P.PPL", 50_000)

    assert script.english_name(place("Al Mayadin"), ["Al Mayadin", "Mayādīn"]) == "Mayadin"
    assert script.english_name(place("Al Bab"), ["Al Bab", "Bab"]) == "Al Bab"
    assert script.english_name(place("Ar Rastan"), ["Ar Rastan"]) == "Ar Rastan"
    assert script.english_name(place("Zaxo", "IQ"), ["Zaxo", "Zakho"]) == "Zakho"
    assert script.english_name(place("Zaxo", "IQ"), ["Zaxo"]) == "Zaxo"  # only GeoNames names


def test_flags_name_what_makes_a_canonical_form_doubtful():
    script = _script()
    assert script.flags("Ra's Bayrut", []) == ["apostrophe"]
    assert script.flags("Al Mayadin", ["Mayadin"]) == ["article"]
    assert script.flags("Qalat Sukkar", ["Qal'at Sukkar"]) == []
    assert script.flags("Samawah", ["Samawa"]) == ["-ah"]
    assert "English uses Palmyra more" in script.flags("Tadmur", ["Palmyra", "Tedmor"])


def test_every_flagged_canonical_form_of_the_imported_places_is_decided():
    """A canonical form the flags find is either changed (OVERRIDES, PRINTED) or listed as
    decided in KEPT_AS_IS: a new import that brings a doubtful form fails here."""
    assert _script().flagged() == {}


def test_the_region_s_capitals_are_in_and_districts_are_not(table):
    """Names a place elsewhere shares (Baghdad in Iran, Beirut in Poland) are kept for the
    city English news means; districts imported as cities are left out."""
    canonical = {e.canonical for e in table.entries}
    assert {"Baghdad", "Beirut", "Damascus", "Moscow", "Donetsk", "Kherson", "Hama"} <= canonical
    assert not {"Ra's Bayrut", "Hamah", "Dayrah", "Mar'ino", "Obolon"} & canonical
    normaliser = Normaliser(phonetic="off")
    assert normaliser.normalise("Hamah, Samarra' and Tadmur").text == "Hama, Samarra and Palmyra"
