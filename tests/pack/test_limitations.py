"""Source limitations: what each parsed export cannot show, by stated rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.parsers import _limits_whatsapp, default_registry

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"
PEOPLE = DEMO / "people.toml"
E2E = "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."


def codes_for(case: ce.Case, name: str) -> list[str]:
    return [x.code for x in ce.source_limitations(case) if x.source == name]


def make_case(tmp_path: Path, *paths: Path, timezone: str | None = None) -> ce.Case:
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.load_people(PEOPLE)
    case.add(*paths, timezone=timezone)
    return case


def chat(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_demo_exports(tmp_path: Path) -> None:
    chats = ("WhatsApp Chat - Mark Kell.zip", "WhatsApp Chat with +44 7700 900456.txt")  # the demo's two chats
    case = make_case(tmp_path, *(DEMO / "exports" / n for n in chats))
    zip_codes = codes_for(case, "WhatsApp Chat - Mark Kell.zip")
    txt_codes = codes_for(case, "WhatsApp Chat with +44 7700 900456.txt")
    for codes in (zip_codes, txt_codes):
        assert {"parser_limits", "whatsapp_export_cap", "whatsapp_omits", "assumed_timezone"} <= set(codes)
        assert "may_start_mid_conversation" not in codes  # far below the cap
    assert "media_omitted" in txt_codes
    found = {(x.source, x.code): x for x in ce.source_limitations(case)}
    assert "1 message(s)" in found[("WhatsApp Chat with +44 7700 900456.txt", "media_omitted")].text
    assert "about 10,000" in found[("WhatsApp Chat - Mark Kell.zip", "whatsapp_export_cap")].text  # with media
    assert "about 40,000" in found[("WhatsApp Chat with +44 7700 900456.txt", "whatsapp_export_cap")].text
    every = ce.source_limitations(case)
    assert all(x.sha256 and x.parser == "whatsapp" and x.text for x in every)
    grouped = ce.limitations_for_manifest(case)
    assert set(grouped) == {x.sha256 for x in every}
    assert all(set(item) == {"code", "text"} for items in grouped.values() for item in items)


def test_a_stated_timezone_is_no_limitation(tmp_path: Path) -> None:
    case = make_case(tmp_path, DEMO / "exports" / "WhatsApp Chat with +44 7700 900456.txt", timezone="Europe/London")
    assert "assumed_timezone" not in codes_for(case, "WhatsApp Chat with +44 7700 900456.txt")


def test_export_starting_with_the_victims_message(tmp_path: Path) -> None:
    path = chat(
        tmp_path / "WhatsApp Chat with Mark Kell.txt",
        ["14/10/2025, 20:01 - Sarah Jones: Leave me alone", "14/10/2025, 20:02 - Mark Kell: Why?"],
    )
    case = make_case(tmp_path, path, timezone="Europe/London")
    (found,) = [x for x in ce.source_limitations(case) if x.code == "starts_with_outgoing"]
    assert "2025-10-14T19:01:00Z" in found.text


def test_near_the_cap_without_an_opening_notice_may_start_mid_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_limits_whatsapp, "WHATSAPP_CAP_WITHOUT_MEDIA", 3)
    body = [f"14/10/2025, 20:0{i} - Mark Kell: message {i}" for i in range(3)]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    cut = chat(tmp_path / "a" / "WhatsApp Chat with Mark Kell.txt", body)
    whole = chat(tmp_path / "b" / "WhatsApp Chat with Mark.txt", [f"14/10/2025, 19:59 - {E2E}", *body[:2]])
    case = make_case(tmp_path, cut, whole, timezone="Europe/London")
    assert "may_start_mid_conversation" in codes_for(case, "WhatsApp Chat with Mark Kell.txt")
    assert "may_start_mid_conversation" not in codes_for(case, "WhatsApp Chat with Mark.txt")


def test_damage_warnings_are_limitations(tmp_path: Path) -> None:
    xml = tmp_path / "sms-backup.xml"
    xml.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"3\">\n"
        '<sms protocol="0" address="+447700900123" date="1741979112000" type="1" body="I know where you are" '
        'read="1" status="-1" locked="0" contact_name="Mark" />\n</smses>\n',
        encoding="utf-8",
    )
    case = make_case(tmp_path, xml)
    (damaged,) = [x for x in ce.source_limitations(case) if x.code == "damaged"]
    assert "count_mismatch" in damaged.text and damaged.parser == "sms_backup"


def test_one_sided_sources(tmp_path: Path) -> None:
    one_sided = {p.name: p.one_sided for p in default_registry().all() if p.one_sided}
    assert {"discord", "facebook"} <= set(one_sided)
    assert "ONLY" in one_sided["discord"] and "one-sided" in one_sided["facebook"]


def test_unparsed_files_have_no_limitations_but_are_stored(tmp_path: Path) -> None:
    other = tmp_path / "notes.bin"
    other.write_bytes(b"\x00\x01\x02 nothing a parser reads")
    case = make_case(tmp_path, other)
    assert ce.source_limitations(case) == []
