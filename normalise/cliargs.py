"""What every sub-command of ``normalise`` shares: exit statuses, the usage error and the
parser that raises it, the option groups (tables and matching, progress), argument types, and
the normaliser a command's options build.

Why a module of its own: the sub-commands live in their own modules (dask, review, report,
import, export) and need these; importing them from :mod:`normalise.cli`, which dispatches to
those modules, would make an import cycle.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from .options import DEFAULT_MARGIN, DEFAULT_MIN_SCORE
from .rewrite import PHONETIC_MODES, Normaliser
from .textcodec import EncodingError, check_encoding

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_PIPE, EXIT_TERMINATED = (
    0,
    1,
    2,
    130,
    141,
    143,
)


class UsageError(Exception):
    """Bad arguments: exit 2 with a one-line message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, through main's handler
        raise UsageError(message)


def _table_options(parser: argparse.ArgumentParser, phonetic: bool = True) -> None:
    group = parser.add_argument_group("tables and matching")
    group.add_argument(
        "--table",
        "-t",
        action="append",
        default=[],
        metavar="PATH",
        help="add a variant table: a YAML file or a bundled name (en-US, en-GB); "
        "repeatable, later tables may override earlier entries",
    )
    group.add_argument(
        "--no-default-table", action="store_true", help="do not load the bundled default table"
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        help="build the tables afresh, without reading or writing the cache of "
        "built tables ($NORMALISE_CACHE_DIR, default ~/.cache/normalise)",
    )
    if phonetic:
        group.add_argument(
            "--phonetic",
            choices=PHONETIC_MODES,
            default="apply",
            help="phonetic matcher for spellings no table lists: off, suggest "
            "(log candidates, change nothing) or apply (default)",
        )
        group.add_argument(
            "--min-score",
            type=_score,
            default=None,
            metavar="X",
            help="lowest phonetic score (0-1) that may rewrite a word "
            f"(default {DEFAULT_MIN_SCORE})",
        )
        group.add_argument(
            "--margin",
            type=_score,
            default=None,
            metavar="X",
            help="how far (0-1) the best entry must beat the next one "
            f"(default {DEFAULT_MARGIN}; less when every other entry is "
            "far off)",
        )
        group.add_argument(
            "--keep",
            action="append",
            default=[],
            metavar="WORD",
            help="a form never rewritten (by a table or the phonetic matcher); repeatable",
        )
        group.add_argument(
            "--given-names",
            choices=("alone", "always"),
            default="alone",
            help="given names (kind given-name): rewritten only standing alone, "
            "not inside a full name (alone, default), or everywhere "
            "(always, for search-style folding)",
        )
        group.add_argument(
            "--keep-file",
            action="append",
            default=[],
            metavar="PATH",
            help="a file of forms never rewritten, one per line ('#' starts a "
            "comment line); repeatable",
        )


def _progress_options(group: argparse._ActionsContainer) -> None:
    progress = group.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar on standard error",
    )
    progress.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="never show a progress bar (default: shown when standard "
        "error is a terminal and the input a file)",
    )


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text}")
    return value


def _encoding(text: str) -> str:
    try:
        return check_encoding(text)
    except EncodingError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _normaliser(args: argparse.Namespace, phonetic: str | None = None) -> Normaliser:
    from .keep import keep_sources

    build = Normaliser if args.no_cache else Normaliser.cached
    keep = keep_sources(getattr(args, "keep", []), getattr(args, "keep_file", []))
    mode: str = phonetic if phonetic else getattr(args, "phonetic", "off")
    try:
        return build(
            args.table,
            default_table=not args.no_default_table,
            phonetic=mode,
            min_score=getattr(args, "min_score", None),
            margin=getattr(args, "margin", None),
            keep=keep,
            given_names=getattr(args, "given_names", "alone"),
        )
    except ValueError as err:  # a --keep word with no letter
        raise UsageError(f"--keep: {err}") from None


def _print_stats(totals: dict[str, int]) -> None:
    if not totals:
        print("normalise: no substitutions", file=sys.stderr)
        return
    width = max(len(e) for e in totals)
    for entry, count in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{entry:<{width}}  {count:>8}", file=sys.stderr)
    print(f"{'total':<{width}}  {sum(totals.values()):>8}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"normalise: warning: {message}", file=sys.stderr)
