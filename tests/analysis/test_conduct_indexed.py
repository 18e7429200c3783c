"""The set-based course of conduct and heat map give exactly what the per-event versions give.

The per-event functions (``course_of_conduct``, ``hour_weekday_matrix`` over the resolved
timeline) are the reference; the generated cases plant what each figure looks for (missed-call
bursts, stop requests, third-party mentions, undated contacts, replies, offset changes, ids not
in this tool's form) so every figure is reached with non-trivial values.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cyberevidence.analysis.conduct import ConductOptions, course_of_conduct, course_of_conduct_indexed
from cyberevidence.analysis.contacts import CONTACT_KINDS, hour_weekday_indexed, hour_weekday_matrix
from cyberevidence.analysis.event_ids import EventIds, IdColumn, positions
from cyberevidence.analysis.resolve import Resolver
from cyberevidence.events import Event, EventIdAssigner, SourceRef
from cyberevidence.people import People, people_from_data
from cyberevidence.store.index import Index
from cyberevidence.timeutil import zone

ZONES = ("Europe/London", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham", "UTC")
SHAS = [c * 64 for c in "abc"]
TEXTS = (
    "hi", "", "Please stop contacting me.", "leave me alone", "I'm blocking you", "Mark says he misses you",
    "saw mark.kell outside", "KELL was here", "ok", "see https://example.com/x", "call me back", "Dana asked about you",
)
OPTIONS = (
    ConductOptions(),
    ConductOptions(night_start=1, night_end=5, unanswered_hours=2.5, burst_calls=2, burst_minutes=90,
                   stop_dates={"Mark Kell": ("2025-03-30", "2025-06-01T12:00:00+01:00")},
                   marker_dates={"Dana Okafor": ("2025-10-26T01:30:00Z",)}),
)


def _people() -> People:
    data = {
        "person": [
            {"name": "Jo", "role": "victim", "handles": ["whatsapp:Jo", "telegram:user1"], "emails": ["jo@example.org"]},
            {"name": "Mark Kell", "role": "subject", "phones": ["+44 7700 900123"], "handles": ["telegram:user555"],
             "emails": ["mark.kell@example.net"], "stop_dates": ["2025-04-01"]},
            {"name": "Dana Okafor", "role": "subject", "handles": ["whatsapp:Dana"]},
            {"name": "Ann", "role": "witness", "emails": ["ann@example.net"]},
        ]
    }
    return people_from_data(data, "GB", "test people")


def _events(rng: random.Random, n: int) -> list[Event]:
    ids = EventIdAssigner()
    senders = ["Jo", "Mark Kell", "+44 7700 900123", "07700 900123", "Dana", "ann@example.net", "", "Stranger",
               "user555", "mark.kell@example.net", "jo@example.org"]
    extras: list[dict[str, Any]] = [
        {}, {"chat_type": "personal_chat", "chat_id": 555}, {"from_id": "user555"}, {"missed": True}, {"missed": 1},
        {"missed": "true"}, {"chat_jid": "447700900123@s.whatsapp.net"}, {"thread_from": "file name"},
    ]
    out = []
    moment = datetime(2025, 3, 1, tzinfo=timezone.utc)
    for i in range(n):
        # Mostly minutes apart (so calls fall in bursts), now and then days, across offset changes.
        step = rng.choice([timedelta(minutes=rng.randint(1, 20)), timedelta(hours=rng.randint(1, 30)),
                           timedelta(days=rng.randint(1, 9))])
        moment += step
        when: datetime | None = moment + timedelta(milliseconds=rng.choice([0, 0, rng.randint(1, 999)]))
        if rng.random() < 0.04:
            when = None
        kind = rng.choice([*sorted(CONTACT_KINDS), "call", "call", "call", "system", "diary"])
        ev = Event(
            timestamp=when,
            platform=rng.choice(["whatsapp", "telegram", "sms", "email"]),
            kind=kind,
            source=SourceRef(rng.choice(SHAS), f"line {i}"),
            sender=rng.choice(senders),
            recipients=rng.choice([[], ["Jo"], ["+44 7700 900123"], ["Jo", "Ann"], ["Dana"]]),
            text=rng.choice(TEXTS),
            thread=rng.choice(["", "Mark Kell", "+447700900123", "group", "Dana"]),
            direction=rng.choice(["incoming", "outgoing", "unknown"]),
            call_type=rng.choice(["", "missed", "rejected", "incoming", "blocked"]) if kind == "call" else "",
            extra=dict(rng.choice(extras)),
        )
        ids.assign(ev)
        if rng.random() < 0.05:
            ev.event_id = f"E-{i:04d}"  # an id not in this tool's form (an imported record's)
        out.append(ev)
    return out


def _index(tmp_path: Path, events: list[Event]) -> Index:
    index = Index(tmp_path / "index.sqlite")
    with index.transaction():
        index.add_events(events)
        for ev in events[5:8]:  # merged twins: off the timeline
            index.db.execute("INSERT INTO event_merges VALUES(?,?,?)", (ev.event_id, events[0].event_id, "test"))
    return index


def _timeline(index: Index, people: People, superseded: set[str]) -> list[Event]:
    resolver = Resolver(people, index.threads())
    return [resolver.resolve(ev) for ev in index.iter_events() if ev.source.sha256 not in superseded]


@pytest.mark.parametrize("tz_name", ZONES)
def test_set_based_conduct_equals_the_per_event_summary(tmp_path: Path, tz_name: str) -> None:
    index = _index(tmp_path, _events(random.Random(tz_name), 1500))
    people, tz = _people(), zone(tz_name)
    bursts = 0
    for opts in OPTIONS:
        for superseded in (set(), {SHAS[2]}):
            want = course_of_conduct(_timeline(index, people, superseded), people, tz, opts)
            got = course_of_conduct_indexed(index, Resolver(people, index.threads()), people, tz, opts,
                                            superseded=superseded)
            assert got is not None
            assert got == want
            assert [s.to_dict() for s in got] == [s.to_dict() for s in want]
            bursts += sum(len(s.missed_call_bursts) for s in want)
    mark = want[0]
    # The planted patterns are reached, so the equality above compares real figures.
    assert mark.total_contacts.value > 50 and mark.replies.value > 10 and mark.unanswered.value > 0
    assert bursts and mark.stop_suggestions and mark.via_third_parties.value > 0
    assert mark.undated_contacts.value > 0 and mark.after_stop and mark.trend.change_week
    assert any(not i.isalnum() for s in want for i in s.total_contacts.event_ids)  # odd ids too


def test_no_subject_and_fallbacks(tmp_path: Path) -> None:
    events = _events(random.Random(5), 200)
    index = _index(tmp_path, events)
    tz = zone("UTC")
    nobody = People([], "GB")
    assert course_of_conduct_indexed(index, Resolver(nobody, index.threads()), nobody, tz) == []
    people = _people()
    dated = next(ev for ev in events if ev.timestamp is not None and ev.kind in CONTACT_KINDS)
    with index.transaction() as db:
        db.execute("UPDATE events SET timestamp='2025-01-01T00:00:00.123456Z' WHERE event_id=?", (dated.event_id,))
    # A time not in this tool's form: the caller reads the timeline instead.
    assert course_of_conduct_indexed(index, Resolver(people, index.threads()), people, tz) is None
    assert hour_weekday_indexed(index, Resolver(people, index.threads()), tz) is None


@pytest.mark.parametrize("tz_name", ZONES)
def test_set_based_heat_map_equals_the_per_event_count(tmp_path: Path, tz_name: str) -> None:
    index = _index(tmp_path, _events(random.Random(tz_name + "h"), 1200))
    people, tz = _people(), zone(tz_name)
    for superseded in (set(), {SHAS[0]}):
        timeline = _timeline(index, people, superseded)
        for person in ("", "Mark Kell", "Dana Okafor"):
            for direction in ("incoming", "outgoing", ""):
                want = hour_weekday_matrix(timeline, tz, person=person, direction=direction)
                got = hour_weekday_indexed(index, Resolver(people, index.threads()), tz, person=person,
                                           direction=direction, superseded=superseded)
                assert got == want, (person, direction)
        assert hour_weekday_matrix(timeline, tz, person="Mark Kell").total > 20


def test_event_ids_read_on_demand_compare_as_the_tuple() -> None:
    column = IdColumn()
    ids = ["0123456789abcdef0123456789abcdef", "E-1", "0123456789ABCDEF0123456789ABCDEF", "ffff" * 8, "zz" * 16]
    for i in ids:
        column.append(i)
    assert [column[i] for i in range(len(ids))] == ids
    everything = EventIds(column, range(len(ids)))
    assert everything == tuple(ids) and tuple(ids) == everything and list(everything) == ids
    assert everything[1:3] == ("E-1", ids[2]) and everything[-1] == ids[-1] and len(everything) == 5
    picked = EventIds(column, positions([4, 0]))
    assert picked == (ids[4], ids[0]) and picked != (ids[0], ids[4]) and picked.__add__(("x",)) == (ids[4], ids[0], "x")
    assert hash(picked) == hash((ids[4], ids[0])) and EventIds(column, positions()) == ()
    with pytest.raises(IndexError):
        column[5]


def test_set_based_marker_effects_equal_the_per_event_ones(tmp_path: Path) -> None:
    from cyberevidence.analysis.identities import IdentitySuggestion
    from cyberevidence.analysis.markers import marker_effects, marker_effects_indexed
    from cyberevidence.records import make_marker

    index = _index(tmp_path, _events(random.Random("markers"), 1500))
    people, london = _people(), zone("Europe/London")
    markers = [
        make_marker("blocked", "2025-06-01T10:00", london),
        make_marker("stop_request", "2025-09-15", london, person="Dana Okafor"),
        make_marker("court_date", "2025-12-01T09:30", london, person="Mark Kell"),
        make_marker("police_warning", "2026-01-10", london, person="Ann"),
    ]
    new_account = IdentitySuggestion("S1", "whatsapp", "Stranger", "Mark Kell", "new account after a stop", "test", "low")
    other = IdentitySuggestion("S2", "sms", "Stranger", "Mark Kell", "same display name", "test", "low")
    subjects = ["Mark Kell", "Dana Okafor"]
    for superseded in (set(), {SHAS[1]}):
        want = marker_effects(markers, _timeline(index, people, superseded), subjects, [new_account, other])
        got = marker_effects_indexed(index, Resolver(people, index.threads()), markers, subjects, [new_account, other],
                                     superseded=superseded)
        assert got == want
        assert [e.to_dict() for e in got] == [e.to_dict() for e in want]
    assert want[0].before and want[0].after and any(b.attribution == "suggested" for b in want[0].breaches)
    assert not want[2].breaches and want[2].after  # a court date is not a boundary
    assert marker_effects_indexed(index, Resolver(people, index.threads()), [], subjects) == []
