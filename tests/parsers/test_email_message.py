"""The .eml/.mht parser against every e-mail file in the shared corpus, the synthetic fixtures and a real case.

Expected answers come from ``corpus/SOURCES.md`` ("email — ground truth"). SOURCES counts MIME
parts as :meth:`email.message.Message.walk` visits them (asserted via ``extra["mime_parts"]``).
Its defect counts add the top-level message's defects twice (``len(msg.defects)`` plus the walk,
which visits the top level again): e.g. "2 defects" for flanker_enclosed is one defect on the
top-level part. We warn once per defect, and the tests say so where the numbers differ.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

import cyberevidence
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.email_message import PARSER
from cyberevidence.parsers.mbox import PARSER as MBOX
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for


def run(path: Path, tz: str = "UTC") -> tuple[Event, list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone=tz, warnings=warnings))
    assert len(events) == 1, path
    return events[0], warnings


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    return Counter(w.code for w in warnings)


def listed(corpus: Path, folder: str) -> list[str]:
    """The file names SOURCES.tsv lists under ``email/<folder>/``."""
    with open(corpus / "SOURCES.tsv", encoding="utf-8") as fh:
        paths = [line.split("\t", 1)[0] for line in fh]
    return sorted(p.rsplit("/", 1)[1] for p in paths if p.startswith(f"email/{folder}/"))


@pytest.fixture
def eml(corpus: Path) -> Path:
    return corpus / "email" / "eml"


def test_every_corpus_eml_is_sniffed_and_parses(corpus: Path, eml: Path) -> None:
    files = sorted(eml.iterdir())
    assert files and [p.name for p in files] == listed(corpus, "eml")  # every file listed, every listed file there
    for path in files:
        head = path.read_bytes()[:65536]
        assert PARSER.sniff(source_file_for(path), head), path.name
        assert not MBOX.sniff(source_file_for(path), head), path.name
        event, warnings = run(path)
        assert event.platform == "email" and event.kind == "email"
        assert all(w.locator.startswith("message[0]") for w in warnings), path.name


def test_other_corpus_formats_are_not_sniffed(corpus: Path) -> None:
    checked = 0
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".eml", ".mht"):
            continue
        assert not PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path
        checked += 1
    assert checked > 100


SUBJECTS_PARTS = [
    ("cpython_msg_01.eml", "This is a test message", 1),
    ("cpython_msg_02.eml", "Ppp digest, Vol 1 #2 - 5 msgs", 15),
    ("cpython_msg_05.eml", "bar", 5),
    ("cpython_msg_15.eml", "XX", 4),
    ("flanker_8bitmime.eml", "2 RCPT MIME", 3),
    ("flanker_bilingual-simple.eml", "Simple text. How are you? Как ты поживаешь?", 1),
    ("flanker_bounce_office365.eml", "Undeliverable: test_bounce 8", 10),
    ("flanker_encoded-header.eml", "hello", 1),
    ("flanker_multi-received-headers.eml", "Fwd: Please forward this email to me", 3),
    ("flanker_no-ctype.eml", "Testing message parsing", 1),
    ("flanker_outlook-express.eml", "Sup?", 1),
    ("hunnysoft_m0004_outlook2000_qp_subject_iso8859-1.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", 1),
    ("hunnysoft_m0006_outlook2000_utf7.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", 1),
    ("hunnysoft_m0010_outlook2000_windows1252.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", 1),
    ("hunnysoft_m1011_netscape47_utf7_raw_subject.eml", "Die Hasen und die Fr+APY-sche", 1),
    ("hunnysoft_m2001_eudora42_iso8859-1.eml", "Die Hasen und die Frösche", 1),
    ("hunnysoft_m3002_pine_iso8859-1.eml", "Die Hasen und die Frösche", 1),
    ("hunnysoft_m0016_outlook2000_related_html.eml", "Test message from Microsoft Outlook 00", 6),
    ("langchain_fake-email-attachment.eml", "Fake email with attachment", 5),
    ("mmp_m0024_french_attachment_filenames.eml", "Persil, abeilles ...", 3),
    ("mmp_m4006_outlook2013_tnef_winmail.eml", "Read: invitation", 1),
    ("cpython_msg_06.eml", "forwarded message from Barry A. Warsaw", 2),
    ("cpython_msg_16.eml", "Delivery Notification: Delivery has failed", 7),
    ("cpython_msg_43.eml", "Banned file: auto__mail.python.bat in mail from you", 30),
    ("flanker_quoted-printable.eml", "This message contains very long links in html", 3),
]


@pytest.mark.parametrize(("name", "subject", "parts"), SUBJECTS_PARTS)
def test_decoded_subjects_and_part_counts(eml: Path, name: str, subject: str, parts: int) -> None:
    event, _ = run(eml / name)
    assert event.extra["subject"] == subject
    assert event.extra["mime_parts"] == parts


ATTACHMENTS = [
    ("cpython_msg_07.eml", ["dingusfish.gif"]),
    ("cpython_msg_22.eml", ["wibble.JPG", "wibble2.JPG"]),
    ("cpython_msg_26.eml", ["clock.bmp"]),
    ("cpython_msg_45.eml", ["signature.asc"]),
    ("flanker_attached-pdf.eml", ["test.pdf"]),
    ("flanker_bz2-attachment.eml", ["foo.txt.bz2"]),
    ("flanker_iphone.eml", ["photo.JPG"]),
    ("flanker_signed.eml", ["part1.bin", "smime.p7s"]),  # part 1 is declared application/plain: see below
    ("hunnysoft_m0013_outlook2000_attachments.eml", ["blueball.png", "redball.png"]),
    ("hunnysoft_m0016_outlook2000_related_html.eml", ["blueball.png", "redball.png"]),
    (
        "hunnysoft_m1005_netscape47_mixed.eml",
        ["C:\\TEMP\\nsmailEG.png", "C:\\TEMP\\nsmail39.png", "redball.png", "greenball.png"],
    ),
    ("hunnysoft_m2005_eudora42_attachments.eml", ["2aa3ed95.png", "2aa3edd1.png", "blueball.png", "greenball.png"]),
    ("hunnysoft_m3001_pine_uppercase_mime.eml", ["redball.png", "blueball.png"]),
    ("langchain_fake-email-attachment.eml", ["fake-attachment.txt"]),
    ("mmp_m0024_french_attachment_filenames.eml", ["Biodiversite de semaine en semaine.doc"]),
    ("mmp_m4006_outlook2013_tnef_winmail.eml", ["winmail.dat"]),
    ("flanker_enclosed.eml", ["thanks.eml"]),
]


@pytest.mark.parametrize(("name", "names"), ATTACHMENTS)
def test_attachment_names_and_counts(eml: Path, name: str, names: list[str]) -> None:
    event, _ = run(eml / name)
    assert [a.name for a in event.attachments] == names
    assert all(len(a.sha256) == 64 for a in event.attachments)


def test_signed_message_keeps_the_signed_entity(eml: Path) -> None:
    # multipart/signed whose signed entity is declared "application/plain": a non-text leaf
    # without a name, so by the stated rule it is an unnamed attachment, not the body.
    event, _ = run(eml / "flanker_signed.eml")
    assert event.extra["unnamed_parts"] == [1]


def test_attachments_are_derived_with_message_paths(eml: Path) -> None:
    path = eml / "hunnysoft_m1005_netscape47_mixed.eml"
    source = source_file_for(path)
    from cyberevidence.parsers.base import ParseOptions

    ctx = HashOnlyContext(ParseOptions())
    items = list(PARSER.parse(source, ctx))
    assert [d[1] for d in ctx.derived] == [
        "message[0]/attachment[0]/nsmailEG.png",
        "message[0]/attachment[1]/nsmail39.png",
        "message[0]/attachment[2]/redball.png",
        "message[0]/attachment[3]/greenball.png",
    ]
    event = next(i for i in items if isinstance(i, Event))
    assert [a.sha256 for a in event.attachments] == [d[2].sha256 for d in ctx.derived]


def test_dates_and_missing_dates(eml: Path) -> None:
    event, _ = run(eml / "cpython_msg_01.eml")
    assert event.timestamp.date() == datetime(2001, 5, 4).date()
    for name in ("cpython_msg_05.eml", "cpython_msg_45.eml", "flanker_bz2-attachment.eml"):
        event, warnings = run(eml / name)  # no Date and no Received time: kept, undated (no instant)
        assert event.timestamp is None and event.undated and not event.time_ambiguous
        assert event.to_record()["timestamp"] is None and event.to_record()["undated"] is True
        assert codes(warnings)["no_date"] == 1
    event, warnings = run(eml / "cpython_msg_15.eml")  # no Date: bottom-most Received hop
    assert "Received" in event.time_note and not event.time_ambiguous
    for name, day in (
        ("cpython_msg_16.eml", "2001-09-2"),
        ("flanker_bounce_office365.eml", "2017-10-13"),
        ("flanker_iphone.eml", "2011-06-17"),
        ("mmp_m0024_french_attachment_filenames.eml", "2014-07-21"),
        ("mmp_m4006_outlook2013_tnef_winmail.eml", "2016-07-10"),
        ("flanker_no-ctype.eml", "2011-12-29"),
    ):
        assert run(eml / name)[0].timestamp_utc.startswith(day), name


def test_minus_zero_date_is_utc_with_the_sender_zone_unknown(eml: Path) -> None:
    event, warnings = run(eml / "langchain_example.mht", tz="America/New_York")
    assert not event.time_ambiguous and "-0000" in event.time_note and event.extra["date_local_zone_unknown"] is True
    assert event.timestamp_utc == "2023-06-16T19:32:59Z"  # RFC 5322 §3.3: -0000 is UTC, not the case zone
    assert "date_without_zone" not in codes(warnings)
    assert event.extra["from"] == [{"name": "", "address": "saved by blink"}]


def test_addresses_names_and_raw_8bit(eml: Path) -> None:
    event, _ = run(eml / "flanker_encoded-header.eml")
    assert event.extra["from"] == [{"name": "Foo, Bar", "address": "foo.bar@example.com"}]
    assert event.sender == "foo.bar@example.com"
    event, warnings = run(eml / "flanker_from-encoding.eml")
    assert event.extra["from_name"] == "Ingo Lütkebohle"
    assert any(w.code == "header_charset" and "From" in w.message for w in warnings)
    event, _ = run(eml / "cpython_msg_16.eml")
    assert event.sender == "postmaster@ucla.edu"
    event, _ = run(eml / "cpython_msg_43.eml")
    assert event.extra["from"] == [{"name": "MAILER DAEMON", "address": ""}] and event.sender == ""


def test_received_chain_and_originating_ip(eml: Path) -> None:
    event, _ = run(eml / "flanker_from-encoding.eml")
    bottom = event.extra["received"][-1]
    assert bottom["ips"] == ["194.77.23.152"] and bottom["by"].startswith("linteuto.teuto.de")
    assert event.extra["originating_ip"] == "194.77.23.152" and event.extra["originating_ip_private"] is False
    assert event.extra["date_received_gap_s"] == -28


def test_charset_problems_warn_and_never_crash(eml: Path) -> None:
    event, warnings = run(eml / "mmp_invalid-charset.eml")
    assert event.extra["subject"] == "Test invalid charset"
    assert any(w.code == "body_charset" and "invalid-charset" in w.message for w in warnings)
    event, _ = run(eml / "hunnysoft_m0006_outlook2000_utf7.eml")
    assert "Frösche" in event.text  # the body is declared utf-7
    event, _ = run(eml / "flanker_from-encoding.eml")
    assert "ü" in event.extra["from_name"]


@pytest.mark.parametrize(
    ("name", "defects", "sources_count"),
    [
        ("cpython_msg_15.eml", 1, 1),
        ("flanker_enclosed.eml", 1, 2),
        ("flanker_iphone.eml", 1, 2),
        ("flanker_malformed-headers.eml", 2, 4),
        ("flanker_missing-final-boundary.eml", 1, 2),
        ("flanker_russian-attachment-yahoo.eml", 1, 2),
    ],
)
def test_malformed_messages_give_located_warnings(eml: Path, name: str, defects: int, sources_count: int) -> None:
    _, warnings = run(eml / name)
    mime = [w for w in warnings if w.code == "mime_defect"]
    assert len(mime) == defects  # SOURCES counts the top-level part's defects twice: sources_count
    assert all(w.locator == "message[0]" and "part[" in w.message for w in mime)
    assert sources_count >= defects


def test_missing_final_boundary_keeps_the_parts(eml: Path) -> None:
    event, warnings = run(eml / "flanker_missing-final-boundary.eml")
    assert event.extra["mime_parts"] == 2 and event.text
    assert "CloseBoundaryNotFoundDefect" in next(w for w in warnings if w.code == "mime_defect").message


def test_russian_attachment_name_is_utf8(eml: Path) -> None:
    event, _ = run(eml / "flanker_russian-attachment-yahoo.eml")
    assert len(event.attachments) == 1 and event.attachments[0].media_type == "image/png"
    assert event.attachments[0].name.startswith("Картинка с очень, очень длинным")


def test_tnef_is_kept_and_said(eml: Path) -> None:
    event, warnings = run(eml / "mmp_m4006_outlook2013_tnef_winmail.eml")
    assert event.extra["tnef"] is True and codes(warnings)["tnef_not_expanded"] == 1


# -- synthetic fixtures -----------------------------------------------------------------------


def test_no_zone_date_is_local_and_flagged(fixtures_dir: Path) -> None:
    event, warnings = run(fixtures_dir / "email" / "no_zone_cyrillic.eml", tz="Europe/Berlin")
    assert event.timestamp_utc == "2024-11-05T22:10:00Z" and event.time_ambiguous
    assert "no time zone" in event.time_note and codes(warnings)["date_without_zone"] == 1
    assert event.extra["subject"] == "Привет снова"
    assert event.extra["from_name"] == "Петров" and event.sender == "petrov@example.net"
    assert event.recipients == ["sarah@example.org", "bob@example.org", "cafe@example.org"]
    assert event.extra["to"][0] == {"name": "Victim, Sarah", "address": "sarah@example.org"}
    assert event.extra["reply_to"] == [{"name": "", "address": "other@example.net"}]
    assert event.extra["cc"] == [{"name": "Café", "address": "cafe@example.org"}]
    assert any(w.code == "header_charset" and "x-unknown" in w.message for w in warnings)
    assert event.thread == "root@example.net" and event.extra["in_reply_to"] == "reply1@example.net"
    assert event.extra["auth_results"] == {"spf": ["fail"], "dkim": ["none"], "dmarc": ["fail"]}
    assert event.extra["originating_ip"] == "203.0.113.9" and event.extra["originating_ip_source"] == "received[1]"
    assert event.extra["date_received_gap_s"] == 3630  # 22:10:00Z local reading vs 23:10:30Z first hop


def test_missing_boundary_fixture(fixtures_dir: Path) -> None:
    event, warnings = run(fixtures_dir / "email" / "minus_zero_missing_boundary.eml")
    assert "boundary never appears" in event.text
    assert codes(warnings)["mime_defect"] == 2 and not event.time_ambiguous
    assert event.timestamp_utc == "2024-11-06T08:00:00Z" and event.extra["date_local_zone_unknown"] is True


def test_through_a_real_case(tmp_path: Path, eml: Path) -> None:
    case = cyberevidence.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="Europe/London")
    case.add(eml / "hunnysoft_m2005_eudora42_attachments.eml")
    events = list(case.timeline())
    assert len(events) == 1 and [a.name for a in events[0].attachments] == [
        "2aa3ed95.png",
        "2aa3edd1.png",
        "blueball.png",
        "greenball.png",
    ]
    report = case.verify()
    assert report.exit_code == 0
    for att in events[0].attachments:  # each attachment is stored in the case, under its digest
        stored = tmp_path / "case" / "evidence" / "sha256" / att.sha256[:2] / att.sha256[2:4] / att.sha256
        assert stored.is_file() and len(stored.read_bytes()) > 0
