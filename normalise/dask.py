"""Dask integration: a corpus on a cluster, and bags or DataFrame columns of texts.

:func:`run_corpus` (the ``normalise dask`` command) normalises files on a Dask cluster, a
``LocalCluster`` by default or the scheduler at an address. Each task normalises whole files
with the command's own streaming engine (:func:`normalise.stream.normalise_source`) and writes
each output atomically, so every output file has the bytes ``normalise FILE`` writes and the
log has the bytes ``normalise FILE ... --log LOG`` writes, records in the order of the files.
Workers read the inputs and write the outputs themselves: on a cluster of several machines
both must be on a file system every worker sees. A file is never split between workers, so a
corpus of one huge file runs on one worker (``normalise --jobs`` splits it instead).

:func:`normalise_bag` and :func:`normalise_column` map texts of a Dask bag or DataFrame column
to normalised texts (or records), partition by partition.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dask.base import normalize_token

from .atomic import AtomicFile
from .errors import InputError
from .log import summary_line
from .rewrite import Normaliser
from .state import dumps
from .stream import FileStats, open_source
from .stream import normalise_source as _normalise_source

if TYPE_CHECKING:  # pandas and dask.dataframe take seconds to import: only where used
    import dask.bag
    import dask.dataframe
    import pandas as pd
    from distributed import Client

#: Inputs grouped into tasks of about this many bytes (a file is never split): big enough
#: that a task's overhead (milliseconds) is lost in its work, small enough to balance.
TASK_BYTES = 8 << 20
#: Tasks per worker at least, where the corpus allows, so that workers finish together.
TASKS_PER_WORKER = 6


def _token(normaliser: Normaliser) -> str:
    """Dask names a graph's tasks by their arguments: the normaliser by its canonical bytes,
    so equal normalisers give equal keys in any process (no pickling of a random token)."""
    return hashlib.sha256(dumps(normaliser.__getstate__())).hexdigest()


normalize_token.register(Normaliser)(_token)


# ---------------------------------------------------------------- files


@dataclass(frozen=True)
class Job:
    """One input file and where its output goes."""

    source: str  # the path as given, as the log names it (as the command would)
    target: str  # the output file, as given
    size: int
    path: str  # absolute paths, for workers (whose working directory is their own)
    target_path: str


def expand(inputs: Sequence[str], out_dir: str, pattern: str = "*.txt") -> list[Job]:
    """The files of ``inputs`` in order: a directory gives the files under it whose names
    match ``pattern``, sorted, written under ``out_dir`` at the same relative path; a glob
    pattern gives its matches, sorted, and a file itself, each written as ``out_dir``/its
    name. Raises InputError for a missing input or two inputs with one output."""
    jobs: list[Job] = []
    seen: dict[str, str] = {}
    for item in inputs:
        if os.path.isdir(item):
            found = sorted(
                p
                for p in glob.glob(os.path.join(item, "**", pattern), recursive=True)
                if os.path.isfile(p)
            )
            pairs = [(p, os.path.relpath(p, item)) for p in found]
        elif os.path.isfile(item):
            pairs = [(item, os.path.basename(item))]
        elif glob.has_magic(item):
            found = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not found:
                raise InputError("no file matches", file=item)
            pairs = [(p, os.path.basename(p)) for p in found]
        else:
            raise InputError("no such file", file=item)
        for path, relative in pairs:
            target = os.path.join(out_dir, relative)
            key = os.path.abspath(target)
            if key in seen:
                raise InputError(f"would be written to {target}, as {seen[key]} is", file=path)
            if os.path.samefile(path, key) if os.path.exists(key) else False:
                raise InputError(
                    "the output would overwrite the input",
                    file=path,
                    hint="choose another --out-dir",
                )
            seen[key] = path
            jobs.append(Job(path, target, os.path.getsize(path), os.path.abspath(path), key))
    return jobs


def tasks(jobs: Sequence[Job], workers: int) -> list[list[Job]]:
    """Consecutive jobs grouped into tasks of about :data:`TASK_BYTES` (less, when that
    leaves fewer than :data:`TASKS_PER_WORKER` tasks per worker)."""
    total = sum(job.size for job in jobs)
    limit = max(1, min(TASK_BYTES, total // max(1, workers * TASKS_PER_WORKER)))
    groups: list[list[Job]] = []
    size = 0
    for job in jobs:
        if not groups or size >= limit:
            groups.append([])
            size = 0
        groups[-1].append(job)
        size += job.size
    return groups


def normalise_file(
    normaliser: Normaliser, job: Job, encoding: str = "utf-8", log: bool = True
) -> tuple[bytes, dict[str, int], int | None]:
    """Normalise one file to its target (written beside it by the filter's own atomic writer,
    then renamed into place, with the mode a new file gets under the umask): the log lines
    (bytes), substitutions per entry, and the byte offset of the first undecodable byte (None
    when there is none)."""
    try:
        os.makedirs(os.path.dirname(job.target_path), exist_ok=True)
        sink = AtomicFile(job.target_path)
    except OSError as err:
        raise InputError(f"cannot write: {err.strerror}", file=job.target) from None
    except InputError as err:  # named as the user gave it, not as the worker reached it
        raise InputError(err.message, file=job.target) from None
    lines: list[bytes] = []
    try:
        try:
            source = open_source(job.path, sys.stdin.buffer)  # a path: stdin is not read
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}", file=job.source) from None
        source.name = job.source
        with source.stream:
            stats: FileStats = _normalise_source(
                normaliser, source, sink.write, encoding=encoding, log=lines.append if log else None
            )
        if log:  # the summary line that closes each input's records, as the filter writes it
            lines.append(
                summary_line(
                    job.source, stats.records, stats.bytes_in, stats.bytes_out, stats.encoding
                )
            )
        sink.commit()
    except BaseException:
        sink.discard()
        raise
    return b"".join(lines), dict(stats.counts), stats.invalid_at


def _normalise_files(
    normaliser: Normaliser, jobs: list[Job], encoding: str, log: bool
) -> list[tuple[bytes, dict[str, int], int | None]]:
    return [normalise_file(normaliser, job, encoding, log) for job in jobs]


@dataclass
class CorpusResult:
    """What :func:`run_corpus` did: the log (JSON Lines bytes, in file order), substitutions
    per entry over the corpus, and the first undecodable byte of each file that has one."""

    jobs: list[Job]
    log: bytes
    counts: dict[str, int]
    invalid: dict[str, int]


def run_corpus(
    inputs: Sequence[str],
    out_dir: str,
    normaliser: Normaliser,
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    pattern: str = "*.txt",
    encoding: str = "utf-8",
    log: bool = True,
    progress: bool = False,
) -> CorpusResult:
    """Normalise the files of ``inputs`` (see :func:`expand`) into ``out_dir`` on a Dask
    cluster: ``client`` if given, else the scheduler at ``scheduler``, else a LocalCluster
    of ``workers`` processes (one thread each) started for the run."""
    from distributed import Client, LocalCluster

    jobs = expand(inputs, out_dir, pattern)
    with contextlib.ExitStack() as stack:
        if client is None:
            if scheduler is not None:
                client = stack.enter_context(Client(scheduler))
            else:
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.CRITICAL,
                    )
                )
                client = stack.enter_context(Client(cluster))
        count = max(1, len(client.nthreads()))
        shared = client.scatter(normaliser, broadcast=True)
        futures = [
            client.submit(_normalise_files, shared, group, encoding, log, pure=False)
            for group in tasks(jobs, count)
        ]
        try:
            if progress:
                from distributed import progress as dask_progress

                with contextlib.redirect_stdout(sys.stderr):  # the text is not on stdout
                    dask_progress(futures, notebook=False, multi=False)
            done = [r for group in client.gather(futures) for r in group]
        except BaseException:
            client.cancel(futures)
            raise
    counts: dict[str, int] = {}
    invalid: dict[str, int] = {}
    for job, (_, file_counts, invalid_at) in zip(jobs, done, strict=False):
        for entry, n in file_counts.items():
            counts[entry] = counts.get(entry, 0) + n
        if invalid_at is not None:
            invalid[job.source] = invalid_at
    return CorpusResult(jobs, b"".join(r[0] for r in done), counts, invalid)


# ---------------------------------------------------------------- bags and DataFrames


def _texts(
    texts: Iterable[str], normaliser: Normaliser, records: bool
) -> list[str] | list[dict[str, Any]]:
    results = (normaliser.normalise(text) for text in texts)
    if records:
        return [r.to_dict() for r in results]
    return [r.text for r in results]


def normalise_bag(
    bag: dask.bag.Bag, normaliser: Normaliser, *, records: bool = False
) -> dask.bag.Bag:
    """A bag of normalised texts, in the same order; with ``records=True`` a bag of
    :meth:`~normalise.Result.to_dict` dicts (``text`` and ``substitutions``)."""
    mapped: dask.bag.Bag = bag.map_partitions(_texts, normaliser, records)
    return mapped


def _column_texts(series: pd.Series[Any], normaliser: Normaliser) -> pd.Series[Any]:
    from . import pandas as npd

    return npd.normalise(series, normaliser)


def _column_records(series: pd.Series[Any], normaliser: Normaliser) -> pd.DataFrame:
    from . import pandas as npd

    return npd.normalise(series, normaliser, records=True)[1]


def normalise_column(
    frame: dask.dataframe.DataFrame, column: str, normaliser: Normaliser, *, records: bool = False
) -> dask.dataframe.Series | dask.dataframe.DataFrame:
    """The column's normalised texts as a Dask Series (same index and partitions; missing
    values kept); with ``records=True`` a Dask DataFrame of substitution records whose first
    column holds the row's index label (see :mod:`normalise.pandas`)."""
    from . import pandas as npd

    series = frame[column]
    mapped: dask.dataframe.Series | dask.dataframe.DataFrame
    if not records:
        mapped = series.map_partitions(_column_texts, normaliser, meta=series._meta)
        return mapped
    label = series._meta.index.name or "row"
    meta = npd.records_frame([], label)
    meta[label] = meta[label].astype(series._meta.index.dtype)
    mapped = series.map_partitions(_column_records, normaliser, meta=meta)
    return mapped


# ---------------------------------------------------------------- the command


def parser() -> argparse.ArgumentParser:
    from .cliargs import _encoding, _Parser, _positive, _progress_options, _table_options

    parser = _Parser(
        prog="normalise dask",
        description="Normalise a corpus of files on a Dask cluster (a LocalCluster unless "
        "--scheduler is given); each output and the log are byte for byte what "
        "the filter writes.",
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="PATH",
        help="files, directories (read recursively) or glob patterns",
    )
    parser.add_argument(
        "--out-dir",
        "-O",
        required=True,
        metavar="DIR",
        help="where the normalised files go (same relative paths)",
    )
    parser.add_argument(
        "--log",
        metavar="PATH",
        help="write the substitution log of every file, in order, as JSON "
        "Lines to PATH (atomically)",
    )
    parser.add_argument(
        "--glob",
        default="*.txt",
        metavar="PATTERN",
        help="file names read inside directories (default *.txt)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler to use (tcp://host:8786); default: a "
        "LocalCluster started for the run",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes of the LocalCluster (default: every core)",
    )
    parser.add_argument(
        "--encoding",
        type=_encoding,
        default="utf-8",
        help="input encoding; the output uses the same (default utf-8)",
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="print a count of substitutions per entry to standard error",
    )
    _progress_options(parser)
    _table_options(parser)
    return parser


def run_dask(argv: Sequence[str]) -> int:
    """``normalise dask``: see :func:`parser`."""
    from .cliargs import _normaliser, _print_stats, _warn

    args = parser().parse_args(argv)
    jobs = expand(args.inputs, args.out_dir, args.glob)  # input errors before a cluster starts
    if not jobs:
        raise InputError(f"no file matches {args.glob}", file=args.inputs[0])
    normaliser = _normaliser(args)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    sink = AtomicFile(args.log) if args.log else None  # errors name the log
    try:
        result = run_corpus(
            args.inputs,
            args.out_dir,
            normaliser,
            scheduler=args.scheduler,
            workers=args.workers,
            pattern=args.glob,
            encoding=args.encoding,
            log=sink is not None,
            progress=progress,
        )
        if sink is not None:
            sink.write(result.log)
            sink.commit()
            sink = None
    finally:
        if sink is not None:
            sink.discard()
    for name, offset in result.invalid.items():
        _warn(
            f"{name}: invalid {args.encoding} at byte {offset}; "
            "undecodable bytes are passed through unchanged"
        )
    if args.stats:
        _print_stats(result.counts)
    return 0
