"""Undated is a first-class state (issue 17 item 2; docs/events.md "Undated events").

A case with dated and undated e-mails: the undated ones carry no invented instant in any export,
come after every dated event, are listed in the report's own section and stated in the conduct
summary, and are left out of every time-based figure with their count stated.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import cyberevidence as ce
from cyberevidence.analysis.contacts import contact_frequency, hour_weekday_matrix, period_label
from cyberevidence.analysis.undated import UndatedTally, count_undated, excluded_note
from cyberevidence.events import Event, SourceRef
from cyberevidence.exporters.case_uco import case_uco_document
from cyberevidence.exporters.timeline import write_timeline_csv, write_timeline_jsonl
from cyberevidence.exporters.timesketch import timesketch_record
from cyberevidence.timeutil import zone
from cyberevidence_cli.conduct_text import write_conduct_text

MARK = "mark@example.org"
SARAH = "sarah@example.com"


def _mail(sender: str, to: str, subject: str, date: str | None) -> str:
    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: <{subject.replace(' ', '.')}@example.org>\n"
    if date:
        head += f"Date: {date}\n"
    return head + f"Content-Type: text/plain; charset=utf-8\n\n{subject} body\n"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> ce.Case:
    tmp = tmp_path_factory.mktemp("undated")
    mails = tmp / "mails"
    mails.mkdir()
    (mails / "a.eml").write_text(_mail(MARK, SARAH, "first dated", "Tue, 04 Mar 2025 23:30:00 +0000"), encoding="utf-8")
    (mails / "b.eml").write_text(_mail(MARK, SARAH, "second dated", "Wed, 05 Mar 2025 10:00:00 +0000"), encoding="utf-8")
    (mails / "c.eml").write_text(_mail(MARK, SARAH, "no date at all", None), encoding="utf-8")
    (mails / "d.eml").write_text(_mail(SARAH, MARK, "undated reply", None), encoding="utf-8")
    people = tmp / "people.toml"
    people.write_text(
        f'[[person]]\nname = "Sarah Jones"\nrole = "victim"\nhandles = ["email:{SARAH}"]\n'
        f'[[person]]\nname = "Mark Kell"\nrole = "subject"\nhandles = ["email:{MARK}"]\n',
        encoding="utf-8",
    )
    c = ce.Case.create(tmp / "case", examiner="Test Examiner", timezone="Europe/London")
    c.load_people(people)
    c.add(mails)
    return c


def test_event_model_has_no_instant() -> None:
    ev = Event(timestamp=None, platform="email", kind="email", source=SourceRef("0" * 64, "message"), text="x")
    assert ev.undated and ev.timestamp_utc == ""
    record = ev.to_record()
    assert record["timestamp"] is None and record["undated"] is True
    back = Event.from_record(record)
    assert back.timestamp is None and back.fingerprint() == ev.fingerprint()
    dated = Event.from_record({**record, "timestamp": "2025-03-04T23:30:00Z", "undated": None})
    assert "undated" not in dated.to_record() and dated.fingerprint() != ev.fingerprint()
    with pytest.raises(ValueError):
        period_label(ev, "day", zone("Europe/London"))
    with pytest.raises(ValueError):
        timesketch_record(ev)


def test_timeline_order_and_exports(case: ce.Case) -> None:
    events = list(case.timeline())
    assert [e.undated for e in events] == [False, False, True, True]  # undated after every dated event
    undated_ids = sorted(e.event_id for e in events if e.undated)
    assert [e.event_id for e in events[2:]] == undated_ids  # then by event id (the stated order)
    assert all(e.timestamp is None and not e.time_ambiguous and "undated" in e.time_note for e in events[2:])
    assert sum(w.code == "no_date" for w in case.warnings()) == 2
    assert [e.undated for e in case.timeline(since="2025-01-01")] == [False, False]  # a time bound leaves them out

    jsonl = io.StringIO()
    write_timeline_jsonl(case.timeline(), jsonl)
    records = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    assert [r["timestamp"] is None for r in records] == [False, False, True, True]
    assert [r["undated"] for r in records] == [False, False, True, True]  # always present (record version 2)
    schema = ce.event_schema()
    assert schema["properties"]["timestamp"]["type"] == ["string", "null"] and "undated" in schema["properties"]

    out = io.StringIO()
    write_timeline_csv(case.timeline(), out, tz=zone(case.info["timezone"]))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["timestamp"] == "", r["datetime"] == "", r["undated"]) for r in rows] == [
        (False, False, "false"),
        (False, False, "false"),
        (True, True, "true"),
        (True, True, "true"),
    ]

    tally = UndatedTally()
    sketch = io.StringIO()
    assert ce.write_timeline_timesketch(case.timeline(), sketch, undated=tally) == 2
    assert tally.total == 2 and tally.contacts == 2 and {e.event_id for e in tally.events} == set(undated_ids)
    assert all(json.loads(line)["datetime"] for line in sketch.getvalue().splitlines())

    graph = case_uco_document(case)["@graph"]
    messages = [n for n in graph if n.get("@type") == "uco-observable:Message"]
    undated_nodes = [n for n in messages if "undated" in n["uco-core:description"]]
    assert len(messages) == 4 and len(undated_nodes) == 2
    assert all("uco-observable:sentTime" not in n["uco-core:hasFacet"][0] for n in undated_nodes)
    assert all("uco-observable:sentTime" in n["uco-core:hasFacet"][0] for n in messages if n not in undated_nodes)

    for text in (jsonl.getvalue(), out.getvalue(), sketch.getvalue(), json.dumps(graph)):
        assert "1970" not in text


def test_figures_leave_undated_out_and_say_so(case: ce.Case) -> None:
    tz = zone("Europe/London")
    events = list(case.timeline())
    assert count_undated(events) == 2
    assert sum(r.total for r in contact_frequency(events, "day", tz)) == 2
    assert hour_weekday_matrix(events, tz, direction="").total == 2
    assert excluded_note(2) == (
        "2 undated contacts (the source gives no time) are not in these figures; they are listed under 'Undated events'."
    )
    assert excluded_note(0) == ""

    (s,) = case.conduct()
    assert s.total_contacts.value == 2 and s.distinct_days.value == 2 and s.replies.value == 0
    assert s.night_contacts.value == 1 and s.unanswered.value == 2
    assert s.undated_contacts.value == 1 and s.undated_replies.value == 1
    assert s.to_dict()["undated_contacts"]["event_ids"] == list(s.undated_contacts.event_ids)
    assert s.first_contact is not None and s.first_contact.when == "2025-03-04T23:30:00Z"

    text = io.StringIO()
    write_conduct_text([s], text)
    conduct = text.getvalue()
    assert "Undated: 1 contact from Mark Kell and 1 reply have no time in their source" in conduct
    assert s.undated_contacts.event_ids[0] in conduct and "1970" not in conduct


def test_report_lists_undated(case: ce.Case) -> None:
    html = ce.build_report(case, generated_at="2026-01-01T00:00:00Z")
    assert '<section id="undated"' in html and "<strong>2</strong> events (2 of them contacts) have no time" in html
    section = html.split('<section id="undated"', 1)[1].split("</section>", 1)[0]
    undated = [e for e in case.timeline() if e.undated]
    assert all(e.event_id in section for e in undated) and "no date at all" in section
    assert "1 undated incoming contacts (the source gives no time) are not in these figures" in html  # the chart
    assert "have no time in their source and are not in any figure below" in html  # the conduct section (conduct.txt's words)
    assert '<a href="#undated" class="tag">undated</a>' in html  # the timeline table's time cell
    assert "1970" not in html


def test_index_digest_and_verify(case: ce.Case) -> None:
    assert case.verify().exit_code == 0


def test_pack_conduct_states_undated(case: ce.Case) -> None:
    from cyberevidence.pack.build import _conduct_md
    from cyberevidence.timeutil import zone

    (s,) = case.conduct()
    text = _conduct_md([s], [], {"available": False, "note": "", "confirmed": []}, zone("UTC"), {})
    (line,) = [x for x in text.splitlines() if x.startswith("- Undated:")]
    assert line.startswith("- Undated: 1 contact from Mark Kell and 1 reply have no time in their source")
    assert s.undated_contacts.event_ids[0] in line and s.undated_replies.event_ids[0] in line
