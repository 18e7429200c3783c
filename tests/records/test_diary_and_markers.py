"""The victim's diary (versions kept, tamper-evident), markers, and breaches after a boundary."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import cyberevidence as ce

PEOPLE = """
[[person]]
name = "Sarah Jones"
role = "victim"
handles = ["whatsapp:Sarah Jones"]

[[person]]
name = "Mark Kell"
role = "subject"
handles = ["whatsapp:Mark Kell"]
"""

CHAT = """01/03/2025, 10:00 - Mark Kell: Why won't you answer
05/03/2025, 21:00 - Mark Kell: I'm outside
12/03/2025, 09:00 - Mark Kell: You can't block me forever
"""
NEW_ACCOUNT = """14/03/2025, 22:30 - Unknown Number Two: it's me, new number
20/03/2025, 23:10 - Unknown Number Two: answer me
"""


@pytest.fixture
def case(tmp_path: Path) -> ce.Case:
    c = ce.Case.create(tmp_path / "case", examiner="Alex Advocate", timezone="Europe/London")
    people = tmp_path / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    c.load_people(people)
    return c


def _add_chat(case: ce.Case, tmp_path: Path, name: str, text: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    path = folder / f"WhatsApp Chat with {name}.txt"
    path.write_text(text, encoding="utf-8")
    case.add(path, timezone="Europe/London", date_order="dmy")


def test_diary_edits_keep_every_version_and_tampering_is_caught(case: ce.Case) -> None:
    entry = case.diary_add(
        "2025-03-05 21:00",
        "He was outside my flat",
        place="Home",
        impact="Could not sleep",
        person="Mark Kell",
        actor="Sarah Jones",
    )
    assert entry.version == 1 and entry.happened_at_utc == "2025-03-05T21:00:00Z"
    edited = case.diary_edit(entry.entry_id, what_happened="He was outside my flat for an hour", actor="Sarah Jones")
    assert edited.version == 2 and edited.place == "Home"
    history = case.diary_history(entry.entry_id)
    assert [r.record.version for r in history] == [1, 2]
    assert history[1].record.supersedes == history[0].sha256
    assert [e.what_happened for e in case.diary()] == ["He was outside my flat for an hour"]
    diary_events = [e for e in case.timeline() if e.kind == "diary"]
    assert [(e.text, e.sender, e.extra["victims_account"]) for e in diary_events] == [
        ("He was outside my flat for an hour", "victim's diary", True)
    ]
    records = [e for e in case.custody.entries() if e.action == "record"]
    assert [(e.actor, e.details["version"]) for e in records] == [("Sarah Jones", 1), ("Sarah Jones", 2)]
    assert case.verify().exit_code == 0

    stored = case.store.path_for(history[0].sha256)
    os.chmod(stored, 0o644)
    stored.write_bytes(stored.read_bytes().replace(b"outside my flat", b"outside my shop"))
    report = case.verify()
    assert report.exit_code == 1
    assert any(history[0].sha256 in str(p) for p in report.problems)


def test_a_block_then_a_new_account_is_a_breach_with_an_attribution_suggestion(case: ce.Case, tmp_path: Path) -> None:
    _add_chat(case, tmp_path, "Mark Kell", CHAT)
    case.add_marker("blocked", "2025-03-12 20:00", person="Mark Kell", platform="whatsapp", account="Mark Kell")
    _add_chat(case, tmp_path, "Unknown Number Two", NEW_ACCOUNT)
    (sug,) = case.suggestions()
    assert (sug.handle, sug.person, sug.reason) == ("Unknown Number Two", "Mark Kell", "new account after a stop")
    (effect,) = case.marker_effects()
    assert (effect.before, effect.after) == (3, 0)  # the linked account went quiet after the block...
    breaches = [(b.timestamp, b.account, b.attribution) for b in effect.breaches]
    assert breaches == [  # ...and a new account started two days later
        ("2025-03-14T22:30:00Z", "whatsapp:Unknown Number Two", "suggested"),
        ("2025-03-20T23:10:00Z", "whatsapp:Unknown Number Two", "suggested"),
    ]
    case.accept_suggestion(sug.id)
    (effect,) = case.marker_effects()
    assert [(b.account, b.attribution) for b in effect.breaches] == [
        ("whatsapp:Unknown Number Two", "linked"),
        ("whatsapp:Unknown Number Two", "linked"),
    ]
    (conduct,) = case.conduct()
    assert [(s.stop_date, s.source, s.after.value) for s in conduct.after_stop] == [("2025-03-12T20:00:00Z", "marker", 2)]


def test_an_order_marker_lists_every_later_contact(case: ce.Case, tmp_path: Path) -> None:
    _add_chat(case, tmp_path, "Mark Kell", CHAT)
    case.diary_add("2025-03-04 12:00", "Stalking protection order served on him", marker_type="order_served", person="Mark Kell")
    (effect,) = case.marker_effects()
    assert effect.marker.source.startswith("diary:") and effect.is_boundary
    assert (effect.before, effect.after) == (1, 2)
    assert [b.timestamp for b in effect.breaches] == ["2025-03-05T21:00:00Z", "2025-03-12T09:00:00Z"]
    markers = [e for e in case.timeline() if e.kind == "marker"]
    assert [e.text for e in markers] == ["order served: Stalking protection order served on him"]


def test_diary_csv_round_trip_adds_then_edits(case: ce.Case, tmp_path: Path) -> None:
    sheet = tmp_path / "diary.csv"
    sheet.write_text(
        "happened_at,what_happened,place\n2025-03-01 08:00,Car followed me to work,A road\n"
        "2025-03-02 18:30,\"=cmd|' /C calc'!A0\",Gym\n",
        encoding="utf-8",
    )
    assert case.diary_import_csv(sheet) == (2, 0)
    out = io.StringIO()
    ce.write_diary_csv(case.diary(), out)
    exported = tmp_path / "exported.csv"
    exported.write_text(out.getvalue().replace("Car followed me to work", "A grey car followed me to work"), encoding="utf-8")
    assert "'=cmd" in out.getvalue()  # formula defused on the way out
    assert case.diary_import_csv(exported) == (0, 1)
    assert [e.what_happened for e in case.diary()] == ["A grey car followed me to work", "=cmd|' /C calc'!A0"]
    assert [len(case.diary_history(e.entry_id)) for e in case.diary()] == [2, 1]


def test_rebuild_keeps_the_record(case: ce.Case) -> None:
    case.diary_add("2025-03-05 21:00", "Outside my flat")
    case.add_marker("stop_request", "2025-03-06 09:00", person="Mark Kell", note="told him by text")
    before = [(e.event_id, e.kind, e.text) for e in case.timeline()]
    case.rebuild()
    assert [(e.event_id, e.kind, e.text) for e in case.timeline()] == before
    assert case.verify().exit_code == 0


def test_bad_records_are_refused_clearly(case: ce.Case) -> None:
    with pytest.raises(ce.RecordError, match="not a date"):
        case.diary_add("yesterday", "something")
    with pytest.raises(ce.RecordError, match="marker type"):
        case.add_marker("sulked", "2025-03-01 10:00")


def test_diary_entries_are_not_accounts_or_messages(case: ce.Case) -> None:
    case.add_marker("stop_request", "2025-03-01 09:00", person="Mark Kell")
    case.diary_add("2025-03-05 21:00", "He was outside my flat", person="Mark Kell")
    (entry,) = [e for e in case.timeline() if e.kind == "diary"]
    assert (entry.direction, entry.person) == ("unknown", "Mark Kell")
    assert case.suggestions() == []  # "victim's diary" is not a new account after the stop
