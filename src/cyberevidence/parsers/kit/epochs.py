"""Epoch numbers to aware UTC: one module for every source that stores instants as numbers.

Which converter a format uses is part of its format doc: a unit the format states
(:func:`unix_seconds`, :func:`epoch_plausible`) or a unit decided by magnitude
(:func:`epoch_any_unit`, for downloads that mix seconds and milliseconds). None invents an
instant: what cannot be read gives ``None`` and the parser warns.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Final

EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)

EPOCH_UNITS = (("s", 1e11, 1), ("ms", 1e14, 1_000), ("us", 1e17, 1_000_000))


def epoch_any_unit(value: object) -> tuple[datetime, str] | None:
    """An epoch number (int, float or digit string) as aware UTC, and the unit chosen by magnitude.

    Below 10^11 it is seconds (10^11 s is the year 5138), below 10^14 milliseconds, below 10^17
    microseconds; anything else, negative or non-numeric gives None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
        number: int | float = int(value)
    elif isinstance(value, int | float):
        number = value
    else:
        return None
    if number < 0 or number != number:
        return None
    for unit, bound, per_second in EPOCH_UNITS:
        if number < bound:
            if isinstance(number, int):
                whole, rest = divmod(number, per_second)
                return EPOCH + timedelta(seconds=whole, microseconds=rest * 1_000_000 // per_second), unit
            return EPOCH + timedelta(seconds=number / per_second), unit
    return None


def epoch_plausible(value: Any, *, millis: bool) -> datetime | None:
    """Epoch milliseconds (or seconds) as aware UTC; ``None`` if not a number or outside 1990-2100.

    For a format whose unit is stated (Meta's ``timestamp_ms``/``timestamp``): a value far outside
    the years a platform existed is a damaged field, not a date.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = EPOCH + (timedelta(milliseconds=value) if millis else timedelta(seconds=value))
    except (OverflowError, ValueError):
        return None
    return moment if 1990 <= moment.year <= 2100 else None


def unix_seconds(value: Any) -> datetime | None:
    """``date_unixtime`` (a string of digits in real exports, a number in some tools) to UTC."""
    try:
        if isinstance(value, bool):
            return None
        seconds = int(value) if isinstance(value, int | str) else None
        if seconds is None and isinstance(value, float) and value.is_integer():
            seconds = int(value)
        if seconds is None:
            return None
        return EPOCH + timedelta(seconds=seconds)
    except (ValueError, OverflowError):
        return None


def epoch_millis(ms: int) -> datetime:
    """Whole epoch milliseconds as aware UTC (the caller has checked the range)."""
    return EPOCH + timedelta(milliseconds=ms)


__all__ = ["EPOCH", "epoch_any_unit", "epoch_millis", "epoch_plausible", "unix_seconds"]
