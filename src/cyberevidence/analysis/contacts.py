"""Contact frequency: how often each person made or received contact, per period and platform.

Periods are cut in the case's local timezone (a "day" is the victim's day, not a UTC day).
Weeks are ISO weeks (``2025-W07``), starting Monday.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from cyberevidence.events import Event

Period = Literal["hour", "day", "week", "month"]
PERIODS: tuple[str, ...] = ("hour", "day", "week", "month")
CONTACT_KINDS = frozenset({"message", "call", "email", "post", "comment", "reaction", "friend_request"})
CSV_COLUMNS = ("person", "period", "platform", "incoming", "outgoing", "total")


@dataclass(frozen=True, slots=True)
class ContactRow:
    person: str
    period: str
    platform: str
    incoming: int
    outgoing: int
    total: int

    def to_dict(self) -> dict[str, str | int]:
        return {c: getattr(self, c) for c in CSV_COLUMNS}


def period_label(ev: Event, by: Period, tz: ZoneInfo) -> str:
    local = ev.timestamp.astimezone(tz)
    if by == "hour":
        return local.strftime("%Y-%m-%dT%H:00")
    if by == "day":
        return local.strftime("%Y-%m-%d")
    if by == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return local.strftime("%Y-%m")
    raise ValueError(f"period must be one of {', '.join(PERIODS)}")


def contact_frequency(events: Iterable[Event], by: Period, tz: ZoneInfo) -> list[ContactRow]:
    """Counts per (person, period, platform); system notices are not contacts."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for ev in events:
        if ev.kind not in CONTACT_KINDS:
            continue
        counts[(ev.person, period_label(ev, by, tz), ev.platform, ev.direction)] += 1
    keys = sorted({k[:3] for k in counts})
    rows = []
    for person, period, platform in keys:
        inc = counts[(person, period, platform, "incoming")]
        out = counts[(person, period, platform, "outgoing")]
        unk = counts[(person, period, platform, "unknown")]
        rows.append(ContactRow(person, period, platform, inc, out, inc + out + unk))
    return rows


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class HourWeekdayMatrix:
    """Contacts per local weekday (rows, Monday first) and hour (columns, 0-23)."""

    person: str
    direction: str
    counts: tuple[tuple[int, ...], ...]

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.counts)

    def to_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "direction": self.direction,
            "weekdays": list(WEEKDAYS),
            "counts": [list(row) for row in self.counts],
        }


def hour_weekday_matrix(
    events: Iterable[Event], tz: ZoneInfo, *, person: str = "", direction: str = "incoming"
) -> HourWeekdayMatrix:
    """When contact happens, in the victim's local time: a 7 x 24 table of counts.

    Only contact kinds count; ``person`` narrows to one person, ``direction`` to incoming
    (default), outgoing or ``""`` for both.
    """
    grid = [[0] * 24 for _ in range(7)]
    for ev in events:
        if ev.kind not in CONTACT_KINDS or (person and ev.person != person) or (direction and ev.direction != direction):
            continue
        local = ev.timestamp.astimezone(tz)
        grid[local.weekday()][local.hour] += 1
    return HourWeekdayMatrix(person, direction, tuple(tuple(row) for row in grid))
