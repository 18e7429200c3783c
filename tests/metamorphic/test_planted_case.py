"""A planted case with a known truth: three exports of one WhatsApp chat under different names
(a renamed copy, an unpacked folder, a later export without media that starts mid-way), plus
SMS and e-mail from the same person. Every figure must equal the true one exactly."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cyberevidence as ce

PEOPLE = """
[[person]]
name = "Priya Shah"
role = "victim"
handles = ["whatsapp:Priya Shah"]

[[person]]
name = "Mark Kell"
role = "subject"
phones = ["+44 7700 900123"]
emails = ["mark.kell@example.net"]
handles = ["whatsapp:Mark Kell", "telegram:user777000111"]
"""

START = datetime(2025, 3, 1, 9, 0)  # local time (GMT in March, so UTC too)
IMG = "IMG-20250301-WA0001.jpg"


def _truth() -> list[tuple[datetime, str, str]]:
    """(local time, sender, text) of the 30 WhatsApp messages; one is a photo, one is sent twice."""
    rows = []
    for i in range(30):
        when = START + timedelta(hours=7 * i)
        sender = "Priya Shah" if i % 4 == 3 else "Mark Kell"
        rows.append((when, sender, f"message {i} from {sender.split()[0]}"))
    rows[12] = (rows[12][0], "Mark Kell", "\0photo")
    rows[15] = (rows[14][0], "Mark Kell", rows[14][2])  # the same words twice in the same minute
    return rows


def _line(when: datetime, sender: str, text: str, media: bool) -> str:
    if text == "\0photo":
        text = f"{IMG} (file attached)" if media else "<Media omitted>"
    return f"{when:%d/%m/%Y, %H:%M} - {sender}: {text}"


def _exports(tmp: Path) -> list[Path]:
    rows = _truth()
    first = "\n".join(_line(*r, media=True) for r in rows[:20]) + "\n"
    zpath = tmp / "orig" / "WhatsApp Chat - Mark Kell.zip"
    zpath.parent.mkdir()
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("WhatsApp Chat with Mark Kell.txt", first)
        zf.writestr(IMG, b"\xff\xd8\xff\xe0 not really a jpeg")
    renamed = tmp / "renamed" / "WhatsApp Chat - Mark Kell (1).zip"
    renamed.parent.mkdir()
    shutil.copy2(zpath, renamed)
    unpacked = tmp / "unpacked" / "Mark export"
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(unpacked)
    (unpacked / "WhatsApp Chat with Mark Kell.txt").rename(unpacked / "_chat.txt")
    later = tmp / "later" / "WhatsApp Chat with Mark.txt"  # no media, starts at message 10
    later.parent.mkdir()
    later.write_text("\n".join(_line(*r, media=False) for r in rows[10:]) + "\n", encoding="utf-8")
    sms = tmp / "sms" / "sms-20250310.xml"
    sms.parent.mkdir()
    items = [
        (datetime(2025, 3, 10, 8, 0, tzinfo=timezone.utc), 1, "Answer your phone"),
        (datetime(2025, 3, 10, 8, 5, tzinfo=timezone.utc), 2, "Leave me alone"),
        (datetime(2025, 3, 11, 23, 30, tzinfo=timezone.utc), 1, "I know where you are"),
    ]
    body = "".join(
        f'  <sms protocol="0" address="07700 900123" date="{int(t.timestamp() * 1000)}" type="{k}" body="{b}" '
        f'read="1" status="-1" locked="0" date_sent="0" contact_name="Mark Kell" />\n'
        for t, k, b in items
    )
    sms.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="{len(items)}" backup_date="1741600000000" type="full">\n{body}</smses>\n',
        encoding="utf-8",
    )
    mail = tmp / "mail" / "from-mark.eml"
    mail.parent.mkdir()
    mail.write_text(
        "From: Mark Kell <mark.kell@example.net>\nTo: Priya Shah <priya@example.org>\n"
        "Subject: us\nDate: Wed, 12 Mar 2025 21:15:00 +0000\nMessage-ID: <planted-1@example.net>\n\n"
        "We need to talk.\n",
        encoding="utf-8",
    )
    return [zpath, renamed, unpacked.parent, later, sms, mail]


def test_planted_case_has_exactly_the_true_figures(tmp_path: Path) -> None:
    inputs = _exports(tmp_path)
    people = tmp_path / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="Europe/London")
    for item in inputs:
        case.add(item, timezone="Europe/London", date_order="dmy")
    case.load_people(people)
    events = list(case.timeline())
    wa = [e for e in events if e.platform == "whatsapp"]
    assert len(wa) == 30  # 30 messages: each once, the photo once, the words sent twice twice
    assert len(events) == 30 + 3 + 1
    # Sightings: messages 0-9 in the zip (its renamed copy is the same bytes) and the folder;
    # 10-19 also in the later export; 20-29 only in the later export.
    by_time = sorted(wa, key=lambda e: (e.timestamp, e.event_id))
    sightings = [len({s.sha256 for s in e.seen_in}) for e in by_time]
    assert sightings == [2] * 10 + [3] * 10 + [1] * 10
    assert all(len(e.seen_in) == n for e, n in zip(by_time, sightings, strict=True))
    twice = [e for e in wa if e.text == "message 14 from Mark"]
    assert len(twice) == 2 and len({e.event_id for e in twice}) == 2
    # Person and direction from the people file, on every platform.
    assert {e.person for e in events} == {"Mark Kell"}
    truth = _truth()
    incoming_wa = sum(1 for _, s, _ in truth if s == "Mark Kell")
    assert Counter(e.direction for e in wa) == {"incoming": incoming_wa, "outgoing": 30 - incoming_wa}
    # Contact counts: the true number per platform and direction.
    rows = case.contacts("day")
    totals = Counter()
    for r in rows:
        totals[(r.platform, "in")] += r.incoming
        totals[(r.platform, "out")] += r.outgoing
    assert totals[("whatsapp", "in")] == incoming_wa and totals[("whatsapp", "out")] == 30 - incoming_wa
    assert totals[("sms", "in")] == 2 and totals[("sms", "out")] == 1
    assert totals[("email", "in")] == 1
    # Course of conduct: the subject's contacts counted once each.
    (summary,) = case.conduct()
    assert summary.subject == "Mark Kell"
    assert summary.total_contacts.value == incoming_wa + 2 + 1
    assert len(set(summary.total_contacts.event_ids)) == summary.total_contacts.value
    # The conversation rule and its evidence are in custody.
    parses = [e for e in case.custody.entries() if e.action == "parse"]
    matches = [e.details["conversation_match"] for e in parses if "conversation_match" in e.details]
    assert matches and all(m["same_conversation_as"] and not m["kept_apart_from"] for m in matches)
    assert {r["messages_shared"] for m in matches for r in m["same_conversation_as"]} >= {10}
    assert case.verify().exit_code == 0


def test_telegram_outgoing_messages_resolve_to_the_chat_person(tmp_path: Path) -> None:
    chat = {
        "name": "Mark K",
        "type": "personal_chat",
        "id": 777000111,
        "messages": [
            {"id": 1, "type": "message", "date": "2025-03-01T10:00:00", "date_unixtime": "1740823200",
             "from": "Mark K", "from_id": "user777000111", "text": "Open the door"},
            {"id": 2, "type": "message", "date": "2025-03-01T10:01:00", "date_unixtime": "1740823260",
             "from": "Priya", "from_id": "user555", "text": "No. Leave."},
        ],
    }
    path = tmp_path / "export" / "result.json"
    path.parent.mkdir()
    path.write_text(json.dumps(chat), encoding="utf-8")
    people = tmp_path / "people.toml"
    victim = '\n[[person]]\nname = "Priya"\nrole = "victim"\nhandles = ["telegram:user555"]\n'
    people.write_text(PEOPLE + victim, encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="UTC")
    case.add(path, timezone="UTC")
    case.load_people(people)
    got = [(e.text, e.direction, e.person) for e in case.timeline()]
    assert got == [("Open the door", "incoming", "Mark Kell"), ("No. Leave.", "outgoing", "Mark Kell")]
