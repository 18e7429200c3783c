"""SMS Backup & Restore parser against the corpus files added after the first eight.

Every expected value is taken from the file's ``ground_truth`` (and ``description``) column in
``corpus/SOURCES.tsv``, written independently of this parser; the comment above each check quotes
the fact it checks. Nothing here was copied from the parser's output.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.sms_backup import PARSER
from cyberevidence.standalone import parse, source_file_for

pytestmark = pytest.mark.corpus


def run(path: Path) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, warnings=warnings, format="sms_backup"))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def to_second(t: datetime) -> datetime:
    return t.replace(microsecond=0)


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    return Counter(w.code for w in warnings)


@pytest.fixture
def sbr(corpus: Path) -> Path:
    return corpus / "sms_backup_restore"


def test_memacs_old_call_log(sbr: Path) -> None:
    # <calls count=8>: 8 <call> (number/duration/date/type only): types 1 x4, 2 x3, 3 x1; number '-1' =
    # private caller; 2011-08-04 14:36:02 -> 2011-08-05 17:05:06 UTC (file newest first); no contact_name
    events, warnings = run(sbr / "memacs_calls_old_format.xml")
    assert warnings == [] and len(events) == 8
    assert all(e.kind == "call" and e.platform == "phone" for e in events)
    assert Counter(e.call_type for e in events) == {"answered": 4, "outgoing": 3, "missed": 1}
    private = [e for e in events if e.extra.get("number") == "-1"]
    assert len(private) == 1 and private[0].thread == "withheld" and private[0].sender == ""
    assert to_second(events[0].timestamp) == utc(2011, 8, 5, 17, 5, 6)  # newest first
    assert to_second(events[-1].timestamp) == utc(2011, 8, 4, 14, 36, 2)
    assert to_second(min(e.timestamp for e in events)) == utc(2011, 8, 4, 14, 36, 2)
    assert not any("contact_name" in e.extra for e in events)


def test_memacs_old_sms_saved_as_txt(sbr: Path) -> None:
    # <smses count=4>: 4 <sms> (1 received, 3 sent), 2011-08-04 10:05:53 -> 2011-08-05 18:32:01 UTC;
    # subject/service_center are the literal string 'null'; no readable_date/contact_name
    path = sbr / "memacs_sms_old_format.xml.txt"
    assert PARSER.sniff(source_file_for(path), path.read_bytes())  # content decides, not the .txt name
    events, warnings = run(path)
    assert warnings == [] and len(events) == 4
    assert Counter(e.extra["sms_type"] for e in events) == {"received": 1, "sent": 3}
    assert to_second(events[0].timestamp) == utc(2011, 8, 4, 10, 5, 53)
    assert to_second(events[-1].timestamp) == utc(2011, 8, 5, 18, 32, 1)
    assert not any("subject" in e.extra or "contact_name" in e.extra for e in events)  # 'null' is no value


def test_super_backup_call_log_is_not_this_format(sbr: Path) -> None:
    # NOT SMS Backup & Restore: 'Super Backup' call-log XML (<alllogs><log .../>)
    path = sbr / "memacs_superbackup_calls.xml"
    assert not PARSER.sniff(source_file_for(path), path.read_bytes())
    with pytest.raises(ParseError, match="alllogs"):
        run(path)


def test_declared_count_without_children(sbr: Path) -> None:
    # well-formed; <smses count="2444"> with 0 children
    events, warnings = run(sbr / "sbm_empty_count_mismatch.xml")
    assert events == []
    assert list(codes(warnings)) == ["count_mismatch"] and "2444" in warnings[0].message


def test_attribute_less_sms_after_a_valid_one(sbr: Path) -> None:
    # count=2444; 2 children: 1 valid SMS (Google code, 1319183400129 = 2011-10-21 07:50:00 UTC,
    # contact_name '(Unknown)') + 1 <sms/> with no attributes
    events, warnings = run(sbr / "sbm_invalid_empty_sms_element.xml")
    assert len(events) == 1
    sms = events[0]
    assert sms.timestamp == utc(2011, 10, 21, 7, 50) + timedelta(milliseconds=129)
    assert "Google" in sms.text and sms.extra["contact_name"] == "(Unknown)"
    bad = [w for w in warnings if w.code == "bad_date"]
    assert len(bad) == 1 and bad[0].locator.startswith("smses/sms[2]") and "no attributes" in bad[0].message
    assert codes(warnings)["count_mismatch"] == 1


def test_date_that_is_a_word(sbr: Path) -> None:
    # count=1: 1 <sms> from 'Google' with date="today" (not an integer), readable_date 'null'
    events, warnings = run(sbr / "sbm_invalid_date_today.xml")
    # no time: kept undated (docs/events.md), never an invented 1970 date
    assert [(e.timestamp, e.undated, e.sender) for e in events] == [(None, True, "Google")]
    assert "date='today' is not a time in milliseconds" in events[0].time_note
    assert list(codes(warnings)) == ["missing_date"]
    assert "'today'" in warnings[0].message and warnings[0].locator.startswith("smses/sms[1]")


def test_sms_and_mms_separated_by_a_comment(sbr: Path) -> None:
    # count=2 but 3 records: 1 SMS (2012-05-11 09:47:44 UTC) + 2 MMS: 2014-09-30 20:41:40 UTC (smil +
    # image/jpeg part carrying text= instead of data=), 1389027620000 = 2014-01-06 17:00:20 UTC
    # (group MMS, contact_name 'Max Mustermann, Erika Musterfrau', 3 <addr> types 137/151)
    events, warnings = run(sbr / "sbm_sms_and_mms_with_comment.xml")
    assert [e.source.locator.split(" ")[0] for e in events] == ["smses/sms[1]", "smses/mms[1]", "smses/mms[2]"]
    assert [to_second(e.timestamp) for e in events] == [
        utc(2012, 5, 11, 9, 47, 44),
        utc(2014, 9, 30, 20, 41, 40),
        utc(2014, 1, 6, 17, 0, 20),
    ]
    image = events[1]
    # the JPEG's bytes are not in the backup (data="", text="null"): an attachment without a digest
    assert [(a.name, a.sha256) for a in image.attachments] == [("IMG_32751.jpg", "")] and image.media_omitted
    assert [w.locator for w in warnings if w.code == "missing_attachment"] == ["smses/mms[1] (line 6) part[2]"]
    group = events[2]
    assert group.extra["contact_name"] == "Max Mustermann, Erika Musterfrau"
    assert [a["role"] for a in group.extra["addrs"]] == ["from", "to", "to"]
    assert group.direction == "outgoing" and len(group.recipients) == 2
    mismatch = next(w for w in warnings if w.code == "count_mismatch")
    assert 'count="2"' in mismatch.message and "3 were found" in mismatch.message


def test_exact_duplicates_are_both_kept(sbr: Path) -> None:
    # count=2444 but 8 <sms>; 2011-10-21 13:55:47 -> 19:50:48 UTC; 2 records identical except
    # readable_date; address formats '+49…' and '773-338-7786'; contacts 'Contact 1'..'Contact 4'
    events, warnings = run(sbr / "sbm_sms_duplicates.xml")
    assert len(events) == 8
    assert to_second(events[0].timestamp) == utc(2011, 10, 21, 13, 55, 47)
    assert to_second(events[-1].timestamp) == utc(2011, 10, 21, 19, 50, 48)
    assert {e.extra["contact_name"] for e in events} == {f"Contact {i}" for i in range(1, 5)}
    addresses = {(e.sender or e.recipients[0]) for e in events}
    assert "773-338-7786" in addresses and all(a.startswith("+49") for a in addresses - {"773-338-7786"})
    twins = Counter((e.timestamp, e.text, tuple(e.recipients)) for e in events)
    assert sorted(twins.values()) == [1] * 6 + [2]  # the parser keeps both; deduplication is the store's job
    assert codes(warnings) == {"count_mismatch": 1}


def test_same_body_different_time_are_distinct(sbr: Path) -> None:
    # count=2: same address +4915112313123 and body 'Klar ' (trailing space) but sent 2012-05-11
    # 09:47:44 UTC vs received 2012-10-06 19:15:21 UTC
    events, warnings = run(sbr / "sbm_sms_same_body_different_time.xml")
    assert warnings == [] and [e.text for e in events] == ["Klar ", "Klar "]
    assert [(e.direction, to_second(e.timestamp)) for e in events] == [
        ("outgoing", utc(2012, 5, 11, 9, 47, 44)),
        ("incoming", utc(2012, 10, 6, 19, 15, 21)),
    ]
    assert {e.thread for e in events} == {"+4915112313123"} and len({e.event_id for e in events}) == 2


def test_same_time_different_address_are_distinct(sbr: Path) -> None:
    # count=2: identical date 1331055444391 (2012-03-06 17:37:24 UTC) and body, different
    # address/contact (John Doe +491766932526, Jane Doe +491732532532)
    events, warnings = run(sbr / "sbm_sms_same_time_different_address.xml")
    assert warnings == [] and len(events) == 2
    assert {e.timestamp for e in events} == {utc(2012, 3, 6, 17, 37, 24) + timedelta(milliseconds=391)}
    assert {(e.extra["contact_name"], e.thread) for e in events} == {
        ("John Doe", "+491766932526"),
        ("Jane Doe", "+491732532532"),
    }
    assert len({e.text for e in events}) == 1 and len({e.event_id for e in events}) == 2


def test_mms_with_image_video_audio_pdf(sbr: Path) -> None:
    # count=4: 4 MMS from Contact C +15550000003, 2024-07-16 20:29:24 -> 20:29:27 UTC, each a base64
    # data= part (image/png, video/mp4, audio/mp3, application/pdf) + text part
    events, warnings = run(sbr / "sbr2_sample_mms_image_video_audio.xml")
    assert warnings == [] and len(events) == 4
    assert all(e.sender == "+15550000003" and e.extra["contact_name"] == "Contact C" for e in events)
    assert [e.timestamp for e in events] == [utc(2024, 7, 16, 20, 29, s) for s in (24, 25, 26, 27)]
    assert [[a.media_type for a in e.attachments] for e in events] == [
        ["image/png"],
        ["video/mp4"],
        ["audio/mp3"],  # content detection found nothing specific: the declared type is kept
        ["application/pdf"],
    ]
    assert all(a.sha256 for e in events for a in e.attachments) and all(e.text for e in events)


def test_small_backup_with_backup_set(sbr: Path) -> None:
    # count=7: 5 SMS + 2 MMS (text-only parts) in 2 threads (Contact A, Contact B); 2017-12-02
    # 14:49:27 UTC -> 2024-07-14 23:04:03 UTC; records not sorted by date; MMS addr types 130/137
    events, warnings = run(sbr / "sbr2_sample_small_with_backup_set.xml")
    assert Counter(e.source.locator.split("[")[0] for e in events) == {"smses/sms": 5, "smses/mms": 2}
    assert len({e.thread for e in events}) == 2
    assert {e.extra["contact_name"] for e in events} == {"Contact A", "Contact B"}
    times = [e.timestamp for e in events]
    assert to_second(min(times)) == utc(2017, 12, 2, 14, 49, 27) and to_second(max(times)) == utc(2024, 7, 14, 23, 4, 3)
    assert times != sorted(times)
    mms = [e for e in events if "/mms[" in e.source.locator]
    assert [e.text for e in mms] == ["MMS 1 text in Thread 1", "MMS 2 text in Thread 2"]
    # every record is between the phone and its thread's contact: the incoming MMS is from the thread
    # address, the outgoing one is to it (its 137 address is the thread's, which a sent MMS cannot be from)
    assert (mms[0].direction, mms[0].sender) == ("incoming", mms[0].thread)
    assert (mms[1].direction, mms[1].sender, mms[1].recipients) == ("outgoing", "", [mms[1].thread])
    assert [w.code for w in warnings] == ["address_conflict"]


def test_minimal_mms(sbr: Path) -> None:
    # count=1: 1 MMS from Alice Smith +15551234567, 1609545600000 = 2021-01-02 00:00:00 UTC, subject
    # 'Test MMS Subject', 3 parts (application/smil, text/plain 'Hello from MMS!', image/jpeg data=),
    # 2 addrs (137 from, 151 to)
    events, warnings = run(sbr / "sbrparser_minimal_mms.xml")
    assert len(events) == 1
    mms = events[0]
    assert (mms.sender, mms.extra["contact_name"], mms.timestamp) == ("+15551234567", "Alice Smith", utc(2021, 1, 2))
    assert mms.extra["subject"] == "Test MMS Subject" and mms.text == "Hello from MMS!"
    assert [a.name for a in mms.attachments] == ["image.jpg"] and mms.attachments[0].sha256
    assert [a["role"] for a in mms.extra["addrs"]] == ["from", "to"]
    # the file's 137 address is not Alice's: said, not hidden
    assert [w.code for w in warnings] == ["address_conflict"]


def test_minimal_sms_with_date_sent_and_sub_id(sbr: Path) -> None:
    # count=1: 1 received SMS from Alice Smith +15551234567, date 1609459200000 = 2021-01-01 00:00:00 UTC,
    # date_sent 10 s earlier, sub_id 1
    events, warnings = run(sbr / "sbrparser_minimal_sms.xml")
    assert warnings == [] and len(events) == 1
    sms = events[0]
    assert (sms.direction, sms.sender, sms.extra["contact_name"]) == ("incoming", "+15551234567", "Alice Smith")
    assert sms.timestamp == utc(2021, 1, 1)
    assert sms.extra["date_sent"] == "2020-12-31T23:59:50Z" and sms.extra["sub_id"] == "1"
