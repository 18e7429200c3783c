"""Indicators read the victim's diary too, and mark each such candidate as her own account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli._run import cli

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

[[person]]
name = "Amy Lee"
role = "other"
handles = ["whatsapp:Amy Lee"]
"""

#: (diary text, the category expected, the pattern expected, what it matches) – or None: no candidate.
ENTRIES: list[tuple[str, tuple[str, str, str] | None]] = [
    ("He was outside my work when I left at six.", ("presence", "diary.was_outside", "He was outside my work")),
    ("Mark Kell was waiting outside my house again", ("presence", "diary.was_outside", "Mark Kell was waiting outside my house")),
    ("I think he followed me home from the bus stop.", ("location_knowledge", "diary.followed", "he followed me")),
    ("He knew where I had been on Saturday, I told no one.", ("location_knowledge", "diary.knew_where",
                                                             "He knew where I had been")),
    ("A man took a photo of me outside the gym.", ("location_knowledge", "diary.photographed", "took a photo of me")),
    ("He said he would kill me if I went to the police.", ("threat_violence", "diary.threatened", "He said he would kill me")),
    ("Went to the cinema with Jo. A good evening.", None),
    ("My car was outside my work all day.", None),  # the car, not a person
]


@pytest.fixture
def diary_case(tmp_path: Path) -> ce.Case:
    people = tmp_path / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    chat = tmp_path / "WhatsApp Chat with Amy Lee.txt"
    # the same words in a message from a friend are not the victim's diary: diary patterns do not read them
    chat.write_text("05/10/2025, 10:00 - Amy Lee: He was outside my work too, I saw him\n", encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.load_people(people)
    case.add(chat)
    for day, (text, _) in enumerate(ENTRIES, 1):
        case.diary_add(f"2025-10-{day:02d} 18:00", text, person="Mark Kell")
    return case


def test_each_diary_entry_gives_exactly_the_expected_candidate(diary_case: ce.Case) -> None:
    found = ce.indicator_candidates(diary_case)
    diary = [c for c in found if c.kind == "diary"]
    by_text = {}
    entries = {e.entry_id: e for e in diary_case.diary()}
    events = {ev.event_id: ev for ev in diary_case.timeline() if ev.kind == "diary"}
    assert len(events) == len(entries) == len(ENTRIES)
    for c in diary:
        by_text.setdefault(events[c.event_id].text, []).append((c.category, c.pattern_id, c.matched))
    for text, expected in ENTRIES:
        assert by_text.get(text, []) == ([expected] if expected else []), text
    assert all(c.victims_own_account for c in diary)
    assert not any(c.victims_own_account for c in found if c.kind != "diary")
    assert not [c for c in found if c.kind != "diary" and c.pattern_id.startswith("diary.")]


def test_the_victims_own_account_is_marked_in_json_and_text(diary_case: ce.Case, tmp_path: Path) -> None:
    report = ce.indicator_report(diary_case)
    data = report.to_dict()
    marked = [c for c in data["candidates"] if c["victims_own_account"]]
    assert {c["pattern_id"] for c in marked} == {e[1] for _, e in ENTRIES if e}
    done = cli("indicators", diary_case.root)
    assert done.returncode == 0, done.stderr
    assert "(the victim's own account (diary))  Turning up" in done.stdout or "(the victim's own account (diary))" in done.stdout
    line = next(ln for ln in done.stdout.splitlines() if "diary.was_outside" in ln)
    assert "Mark Kell (the victim's own account (diary))" in line
    # the review line names this case, not a placeholder
    assert f"Confirm or dismiss one with: cyberevidence indicators {diary_case.root} --confirm ID" in done.stdout
    as_json = json.loads(cli("indicators", diary_case.root, "--format", "json").stdout)
    assert any(c["victims_own_account"] and c["kind"] == "diary" for c in as_json["candidates"])


def test_diary_patterns_work_without_a_people_file(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.diary_add("2025-10-01 18:00", "He followed me to the station.")
    (c,) = ce.indicator_candidates(case)
    assert (c.pattern_id, c.matched, c.victims_own_account) == ("diary.followed", "He followed me", True)
