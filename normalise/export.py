"""``normalise export``: variant tables in the formats search engines read.

* ``solr``: the synonym file of Solr's ``SynonymGraphFilterFactory`` and of the ``synonym`` /
  ``synonym_graph`` token filters of Elasticsearch and OpenSearch (their ``solr`` format, read
  by Lucene's ``SolrSynonymParser``). One line per entry, either explicit
  (``variant, variant => canonical``: every variant is replaced by the canonical form) or
  equivalence (``canonical, variant, variant``: each stands for all, or for the first when the
  filter's ``expand`` is false). Commas, backslashes, the ``=>`` arrow and a leading ``#`` inside a
  form are escaped with a backslash; a multi-word form is written with its spaces, which the
  engine's analyser turns into a multi-token synonym (use the graph filter). Flexible
  separators are written out, each spelling once.
* ``jsonl``: one JSON object per form: ``form``, ``canonical``, ``kind``, ``case_sensitive``.

Search engines lower-case text before synonyms are applied, so a case-sensitive entry
(``US`` -> ``U.S.``, never "us") cannot live in the same file: such entries go to a file of
their own (``--case-sensitive-output``), for an analyser chain without lower-casing, or are
left out and counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence

from .atomic import write_file
from .scan import match_key
from .table import Entry, load_table

FORMATS = ("solr", "jsonl")
STYLES = ("explicit", "equivalence")
#: Characters SolrSynonymParser gives a meaning: the list separator and the escape. The arrow
#: ``=>`` is escaped by its ``=``; a ``#`` only matters at the start of a line.
_SPECIAL = ",\\"


def escape(form: str) -> str:
    """A form as one item of a Solr synonym list: special characters after a backslash,
    white space of any kind as a plain space (a line break would end the rule)."""
    out = []
    for char in form:
        if char in _SPECIAL or char == "=":
            out.append("\\" + char)
        elif char.isspace():
            out.append(" ")
        else:
            out.append(char)
    text = "".join(out)
    return "\\" + text if text.startswith("#") else text


def spellings(entry: Entry) -> list[str]:
    """Every distinct spelling of an entry's forms (flexible separators written out), the
    canonical form first; spellings that differ only in what matching folds are one."""
    seen: set[str] = set()
    out = []
    for form in entry.forms:
        for spelling in (form, *entry.spellings(form)):
            key = match_key(spelling, entry.case_sensitive)
            if key not in seen:
                seen.add(key)
                out.append(spelling)
    return out


def solr_rule(entry: Entry, style: str) -> str | None:
    """One line of a Solr synonym file for the entry, or None when it has no other spelling."""
    forms = spellings(entry)
    if len(forms) < 2:
        return None
    canonical, variants = forms[0], forms[1:]
    if style == "explicit":
        return ", ".join(map(escape, variants)) + " => " + escape(canonical)
    return ", ".join(map(escape, forms))


def solr_lines(entries: Iterable[Entry], style: str, header: Sequence[str] = ()) -> Iterator[str]:
    for line in header:
        yield f"# {line}".rstrip()
    for entry in entries:
        rule = solr_rule(entry, style)
        if rule is not None:
            yield rule


def jsonl_lines(entries: Iterable[Entry]) -> Iterator[str]:
    for entry in entries:
        for form in spellings(entry):
            yield json.dumps(
                {
                    "form": form,
                    "canonical": entry.canonical,
                    "kind": entry.kind,
                    "case_sensitive": entry.case_sensitive,
                },
                ensure_ascii=False,
            )


def export(
    entries: Sequence[Entry], fmt: str, style: str = "explicit", tables: Sequence[str] = ()
) -> str:
    """The text of one export file."""
    if fmt == "jsonl":
        lines = jsonl_lines(entries)
    else:
        source = ", ".join(tables) or "tables"
        header = [
            f"Synonyms exported by normalise from {source}: {style} rules,",
            (
                "for SynonymGraphFilter (Solr) or synonym_graph (Elasticsearch, "
                "OpenSearch; format solr)."
            ),
        ]
        lines = solr_lines(entries, style, header)
    return "".join(line + "\n" for line in lines)


def _write(path: str | None, text: str) -> None:
    """To standard output, or atomically to a file (a temporary file beside it, renamed)."""
    if path is None or path == "-":
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    write_file(path, text.encode("utf-8"))


def export_parser() -> argparse.ArgumentParser:
    """The options of ``normalise export``."""
    from .cliargs import _Parser

    parser = _Parser(
        prog="normalise export",
        description="Write variant tables as a search engine's synonym file "
        "(Solr, Elasticsearch, OpenSearch) or as JSON Lines.",
    )
    parser.add_argument(
        "tables",
        nargs="*",
        metavar="TABLE",
        help="table files or bundled names (none: the default table)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="solr",
        help="solr: synonym rules, the format Solr, Elasticsearch and "
        "OpenSearch read (default); jsonl: one object per form",
    )
    parser.add_argument(
        "--style",
        choices=STYLES,
        default="explicit",
        help="solr rules as 'variant, variant => canonical' (explicit, "
        "default) or 'canonical, variant, variant' (equivalence)",
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="write here (atomically); default standard output"
    )
    parser.add_argument(
        "--case-sensitive-output",
        metavar="PATH",
        help="with --format solr, write the case-sensitive entries to this "
        "file (for an analyser that does not lower-case); without it "
        "they are left out",
    )
    return parser


def run_export(argv: Sequence[str]) -> int:
    from .cliargs import EXIT_OK

    args = export_parser().parse_args(argv)
    tables = list(args.tables) or ["default"]
    table = load_table(*tables)
    entries = list(table.entries)
    if args.format == "solr":
        plain = [e for e in entries if not e.case_sensitive]
        exact = [e for e in entries if e.case_sensitive]
        if args.case_sensitive_output is not None:
            _write(args.case_sensitive_output, export(exact, "solr", args.style, tables))
        elif exact:
            print(
                f"normalise export: {len(exact)} case-sensitive entries left out (give "
                "--case-sensitive-output PATH to write them)",
                file=sys.stderr,
            )
        entries = plain
    _write(args.output, export(entries, args.format, args.style, tables))
    return EXIT_OK
