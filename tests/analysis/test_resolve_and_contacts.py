from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cyberevidence.analysis.contacts import contact_frequency
from cyberevidence.analysis.resolve import Resolver
from cyberevidence.events import Event, SourceRef
from cyberevidence.people import people_from_data

SRC = SourceRef("a" * 64, "line 1")
PEOPLE = people_from_data(
    {
        "person": [
            {"name": "Sarah Jones", "role": "victim", "handles": ["whatsapp:Sarah"]},
            {"name": "Mark Kell", "role": "subject", "phones": ["+44 7700 900123"], "handles": ["whatsapp:Mark"]},
        ]
    },
    "GB",
)


def ev(sender: str, when: datetime, thread: str = "chat", kind: str = "message") -> Event:
    return Event(timestamp=when, platform="whatsapp", kind=kind, source=SRC, sender=sender, thread=thread)


def test_direction_and_person_from_people_file() -> None:
    threads = {"whatsapp\x1fchat": {"Sarah", "Mark"}}
    r = Resolver(PEOPLE, threads)
    t = datetime(2025, 1, 1, tzinfo=timezone.utc)
    incoming = r.resolve(ev("Mark", t))
    assert (incoming.direction, incoming.person) == ("incoming", "Mark Kell")
    outgoing = r.resolve(ev("Sarah", t))
    assert (outgoing.direction, outgoing.person) == ("outgoing", "Mark Kell")  # the 1:1 thread's other party
    by_number = r.resolve(ev("07700 900123", t))
    assert (by_number.direction, by_number.person) == ("incoming", "Mark Kell")


def test_without_a_victim_direction_stays_unknown() -> None:
    people = people_from_data({"person": [{"name": "Mark Kell", "role": "subject", "handles": ["whatsapp:Mark"]}]}, "GB")
    e = Resolver(people, {}).resolve(ev("Mark", datetime(2025, 1, 1, tzinfo=timezone.utc)))
    assert (e.direction, e.person) == ("unknown", "Mark Kell")


def test_contact_frequency_cuts_days_in_local_time() -> None:
    london = ZoneInfo("Europe/London")
    r = Resolver(PEOPLE, {"whatsapp\x1fchat": {"Sarah", "Mark"}})
    events = [
        r.resolve(e)
        for e in [
            ev("Mark", datetime(2025, 7, 1, 22, 30, tzinfo=timezone.utc)),  # 23:30 BST, 1 July
            ev("Mark", datetime(2025, 7, 1, 23, 30, tzinfo=timezone.utc)),  # 00:30 BST, 2 July
            ev("Sarah", datetime(2025, 7, 2, 8, 0, tzinfo=timezone.utc)),
            ev("", datetime(2025, 7, 2, 8, 0, tzinfo=timezone.utc), kind="system"),  # not a contact
        ]
    ]
    rows = [r.to_dict() for r in contact_frequency(events, "day", london)]
    assert rows == [
        {"person": "Mark Kell", "period": "2025-07-01", "platform": "whatsapp", "incoming": 1, "outgoing": 0, "total": 1},
        {"person": "Mark Kell", "period": "2025-07-02", "platform": "whatsapp", "incoming": 1, "outgoing": 1, "total": 2},
    ]
    weeks = contact_frequency(events, "week", london)
    assert [(w.period, w.total) for w in weeks] == [("2025-W27", 3)]


def test_a_direction_the_source_states_is_kept() -> None:
    """An SMS the phone sent has no sender handle; the backup's type=2 says it is outgoing."""
    t = datetime(2025, 1, 1, tzinfo=timezone.utc)
    sent = Event(timestamp=t, platform="sms", kind="message", source=SRC, recipients=["07700 900123"], direction="outgoing")
    people = people_from_data({"person": [{"name": "Mark Kell", "role": "subject", "phones": ["+44 7700 900123"]}]}, "GB")
    e = Resolver(people, {}).resolve(sent)
    assert (e.direction, e.person) == ("outgoing", "Mark Kell")
    received = Event(timestamp=t, platform="sms", kind="message", source=SRC, sender="+447700900123", direction="incoming")
    e2 = Resolver(people, {}).resolve(received)
    assert (e2.direction, e2.person) == ("incoming", "Mark Kell")
