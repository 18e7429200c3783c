"""Local wall-clock time to UTC, with DST folds and gaps made explicit.

A local time in a DST *fold* (the repeated hour in autumn) maps to two instants; one in a
*gap* (the skipped hour in spring) maps to none. :func:`localize` never guesses silently:
it reports which case applies so that the caller can decide by a stated rule and record it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cyberevidence.errors import CyberEvidenceError


class UnknownTimezoneError(CyberEvidenceError):
    """The timezone name is not in the IANA database."""

    hint = "Use an IANA zone name such as Europe/London, Europe/Berlin or America/New_York."


def zone(name: str) -> ZoneInfo:
    """Load an IANA zone by name, with a plain-language error for typos."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezoneError(f"unknown timezone {name!r}") from None


@dataclass(frozen=True, slots=True)
class LocalizedTime:
    """The UTC instant for a local time, and whether the local time was a fold or a gap."""

    utc: datetime
    in_fold: bool = False
    in_gap: bool = False


def is_fold(naive: datetime, tz: ZoneInfo) -> bool:
    """True when ``naive`` occurs twice in ``tz`` (the repeated hour when clocks go back)."""
    a = naive.replace(tzinfo=tz, fold=0).utcoffset()
    b = naive.replace(tzinfo=tz, fold=1).utcoffset()
    return a != b and a is not None and b is not None and a > b


def is_gap(naive: datetime, tz: ZoneInfo) -> bool:
    """True when ``naive`` never occurs in ``tz`` (the skipped hour when clocks go forward)."""
    a = naive.replace(tzinfo=tz, fold=0).utcoffset()
    b = naive.replace(tzinfo=tz, fold=1).utcoffset()
    return a != b and a is not None and b is not None and a < b


def localize(naive: datetime, tz: ZoneInfo, *, fold: int = 0) -> LocalizedTime:
    """Convert a naive local time to UTC.

    ``fold=0`` picks the first (earlier) instant of a repeated hour, ``fold=1`` the second.
    For a time in a gap, ``fold=0`` applies the offset in force *before* the change (so
    01:30 on a UK spring-forward day becomes 01:30 GMT), as PEP 495 specifies.
    """
    if naive.tzinfo is not None:
        raise ValueError("localize() expects a naive local time")
    aware = naive.replace(tzinfo=tz, fold=fold)
    return LocalizedTime(
        utc=aware.astimezone(timezone.utc),
        in_fold=is_fold(naive, tz),
        in_gap=is_gap(naive, tz),
    )
