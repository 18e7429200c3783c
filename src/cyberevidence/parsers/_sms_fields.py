"""Field tables and value readers for the SMS Backup & Restore parser (rules: ``sms_backup.py``)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import BinaryIO, Final

from cyberevidence.events import Direction

EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
FIRST_SMS: Final = datetime(1992, 12, 3, tzinfo=timezone.utc)

#: SMS ``type`` / MMS ``msg_box`` → (name, direction).
BOXES: Final[dict[str, tuple[str, Direction]]] = {
    "1": ("received", "incoming"),
    "2": ("sent", "outgoing"),
    "3": ("draft", "outgoing"),
    "4": ("outbox", "outgoing"),
    "5": ("failed", "outgoing"),
    "6": ("queued", "outgoing"),
}
#: Call ``type`` → (call_type, direction).
CALL_TYPES: Final[dict[str, tuple[str, Direction]]] = {
    "1": ("answered", "incoming"),
    "2": ("outgoing", "outgoing"),
    "3": ("missed", "incoming"),
    "4": ("voicemail", "incoming"),
    "5": ("rejected", "incoming"),
    "6": ("blocked", "incoming"),
    "7": ("answered_externally", "incoming"),
}
PRESENTATION: Final = {"1": "allowed", "2": "restricted", "3": "unknown", "4": "payphone"}
WITHHELD_NUMBERS: Final = frozenset({"", "-1", "-2", "-3"})
ADDR_ROLES: Final = {"137": "from", "151": "to", "130": "cc", "129": "bcc"}
NO_ADDRESS: Final = "insert-address-token"

_PHONE = re.compile(r"[+\d\s().\-\u00a0]+")
_PHONE_NOISE = re.compile(r"[\s().\-\u00a0]")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64_SPACE = re.compile(r"\s")


def given(value: str | None) -> str:
    """The attribute as written, or '' when absent or the app's ``null``."""
    if value is None or value == "null":
        return ""
    return value


@lru_cache(maxsize=4096)
def thread_of(address: str) -> str:
    """The thread for an address: phone numbers lose spaces, dashes, dots and brackets; groups keep '~'."""
    pieces = []
    for piece in address.strip().split("~"):
        piece = piece.strip()
        pieces.append(_PHONE_NOISE.sub("", piece) if _PHONE.fullmatch(piece) and any(c.isdigit() for c in piece) else piece)
    return "~".join(pieces)


#: A ``date`` below this many units is not milliseconds of a plausible SMS (it would fall before
#: 1992-12-03); read as seconds it may be. ``FIRST_SMS`` in seconds since the epoch.
FIRST_SMS_S: Final = int((FIRST_SMS - EPOCH).total_seconds())
#: Seconds readings later than this (2100-01-01) are not taken for seconds either.
LAST_PLAUSIBLE_S: Final = int((datetime(2100, 1, 1, tzinfo=timezone.utc) - EPOCH).total_seconds())
#: Values that mean "no time recorded", never an instant in 1970.
NO_TIME: Final = frozenset({"", "0", "-1", "null"})
#: Media types that say nothing about the content: the part's declared ``ct`` is used instead.
GENERIC_MEDIA_TYPES: Final = frozenset({"", "application/octet-stream", "application/x-empty", "inode/x-empty"})


def instant(raw: str | None) -> datetime | None:
    """``raw`` read as milliseconds since the epoch; None when it is not a whole number."""
    try:
        return EPOCH + timedelta(milliseconds=int((raw or "").strip()))
    except (ValueError, OverflowError):
        return None


def record_instant(raw: str | None) -> tuple[datetime | None, str]:
    """A record's ``date``: (instant, unit) with unit ``ms``, ``s`` or ``""`` (no usable time).

    The app writes milliseconds. Some converters and very old backups write seconds: a whole
    number that as milliseconds would fall before the first SMS (1992-12-03) but as seconds falls
    between then and 2100 is read as seconds (the caller says so). ``0``, ``-1``, empty and
    ``null`` mean no time was recorded: no instant (never 1970-01-01).
    """
    text = (raw or "").strip()
    if text in NO_TIME:
        return None, ""
    try:
        value = int(text)
    except ValueError:
        return None, ""
    if value <= 0:
        return None, ""
    try:
        moment = EPOCH + timedelta(milliseconds=value)
    except OverflowError:
        return None, ""
    if moment < FIRST_SMS and FIRST_SMS_S <= value < LAST_PLAUSIBLE_S:
        return EPOCH + timedelta(seconds=value), "s"
    return moment, "ms"


def part_name(part: dict[str, str], k: int) -> str:
    for key in ("name", "cl", "fn"):
        value = given(part.get(key)).strip()
        if value:
            return value.replace("/", "_").replace("\\", "_")
    return f"part{k}"


def b64decode(data: str) -> bytes | None:
    """Strict base64 (whitespace ignored, missing padding tolerated); None when it is not base64."""
    if _B64_SPACE.search(data):
        data = _B64_SPACE.sub("", data)
    if not _B64.fullmatch(data):
        return None
    data = data.rstrip("=")
    if len(data) % 4 == 1:
        return None
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


_B64_ALPHABET = re.compile(rb"[A-Za-z0-9+/]*")
_WHITESPACE = b" \t\r\n"


def b64decode_stream(src: BinaryIO, dst: BinaryIO, chunk: int = 1 << 20) -> bool:
    """:func:`b64decode` for a value too long to hold in memory: ``src`` (the raw attribute) into ``dst``.

    Same rules (whitespace ignored, missing padding tolerated, anything else refused); False when
    it is not base64 (``dst`` then holds a partial decoding to throw away).
    """
    rest = b""
    pad = False
    while True:
        block = src.read(chunk)
        if not block:
            break
        block = rest + block.translate(None, _WHITESPACE)
        if pad:
            if block.strip(b"="):
                return False
            continue
        eq = block.find(b"=")
        if eq >= 0:
            pad, tail = True, block[eq:]
            if tail.strip(b"=") or len(tail) > 2:
                return False
            block = block[:eq]
        if not _B64_ALPHABET.fullmatch(block):
            return False
        whole = len(block) - len(block) % 4 if not pad else len(block)
        if pad:
            if len(block) % 4 == 1:
                return False
            block += b"=" * (-len(block) % 4)
            whole = len(block)
        dst.write(binascii.a2b_base64(block[:whole]))
        rest = block[whole:]
    if rest:
        if len(rest) % 4 == 1:
            return False
        dst.write(binascii.a2b_base64(rest + b"=" * (-len(rest) % 4)))
    return True
