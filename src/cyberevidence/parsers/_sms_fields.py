"""Field tables and value readers for the SMS Backup & Restore parser (rules: ``sms_backup.py``)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Final

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


def instant(raw: str | None) -> datetime | None:
    try:
        return EPOCH + timedelta(milliseconds=int((raw or "").strip()))
    except (ValueError, OverflowError):
        return None


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
