"""Contacts counted by SQLite over the index give exactly the rows of the per-event Python count."""

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cyberevidence.analysis.contacts import (
    CONTACT_KINDS,
    PERIODS,
    contact_frequency,
    contact_frequency_indexed,
    resolver_extra,
)
from cyberevidence.analysis.resolve import Resolver
from cyberevidence.events import Event, EventIdAssigner, SourceRef
from cyberevidence.people import People, people_from_data
from cyberevidence.store.index import Index
from cyberevidence.timeutil import zone

ZONES = (
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
    "America/Sao_Paulo",
)
#: Instants near offset changes (UTC), so buckets straddle local days and hours.
EDGES = (
    datetime(2025, 3, 30, 1, tzinfo=timezone.utc),
    datetime(2025, 10, 26, 1, tzinfo=timezone.utc),
    datetime(2025, 4, 5, 15, tzinfo=timezone.utc),
    datetime(2025, 10, 4, 15, 30, tzinfo=timezone.utc),
    datetime(2025, 11, 2, 5, 30, tzinfo=timezone.utc),
    datetime(2025, 12, 31, 18, 15, tzinfo=timezone.utc),
)
SHAS = [c * 64 for c in "abc"]


def _people() -> People:
    data = {
        "person": [
            {"name": "Jo", "role": "victim", "handles": ["whatsapp:Jo", "telegram:user1"]},
            {"name": "Mark Kell", "role": "subject", "phones": ["+44 7700 900123"], "handles": ["telegram:user555"]},
            {"name": "Ann", "role": "witness", "emails": ["ann@example.net"]},
        ]
    }
    return people_from_data(data, "GB", "test people")


def _events(rng: random.Random, n: int) -> list[Event]:
    ids = EventIdAssigner()
    senders = ["Jo", "Mark", "Mark Kell", "+44 7700 900123", "07700 900123", "ann@example.net", "", "Stranger", "user555"]
    extras: list[dict[str, Any]] = [
        {},
        {"chat_type": "personal_chat", "chat_id": 555},
        {"chat_type": "personal_chat", "chat_id": "555"},
        {"chat_type": "bot_chat", "chat_id": True},
        {"from_id": "user555"},
        {"from_id": 123456789012345678901234567890},
        {"chat_jid": "447700900123@s.whatsapp.net"},
        {"thread_from": "file name"},
        {"sender_username": "mk", "unrelated": "x"},
    ]
    out = []
    for i in range(n):
        if rng.random() < 0.03:
            moment = None
        elif rng.random() < 0.5:
            moment = rng.choice(EDGES) + timedelta(seconds=rng.randint(-4 * 3600, 4 * 3600))
        else:
            moment = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
        if moment is not None and rng.random() < 0.3:
            moment += timedelta(milliseconds=rng.randint(1, 999))
        ev = Event(
            timestamp=moment,
            platform=rng.choice(["whatsapp", "telegram", "sms", "email"]),
            kind=rng.choice([*sorted(CONTACT_KINDS), "system", "diary"]),
            source=SourceRef(rng.choice(SHAS), f"line {i}"),
            sender=rng.choice(senders),
            recipients=rng.choice([[], ["Jo"], ["+44 7700 900123"], ["Jo", "Ann"], ["ann@example.net"]]),
            text=f"message {i}",
            thread=rng.choice(["", "Mark Kell", "+447700900123", "group", "WhatsApp Chat with Mark.txt"]),
            direction=rng.choice(["incoming", "outgoing", "unknown"]),
            extra=dict(rng.choice(extras)),
        )
        out.append(ids.assign(ev))
    return out


def _index(tmp_path: Path, events: list[Event]) -> Index:
    index = Index(tmp_path / "index.sqlite")
    with index.transaction():
        index.add_events(events)
        # Two merged twins: off the timeline, so off the counts.
        for ev in events[5:7]:
            index.db.execute("INSERT INTO event_merges VALUES(?,?,?)", (ev.event_id, events[0].event_id, "test"))
    return index


def _python(index: Index, people: People, by: Any, tz_name: str, person: str | None, superseded: set[str]) -> Any:
    resolver = Resolver(people, index.threads())
    timeline = (resolver.resolve(ev) for ev in index.iter_events() if ev.source.sha256 not in superseded)
    return contact_frequency((ev for ev in timeline if not person or ev.person == person), by, zone(tz_name))


@pytest.mark.parametrize("tz_name", ZONES)
def test_sql_count_equals_the_python_count(tmp_path: Path, tz_name: str) -> None:
    rng = random.Random(tz_name)
    index = _index(tmp_path, _events(rng, 700))
    people = _people()
    for by in PERIODS:
        for person, superseded in ((None, set()), ("Mark Kell", set()), (None, {SHAS[1]})):
            want = _python(index, people, by, tz_name, person, superseded)
            got = contact_frequency_indexed(
                index, Resolver(people, index.threads()), by, zone(tz_name), person=person, superseded=superseded  # type: ignore[arg-type]
            )
            assert got == want, (by, person, superseded)
            assert want  # the data does reach every period kind


def test_no_people_file_and_empty_index(tmp_path: Path) -> None:
    index = _index(tmp_path, _events(random.Random(7), 300))
    people = People([], "GB")
    got = contact_frequency_indexed(index, Resolver(people, index.threads()), "day", zone("Europe/London"))
    assert got == _python(index, people, "day", "Europe/London", None, set())
    empty = Index(tmp_path / "empty.sqlite")
    assert contact_frequency_indexed(empty, Resolver(people, {}), "week", zone("UTC")) == []


def test_a_timestamp_not_in_the_tools_form_falls_back(tmp_path: Path) -> None:
    events = _events(random.Random(3), 50)
    index = _index(tmp_path, events)
    dated = next(ev for ev in events if ev.timestamp is not None and ev.kind in CONTACT_KINDS)
    with index.transaction() as db:
        db.execute("UPDATE events SET timestamp='2025-01-01T00:00:00.123456Z' WHERE event_id=?", (dated.event_id,))
    people = _people()
    assert contact_frequency_indexed(index, Resolver(people, index.threads()), "day", zone("UTC")) is None
    with pytest.raises(ValueError):
        contact_frequency_indexed(index, Resolver(people, index.threads()), "year", zone("UTC"))  # type: ignore[arg-type]


class _Recording(dict[str, Any]):
    read: ClassVar[set[str]] = set()

    def get(self, key: str, default: Any = None) -> Any:
        _Recording.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        _Recording.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        _Recording.read.add(str(key))
        return super().__contains__(key)


def test_resolution_reads_only_the_extra_fields_the_sql_key_holds() -> None:
    """If person resolution starts reading another ``extra`` field, the SQL key must hold it too."""
    people = _people()
    resolver = Resolver(people, {"whatsapp\x1fgroup": {"Mark", "Jo"}})
    for ev in _events(random.Random(11), 400):
        ev.extra = _Recording(ev.extra)
        resolver.resolve(ev)
    assert _Recording.read <= set(resolver_extra())
