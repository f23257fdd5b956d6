"""``normalise undo``: rebuild the input bytes from the output bytes and the whole log.

Why more than :func:`normalise.log.undo`: a log can be cut short (``head -3 log``), belong to
another text, or cover several inputs whose outputs were concatenated. Each input's records
end with a summary line (record count, input and output bytes, encoding); undo refuses a log
whose summaries are missing or do not add up, splits concatenated output at each input's
output size, and checks that every restored input has its recorded size and, normalised
again by the log, gives back the text exactly.
"""

from __future__ import annotations

from typing import Any

from .errors import LogError
from .log import LogFile, Substitution, apply, undo
from .textcodec import ERRORS, encode_text, with_byte_order


def undo_files(
    data: bytes,
    files: list[LogFile],
    select: str | None = None,
    text_name: str | None = None,
    encoding: str | None = None,
) -> bytes:
    """The original bytes of ``data`` (one input's output, or the concatenated outputs of
    every input in the log); ``select`` names the input to restore. Raises LogError."""
    if not files:
        files = [LogFile(None, [], None)]
    for part in files:
        _check_whole(part)
    total = sum(_summary(p)["out_bytes"] for p in files)
    if select is not None:
        chosen = [i for i, p in enumerate(files) if p.name == select]
        if not chosen:
            raise LogError(
                f"no records of {select!r} (it covers {', '.join(map(repr, _names(files)))})"
            )
        if len(chosen) > 1:
            raise LogError(f"covers {select!r} {len(chosen)} times: cannot choose")
        index = chosen[0]
        size = _summary(files[index])["out_bytes"]
        if len(data) == size:
            return _restore(data, files[index], encoding)
        if len(data) == total:
            start = sum(_summary(p)["out_bytes"] for p in files[:index])
            return _restore(data[start : start + size], files[index], encoding)
        raise LogError(
            f"the text has {len(data)} bytes; the output of {select!r} had {size} "
            f"and the whole output {total}: the log does not belong to this text"
        )
    if len(data) == total:
        pieces, start = [], 0
        for part in files:
            size = _summary(part)["out_bytes"]
            pieces.append(_restore(data[start : start + size], part, encoding))
            start += size
        return b"".join(pieces)
    if text_name is not None:
        same = [p for p in files if p.name == text_name]
        if len(same) == 1 and len(data) == _summary(same[0])["out_bytes"]:
            return _restore(data, same[0], encoding)
    raise LogError(
        f"the text has {len(data)} bytes but the log describes {total}: it does "
        "not belong to this text",
        hint="choose one input with --file NAME" if len(files) > 1 else None,
    )


def _names(files: list[LogFile]) -> list[str]:
    return list(dict.fromkeys(str(p.name) for p in files))


def _summary(part: LogFile) -> dict[str, Any]:
    """The summary line of an input :func:`_check_whole` has passed."""
    if part.summary is None:
        raise LogError(f"the records of {part.name!r} end without their summary line")
    return part.summary


def _check_whole(part: LogFile) -> None:
    if part.summary is None:
        line = part.records[-1]["_line"] if part.records else None
        name = part.name if part.name is not None else "the text"
        raise LogError(
            f"the records of {name!r} end without their summary line: the log was "
            "cut short or was not written by the normalise command",
            line=line,
            hint="give the whole log that normalise --log wrote",
        )
    if _summary(part)["records"] != len(part.records):
        raise LogError(
            f"{len(part.records)} records of {part.name!r} but its summary says "
            f"{_summary(part)['records']}: the log is incomplete"
        )


def _restore(data: bytes, part: LogFile, encoding: str | None) -> bytes:
    """One input's bytes from its output bytes and its records."""
    summary = _summary(part)
    codec = encoding or summary["encoding"]
    codec = with_byte_order(codec, data[:4])
    text = data.decode(codec, ERRORS)
    subs = [Substitution.from_dict(r) for r in part.records]
    original = undo(text, subs)
    try:
        again = apply(original, subs)
    except LogError as err:
        raise LogError(f"{part.name!r}: {err.message}: the log does not fit the text") from None
    restored = encode_text(original, codec)
    if again != text or len(restored) != summary["bytes"]:
        raise LogError(
            f"{part.name!r}: the restored text has {len(restored)} bytes, the input "
            f"had {summary['bytes']}: the log does not fit the text"
        )
    return restored
