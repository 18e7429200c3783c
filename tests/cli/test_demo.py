"""The demo shows the point: one person's conduct merged across platforms, with figures the case computes.

The commands are read from scripts/demo.sh itself (every ``$CE`` line after the installation), so
the script and this test cannot drift apart; the demo's last line is checked against counts made
here from the exported timeline.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.cli._run import REPO, cli

SCRIPT = REPO / "scripts" / "demo.sh"
CONTACT_KINDS = {"message", "call", "email", "voicemail", "comment", "post", "mention", "reaction"}


def demo_commands() -> list[list[str]]:
    """The ``$CE ...`` commands of scripts/demo.sh, continuation lines joined, in order."""
    text = re.sub(r"\\\n\s*", " ", SCRIPT.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("$CE "):
            out.append(shlex.split(line[4:], comments=True))
    return out


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    case = tmp_path_factory.mktemp("demo") / "demo-case"
    last: list[str] = []
    commands = demo_commands()
    assert [c[0] for c in commands] == ["collect", "marker", "diary", "exports"]
    for args in commands:
        args = [str(case) if a == "demo-case" else a for a in args]
        done = cli(*args, cwd=REPO)
        assert done.returncode == 0, (args, done.stderr)
        last = [ln for ln in done.stderr.splitlines() if ln.strip()]
    return case, last


def test_the_demo_spans_at_least_four_platforms_and_ends_with_the_merged_figures(demo_run: tuple[Path, list[str]]) -> None:
    case, last = demo_run
    timeline = [json.loads(x) for x in (case / "exports" / "timeline.jsonl").read_text(encoding="utf-8").splitlines()]
    tz = ZoneInfo("Europe/London")
    contacts = [e for e in timeline if e["person"] == "Mark Kell" and e["direction"] == "incoming"
                and e["kind"] in CONTACT_KINDS and e["timestamp"]]
    platforms = list(dict.fromkeys(e["platform"] for e in contacts))
    assert len(platforms) >= 4 and {"whatsapp", "sms", "phone", "email", "instagram"} <= set(platforms)
    first = datetime.fromisoformat(contacts[0]["timestamp"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(contacts[-1]["timestamp"].replace("Z", "+00:00"))
    weeks = math.ceil(((end - first).total_seconds() / 86400 + 1) / 7)
    block = next(e for e in timeline if e["kind"] == "marker")
    blocked_at = datetime.fromisoformat(block["timestamp"].replace("Z", "+00:00"))
    after = [e for e in contacts if datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")) >= blocked_at]
    numbers = {e["sender"].replace(" ", "").replace("07700", "+447700") for e in contacts if e["platform"] in ("sms", "phone")}
    assert numbers == {"+447700900123", "+447700900456"}  # the second number merged with the first
    assert any(e["sender"] == "mk.watching" for e in after)  # a new account after the block
    expected = (
        f"Mark Kell: {len(contacts)} contacts on {len(platforms)} platforms ({', '.join(platforms)}) from 2 phone numbers, "
        f"1 e-mail address and 2 accounts over {weeks} weeks ({first.astimezone(tz):%d %b} to {end.astimezone(tz):%d %b %Y}); "
        f"{len(after)} after the block on {blocked_at.astimezone(tz):%d %b %Y %H:%M}."
    )
    assert last[-1] == expected
    # the figures of this demo, as the real output gives them (fixtures/make_demo.py is seeded)
    assert (len(contacts), len(platforms), weeks, len(after)) == (141, 5, 9, 94)
    # the README's first screen quotes this very line
    assert last[-1] in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_demo_holds_a_diary_entry_and_a_photo_with_gps(demo_run: tuple[Path, list[str]]) -> None:
    case, _ = demo_run
    timeline = [json.loads(x) for x in (case / "exports" / "timeline.jsonl").read_text(encoding="utf-8").splitlines()]
    diary = [e for e in timeline if e["kind"] == "diary"]
    assert len(diary) == 1 and "outside my work" in diary[0]["text"]
    photo = [e for e in timeline if e["platform"] == "photo"]
    assert len(photo) == 1 and photo[0]["extra"]["latitude"] == pytest.approx(51.50795, abs=1e-4)
    assert photo[0]["extra"]["longitude"] == pytest.approx(-0.128233, abs=1e-4)
    report = (case / "exports" / "report.html").read_text(encoding="utf-8")
    assert "mk.watching" in report and "He was outside my work" in report


def test_the_readme_quick_start_is_two_commands_and_shows_the_merge() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = quick.split("```bash", 1)[1].split("```", 1)[0]
    assert [ln.split("#")[0].strip() for ln in block.strip().splitlines()] == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    first_screen = "\n".join(readme.splitlines()[:60])
    assert "Mark Kell: 141 contacts on 5 platforms" in first_screen
