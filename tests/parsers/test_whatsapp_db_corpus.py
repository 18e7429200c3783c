"""The real WhatsApp databases of the shared corpus against their SOURCES.tsv ground truth.

Expected values are read from the ``ground_truth`` text of each row (never typed in here), and the
parser's output is also compared with independent ``sqlite3`` queries of the same file written in
this test (a differential oracle: it shares no code with the parser).
"""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cyberevidence import Case
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions, ParserInfo, SourceFile
from cyberevidence.parsers.whatsapp_android_db import PARSER as ANDROID
from cyberevidence.parsers.whatsapp_ios_db import PARSER as IOS
from cyberevidence.standalone import HashOnlyContext, source_file_for

UNIX = datetime(1970, 1, 1, tzinfo=timezone.utc)
APPLE = datetime(2001, 1, 1, tzinfo=timezone.utc)


def truth(corpus: Path, rel: str) -> str:
    with open(corpus / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["corpus_path"] == rel:
                return row["ground_truth"]
    pytest.skip(f"{rel} is not in SOURCES.tsv")


def run(info: ParserInfo, path: Path, siblings: dict[str, SourceFile] | None = None) -> tuple[list[Event], list[ParseWarning]]:
    items = list(info.parse(source_file_for(path, siblings), HashOnlyContext(ParseOptions())))
    return [i for i in items if isinstance(i, Event)], [i for i in items if isinstance(i, ParseWarning)]


def beside(path: Path, *names: str) -> dict[str, SourceFile]:
    return {n: source_file_for(path.parent / n) for n in names}


def when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def wadb(corpus: Path) -> Path:
    return corpus / "whatsapp_db"


# -- Android, pre-2015 schema ------------------------------------------------------------------


def test_legacy_msgstore_matches_ground_truth(corpus: Path, wadb: Path) -> None:
    gt = truth(corpus, "whatsapp_db/memacs_legacy_msgstore.db")
    (rows,) = found(r"(\d+) rows?:", gt)
    (jid,) = found(r"key_remote_jid '(\w+)'", gt)
    (text,) = found(r"incoming, '([^']*)'", gt)
    ms, date = found(r"timestamp (\d+) ms = (\S+ \S+) UTC", gt)

    events, warnings = run(ANDROID, wadb / "memacs_legacy_msgstore.db")
    assert len(events) == int(rows)
    [ev] = events
    assert ev.timestamp == UNIX + timedelta(milliseconds=int(ms))
    assert ev.timestamp.replace(microsecond=0) == when(date)
    assert (ev.text, ev.direction, ev.kind) == (text, "incoming", "message")
    # a bare number (no @s.whatsapp.net) is a phone number, shown as the export shows one
    assert ev.sender == ev.thread == f"+{jid}" and ev.extra["chat_jid"] == jid
    assert any(w.code == "schema" and "old schema" in w.message for w in warnings)

    oracle = query(wadb / "memacs_legacy_msgstore.db", "SELECT _id, timestamp, data FROM messages WHERE key_remote_jid <> '-1'")
    assert [(f"messages[_id={i}]", UNIX + timedelta(milliseconds=int(str(t))), d) for i, t, d in oracle] == [
        (e.source.locator, e.timestamp, e.text) for e in events
    ]


# -- Android, both tables (wa-crypt-tools' scrubbed database) -----------------------------------


def test_scrubbed_msgstore_reports_every_row(corpus: Path, wadb: Path) -> None:
    gt = truth(corpus, "whatsapp_db/wacrypttools_msgstore.db")
    legacy, placeholders, stubs = map(int, found(r"messages (\d+) \(legacy: (\d+) '-1' placeholder \+ (\d+)", gt))
    new = int(found(r"message (\d+) \(placeholder", gt)[0])
    assert legacy == placeholders + stubs
    db = wadb / "wacrypttools_msgstore.db"

    events, warnings = run(ANDROID, db)
    assert events == []  # "no conversation text (scrubbed)"
    by = Counter(w.code for w in warnings)
    assert by["placeholder_row"] == placeholders + new
    assert by["no_timestamp"] == stubs
    # the old table's rows were not migrated into the new one: read (and reported), not waved away
    [read] = [w for w in warnings if w.code == "legacy_rows_read"]
    assert read.message.startswith(f"{stubs} row(s)")
    assert "legacy_table_not_read" not in by

    oracle_ids = [
        r[0] for r in query(db, "SELECT _id FROM messages WHERE key_remote_jid <> '-1' AND timestamp <= 0 ORDER BY _id")
    ]
    assert [w.locator for w in warnings if w.code == "no_timestamp"] == [f"messages[_id={i}]" for i in oracle_ids]
    placeholder_ids = query(db, "SELECT 'message', _id FROM message WHERE chat_row_id = -1") + query(
        db, "SELECT 'messages', _id FROM messages WHERE key_remote_jid = '-1'"
    )
    assert sorted(w.locator for w in warnings if w.code == "placeholder_row") == sorted(
        f"{t}[_id={i}]" for t, i in placeholder_ids
    )


def test_differential_android_every_row_is_an_event_or_a_warning(wadb: Path, tmp_path: Path) -> None:
    """For each Android database of the corpus: message rows by independent SQL == events + reported rows."""
    for path in sorted(wadb.iterdir()):
        if "msgstore" not in path.name or "crypt" in path.name:
            continue
        db = path
        if path.suffix == ".sql":
            db = tmp_path / (path.stem + ".db")
            with sqlite3.connect(db) as conn:
                conn.executescript(path.read_text(encoding="utf-8"))
            conn.close()
        tables = {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type='table'")}
        expected: dict[str, datetime | None] = {}
        if "message" in tables:
            for i, ts in query(db, "SELECT _id, timestamp FROM message WHERE chat_row_id <> -1"):
                expected[f"message[_id={i}]"] = UNIX + timedelta(milliseconds=ts) if isinstance(ts, int) and ts > 0 else None
        if "messages" in tables:
            for i, ts in query(db, "SELECT _id, timestamp FROM messages WHERE key_remote_jid <> '-1'"):
                expected[f"messages[_id={i}]"] = UNIX + timedelta(milliseconds=ts) if isinstance(ts, int) and ts > 0 else None
        events, warnings = run(ANDROID, path)
        got = {e.source.locator: e.timestamp for e in events if e.kind != "call"}
        assert got == {k: v for k, v in expected.items() if v is not None}, path.name
        assert {w.locator for w in warnings if w.code == "no_timestamp"} == {k for k, v in expected.items() if v is None}


# -- encrypted backups and key files -----------------------------------------------------------


@pytest.mark.parametrize("suffix", ["crypt12", "crypt14", "crypt15"])
def test_encrypted_backup_is_kept_and_noted_never_read(corpus: Path, wadb: Path, suffix: str) -> None:
    rel = f"whatsapp_db/wacrypttools_msgstore.db.{suffix}"
    gt = truth(corpus, rel)
    path = corpus / rel
    others = [p.name for p in wadb.iterdir() if p != path]
    events, warnings = run(ANDROID, path, beside(path, *others))
    assert events == []
    [note] = warnings
    assert note.code == "encrypted_backup" and f"({suffix}" in note.message
    assert "encrypted" in note.message and "cannot be read without the key" in note.message
    version = re.search(r"(?:app version|WhatsApp) (\d+(?:\.\d+)+)", gt)
    if version:
        assert f"WhatsApp {version.group(1)}" in note.message
    key = re.search(r"decrypts with (\S+)", gt + " " + description(corpus, rel))
    assert key is not None
    assert key.group(1) in note.message  # the key file acquired beside it is named
    if suffix != "crypt15":
        assert "server salt matches this backup" in note.message

    alone, notes = run(ANDROID, path)
    assert alone == [] and "No key file was acquired" in notes[0].message


def description(corpus: Path, rel: str) -> str:
    with open(corpus / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        return next(r["description"] for r in csv.DictReader(fh, delimiter="\t") if r["corpus_path"] == rel)


def test_whole_folder_through_a_case(wadb: Path, tmp_path: Path, case_dir: Path) -> None:
    folder = tmp_path / "whatsapp_db"
    shutil.copytree(wadb, folder)
    case = Case.create(case_dir, examiner="Test Examiner")
    report = case.add(folder)
    assert not report.errors
    outcome = {f.original_path: f for f in report.files}
    assert set(outcome) == {p.name for p in wadb.iterdir()}  # every file kept as evidence
    for name, out in outcome.items():
        if ".crypt" in name:
            assert (out.parser, out.events, bool(out.error)) == ("whatsapp_android_db", 0, False), name
        elif "key" in name or "_wa." in name or "ContactsV2" in name or "LID" in name:
            assert out.parser in ("", None) and out.events == 0 and not out.error, name
    assert outcome["memacs_legacy_msgstore.db"].events == 1
    assert outcome["mvt_iosbackup_ChatStorage.sqlite"].parser == "whatsapp_ios_db"
    assert outcome["mvt_iosbackup_ChatStorage.sqlite"].events == 3
    assert sum(1 for w in case.warnings() if w.code == "encrypted_backup") == 3
    assert case.verify().exit_code == 0
    case.close()


# -- iOS ---------------------------------------------------------------------------------------


@dataclass
class IosTruth:
    count: int
    msgs: list[tuple[str, str, str, str, str, str]]  # outgoing?, text, sender, group, group jid, date
    lid: str
    partner: str
    names: dict[str, str]  # phone JID -> address-book name (ContactsV2)
    lid_phone: tuple[str, str]  # LID JID, phone JID (LID.sqlite)


def found(pattern: str, text: str) -> tuple[str, ...]:
    m = re.search(pattern, text)
    assert m is not None, pattern
    return m.groups()


def ios_truth(corpus: Path) -> IosTruth:
    gt = truth(corpus, "whatsapp_db/mvt_iosbackup_ChatStorage.sqlite")
    msgs = re.findall(
        r"(outgoing )?'([^']+)'(?: from (\S+?))?(?: in group '([^']+)' \((\S+)\))? (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", gt
    )
    lid, partner = found(r"keyed by LID (\S+@lid) \(partner '([^']+)'\)", gt)
    contacts = truth(corpus, "whatsapp_db/mvt_iosbackup_ContactsV2.sqlite")
    names = {f"{num}@s.whatsapp.net": name for name, num in re.findall(r"'([^']+)' \(\+(\d+)", contacts)}
    pair_lid, pair_phone = found(r"LID (\d+) <-> phone (\d+)", truth(corpus, "whatsapp_db/mvt_iosbackup_LID.sqlite"))
    (count,) = found(r"ZWAMESSAGE (\d+)", gt)
    return IosTruth(int(count), msgs, lid, partner, names, (f"{pair_lid}@lid", f"{pair_phone}@s.whatsapp.net"))


@pytest.mark.parametrize("with_contacts", [False, True])
def test_chatstorage_matches_ground_truth(corpus: Path, wadb: Path, with_contacts: bool) -> None:
    t = ios_truth(corpus)
    path = wadb / "mvt_iosbackup_ChatStorage.sqlite"
    sibs = beside(path, "mvt_iosbackup_ContactsV2.sqlite", "mvt_iosbackup_LID.sqlite") if with_contacts else None
    events, warnings = run(IOS, path, sibs)
    assert len(events) == t.count == len(t.msgs)
    for ev, (outgoing, text, sender, group, group_jid, date) in zip(events, t.msgs, strict=True):
        assert (ev.text, ev.timestamp) == (text, when(date))
        assert ev.direction == ("outgoing" if outgoing else "incoming")
        if group:
            assert (ev.thread, ev.extra["chat_jid"]) == (group, group_jid)
            jid = sender if "@" in sender else f"{sender}@s.whatsapp.net"
            assert ev.extra["sender_jid"] == jid
            assert ev.sender == (t.names[jid] if with_contacts else f"+{jid.split('@')[0]}")
        else:
            assert (ev.thread, ev.extra["chat_jid"]) == (t.partner, t.lid)
            if not outgoing:
                assert ev.sender == t.partner and ev.extra["sender_jid"] == sender
            else:
                assert ev.sender == "" and ev.recipients == [t.partner]
            assert t.lid_phone[0] == t.lid
            assert ev.extra.get("chat_phone_jid") == (t.lid_phone[1] if with_contacts else None)
    notes = [w for w in warnings if w.code == "contact_names"]
    assert len(notes) == (2 if with_contacts else 0)

    oracle = query(path, "SELECT Z_PK, ZTEXT, ZISFROMME, ZMESSAGEDATE FROM ZWAMESSAGE ORDER BY Z_PK")
    assert [
        (f"ZWAMESSAGE[Z_PK={pk}]", text, "outgoing" if me else "incoming", APPLE + timedelta(seconds=float(str(d))))
        for pk, text, me, d in oracle
    ] == [(e.source.locator, e.text, e.direction, e.timestamp) for e in events]


def test_contacts_databases_yield_nothing_alone(wadb: Path) -> None:
    for name in ("mvt_iosbackup_ContactsV2.sqlite", "mvt_iosbackup_LID.sqlite", "chm_android_2023-10_wa.sql"):
        path = wadb / name
        head = path.read_bytes()[:65536]
        assert not ANDROID.sniff(source_file_for(path), head) and not IOS.sniff(source_file_for(path), head), name


def test_unusable_contacts_sibling_is_a_warning(wadb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    shutil.copy(wadb / "mvt_iosbackup_ChatStorage.sqlite", folder / "ChatStorage.sqlite")
    (folder / "ContactsV2.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 300)
    events, warnings = run(IOS, folder / "ChatStorage.sqlite", beside(folder / "ChatStorage.sqlite", "ContactsV2.sqlite"))
    assert len(events) == 3
    [note] = [w for w in warnings if w.code == "contact_names"]
    assert "could not be used" in note.message


# -- WAL ---------------------------------------------------------------------------------------


def test_wal_beside_a_database_is_noted_not_applied_and_does_not_crash(corpus: Path, fixtures_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    shutil.copy(fixtures_dir / "whatsapp_db" / "android_new" / "msgstore.db", folder / "msgstore.db")
    shutil.copy(corpus / "sqlite_wal" / "plaso_wal_database.db-wal", folder / "msgstore.db-wal")
    before, _ = run(ANDROID, folder / "msgstore.db")
    events, warnings = run(ANDROID, folder / "msgstore.db", beside(folder / "msgstore.db", "msgstore.db-wal"))
    assert [e.source.locator for e in events] == [e.source.locator for e in before]
    [note] = [w for w in warnings if w.code == "wal_not_applied"]
    assert "msgstore.db-wal" in note.message and "not applied" in note.message
    assert (folder / "msgstore.db-wal").read_bytes() == (corpus / "sqlite_wal" / "plaso_wal_database.db-wal").read_bytes()
