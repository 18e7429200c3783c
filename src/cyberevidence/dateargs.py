"""Dates typed by a person (``since``/``until``): parsed to an instant, never compared as text.

Accepted (docs/cli.md, "Dates"):

* ``YYYY-MM-DD``: the start of that day in the case's timezone;
* ``YYYY-MM-DD HH:MM[:SS[.fff]]`` (space or ``T``): local time in the case's timezone (a time in
  the repeated hour when clocks go back is the earlier instant; one in the skipped hour is read
  with the offset before the change, as :func:`cyberevidence.timeutil.localize` does);
* the same with ``Z`` or an offset (``+01:00``): that instant.

Refused, each with a :class:`DateArgumentError` that says why: dates with slashes or dots
(``03/12/2017`` is the 3rd of December in the UK and the 12th of March in the US; both readings are
offered), words (``yesterday``: the answer would depend on when the command runs), and anything
that is not a real date (``2025-13-45``). Messages name the value, never a command-line option.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from cyberevidence.errors import CyberEvidenceError
from cyberevidence.timeutil import localize

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(?P<offset>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")
_WORDS = re.compile(r"[A-Za-z]")
EXAMPLES = "2025-03-14, 2025-03-14 19:05 (the case's timezone) or 2025-03-14T19:05:00+00:00"


class DateArgumentError(CyberEvidenceError):
    """A date given as an argument is not one this tool reads without guessing."""

    hint = f"Write the date as {EXAMPLES}."


def _reading(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _refuse_numeric(value: str, m: re.Match[str]) -> DateArgumentError:
    a, b, c = m.groups()
    if len(a) == 4:  # 2017/12/03: year first, but still not ISO
        iso = _reading(int(a), int(b), int(c))
        return DateArgumentError(f"{value!r} is not written as an ISO date" + (f"; write {iso}" if iso else ""))
    year = int(c) if len(c) == 4 else None
    if year is None:
        return DateArgumentError(f"{value!r} has a two-digit year, so its century is not known")
    day_first = _reading(year, int(b), int(a))
    month_first = _reading(year, int(a), int(b))
    readings = [f"{r} ({how})" for r, how in ((day_first, "day first"), (month_first, "month first")) if r]
    if day_first and month_first and day_first != month_first:
        return DateArgumentError(f"{value!r} is ambiguous: it could be {readings[0]} or {readings[1]}",
                                 hint=f"Write the one you mean as YYYY-MM-DD, e.g. {day_first}.")
    if readings:
        return DateArgumentError(f"{value!r} is not written as an ISO date; write {readings[0].split(' ')[0]}")
    return DateArgumentError(f"{value!r} is not a real date")


def parse_instant(value: str, tz: ZoneInfo) -> datetime:
    """The UTC instant ``value`` names (rules in the module docstring); :class:`DateArgumentError` if none."""
    text = value.strip()
    m = _ISO.fullmatch(text)
    if m is None:
        numeric = _NUMERIC.fullmatch(text)
        if numeric:
            raise _refuse_numeric(value, numeric)
        if _WORDS.search(text) and not re.search(r"\d", text):
            raise DateArgumentError(
                f"{value!r} is not accepted: a date in words depends on the day the command is run",
                hint="Give the date itself, e.g. 2025-03-14, so the same command always gives the same result.",
            )
        raise DateArgumentError(f"{value!r} is not a date like {EXAMPLES}")
    offset = m["offset"]
    iso = m["date"] + (f"T{m['time']}" if m["time"] else "") + ("+00:00" if offset == "Z" else offset or "")
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise DateArgumentError(f"{value!r} is not a real date or time") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(timezone.utc)
    return localize(parsed, tz).utc


def index_bound(moment: datetime) -> str:
    """``moment`` as the index compares it, correct for stored times with or without milliseconds.

    Whole seconds are written without a suffix (``2025-03-14T18:05:00``), so every stored time in
    that second (``...:00Z``, ``...:00.250Z``) sorts after it and every earlier one before it.
    A bound with a fraction of a second is rounded down here; the caller then compares instants exactly.
    """
    return moment.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")


def instant_of(stored: str) -> datetime | None:
    """A stored UTC timestamp (``...Z``) as an instant; None for an undated event."""
    if not stored:
        return None
    return datetime.fromisoformat(stored.replace("Z", "+00:00"))


__all__ = ["EXAMPLES", "DateArgumentError", "index_bound", "instant_of", "parse_instant"]
