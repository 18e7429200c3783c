"""WhatsApp iOS ChatStorage.sqlite parser: the synthetic fixture, a dump of it, hostile input, a real case.

There is no public ChatStorage.sqlite in the corpus; fixtures/whatsapp_db/make_fixtures.py builds
one from the documented Core Data schema. ``ZMESSAGEDATE`` 782161272.25 is
2025-10-14T19:01:12.250Z (``date -u -d 2025-10-14T19:01:12Z +%s`` minus 978307200).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cyberevidence import Case
from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions, SourceFile
from cyberevidence.parsers.whatsapp_ios_db import PARSER
from cyberevidence.standalone import HashOnlyContext, source_file_for

PHOTO = "0c1d2e3f-photo.jpg"


def run(path: Path, siblings: dict[str, SourceFile] | None = None) -> tuple[list[Event], list[ParseWarning]]:
    source = source_file_for(path, siblings)
    items = list(PARSER.parse(source, HashOnlyContext(ParseOptions())))
    return [i for i in items if isinstance(i, Event)], [i for i in items if isinstance(i, ParseWarning)]


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


@pytest.fixture
def ios(fixtures_dir: Path) -> Path:
    return fixtures_dir / "whatsapp_db" / "ios"


def test_fixture_database_stores_core_data_seconds(ios: Path) -> None:
    with sqlite3.connect(ios / "ChatStorage.sqlite") as conn:
        assert conn.execute("SELECT ZMESSAGEDATE FROM ZWAMESSAGE WHERE Z_PK=1").fetchone()[0] == 782161272.25
    conn.close()


def test_chatstorage_fixture(ios: Path) -> None:
    db = ios / "ChatStorage.sqlite"
    events, warnings = run(db, {PHOTO: source_file_for(ios / PHOTO)})
    assert [e.source.locator for e in events] == [f"ZWAMESSAGE[Z_PK={n}]" for n in range(1, 11)]
    assert Counter(w.code for w in warnings) == Counter({"schema": 1})
    by = {int(e.source.locator.split("=")[1].rstrip("]")): e for e in events}

    incoming = by[1]
    assert incoming.timestamp == utc(2025, 10, 14, 19, 1, 12, 250) and incoming.timestamp_utc == "2025-10-14T19:01:12.250Z"
    assert (incoming.kind, incoming.direction, incoming.sender, incoming.thread) == (
        "message",
        "incoming",
        "Mark Kell",
        "Mark Kell",
    )
    assert incoming.text == "Why aren't you answering?" and incoming.extra["sender_jid"] == "447700900123@s.whatsapp.net"

    outgoing = by[2]
    assert (outgoing.direction, outgoing.sender, outgoing.recipients) == ("outgoing", "", ["Mark Kell"])
    assert outgoing.timestamp == utc(2025, 10, 14, 19, 5) and outgoing.text == "Please stop contacting me."

    missed = by[3]
    assert (missed.kind, missed.call_type, missed.direction, missed.extra["missed"]) == ("call", "voice", "incoming", True)
    assert missed.duration_s is None and missed.timestamp == utc(2025, 10, 15, 23, 50)

    photo = by[4]
    assert photo.text == "Look behind you"  # the caption (ZWAMEDIAITEM.ZTITLE)
    assert [(a.name, a.sha256) for a in photo.attachments] == [(PHOTO, source_file_for(ios / PHOTO).sha256)]
    assert not photo.media_omitted and photo.extra["media_path"].endswith("/a/b/0c1d2e3f-photo.jpg")
    video = by[5]
    assert [(a.name, a.sha256, a.media_type) for a in video.attachments] == [("9f8e7d6c-video.mp4", "", "video/mp4")]
    assert video.media_omitted

    assert by[6].deleted and by[6].text == ""
    system = by[7]
    assert (system.kind, system.sender, system.direction, system.thread) == ("system", "", "unknown", "Running club")
    assert system.extra["group_event_type"] == 2

    group = [by[n] for n in (8, 9, 10)]
    assert [(e.sender, e.direction) for e in group] == [
        ("Dan Reed", "incoming"),  # ZWAGROUPMEMBER.ZCONTACTNAME
        ("Liv", "incoming"),  # no contact name: the WhatsApp name (ZWAPROFILEPUSHNAME), as '~ Liv' shows
        ("", "outgoing"),
    ]
    assert all(e.thread == "Running club" and e.recipients == [] for e in group)
    assert group[1].extra["sender_jid"] == "447700900789@s.whatsapp.net"


def test_without_the_media_beside_it_every_media_is_omitted(ios: Path) -> None:
    events, _ = run(ios / "ChatStorage.sqlite")
    media = [e for e in events if e.attachments]
    assert len(media) == 2 and all(e.media_omitted and e.attachments[0].sha256 == "" for e in media)


def test_sniff(ios: Path, fixtures_dir: Path, tmp_path: Path) -> None:
    db = ios / "ChatStorage.sqlite"
    assert PARSER.sniff(source_file_for(db), db.read_bytes()[:65536])
    android = fixtures_dir / "whatsapp_db" / "android_new" / "msgstore.db"
    assert PARSER.sniff(source_file_for(android), android.read_bytes()[:65536]) is False
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    assert PARSER.sniff(source_file_for(junk), junk.read_bytes()) is False
    assert PARSER.sniff(SourceFile(tmp_path / "nope", "0" * 64, "nope", 0), b"SQLite format 3\x00") is False


def test_sql_dump_reads_like_the_database(ios: Path, tmp_path: Path) -> None:
    dump = tmp_path / "ChatStorage.sql"
    with sqlite3.connect(ios / "ChatStorage.sqlite") as conn:
        dump.write_text("\n".join(conn.iterdump()), encoding="utf-8")
    conn.close()
    assert PARSER.sniff(source_file_for(dump), dump.read_bytes()[:65536])
    a, _ = run(ios / "ChatStorage.sqlite")
    b, _ = run(dump)
    assert [(e.timestamp, e.kind, e.sender, e.text) for e in a] == [(e.timestamp, e.kind, e.sender, e.text) for e in b]


def test_damaged_and_unexpected_databases(ios: Path, tmp_path: Path) -> None:
    data = bytearray((ios / "ChatStorage.sqlite").read_bytes())
    data[100:3000] = b"\x00\xff" * 1450
    bad = tmp_path / "ChatStorage.sqlite"
    bad.write_bytes(bytes(data))
    with pytest.raises(ParseError, match=r"^ChatStorage\.sqlite: .*damaged") as err:
        run(bad)
    assert err.value.file == "ChatStorage.sqlite" and err.value.hint

    partial = tmp_path / "partial.sqlite"
    with sqlite3.connect(partial) as conn:
        conn.executescript(
            "CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZTEXT VARCHAR);"
            "CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZPARTNERNAME VARCHAR);"
        )
    conn.close()
    with pytest.raises(ParseError, match=r"missing ZWAMESSAGE\.ZISFROMME, ZWAMESSAGE\.ZMESSAGEDATE, ZWACHATSESSION\.ZCONTACTJID"):
        run(partial)


def test_through_a_case(ios: Path, tmp_path: Path, case_dir: Path) -> None:
    originals = tmp_path / "iphone"
    shutil.copytree(ios, originals)
    db = originals / "ChatStorage.sqlite"
    before = (db.read_bytes(), db.stat().st_mtime_ns)

    case = Case.create(case_dir, examiner="Test Examiner")
    report = case.add(originals)
    outcome = {f.original_path: f for f in report.files}
    assert outcome["ChatStorage.sqlite"].parser == "whatsapp_ios_db" and outcome["ChatStorage.sqlite"].events == 10
    assert not report.errors
    assert case.verify().exit_code == 0
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before

    timeline = list(case.timeline())
    assert len(timeline) == 10 and {e.platform for e in timeline} == {"whatsapp"}
    assert timeline[0].timestamp == utc(2025, 10, 14, 19, 1, 12, 250)
    photo = next(e for e in timeline if e.source.locator == "ZWAMESSAGE[Z_PK=4]")
    assert photo.attachments[0].sha256 == source_file_for(originals / PHOTO).sha256
    case.close()
