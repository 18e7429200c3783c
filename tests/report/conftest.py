"""A report test case: the demo exports and people file, a Signal chat, and a planted hostile chat."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce

from ._chromium import CHROMIUM, NO_PLAYWRIGHT

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"

#: Written by "the stalker": markup that would run if the report ever emitted it unescaped.
#: Each payload sets window.__pwned and the document title, so a browser test can tell.
HOSTILE_CHAT = (
    "13/11/2025, 21:14 - +44 7700 900456: <script>window.__pwned=1;document.title='pwned'</script>\n"
    "13/11/2025, 21:15 - +44 7700 900456: <img src=x onerror=\"window.__pwned=2;document.title='pwned'\"> "
    "\"quotes\" & </script> done\n"
    "13/11/2025, 21:16 - +44 7700 900456: open this https://grabify.link/ZX81AB and "
    "<a href=\"https://evil.example/x\">click</a>\n"
    "13/11/2025, 21:20 - \"><svg onload=window.__pwned=3>: I know Mark. He asked me to find you.\n"
)
HOSTILE_SENDER = '"><svg onload=window.__pwned=3>'


def make_case(root: Path) -> ce.Case:
    root.mkdir(parents=True, exist_ok=True)
    people = root / "people.toml"
    demo_people = (DEMO / "people.toml").read_text(encoding="utf-8")
    assert demo_people.count('"whatsapp:Mark Kell"') == 1  # the subject's handle, which the Signal one joins
    people.write_text(
        demo_people.replace('"whatsapp:Mark Kell"', '"whatsapp:Mark Kell", "signal:Mark Kell"'), encoding="utf-8"
    )
    hostile = root / "WhatsApp Chat with +44 7700 900456 (2).txt"
    hostile.write_text(HOSTILE_CHAT, encoding="utf-8")
    case = ce.Case.create(
        root / "case",
        examiner="Test Examiner",
        title='Kell & "Jones" </style><script>window.__pwned=4</script>',
        case_id="REF-2025/11 <b>",
        timezone="Europe/London",
    )
    case.load_people(people)
    # The demo's two WhatsApp exports (its other platforms are covered by tests/cli/test_demo.py): the figures
    # these tests know by heart (47 rows, 2 thumbnails, the breaches listed) are those of these two chats.
    for name in ("WhatsApp Chat - Mark Kell.zip", "WhatsApp Chat with +44 7700 900456.txt"):
        case.add(DEMO / "exports" / name, timezone="Europe/London", note="demo export")
    case.add(hostile, timezone="Europe/London", date_order="dmy", note="planted hostile messages")
    case.add(REPO / "fixtures" / "signal" / "chat.md", timezone="Europe/London", note="signal-export chat")
    return case


@pytest.fixture(scope="session")
def report_case(tmp_path_factory: pytest.TempPathFactory) -> ce.Case:
    return make_case(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def report_html(report_case: ce.Case) -> str:
    return ce.build_report(report_case, generated_at="2026-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system Chromium, headless (the browser test modules skip themselves when it is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else [])
        yield b
        b.close()


@pytest.fixture(scope="module")
def report_file(report_case: ce.Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the report case, written once per module, not logged."""
    target = tmp_path_factory.mktemp("report") / "report.html"
    ce.write_report(report_case, target, record=False, generated_at="2026-01-01T00:00:00Z")
    return target


#: Events in the large case (benchmarks/gen_victim.py), generated and ingested once per test session.
LARGE_EVENTS = 200_000


@pytest.fixture(scope="session")
def large_case(tmp_path_factory: pytest.TempPathFactory) -> ce.Case:
    """A synthetic victim of 200,000 events (no media), with a people file naming the subject Mark Kell."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from gen_victim import PEOPLE_TOML as PEOPLE
    from gen_victim import generate

    root = tmp_path_factory.mktemp("large")
    generate(root / "victim", LARGE_EVENTS, 0.0)
    case = ce.Case.create(root / "case", examiner="Large Examiner", title="Large case", case_id="LARGE-200K",
                          timezone="Europe/London")
    (root / "people.toml").write_text(PEOPLE, encoding="utf-8")
    case.load_people(root / "people.toml")
    case.add(root / "victim", timezone="Europe/London", date_order="dmy")
    return case


@pytest.fixture(scope="session")
def large_report(large_case: ce.Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("large-report") / "report.html"
    ce.write_report(large_case, target, record=False, generated_at="2026-01-01T00:00:00Z")
    return target


@pytest.fixture(scope="session")
def record_case(tmp_path_factory: pytest.TempPathFactory) -> ce.Case:
    """The report case with the victim's record: a diary entry edited once, a block, and two indicator decisions."""
    case = make_case(tmp_path_factory.mktemp("record"))
    entry = case.diary_add("2025-11-12 22:40", "He was outside the house <again>.", person="Mark Kell", place="home")
    case.diary_edit(entry.entry_id, what_happened="He was outside the house <again>, by the car.", actor="Sarah Jones")
    case.add_marker("blocked", "2025-11-05 09:00", person="Mark Kell", platform="whatsapp", note="blocked his number")
    found = ce.indicator_candidates(case)
    ce.review_candidate(case, found[0].id, "dismissed", actor="Advocate A", note="first look")
    ce.review_candidate(case, found[0].id, "confirmed", actor="Advocate B", note="a threat <b>in context</b>")
    ce.review_candidate(case, found[1].id, "dismissed", actor="Advocate A", note="a joke between friends")
    return case
