"""Field tables and value readers for the SMS Backup & Restore parser (rules: ``sms_backup.py``)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
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


class DateUnit(Enum):
    """The unit of a backup's ``date`` values, decided once for the whole file (:func:`file_date_unit`)."""

    #: Every dated record is milliseconds-sized (what the app writes).
    MILLISECONDS = "milliseconds"
    #: Every dated record is seconds-sized (some converters and old backups).
    SECONDS = "seconds"
    #: Both sizes occur: each record is read by its own magnitude and the seconds ones are warned.
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class UnitDecision:
    """What :func:`file_date_unit` found: the unit and the counts it was decided from."""

    unit: DateUnit
    milliseconds: int
    seconds: int
    neither: int


#: A ``date`` attribute as the app writes it (``date="…"``); the byte before must be white space, so
#: ``date_sent`` and ``mdate`` are not counted. A literal start keeps the scan fast (~1 GB/s).
_DATE_ATTR: Final = re.compile(rb"""date=["'](\d{1,19})["']""")
_SPACE: Final = frozenset(b" \t\r\n")
_FIRST_SMS_MS: Final = FIRST_SMS_S * 1000


def file_date_unit(fh: BinaryIO, chunk: int = 4 << 20) -> UnitDecision:
    """Decide the unit of every ``date`` in the file by magnitude, in one streaming pass (flat memory).

    A value is milliseconds-sized when, read as milliseconds, it falls on or after the first SMS
    (1992-12-03); seconds-sized when only read as seconds does it fall between then and 2100;
    anything else (``0``, a tiny number) is neither and decides nothing; a value written another way
    (``date = "…"``) is not seen here and is read by its own magnitude. Only seconds-sized values
    make the file :attr:`DateUnit.SECONDS`; both sizes make it :attr:`DateUnit.MIXED`; otherwise
    it is :attr:`DateUnit.MILLISECONDS`, the format's own unit.
    """
    ms = s = neither = 0
    tail = b""
    while True:
        block = fh.read(chunk)
        data = tail + block
        # a match is at most ~30 bytes: one starting in the last 64 bytes is left for the next read (where
        # the first byte is only the one before it, hence ``start == 0`` is never counted)
        cut = max(len(data) - 64, 0) if block else len(data)
        for m in _DATE_ATTR.finditer(data):
            if m.start() >= cut:
                break
            if m.start() == 0 or data[m.start() - 1] not in _SPACE:
                continue
            value = int(m.group(1))
            if value >= _FIRST_SMS_MS:
                ms += 1
            elif FIRST_SMS_S <= value < LAST_PLAUSIBLE_S:
                s += 1
            else:
                neither += 1
        if not block:
            break
        tail = data[max(cut - 1, 0) :]  # one byte more: the one before a match, which must be white space
    unit = DateUnit.MIXED if ms and s else DateUnit.SECONDS if s else DateUnit.MILLISECONDS
    return UnitDecision(unit, ms, s, neither)


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
