"""Held-back speed workloads: two texts nobody tuned the table-only or `apply` speed on,
measured once at the end of a round of speed work (issues 15 and 17).

Why: bench.py's generated corpus was tuned on and its dense KJV workload was measured while
tuning; a target met there only is not met. These two have other shapes:

* **Treasury**: Spurgeon's *Treasury of David* (Debian's sword-comm-tdavid, public domain),
  real English prose in long paragraphs (a line is a commentary section, hundreds of
  characters), 1 % of its words replaced by variants of the GeoNames tables of bench.py's
  generated workload (the same tables, ``table-N-r1.yaml``).
* **WEB**: the World English Bible (sword-text-web), one verse a line, with a table of its own
  proper names' derived spellings padded with GeoNames entries, built by bench.py's dense
  recipe from this text (dense hits, modern spellings of the names).

A second round, written before the eleventh session's speed work and run once at its end:

* **MHCC**: Matthew Henry's *Concise Commentary* (sword-comm-mhcc), prose paragraphs full of
  biblical names, with GeoNames variants injected as in the Treasury.
* **MHCC names**: the same commentary wrapped into short lines, with a table of its own
  names' derived spellings (bench.py's dense recipe): dense hits in English prose.
* **Reina-Valera**: the Spanish Reina-Valera Bible of 1909 (sword-text-sparv), verse lines,
  with its own names' derived spellings: dense hits in a text that is not English, where the
  English common-word screen lets far more capitalised words through to the matcher.

Every method of ``bench.py --quick`` runs on each (the library table-only and with
``phonetic="apply"``, flashtext line by line, flashtext2 whole and line by line ...), with
1,000, 10,000 and 100,000 variants, CPU time; a summary prints the issues' ratios.

    python benchmarks/heldback.py [--workload treasury|web|...|strongs|first|second|third]
                                  [--seed 11] [--prepare]

A third round, written before the twelfth session's speed work and run once at its end:

* **Scofield**: the Scofield Reference Notes of 1917 (sword-comm-scofield), study notes in
  paragraphs, with GeoNames variants injected as in the Treasury.
* **Nave's names**: Nave's Topical Bible (sword-dict-naves, read with mod2imp), one item of a
  topic a line ("Meets Moses in the wilderness Ex 4:14"), wrapped into short lines with a
  table of its own names' derived spellings: an index, dense in names and references.
* **Strong's**: Strong's Hebrew dictionary (sword-dict-strongs-hebrew), one entry a line:
  Hebrew words, their accented transliterations and short glosses, with GeoNames variants
  injected: text where most words are not English and many carry diacritics.

A fourth round, written before the thirteenth session's speed work and run once at its end:

* **Strong's Greek**: Strong's Greek dictionary (sword-dict-strongs-greek), one entry a line:
  polytonic Greek, transliterations and glosses, with GeoNames variants injected.
* **Russian fortunes**: the Russian fortune cookies of Debian's fortunes-ru, their own short
  lines, with GeoNames variants at 1 % of the (Cyrillic) words: Latin names in another script.
* **German fortunes, CRLF**: the German fortunes of fortunes-de with a table of their own
  capitalised words' derived spellings (bench.py's dense recipe: German capitalises every
  noun, so hits are dense and most are not names), written with CRLF line ends.

A fifth round, written before the fourteenth session's speed work and run once at its end:

* **Polish fortunes**: the Polish fortunes of fortunes-pl, their own short lines, with
  GeoNames variants at 1 % of the words: Latin letters with many diacritics.
* **Spanish fortunes, names**: the Spanish fortunes of fortunes-es with a table of their own
  capitalised words' derived spellings (bench.py's dense recipe), LF line ends.
* **GCIDE**: the first 6 MB of the Collaborative International Dictionary of English (Debian's
  dict-gcide: Webster's 1913 and its additions), one paragraph of an entry a line, with
  GeoNames variants injected: English definitions full of etymologies and abbreviations.

A sixth round, written before the fifteenth session's speed work and run once at its end:

* **Czech fortunes, names**: the Czech fortunes of fortunes-cs with a table of their own
  capitalised words' derived spellings (bench.py's dense recipe): dense hits on forms with
  háčeks and acute accents.
* **Italian fortunes**: the Italian fortunes of fortunes-it, their own short lines, with
  GeoNames variants at 1 % of the words.
* **FOLDOC**: the Free On-line Dictionary of Computing (Debian's dict-foldoc), one paragraph
  of an entry a line, with GeoNames variants injected: English technical prose full of
  identifiers, acronyms, URLs and cross-references in braces.

A seventh round, written before the sixteenth session's speed work and run once at its end:

* **V.E.R.A.**: the Virtual Entity of Relevant Acronyms (Debian's dict-vera), one entry a
  line (an acronym and its expansion: about 40 characters), with GeoNames variants injected:
  very short lines, mostly capitals.
* **Hungarian-English**: the first 6 MB of FreeDict's Hungarian-English dictionary (Debian's
  dict-freedict-hun-eng), its own lines (a headword with its IPA transcription, then its
  glosses), with GeoNames variants at 1 % of the words: Latin letters with double acutes
  beside IPA letters.
* **WordNet, names**: the first 6 MB of WordNet's entries (Debian's dict-wn: no blank line
  between them, so they run together), wrapped into short lines with a table of their own
  capitalised words' derived spellings (bench.py's dense recipe): glosses full of the names
  of people and places. Not a new text: apply_prose.py times `apply` on WordNet too.

An eighth round, written before the seventeenth session's speed work and run once at its end:

* **Arabic-English**: FreeDict's Arabic-English dictionary (Debian's dict-freedict-ara-eng),
  its own lines (a headword in Arabic script, then its English glosses), with GeoNames
  variants at 1 % of the words: right-to-left Arabic letters beside short English glosses.
* **German-English, names**: the first 6 MB of FreeDict's German-English dictionary (Debian's
  dict-freedict-deu-eng), one paragraph of an entry a line, wrapped into short lines with a
  table of its own capitalised words' derived spellings (bench.py's dense recipe): German
  capitalises every noun, so the hits are dense, on forms with umlauts and ß.
* **Brazilian fortunes**: the Portuguese fortunes of fortunes-br, their own short lines, with
  GeoNames variants at 1 % of the words: Latin letters with tildes and cedillas, a small text
  (0.2 MB) where what a run pays once shows.

A ninth round, written before the eighteenth session's speed work and run once at its end:

* **Chinese fortunes**: the Chinese fortunes of fortunes-zh (2 MB), their own lines, with
  GeoNames variants at 1 % of the words (a word there is a run of Han characters between
  punctuation): Latin names in text without spaces.
* **Japanese-English, names**: the first 6 MB of FreeDict's Japanese-English dictionary
  (Debian's dict-freedict-jpn-eng), one paragraph of an entry a line, wrapped into short
  lines with a table of its own capitalised words' derived spellings (bench.py's dense
  recipe): kana and kanji headwords beside English glosses and their names.
* **Welsh-English**: FreeDict's Welsh-English dictionary (Debian's dict-freedict-cym-eng,
  0.5 MB), its own lines, with GeoNames variants at 1 % of the words: a small dictionary
  of a Celtic language's Latin letters with circumflexes.

``first`` (the default) is the tenth session's pair, ``second`` the eleventh's three,
``third`` the twelfth's three, ``fourth`` the thirteenth's three, ``fifth`` the fourteenth's,
``sixth`` the fifteenth's, ``seventh`` the sixteenth's, ``eighth`` the seventeenth's,
``ninth`` the eighteenth's.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bench
from bench import (
    DATA,
    MB,
    TABLE_SIZES,
    BenchTable,
    Run,
    bench_size,
    build_dense_tables,
    build_tables,
    find,
    generate_dense,
    log,
)

#: Bump when a held-back text or its recipe changes.
RECIPE = 1
#: Sword modules and keys (diatheke stops the WEB after Psalms: it is read in two ranges).
TREASURY = ("TDavid", "Psalms 1:1-150:6")
WEB = ("engWEB2015eb", ("Genesis 1:1-Psalms 150:6", "Proverbs 1:1-Revelation 22:21"))
MHCC = ("MHCC", "Genesis 1:1-Revelation 22:21")
SPARV = ("spaRV1909eb", ("Genesis 1:1-Psalms 150:6", "Proverbs 1:1-Revelation 22:21"))
FIRST = ("treasury", "web")
SCOFIELD = ("Scofield", "Genesis 1:1-Revelation 22:21")
SECOND = ("mhcc", "mhcc-names", "sparv")
THIRD = ("scofield", "naves-names", "strongs")
FOURTH = ("strongs-greek", "fortunes-ru", "fortunes-de-crlf")
FIFTH = ("fortunes-pl", "fortunes-es-names", "gcide")
SIXTH = ("fortunes-cs-names", "fortunes-it", "foldoc")
SEVENTH = ("vera", "freedict-hun", "wordnet-names")
VERA = Path("/usr/share/dictd/vera.dict.dz")
FREEDICT_HUN = Path("/usr/share/dictd/freedict-hun-eng.dict.dz")
WORDNET = Path("/usr/share/dictd/wn.dict.dz")
#: How much of the big dictionaries of rounds seven to nine is read (characters).
SEVENTH_BYTES = 6_000_000
EIGHTH = ("freedict-ara", "freedict-deu-names", "fortunes-br")
FREEDICT_ARA = Path("/usr/share/dictd/freedict-ara-eng.dict.dz")
FREEDICT_DEU = Path("/usr/share/dictd/freedict-deu-eng.dict.dz")
#: fortunes-br's one file of Brazilian fortunes (not a folder of a language's files).
BRASIL = Path("/usr/share/games/fortunes/brasil")
NINTH = ("fortunes-zh", "freedict-jpn-names", "freedict-cym")
#: fortunes-zh's one file of Chinese fortunes.
CHINESE = Path("/usr/share/games/fortunes/chinese")
FREEDICT_JPN = Path("/usr/share/dictd/freedict-jpn-eng.dict.dz")
FREEDICT_CYM = Path("/usr/share/dictd/freedict-cym-eng.dict.dz")
GCIDE = Path("/usr/share/dictd/gcide.dict.dz")
GCIDE_BYTES = 6_000_000
FOLDOC = Path("/usr/share/dictd/foldoc.dict.dz")
FORTUNES = Path("/usr/share/games/fortunes")
#: Fortune files of pictures, not sentences.
_ART = frozenset({"art", "asciiart", "ascii-art"})
_VERSE = re.compile(r"^(?:\d )?[A-Za-z ]+? \d+:\d+: (.*)$")
_WORD = re.compile(r"[A-Za-z]+")
#: The words of a text in another alphabet than English's (where 1 % are replaced by variants).
_ANY_WORD = re.compile(r"\w+")


_PARAGRAPH = re.compile(r'<div\b[^>]*type="x-p"[^>]*/>|</?title\b[^>]*>')
_TAG = re.compile(r"<[^>]+>")
_SPACE_BEFORE = re.compile(r" +(?=[,.;:!?)\]’”])")
_SPACE_AFTER = re.compile(r"(?<=[(\[“‘]) +")


def sword_lines(module: str, keys: str, paragraphs: bool) -> list[str]:
    """The text of a sword module, markup removed: one line per entry (a verse), or with
    ``paragraphs`` one line per paragraph of an entry (a commentary's sections)."""
    import subprocess

    if shutil.which("diatheke") is None:
        raise SystemExit(
            "heldback.py: needs diatheke: apt-get install diatheke sword-comm-tdavid "
            "sword-text-web sword-comm-mhcc sword-text-sparv sword-comm-scofield"
        )
    raw = subprocess.run(
        ["diatheke", "-b", module, "-k", keys], capture_output=True, check=False
    ).stdout.decode("utf-8", "replace")
    out = []
    for line in raw.splitlines():
        verse = _VERSE.match(line)
        if not verse:
            continue
        body = _PARAGRAPH.sub("\n", verse.group(1)) if paragraphs else verse.group(1)
        out += _plain(body.split("\n"))
    return _some(out, module)


def _plain(parts: list[str], strip: str | None = None) -> list[str]:
    """The parts of an entry as plain lines: tags become spaces (the WEB tags each word:
    <w>God</w><w>created</w>), then the spaces that puts before punctuation and after opening
    quotes go again; lines under 20 characters are left out."""
    import html

    out = []
    for part in parts:
        text = re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", part))).strip(strip)
        text = _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))
        if len(text) >= 20:
            out.append(text)
    return out


def _some(lines: list[str], module: str) -> list[str]:
    if not lines:
        raise SystemExit(f"heldback.py: the sword module {module} gave no text (is it installed?)")
    return lines


def prose_corpus(
    name: str,
    module: tuple[str, str] | Callable[[], list[str]],
    seed: int,
    inject: list[str],
    recipe: int = RECIPE,
    word: re.Pattern[str] = _WORD,
) -> Path:
    """A commentary's sections (or the lines ``module`` gives), one a line, with 1 % of words
    (``word``: ASCII letters unless told) replaced by ``inject`` forms."""
    path = DATA / f"heldback-{name}-s{seed}-r{recipe}.txt"
    if path.exists():
        return path
    rng = random.Random(seed)
    coins = rng.random

    def swap(match: re.Match) -> str:
        return inject[int(coins() * len(inject))] if coins() < bench.INJECT_RATE else match.group()

    seen: set[str] = set()
    with tempfile.NamedTemporaryFile("w", dir=DATA, delete=False, encoding="utf-8") as out:
        lines = module() if callable(module) else sword_lines(*module, paragraphs=True)
        for section in lines:
            if section not in seen:  # the module repeats a comment for each verse it covers
                seen.add(section)
                out.write(word.sub(swap, section) + "\n")
    Path(out.name).replace(path)
    return path


_ENTRY = re.compile(r"^\$\$\$(.*)$", re.MULTILINE)
_LINE_BREAK = re.compile(r"<lb\s*/>")


def lexicon_lines(module: str, items: bool) -> list[str]:
    """A SWORD dictionary's entries read with ``mod2imp``, markup removed: one line an entry,
    or with ``items`` one line per item of an entry (the parts its ``<lb/>`` tags divide)."""
    import subprocess

    if shutil.which("mod2imp") is None:
        raise SystemExit(
            "heldback.py: needs mod2imp: apt-get install libsword-utils sword-dict-naves "
            "sword-dict-strongs-hebrew"
        )
    raw = subprocess.run(["mod2imp", module], capture_output=True, check=False).stdout
    out = []
    for body in _ENTRY.split(raw.decode("utf-8", "replace"))[2::2]:
        out += _plain(_LINE_BREAK.split(body) if items else [body], " →")
    return _some(out, module)


def fortune_lines(language: str, files: list[Path] | None = None) -> list[str]:
    """The lines of a language's fortune files (fortunes-LANGUAGE, or the given ``files`` of
    that package), as written: short lines, without the ``%`` lines between fortunes and
    without the files of pictures."""
    if files is None:
        folder = FORTUNES / language
        files = sorted(
            p
            for p in folder.glob("*")
            if p.is_file()
            and not p.name.endswith((".dat", ".u8"))
            and not p.is_symlink()
            and p.name not in _ART
        )
    files = [p for p in files if p.is_file()]
    if not files:
        raise SystemExit(f"heldback.py: needs the fortunes: apt-get install fortunes-{language}")
    lines = []
    for path in files:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.rstrip()
            if line and line != "%":
                lines.append(line)
    return lines


def dictd_read(path: Path, package: str, limit: int | None = None) -> str:
    """The text of a dictd dictionary (its first ``limit`` characters)."""
    import gzip

    if not path.exists():
        raise SystemExit(f"heldback.py: needs {path}: apt-get install {package}")
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as source:
        return source.read(limit if limit is not None else -1)


def dictd_paragraphs(path: Path, package: str, limit: int | None = None) -> list[str]:
    """The text of a dictd dictionary (its first ``limit`` characters), one paragraph a line
    (its wrapping and indentation undone)."""
    paragraphs = (
        " ".join(p.split()) for p in re.split(r"\n\s*\n", dictd_read(path, package, limit))
    )
    return [p for p in paragraphs if len(p) >= 20]


def dictd_lines(path: Path, package: str, limit: int) -> list[str]:
    """The lines of a dictd dictionary (its first ``limit`` characters), as written, less
    blank ones and the trailing spaces."""
    return [line.rstrip() for line in dictd_read(path, package, limit).splitlines() if line.strip()]


def gcide_paragraphs() -> list[str]:
    """The first :data:`GCIDE_BYTES` of GCIDE's text, one paragraph a line."""
    return dictd_paragraphs(GCIDE, "dict-gcide", GCIDE_BYTES)


def bible_verses(module: tuple[str, tuple[str, ...]]) -> list[str]:
    return [v for keys in module[1] for v in sword_lines(module[0], keys, paragraphs=False)]


def commentary_sections(module: tuple[str, str]) -> list[str]:
    """A commentary's sections, each once (a module repeats a note for every verse it covers)."""
    return list(dict.fromkeys(sword_lines(*module, paragraphs=True)))


def dense_workload(
    name: str, lines: list[str], seed: int, recipe: int = RECIPE, crlf: bool = False
) -> tuple[Path, dict[int, BenchTable]]:
    """bench.py's dense recipe on another text: tables of the text's own names' derived
    spellings (written under the text's name), and the text wrapped into short lines with 1 %
    of words replaced by their variants (with ``crlf``, each line ended by CR LF)."""
    tables = build_dense_tables(lines, TABLE_SIZES, recipe=f"{bench.DENSE_RECIPE}-{name}{recipe}")
    inject = sorted(v for e in tables[min(TABLE_SIZES)].table.entries for v in e.variants)
    path = DATA / f"heldback-{name}-s{seed}-r{recipe}.txt"
    if not path.exists():
        generate_dense(path, lines, seed, inject)
        if crlf:
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return path, tables


def geonames_workload(
    name: str,
    module: tuple[str, str] | Callable[[], list[str]],
    seed: int,
    recipe: int = RECIPE,
    word: re.Pattern[str] = _WORD,
) -> tuple[Path, dict[int, BenchTable]]:
    """A commentary with the generated workload's GeoNames tables and their variants injected."""
    tables = build_tables(TABLE_SIZES)
    inject = sorted(tables[min(TABLE_SIZES)].pairs)
    return prose_corpus(name, module, seed, inject, recipe, word), tables


def freedict_workload(
    language: str, path: Path, seed: int, recipe: int
) -> tuple[Path, dict[int, BenchTable]]:
    """A FreeDict dictionary from ``language`` to English (its first :data:`SEVENTH_BYTES`,
    its own lines) with the generated workload's GeoNames variants at 1 % of its words."""
    return geonames_workload(
        f"freedict{language}",
        lambda: dictd_lines(path, f"dict-freedict-{language}-eng", SEVENTH_BYTES),
        seed,
        recipe=recipe,
        word=_ANY_WORD,
    )


def freedict_names_workload(
    language: str, path: Path, seed: int, recipe: int
) -> tuple[Path, dict[int, BenchTable]]:
    """A FreeDict dictionary from ``language`` to English (its first :data:`SEVENTH_BYTES`,
    one paragraph of an entry a line) with a table of its own capitalised words' derived
    spellings (bench.py's dense recipe)."""
    return dense_workload(
        f"freedict{language}names",
        dictd_paragraphs(path, f"dict-freedict-{language}-eng", SEVENTH_BYTES),
        seed,
        recipe=recipe,
    )


#: name -> (what the log says, its builder for a seed).
WORKLOADS: dict[str, tuple[str, Callable[[int], tuple[Path, dict[int, BenchTable]]]]] = {
    "treasury": (
        "Treasury of David with GeoNames variants",
        lambda seed: geonames_workload("treasury", TREASURY, seed),
    ),
    "web": (
        "World English Bible with its own names",
        lambda seed: dense_workload("web", bible_verses(WEB), seed),
    ),
    "mhcc": (
        "Matthew Henry's Concise Commentary with GeoNames variants",
        lambda seed: geonames_workload("mhcc", MHCC, seed, recipe=2),
    ),
    "mhcc-names": (
        "Matthew Henry's Concise Commentary with its own names",
        lambda seed: dense_workload("mhccnames", commentary_sections(MHCC), seed, recipe=2),
    ),
    "sparv": (
        "Reina-Valera 1909 with its own names",
        lambda seed: dense_workload("sparv", bible_verses(SPARV), seed, recipe=2),
    ),
    "scofield": (
        "Scofield Reference Notes with GeoNames variants",
        lambda seed: geonames_workload("scofield", SCOFIELD, seed, recipe=3),
    ),
    "naves-names": (
        "Nave's Topical Bible with its own names",
        lambda seed: dense_workload("navesnames", lexicon_lines("Nave", True), seed, recipe=3),
    ),
    "strongs": (
        "Strong's Hebrew dictionary with GeoNames variants",
        lambda seed: geonames_workload(
            "strongs", lambda: lexicon_lines("StrongsHebrew", False), seed, recipe=3
        ),
    ),
    "strongs-greek": (
        "Strong's Greek dictionary with GeoNames variants",
        lambda seed: geonames_workload(
            "strongsgreek", lambda: lexicon_lines("StrongsGreek", False), seed, recipe=4
        ),
    ),
    "fortunes-ru": (
        "Russian fortunes with GeoNames variants",
        lambda seed: geonames_workload(
            "fortunesru", lambda: fortune_lines("ru"), seed, recipe=4, word=_ANY_WORD
        ),
    ),
    "fortunes-de-crlf": (
        "German fortunes with their own capitalised words, CRLF",
        lambda seed: dense_workload(
            "fortunesdecrlf", fortune_lines("de"), seed, recipe=4, crlf=True
        ),
    ),
    "fortunes-pl": (
        "Polish fortunes with GeoNames variants",
        lambda seed: geonames_workload(
            "fortunespl", lambda: fortune_lines("pl"), seed, recipe=5, word=_ANY_WORD
        ),
    ),
    "fortunes-es-names": (
        "Spanish fortunes with their own capitalised words",
        lambda seed: dense_workload("fortuneses", fortune_lines("es"), seed, recipe=5),
    ),
    "gcide": (
        "GCIDE with GeoNames variants",
        lambda seed: geonames_workload("gcide", gcide_paragraphs, seed, recipe=5),
    ),
    "fortunes-cs-names": (
        "Czech fortunes with their own capitalised words",
        lambda seed: dense_workload("fortunescs", fortune_lines("cs"), seed, recipe=6),
    ),
    "fortunes-it": (
        "Italian fortunes with GeoNames variants",
        lambda seed: geonames_workload(
            "fortunesit", lambda: fortune_lines("it"), seed, recipe=6, word=_ANY_WORD
        ),
    ),
    "foldoc": (
        "FOLDOC with GeoNames variants",
        lambda seed: geonames_workload(
            "foldoc", lambda: dictd_paragraphs(FOLDOC, "dict-foldoc"), seed, recipe=6
        ),
    ),
    "vera": (
        "V.E.R.A. acronyms with GeoNames variants",
        lambda seed: geonames_workload(
            "vera", lambda: dictd_paragraphs(VERA, "dict-vera"), seed, recipe=7
        ),
    ),
    "freedict-hun": (
        "FreeDict Hungarian-English with GeoNames variants",
        lambda seed: freedict_workload("hun", FREEDICT_HUN, seed, recipe=7),
    ),
    "wordnet-names": (
        "WordNet with its own capitalised words",
        lambda seed: dense_workload(
            "wordnetnames", dictd_paragraphs(WORDNET, "dict-wn", SEVENTH_BYTES), seed, recipe=7
        ),
    ),
    "freedict-ara": (
        "FreeDict Arabic-English with GeoNames variants",
        lambda seed: freedict_workload("ara", FREEDICT_ARA, seed, recipe=8),
    ),
    "freedict-deu-names": (
        "FreeDict German-English with its own capitalised words",
        lambda seed: freedict_names_workload("deu", FREEDICT_DEU, seed, recipe=8),
    ),
    "fortunes-br": (
        "Brazilian fortunes with GeoNames variants",
        lambda seed: geonames_workload(
            "fortunesbr",
            lambda: fortune_lines("br", [BRASIL]),
            seed,
            recipe=8,
            word=_ANY_WORD,
        ),
    ),
    "fortunes-zh": (
        "Chinese fortunes with GeoNames variants",
        lambda seed: geonames_workload(
            "fortuneszh", lambda: fortune_lines("zh", [CHINESE]), seed, recipe=9, word=_ANY_WORD
        ),
    ),
    "freedict-jpn-names": (
        "FreeDict Japanese-English with its own capitalised words",
        lambda seed: freedict_names_workload("jpn", FREEDICT_JPN, seed, recipe=9),
    ),
    "freedict-cym": (
        "FreeDict Welsh-English with GeoNames variants",
        lambda seed: freedict_workload("cym", FREEDICT_CYM, seed, recipe=9),
    ),
}
#: The short names the summary prints.
TITLES = {
    "treasury": "Treasury",
    "web": "WEB",
    "mhcc": "MHCC",
    "mhcc-names": "MHCC names",
    "sparv": "Reina-Valera",
    "scofield": "Scofield",
    "naves-names": "Nave's names",
    "strongs": "Strong's",
    "strongs-greek": "Strong's Greek",
    "fortunes-ru": "Russian fortunes",
    "fortunes-de-crlf": "German fortunes CRLF",
    "fortunes-pl": "Polish fortunes",
    "fortunes-es-names": "Spanish fortunes names",
    "gcide": "GCIDE",
    "fortunes-cs-names": "Czech fortunes names",
    "fortunes-it": "Italian fortunes",
    "foldoc": "FOLDOC",
    "vera": "V.E.R.A.",
    "freedict-hun": "Hungarian-English",
    "wordnet-names": "WordNet names",
    "freedict-ara": "Arabic-English",
    "freedict-deu-names": "German-English names",
    "fortunes-br": "Brazilian fortunes",
    "fortunes-zh": "Chinese fortunes",
    "freedict-jpn-names": "Japanese-English names",
    "freedict-cym": "Welsh-English",
}


def summary(runs: list[Run], corpus: str) -> list[str]:
    """The issues' ratios on one workload: x flashtext and x flashtext2 (table-only with the
    log), apply / table-only, and 100,000 variants against 1,000."""
    rows = [
        f"### {corpus}",
        "",
        "| variants | table-only MB/s | x flashtext (lines) | x flashtext2 (whole) "
        "| x flashtext2 (lines) | apply / table-only |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    table_only = {}
    for size in TABLE_SIZES:
        mine = find(runs, "normalise (table only)", size, corpus)
        if mine is None:
            continue
        table_only[size] = mine.mbps
        cells = [f"{size:,}", f"{mine.mbps:.1f}"]
        for peer in (
            "flashtext (line by line)",
            "flashtext2 (whole text)",
            "flashtext2 (line by line)",
        ):
            other = find(runs, peer, size, corpus)
            cells.append(f"{mine.mbps / other.mbps:.2f}x" if other else "–")
        apply = find(runs, "normalise (phonetic apply)", size, corpus)
        cells.append(f"{mine.mbps / apply.mbps:.2f}x" if apply else "–")
        rows.append("| " + " | ".join(cells) + " |")
    low, high = min(TABLE_SIZES), max(TABLE_SIZES)
    if low in table_only and high in table_only:
        rows += [
            "",
            f"{high:,} variants against {low:,}: "
            f"{table_only[low] / table_only[high]:.2f}x the time",
        ]
    return [*rows, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workload",
        choices=(
            *WORKLOADS,
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "all",
        ),
        default="first",
        help="one workload, a session's set (first: treasury and web; second: mhcc, "
        "mhcc-names and sparv; third: scofield, naves-names and strongs; fourth: "
        "strongs-greek, fortunes-ru and fortunes-de-crlf; fifth: fortunes-pl, "
        "fortunes-es-names and gcide; sixth: fortunes-cs-names, fortunes-it and foldoc; "
        "seventh: vera, freedict-hun and wordnet-names; eighth: freedict-ara, "
        "freedict-deu-names and fortunes-br; ninth: fortunes-zh, freedict-jpn-names and "
        "freedict-cym), or all twenty-six",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--prepare", action="store_true", help="build the texts and tables, time nothing"
    )
    args = parser.parse_args(argv)
    bench.CLOCK = time.process_time
    DATA.mkdir(parents=True, exist_ok=True)
    sets = {
        "first": FIRST,
        "second": SECOND,
        "third": THIRD,
        "fourth": FOURTH,
        "fifth": FIFTH,
        "sixth": SIXTH,
        "seventh": SEVENTH,
        "eighth": EIGHTH,
        "ninth": NINTH,
        "all": (*FIRST, *SECOND, *THIRD, *FOURTH, *FIFTH, *SIXTH, *SEVENTH, *EIGHTH, *NINTH),
    }
    chosen = sets.get(args.workload, (args.workload,))
    runs: list[Run] = []
    corpora: list[str] = []
    for workload in chosen:
        title, build = WORKLOADS[workload]
        log(f"held back: {title} ...")
        path, tables = build(args.seed)
        name = f"{TITLES[workload]} {path.stat().st_size / MB:.1f} MB"
        corpora.append(name)
        if not args.prepare:
            bench_size(name, path, tables, True, runs)
    if args.prepare:
        print("prepared: " + ", ".join(corpora))
        return 0
    from normalise.core import selected

    print(f"core: {selected()}; CPU time; library best of 2 (bench.py's run_library)")
    print()
    for corpus in corpora:
        print("\n".join(summary(runs, corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
