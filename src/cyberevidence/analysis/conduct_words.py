"""The course-of-conduct figures in plain words: one wording for ``conduct.txt`` and the report.

* weekly counts without empty runs: ``week of 15 September 2025: 5`` and
  ``no contact from 22 September to 5 October 2025``;
* the trend in words with whole numbers: ``about 18 a week at the start (the 4 weeks from
  15 September 2025), about 40 a week at the end``; never a fraction of a contact;
* correct plurals (``1 message``, ``31 messages``);
* times in the case's zone, with the zone named: ``3 March 2025 21:14 (Europe/London)``.

Long lists (bursts of missed calls, suggested stop requests) are capped at :data:`MAX_LISTED`
with the number left out said and where to find them (``conduct.json``), so the text stays short
whatever the size of the case: its length depends on the weeks spanned, never on the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from cyberevidence.analysis.conduct import DatedFigure, Trend

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: Items of a list written out in full; the rest are counted and left to conduct.json.
MAX_LISTED = 20
#: Weeks averaged for "at the start" and "at the end" of the trend.
TREND_WEEKS = 4


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 message``, ``31 messages``, ``2 replies`` (give ``many`` when it is not ``one + 's'``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def long_date(d: date, *, year: bool = True) -> str:
    """``3 March 2025`` (English month names whatever the machine's locale)."""
    return f"{d.day} {MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")


def local_time(iso_utc: str, tz: ZoneInfo) -> str:
    """An ISO UTC instant as ``3 March 2025 21:14 (Europe/London)``; unreadable text is returned as it is."""
    try:
        moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(tz)
    return f"{long_date(local.date())} {local.strftime('%H:%M')} ({tz.key})"


def week_start(label: str) -> date:
    """The Monday of an ISO week label ``2025-W38``."""
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def _span(first: date, last: date) -> str:
    if first.year == last.year:
        return f"{long_date(first, year=False)} to {long_date(last)}"
    return f"{long_date(first)} to {long_date(last)}"


@dataclass(frozen=True, slots=True)
class WeekItem:
    """One item of the weekly list: a week with contacts (``figure`` set) or a run of weeks without."""

    text: str
    figure: DatedFigure | None = None


def week_items(weeks: Sequence[DatedFigure]) -> list[WeekItem]:
    """Each week with contacts, and each run of empty weeks as one ``no contact from … to …``."""
    out: list[WeekItem] = []
    empty: list[DatedFigure] = []

    def close_run() -> None:
        if empty:
            first, last = week_start(empty[0].when), week_start(empty[-1].when) + timedelta(days=6)
            out.append(WeekItem(f"no contact from {_span(first, last)}"))
            empty.clear()

    for w in weeks:
        if w.value == 0:
            empty.append(w)
            continue
        close_run()
        out.append(WeekItem(f"week of {long_date(week_start(w.when))}: ", w))
    close_run()
    return out


def weekly_text(weeks: Sequence[DatedFigure]) -> str:
    """The weekly list as plain text: ``week of 15 September 2025: 5; no contact from …``."""
    return "; ".join(i.text + (str(i.figure.value) if i.figure else "") for i in week_items(weeks))


def per_week(value: float) -> str:
    """A weekly rate in whole numbers: ``none``, ``fewer than 1 a week``, ``about 18 a week``."""
    if value <= 0:
        return "none"
    if value < 0.5:
        return "fewer than 1 a week"
    return f"about {int(value + 0.5):,} a week"


def trend_text(t: Trend) -> str:
    """The trend in words: the level at the start and at the end, and where it changed."""
    weeks = t.weeks
    if len(weeks) < 2:
        return "Too few weeks to speak of a trend."
    k = min(TREND_WEEKS, len(weeks) // 2) or 1
    start = sum(w.value for w in weeks[:k]) / k
    end = sum(w.value for w in weeks[-k:]) / k
    moved = "rose" if t.slope_per_week > 0 else "fell" if t.slope_per_week < 0 else "stayed level"
    text = (f"Over the {plural(len(weeks), 'week')} contact {moved}: {per_week(start)} at the start (the "
            f"{plural(k, 'week')} from {long_date(week_start(weeks[0].when))}), {per_week(end)} at the end (the "
            f"{plural(k, 'week')} to {long_date(week_start(weeks[-1].when) + timedelta(days=6))}).")
    if t.change_week and t.mean_before is not None and t.mean_after is not None:
        text += (f" The level changed in the week of {long_date(week_start(t.change_week))}: "
                 f"{per_week(t.mean_before)} before, {per_week(t.mean_after)} from then on.")
    return text


def capped(items: Sequence[str], what: str) -> list[str]:
    """At most :data:`MAX_LISTED` items, then ``…and 12 more <what> (all in conduct.json)``."""
    out = list(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        out.append(f"…and {len(items) - MAX_LISTED:,} more {what} (all in conduct.json)")
    return out


__all__ = [
    "MAX_LISTED",
    "WeekItem",
    "capped",
    "local_time",
    "long_date",
    "per_week",
    "plural",
    "trend_text",
    "week_items",
    "week_start",
    "weekly_text",
]
