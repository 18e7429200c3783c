"""Course of conduct: the pattern police miss when they record incidents one by one.

For each subject in the people file this computes, from the merged timeline, the figures that
the risk tools (S-DASH, FOUR: Fixated, Obsessive, Unwanted, Repeated) ask about. Definitions:

* a **contact** is an event of a contact kind (message, call, e-mail, post, comment, reaction,
  friend request) whose ``person`` is the subject and whose direction is ``incoming``;
  a **reply** is an ``outgoing`` event of the victim to that subject;
* days, hours and weeks are the victim's local ones (the case's zone); weeks are ISO weeks;
* **night** is from ``night_start`` to ``night_end`` local time (22:00–06:00 by default);
* a contact is **unanswered** when no reply follows it within ``unanswered_hours`` (24 h);
* a **missed-call burst** is at least ``burst_calls`` missed calls (3) within
  ``burst_minutes`` (30) of the first call of the burst;
* the **escalation trend** is the least-squares slope of incoming contacts per week (every week
  from the first contact to the last, empty weeks included), plus the single change point that
  best splits the weekly counts into two levels (largest reduction of squared error, at least
  two weeks each side), reported with the mean before and after;
* **contacts after a stop** count contacts after each stop date (from the people file's
  ``stop_dates`` or given by the caller). Candidate stop messages (the victim's own outgoing
  texts that ask to stop or say they are blocking) are *suggested*, never applied;
* **via third parties** are messages from anyone other than the subject and the victim whose
  text mentions the subject by name or handle;
* an **undated** contact or reply (the source gives no time, docs/events.md) is in none of the
  figures above: ``undated_contacts`` and ``undated_replies`` count and list them, and every
  rendering of the summary states that count beside the figures.

Every figure carries the ids of the events behind it, so a number can be traced to messages.
"""

from __future__ import annotations

import importlib
import re
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cyberevidence.analysis.contacts import CONTACT_KINDS, keys_usable, resolved_keys, zone_offsets
from cyberevidence.analysis.event_ids import EventIds, IdColumn, positions
from cyberevidence.events import Event, format_utc
from cyberevidence.people import People, Person

if TYPE_CHECKING:
    from cyberevidence.analysis.resolve import Resolver
    from cyberevidence.store.index import Index

STOP_WORDS = re.compile(
    r"\b(stop (contacting|messaging|texting|calling)|stop it|please stop|leave me alone|don'?t (contact|message|text|call) me"
    r"|do not (contact|message|text|call) me|i('| a)m blocking you|i have blocked you|i'?ve blocked you|blocking you"
    r"|go away|no more contact|never contact me)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ConductOptions:
    night_start: int = 22
    night_end: int = 6
    unanswered_hours: float = 24.0
    burst_calls: int = 3
    burst_minutes: int = 30
    #: Extra stop dates per subject name (ISO dates), added to the people file's.
    stop_dates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Dates of boundary markers recorded in the case (stop request, block, warning, order).
    marker_dates: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Figure:
    """A number and the events behind it."""

    value: int
    event_ids: Sequence[str] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "event_ids": list(self.event_ids)}


@dataclass(frozen=True, slots=True)
class DatedFigure:
    """A date (or time) with a count and the events behind it."""

    when: str
    value: int
    event_ids: Sequence[str] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"when": self.when, "value": self.value, "event_ids": list(self.event_ids)}


@dataclass(frozen=True, slots=True)
class Run:
    start: str
    end: str
    days: int
    event_ids: Sequence[str] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "days": self.days, "event_ids": list(self.event_ids)}


@dataclass(frozen=True, slots=True)
class Trend:
    """Weekly counts, their slope and the best change point (``None`` when too few weeks)."""

    weeks: tuple[DatedFigure, ...]
    slope_per_week: float
    change_week: str | None = None
    mean_before: float | None = None
    mean_after: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "weeks": [w.to_dict() for w in self.weeks],
            "slope_per_week": self.slope_per_week,
            "change_week": self.change_week,
            "mean_before": self.mean_before,
            "mean_after": self.mean_after,
        }


@dataclass(frozen=True, slots=True)
class PlatformUse:
    """A platform the subject used, when first, and how often (channel-hopping)."""

    platform: str
    first_used: str
    contacts: int
    event_ids: Sequence[str] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "first_used": self.first_used,
            "contacts": self.contacts,
            "event_ids": list(self.event_ids),
        }


@dataclass(frozen=True, slots=True)
class StopFigure:
    stop_date: str
    source: str
    before: int
    after: Figure
    after_by_platform: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stop_date": self.stop_date,
            "source": self.source,
            "before": self.before,
            "after": self.after.to_dict(),
            "after_by_platform": dict(self.after_by_platform),
        }


@dataclass(frozen=True, slots=True)
class StopSuggestion:
    """A victim's message that reads like a request to stop: shown for a person to confirm."""

    event_id: str
    timestamp: str
    platform: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "timestamp": self.timestamp, "platform": self.platform, "text": self.text}


@dataclass(frozen=True, slots=True)
class ConductSummary:
    subject: str
    first_contact: DatedFigure | None
    last_contact: DatedFigure | None
    total_contacts: Figure
    by_kind: dict[str, int]
    replies: Figure
    distinct_days: Figure
    longest_run: Run | None
    busiest_day: DatedFigure | None
    trend: Trend
    night_contacts: Figure
    unanswered: Figure
    missed_call_bursts: tuple[DatedFigure, ...]
    platforms: tuple[PlatformUse, ...]
    after_stop: tuple[StopFigure, ...]
    stop_suggestions: tuple[StopSuggestion, ...]
    via_third_parties: Figure
    #: Contacts from the subject, and replies to them, that have no time: not in any figure above.
    undated_contacts: Figure = Figure(0)
    undated_replies: Figure = Figure(0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "first_contact": self.first_contact.to_dict() if self.first_contact else None,
            "last_contact": self.last_contact.to_dict() if self.last_contact else None,
            "total_contacts": self.total_contacts.to_dict(),
            "by_kind": dict(self.by_kind),
            "replies": self.replies.to_dict(),
            "distinct_days": self.distinct_days.to_dict(),
            "longest_run": self.longest_run.to_dict() if self.longest_run else None,
            "busiest_day": self.busiest_day.to_dict() if self.busiest_day else None,
            "trend": self.trend.to_dict(),
            "night_contacts": self.night_contacts.to_dict(),
            "unanswered": self.unanswered.to_dict(),
            "missed_call_bursts": [b.to_dict() for b in self.missed_call_bursts],
            "platforms": [p.to_dict() for p in self.platforms],
            "after_stop": [s.to_dict() for s in self.after_stop],
            "stop_suggestions": [s.to_dict() for s in self.stop_suggestions],
            "via_third_parties": self.via_third_parties.to_dict(),
            "undated_contacts": self.undated_contacts.to_dict(),
            "undated_replies": self.undated_replies.to_dict(),
        }

    def to_pandas(self) -> Any:
        """Weekly counts as a pandas DataFrame (needs the optional pandas package)."""
        try:
            pd = importlib.import_module("pandas")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install pandas") from exc
        return pd.DataFrame([{"week": w.when, "contacts": w.value} for w in self.trend.weeks])


# -- helpers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Slim:
    """What the summary needs of an event: a few fields, not its text, so memory stays small
    (texts are kept only for the few candidate stop requests and third-party mentions)."""

    timestamp: datetime
    event_id: str
    platform: str
    kind: str
    call_type: str
    missed: bool
    person: str
    text: str = ""

    @classmethod
    def of(cls, ev: Event, *, keep_text: bool = False) -> _Slim:
        if ev.timestamp is None:
            raise ValueError("an undated event has no place in a time-based figure")
        return cls(
            ev.timestamp,
            ev.event_id,
            ev.platform,
            ev.kind,
            ev.call_type,
            ev.extra.get("missed") is True,
            ev.person,
            ev.text if keep_text else "",
        )

    @property
    def timestamp_utc(self) -> str:
        return format_utc(self.timestamp)


def _ids(events: Iterable[_Slim]) -> tuple[str, ...]:
    return tuple(e.event_id for e in events)


def _is_missed_call(ev: _Slim) -> bool:
    return ev.kind == "call" and (ev.call_type in ("missed", "rejected", "blocked") or ev.missed)


def _weeks_between(first: date, last: date) -> list[str]:
    start = first - timedelta(days=first.weekday())
    out = []
    while start <= last:
        y, w, _ = start.isocalendar()
        out.append(f"{y}-W{w:02d}")
        start += timedelta(days=7)
    return out


def _slope(values: Sequence[int]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return round(num / den, 4)


def _change_point(values: Sequence[int]) -> tuple[int, float, float] | None:
    n = len(values)
    if n < 4:
        return None

    def sse(xs: Sequence[int]) -> float:
        m = sum(xs) / len(xs)
        return sum((x - m) ** 2 for x in xs)

    total = sse(values)
    best: tuple[float, int] | None = None
    for k in range(2, n - 1):
        gain = total - sse(values[:k]) - sse(values[k:])
        if best is None or gain > best[0] + 1e-9:
            best = (gain, k)
    if best is None or best[0] <= 0:
        return None
    k = best[1]
    return k, round(sum(values[:k]) / k, 4), round(sum(values[k:]) / (n - k), 4)


def _mentions(person: Person) -> re.Pattern[str] | None:
    names = {person.name}
    names |= {person.name.split()[0]} if len(person.name.split()) > 1 else set()
    names |= {h.partition(":")[2] for h in person.handles if h.partition(":")[2]}
    names = {n for n in names if len(n) >= 3}
    if not names:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def parse_stop_date(value: str, tz: ZoneInfo) -> datetime:
    """A stop date as an aware UTC instant: a bare date means the start of that local day."""
    v = value.strip()
    if "T" in v:
        moment = datetime.fromisoformat(v.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    d = date.fromisoformat(v)
    return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(timezone.utc)


# -- the summary -----------------------------------------------------------------------------


def course_of_conduct(
    events: Iterable[Event], people: People, tz: ZoneInfo, options: ConductOptions | None = None
) -> list[ConductSummary]:
    """One summary per subject in ``people``, from resolved timeline events (in time order)."""
    opts = options or ConductOptions()
    subjects = [p for p in people.persons if p.role == "subject"]
    victims = {p.name for p in people.victims}
    incoming: dict[str, list[_Slim]] = defaultdict(list)
    replies: dict[str, list[_Slim]] = defaultdict(list)
    victim_texts: list[_Slim] = []
    others: list[_Slim] = []
    names = {p.name for p in subjects}
    mentions = [rx for rx in (_mentions(p) for p in subjects) if rx is not None]
    undated: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ev in events:
        if ev.kind not in CONTACT_KINDS:
            continue
        if ev.timestamp is None:
            if ev.person in names and ev.direction in ("incoming", "outgoing"):
                undated[(ev.person, ev.direction)].append(ev.event_id)
            continue
        if ev.direction == "incoming" and ev.person in names:
            incoming[ev.person].append(_Slim.of(ev))
        elif ev.direction == "outgoing":
            if ev.person in names:
                replies[ev.person].append(_Slim.of(ev))
            if ev.text and ev.kind in ("message", "email", "comment", "post") and STOP_WORDS.search(ev.text):
                victim_texts.append(_Slim.of(ev, keep_text=True))
        elif ev.direction == "incoming" and ev.person not in victims and ev.text and any(rx.search(ev.text) for rx in mentions):
            others.append(_Slim.of(ev, keep_text=True))
    return [
        replace(
            _summary(p, incoming[p.name], replies[p.name], victim_texts, others, tz, opts),
            undated_contacts=_figure(undated[(p.name, "incoming")]),
            undated_replies=_figure(undated[(p.name, "outgoing")]),
        )
        for p in subjects
    ]


def _figure(ids: list[str]) -> Figure:
    return Figure(len(ids), tuple(ids))


def _summary(
    person: Person,
    contacts: list[_Slim],
    replies: list[_Slim],
    victim_texts: list[_Slim],
    others: list[_Slim],
    tz: ZoneInfo,
    opts: ConductOptions,
) -> ConductSummary:
    local_day = [e.timestamp.astimezone(tz).date() for e in contacts]
    by_day: dict[date, list[_Slim]] = defaultdict(list)
    for d, e in zip(local_day, contacts, strict=True):
        by_day[d].append(e)
    first = DatedFigure(contacts[0].timestamp_utc, 1, (contacts[0].event_id,)) if contacts else None
    last = DatedFigure(contacts[-1].timestamp_utc, 1, (contacts[-1].event_id,)) if contacts else None
    busiest = None
    if by_day:
        day = max(sorted(by_day), key=lambda d: len(by_day[d]))
        busiest = DatedFigure(day.isoformat(), len(by_day[day]), _ids(by_day[day]))
    return ConductSummary(
        subject=person.name,
        first_contact=first,
        last_contact=last,
        total_contacts=Figure(len(contacts), _ids(contacts)),
        by_kind=dict(sorted(Counter(e.kind for e in contacts).items())),
        replies=Figure(len(replies), _ids(replies)),
        distinct_days=Figure(len(by_day), tuple(by_day[d][0].event_id for d in sorted(by_day))),
        longest_run=_longest_run(by_day),
        busiest_day=busiest,
        trend=_trend(by_day),
        night_contacts=_night(contacts, tz, opts),
        unanswered=_unanswered(contacts, replies, opts),
        missed_call_bursts=_bursts(contacts, opts),
        platforms=_platforms(contacts),
        after_stop=_after_stop(person, contacts, tz, opts),
        stop_suggestions=tuple(
            StopSuggestion(e.event_id, e.timestamp_utc, e.platform, e.text)
            for e in victim_texts
            if e.person == person.name and STOP_WORDS.search(e.text)
        ),
        via_third_parties=_third_parties(person, others),
    )


def _longest_run(by_day: dict[date, list[_Slim]]) -> Run | None:
    days = sorted(by_day)
    if not days:
        return None
    best = (days[0], days[0])
    start = prev = days[0]
    for d in days[1:]:
        if d - prev == timedelta(days=1):
            prev = d
        else:
            start = prev = d
        if (prev - start) > (best[1] - best[0]):
            best = (start, prev)
    covered = [d for d in days if best[0] <= d <= best[1]]
    ids = tuple(e.event_id for d in covered for e in by_day[d])
    return Run(best[0].isoformat(), best[1].isoformat(), (best[1] - best[0]).days + 1, ids)


def _trend(by_day: dict[date, list[_Slim]]) -> Trend:
    if not by_day:
        return Trend((), 0.0)
    weekly: dict[str, list[_Slim]] = defaultdict(list)
    for d, evs in by_day.items():
        y, w, _ = d.isocalendar()
        weekly[f"{y}-W{w:02d}"].extend(evs)
    labels = _weeks_between(min(by_day), max(by_day))
    weeks = tuple(DatedFigure(w, len(weekly.get(w, [])), _ids(weekly.get(w, []))) for w in labels)
    counts = [w.value for w in weeks]
    cp = _change_point(counts)
    if cp is None:
        return Trend(weeks, _slope(counts))
    k, before, after = cp
    return Trend(weeks, _slope(counts), labels[k], before, after)


def _night(contacts: list[_Slim], tz: ZoneInfo, opts: ConductOptions) -> Figure:
    def at_night(e: _Slim) -> bool:
        h = e.timestamp.astimezone(tz).hour
        if opts.night_start > opts.night_end:
            return h >= opts.night_start or h < opts.night_end
        return opts.night_start <= h < opts.night_end

    hits = [e for e in contacts if at_night(e)]
    return Figure(len(hits), _ids(hits))


def _unanswered(contacts: list[_Slim], replies: list[_Slim], opts: ConductOptions) -> Figure:
    times = [r.timestamp for r in replies]
    window = timedelta(hours=opts.unanswered_hours)
    hits = []
    for e in contacts:
        i = bisect_right(times, e.timestamp)
        if i >= len(times) or times[i] - e.timestamp > window:
            hits.append(e)
    return Figure(len(hits), _ids(hits))


def _bursts(contacts: list[_Slim], opts: ConductOptions) -> tuple[DatedFigure, ...]:
    calls = [e for e in contacts if _is_missed_call(e)]
    window = timedelta(minutes=opts.burst_minutes)
    out: list[DatedFigure] = []
    i = 0
    while i < len(calls):
        j = i
        while j + 1 < len(calls) and calls[j + 1].timestamp - calls[i].timestamp <= window:
            j += 1
        group = calls[i : j + 1]
        if len(group) >= opts.burst_calls:
            out.append(DatedFigure(group[0].timestamp_utc, len(group), _ids(group)))
            i = j + 1
        else:
            i += 1
    return tuple(out)


def _platforms(contacts: list[_Slim]) -> tuple[PlatformUse, ...]:
    firsts: dict[str, _Slim] = {}
    counts: Counter[str] = Counter()
    for e in contacts:
        firsts.setdefault(e.platform, e)
        counts[e.platform] += 1
    ordered = sorted(firsts.items(), key=lambda kv: (kv[1].timestamp, kv[0]))
    return tuple(PlatformUse(p, e.timestamp_utc, counts[p], (e.event_id,)) for p, e in ordered)


def _after_stop(person: Person, contacts: list[_Slim], tz: ZoneInfo, opts: ConductOptions) -> tuple[StopFigure, ...]:
    dates = (
        [(d, "people file") for d in person.stop_dates]
        + [(d, "given") for d in opts.stop_dates.get(person.name, ())]
        + [(d, "marker") for d in opts.marker_dates.get(person.name, ())]
    )
    out = []
    for value, source in sorted(set(dates)):
        moment = parse_stop_date(value, tz)
        after = [e for e in contacts if e.timestamp >= moment]
        out.append(
            StopFigure(
                value,
                source,
                len(contacts) - len(after),
                Figure(len(after), _ids(after)),
                dict(sorted(Counter(e.platform for e in after).items())),
            )
        )
    return tuple(out)


def _third_parties(person: Person, others: list[_Slim]) -> Figure:
    rx = _mentions(person)
    if rx is None:
        return Figure(0)
    hits = [e for e in others if e.person != person.name and rx.search(e.text)]
    return Figure(len(hits), _ids(hits))


# -- the same summary, set-based over the index ---------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)
#: The kinds whose outgoing text may be a stop request (as :func:`course_of_conduct` reads them).
_STOP_KINDS = ("message", "email", "comment", "post")
_OTHER = -1
_CHUNK = 4096


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def _utc_text(us: int) -> str:
    return format_utc(_EPOCH + us * _MICRO)


class _Column:
    """One subject's dated contacts (or replies) as parallel arrays, in timeline order."""

    __slots__ = ("codes", "day", "hour", "ids", "kind", "missed", "names", "platform", "us")

    def __init__(self) -> None:
        self.ids = IdColumn()
        self.us = array("q")
        self.day = array("i")
        self.hour = bytearray()
        self.missed = bytearray()
        self.platform = array("H")
        self.kind = array("H")
        self.names: list[str] = []
        self.codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        found = self.codes.get(name)
        if found is None:
            found = self.codes[name] = len(self.names)
            self.names.append(name)
        return found

    def extend(self, rows: list[tuple[Any, ...]]) -> None:
        """Append rows of :meth:`Index.contact_rows` (dated ones), column by column."""
        _tags, _stamps, ids, platforms, kinds, days, hours, ms, missed, _texts = zip(*rows, strict=True)
        self.ids.extend(ids)
        self.us.extend([m * 1000 for m in ms])
        self.day.extend(days)
        self.hour.extend(hours)
        self.missed.extend(missed)
        code = self.code
        self.platform.extend([code(p) for p in platforms])
        self.kind.extend([code(k) for k in kinds])

    def __len__(self) -> int:
        return len(self.us)

    def of(self, rows: range | array[int]) -> EventIds:
        return EventIds(self.ids, rows)


def course_of_conduct_indexed(
    index: Index,
    resolver: Resolver,
    people: People,
    tz: ZoneInfo,
    options: ConductOptions | None = None,
    *,
    superseded: Collection[str] = (),
) -> list[ConductSummary] | None:
    """:func:`course_of_conduct` of ``Case.timeline()``, read set-based from the index.

    Each distinct resolution key is resolved once (as ``Case.contacts`` does); one statement then
    reads only the subjects' contacts and replies (a few columns, never the record) and the
    texts of possible third-party mentions (filtered inside SQLite). The figures are computed over
    compact arrays and their event ids are read on demand (:class:`.EventIds`), so memory stays
    small however many contacts a subject made. Returns None, and the caller reads the timeline,
    where :func:`~cyberevidence.analysis.contacts.zone_offsets` does (a timestamp not in this
    tool's form).
    """
    opts = options or ConductOptions()
    subjects = [p for p in people.persons if p.role == "subject"]
    if not subjects:
        return []
    offsets = zone_offsets(index, tz)
    if offsets is None or not keys_usable(index):
        return None
    victims = {p.name for p in people.victims}
    slot = {p.name: i for i, p in enumerate(subjects)}
    mentions = [rx for rx in (_mentions(p) for p in subjects) if rx is not None]
    keys: list[tuple[int, int, int]] = []
    for key, (person, _platform, direction) in resolved_keys(index, resolver, superseded):
        if person in slot and direction in ("incoming", "outgoing"):
            keys.append((key, 2 * slot[person] + (direction == "outgoing"), int(direction == "outgoing")))
        elif direction == "incoming" and person not in victims and mentions:
            keys.append((key, _OTHER, 2))
    contacts = [_Column() for _ in subjects]
    replies = [_Column() for _ in subjects]
    suggestions: list[list[StopSuggestion]] = [[] for _ in subjects]
    undated: list[tuple[list[str], list[str]]] = [([], []) for _ in subjects]
    others: list[tuple[str, str]] = []

    def mentioned(text: str) -> bool:
        return any(rx.search(text) for rx in mentions)

    # Rows are gathered per destination and appended column by column, a few thousand at a time.
    pending: dict[int, list[tuple[Any, ...]]] = {tag: [] for tag in range(2 * len(subjects))}

    def flush(tag: int) -> bool:
        rows = pending[tag]
        if not rows:
            return True
        if any(r[7] is None or r[5] is None or r[6] is None for r in rows):
            return False  # a time SQLite cannot read: the timeline's own reading decides
        (replies if tag % 2 else contacts)[tag // 2].extend(rows)
        if tag % 2:
            suggestions[tag // 2].extend(
                StopSuggestion(r[2], _utc_text(r[7] * 1000), r[3], r[9]) for r in rows if r[9] and STOP_WORDS.search(r[9])
            )
        rows.clear()
        return True

    for row in index.contact_rows(CONTACT_KINDS, offsets, keys, text_kinds=_STOP_KINDS, text_filter=mentioned):
        tag = row[0]
        if not row[1]:
            undated[tag // 2][tag % 2].append(row[2])
        elif tag == _OTHER:
            if row[7] is None:
                return None
            others.append((row[2], row[9] or ""))
        else:
            bucket = pending[tag]
            bucket.append(row)
            if len(bucket) >= _CHUNK and not flush(tag):
                return None
    if not all(flush(tag) for tag in pending):
        return None
    return [
        _summary_columns(
            p, contacts[i], replies[i], tuple(suggestions[i]), others, tz, opts, _figure(undated[i][0]), _figure(undated[i][1])
        )
        for i, p in enumerate(subjects)
    ]


def _summary_columns(
    person: Person,
    contacts: _Column,
    replies: _Column,
    suggestions: tuple[StopSuggestion, ...],
    others: list[tuple[str, str]],
    tz: ZoneInfo,
    opts: ConductOptions,
    undated_contacts: Figure,
    undated_replies: Figure,
) -> ConductSummary:
    n = len(contacts)
    by_day: dict[int, array[int]] = {}
    for i, d in enumerate(contacts.day):
        rows = by_day.get(d)
        if rows is None:
            rows = by_day[d] = positions()
        rows.append(i)
    first = last = busiest = None
    if n:
        first = DatedFigure(_utc_text(contacts.us[0]), 1, contacts.of(range(1)))
        last = DatedFigure(_utc_text(contacts.us[-1]), 1, contacts.of(range(n - 1, n)))
        top = max(sorted(by_day), key=lambda d: len(by_day[d]))
        busiest = DatedFigure(date.fromordinal(top).isoformat(), len(by_day[top]), contacts.of(by_day[top]))
    kinds = Counter(contacts.kind)
    return ConductSummary(
        subject=person.name,
        first_contact=first,
        last_contact=last,
        total_contacts=Figure(n, contacts.of(range(n))),
        by_kind=dict(sorted((contacts.names[k], v) for k, v in kinds.items())),
        replies=Figure(len(replies), replies.of(range(len(replies)))),
        distinct_days=Figure(len(by_day), contacts.of(positions([by_day[d][0] for d in sorted(by_day)]))),
        longest_run=_longest_run_columns(contacts, by_day),
        busiest_day=busiest,
        trend=_trend_columns(contacts, by_day),
        night_contacts=_night_columns(contacts, opts),
        unanswered=_unanswered_columns(contacts, replies, opts),
        missed_call_bursts=_bursts_columns(contacts, opts),
        platforms=_platforms_columns(contacts),
        after_stop=_after_stop_columns(person, contacts, tz, opts),
        stop_suggestions=suggestions,
        via_third_parties=_third_parties_columns(person, others),
        undated_contacts=undated_contacts,
        undated_replies=undated_replies,
    )


def _longest_run_columns(contacts: _Column, by_day: dict[int, array[int]]) -> Run | None:
    days = sorted(by_day)
    if not days:
        return None
    best = (days[0], days[0])
    start = prev = days[0]
    for d in days[1:]:
        if d - prev == 1:
            prev = d
        else:
            start = prev = d
        if (prev - start) > (best[1] - best[0]):
            best = (start, prev)
    rows = positions()
    for d in days:
        if best[0] <= d <= best[1]:
            rows.extend(by_day[d])
    return Run(date.fromordinal(best[0]).isoformat(), date.fromordinal(best[1]).isoformat(), best[1] - best[0] + 1,
               contacts.of(rows))


def _trend_columns(contacts: _Column, by_day: dict[int, array[int]]) -> Trend:
    if not by_day:
        return Trend((), 0.0)
    weekly: dict[str, array[int]] = {}
    for d, rows in by_day.items():
        y, w, _ = date.fromordinal(d).isocalendar()
        weekly.setdefault(f"{y}-W{w:02d}", positions()).extend(rows)
    labels = _weeks_between(date.fromordinal(min(by_day)), date.fromordinal(max(by_day)))
    empty = positions()
    weeks = tuple(DatedFigure(w, len(weekly.get(w, empty)), contacts.of(weekly.get(w, empty))) for w in labels)
    counts = [w.value for w in weeks]
    cp = _change_point(counts)
    if cp is None:
        return Trend(weeks, _slope(counts))
    k, before, after = cp
    return Trend(weeks, _slope(counts), labels[k], before, after)


def _night_columns(contacts: _Column, opts: ConductOptions) -> Figure:
    start, end = opts.night_start, opts.night_end
    if start > end:
        hits = positions([i for i, h in enumerate(contacts.hour) if h >= start or h < end])
    else:
        hits = positions([i for i, h in enumerate(contacts.hour) if start <= h < end])
    return Figure(len(hits), contacts.of(hits))


def _unanswered_columns(contacts: _Column, replies: _Column, opts: ConductOptions) -> Figure:
    times = replies.us
    window = timedelta(hours=opts.unanswered_hours) // _MICRO
    hits = positions()
    count = len(times)
    for i, us in enumerate(contacts.us):
        j = bisect_right(times, us)
        if j >= count or times[j] - us > window:
            hits.append(i)
    return Figure(len(hits), contacts.of(hits))


def _bursts_columns(contacts: _Column, opts: ConductOptions) -> tuple[DatedFigure, ...]:
    call = contacts.codes.get("call")
    kinds, missed, us = contacts.kind, contacts.missed, contacts.us
    calls = [i for i in range(len(contacts)) if kinds[i] == call and missed[i]]
    window = timedelta(minutes=opts.burst_minutes) // _MICRO
    out: list[DatedFigure] = []
    i = 0
    while i < len(calls):
        j = i
        while j + 1 < len(calls) and us[calls[j + 1]] - us[calls[i]] <= window:
            j += 1
        group = calls[i : j + 1]
        if len(group) >= opts.burst_calls:
            out.append(DatedFigure(_utc_text(us[group[0]]), len(group), contacts.of(positions(group))))
            i = j + 1
        else:
            i += 1
    return tuple(out)


def _platforms_columns(contacts: _Column) -> tuple[PlatformUse, ...]:
    firsts: dict[int, int] = {}
    for i, code in enumerate(contacts.platform):
        firsts.setdefault(code, i)
    counts = Counter(contacts.platform)
    names, us = contacts.names, contacts.us
    ordered = sorted(firsts.items(), key=lambda kv: (us[kv[1]], names[kv[0]]))
    return tuple(
        PlatformUse(names[code], _utc_text(us[i]), counts[code], contacts.of(range(i, i + 1))) for code, i in ordered
    )


def _after_stop_columns(person: Person, contacts: _Column, tz: ZoneInfo, opts: ConductOptions) -> tuple[StopFigure, ...]:
    dates = (
        [(d, "people file") for d in person.stop_dates]
        + [(d, "given") for d in opts.stop_dates.get(person.name, ())]
        + [(d, "marker") for d in opts.marker_dates.get(person.name, ())]
    )
    out = []
    n, names = len(contacts), contacts.names
    for value, source in sorted(set(dates)):
        moment = _micros(parse_stop_date(value, tz))
        after = positions([i for i, us in enumerate(contacts.us) if us >= moment])
        by_platform = Counter(names[contacts.platform[i]] for i in after)
        out.append(StopFigure(value, source, n - len(after), Figure(len(after), contacts.of(after)),
                              dict(sorted(by_platform.items()))))
    return tuple(out)


def _third_parties_columns(person: Person, others: list[tuple[str, str]]) -> Figure:
    rx = _mentions(person)
    if rx is None:
        return Figure(0)
    hits = tuple(event_id for event_id, text in others if rx.search(text))
    return Figure(len(hits), hits)
