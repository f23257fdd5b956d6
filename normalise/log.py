"""The substitution record, its JSON Lines form, and undo.

A record says what was replaced (``original`` at ``start:end`` of the input), with what
(``replacement`` at ``out_start:out_end`` of the output), by which ``rule``, for which ``entry``,
and how sure (``score``). Records whose rule is not *applied* (``phonetic-suggest``,
``phonetic-ambiguous``, ``table-suggest``) note a candidate and leave the text unchanged; their out span is where
the original stands in the output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from typing import IO, Any, NamedTuple

from .errors import LogError
from .events import APPLIED_RULES, RULES, Substitution

__all__ = ["APPLIED_RULES", "RULES", "Substitution", "apply", "dumps", "undo"]


def dumps(record: dict[str, Any]) -> str:
    """One JSON line, without the newline. Non-ASCII stays readable; write it with
    ``errors="backslashreplace"`` so that lone surrogates (undecodable input bytes) become
    JSON escapes."""
    return json.dumps(record, ensure_ascii=False)


#: The integer fields a log template leaves open, in the order its values are given.
TEMPLATE_FIELDS = ("line", "column", "start", "end", "out_start", "out_end")


def log_template(file: str, subs: Iterable[Substitution]) -> bytes:
    """JSON Lines for ``subs`` with their :data:`TEMPLATE_FIELDS` left as ``%d``, encoded as
    :func:`dumps` lines are written (UTF-8, lone surrogates as ``\\udcXX`` escapes).

    Why: a worker process can serialise the records of a chunk before it knows where the chunk
    stands in its file; ``template % values`` then costs the parent one C-level format, with
    no dict and no JSON encoding per record."""
    if _TEMPLATES.get(None) != file or len(_TEMPLATES) > 1 << 16:
        _TEMPLATES.clear()
        _TEMPLATES[None] = file
    get = _TEMPLATES.get
    lines = []
    for sub in subs:
        # records repeat: far fewer distinct ones than records. A score is keyed with its
        # type, and a zero by how it is written: 1 == 1.0 and 0.0 == -0.0, but JSON writes
        # each its own way
        score = sub.score
        key = (
            sub.original,
            sub.replacement,
            sub.rule,
            sub.entry,
            score if score else repr(score),
            type(score),
            sub.note,
            sub.held,
        )
        line = get(key)
        if line is None:
            line = _TEMPLATES[key] = _record_template(
                file, sub.original, sub.replacement, sub.rule, sub.entry, score, sub.note, sub.held
            )
        lines.append(line)
    return "".join(lines).encode("utf-8", "backslashreplace")


def file_json(file: str) -> bytes:
    """A file's name as the log lines write it (a JSON string, encoded as :func:`dumps`
    lines are written): what the compiled core's log lines put in their ``file`` field."""
    return encode_basestring(file).encode("utf-8", "backslashreplace")


#: Record templates of one file by (original, replacement, rule, entry, score, type of score,
#: note, held); the key None holds the file's name.
_TEMPLATES: dict[Any, str] = {}


def _record_template(
    file: str,
    original: str,
    replacement: str,
    rule: str,
    entry: str,
    score: float,
    note: str | None,
    held: str | None = None,
) -> str:
    def quote(value: object) -> str:
        return (encode_basestring(value) if isinstance(value, str) else json.dumps(value)).replace(
            "%", "%%"
        )

    return (
        f'{{"file": {quote(file)}, "line": %d, "column": %d, "original": {quote(original)}, '
        f'"replacement": {quote(replacement)}, "start": %d, "end": %d, "out_start": %d, '
        f'"out_end": %d, "rule": {quote(rule)}, "entry": {quote(entry)}, '
        f'"score": {quote(score)}'
        + ("" if note is None else f', "note": {quote(note)}')
        + ("" if held is None else f', "held": {quote(held)}')
        + "}\n"
    )


#: The key of the last line a command writes for each input: ``{"summary": {"file": ...,
#: "records": N, "bytes": B, "out_bytes": M, "encoding": E}}``, so that undo can tell a log cut
#: short from a whole one and find each file's text in concatenated output.
SUMMARY = "summary"
_SUMMARY_FIELDS = {"file": str, "records": int, "bytes": int, "out_bytes": int, "encoding": str}


def summary_line(file: str, records: int, bytes_in: int, bytes_out: int, encoding: str) -> bytes:
    """The summary line of one input (see :data:`SUMMARY`), encoded as records are."""
    record = {
        SUMMARY: {
            "file": file,
            "records": records,
            "bytes": bytes_in,
            "out_bytes": bytes_out,
            "encoding": encoding,
        }
    }
    return (dumps(record) + "\n").encode("utf-8", "backslashreplace")


class LogFile(NamedTuple):
    """The records of one input in a log, and the summary line that closes them (None when
    the log stops before it)."""

    name: str | None
    records: list[dict[str, Any]]
    summary: dict[str, Any] | None


def read_log(stream: IO[str], name: str = "<log>") -> Iterator[dict[str, Any]]:
    """Parse a JSON Lines log, naming the line of any bad record; summary lines are checked
    and skipped (see :func:`read_log_files`)."""
    for record in _records(stream, name):
        if SUMMARY not in record:
            yield record


def read_log_files(stream: IO[str], name: str = "<log>") -> list[LogFile]:
    """A log as the inputs it covers, in order: each one's records and its summary."""
    files: list[LogFile] = []
    current: list[dict[str, Any]] = []
    for record in _records(stream, name):
        if SUMMARY in record:
            summary = record[SUMMARY]
            names = {r.get("file") for r in current}
            if names - {summary["file"]}:
                raise LogError(
                    f"the summary of {summary['file']!r} follows records of another file",
                    file=name,
                    line=record["_line"],
                )
            files.append(LogFile(summary["file"], current, summary))
            current = []
        else:
            if current and record.get("file") != current[-1].get("file"):
                files.append(LogFile(current[-1].get("file"), current, None))
                current = []
            current.append(record)
    if current:
        files.append(LogFile(current[-1].get("file"), current, None))
    return files


def _records(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise LogError(f"not JSON: {err.msg}", file=name, line=number) from None
        except (ValueError, RecursionError) as err:  # 5,000 digits; [[[[... 100,000 deep
            reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)
            raise LogError(f"not a log record: {reason}", file=name, line=number) from None
        if not isinstance(record, dict):
            raise LogError("a record must be a JSON object", file=name, line=number)
        try:
            if SUMMARY in record:
                _check_summary(record)
            else:
                Substitution.from_dict(record)
                _check_place(record)
        except LogError as err:
            raise LogError(err.message, file=name, line=number) from None
        record.setdefault("_line", number)
        yield record


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_summary(record: dict[str, Any]) -> None:
    summary = record[SUMMARY]
    if len(record) != 1 or not isinstance(summary, dict):
        raise LogError('a summary line must be {"summary": {...}} alone')
    for key, kind in _SUMMARY_FIELDS.items():
        value = summary.get(key)
        if not (_is_int(value) if kind is int else isinstance(value, kind)):
            raise LogError(
                f"summary field '{key}' must be "
                + ("a non-negative integer" if kind is int else "a string")
            )


def _check_place(record: dict[str, Any]) -> None:
    """The fields a command adds: ``file`` a string, ``line`` and ``column`` integers."""
    if "file" in record and not isinstance(record["file"], str):
        raise LogError("field 'file' must be a string")
    for key in ("line", "column"):
        if key in record and not _is_int(record[key]):
            raise LogError(f"field '{key}' must be a non-negative integer")


def undo(text: str, substitutions: Iterable[Substitution]) -> str:
    """Rebuild the input from a normalised text and its substitutions.

    Raises :class:`LogError` when a record does not fit the text (its replacement is not
    where it says, or records overlap).
    """
    pieces: list[str] = []
    pos = 0
    for sub in sorted((s for s in substitutions if s.applied), key=lambda s: s.out_start):
        if sub.out_start < pos:
            raise LogError(f"records overlap at output offset {sub.out_start}")
        if text[sub.out_start : sub.out_end] != sub.replacement:
            raise LogError(
                f"the text at {sub.out_start}:{sub.out_end} is not "
                f"{sub.replacement!r}: the log does not belong to this text"
            )
        pieces.append(text[pos : sub.out_start])
        pieces.append(sub.original)
        pos = sub.out_end
    pieces.append(text[pos:])
    return "".join(pieces)


def apply(text: str, substitutions: Sequence[Substitution]) -> str:
    """Replay applied substitutions on the input: the inverse of :func:`undo`."""
    pieces: list[str] = []
    pos = 0
    for sub in sorted((s for s in substitutions if s.applied), key=lambda s: s.start):
        if text[sub.start : sub.end] != sub.original:
            raise LogError(f"the text at {sub.start}:{sub.end} is not {sub.original!r}")
        pieces.append(text[pos : sub.start])
        pieces.append(sub.replacement)
        pos = sub.end
    pieces.append(text[pos:])
    return "".join(pieces)
