"""The ``normalise`` command: argument parsing and streams only; every decision is in the library.

Exit statuses: 0 success, 1 ``check`` found problems, 2 usage error, unreadable file, invalid
table, refused or failed output, a log that does not fit, a dead worker process; 130
interrupted, 141 standard output closed early (as for ``cat``), 143 terminated.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, BinaryIO, NoReturn, cast

from . import __version__
from .atomic import AtomicFile, Claims, check_target, stream_identity
from .cliargs import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_TERMINATED,
    UsageError,
    _encoding,
    _normaliser,
    _Parser,
    _positive,
    _print_stats,
    _progress_options,
    _table_options,
    _warn,
)
from .core import selected
from .errors import InputError, LogError, NormaliseError, TableError
from .log import read_log_files, summary_line
from .rewrite import Explanation, Normaliser
from .stream import (
    FileStats,
    Source,
    WorkerDied,
    make_executor,
    normalise_source,
    open_source,
)
from .workers import Workers

EXAMPLES = """\
examples:
  normalise report.txt                      normalise a file to standard output
  cat *.txt | normalise --log changes.jsonl  a filter in a pipeline, with an audit log
  normalise --in-place --backup .orig a.txt  rewrite files in place, keeping a backup
  normalise --table mine.yaml --table en-US  add your own table and a bundled one
  normalise --diff report.txt               show what would change
  normalise undo --log changes.jsonl out.txt rebuild the original text
  normalise explain Taleqan Taluqan         say what would happen to words, and why
  normalise explain Kondooz --context "Kondooz and Kabul"   ... in a context
  normalise --keep "Mohamed Salah" a.txt    a form that is never rewritten
  normalise check mine.yaml                 validate a table
  normalise suggest --format yaml reports/  propose table entries from a corpus
  normalise dask corpus/ -O out/ --log l.jsonl  a corpus on a Dask cluster
  normalise review reports/ -o mine.yaml    decide on proposals in a browser
  normalise report changes.jsonl -o r.html  a static HTML report of a run's log
  normalise import geonames --countries AF   a table of Afghan places from GeoNames
  normalise export --format solr -o syn.txt  the tables as a search engine's synonym file
  normalise -- undo                         a file named like a command (or ./undo)

commands: undo, explain, check, suggest, dask, review, report, import, export, help (normalise help COMMAND)
exit status: 0 ok, 1 check found problems, 2 usage error, unreadable input, invalid table,
refused or failed output, a log that does not fit, a dead worker; 130 interrupted, 141 output
closed early, 143 terminated
"""


def filter_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="normalise",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXAMPLES,
        description="Rewrite variant spellings of names and words to one canonical form, "
        "keeping every other byte, and log each substitution.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="input files ('-' is standard input; none: standard input)",
    )
    parser.add_argument(
        "--version", "-V", action="version", version=f"normalise {__version__} ({selected()} core)"
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the text to PATH (atomically) instead of standard output",
    )
    out.add_argument(
        "--in-place",
        "-i",
        action="store_true",
        help="rewrite each FILE atomically (write beside it, then rename)",
    )
    out.add_argument(
        "--backup", metavar="SUFFIX", help="with --in-place, keep the original as FILE+SUFFIX"
    )
    out.add_argument(
        "--log",
        metavar="PATH",
        help="write the substitution log as JSON Lines to PATH ('-': standard error)",
    )
    out.add_argument("--diff", action="store_true", help="print a unified diff instead of the text")
    out.add_argument(
        "--stats",
        action="store_true",
        help="print a count of substitutions per entry to standard error",
    )
    out.add_argument(
        "--encoding",
        type=_encoding,
        default="utf-8",
        help="input encoding; the output uses the same (default utf-8)",
    )
    run = parser.add_argument_group("running")
    run.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        default=1,
        metavar="N",
        help="normalise in N processes (chunks of large inputs; at most one per processor)",
    )
    _progress_options(run)
    _table_options(parser)
    return parser


# ---------------------------------------------------------------- output sinks


class LogSink:
    """JSON Lines to a file (atomically) or to standard error."""

    def __init__(self, path: str, stack: ExitStack) -> None:
        if path == "-":
            if sys.stderr is None:
                raise InputError("closed: nowhere to write the log", file="standard error")
            self.atomic = None
            self.stream = sys.stderr.buffer
        else:
            self.atomic = _atomic(path, stack)
            self.stream = self.atomic.stream

    def write(self, lines: bytes) -> None:
        """JSON Lines, already encoded (lone surrogates as ``\\udcXX`` escapes)."""
        if self.atomic is not None:
            self.atomic.write(lines)
        else:
            self.stream.write(lines)

    def commit(self) -> None:
        if self.atomic is not None:
            self.atomic.commit()
        else:
            self.stream.flush()


def _atomic(path: str, stack: ExitStack) -> AtomicFile:
    sink = AtomicFile(path)
    stack.callback(sink.discard)
    return sink


class _Stdout:
    """Standard output for text: a write error names it (a closed pipe stays BrokenPipeError)."""

    NAME = "standard output"

    def __init__(self, hint: str = " (use -o PATH)") -> None:
        if sys.stdout is None:
            raise InputError(f"closed: nowhere to write{hint}", file=self.NAME)
        self.stream = sys.stdout.buffer

    def write(self, data: bytes) -> None:
        self._guard(self.stream.write, data)

    def flush(self) -> None:
        self._guard(self.stream.flush)

    def _guard(self, call: Callable[..., object], *args: object) -> None:
        try:
            call(*args)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise InputError(f"cannot write: {err.strerror}", file=self.NAME) from None


# ---------------------------------------------------------------- the filter


def run_filter(argv: Sequence[str]) -> int:
    args = filter_parser().parse_args(argv)
    files = args.files or ["-"]
    _check_filter_args(args, files)
    for path in files:
        _check_readable(path)
    to_stdout = not (args.in_place or args.output)
    stdout = _Stdout() if to_stdout else None
    _claim_files(args, files, stdout)
    normaliser = _frozen_normaliser(args)
    totals: dict[str, int] = {}
    with ExitStack() as stack:
        executor = make_executor(normaliser, args.jobs)
        if executor is not None:
            stack.callback(executor.shutdown, cancel_futures=True)
            executor.start()  # the workers start up while the outputs are opened
        outputs = _Outputs(
            LogSink(args.log, stack) if args.log else None,
            _atomic(args.output, stack) if args.output else None,
            stdout,
            executor,
        )
        for number, path in enumerate(files, 1):
            stats = _filter_file(path, args, normaliser, outputs, last=number == len(files))
            for entry, count in stats.counts.items():
                totals[entry] = totals.get(entry, 0) + count
        outputs.commit()
    if args.stats:
        _print_stats(totals)
    return EXIT_OK


def _frozen_normaliser(args: argparse.Namespace) -> Normaliser:
    """The run's normaliser, read or built with the collector paused, then frozen: the built
    table lives as long as the run, so the collector need not walk it (on dense text its full
    collections cost as much as the pass: issue 17). Paused until the freeze, not only while
    the cache is read: the first allocation after that read set off a full collection of the
    table's millions of objects (0.18-0.21 s of a 1.3 s start at 100,000 variants)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        normaliser = _normaliser(args)
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    return normaliser


def _check_filter_args(args: argparse.Namespace, files: Sequence[str]) -> None:
    """Refuse options that do not go together, before anything is read."""
    if args.in_place and (args.output or args.diff):
        raise UsageError("--in-place cannot be combined with --output or --diff")
    if args.in_place and "-" in files:
        raise UsageError("--in-place needs files, not standard input")
    if args.backup is not None and not args.in_place:
        raise UsageError("--backup goes with --in-place")
    if files.count("-") > 1:
        raise UsageError("standard input ('-') can be read only once")


@dataclass
class _Outputs:
    """Where the filter writes: the log, the ``--output`` file or standard output, and the
    worker processes (None: in this process)."""

    log: LogSink | None
    text: AtomicFile | None
    stdout: _Stdout | None
    executor: Workers | None

    def write_text(self, data: bytes) -> None:
        if self.text is not None:
            self.text.write(data)
        else:
            assert self.stdout is not None
            self.stdout.write(data)

    def commit(self) -> None:
        if self.text is not None:
            self.text.commit()
        if self.log is not None:
            self.log.commit()
        if self.stdout is not None:
            self.stdout.flush()


def _filter_file(
    path: str, args: argparse.Namespace, normaliser: Normaliser, outputs: _Outputs, last: bool
) -> FileStats:
    """Normalise one input to its target (the file itself with --in-place, a diff with
    --diff, else the output), its records to the log, with its summary line. With the
    ``last`` input, the workers are told that no call follows once its last chunk is handed
    out: they end while the command writes the last results and renames its outputs."""
    with ExitStack() as per_file:
        source = _open(path, per_file)
        target = None
        diff = None
        write: Callable[[bytes], object]
        if args.in_place:
            target = _atomic(path, per_file)
            write = target.write
        elif args.diff:
            from .diff import StreamDiff, diff_label  # only --diff: 1 ms of every other start

            diff = StreamDiff(per_file)
            write = diff.new.write
            source = _tee(source, diff.old)
        else:
            write = outputs.write_text
        progress = _progress(args.progress, source, per_file)
        log = outputs.log
        stats = normalise_source(
            normaliser,
            source,
            write,
            encoding=args.encoding,
            log=log.write if log else None,
            executor=outputs.executor,
            on_bytes=progress.update if progress else None,
            flush=outputs.stdout.flush if outputs.stdout else None,
            views=True,  # every target is a file's write (AtomicFile, stdout, a spool)
            on_input_end=outputs.executor.finish if last and outputs.executor else None,
        )
        if stats.invalid_at is not None:
            _warn(
                f"{path}: invalid {args.encoding} at byte {stats.invalid_at}; "
                "undecodable bytes are passed through unchanged"
            )
        if log is not None:
            log.write(
                summary_line(path, stats.records, stats.bytes_in, stats.bytes_out, stats.encoding)
            )
        if diff is not None:
            diff.write(outputs.write_text, diff_label(path), stats.encoding)
        if target is not None:
            target.commit(path + args.backup if args.backup is not None else None)
        return stats


def _claim_files(args: argparse.Namespace, files: Sequence[str], stdout: _Stdout | None) -> None:
    """Refuse, before anything is read, an output that is an input or another output, and a
    target that is not a regular file."""
    claims = Claims()
    for path in files:
        if path == "-":
            ident = stream_identity(sys.stdin)
            if ident is not None:
                claims.input(path, ident)
        else:
            if args.in_place:
                check_target(path)
            claims.input(path, unique=args.in_place)
    for path in files if args.in_place and args.backup is not None else ():
        check_target(path + args.backup)
        claims.output(path + args.backup, "--backup")
    if args.output:
        check_target(args.output)
        claims.output(args.output, "--output")
    if args.log and args.log != "-":
        check_target(args.log)
        claims.output(args.log, "--log")
    if stdout is not None:
        ident = stream_identity(sys.stdout)
        if ident is not None:
            claims.output(_Stdout.NAME, "redirected", ident)


def _check_readable(path: str) -> None:
    if path == "-":
        return
    if os.path.isdir(path):
        raise InputError("is a directory", file=path)
    if not os.path.exists(path):
        raise InputError("no such file", file=path)
    if not os.access(path, os.R_OK):
        raise InputError("permission denied", file=path)


def _open(path: str, stack: ExitStack) -> Source:
    if path == "-" and sys.stdin is None:
        raise InputError("closed: nothing to read (name a FILE)", file="standard input")
    try:
        source = open_source(path, sys.stdin.buffer)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=path) from None
    if path != "-":
        stack.callback(source.stream.close)
    stoppable = cast(BinaryIO, _Stoppable(source.stream))  # read1, read and fileno suffice
    return Source(source.name, stoppable, source.size, source.interactive)


class _Tee:
    """A read-only stream that keeps a copy of what is read (for --diff)."""

    def __init__(self, stream: BinaryIO, copy: BinaryIO) -> None:
        self.stream, self.copy = stream, copy

    def read1(self, size: int = -1) -> bytes:
        read = getattr(self.stream, "read1", None) or self.stream.read
        data = read(size)
        self.copy.write(data)
        return data

    read = read1


def _tee(source: Source, copy: BinaryIO) -> Source:
    tee = cast(BinaryIO, _Tee(source.stream, copy))  # read1 and read suffice
    return Source(source.name, tee, source.size, source.interactive)


def _progress(wanted: bool | None, source: Source, stack: ExitStack) -> Any:
    if wanted is None:
        wanted = sys.stderr.isatty() and source.size is not None
    if not wanted:
        return None
    return _bar(source.size, source.name, stack)


def _bar(total: int | None, label: str, stack: ExitStack) -> Any:
    """A progress bar in bytes on standard error, closed with ``stack``."""
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=label,
        file=sys.stderr,
        leave=False,
    )
    stack.callback(bar.close)
    return bar


# ---------------------------------------------------------------- undo


def run_undo(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="normalise undo",
        description="Rebuild the original text from a normalised text and its log.",
    )
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the normalised text ('-' or none: standard input)",
    )
    parser.add_argument("--log", required=True, metavar="LOG", help="the JSON Lines log")
    parser.add_argument(
        "--file",
        dest="select",
        metavar="NAME",
        help="use the records of input NAME (when the log covers several)",
    )
    parser.add_argument("-o", "--output", metavar="PATH", help="write to PATH atomically")
    parser.add_argument(
        "--encoding",
        type=_encoding,
        default=None,
        help="the text's encoding (default: the one the log names)",
    )
    args = parser.parse_args(argv)
    _check_readable(args.file)
    _check_readable(args.log)
    claims = Claims()
    claims.input(args.log)
    if args.file != "-":
        claims.input(args.file)
    elif (ident := stream_identity(sys.stdin)) is not None:
        claims.input("-", ident)
    stdout = None
    if args.output:
        check_target(args.output)
        claims.output(args.output, "--output")
    else:
        stdout = _Stdout()
        if (ident := stream_identity(sys.stdout)) is not None:
            claims.output(_Stdout.NAME, "redirected", ident)
    try:
        with open(args.log, encoding="utf-8", errors="surrogateescape") as stream:
            files = read_log_files(stream, args.log)
    except UnicodeDecodeError:
        raise LogError("not UTF-8", file=args.log) from None
    from .restore import undo_files  # only undo: 0.7 ms of every filter's start

    with ExitStack() as stack:
        source = _open(args.file, stack)
        data = source.stream.read()
        try:
            original = undo_files(
                data, files, args.select, None if args.file == "-" else args.file, args.encoding
            )
        except LogError as err:
            raise LogError(err.message, file=args.log, line=err.line, hint=err.hint) from None
        if args.output:
            sink = _atomic(args.output, stack)
            sink.write(original)
            sink.commit()
        else:
            assert stdout is not None  # made above when there is no --output
            stdout.write(original)
            stdout.flush()
    return EXIT_OK


# ---------------------------------------------------------------- explain


def run_explain(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="normalise explain", description="Say for each word what normalise would do, and why."
    )
    parser.add_argument("words", nargs="+", metavar="WORD")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--context",
        metavar="TEXT",
        help="explain each WORD at its first occurrence in TEXT, as the filter "
        "decides it there (default: the word standing alone)",
    )
    _table_options(parser)
    args = parser.parse_args(argv)
    normaliser = _normaliser(args)
    for word in args.words:
        try:
            info = normaliser.explain(word, args.context)
        except ValueError as err:
            raise UsageError(f"--context: {err}") from None
        if args.format == "json":
            print(json.dumps(_explanation_dict(info, normaliser), ensure_ascii=False))
            continue
        arrow = (
            f"{info.word} -> {info.result}"
            if info.result != info.word
            else f"{info.word}: unchanged"
        )
        print(f"{arrow}: {info.reason}")
        matcher = normaliser.matcher
        if info.decision is not None and matcher is not None:
            print(f"  threshold {matcher.min_score:.2f}, margin {matcher.margin:.2f}")
            for cand in info.decision.candidates:
                print(f"  {cand.score:.3f}  {cand.entry}  (via {cand.form})")
    return EXIT_OK


def _explanation_dict(info: Explanation, normaliser: Normaliser) -> dict[str, Any]:
    out: dict[str, Any] = {
        "word": info.word,
        "result": info.result,
        "reason": info.reason,
        "entry": info.entry.canonical if info.entry else None,
        "form": info.form,
        "held": info.held,
    }
    matcher = normaliser.matcher
    if info.decision is not None and matcher is not None:
        out["rule"] = "phonetic"
        out["threshold"] = matcher.min_score
        out["margin"] = matcher.margin
        out["candidates"] = [
            {"entry": c.entry, "form": c.form, "score": round(c.score, 4)}
            for c in info.decision.candidates
        ]
    elif info.entry is not None:
        out["rule"] = "table"
    return out


# ---------------------------------------------------------------- check


def run_check(argv: Sequence[str]) -> int:
    from .check import check_tables, severity

    parser = _Parser(
        prog="normalise check",
        description="Validate variant tables; report every problem with file and "
        "line. Exit 0 when clean, 1 when anything is found.",
    )
    parser.add_argument(
        "tables",
        nargs="*",
        metavar="TABLE",
        help="table files or bundled names (none: the default table)",
    )
    parser.add_argument(
        "--with-default",
        action="store_true",
        help="check the tables together with the default table, as "
        "'normalise --table' would load them",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    tables = list(args.tables) or ["default"]
    if args.with_default and "default" not in tables:
        tables.insert(0, "default")
    problems = check_tables(tables)
    for problem in problems:
        level = severity(problem)
        if args.format == "json":
            print(
                json.dumps(
                    {
                        "file": problem.file,
                        "line": problem.line,
                        "entry": problem.entry,
                        "kind": problem.kind,
                        "severity": level,
                        "message": problem.message,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            where = str(problem).removesuffix(problem.message)
            note = "note: " if level == "note" else ""
            print(f"{where}{note}{problem.message} [{problem.kind}]")
    if args.format == "text":
        label = ", ".join(tables)
        print(
            f"{label}: {len(problems)} problem{'s' * (len(problems) != 1)}"
            if problems
            else f"{label}: ok",
            file=sys.stderr,
        )
    if any(p.kind == "unreadable" for p in problems):
        return EXIT_ERROR  # a table that cannot be read is an input error, not a finding
    return EXIT_FINDINGS if problems else EXIT_OK


# ---------------------------------------------------------------- suggest


def run_suggest(argv: Sequence[str]) -> int:
    """Read the corpus, print the proposals (the library is imported only for this command)."""
    from .language import language_argument
    from .proposals import FORMATTERS
    from .suggest import (
        DEFAULT_GLOB,
        DEFAULT_LIMIT,
        DEFAULT_MIN_COUNT,
        DEFAULT_MIN_DOCS,
        VariantDiscovery,
        expand_paths,
    )

    parser = _Parser(
        prog="normalise suggest",
        description="Propose table entries from a corpus: spellings in no table that are "
        "variants of one another, and new variants of existing entries.",
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="PATH",
        help="files or directories (read recursively); '-' or none: standard input",
    )
    parser.add_argument(
        "--glob",
        default=DEFAULT_GLOB,
        metavar="PATTERN",
        help=f"file names to read in directories (default {DEFAULT_GLOB!r})",
    )
    parser.add_argument(
        "--format",
        choices=tuple(FORMATTERS),
        default="text",
        help="text report (default), yaml table or json",
    )
    parser.add_argument(
        "--min-count",
        type=_positive,
        default=DEFAULT_MIN_COUNT,
        metavar="N",
        help=f"fewest occurrences of a proposal (default {DEFAULT_MIN_COUNT})",
    )
    parser.add_argument(
        "--min-docs",
        type=_positive,
        default=DEFAULT_MIN_DOCS,
        metavar="N",
        help=f"fewest documents a proposal occurs in (default {DEFAULT_MIN_DOCS})",
    )
    parser.add_argument(
        "--limit",
        type=_positive,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"most proposals of each sort (default {DEFAULT_LIMIT})",
    )
    parser.add_argument("--encoding", type=_encoding, default="utf-8")
    parser.add_argument(
        "--language",
        type=language_argument,
        metavar="CODE",
        help="the corpus's language as a wordfreq code (de, fr, ...; default: guessed from its "
        "lower-case words): its common words are no names",
    )
    _progress_options(parser)
    _table_options(parser, phonetic=False)
    args = parser.parse_args(argv)
    inputs = list(args.inputs) or ["-"]
    if inputs.count("-") > 1:
        raise UsageError("standard input ('-') can be read only once")
    paths = expand_paths(inputs, args.glob)
    discovery = VariantDiscovery(_normaliser(args, phonetic="suggest"), language=args.language)
    with ExitStack() as stack:
        bar = _corpus_progress(args.progress, paths, stack)
        for path in paths:
            with ExitStack() as per_file:
                source = _open(path, per_file)
                discovery.add_source(source, args.encoding, bar.update if bar is not None else None)
    suggestions = discovery.result(
        min_count=args.min_count, min_docs=args.min_docs, limit=args.limit
    )
    text = FORMATTERS[args.format](suggestions)
    stdout = _Stdout(hint="")
    stdout.write(text.encode("utf-8", "backslashreplace"))
    stdout.flush()
    return EXIT_OK


def _corpus_progress(wanted: bool | None, paths: Sequence[str], stack: ExitStack) -> Any:
    """One bar for the whole corpus: by default only for files of more than 1 MiB in all."""
    sizes = [os.path.getsize(p) for p in paths if p != "-"]
    if wanted is None:
        wanted = sys.stderr.isatty() and "-" not in paths and sum(sizes) > (1 << 20)
    if not wanted:
        return None
    return _bar(sum(sizes) if "-" not in paths else None, "suggest", stack)


def run_dask(argv: Sequence[str]) -> int:
    """``normalise dask``: a corpus on a Dask cluster (:mod:`normalise.dask`)."""
    try:
        from .dask import run_dask as run
    except ImportError as err:
        raise UsageError(
            f"'normalise dask' needs the dask extra ({err.name} is missing): "
            "pip install 'normalise[dask]'"
        ) from None
    return run(argv)


def run_review(argv: Sequence[str]) -> int:
    """``normalise review``: proposals and run records decided in a browser
    (:mod:`normalise.review`)."""
    from .review import run_review as run

    return run(argv)


def run_report(argv: Sequence[str]) -> int:
    """``normalise report``: a static HTML report of a run's log (:mod:`normalise.report`)."""
    from .report import run_report as run

    return run(argv)


def run_import(argv: Sequence[str]) -> int:
    """``normalise import geonames``: a table from GeoNames data (:mod:`normalise.importers`)."""
    from .importers import run_import as run

    return run(argv)


def run_export(argv: Sequence[str]) -> int:
    """``normalise export``: tables as search-engine synonym files (:mod:`normalise.export`)."""
    from .export import run_export as run

    return run(argv)


# ---------------------------------------------------------------- help


def run_help(argv: Sequence[str]) -> int:
    """``normalise help [COMMAND]``: the help of the filter or of a command."""
    commands = {name: run for name, run in COMMANDS.items() if name != "help"}
    if len(argv) > 1 or (argv and argv[0] not in commands):
        raise UsageError(
            f"help: no such command: {' '.join(argv)} (commands: {', '.join(commands)})"
        )
    return commands[argv[0]](["--help"]) if argv else run_filter(["--help"])


#: The sub-commands, by the name that selects them; anything else is the filter's argument.
COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "undo": run_undo,
    "explain": run_explain,
    "check": run_check,
    "suggest": run_suggest,
    "dask": run_dask,
    "review": run_review,
    "report": run_report,
    "import": run_import,
    "export": run_export,
    "help": run_help,
}


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the command; returns (and, as a script, exits with) the status."""
    command = argv is None  # the command itself, not a caller in Python
    argv = list(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _terminate)
    filtering = command and not (argv and argv[0] in COMMANDS)
    try:
        status = COMMANDS[argv[0]](argv[1:]) if argv and argv[0] in COMMANDS else run_filter(argv)
    except UsageError as err:
        print(f"normalise: {err}", file=sys.stderr)
        status = EXIT_ERROR
    except (NormaliseError, TableError, InputError) as err:
        print(f"normalise: {err}", file=sys.stderr)
        if err.hint:  # what to do about it, on a line of its own (as ftfy's CLI does)
            print(f"normalise: hint: {err.hint}", file=sys.stderr)
        status = EXIT_ERROR
    except WorkerDied as err:
        print(f"normalise: {err}", file=sys.stderr)
        status = EXIT_ERROR
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    except _Terminated:
        status = EXIT_TERMINATED
    except BrokenPipeError:
        _silence_stdout()
        status = EXIT_PIPE
    except OSError as err:
        name = getattr(err, "filename", None)
        print(f"normalise: {name + ': ' if name else ''}{err.strerror or err}", file=sys.stderr)
        status = EXIT_ERROR
    if filtering:
        _exit_now(status)
    return status


def _exit_now(status: int) -> None:
    """End the filter's process with ``status`` once standard output and error are flushed,
    without the interpreter's final pass: it frees every object of the built table one by
    one, about 9 ms of each run's end (issue 17). Its files are closed and renamed by then
    and its worker processes joined; nothing else of the filter's waits for the interpreter's
    exit. A flush that fails leaves the exit to the interpreter, as before. Sub-commands
    keep the interpreter's exit (a Dask cluster, say, closes in its exit handlers)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(status)


class _Terminated(BaseException):
    pass


#: The signal (SIGINT or SIGTERM) that is ending the run, once its handler has run.
_stopping: int | None = None


def _terminate(signum: int, frame: object) -> NoReturn:
    """SIGINT and SIGTERM: raise, and remember the signal for :class:`_Stoppable`. CPython
    runs a handler wherever the main thread is, also inside a finaliser (a generator closed
    as it is collected), where the exception is reported and dropped: the run would then wait
    for input nobody sends."""
    global _stopping
    _stopping = signum
    _stop()


def _stop() -> NoReturn:
    if _stopping == signal.SIGINT:
        raise KeyboardInterrupt
    raise _Terminated()


class _Stoppable:
    """A source stream that raises, before each read, when a signal is ending the run (its
    handler's exception may have been dropped: :func:`_terminate`)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def read1(self, size: int = -1) -> bytes:
        if _stopping is not None:
            _stop()
        read = getattr(self.stream, "read1", None) or self.stream.read
        return read(size)

    def read(self, size: int = -1) -> bytes:
        if _stopping is not None:
            _stop()
        return self.stream.read(size)

    def fileno(self) -> int:
        return self.stream.fileno()


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
