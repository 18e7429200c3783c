"""Every e-mail file of the shared corpus against ``corpus/SOURCES.tsv``: listed, present, sniffed by
the right parser, parsed without a crash; and the checkable facts that the ground-truth column states
for the files added later (expected values are copied from that text, not from parser output).

Which parser is right is read from the row: the folder (``eml`` → email_message, ``msg`` →
outlook_msg, ``pst`` → outlook_pst, ``mbox`` → mbox); an mbox row whose ground truth says
``0 messages`` is a negative case (no e-mail parser may claim it), and a row whose description
calls it a summary is MimeKit's expected-structure text for another file (used as ground truth
below; only the mbox reader may take it, since it is shaped like one).
"""

from __future__ import annotations

import csv
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import email_message, mbox, outlook_msg, outlook_pst
from cyberevidence.standalone import parse, source_file_for

PARSERS = {
    "email_message": email_message.PARSER,
    "mbox": mbox.PARSER,
    "outlook_msg": outlook_msg.PARSER,
    "outlook_pst": outlook_pst.PARSER,
}
FOLDER_PARSER = {"eml": "email_message", "msg": "outlook_msg", "pst": "outlook_pst", "mbox": "mbox"}
HAVE_PYPFF = outlook_pst.load_pypff() is not None


def email_rows(corpus: Path) -> dict[str, dict[str, str]]:
    with open(corpus / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return {r["corpus_path"]: r for r in rows if r["corpus_path"].startswith("email/")}


def role(path: str, row: dict[str, str]) -> str:
    """The parser that must claim the file, ``none`` (negative case) or ``summary``."""
    folder = path.split("/")[1]
    if folder != "mbox":
        return FOLDER_PARSER[folder]
    if "summary" in row["description"].lower():
        return "summary"
    m = re.search(r"\b(\d+) messages?\b", row["ground_truth"])
    assert m, f"{path}: the ground truth states no message count"
    return "mbox" if int(m.group(1)) > 0 else "none"


def run(path: Path, fmt: str | None = None) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    return list(parse(path, timezone="UTC", warnings=warnings, format=fmt)), warnings


def codes(warnings: list[ParseWarning]) -> list[str]:
    return [w.code for w in warnings]


def test_sources_rows_and_files_match(corpus: Path) -> None:
    rows = email_rows(corpus)
    present = {p.relative_to(corpus).as_posix() for p in (corpus / "email").rglob("*") if p.is_file()}
    assert present, "no e-mail files in the corpus"
    assert sorted(present - set(rows)) == [], "files without a SOURCES.tsv row"
    assert sorted(set(rows) - present) == [], "SOURCES.tsv rows whose file is missing"
    for path, row in rows.items():
        assert int(row["bytes"]) == (corpus / path).stat().st_size, path


def test_every_email_file_is_sniffed_by_the_right_parser_and_parses(corpus: Path) -> None:
    for path, row in sorted(email_rows(corpus).items()):
        file = corpus / path
        head = file.read_bytes()[:65536]
        claimed = {name for name, p in PARSERS.items() if p.sniff(source_file_for(file), head)}
        want = role(path, row)
        if want == "none":
            assert claimed == set(), path
            continue
        if want == "summary":
            assert claimed <= {"mbox"}, path
            continue
        assert claimed == {want}, (path, claimed)
        if want == "outlook_pst" and not HAVE_PYPFF:
            continue
        events, warnings = run(file)
        assert events, path
        assert all(e.platform == "email" for e in events), path
        assert all(w.locator for w in warnings if w.code != "no_messages"), path


def test_mbox_message_counts_match_the_ground_truth(corpus: Path) -> None:
    for path, row in sorted(email_rows(corpus).items()):
        if role(path, row) != "mbox":
            continue
        m = re.search(r"\b(\d+) messages?\b", row["ground_truth"])
        assert m is not None
        events, _ = run(corpus / path)
        assert len(events) == int(m.group(1)), path


# -- mbox: the files added later -------------------------------------------------------------


def summary_blocks(text: str) -> list[dict[str, str | int]]:
    """MimeKit's summary: per message its From_ line, From/To/Subject/Date lines and the MIME tree."""
    blocks: list[dict[str, str | int]] = []
    for chunk in re.split(r"\n\s*\n", text.strip("\n")):
        lines = chunk.splitlines()
        info: dict[str, str | int] = {
            "envelope": lines[0],
            "parts": sum(1 for ln in lines if ln.strip().startswith("Content-Type:")),
            "delivery_status": int(any("message/delivery-status" in ln for ln in lines)),
        }
        for ln in lines[1:]:
            for key in ("From", "To", "Subject", "Date"):
                if ln.startswith(key + ": "):
                    info[key] = ln[len(key) + 2 :]
        blocks.append(info)
    return blocks


@pytest.mark.parametrize(
    ("mbox_name", "summary_name"),
    [
        ("mimekit_content-length.mbox.txt", "mimekit_content-length-summary.txt"),
        ("mimekit_issue1189_gmail_takeout.mbox.txt", "mimekit_issue1189-summary.txt"),
    ],
)
def test_mimekit_mboxes_match_their_summaries(corpus: Path, mbox_name: str, summary_name: str) -> None:
    folder = corpus / "email" / "mbox"
    expected = summary_blocks((folder / summary_name).read_text(encoding="utf-8"))
    events, _ = run(folder / mbox_name)
    assert len(events) == len(expected)
    for event, want in zip(events, expected, strict=True):
        assert event.extra["mbox_from"].rstrip() == str(want["envelope"]).rstrip()
        assert event.extra.get("subject", "") == want.get("Subject", "")
        when = parsedate_to_datetime(str(want["Date"]))
        if str(want["Date"]).endswith("+0000") and re.search(r"\d [A-Za-z]+$", event.extra["date_header"]):
            # MimeKit writes +0000 for a zone name it does not know (e.g. lower-case 'cst'); RFC 822 names
            # are read here (CST = -0600), so only the wall-clock time must agree
            local = parsedate_to_datetime(event.extra["date_header"])
            assert local.replace(tzinfo=None) == when.replace(tzinfo=None)
            assert event.timestamp == local
        else:
            assert event.timestamp == when
        if not want["delivery_status"]:  # walk() also visits each header block of a delivery-status part
            assert event.extra["mime_parts"] == want["parts"], want.get("Subject")


def test_content_length_mbox_dates_and_separators(corpus: Path) -> None:
    events, warnings = run(corpus / "email" / "mbox" / "mimekit_content-length.mbox.txt")
    assert all(e.extra["mbox_from"].startswith("From - ") or e.extra["mbox_from"] == "From -" for e in events)
    assert min(e.timestamp_utc for e in events) == "1992-09-25T21:13:02Z"  # 14:13:02 -0700
    assert max(e.timestamp_utc for e in events) == "1997-08-19T04:07:07Z"  # 1997-08-18 21:07:07 -0700
    # the 1992 message's From is 'develop!nextmime@ebony@sblab.att.com' (two '@'): kept as written
    odd = next(e for e in events if e.timestamp_utc.startswith("1992"))
    assert odd.sender == "develop!nextmime@ebony@sblab.att.com"
    assert "odd_address" in codes([w for w in warnings if w.locator.startswith(odd.source.locator.split(" ")[0])])


def test_gmail_takeout_style_mbox(corpus: Path) -> None:
    events, _ = run(corpus / "email" / "mbox" / "mimekit_issue1189_gmail_takeout.mbox.txt")
    assert [e.extra["subject"] for e in events] == ["Message 1", "Message 2", "Message 3", "Message 4"]
    assert {(e.sender, e.extra["from_name"]) for e in events} == {("sender@example.com", "Sender")}
    assert events[0].timestamp_utc == "2025-09-26T17:18:40Z" and events[-1].timestamp_utc == "2025-09-26T17:19:54Z"
    assert all(re.fullmatch(r"From \d+@xxx", e.extra["mbox_from"]) for e in events)
    assert "application/x-zip-compressed" in [a.media_type for e in events for a in e.attachments]


def test_nested_boundaries_mbox_without_blank_lines(corpus: Path) -> None:
    events, warnings = run(corpus / "email" / "mbox" / "mimekit_simple_nested_boundaries.mbox.txt")
    assert len(events) == 3
    assert {e.sender for e in events} == {"fejj@gnome.org"}
    assert {e.extra["date_header"] for e in events} == {"Fri, 23 Aug 2002 2:32:53 -0400"}
    assert {e.timestamp_utc for e in events} == {"2002-08-23T06:32:53Z"}
    assert codes(warnings).count("mbox_missing_blank_line") == 2


def test_bom_mbox_with_unmunged_from_lines(corpus: Path) -> None:
    path = corpus / "email" / "mbox" / "mimekit_unmunged_from_bom.mbox.txt"
    assert mbox.PARSER.sniff(source_file_for(path), path.read_bytes())
    assert not email_message.PARSER.sniff(source_file_for(path), path.read_bytes())
    events, warnings = run(path)
    assert len(events) == 2
    assert [e.extra["from_name"] for e in events] == ["Jeffrey Stedfast", "Jeffrey Stedfast"]
    assert all("From Russia with love" in e.text for e in events)
    assert "Year: 1963" in events[1].text
    assert events[0].extra["mbox_bom"] is True and events[0].extra["mbox_from"] == "From -"
    assert all("date_header" not in e.extra and e.undated for e in events)  # no Date headers: undated
    assert codes(warnings).count("mbox_from_in_body") == 2


def test_minimal_valid_mbox(corpus: Path) -> None:
    events, _ = run(corpus / "email" / "mbox" / "neomutt_banana_valid.mbox")
    [e] = events
    assert e.extra["mbox_from"] == "From example@example.com Sun Feb 18 16:41:11 2020"
    assert e.recipients == ["example@example.com"] and e.extra["subject"] == "hello world"
    assert e.timestamp_utc == "2020-02-18T16:41:40Z"
    assert "from" not in e.extra and "message_id" not in e.extra


# -- .eml: the files added later -------------------------------------------------------------


def one(corpus: Path, name: str) -> tuple[Event, list[ParseWarning]]:
    events, warnings = run(corpus / "email" / "eml" / name)
    assert len(events) == 1
    return events[0], warnings


def test_eml_nonascii_attachment_name(corpus: Path) -> None:
    e, _ = one(corpus, "rubymail_attachment_nonascii_filename.eml")
    assert e.extra["subject"] == "testing" and e.sender == "foo@example.com"
    assert e.timestamp_utc == "2005-06-06T20:21:22Z"  # 22:21:22 +02:00
    assert e.extra["mime_parts"] == 3 and [a.name for a in e.attachments] == ["ciële.txt"]


@pytest.mark.parametrize(
    ("name", "subject", "earliest", "latest"),
    [
        # 4 Received headers 'Mon, 5 Nov 2007 20:17:37 +1100' ... 20:18:24
        ("rubymail_bad_date.eml", "Microsoft Vlsta & Office2007", "2007-11-05T09:17:37Z", "2007-11-05T09:18:24Z"),
        # 2 Received (Dec 2010)
        ("rubymail_bad_date_header.eml", "You may_be Eligible for Legitimate_Cash from_GovAgencies!", "2010-12-01", "2010-12-31"),
        # 2 Received (14/15 Dec 2010)
        ("rubymail_bad_date_header2.eml", "40% OFF holiday patterns and fabric!", "2010-12-14", "2010-12-16"),
    ],
)
def test_unreadable_date_falls_back_to_received(corpus: Path, name: str, subject: str, earliest: str, latest: str) -> None:
    e, warnings = one(corpus, name)
    assert e.extra["subject"].startswith(subject)
    assert earliest <= e.timestamp_utc <= latest + "~"
    assert "Received" in e.time_note and "unparsed_date" in codes(warnings)


def test_bad_date_header2_sender_and_defects(corpus: Path) -> None:
    e, warnings = one(corpus, "rubymail_bad_date_header2.eml")
    assert e.sender == "enews@free-quilting.com"
    assert codes(warnings).count("mime_defect") == 2  # SOURCES' 4 counts the top-level part twice


def test_implausible_year_is_not_the_message_time(corpus: Path) -> None:
    e, warnings = one(corpus, "rubymail_bad_time.eml")
    assert e.extra["date_header"] == "Mon, 30 Jun 3609 15:33:50 +0600"  # kept as written
    assert "2008-06-09" <= e.timestamp_utc <= "2008-06-30T23:59:59Z"  # Received headers 9 Jun .. 30 Jun 2008
    assert "implausible_date" in codes(warnings) and "Received" in e.time_note
    assert e.extra["from_name"] and e.extra["from_name"] != e.sender  # windows-1251 B-encoded name decoded


def test_japanese_iso_2022_jp(corpus: Path) -> None:
    e, warnings = one(corpus, "rubymail_japanese_iso-2022-jp.eml")
    assert e.extra["subject"] == "まみむめも" and e.extra["to"][0]["name"] == "みける"
    assert e.text == "すみません。" and e.extra["from_name"] == "Mikel Lindsaar"
    assert "date_header" not in e.extra and e.undated and "no_date" in codes(warnings)


def test_japanese_shift_jis_and_korean(corpus: Path) -> None:
    e, _ = one(corpus, "rubymail_japanese_shift_jis.eml")
    assert e.extra["subject"] == "test" and e.sender == "xxxxxxx@docomo.ne.jp"
    assert e.timestamp_utc == "2014-05-28T08:18:19Z"  # 17:18:19 +0900 (JST)
    for line in ("あいうえお", "このメールはテスト用のメールです。", "今後ともよろしくお願い申し上げます！"):
        assert line in e.text
    e, _ = one(corpus, "rubymail_korean_ks_c_5601-1987.eml")
    assert e.extra["subject"] == "test" and e.timestamp_utc == "2014-05-28T08:18:19Z" and e.text == "스티해"


def test_rfc6532_utf8_headers(corpus: Path) -> None:
    e, _ = one(corpus, "rubymail_rfc6532_utf8_headers.eml")
    assert e.extra["from"] == [{"name": "Jöhn Doe", "address": "jdöe@mächine.example"}]
    assert e.extra["to"] == [{"name": "Märy Smith", "address": "märy@exämple.net"}]
    assert e.extra["subject"] == "Säying Hello" and e.text == "body"


def test_from_lines_in_body_are_body(corpus: Path) -> None:
    e, _ = one(corpus, "rubymail_two_from_headers.eml")
    assert e.extra["subject"] == "Sending messages include last little bit"
    assert e.extra["from"] == [{"name": "Tester 1", "address": "tester1@test.com"}]
    assert e.timestamp_utc == "2009-12-02T09:39:33Z"  # 22:39:33 +13:00
    assert "* From Hotmail" in e.text and "* From GMail" in e.text and e.extra["mime_parts"] == 3


# -- .msg: the files added later -------------------------------------------------------------


def msg(corpus: Path, name: str) -> tuple[Event, list[ParseWarning]]:
    events, warnings = run(corpus / "email" / "msg" / name)
    assert len(events) == 1
    return events[0], warnings


def test_msg_display_name_that_is_an_address(corpus: Path) -> None:
    e, warnings = msg(corpus, "outlookmsgparser_at_sign_in_display_name.msg")
    assert e.extra["subject"] == "Test at sign in personal 3"
    assert e.sender == "bogus@domain.com" and e.extra["from_name"] == "bogus@acme.com"  # never the sender
    assert e.extra["display_name_spoof"] is True and "display_name_spoof" in codes(warnings)
    assert e.recipients == ["recipient@domain.com"] and e.attachments == []
    assert e.timestamp_utc == "2021-06-26T11:56:37Z"


def test_msg_without_sender_or_dates(corpus: Path) -> None:
    e, _ = msg(corpus, "outlookmsgparser_attachment_bracket_name_no_sender_no_date.msg")
    assert e.extra["subject"] == 'Attachment with the name "Attachment[1.pdf"'
    assert e.sender == "" and e.recipients == ["a@b.c"] and [a.name for a in e.attachments] == ["Attachment[1.pdf"]
    assert "client_submit_time" not in e.extra and "delivery_time" not in e.extra
    assert "submit" not in e.time_note and "delivery" not in e.time_note


def test_msg_chinese_pair(corpus: Path) -> None:
    e, _ = msg(corpus, "outlookmsgparser_chinese_garbled.msg")
    assert e.extra["subject"] == "测试邮件" and e.extra["from_name"] == "Wang, Zhuo D." and e.sender == ""
    assert e.timestamp_utc == "2024-05-20T03:29:12.763Z" and [a.name for a in e.attachments] == ["image001.png"]
    e, _ = msg(corpus, "outlookmsgparser_chinese_un_garbled.msg")
    assert e.extra["subject"] == "测试邮件"
    assert e.extra["from"][0] == {"name": "Wang, Zhuo D.", "address": "zhuo.d.wang@accenture.com"}
    assert e.timestamp_utc == "2024-05-20T03:29:17Z" and [a.name for a in e.attachments] == ["image001.png"]


def test_msg_client_submit_time(corpus: Path) -> None:
    e, _ = msg(corpus, "outlookmsgparser_client_submit_time.msg")
    assert e.extra["subject"] == "test" and e.extra["from_name"] == "Reitinger Helmut"
    assert e.timestamp_utc == "2024-06-04T13:31:19.728Z" and "submit" in e.time_note
    assert e.extra["delivery_time"].startswith("2024-06-04T13:31:00")
    assert [a.name for a in e.attachments] == ["image001.jpg", "image002.png"]


def test_msg_html_reply_to_attachments(corpus: Path) -> None:
    e, _ = msg(corpus, "outlookmsgparser_html_replyto_attachments_embedded.msg")
    assert e.extra["subject"] == "hey"
    assert e.extra["from"][0] == {"name": "lollypop", "address": "b.bottema@projectnibble.org"}
    assert e.extra["to"][0] == {"name": "C.Cane", "address": "benny.bottema@aegon.nl"}
    assert e.extra["reply_to"][0]["name"] == "lollypop-replyto"
    assert e.timestamp_utc == "2017-03-05T11:11:31Z"
    assert [a.name for a in e.attachments] == ["thumbsup", "dresscode.txt", "location.txt"]
    assert e.attachments[0].media_type == "image/png"


def test_msg_nested_and_rtf_only(corpus: Path) -> None:
    e, _ = msg(corpus, "outlookmsgparser_nested_msg_attachment.msg")
    assert e.extra["subject"] == "outlookmsg2html Testmail" and e.timestamp_utc == "2016-04-11T09:17:58Z"
    assert len(e.attachments) == 1 and e.extra["attached_messages"][0]["subject"] == "outlookmsg2html Testmail"
    e, _ = msg(corpus, "outlookmsgparser_rtf_only_body.msg")
    assert e.extra["subject"] == "RtfSampleEmail" and e.timestamp_utc == "2017-10-23T07:31:09Z"
    assert e.extra["from"][0] == {"name": "Wilson, Chris", "address": "chris.wilson@leeds.gov.uk"}
    assert e.extra["has_rtf"] and "has_html" not in e.extra and e.attachments == [] and e.text


@pytest.mark.parametrize(
    ("name", "mclass", "subject", "when"),
    [
        ("outlookmsgparser_smime_encrypted.msg", "IPM.Note.SMIME", "S/MIME test message encrypted", "2019-04-27T16:47:26Z"),
        (
            "outlookmsgparser_smime_signed.msg",
            "IPM.Note.SMIME.MultipartSigned",
            "S/MIME test message signed",
            "2019-04-27T16:47:54Z",
        ),
        (
            "outlookmsgparser_smime_signed_and_encrypted.msg",
            "IPM.Note.SMIME",
            "S/MIME test message signed & encrypted",
            "2019-04-27T16:48:18Z",
        ),
    ],
)
def test_msg_smime(corpus: Path, name: str, mclass: str, subject: str, when: str) -> None:
    e, _ = msg(corpus, name)
    assert e.extra["message_class"] == mclass and e.extra["subject"] == subject and e.timestamp_utc == when
    assert e.sender == "benny@bennybottema.com" and e.extra["recipient_storages"] == 1
    names = [a.name for a in e.attachments]
    if mclass == "IPM.Note.SMIME":
        assert names == ["smime.p7m"]  # a CMS envelope: undecryptable without the key, kept whole
    else:  # the one multipart/signed storage is kept whole and its parts are listed too
        assert len(names) == 4
        assert set(names[1:]) == {"smime.p7s", "03-07-2005 errata SharnErrata.pdf", "module_architecture.png"}


# -- .pst: the files added later -------------------------------------------------------------


@pytest.mark.skipif(not HAVE_PYPFF, reason="libpff-python is not installed (pip install 'cyberevidence[pst]')")
def test_passworded_pst(corpus: Path) -> None:
    events, _ = run(corpus / "email" / "pst" / "javalibpst_passworded.pst")
    contacts = [e for e in events if e.extra["folder"] == "/Top of Personal Folders/Contacts"]
    assert [(e.extra["subject"], e.timestamp_utc[:19]) for e in contacts] == [
        ("test dist list", "2014-05-25T13:58:59"),
        ("contact name 1", "2014-05-25T13:58:28"),
    ]
    others = [e for e in events if e not in contacts]
    assert len(others) == 1 and "FreeBusy" in others[0].extra["message_class"]


@pytest.mark.skipif(not HAVE_PYPFF, reason="libpff-python is not installed (pip install 'cyberevidence[pst]')")
def test_pst_with_200_recipients(corpus: Path) -> None:
    events, _ = run(corpus / "email" / "pst" / "rubymsg_200_recipients.pst")
    [e] = events
    assert e.extra["subject"] == "200 recipients" and e.extra["folder"] == "/Outlook データ ファイルのトップ"
    assert e.timestamp_utc.startswith("2021-11-23T00:24:09") and "delivery" in e.time_note
    assert len(e.recipients) == 200 and e.attachments == [] and "transport_headers" not in e.extra
