"""Issue 17's e-mail defects, each on a synthetic fixture of ``fixtures/email`` (made by
``make_fixtures.py``) that reproduces the shape: no peer's file is needed."""

from __future__ import annotations

import hashlib
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import email_message, mbox
from cyberevidence.parsers._email_headers import parse_addresses, parse_date
from cyberevidence.standalone import parse, source_file_for
from cyberevidence.timeutil import zone


def run(path: Path, tz: str = "UTC") -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    return list(parse(path, timezone=tz, warnings=warnings)), warnings


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    return Counter(w.code for w in warnings)


@pytest.fixture
def email_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "email"


def test_display_name_shaped_like_an_address_is_flagged_never_the_sender(email_dir: Path) -> None:
    (event,), warnings = run(email_dir / "display_name_spoof.eml")
    assert event.sender == "bob@example.net"
    assert event.extra["from_name"] == "alice@example.com" and event.extra["display_name_spoof"] is True
    assert codes(warnings)["display_name_spoof"] == 1
    spoof = next(w for w in warnings if w.code == "display_name_spoof")
    assert "alice@example.com" in spoof.message and "bob@example.net" in spoof.message


def test_addresses_are_an_rfc5322_address_list(email_dir: Path) -> None:
    (event,), _ = run(email_dir / "display_name_spoof.eml")
    # a group, a quoted name with a comma, an encoded name with an encoded comma, a trailing comment
    assert event.recipients == ["jane@example.org", "kai@example.org", "carol@example.org"]
    assert [a["name"] for a in event.extra["to"]] == ["Doe, Jane", "Müller, Kai", "Carol"]


def test_odd_addresses_keep_the_hand_rules() -> None:
    notes: list[tuple[str, str]] = []
    got = parse_addresses(["a!b@c@d, x@example.org"], "header To", lambda c, m: notes.append((c, m)))
    assert [a.addr for a in got] == ["a!b@c@d", "x@example.org"] and notes[0][0] == "odd_address"
    got = parse_addresses(["unlisted-recipients:; (no To-header on input)"], "header To", lambda c, m: None)
    assert [a.addr for a in got] == [""]  # an empty group with a comment: no address
    got = parse_addresses(["Mary <@node.test:mary@example.net>"], "header To", lambda c, m: None)
    assert [a.addr for a in got] == ["mary@example.net"]


def test_minus_zero_is_utc_with_the_sender_zone_unknown(email_dir: Path) -> None:
    (event,), warnings = run(email_dir / "display_name_spoof.eml", tz="Europe/London")
    assert event.timestamp_utc == "2024-03-14T17:43:19Z"  # not 17:43 London time
    assert not event.time_ambiguous and event.extra["date_local_zone_unknown"] is True
    assert "-0000" in event.time_note and "date_without_zone" not in codes(warnings)


def test_zone_less_and_commented_dates() -> None:
    london = zone("Europe/London")
    summer = parse_date("Fri, 14 Jun 2024 17:43:19", london)
    assert summer is not None and not summer.zone_known and summer.utc.hour == 16  # BST, the case-zone rule
    commented = parse_date("Wed, 20 Sep 1995 00:19:00 (EDT) -0400", london)
    assert commented is not None and commented.zone_known and commented.utc.hour == 4


def test_nested_multipart_reusing_the_boundary_keeps_the_attachment(email_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_email_fixtures", email_dir / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    made = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(made)
    ATTACHMENT: bytes = made.ATTACHMENT
    (event,), warnings = run(email_dir / "reused_boundary_attachment.eml")
    assert [a.name for a in event.attachments] == ["photo.bin"]
    assert event.attachments[0].sha256 == hashlib.sha256(ATTACHMENT).hexdigest() and len(ATTACHMENT) == 119 * 1024
    assert event.text == "see the attached photo"
    assert codes(warnings)["mime_boundary_reused"] == 1


def test_content_outside_every_part_is_named_with_its_byte_range(tmp_path: Path) -> None:
    raw = (
        b"From: a@example.net\nTo: b@example.org\nDate: Fri, 15 Mar 2024 09:00:00 +0000\n"
        b'Content-Type: multipart/mixed; boundary="A"\n\n--A\nContent-Type: text/plain\n\nbody\n--A--\n'
        b"--B\nContent-Type: application/pdf\n\nlost\n"
    )
    path = tmp_path / "epilogue.eml"
    path.write_bytes(raw)
    _, warnings = run(path)
    lost = [w for w in warnings if w.code == "mime_part_unrecovered"]
    assert len(lost) == 1 and "epilogue" in lost[0].message
    start = raw.index(b"--B")
    assert f"bytes {start}-{len(raw) - 1}" in lost[0].message  # end exclusive; the last newline is trimmed


def test_report_parts_are_searchable_text_and_details(email_dir: Path) -> None:
    (event,), _ = run(email_dir / "delivery_status.eml")
    assert event.text.startswith("Your message could not be delivered.")
    assert "5.1.1 user unknown" in event.text
    assert "--- part[5] text/rfc822-headers ---\nFrom: harasser@example.net" in event.text
    assert "I know where you live." in event.text  # the returned message/rfc822 body
    (status,) = event.extra["delivery_status"]
    assert status["final_recipient"] == "rfc822; nobody@example.org" and status["status"] == "5.1.1"
    assert status["action"] == "failed" and status["reporting_mta"] == "dns; mx.example.org"
    assert len(event.attachments) == 3  # the report parts are still kept as files


def test_eml_with_only_a_content_type_is_read_with_a_warning(email_dir: Path) -> None:
    path = email_dir / "few_headers.eml"
    assert email_message.PARSER.sniff(source_file_for(path), path.read_bytes())
    (event,), warnings = run(path)
    assert event.text == "a note with hardly any headers"
    assert codes(warnings)["few_headers"] == 1
    # without the .eml name the same bytes are not claimed as a message
    other = path.with_name("few_headers.txt")
    assert not email_message.looks_like_message(path.read_bytes(), other.name)


def test_mbox_with_a_blank_first_line_and_no_extension(email_dir: Path) -> None:
    path = email_dir / "Inbox"
    head = path.read_bytes()
    assert head.startswith(b"\nFrom ")
    assert mbox.PARSER.sniff(source_file_for(path), head) and not email_message.looks_like_message(head, path.name)
    events, warnings = run(path)
    assert [e.text for e in events] == ["one", "two"]
    assert [e.timestamp_utc for e in events] == ["2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z"]
    assert codes(warnings)["mbox_leading_blank_lines"] == 1 and "mbox_no_envelope" not in codes(warnings)
