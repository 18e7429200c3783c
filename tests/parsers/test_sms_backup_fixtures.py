"""SMS Backup & Restore parser against the project's own synthetic fixtures (fixtures/sms_backup/).

The fixtures are written by fixtures/sms_backup/make_fixtures.py; every instant below is the
UTC time given to the generator (the fixtures' ``readable_date`` is London local time, an hour
ahead in October, and must not be used). Numbers are Ofcom drama numbers (07700 900xxx).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import _sms_stream
from cyberevidence.parsers._sms_stream import CharRefRepair
from cyberevidence.parsers.base import ParseOptions, SourceFile
from cyberevidence.parsers.sms_backup import PARSER, thread_of
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for

SMS = "sms-20251104183000.xml"
CALLS = "calls-20251104183000.xml"


def run(path: Path, format: str | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, warnings=warnings, format=format))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


def of(warnings: list[ParseWarning], code: str) -> list[ParseWarning]:
    return [w for w in warnings if w.code == code]


@pytest.fixture
def sb(fixtures_dir: Path) -> Path:
    return fixtures_dir / "sms_backup"


def png_in(path: Path) -> bytes:
    """The PNG the fixture carries, read straight from the XML (independently of the parser)."""
    b64 = re.search(rb'name="IMG_0412.png"[^>]*? data="([^"]+)"', path.read_bytes())
    assert b64 is not None
    return base64.b64decode(b64.group(1))


# -- sniffing -------------------------------------------------------------------------------


def test_sniff_by_content(sb: Path, tmp_path: Path, fixtures_dir: Path) -> None:
    for path in sb.glob("*.xml"):
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path.name
    chat = fixtures_dir / "whatsapp" / "WhatsApp Chat with +44 7700 900123.txt"
    assert not PARSER.sniff(source_file_for(chat), chat.read_bytes())
    other = tmp_path / "sms-20250101.xml"  # the name alone never decides
    other.write_bytes(b'<?xml version="1.0"?>\n<!-- <smses> -->\n<html><body>smses</body></html>')
    assert not PARSER.sniff(source_file_for(other), other.read_bytes())
    bare = b"\xef\xbb\xbf\n  <calls count='0'/>"
    assert PARSER.sniff(SourceFile(Path("x"), "0" * 64, "x", len(bare)), bare)
    assert not PARSER.sniff(SourceFile(Path("x"), "0" * 64, "x", 5), b"<smsesx")


# -- SMS and MMS ------------------------------------------------------------------------------


def test_sms_types_directions_and_instants(sb: Path) -> None:
    events, warnings = run(sb / SMS)
    sms = [e for e in events if "/sms[" in e.source.locator]
    # 10 <sms> in the file; sms[9] has date="not-a-date": kept undated, with a warning
    assert [e.source.locator.split(" ")[0] for e in sms] == [f"smses/sms[{n}]" for n in range(1, 11)]
    undated = sms.pop(8)
    assert (undated.timestamp, undated.undated) == (None, True) and "'not-a-date'" in undated.time_note
    assert [(e.extra["sms_type"], e.direction) for e in sms] == [
        ("received", "incoming"),
        ("sent", "outgoing"),
        ("received", "incoming"),
        ("draft", "outgoing"),
        ("outbox", "outgoing"),
        ("failed", "outgoing"),
        ("queued", "outgoing"),
        ("received", "incoming"),
        ("unknown", "unknown"),
    ]
    first = sms[0]
    assert first.timestamp == utc(2025, 10, 14, 19, 1, 0, 250)  # readable_date says 20:01 (BST): ignored
    assert (first.sender, first.recipients, first.thread) == ("07700 900123", [], "07700900123")
    assert first.extra["address"] == "07700 900123" and first.extra["contact_name"] == "Mark Kell"
    assert sms[1].recipients == ["07700 900123"] and sms[1].sender == ""
    assert sms[1].text == "Please stop contacting me.\nI mean it."
    assert sms[3].text == "I have told the police" and sms[3].recipients == ["07700 900123"]
    assert sms[7].extra["subject"] == "Re: us"
    assert "subject" not in first.extra  # subject="null"
    odd = sms[8]
    assert odd.extra["type"] == "9" and odd.thread == "07700900777"
    assert of(warnings, "bad_date") == []
    missing = of(warnings, "missing_date")
    assert [w.locator for w in missing] == ["smses/sms[9] (line 13)"] and "not-a-date" in missing[0].message
    assert [w.locator for w in of(warnings, "unknown_type")] == ["smses/sms[10] (line 14)"]
    assert of(warnings, "count_mismatch") == []  # count="12": 10 sms + 2 mms found


def test_emoji_written_as_surrogate_pairs_are_joined(sb: Path) -> None:
    events, warnings = run(sb / SMS)
    outside = next(e for e in events if e.source.locator.startswith("smses/sms[3]"))
    assert outside.text == "I'm outside \U0001f600 \U0001f440"  # &#55357;&#56832; and &#xD83D;&#xDC40;
    assert "replaced_characters" not in outside.extra
    mms = next(e for e in events if e.source.locator.startswith("smses/mms[1]"))
    assert mms.text == "Recognise this? \U0001f4f7"
    assert not any(w.locator.startswith(("smses/sms[3]", "smses/mms[1]")) for w in warnings)


def test_lone_surrogate_and_forbidden_character_become_fffd_with_warnings(sb: Path) -> None:
    events, warnings = run(sb / SMS)
    broken = next(e for e in events if e.source.locator.startswith("smses/sms[8]"))
    assert broken.text == "you broke my \ufffd heart\ufffd"
    assert broken.extra["replaced_characters"] == 2
    assert [(w.code, w.locator) for w in warnings if w.code in ("lone_surrogate", "invalid_character")] == [
        ("lone_surrogate", "smses/sms[8] (line 12)"),
        ("invalid_character", "smses/sms[8] (line 12)"),
    ]
    assert "&#55357;" in of(warnings, "lone_surrogate")[0].message


def test_mms_image_becomes_a_derived_artefact(sb: Path) -> None:
    path = sb / SMS
    ctx = HashOnlyContext(ParseOptions())
    items = list(PARSER.parse(source_file_for(path), ctx))
    events = [e for e in items if isinstance(e, Event)]
    png = png_in(path)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    digest = hashlib.sha256(png).hexdigest()
    derived = [(p, r.sha256, r.media_type) for _, p, r in ctx.derived]
    vcard = b"BEGIN:VCARD\nVERSION:2.1\nN:Okafor;Dana\nTEL:07700900456\nEND:VCARD\n"
    assert derived == [
        ("mms[1]/part[2]/IMG_0412.png", digest, "image/png"),
        ("mms[2]/part[3]/contact.vcf", hashlib.sha256(vcard).hexdigest(), "text/vcard"),
    ]
    incoming = next(e for e in events if e.source.locator.startswith("smses/mms[1]"))
    assert incoming.timestamp == utc(2025, 11, 3, 21, 40)
    assert (incoming.direction, incoming.sender, incoming.recipients) == ("incoming", "+447700900123", ["+447700900999"])
    assert [(a.name, a.sha256, a.media_type) for a in incoming.attachments] == [("IMG_0412.png", digest, "image/png")]
    assert incoming.extra["addrs"] == [{"address": "+447700900123", "role": "from"}, {"address": "+447700900999", "role": "to"}]


def test_outgoing_group_mms_with_undecodable_part(sb: Path) -> None:
    events, warnings = run(sb / SMS)
    out = next(e for e in events if e.source.locator.startswith("smses/mms[2]"))
    assert (out.direction, out.extra["sms_type"]) == ("outgoing", "sent")
    assert out.sender == ""  # From is Android's placeholder insert-address-token
    assert out.recipients == ["+447700900123", "07700900456"]  # To, then Cc
    assert out.thread == "+447700900123~07700900456" and out.extra["subject"] == "Evidence"
    assert out.text == "Leave me alone."
    assert [(a.name, bool(a.sha256)) for a in out.attachments] == [("broken.jpg", False), ("contact.vcf", True)]
    assert out.extra["undecodable_parts"] == ["broken.jpg"]
    assert [w.locator for w in of(warnings, "bad_base64")] == ["smses/mms[2] (line 26) part[1]"]


# -- calls ----------------------------------------------------------------------------------


def test_each_call_type(sb: Path) -> None:
    events, warnings = run(sb / CALLS)
    assert all(e.platform == "phone" and e.kind == "call" for e in events)
    assert [(e.call_type, e.direction, e.duration_s) for e in events] == [
        ("answered", "incoming", 42),
        ("outgoing", "outgoing", 0),
        ("missed", "incoming", 0),
        ("voicemail", "incoming", 31),
        ("rejected", "incoming", 0),
        ("blocked", "incoming", 0),
        ("answered_externally", "incoming", 12),
        ("missed", "incoming", 0),
        ("unknown", "unknown", None),
    ]
    assert events[0].timestamp == utc(2025, 10, 14, 21, 0)  # readable_date 22:00 is BST: ignored
    assert (events[0].sender, events[0].thread) == ("07700 900123", "07700900123")
    assert (events[1].sender, events[1].recipients) == ("", ["07700 900123"])
    assert (events[6].sender, events[6].thread) == ("+44 7700 900123", "+447700900123")
    withheld = events[7]
    assert (withheld.sender, withheld.thread, withheld.extra["presentation"]) == ("", "withheld", "restricted")
    assert [(w.code, w.locator) for w in warnings] == [
        ("unknown_type", "calls/call[9] (line 13)"),
        ("bad_duration", "calls/call[9] (line 13)"),
    ]
    assert events[8].extra["type"] == "11"


# -- damage and refusals --------------------------------------------------------------------


def test_truncated_file_keeps_what_came_before(sb: Path) -> None:
    events, warnings = run(sb / "sms-truncated.xml")
    assert [e.text for e in events] == [
        "Why aren't you answering?",
        "Please stop contacting me.\nI mean it.",
        "I'm outside \U0001f600 \U0001f440",
    ]
    damaged = of(warnings, "xml_damaged")
    assert len(damaged) == 1 and damaged[0].locator == "line 8, column 3"
    assert "the last complete record is smses/sms[3] (line 7)" in damaged[0].message
    assert 'count="12"' in of(warnings, "count_mismatch")[0].message


def test_entity_declarations_are_refused(sb: Path) -> None:
    with pytest.raises(ParseError, match="declares entities") as err:
        run(sb / "sms-entities.xml")
    assert err.value.file == "sms-entities.xml"


def test_other_xml_and_non_xml_are_refused_with_a_typed_error(tmp_path: Path) -> None:
    html = tmp_path / "page.xml"
    html.write_text("<html><body>hi</body></html>")
    with pytest.raises(ParseError, match="root element is <html>"):
        run(html, format="sms_backup")
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x00\x01 not xml at all")
    with pytest.raises(ParseError, match="not well-formed XML"):
        run(junk, format="sms_backup")
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="not an SMS Backup & Restore backup"):
        run(empty, format="sms_backup")


def test_damage_after_the_root_closed_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "sms-junk-after.xml"
    path.write_text('<smses count="1">\n<sms address="07700 900123" date="1000000000000" type="1" body="hi" />\n</smses>\nJUNK')
    events, warnings = run(path)
    assert [e.text for e in events] == ["hi"]
    assert [(w.code, w.locator) for w in warnings] == [("xml_damaged", "line 4, column 1")]


# -- streaming ------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 333])
def test_tiny_read_chunks_give_the_same_result(sb: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    expected = {name: run(sb / name) for name in (SMS, CALLS, "sms-truncated.xml")}
    monkeypatch.setattr(_sms_stream, "CHUNK", chunk)
    for name, (events, warnings) in expected.items():
        got_events, got_warnings = run(sb / name)
        assert [json.dumps(e.to_record(), sort_keys=True) for e in got_events] == [
            json.dumps(e.to_record(), sort_keys=True) for e in events
        ]
        assert got_warnings == warnings


def test_char_ref_repair_is_split_proof_and_length_preserving() -> None:
    data = b'<a b="x&#55357;&#56832;y&#xD83D;&#xDC40;z&#55357;w&#10;&#1;"/>'
    whole = CharRefRepair()
    expected = whole.push(data, final=True)
    assert expected == b'<a b="x&#0000000128512;y&#0000000128064;z&#65533;w&#10;&#65533;"/>'
    assert [(f.code, f.original, f.offset) for f in whole.fixes] == [
        ("lone_surrogate", "&#55357;", 41),
        ("invalid_character", "&#1;", 55),
    ]
    assert expected[41:49] == b"&#65533;" and expected[55:63] == b"&#65533;"
    for cut in range(len(data) + 1):
        r = CharRefRepair()
        out = r.push(data[:cut]) + r.push(data[cut:]) + r.push(b"", final=True)
        assert out == expected, cut
        assert [(f.code, f.offset, f.line) for f in r.fixes] == [(f.code, f.offset, f.line) for f in whole.fixes]


def test_thread_normalises_phone_numbers_only() -> None:
    assert thread_of("07700 900-123") == "07700900123"
    assert thread_of("+44 (0)7700 900123") == "+4407700900123"  # as written: nothing added or dropped but punctuation
    assert thread_of("+447700900123~07700 900456") == "+447700900123~07700900456"
    assert thread_of("group_8@rcs.google.com") == "group_8@rcs.google.com"
    assert thread_of("VODAFONE") == "VODAFONE"


# -- through a real case --------------------------------------------------------------------


def test_backup_through_a_case(sb: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    case = ce.Case.create(case_dir, examiner="J. Smith", timezone="Europe/London")
    report = case.add(sb / SMS, sb / CALLS, note="SMS Backup & Restore from the victim's phone")
    outcomes = {f.original_path: f for f in report.files}
    assert (outcomes[SMS].parser, outcomes[SMS].events) == ("sms_backup", 12)  # one of them undated
    assert (outcomes[CALLS].parser, outcomes[CALLS].events) == ("sms_backup", 9)
    assert case.verify().exit_code == 0
    everything = list(case.timeline())
    assert len(everything) == 21
    assert [e.undated for e in everything[-1:]] == [True]  # the undated message comes last (docs/events.md)
    timeline = everything[:-1]
    assert [e.timestamp for e in timeline] == sorted(e.timestamp for e in timeline if e.timestamp)
    assert {e.platform for e in timeline} == {"sms", "phone"}
    first = timeline[0]
    assert (first.platform, first.timestamp, first.direction) == ("sms", utc(2025, 10, 14, 19, 1, 0, 250), "incoming")
    # the MMS photo is stored in the case, read-only, and logged as derived from the backup
    png = png_in(sb / SMS)
    digest = hashlib.sha256(png).hexdigest()
    stored = case_dir / "evidence" / "sha256" / digest[:2] / digest[2:4] / digest
    assert stored.read_bytes() == png
    derive = [e for e in case.custody.entries() if e.action == "derive" and e.subject == digest]
    assert len(derive) == 1
    assert derive[0].details["path_in_parent"] == "mms[1]/part[2]/IMG_0412.png"
    assert derive[0].details["parent_sha256"] == ce.hash_file(sb / SMS)["sha256"]
    photo = next(e for e in timeline if e.attachments and e.attachments[0].sha256 == digest)
    assert photo.text == "Recognise this? \U0001f4f7"
    assert {w.code for w in case.warnings()} >= {"missing_date", "lone_surrogate", "bad_base64", "unknown_type"}


def test_unknown_elements_and_parts_without_content(tmp_path: Path) -> None:
    path = tmp_path / "sms-odd.xml"
    path.write_text(
        '<smses count="1">\n'
        '  <note a="1" />\n'
        '  <note a="2" />\n'
        '  <mms date="1762206000000" msg_box="1" address="07700 900123">\n'
        '    <parts><part seq="0" ct="image/jpeg" name="IMG_1.jpg" text="null" /></parts>\n'
        "  </mms>\n"
        "</smses>\n"
    )
    events, warnings = run(path)
    assert len(events) == 1
    mms = events[0]
    assert mms.media_omitted and [(a.name, a.sha256, a.media_type) for a in mms.attachments] == [("IMG_1.jpg", "", "image/jpeg")]
    assert mms.sender == "07700 900123"  # no <addrs>: an incoming MMS's sender is its address
    assert [(w.code, w.locator) for w in warnings] == [
        ("unknown_element", "line 2"),
        ("missing_attachment", "smses/mms[1] (line 4) part[1]"),
    ]


def test_date_in_seconds_is_read_as_seconds_and_zero_is_no_time(tmp_path: Path) -> None:
    """1312452353 as milliseconds is 1970-01-16; as seconds 2011-08-04 10:05:53 UTC. 0 means no time."""
    path = tmp_path / "sms-seconds.xml"
    path.write_text(
        '<smses count="3">\n'
        '<sms address="+436812314123" date="1312452353" type="1" body="seconds" />\n'
        '<sms address="+436812314123" date="0" type="1" body="no time" />\n'
        '<sms address="+436812314123" date="1312452353000" type="1" body="ms" />\n'
        "</smses>\n"
    )
    events, warnings = run(path)
    assert [e.text for e in events] == ["seconds", "no time", "ms"]
    undated = events.pop(1)
    assert undated.timestamp is None and "no time was recorded" in undated.time_note  # kept, never 1970
    assert events[0].timestamp == events[1].timestamp == datetime(2011, 8, 4, 10, 5, 53, tzinfo=timezone.utc)
    assert events[0].extra["date_unit"] == "seconds" and "date_unit" not in events[1].extra
    assert [(w.code, w.locator) for w in warnings] == [
        ("date_unit", "whole file"),  # one seconds-sized and one milliseconds-sized value: mixed
        ("date_in_seconds", "smses/sms[1] (line 2)"),
        ("missing_date", "smses/sms[2] (line 3)"),
    ]
    assert "mixes units (1 seconds-sized and 1 milliseconds-sized" in warnings[0].message
    assert "no time was recorded" in warnings[2].message


def test_empty_mms_data_is_no_content_and_declared_type_fills_a_generic_one(tmp_path: Path) -> None:
    path = tmp_path / "sms-mms.xml"
    blob = base64.b64encode(b"\x00\x01 unknown bytes").decode()
    path.write_text(
        '<smses count="1">\n'
        '<mms date="1721161764000" msg_box="1" address="+15550000003">\n'
        "<parts>\n"
        '<part seq="0" ct="image/jpeg" name="a.jpg" text="null" data="" />\n'
        f'<part seq="1" ct="audio/amr" name="b.amr" data="{blob}" />\n'
        "</parts>\n"
        "</mms>\n"
        "</smses>\n"
    )
    events, warnings = run(path)
    assert [(a.name, bool(a.sha256), a.media_type) for a in events[0].attachments] == [
        ("a.jpg", False, "image/jpeg"),
        ("b.amr", True, "audio/amr"),
    ]
    assert [w.code for w in warnings] == ["missing_attachment"]


def test_a_seconds_file_is_decided_once_for_the_whole_file(tmp_path: Path) -> None:
    """Every date seconds-sized: the whole file is read in seconds, stated once (``date_unit``), not per record."""
    path = tmp_path / "sms-all-seconds.xml"
    rows = "".join(
        f'<sms address="+447700900123" date="{1312452353 + i * 60}" date_sent="0" type="1" body="m{i}" />\n' for i in range(5)
    )
    path.write_text(f'<smses count="5">\n{rows}</smses>\n')
    events, warnings = run(path)
    assert [e.timestamp for e in events][:2] == [
        datetime(2011, 8, 4, 10, 5, 53, tzinfo=timezone.utc),
        datetime(2011, 8, 4, 10, 6, 53, tzinfo=timezone.utc),
    ]
    assert all(e.extra["date_unit"] == "seconds" for e in events)
    assert [(w.code, w.locator) for w in warnings] == [("date_unit", "whole file")]
    assert "5 seconds-sized and 0 milliseconds-sized" in warnings[0].message


def test_file_date_unit_across_read_boundaries() -> None:
    import io

    from cyberevidence.parsers._sms_fields import DateUnit, file_date_unit

    body = b"".join(b'<sms date="1312452353000" date_sent="1312452353" />\n' for _ in range(500))
    found = file_date_unit(io.BytesIO(body), chunk=97)  # a read size that splits attributes everywhere
    assert (found.unit, found.milliseconds, found.seconds) == (DateUnit.MILLISECONDS, 500, 0)  # date_sent not counted
    found = file_date_unit(io.BytesIO(body.replace(b'date="1312452353000"', b"date='1312452353'")), chunk=61)
    assert (found.unit, found.milliseconds, found.seconds) == (DateUnit.SECONDS, 0, 500)
    assert file_date_unit(io.BytesIO(b"")).unit is DateUnit.MILLISECONDS
