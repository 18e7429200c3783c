"""Direction honesty: an Instagram download without its profile file does not say whose account it is.

Its parser leaves directions unknown (warning ``owner_unknown``); with a victim in the people file
whose Instagram account is not named, the report must show those directions as unknown (with the
assumption beside them), never as facts. Naming the account makes them facts of the people file.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import cyberevidence as ce

REPO = Path(__file__).resolve().parents[2]
ZIP = REPO / "fixtures" / "instagram" / "instagram-sarah-new-layout.zip"
PEOPLE = """[[person]]
name = "Sarah Jones"
role = "victim"
handles = ["whatsapp:Sarah Jones"{extra}]

[[person]]
name = "Mark Kell"
role = "subject"
handles = ["instagram:Mark Kell"]
"""


def _case(root: Path, *, name_the_account: bool) -> ce.Case:
    root.mkdir(parents=True)
    download = root / "instagram-no-profile.zip"
    with zipfile.ZipFile(ZIP) as src, zipfile.ZipFile(download, "w") as out:
        for info in src.infolist():
            if "personal_information" not in info.filename:  # the owner is no longer stated
                out.writestr(info, src.read(info))
    people = root / "people.toml"
    people.write_text(PEOPLE.format(extra=', "instagram:Sarah Jones"' if name_the_account else ""), encoding="utf-8")
    case = ce.Case.create(root / "case", examiner="Test Examiner", timezone="Europe/London")
    case.load_people(people)
    case.add(download, timezone="Europe/London")
    return case


def _instagram_directions(html: str) -> list[str]:
    cells = re.findall(r'<tr id="ev-[0-9a-f]+">(?:(?!</tr>).)*?<td>instagram<br>.*?</td><td>(.*?)</td>', html, re.S)
    return cells


def test_unknown_owner_directions_are_shown_as_unknown_with_the_assumption(tmp_path: Path) -> None:
    case = _case(tmp_path / "a", name_the_account=False)
    assert any(w.code == "owner_unknown" for w in case.warnings())
    events = [ev for ev in case.timeline() if ev.platform == "instagram" and ev.kind == "message"]
    assert events and {ev.direction for ev in events} == {"incoming"}  # the resolver's assumption
    html = ce.build_report(case, generated_at="2026-01-01T00:00:00Z")
    cells = _instagram_directions(html)
    assert len(cells) >= len(events)
    for cell in cells:
        assert cell.startswith("unknown<br>") and "assumed" in cell, cell
    assert "Directions not given by the evidence:" in html and "owner_unknown" in html
    assert "make the report again" in html


def test_naming_the_victims_account_makes_the_directions_facts_of_the_people_file(tmp_path: Path) -> None:
    case = _case(tmp_path / "b", name_the_account=True)
    events = [ev for ev in case.timeline() if ev.platform == "instagram" and ev.kind == "message"]
    mine = [ev for ev in events if ev.sender == "Sarah Jones"]
    assert mine and all(ev.direction == "outgoing" for ev in mine)
    html = ce.build_report(case, generated_at="2026-01-01T00:00:00Z")
    cells = _instagram_directions(html)
    assert cells and all(c in ("incoming", "outgoing") for c in cells), cells
    assert "Directions not given by the evidence:" not in html
