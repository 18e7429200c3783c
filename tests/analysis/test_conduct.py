"""Course of conduct on a planted pattern: every figure asserted exactly.

The pattern (Europe/London, March 2025, all GMT):
* week 1 (W10): Mark messages on WhatsApp at noon on 3, 4 and 5 March;
* week 2 (W11): twice a day on 10 and 11 March; Sarah replies "Please stop contacting me." at
  12:10 on the 10th and blocks him (stop date 11 March in the people file);
* week 3 (W12): he moves to Telegram (noon, 17–21 March) and calls at night: missed calls at
  23:00, 23:05 and 23:10 on the 18th (a burst) and 01:00 and 01:40 on the 19th (not a burst);
  a friend relays "Mark asked me to tell you he misses you" on the 20th;
* week 4 (W13): Telegram at noon on 24 and 25 March.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cyberevidence.analysis.conduct import ConductOptions, course_of_conduct
from cyberevidence.events import Event, SourceRef
from cyberevidence.people import people_from_data

LONDON = ZoneInfo("Europe/London")
PEOPLE = people_from_data(
    {
        "person": [
            {"name": "Sarah Jones", "role": "victim"},
            {"name": "Mark Kell", "role": "subject", "handles": ["telegram:markk"], "stop_dates": ["2025-03-11"]},
            {"name": "Jo Friend", "role": "other"},
        ]
    },
    "GB",
)


def _ev(
    n: int,
    day: int,
    hh: int,
    mm: int,
    platform: str,
    kind: str = "message",
    *,
    direction: str = "incoming",
    person: str = "Mark Kell",
    text: str = "hi",
    call_type: str = "",
) -> Event:
    return Event(
        timestamp=datetime(2025, 3, day, hh, mm, tzinfo=timezone.utc),
        platform=platform,
        kind=kind,
        source=SourceRef("a" * 64, f"line {n}"),
        text=text,
        direction=direction,
        person=person,  # type: ignore[arg-type]
        call_type=call_type,
        event_id=f"e{n:02d}",
    )


def _planted() -> list[Event]:
    evs = [_ev(1, 3, 12, 0, "whatsapp"), _ev(2, 4, 12, 0, "whatsapp"), _ev(3, 5, 12, 0, "whatsapp")]
    evs += [
        _ev(4, 10, 12, 0, "whatsapp"),
        _ev(5, 10, 12, 30, "whatsapp"),
        _ev(6, 11, 12, 0, "whatsapp"),
        _ev(7, 11, 12, 30, "whatsapp"),
    ]
    evs.append(_ev(8, 10, 12, 10, "whatsapp", direction="outgoing", text="Please stop contacting me."))
    evs += [_ev(10 + d, d, 12, 0, "telegram") for d in (17, 18, 19, 20, 21)]
    evs += [_ev(40 + i, 18, 23, 5 * i, "phone", "call", call_type="missed", text="") for i in range(3)]
    evs += [
        _ev(50, 19, 1, 0, "phone", "call", call_type="missed", text=""),
        _ev(51, 19, 1, 40, "phone", "call", call_type="missed", text=""),
    ]
    evs.append(_ev(60, 20, 15, 0, "whatsapp", person="Jo Friend", text="Mark asked me to tell you he misses you"))
    evs += [_ev(70, 24, 12, 0, "telegram"), _ev(71, 25, 12, 0, "telegram")]
    return sorted(evs, key=lambda e: e.timestamp)


def test_every_figure_of_the_planted_pattern() -> None:
    (s,) = course_of_conduct(_planted(), PEOPLE, LONDON)
    assert s.subject == "Mark Kell"
    assert s.first_contact is not None and (s.first_contact.when, s.first_contact.event_ids) == ("2025-03-03T12:00:00Z", ("e01",))
    assert s.last_contact is not None and (s.last_contact.when, s.last_contact.event_ids) == ("2025-03-25T12:00:00Z", ("e71",))
    assert s.total_contacts.value == 19 and len(s.total_contacts.event_ids) == 19
    assert s.by_kind == {"call": 5, "message": 14}
    assert (s.replies.value, s.replies.event_ids) == (1, ("e08",))
    assert s.distinct_days.value == 12
    assert s.longest_run is not None
    assert (s.longest_run.start, s.longest_run.end, s.longest_run.days) == ("2025-03-17", "2025-03-21", 5)
    assert len(s.longest_run.event_ids) == 10
    assert s.busiest_day is not None and (s.busiest_day.when, s.busiest_day.value) == ("2025-03-18", 4)
    assert set(s.busiest_day.event_ids) == {"e28", "e40", "e41", "e42"}
    assert [(w.when, w.value) for w in s.trend.weeks] == [("2025-W10", 3), ("2025-W11", 4), ("2025-W12", 10), ("2025-W13", 2)]
    assert s.trend.slope_per_week == 0.3
    assert (s.trend.change_week, s.trend.mean_before, s.trend.mean_after) == ("2025-W12", 3.5, 6.0)
    assert (s.night_contacts.value, set(s.night_contacts.event_ids)) == (5, {"e40", "e41", "e42", "e50", "e51"})
    assert s.unanswered.value == 18 and "e04" not in s.unanswered.event_ids
    assert [(b.when, b.value, b.event_ids) for b in s.missed_call_bursts] == [("2025-03-18T23:00:00Z", 3, ("e40", "e41", "e42"))]
    assert [(p.platform, p.first_used, p.contacts) for p in s.platforms] == [
        ("whatsapp", "2025-03-03T12:00:00Z", 7),
        ("telegram", "2025-03-17T12:00:00Z", 7),
        ("phone", "2025-03-18T23:00:00Z", 5),
    ]
    (stop,) = s.after_stop
    assert (stop.stop_date, stop.source, stop.before, stop.after.value) == ("2025-03-11", "people file", 5, 14)
    assert stop.after_by_platform == {"phone": 5, "telegram": 7, "whatsapp": 2}
    assert [(x.event_id, x.text) for x in s.stop_suggestions] == [("e08", "Please stop contacting me.")]
    assert (s.via_third_parties.value, s.via_third_parties.event_ids) == (1, ("e60",))


def test_options_change_the_stated_thresholds() -> None:
    opts = ConductOptions(
        night_start=23,
        night_end=1,
        burst_calls=2,
        burst_minutes=45,
        unanswered_hours=24 * 30,
        stop_dates={"Mark Kell": ("2025-03-17",)},
    )
    (s,) = course_of_conduct(_planted(), PEOPLE, LONDON, opts)
    assert s.night_contacts.value == 3  # 23:00-00:59 only
    assert [(b.when, b.value) for b in s.missed_call_bursts] == [("2025-03-18T23:00:00Z", 3), ("2025-03-19T01:00:00Z", 2)]
    assert s.unanswered.value == 15  # everything before the reply within 30 days is answered
    assert [(x.stop_date, x.source, x.after.value) for x in s.after_stop] == [
        ("2025-03-11", "people file", 14),
        ("2025-03-17", "given", 12),
    ]


def test_to_dict_is_json_ready() -> None:
    import json

    (s,) = course_of_conduct(_planted(), PEOPLE, LONDON)
    data = json.loads(json.dumps(s.to_dict()))
    assert data["total_contacts"]["value"] == 19 and data["trend"]["change_week"] == "2025-W12"


def test_hour_weekday_matrix_in_local_time() -> None:
    from cyberevidence.analysis.contacts import hour_weekday_matrix

    m = hour_weekday_matrix(_planted(), LONDON, person="Mark Kell")
    assert m.total == 19
    assert m.counts[1][23] == 3  # Tuesday 18 March, 23:00-23:10
    assert m.counts[2][1] == 2  # Wednesday 19 March, 01:00 and 01:40
    assert m.counts[0][12] == 5  # Mondays at noon: 3, 10 (12:00 and 12:30), 17 and 24 March
    assert m.to_dict()["weekdays"][0] == "Mon"
