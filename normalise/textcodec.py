"""Which encodings ``--encoding`` accepts, and how every input byte survives the round trip.

The identity promise (outside the substitutions, output bytes equal input bytes) holds only
for an encoding that decodes and encodes every byte sequence back to itself. Accepted:

* UTF-8 (``utf-8-sig`` is read as UTF-8: a byte order mark is kept when there is one and never
  added);
* UTF-16 and UTF-32, little- or big-endian: ``utf-16``/``utf-32`` take the byte order from the
  BOM (kept as it is), little-endian without one;
* single-byte encodings (``latin-1``, ``cp1252``, ``koi8-r``, ...), checked on all 256 bytes.

Refused: codecs that are not text encodings (``rot13``, ``base64``, ``zlib``, ...), encodings
that rewrite text (``unicode_escape``, ``idna``, ``punycode``, ``utf-7``, ``undefined``) and
multi-byte encodings of East Asian scripts, whose byte sequences need not round-trip.

Undecodable bytes are kept through :data:`ERRORS`, an error handler that, unlike
``surrogateescape``, also takes bytes below 0x80 (an odd byte at the end of UTF-16, half of an
unpaired surrogate): each becomes the lone surrogate U+DC00 + byte, and :func:`encode_text`
writes it back as that byte.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

#: The error handler for decoding and encoding that keeps every byte.
ERRORS = "normalise-bytes"

_UTF = {"utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"}
#: Encodings whose byte order comes from the BOM: (BOM, codec) pairs, then the default.
_BOM = {
    "utf-16": ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")),
    "utf-32": ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")),
}
_REWRITING = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "undefined"}


def _keep_bytes(err: UnicodeError) -> tuple[str | bytes, int]:
    if isinstance(err, UnicodeDecodeError):
        return "".join(chr(0xDC00 + b) for b in err.object[err.start : err.end]), err.end
    if isinstance(err, UnicodeEncodeError):
        out = bytearray()
        for char in err.object[err.start : err.end]:
            code = ord(char)
            if not 0xDC00 <= code <= 0xDCFF:
                raise err
            out.append(code - 0xDC00)
        return bytes(out), err.end
    raise err


codecs.register_error(ERRORS, _keep_bytes)


_ESCAPED = re.compile("[\udc00-\udcff]+")


def encode_text(text: str, codec: str) -> bytes:
    """``text`` in ``codec`` (stateless: a resolved :func:`with_byte_order` codec), each lone
    surrogate U+DC00 + byte written back as that byte.

    Why not ``text.encode(codec, ERRORS)``: the UTF-16 and UTF-32 encoders take from an error
    handler only whole code units, and an odd byte is not one."""
    if codec == "utf-8":
        return text.encode("utf-8", "surrogateescape")
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        pass
    pieces, pos = [], 0
    for run in _ESCAPED.finditer(text):
        pieces.append(text[pos : run.start()].encode(codec))
        pieces.append(bytes(ord(c) - 0xDC00 for c in run.group()))
        pos = run.end()
    pieces.append(text[pos:].encode(codec))
    return b"".join(pieces)


class EncodingError(ValueError):
    """An encoding that cannot keep the identity promise (the message says why)."""


def check_encoding(name: str) -> str:
    """The codec name to use for ``name``; raises :class:`EncodingError`."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise EncodingError(f"unknown encoding: {name}") from None
    codec = info.name
    if codec == "utf-8-sig":
        return "utf-8"
    if codec in _UTF or codec in _BOM:
        return codec
    if not getattr(info, "_is_text_encoding", True):
        raise EncodingError(f"not a text encoding: {name}")
    if codec in _REWRITING:
        raise EncodingError(f"{name} rewrites text, so output bytes could not equal input bytes")
    if not _single_byte(codec):
        raise EncodingError(
            f"{name} is not supported: only UTF-8, UTF-16, UTF-32 and "
            "single-byte encodings keep every byte (convert to UTF-8 first)"
        )
    return codec


def _single_byte(codec: str) -> bool:
    """Each of the 256 bytes decodes alone to one character and encodes back to itself."""
    every = bytes(range(256))
    try:
        text = every.decode(codec, ERRORS)
        return len(text) == 256 and text.encode(codec, ERRORS) == every
    except (UnicodeError, LookupError, TypeError, ValueError):
        return False


def with_byte_order(codec: str, head: bytes) -> str:
    """The codec for an input starting with ``head`` (at least 4 bytes, or the whole input):
    ``utf-16``/``utf-32`` become the little- or big-endian codec the BOM names, so that the
    BOM is read as a character and written back in the same order."""
    for bom, fixed in _BOM.get(codec, ()):
        if head.startswith(bom):
            return fixed
    return _BOM[codec][0][1] if codec in _BOM else codec


def needs_head(codec: str) -> bool:
    """Whether :func:`with_byte_order` must see the first bytes of the input."""
    return codec in _BOM


def read_head(read: Callable[[int], bytes], size: int = 4) -> bytes:
    """Up to ``size`` bytes from ``read`` (a pipe may give fewer at a time)."""
    head = b""
    while len(head) < size:
        block = read(size - len(head))
        if not block:
            break
        head += block
    return head
