"""Outlook .msg (OLE, read with olefile) against every .msg in the shared corpus (SOURCES.md ground truth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.outlook_msg import PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for


def run(path: Path) -> tuple[Event, list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone="UTC", warnings=warnings))
    assert len(events) == 1
    return events[0], warnings


def listed(corpus: Path, folder: str) -> list[str]:
    """The file names SOURCES.tsv lists under ``email/<folder>/``."""
    with open(corpus / "SOURCES.tsv", encoding="utf-8") as fh:
        paths = [line.split("\t", 1)[0] for line in fh]
    return sorted(p.rsplit("/", 1)[1] for p in paths if p.startswith(f"email/{folder}/"))


@pytest.fixture
def msgs(corpus: Path) -> Path:
    return corpus / "email" / "msg"


EXPECTED = [
    # name, subject, kind, attachment names, recipient storages
    ("langchain_hello.msg", "Test for TIF files", "email", [], 2),
    ("msgextractor_strangeDate.msg", "MSG Test File", "email", [], 1),
    ("msgreader_appointment_schedule.msg", "A schedule", "system", [], 1),
    ("msgreader_attach_and_inline.msg", "Attach and inline", "email", ["attach.png", "image001.png"], 1),
    ("msgreader_attach_eml_received.msg", "Attach sample.eml", "email", ["sample.eml (555 バイト)"], 1),
    ("msgreader_attachment_files.msg", "attachmentFiles", "email", ["jpg.jpg", "png.png", "tif.tif"], 1),
    ("msgreader_contact_unicode.msg", "コム ドット イグザンプル 殿", "system", [], 0),
    ("msgreader_hello_cjk.msg", "Hello +CJK", "email", [], 0),
    ("msgreader_html_link.msg", "htmlLink", "email", [], 0),
    ("msgreader_msg_in_msg.msg", "I have attachments!", "email", ["Microsoft Outlook テスト メッセージ", "green.png"], 0),
    ("msgreader_msg_in_msg_in_msg.msg", "I have sub attachments!", "email", ["I have attachments!", "blue.png"], 0),
    ("msgreader_new_outlook_test.msg", "Microsoft Outlook テスト メッセージ", "email", [], 1),
    ("msgreader_nonunicode_ansi.msg", "Non Unicode mail subject", "email", [], 1),
    ("msgreader_nonunicode_cp932.msg", "日本語 Non Unicode タイトル", "email", [], 1),
    ("msgreader_sent.msg", "Sent time", "email", [], 1),
    ("msgreader_simple.msg", "Simple", "email", [], 0),
    ("msgreader_vote_yes.msg", "はい: 3 vote items: はい;いいえ;たぶん", "email", [], 1),
    ("rubymsg_qwerty_1-orig.msg", "qwerty", "email", [], 1),
]


def test_every_corpus_msg_is_listed_and_sniffed(corpus: Path, msgs: Path) -> None:
    names = sorted(p.name for p in msgs.iterdir())
    assert names and names == listed(corpus, "msg")  # every file listed, every listed file there
    assert {e[0] for e in EXPECTED} <= set(names)
    for path in sorted(msgs.iterdir()):
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path.name
        event, warnings = run(path)  # the files not in EXPECTED are checked in test_email_corpus.py
        assert event.platform == "email" and event.source.locator == "$"
        assert all(w.locator.startswith("$") for w in warnings), path.name


@pytest.mark.parametrize(("name", "subject", "kind", "attachments", "recips"), EXPECTED)
def test_corpus_msg(msgs: Path, name: str, subject: str, kind: str, attachments: list[str], recips: int) -> None:
    event, warnings = run(msgs / name)
    assert event.extra["subject"] == subject
    assert event.kind == kind
    assert [a.name for a in event.attachments] == attachments
    assert all(len(a.sha256) == 64 for a in event.attachments)
    assert event.extra["recipient_storages"] == recips
    assert event.source.locator == "$" and all(w.locator.startswith("$") for w in warnings)


def test_senders_and_recipients(msgs: Path) -> None:
    event, _ = run(msgs / "langchain_hello.msg")
    assert event.extra["from_name"] == "Brian Zhou" and event.sender == "brizhou@gmail.com"
    assert event.timestamp_utc == "2013-11-18T08:26:24Z"  # from the transport headers' Date
    event, _ = run(msgs / "msgextractor_strangeDate.msg")
    assert event.recipients == ["time2talk@online-convert.com"]
    event, _ = run(msgs / "msgreader_sent.msg")
    assert event.recipients == ["xmailuser@xmailserver.test"]
    event, _ = run(msgs / "msgreader_new_outlook_test.msg")
    assert event.extra["from_name"] == "Microsoft Outlook"
    event, _ = run(msgs / "rubymsg_qwerty_1-orig.msg")
    assert event.recipients == ["asdf"]  # no address in the file, only the display name


def test_times_without_transport_headers(msgs: Path) -> None:
    event, _ = run(msgs / "msgreader_sent.msg")
    assert "client submit time" in event.time_note and not event.time_ambiguous
    event, _ = run(msgs / "msgextractor_strangeDate.msg")
    assert "creation time" in event.time_note


def test_cp932_and_ansi_code_pages(msgs: Path) -> None:
    event, warnings = run(msgs / "msgreader_nonunicode_cp932.msg")
    assert event.extra["subject"] == "日本語 Non Unicode タイトル" and "本文" in event.text
    assert not [w for w in warnings if w.code == "codepage_assumed"]
    event, _ = run(msgs / "msgreader_hello_cjk.msg")
    assert "你好" in event.text and "안녕하세요" in event.text


def test_embedded_messages_are_stored_and_summarised(msgs: Path) -> None:
    path = msgs / "msgreader_msg_in_msg_in_msg.msg"
    ctx = HashOnlyContext(ParseOptions())
    items = list(PARSER.parse(source_file_for(path), ctx))
    event = next(i for i in items if isinstance(i, Event))
    assert [d[1] for d in ctx.derived] == [
        "message[0]/attachment[0]/I have attachments!.streams.json",
        "message[0]/attachment[1]/blue.png",
    ]
    inner = event.extra["attached_messages"][0]
    assert inner["subject"] == "I have attachments!" and inner["attachments"] == [
        "Microsoft Outlook テスト メッセージ",
        "green.png",
    ]


def test_embedded_dump_is_lossless(msgs: Path, tmp_path: Path) -> None:
    import olefile

    from cyberevidence.parsers.outlook_msg import _Reader

    with olefile.OleFileIO(str(msgs / "msgreader_msg_in_msg.msg")) as ole:
        reader = _Reader(ole, lambda *a: None)
        sub = next(p for p in reader.paths if p[-1] == "__substg1.0_3701000D")
        doc = json.loads(reader.dump(sub))
        assert len(doc["streams"]) == sum(
            1 for p in reader.paths if len(p) > len(sub) and p[: len(sub)] == sub and ole.get_type(p) == 2
        )


def test_not_an_msg(tmp_path: Path) -> None:
    p = tmp_path / "x.msg"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert not PARSER.sniff(source_file_for(p), p.read_bytes())
