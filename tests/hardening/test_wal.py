"""Issue 14 item 1: a database handed over with its ``-wal`` (and ``-shm``) is read *with* its log.

Each test builds its database with the real ``sqlite3`` module in WAL mode (``wal_autocheckpoint=0``),
commits rows, and copies the database, ``-wal`` and ``-shm`` while the writer is still open, so the
new rows live only in the log. The test first shows that reading the database alone (immutable,
as before) does not see them, then adds the folder to a case and checks: the rows are in the
timeline; custody names the log (``siblings_used``, ``wal_applied``) and the index row that its
parse entry seals gives the frame count, equal to the count SQLite itself reports for the log
(``PRAGMA wal_checkpoint`` on the writer: an oracle that shares no code with the tool); the
original database, log and ``-shm`` keep their bytes and mtimes; the case verifies and rebuilds;
no scratch folder is left behind.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sqlite3
import stat
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

import cyberevidence as ce
from cyberevidence.events import ParseWarning
from cyberevidence.sqlite_ro import open_readonly
from cyberevidence.sqlite_wal import open_applying_wal, scan_wal
from cyberevidence.standalone import source_file_for

REPO = Path(__file__).resolve().parents[2]


def _module(rel: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fx_{rel.replace('/', '_')}", REPO / "fixtures" / rel)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WADB = _module("whatsapp_db/make_fixtures.py")
IMESSAGE = _module("imessage/make_fixtures.py")
SIGNAL = _module("signal/make_fixtures.py")


# -- building a database whose newest rows live only in the log ----------------------------------


def _android(work: Path) -> Path:
    WADB.android_new(work)
    return work / "msgstore.db"


def _ios(work: Path) -> Path:
    WADB.ios(work)
    return work / "ChatStorage.sqlite"


def _imessage(work: Path) -> Path:
    built: Path = IMESSAGE.build_chat_db(work / "chat.db")
    return built


def _signal(work: Path) -> Path:
    built: Path = SIGNAL.build_signal_db(work / "db.sqlite")
    return built


def _android_row(conn: sqlite3.Connection, n: int, text: str) -> None:
    conn.execute(
        "INSERT INTO message (chat_row_id, from_me, key_id, sender_jid_row_id, status, broadcast, recipient_count, "
        "origination_flags, origin, timestamp, received_timestamp, receipt_server_timestamp, message_type, text_data, "
        "starred, lookup_tables, sort_id, message_add_on_flags) SELECT chat_row_id, from_me, 'WAL-KEY-' || ?1, "
        "sender_jid_row_id, status, 0, 0, 0, 0, timestamp + ?1 * 60000, received_timestamp, -1, 0, ?2, 0, 0, "
        "sort_id + 1000 + ?1, 0 FROM message WHERE message_type = 0 AND text_data IS NOT NULL ORDER BY _id LIMIT 1",
        (n, text),
    )


def _ios_row(conn: sqlite3.Connection, n: int, text: str) -> None:
    conn.execute(
        "INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZGROUPEVENTTYPE, ZISFROMME, ZMESSAGESTATUS, ZMESSAGETYPE, ZSORT, "
        "ZCHATSESSION, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZSTANZAID, ZTEXT, ZTOJID) SELECT 100 + ?1, Z_ENT, Z_OPT, 0, "
        "ZISFROMME, ZMESSAGESTATUS, 0, 100 + ?1, ZCHATSESSION, ZMESSAGEDATE + ?1 * 60, ZSENTDATE + ?1 * 60, ZFROMJID, "
        "'WAL' || ?1, ?2, ZTOJID FROM ZWAMESSAGE WHERE Z_PK = 1",
        (n, text),
    )


def _imessage_row(conn: sqlite3.Connection, n: int, text: str) -> None:
    conn.execute(
        "INSERT INTO message (ROWID, guid, text, handle_id, service, date, is_from_me, destination_caller_id, account) "
        "SELECT 100 + ?1, 'MSG-WAL-' || ?1, ?2, handle_id, service, date + ?1 * 60000000000, 0, destination_caller_id, "
        "account FROM message WHERE ROWID = 2",
        (n, text),
    )
    conn.execute("INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 100 + ?)", (n,))


def _signal_row(conn: sqlite3.Connection, n: int, text: str) -> None:
    conn.execute(
        "INSERT INTO messages (rowid, id, json, readStatus, sent_at, conversationId, received_at, source, hasAttachments, "
        "type, body, isErased, isViewOnce, sourceServiceId, serverGuid, sourceDevice) SELECT 1000 + ?1, 'msg-wal-' || ?1, "
        "json_set(json, '$.id', 'msg-wal-' || ?1, '$.body', ?2, '$.sent_at', sent_at + ?1 * 60000, '$.timestamp', "
        "sent_at + ?1 * 60000), 0, sent_at + ?1 * 60000, conversationId, received_at + 5000 + ?1, source, 0, type, ?2, 0, 0, "
        "sourceServiceId, NULL, 1 FROM messages WHERE rowid = 1",
        (n, text),
    )


@dataclass(frozen=True)
class Kind:
    parser: str
    build: Callable[[Path], Path]
    add_row: Callable[[sqlite3.Connection, int, str], None]
    table: str
    text_column: str


KINDS = {
    "whatsapp_android_db": Kind("whatsapp_android_db", _android, _android_row, "message", "text_data"),
    "whatsapp_ios_db": Kind("whatsapp_ios_db", _ios, _ios_row, "ZWAMESSAGE", "ZTEXT"),
    "imessage": Kind("imessage", _imessage, _imessage_row, "message", "text"),
    "signal_desktop": Kind("signal_desktop", _signal, _signal_row, "messages", "body"),
}


@dataclass
class Built:
    db: Path  # the evidence copy in the folder that is added
    texts: list[str]  # rows committed only to the log, one commit each
    sqlite_frames: int  # frames in the log, as SQLite's writer reports them


def with_wal_rows(kind: Kind, tmp_path: Path, texts: list[str], *, keep_shm: bool = True) -> Built:
    """Build the database, commit ``texts`` (one commit each) to its log and copy the files while open."""
    work = tmp_path / "writer"
    work.mkdir()
    src = kind.build(work)
    conn = sqlite3.connect(src)
    try:
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        conn.execute("PRAGMA wal_autocheckpoint=0")
        for n, text in enumerate(texts, 1):
            kind.add_row(conn, n, text)
            conn.commit()
        folder = tmp_path / "phone"
        shutil.copytree(work, folder, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
        for suffix in ("-wal", "-shm") if keep_shm else ("-wal",):
            shutil.copyfile(f"{src}{suffix}", folder / f"{src.name}{suffix}")
        # the oracle: (busy, frames in the log, frames checkpointed), from SQLite itself
        _busy, log_frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    return Built(folder / src.name, texts, int(log_frames))


def immutable_texts(db: Path, kind: Kind, where: str = "1") -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        sql = f"SELECT {kind.text_column} FROM {kind.table} WHERE {where}"
        return {str(r[0]) for r in conn.execute(sql) if r[0] is not None}
    finally:
        conn.close()


def independent_frame_count(wal: Path) -> tuple[int, int]:
    """(frames, commit frames) from the file layout alone: 32-byte header, frames of 24 + page size bytes."""
    data = wal.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    size = 24 + page_size
    frames = (len(data) - 32) // size
    commits = sum(1 for i in range(frames) if struct.unpack(">I", data[32 + i * size + 4 : 32 + i * size + 8])[0])
    return frames, commits


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def scratch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The system temp folder for this test, and a spy on every scratch folder made, checked for mode 0700."""
    root = tmp_path / "systemp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    yield root
    assert list(root.iterdir()) == [], "a scratch folder was left behind"


def parse_entry(case: ce.Case, sha: str) -> dict[str, object]:
    entries = [e for e in case.custody.entries() if e.action == "parse" and e.subject == sha]
    assert entries, "no parse entry in custody"
    return dict(entries[-1].details)


# -- one test per database parser -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KINDS))
def test_wal_only_rows_reach_the_timeline_and_custody(name: str, tmp_path: Path, scratch_root: Path) -> None:
    kind = KINDS[name]
    built = with_wal_rows(kind, tmp_path, [f"Only in the WAL ({name}) #1", f"Only in the WAL ({name}) #2"])
    wal = built.db.with_name(built.db.name + "-wal")
    shm = built.db.with_name(built.db.name + "-shm")
    assert wal.stat().st_size > 32 and shm.is_file()
    # the test can fail: the database alone (as it was read before) lacks the rows
    assert not set(built.texts) & immutable_texts(built.db, kind)
    frames, commits = independent_frame_count(wal)
    assert frames == built.sqlite_frames and commits == len(built.texts)
    before = snapshot(built.db.parent)

    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    report = case.add(built.db.parent)
    [outcome] = [f for f in report.files if f.original_path == built.db.name]
    assert outcome.parser == kind.parser and not outcome.error and outcome.events > 0

    texts = {e.text for e in case.timeline()}
    assert set(built.texts) <= texts

    sha = ce.hash_file(built.db)["sha256"]
    details = parse_entry(case, sha)
    used = details["siblings_used"]
    assert isinstance(used, dict) and used[wal.name] == ce.hash_file(wal)["sha256"]
    assert shm.name not in used  # the -shm is kept as evidence but never used (SQLite rebuilds it)
    codes = details["warning_codes"]
    assert isinstance(codes, list) and "wal_applied" in codes and "wal_not_applied" not in codes
    [note] = [w for w in case.warnings() if w.code == "wal_applied" and w.sha256 == sha]
    assert f"frames={built.sqlite_frames} of {frames}" in note.message and f"commits={commits}" in note.message
    assert wal.name in note.message and ce.hash_file(wal)["sha256"] in note.message
    assert note.locator == wal.name
    [logged] = details["write_ahead_logs"]  # the custody entry itself states which log and how many frames
    assert f"frames={built.sqlite_frames} of {frames}" in logged and ce.hash_file(wal)["sha256"] in logged

    assert snapshot(built.db.parent) == before  # bytes and mtimes of db, -wal, -shm (and the rest)
    assert case.verify().exit_code == 0

    case.rebuild()  # replays the parse from custody and the store alone: the log is applied again
    assert set(built.texts) <= {e.text for e in case.timeline()}
    assert case.verify().exit_code == 0
    assert snapshot(built.db.parent) == before


def test_wal_without_shm_is_applied(tmp_path: Path, scratch_root: Path) -> None:
    kind = KINDS["whatsapp_android_db"]
    built = with_wal_rows(kind, tmp_path, ["WAL row, no -shm handed over"], keep_shm=False)
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(built.db.parent)
    assert "WAL row, no -shm handed over" in {e.text for e in case.timeline()}
    assert case.verify().exit_code == 0


# -- logs that cannot (or can only partly) be applied ----------------------------------------------


def test_corrupted_wal_header_is_a_located_warning_and_the_database_is_still_read(tmp_path: Path, scratch_root: Path) -> None:
    kind = KINDS["whatsapp_android_db"]
    built = with_wal_rows(kind, tmp_path, ["lost with a broken log"])
    wal = built.db.with_name(built.db.name + "-wal")
    data = bytearray(wal.read_bytes())
    data[12] ^= 0xFF  # the checkpoint sequence number: covered by the header checksum
    wal.write_bytes(bytes(data))
    plain = immutable_texts(built.db, kind, "timestamp > 0")
    assert plain

    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(built.db.parent)
    texts = {e.text for e in case.timeline()}
    assert plain <= texts and "lost with a broken log" not in texts
    [w] = [w for w in case.warnings() if w.code == "wal_not_applied"]
    assert w.locator == f"{wal.name} header" and "header checksum" in w.message and "not applied" in w.message
    assert "wal_applied" not in [x.code for x in case.warnings()]
    assert case.verify().exit_code == 0


def test_damaged_last_commit_applies_what_sqlite_applies(tmp_path: Path, scratch_root: Path) -> None:
    """A frame of the second commit fails its checksum: SQLite stops there, and so does the count."""
    kind = KINDS["whatsapp_android_db"]
    built = with_wal_rows(kind, tmp_path, ["first commit survives", "second commit is damaged"])
    wal = built.db.with_name(built.db.name + "-wal")
    frames, _ = independent_frame_count(wal)
    page_size = struct.unpack(">I", wal.read_bytes()[8:12])[0]
    data = bytearray(wal.read_bytes())
    data[-100] ^= 0x01  # inside the page of the last frame (the second commit)
    wal.write_bytes(bytes(data))
    scan = scan_wal(wal)
    assert scan.frames == frames and scan.commits == 1 and scan.applied < frames

    # the oracle: SQLite itself, reading a private copy with the damaged log
    oracle = tmp_path / "oracle"
    oracle.mkdir()
    shutil.copyfile(built.db, oracle / "m.db")
    shutil.copyfile(wal, oracle / "m.db-wal")
    conn = sqlite3.connect(f"file:{oracle / 'm.db'}?mode=ro", uri=True)
    seen = {str(r[0]) for r in conn.execute("SELECT text_data FROM message WHERE text_data IS NOT NULL")}
    conn.close()
    assert "first commit survives" in seen and "second commit is damaged" not in seen
    mx_frame = struct.unpack("=I", (oracle / "m.db-shm").read_bytes()[16:20])[0]
    assert mx_frame == scan.applied

    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(built.db.parent)
    texts = {e.text for e in case.timeline()}
    assert "first commit survives" in texts and "second commit is damaged" not in texts
    by = {w.code: w for w in case.warnings()}
    assert f"frames={scan.applied} of {frames}" in by["wal_applied"].message
    skipped = by["wal_frames_not_applied"]
    assert skipped.locator == f"{wal.name} frame {scan.applied + 1}" and "checksum" in skipped.message
    assert page_size in (1024, 4096)
    assert case.verify().exit_code == 0


def test_stale_log_with_other_salts_is_not_applied(tmp_path: Path, scratch_root: Path) -> None:
    kind = KINDS["imessage"]
    built = with_wal_rows(kind, tmp_path, ["frames from another cycle"])
    wal = built.db.with_name(built.db.name + "-wal")
    data = bytearray(wal.read_bytes())
    data[32 + 8] ^= 0xFF  # salt-1 of frame 1 no longer matches the header's
    wal.write_bytes(bytes(data))
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(built.db.parent)
    assert "frames from another cycle" not in {e.text for e in case.timeline()}
    [w] = [w for w in case.warnings() if w.code == "wal_not_applied"]
    assert w.locator == f"{wal.name} frame 1" and "salts" in w.message
    assert case.verify().exit_code == 0


def test_log_of_another_database_is_not_applied(tmp_path: Path, scratch_root: Path) -> None:
    """A log whose page size is not the database's cannot belong to it; nor can one beside a rollback-mode db."""
    kind = KINDS["signal_desktop"]
    built = with_wal_rows(kind, tmp_path, ["from the wrong log"])
    wal = built.db.with_name(built.db.name + "-wal")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA page_size=512")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    shutil.copyfile(f"{other}-wal", wal)
    conn.close()
    events: list[ParseWarning] = []
    source = source_file_for(built.db, {wal.name: source_file_for(wal)})
    with open_applying_wal(source, events) as db:
        assert "from the wrong log" not in {str(r[0]) for r in db.execute("SELECT body FROM messages")}
    [w] = events
    assert w.code == "wal_not_applied" and "page size" in w.message and w.locator == f"{wal.name} header"


def test_scratch_folder_is_private_and_removed_on_error(tmp_path: Path, scratch_root: Path) -> None:
    kind = KINDS["imessage"]
    built = with_wal_rows(kind, tmp_path, ["scratch"])
    wal = built.db.with_name(built.db.name + "-wal")
    with pytest.raises(RuntimeError), open_readonly(built.db, wal=wal) as conn:
        [folder] = list(scratch_root.iterdir())
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert sorted(p.name for p in folder.iterdir() if not p.name.endswith("-shm")) == ["evidence.db", "evidence.db-wal"]
        assert conn.execute("SELECT count(*) FROM message WHERE text = 'scratch'").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("INSERT INTO message (guid) VALUES ('x')")
        raise RuntimeError("the parser failed half-way")
    # the fixture checks that nothing is left in the temp folder


# -- the shared corpus: plaso's WAL sample -------------------------------------------------------


def _truth(corpus: Path, rel: str) -> str:
    import csv

    with open(corpus / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["corpus_path"] == rel:
                return row["ground_truth"]
    pytest.skip(f"{rel} is not in SOURCES.tsv")


def test_plaso_wal_sample_matches_ground_truth(corpus: Path, tmp_path: Path, scratch_root: Path) -> None:
    db = corpus / "sqlite_wal" / "plaso_wal_database.db"
    wal = corpus / "sqlite_wal" / "plaso_wal_database.db-wal"
    if not (db.is_file() and wal.is_file()):
        pytest.skip("the plaso WAL sample is not in the corpus")
    gt = _truth(corpus, "sqlite_wal/plaso_wal_database.db")
    alone_rows = int(re.search(r"WAL ignored\): MyTable\(Field1,Field2,Field3\) (\d+) rows", gt).group(1))  # type: ignore[union-attr]
    with_rows = int(re.search(r"With the -wal beside it: MyTable (\d+) rows", gt).group(1))  # type: ignore[union-attr]
    gone = re.findall(r"'(Deleted Text \d)'", gt)
    added = re.findall(r"'(New Text \d|Unhashable Row \d|Modified Committed Text \d)'", gt)
    assert gone and added
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (db, wal)}

    # an independent count of what SQLite applies: a read-write connection to a private copy
    # reports the log's frames in PRAGMA wal_checkpoint (the copy is thrown away)
    oracle = tmp_path / "oracle"
    oracle.mkdir()
    shutil.copyfile(db, oracle / "w.db")
    shutil.copyfile(wal, oracle / "w.db-wal")
    conn = sqlite3.connect(oracle / "w.db")
    _busy, log_frames, _ckpt = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    conn.close()

    notes: list[ParseWarning] = []
    source = source_file_for(db, {wal.name: source_file_for(wal)})
    with open_readonly(db) as plain:
        assert plain.execute("SELECT count(*) FROM MyTable").fetchone()[0] == alone_rows
    with open_applying_wal(source, notes) as conn:
        rows = [tuple(r) for r in conn.execute("SELECT * FROM MyTable")]
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        cols = {str(r[1]) for r in conn.execute("PRAGMA table_info(MyTable)")}
    values = {str(v) for r in rows for v in r}
    assert len(rows) == with_rows and not set(gone) & values and set(added) <= values
    assert "NewTable" in tables and "NewField" in cols
    [applied] = [n for n in notes if n.code == "wal_applied"]
    assert f"frames={log_frames} of " in applied.message and applied.locator == wal.name
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (db, wal)} == before


# -- figures --------------------------------------------------------------------------------------


def test_time_to_check_a_large_log(tmp_path: Path) -> None:
    """A log of over 2,000 frames of 4 KiB (about 9 MB) is checked in well under ten seconds (about 0.3 s here)."""
    path = tmp_path / "big.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    for i in range(50):
        conn.executemany("INSERT INTO t VALUES (?)", [(f"{i}-{j}-" + "x" * 400,) for j in range(400)])
        conn.commit()
    _busy, log_frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    wal = tmp_path / "big.db-wal"
    started = time.perf_counter()
    scan = scan_wal(wal)
    took = time.perf_counter() - started
    conn.close()
    assert scan.applied == log_frames and scan.frames >= 2000 and not scan.problem
    assert took < 10


def test_wal_of_the_contacts_database_beside_msgstore_is_applied(tmp_path: Path, scratch_root: Path) -> None:
    """``wa.db-wal``: a contact renamed only in the log gives the name shown for that person."""
    work = tmp_path / "writer"
    WADB.android_new(work)
    conn = sqlite3.connect(work / "wa.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE wa_contacts SET display_name = 'Renamed in the WAL' WHERE jid = ?", (WADB.MARK,))
    conn.commit()
    folder = tmp_path / "phone"
    shutil.copytree(work, folder)  # wa.db, wa.db-wal, wa.db-shm copied while the writer is open
    conn.close()
    assert (folder / "wa.db-wal").stat().st_size > 32
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(folder)
    assert "Renamed in the WAL" in {e.sender for e in case.timeline()} | {e.thread for e in case.timeline()}
    [note] = [w for w in case.warnings() if w.code == "wal_applied"]
    assert note.file == "wa.db" and note.locator == "wa.db-wal"
    assert case.verify().exit_code == 0
