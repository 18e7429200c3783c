"""Contact frequency: how often each person made or received contact, per period and platform.

Periods are cut in the case's local timezone (a "day" is the victim's day, not a UTC day).
Weeks are ISO weeks (``2025-W07``), starting Monday.

Two implementations give the same rows (a differential test holds them together):
:func:`contact_frequency` over resolved events, and :func:`contact_frequency_indexed`, which
lets SQLite count the index per (what person resolution reads, local period) and resolves each
distinct key once (``Case.contacts`` uses it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from cyberevidence.events import Event, SourceRef

if TYPE_CHECKING:
    from cyberevidence.analysis.resolve import Resolver
    from cyberevidence.store.index import Index

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
    if ev.timestamp is None:
        raise ValueError("an undated event has no period")
    return _label(ev.timestamp, by, tz)


def _label(moment: datetime, by: Period, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
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
    """Counts per (person, period, platform); system notices and undated events are not counted."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for ev in events:
        if ev.kind not in CONTACT_KINDS or ev.timestamp is None:
            continue
        counts[(ev.person, _label(ev.timestamp, by, tz), ev.platform, ev.direction)] += 1
    return _rows(counts)


def resolver_extra() -> tuple[str, ...]:
    """The ``extra`` fields person resolution reads (:mod:`cyberevidence.analysis.resolve`)."""
    from cyberevidence.analysis.resolve import SENDER_ID_KEYS  # resolve imports this module's users

    return (*SENDER_ID_KEYS, "person", "chat_id", "chat_type", "chat_jid", "thread_from")


#: The local-time label SQLite's ``strftime`` gives per period ("week" is made from the day).
_SQL_LABEL = {"hour": "%Y-%m-%dT%H:00", "day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}
_HOUR = timedelta(hours=1)
_SECOND = timedelta(seconds=1)


def contact_frequency_indexed(
    index: Index,
    resolver: Resolver,
    by: Period,
    tz: ZoneInfo,
    *,
    person: str | None = None,
    superseded: Collection[str] = (),
) -> list[ContactRow] | None:
    """:func:`contact_frequency` of ``Case.timeline(person=person)``, counted by SQLite.

    SQLite groups the index by what person resolution reads and by the local period (the UTC
    offset of each event's instant comes from ``tz``, hour by hour, exactly where it changes);
    each distinct key is then resolved once, as the timeline resolves each event.
    ``superseded``: artefacts whose events the timeline leaves out (replaced record versions).
    Returns None, and the caller counts over the timeline, when a timestamp is not in this
    tool's own form or a local time falls outside the years 1001-9998.
    """
    if by not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    offsets = zone_offsets(index, tz)
    if offsets is None or not keys_usable(index):
        return None
    who = dict(resolved_keys(index, resolver, superseded))
    counts: Counter[tuple[str, str, str, str]] = Counter()
    weeks: dict[str, str] = {}
    for rkey, label, n in index.contact_groups(CONTACT_KINDS, offsets, _SQL_LABEL[by]):
        if rkey is None:
            return None  # an event written without its key: the timeline's own reading counts
        resolved = who.get(rkey)
        if resolved is None or (person and resolved[0] != person):
            continue
        if by == "week":
            if label not in weeks:
                year, week, _ = date.fromisoformat(label).isocalendar()
                weeks[label] = f"{year}-W{week:02d}"
            label = weeks[label]
        counts[(resolved[0], label, resolved[1], resolved[2])] += n
    return _rows(counts)


def zone_offsets(index: Index, tz: ZoneInfo) -> list[tuple[str, int, str, int]] | None:
    """The zone's UTC offsets for every UTC hour holding a dated contact (see :func:`_hour_offsets`);
    None when a timestamp is not in this tool's own form or a local time falls outside 1001-9998."""
    offsets = []
    for hour, odd in index.contact_hours(CONTACT_KINDS):
        found = _hour_offsets(hour, tz) if not odd else None
        if found is None:
            return None
        offsets.append(found)
    return offsets


def keys_usable(index: Index) -> bool:
    """Whether the index's stored resolution keys hold exactly what person resolution reads (an
    index of an older schema has none: it is then counted per event)."""
    from cyberevidence.store.index import KEY_EXTRAS

    return index.keyed and sorted(resolver_extra()) == sorted(KEY_EXTRAS)


def resolved_keys(
    index: Index, resolver: Resolver, superseded: Collection[str] = ()
) -> Iterator[tuple[int, tuple[str, str, str]]]:
    """Each stored resolution key of a contact kind (its id) and its (person, platform, direction),
    each resolved once; keys whose events the timeline hides (``superseded`` artefacts) are left out."""
    for rkey, key in index.contact_keys(CONTACT_KINDS):
        resolved = _resolve_key(key, resolver, superseded)
        if resolved is not None:
            yield rkey, resolved


def _hour_offsets(hour: str, tz: ZoneInfo) -> tuple[str, int, str, int] | None:
    """(hour, UTC offset in seconds at its start, instant it changes or "", offset from then on).

    A zone changes its offset at most once within an hour (true of every zone in the tz
    database); the instant of a change is found to the second, as the tz database states them.
    """
    try:
        start = datetime(int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]), tzinfo=timezone.utc)
    except ValueError:
        return None
    if f"{start:%Y-%m-%dT%H}" != hour or not 1001 <= start.year <= 9998:
        return None
    first = _offset(start, tz)
    last = _offset(start + _HOUR - _SECOND, tz)
    if first == last:
        return hour, first, "", first
    lo, hi = 0, 3599  # offset(lo) == first, offset(hi) != first: the change is in (lo, hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset(start + mid * _SECOND, tz) == first:
            lo = mid
        else:
            hi = mid
    at = start + hi * _SECOND
    return hour, first, at.strftime("%Y-%m-%dT%H:%M:%S"), last


def _offset(moment: datetime, tz: ZoneInfo) -> int:
    delta = moment.astimezone(tz).utcoffset()
    assert delta is not None  # a ZoneInfo always gives one
    return int(delta.total_seconds())


def _resolve_key(
    key: tuple[str, str, str, str, str, str], resolver: Resolver, superseded: Collection[str]
) -> tuple[str, str, str] | None:
    """(person, platform, direction) of every event with this key; None when the timeline hides them."""
    platform, kind, sender, thread, source, values = key
    if source in superseded:
        return None
    direction, recipients, person, *extras = json.loads(values)
    ev = Event(
        timestamp=None,
        platform=platform,
        kind=kind,
        source=SourceRef(source, ""),
        sender=sender,
        recipients=list(recipients) if recipients is not None else [],
        thread=thread,
        direction="unknown" if direction is None else direction,
        person="" if person is None else person,
        extra={k: v for k, v in zip(resolver_extra(), extras, strict=True) if v is not None},
    )
    resolver.resolve(ev)
    return ev.person, ev.platform, ev.direction


def _rows(counts: Counter[tuple[str, str, str, str]]) -> list[ContactRow]:
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


def hour_weekday_indexed(
    index: Index,
    resolver: Resolver,
    tz: ZoneInfo,
    *,
    person: str = "",
    direction: str = "incoming",
    superseded: Collection[str] = (),
) -> HourWeekdayMatrix | None:
    """:func:`hour_weekday_matrix` of the timeline, counted by SQLite per (resolution key, local
    weekday and hour) as :func:`contact_frequency_indexed` counts periods; None, and the caller
    counts over the timeline, in the same cases."""
    offsets = zone_offsets(index, tz)
    if offsets is None or not keys_usable(index):
        return None
    who = dict(resolved_keys(index, resolver, superseded))
    grid = [[0] * 24 for _ in range(7)]
    for rkey, label, n in index.contact_groups(CONTACT_KINDS, offsets, "%w %H"):
        if rkey is None:
            return None
        resolved = who.get(rkey)
        if resolved is None or (person and resolved[0] != person) or (direction and resolved[2] != direction):
            continue
        sunday_first, hour = label.split()
        grid[(int(sunday_first) + 6) % 7][int(hour)] += n  # strftime's %w counts from Sunday
    return HourWeekdayMatrix(person, direction, tuple(tuple(row) for row in grid))


def hour_weekday_matrix(
    events: Iterable[Event], tz: ZoneInfo, *, person: str = "", direction: str = "incoming"
) -> HourWeekdayMatrix:
    """When contact happens, in the victim's local time: a 7 x 24 table of counts.

    Only dated contact kinds count; ``person`` narrows to one person, ``direction`` to incoming
    (default), outgoing or ``""`` for both.
    """
    grid = [[0] * 24 for _ in range(7)]
    for ev in events:
        if ev.kind not in CONTACT_KINDS or (person and ev.person != person) or (direction and ev.direction != direction):
            continue
        if ev.timestamp is None:
            continue
        local = ev.timestamp.astimezone(tz)
        grid[local.weekday()][local.hour] += 1
    return HourWeekdayMatrix(person, direction, tuple(tuple(row) for row in grid))
