"""Shared by the two Discord parsers: timestamps, snowflake ids, attachment names."""

from __future__ import annotations

import posixpath
import re
from datetime import datetime, timezone
from typing import Any, Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cyberevidence.parsers.kit.clock import Converted, convert_local
from cyberevidence.parsers.kit.epochs import epoch_millis

PLATFORM: Final = "discord"
#: Discord's epoch (2015-01-01T00:00:00Z) in milliseconds since the Unix epoch.
DISCORD_EPOCH_MS: Final = 1420070400000
SNOWFLAKE: Final = re.compile(r"\A\d{1,20}\Z")
#: What a spreadsheet makes of an 18-digit id: ``7.73264E+18``.
MANGLED: Final = re.compile(r"\A\d(?:[.,]\d+)?[eE]\+?\d+\Z")


def parse_stamp(value: Any, tz: ZoneInfo) -> Converted | None:
    """ISO 8601 with an offset → UTC; without one → local time in ``tz`` (``local=True``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return Converted(moment.astimezone(timezone.utc))
    return convert_local(moment, tz)


def snowflake_time(ident: str) -> datetime | None:
    """The creation instant encoded in a Discord id (millisecond precision)."""
    if not SNOWFLAKE.match(ident):
        return None
    ms = (int(ident) >> 22) + DISCORD_EPOCH_MS
    if ms <= DISCORD_EPOCH_MS:
        return None
    return epoch_millis(ms)


def url_name(url: str) -> str:
    """The file name at the end of an attachment URL (the URL itself if it has none)."""
    try:
        base = posixpath.basename(urlsplit(url).path)
    except ValueError:
        base = ""
    return base or url


def id_text(value: Any) -> str:
    """An id as text; JSON numbers are kept exactly (ids never go through float)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()
