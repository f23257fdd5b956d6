"""``normalise review``: a person goes through proposals and the records of a run in a browser,
and the decisions become a table.

:mod:`.session` holds the items, the decisions and the table file; :mod:`.server` serves them
on 127.0.0.1 with a token; ``page.html`` is the page (no build step). The command is
:func:`run_review`, registered in :mod:`normalise.cli`.
"""

from __future__ import annotations

import argparse
import os
import sys
import webbrowser
from collections.abc import Callable, Sequence

from ..errors import InputError
from .server import ReviewServer
from .session import Item, ReviewError, Session, items_from_logs, items_from_suggestions

__all__ = [
    "Item",
    "ReviewError",
    "ReviewServer",
    "Session",
    "build_session",
    "items_from_logs",
    "items_from_suggestions",
    "run_review",
]

#: Proposals of each sort a review offers by default (suggest's --limit).
REVIEW_LIMIT = 1000


def build_session(
    output: str,
    corpus: Sequence[str] = (),
    logs: Sequence[str] = (),
    *,
    tables: Sequence[str] = (),
    default_table: bool = True,
    glob: str = "*.txt",
    min_count: int = 2,
    min_docs: int = 1,
    limit: int | None = REVIEW_LIMIT,
    encoding: str = "utf-8",
    cache: bool = True,
    on_bytes: Callable[[int], None] | None = None,
    language: str | None = None,
) -> Session:
    """Read the corpus and the logs and open a review writing to ``output``. The table file,
    when it exists, is loaded too: what earlier reviews accepted is known and not proposed
    again, and what they rejected is remembered in it. ``language`` names the corpus's
    language as ``suggest --language`` does (default: guessed from the corpus)."""
    from ..rewrite import Normaliser
    from ..stream import Source
    from ..suggest import VariantDiscovery, expand_paths

    session_tables = list(tables)
    # Read the file first: an unreadable one is an error before any work is done.
    session = Session(output, (), tables=session_tables, default_table=default_table)
    known = session_tables + ([output] if _has_content(output) else [])
    build = Normaliser.cached if cache else Normaliser
    normaliser = build(known, default_table=default_table, phonetic="suggest")
    items: list[Item] = []
    if corpus:
        discovery = VariantDiscovery(normaliser, language=language)
        for path in expand_paths(corpus, glob):
            if path == "-":
                discovery.add_source(Source("-", sys.stdin.buffer), encoding, on_bytes)
                continue
            with open(path, "rb") as stream:
                discovery.add_source(Source(path, stream), encoding, on_bytes)
        items.extend(
            items_from_suggestions(
                discovery.result(min_count=min_count, min_docs=min_docs, limit=limit)
            )
        )
    if logs:
        items.extend(items_from_logs(logs, normaliser.table, encoding))
    for item in items:
        session._add(item)
    return session


def _has_content(path: str) -> bool:
    if not os.path.exists(path):
        return False
    import yaml

    try:
        with open(path, encoding="utf-8") as stream:
            data = yaml.safe_load(stream) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return True  # let the table loader name the problem
    return bool(isinstance(data, dict) and (data.get("entries") or data.get("keep")))


def review_parser() -> argparse.ArgumentParser:
    """The arguments of ``normalise review``."""
    from .. import cliargs as cli
    from ..language import language_argument

    parser = cli._Parser(
        prog="normalise review",
        description="Review suggest proposals for a corpus and the records of runs in a "
        "browser (127.0.0.1 only, with a random token); every decision is "
        "written at once to the table file named by --output.",
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="PATH",
        help="a corpus: files or directories (read recursively) to propose entries from",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="TABLE",
        help="the table file decisions are written to (created, or updated: "
        "a second review shows only what is new)",
    )
    parser.add_argument(
        "--log",
        action="append",
        default=[],
        metavar="LOG",
        help="a substitution log of a run (normalise --log) to review; repeatable",
    )
    parser.add_argument(
        "--port", type=int, default=0, metavar="N", help="port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument(
        "--glob",
        default="*.txt",
        metavar="PATTERN",
        help="file names to read in directories (default '*.txt')",
    )
    parser.add_argument(
        "--min-count",
        type=cli._positive,
        default=2,
        metavar="N",
        help="fewest occurrences of a proposal (default 2)",
    )
    parser.add_argument(
        "--min-docs",
        type=cli._positive,
        default=1,
        metavar="N",
        help="fewest documents a proposal occurs in (default 1)",
    )
    parser.add_argument(
        "--limit",
        type=cli._positive,
        default=REVIEW_LIMIT,
        metavar="N",
        help=f"most proposals of each sort (default {REVIEW_LIMIT})",
    )
    parser.add_argument("--encoding", type=cli._encoding, default="utf-8")
    parser.add_argument(
        "--language",
        type=language_argument,
        metavar="CODE",
        help="the corpus's language as a wordfreq code, as for suggest (default: guessed)",
    )
    cli._table_options(parser, phonetic=False)
    return parser


def run_review(argv: Sequence[str]) -> int:
    """The ``normalise review`` command."""
    from .. import cliargs as cli

    args = review_parser().parse_args(argv)
    if not args.inputs and not args.log:
        raise cli.UsageError("give a corpus (PATH ...) or a log (--log LOG), or both")
    if not 0 <= args.port <= 65535:
        raise cli.UsageError("--port must be 0 to 65535")
    for log in args.log:
        if not os.path.isfile(log):
            raise InputError("no such file", file=log)
    session = build_session(
        args.output,
        args.inputs,
        args.log,
        tables=args.table,
        default_table=not args.no_default_table,
        glob=args.glob,
        min_count=args.min_count,
        min_docs=args.min_docs,
        limit=args.limit,
        encoding=args.encoding,
        cache=not args.no_cache,
        language=args.language,
    )
    try:
        server = ReviewServer(session, args.port)
    except OSError as err:
        raise cli.UsageError(f"--port {args.port}: {err.strerror or err}") from None
    pending = sum(1 for i in session.items if i.id not in session.decisions)
    items = len(session.items)
    print(
        f"normalise review: {items} item{'' if items == 1 else 's'}, {pending} to decide; "
        f"decisions go to {args.output}",
        file=sys.stderr,
    )
    print(server.url, flush=True)
    print("Press Ctrl-C to stop.", file=sys.stderr)
    if args.open:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return cli.EXIT_OK
