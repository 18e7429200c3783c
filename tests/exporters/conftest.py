"""A real case from fixtures/demo/ plus a synthetic chat with a witness and two other people."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import cyberevidence as ce

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"

WITNESS_CHAT = """\
21/10/2025, 18:02 - Priya Wojcik: Mark came to the café asking where you live now. I told him nothing.
21/10/2025, 18:05 - Sarah Jones: Thank you Priya. Can you write that down for the police?
21/10/2025, 18:07 - Priya Wojcik: Yes. Tomasz saw him too, his number is 07700 900777 if they need him
21/10/2025, 18:09 - Priya Wojcik: or email TOMASZ.BH@example.org
21/10/2025, 18:10 - Sarah Jones: I moved to Flat 3, 12 Acacia Avenue, please keep it to yourself
21/10/2025, 18:12 - Priya Wojcik: Of course. Call me on +44 7700-900-888 anytime. Zoë from work says "hi"
21/10/2025, 18:13 - Sarah Jones: Tell Zoë Ångström thanks. Mark Kell won't stop.
"""

EXTRA_PEOPLE = """
[[person]]
name = "Priya Wojcik"
role = "witness"
phones = ["07700 900888"]
handles = ["whatsapp:Priya Wojcik"]

[[person]]
name = "Tomasz Brennan-Hale"
role = "other"
phones = ["+44 7700 900777"]
emails = ["tomasz.bh@example.org"]

[[person]]
name = "Zoë Ångström"
role = "other"
"""


@pytest.fixture(scope="session")
def built_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: the demo exports, the demo people file plus three third parties, a witness chat."""
    base = tmp_path_factory.mktemp("exporters")
    exports = base / "exports"
    shutil.copytree(DEMO / "exports", exports)
    (exports / "WhatsApp Chat with Priya Wojcik.txt").write_text(WITNESS_CHAT, encoding="utf-8")
    people = base / "people.toml"
    people.write_text((DEMO / "people.toml").read_text(encoding="utf-8") + EXTRA_PEOPLE, encoding="utf-8")
    root = base / "case"
    case = ce.Case.create(root, examiner="Demo Examiner", timezone="Europe/London", hash_algorithms=("sha256", "md5"))
    case.load_people(people)
    report = case.add(exports, note="synthetic demo exports")
    assert not report.errors
    case.close()
    return root


@pytest.fixture
def demo_case(built_case: Path, tmp_path: Path) -> Path:
    """A private copy of the built case, for tests that write to it."""
    dest = tmp_path / "case"
    shutil.copytree(built_case, dest, symlinks=True)
    return dest


FIXTURES = REPO / "fixtures"
MIXED_INPUTS = (
    FIXTURES / "sms_backup" / "sms-20251104183000.xml",  # epoch-millisecond times
    FIXTURES / "sms_backup" / "calls-20251104183000.xml",  # calls with durations
    FIXTURES / "telegram" / "json_single",  # an edited message, calls
    FIXTURES / "email" / "few_headers.eml",  # undated (no Date, no Received)
    DEMO / "exports" / "WhatsApp Chat with +44 7700 900456.txt",  # whole seconds, media omitted
    FIXTURES / "email" / "small.mbox",  # e-mail addresses as handles
)


@pytest.fixture(scope="session")
def mixed_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five platforms, second and millisecond times, an undated e-mail, calls, flags set and unset."""
    base = tmp_path_factory.mktemp("mixed")
    exports = base / "exports"
    exports.mkdir()
    for path in MIXED_INPUTS:
        if path.is_dir():
            shutil.copytree(path, exports / path.name)
        else:
            shutil.copy(path, exports / path.name)
    root = base / "case"
    case = ce.Case.create(root, examiner="Test Examiner", timezone="Europe/London")
    report = case.add(exports, note="fixtures of several platforms")
    assert not report.errors
    case.close()
    return root
