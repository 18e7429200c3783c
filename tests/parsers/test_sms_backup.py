"""SMS Backup & Restore parser against every file in the shared public corpus.

Expected answers come from ``corpus/SOURCES.md`` ("sms_backup_restore — ground truth") and from
reading the files: each instant below is the file's ``date`` (milliseconds since the epoch, UTC)
worked out by hand; the files' ``readable_date`` is in the phone's zone (US Pacific for the sbr2
files) and is deliberately not used.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.sms_backup import PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for

pytestmark = pytest.mark.corpus


def run(path: Path) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, warnings=warnings))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


def codes(warnings: list[ParseWarning]) -> list[str]:
    return [w.code for w in warnings]


@pytest.fixture
def sbr(corpus: Path) -> Path:
    return corpus / "sms_backup_restore"


def sources_rows(corpus: Path, folder: str) -> dict[str, dict[str, str]]:
    """SOURCES.tsv rows for one corpus folder, by path inside that folder."""
    with (corpus / "SOURCES.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    prefix = folder + "/"
    return {r["corpus_path"][len(prefix) :]: r for r in rows if r["corpus_path"].startswith(prefix)}


#: Words in a file's description or ground truth that say it is deliberately damaged or invalid.
DAMAGE_WORDS = re.compile(r"not well-formed|malformed|truncated|corrupt|unparseable|no attributes|disagrees|count=\d+ but", re.I)


def test_every_corpus_file_is_sniffed_and_parses_without_a_crash(corpus: Path, sbr: Path) -> None:
    rows = sources_rows(corpus, "sms_backup_restore")
    present = {p.relative_to(sbr).as_posix() for p in sbr.rglob("*") if p.is_file()}
    assert rows, "SOURCES.tsv lists no sms_backup_restore files"
    assert sorted(set(rows) - present) == [], "listed in SOURCES.tsv but missing"
    assert sorted(present - set(rows)) == [], "present but without a SOURCES.tsv row"
    for name, row in sorted(rows.items()):
        path = sbr / name
        assert path.stat().st_size == int(row["bytes"]), name
        sniffed = PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
        if row["description"].startswith("NOT "):  # a format-detection negative case
            assert not sniffed, name
            with pytest.raises(ParseError, match="not an SMS Backup & Restore backup"):
                list(parse(path, format="sms_backup"))
            continue
        assert sniffed, name
        events, warnings = run(path)  # never raises for these files, damaged ones included
        assert all(w.locator for w in warnings if w.code != "count_mismatch"), name
        assert all(e.timestamp is None or e.timestamp.year > 1970 for e in events), name  # no invented epoch dates
        if DAMAGE_WORDS.search(row["description"] + " " + row["ground_truth"]):
            assert warnings, f"{name} is deliberately damaged but parsed without a warning"


def test_sms_small_twelve_messages_three_addresses(sbr: Path) -> None:
    # SOURCES.md: count=12, 12 <sms>, 3 addresses (Contact A/B/C), 2017-12-02 14:49:27 -> 18:10:45 UTC
    events, warnings = run(sbr / "sbr2_sms_small.xml")
    assert len(events) == 12 and warnings == []
    assert {e.thread for e in events} == {"+15550000001", "+15550000003", "+15550000004"}
    assert {e.extra["contact_name"] for e in events} == {"Contact A", "Contact B", "Contact C"}
    assert events[0].timestamp == utc(2017, 12, 2, 14, 49, 27, 463)  # date="1512226167463"
    assert events[-1].timestamp == utc(2017, 12, 2, 18, 10, 45, 524)  # date="1512238245524"
    # types in file order: 1,1,1,1,2,1,2,1,1,2,1,2
    assert [e.direction for e in events] == ["incoming"] * 4 + ["outgoing", "incoming", "outgoing"] + ["incoming"] * 2 + [
        "outgoing",
        "incoming",
        "outgoing",
    ]
    first, sent = events[0], events[4]
    assert (first.sender, first.recipients, first.text) == ("+15550000001", [], "Body text 1")
    assert (sent.sender, sent.recipients, sent.extra["sms_type"]) == ("", ["+15550000001"], "sent")
    assert events[9].text == "Body text 10\nBody text 11\nBody text 12"  # &#10; line breaks
    assert first.extra["date_sent"] == "2017-12-02T14:49:26Z"
    assert all(e.platform == "sms" and e.kind == "message" for e in events)
    assert [e.source.locator for e in events[:2]] == ["smses/sms[1] (line 4)", "smses/sms[2] (line 5)"]


def test_empty_backup(sbr: Path) -> None:
    events, warnings = run(sbr / "sbr2_empty.xml")  # count=0, no children
    assert events == [] and warnings == []


def test_truncated_sms_and_mms_keeps_all_fifty_records_and_says_where_it_broke(sbr: Path) -> None:
    # SOURCES.md: not well-formed (truncated); 41 <sms> + 9 <mms> present vs count=58
    events, warnings = run(sbr / "sbr2_sms_and_mms.xml")
    assert Counter(e.source.locator.split("[")[0] for e in events) == {"smses/sms": 41, "smses/mms": 9}
    assert codes(warnings) == ["xml_damaged", "count_mismatch"]
    damaged = warnings[0]
    assert damaged.locator == "line 136, column 7"
    assert "no element found" in damaged.message
    assert "the last complete record is smses/mms[8] (line 122)" in damaged.message
    assert "it broke inside smses/mms[9] (line 133)" in damaged.message
    assert "58" in warnings[1].message and "50 were found" in warnings[1].message
    # the ninth MMS lost its parts and addresses: kept, marked incomplete, recipients from its address
    last = events[-1]
    assert last.extra["incomplete"] is True and last.timestamp == utc(2024, 7, 18, 20, 20, 48)
    assert (last.direction, last.recipients) == ("outgoing", ["+15550000009", "+15550000012", "+15550000013"])
    assert not any(e.extra.get("incomplete") for e in events[:-1])


def test_mms_addresses_directions_and_smil(sbr: Path) -> None:
    events, _ = run(sbr / "sbr2_sms_and_mms.xml")
    mms = [e for e in events if "/mms[" in e.source.locator]
    first = mms[0]  # msg_box=1; addrs 130 +6, 137 +6, 151 +7
    assert (first.direction, first.sender, first.recipients, first.text) == (
        "incoming",
        "+15550000006",
        ["+15550000007"],
        "Body text 45",
    )
    assert first.timestamp == utc(2024, 7, 14, 22, 53, 13)  # date="1720997593000"
    second = mms[1]  # msg_box=2 with a SMIL part: only the text part is text
    assert (second.direction, second.sender, second.recipients, second.text) == (
        "outgoing",
        "+15550000007",
        ["+15550000006"],
        "Body text 46",
    )
    group = mms[3]  # outgoing to an RCS group: three To addresses
    assert group.thread == "group_8@rcs.google.com"
    assert group.recipients == ["+15550000009", "+15550000006", "+15550000010"]
    assert mms[5].text == "Body text 50\nBody text 51\nBody text 52\nBody text 53"


def test_mms_images_become_derived_artefacts(sbr: Path) -> None:
    path = sbr / "sbr2_sms_and_mms.xml"
    source = source_file_for(path)
    ctx = HashOnlyContext(ParseOptions())
    events = [e for e in PARSER.parse(source, ctx) if isinstance(e, Event)]
    data = re.findall(rb'name="(image_\d+\.png)"[^>]*? data="([^"]+)"', path.read_bytes())
    assert [name for name, _ in data] == [b"image_8.png", b"image_10.png"]
    expected = [hashlib.sha256(base64.b64decode(b64)).hexdigest() for _, b64 in data]
    assert [(p, r.sha256, r.media_type) for _, p, r in ctx.derived] == [
        ("mms[7]/part[2]/image_8.png", expected[0], "image/png"),
        ("mms[8]/part[2]/image_10.png", expected[1], "image/png"),
    ]
    with_image = [e for e in events if e.attachments]
    assert [(e.text, e.attachments[0].name, e.attachments[0].sha256) for e in with_image] == [
        ("Body text 54", "image_8.png", expected[0]),
        ("Body text 55", "image_10.png", expected[1]),
    ]


def test_corrupt_attachments_keep_the_messages(sbr: Path) -> None:
    # SOURCES.md: count=2, 2 <mms> with 4 parts (2 with data=), 2024-07-16
    events, warnings = run(sbr / "sbr2_corrupt_attachments.xml")
    assert [e.text for e in events] == ["MMS with corrupted base64 image data", "MMS with unsupported attachment type"]
    assert [e.timestamp for e in events] == [utc(2024, 7, 16, 20, 29, 28), utc(2024, 7, 16, 20, 29, 29)]
    assert all(e.direction == "incoming" and e.sender == "+15550000004" for e in events)
    assert [[(a.name, a.sha256) for a in e.attachments] for e in events] == [[("corrupt_image.png", "")], [("corrupt.file", "")]]
    assert [e.extra["undecodable_parts"] for e in events] == [["corrupt_image.png"], ["corrupt.file"]]
    assert codes(warnings) == ["bad_base64", "bad_base64"]
    assert [w.locator for w in warnings] == ["smses/mms[1] (line 5) part[1]", "smses/mms[2] (line 16) part[1]"]


def test_edge_cases_entities_emoji_and_empty_fields(sbr: Path) -> None:
    # SOURCES.md: count=4: 3 <sms> (one minimal, one with emoji/entities, one empty body) + 1 <mms> with empty <parts>
    events, warnings = run(sbr / "sbrparser_edge_cases.xml")
    assert warnings == []
    assert [e.source.locator.split(" ")[0] for e in events] == ["smses/sms[1]", "smses/sms[2]", "smses/sms[3]", "smses/mms[1]"]
    assert events[0].text == "Minimal fields, no optionals." and "contact_name" not in events[0].extra
    assert events[1].text == "Hello \U0001f30d \u2014 this has \u00abspecial\u00bb chars & symbols < > \" '"
    assert events[1].direction == "outgoing" and events[1].extra["contact_name"] == "Charlie Unicode"
    assert events[2].text == "" and events[2].extra["read"] is False
    mms = events[3]
    assert (mms.text, mms.attachments, mms.sender, mms.direction) == ("", [], "+15557778888", "incoming")
    assert [e.timestamp for e in events] == [utc(2021, 1, 1, h) for h in range(4)]


def test_malformed_file_gives_a_located_warning_and_no_crash(sbr: Path) -> None:
    # SOURCES.md: not well-formed (unclosed <sms>, date="bad")
    events, warnings = run(sbr / "sbrparser_malformed.xml")
    assert events == []
    assert codes(warnings) == ["xml_damaged", "count_mismatch"]
    assert warnings[0].locator == "line 4, column 3"
    assert "no record before it was complete" in warnings[0].message


def test_minimal_calls(sbr: Path) -> None:
    # SOURCES.md: <calls count=1>: 1 call, +15551234567 'Alice Smith', 125 s, 2021-01-03 00:00 UTC
    events, warnings = run(sbr / "sbrparser_minimal_calls.xml")
    assert warnings == [] and len(events) == 1
    call = events[0]
    assert (call.platform, call.kind, call.call_type, call.direction) == ("phone", "call", "answered", "incoming")
    assert (call.sender, call.duration_s, call.extra["contact_name"]) == ("+15551234567", 125, "Alice Smith")
    assert call.timestamp == utc(2021, 1, 3)
    assert call.source.locator == "calls/call[1] (line 3)"


def test_mixed_sms_and_mms(sbr: Path) -> None:
    # SOURCES.md: count=4: 3 <sms> + 1 <mms> (1 part)
    events, warnings = run(sbr / "sbrparser_mixed.xml")
    # The MMS's <addrs> name +15559876543 as From but the conversation (and its text: "from Alice")
    # is Alice's +15551234567: the conversation's address is the sender, with a warning.
    assert codes(warnings) == ["address_conflict"] and warnings[0].locator == "smses/mms[1] (line 4)"
    assert events[1].sender == "+15551234567" and events[1].extra["contact_name"] == "Alice Smith"
    assert Counter(e.source.locator.split("[")[0] for e in events) == {"smses/sms": 3, "smses/mms": 1}
    assert [e.text for e in events] == [
        "Hey, how are you?",
        "This is a text-only MMS from Alice.",
        "I'm good, thanks!",
        "Don't forget about...",
    ]
    assert [e.direction for e in events] == ["incoming", "incoming", "outgoing", "outgoing"]
    draft = events[3]
    assert (draft.extra["sms_type"], draft.recipients, draft.thread) == ("draft", ["+15559990001"], "+15559990001")
    assert [e.timestamp for e in events] == [utc(2021, 1, 1, h) for h in range(4)]
