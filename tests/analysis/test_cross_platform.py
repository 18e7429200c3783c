"""Across SMS, calls and WhatsApp: one number in three spellings is one person; contacts add up."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import cyberevidence as ce
from cyberevidence.exporters.contacts import write_contacts_csv

CALLS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<calls count="2">
  <call number="+447700900123" duration="0" date="1760482800000" type="3" readable_date="x" contact_name="(Unknown)" />
  <call number="+447700900123" duration="0" date="1760482860000" type="3" readable_date="x" contact_name="(Unknown)" />
</calls>
"""
SMS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="2">
  <sms protocol="0" address="07700 900123" date="1760468460250" type="1" body="Why aren't you answering?" readable_date="x" />
  <sms protocol="0" address="07700 900123" date="1760468700000" type="2" body="Leave me alone." readable_date="x" />
</smses>
"""
CHAT = "15/10/2025, 08:00 - +44 7700 900123: Answer me\n15/10/2025, 08:01 - Sarah Jones: No\n"


def _case(tmp_path: Path) -> ce.Case:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "calls-20251015.xml").write_text(CALLS, encoding="utf-8")
    (exports / "sms-20251015.xml").write_text(SMS, encoding="utf-8")
    (exports / "WhatsApp Chat with +44 7700 900123.txt").write_text(CHAT, encoding="utf-8")
    people = tmp_path / "people.toml"
    people.write_text('[[person]]\nname = "Sarah Jones"\nrole = "victim"\nhandles = ["whatsapp:Sarah Jones"]\n', encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="Europe/London")
    case.load_people(people)
    case.add(exports, timezone="Europe/London", date_order="dmy")
    return case


def test_three_spellings_resolve_to_one_person_with_the_rule(tmp_path: Path) -> None:
    case = _case(tmp_path)
    events = list(case.timeline())
    assert len(events) == 6
    assert {e.person for e in events} == {"+44 7700 900123"}
    assert [e.direction for e in events] == ["incoming", "outgoing", "incoming", "incoming", "incoming", "outgoing"]
    rules = {(link.platform, link.handle): link.rule for link in case.identities()}
    assert rules[("sms", "07700 900123")] == "same E.164 number +447700900123"
    assert rules[("phone", "+447700900123")] == "same E.164 number +447700900123"
    assert rules[("whatsapp", "+44 7700 900123")] == "same E.164 number +447700900123"


def test_contacts_csv_by_day_sums_to_the_timeline(tmp_path: Path) -> None:
    case = _case(tmp_path)
    out = io.StringIO()
    write_contacts_csv(case.contacts("day"), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["person", "period", "platform", "incoming", "outgoing", "total"]
    assert sum(int(r["total"]) for r in rows) == len(list(case.timeline()))
    assert {(r["period"], r["platform"], r["incoming"], r["outgoing"]) for r in rows} == {
        ("2025-10-14", "sms", "1", "1"),
        ("2025-10-15", "phone", "2", "0"),
        ("2025-10-15", "whatsapp", "1", "1"),
    }
