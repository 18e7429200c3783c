"""Extract the plain text from an iMessage ``attributedBody`` blob (a ``streamtyped`` archive).

Since macOS 11 / iOS 14, Messages often leaves ``message.text`` NULL and keeps the text only in
``attributedBody``: an ``NSAttributedString`` (or ``NSMutableAttributedString``) archived with
NeXTSTEP's *typedstream* format. We do not implement typedstream; we read only what is needed:

1. the blob starts with ``0x04 0x0B "streamtyped"`` (version 4, 11-byte signature);
2. the first ``NSString`` class name is found (within the first :data:`MAX_SCAN` bytes);
3. after it, the string object's type marker ``0x84 0x01 '+'`` follows within a short window;
4. then the UTF-8 byte count: one byte when below ``0x80``; ``0x81`` then a 2-byte little-endian
   count; ``0x82`` then a 4-byte little-endian count. Any other prefix is refused;
5. that many bytes are decoded as strict UTF-8.

Every step is bounded and checked; anything unexpected raises :class:`TypedStreamError` so the
caller can keep the message (with empty text) and record a warning instead of crashing.
"""

from __future__ import annotations

from typing import Final

SIGNATURE: Final = b"\x04\x0bstreamtyped"
#: Blobs larger than this are refused (a real message body is far smaller).
MAX_BLOB: Final = 16 * 1024 * 1024
#: How far into the blob the ``NSString`` class name is looked for.
MAX_SCAN: Final = 4096
#: How far after ``NSString`` the ``+`` type marker may be.
MARKER_WINDOW: Final = 32
STRING_MARKER: Final = b"\x84\x01+"


class TypedStreamError(ValueError):
    """The blob is not a typedstream we can read; the message says why."""


def _read_length(blob: bytes, pos: int) -> tuple[int, int]:
    """The byte count at ``pos`` and the position of the first text byte."""
    if pos >= len(blob):
        raise TypedStreamError("blob ends before the string length")
    first = blob[pos]
    if first < 0x80:
        return first, pos + 1
    if first == 0x81:
        if pos + 3 > len(blob):
            raise TypedStreamError("blob ends inside a 2-byte string length")
        return int.from_bytes(blob[pos + 1 : pos + 3], "little"), pos + 3
    if first == 0x82:
        if pos + 5 > len(blob):
            raise TypedStreamError("blob ends inside a 4-byte string length")
        return int.from_bytes(blob[pos + 1 : pos + 5], "little"), pos + 5
    raise TypedStreamError(f"unsupported string length prefix 0x{first:02x}")


def decode_attributed_body(blob: bytes) -> str:
    """The NSString text of an ``attributedBody`` blob; raises :class:`TypedStreamError`."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise TypedStreamError(f"attributedBody is {type(blob).__name__}, not a blob")
    data = bytes(blob)
    if len(data) > MAX_BLOB:
        raise TypedStreamError(f"blob of {len(data)} bytes is above the {MAX_BLOB}-byte limit")
    if not data.startswith(SIGNATURE):
        raise TypedStreamError("not a typedstream (no 'streamtyped' signature)")
    cls = data.find(b"NSString", len(SIGNATURE), MAX_SCAN)
    if cls < 0:
        raise TypedStreamError("no NSString in the archive")
    start = cls + len(b"NSString")
    marker = data.find(STRING_MARKER, start, start + MARKER_WINDOW)
    if marker < 0:
        raise TypedStreamError("no string value after NSString")
    length, text_at = _read_length(data, marker + len(STRING_MARKER))
    end = text_at + length
    if end > len(data):
        raise TypedStreamError(f"string length {length} runs past the end of the {len(data)}-byte blob")
    try:
        return data[text_at:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TypedStreamError(f"the string is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
