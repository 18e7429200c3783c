"""Signal Desktop parser: the shared corpus's SQL dump (SOURCES.md "signal — ground truth"), the
synthetic database from fixtures/signal/make_fixtures.py (as a SQLite file and as a SQL dump),
hostile inputs, and a real case."""

from __future__ import annotations

import importlib.util
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

import pytest

import cyberevidence as ce
from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.signal_desktop import PARSER
from cyberevidence.standalone import parse, source_file_for

REPO = Path(__file__).resolve().parents[2]


def _fixture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("signal_fixtures", REPO / "fixtures" / "signal" / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FX = _fixture_module()
MARK, SARAH = "+447700900123", "+447700900999"


def run(path: Path) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone="UTC", warnings=warnings))
    return events, warnings


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


@pytest.fixture
def signal_db(tmp_path: Path) -> Path:
    folder = tmp_path / "Signal"
    folder.mkdir()
    (folder / "abcdef0123").write_bytes(b"\x00encrypted-attachment")  # the first attachment's file, as Signal names it
    built: Path = FX.build_signal_db(folder / "db.sqlite")
    return built


@pytest.fixture
def signal_dump(tmp_path: Path) -> Path:
    path = tmp_path / "dump" / "db.sql"
    path.parent.mkdir()
    path.write_text(FX.signal_sql(generated=True), encoding="utf-8")
    return path


# -- corpus -----------------------------------------------------------------------------------


def test_corpus_sql_dump(corpus: Path) -> None:
    path = corpus / "signal" / "chm_signal_desktop_2024-08_macos_plaintext.sql"
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    # SOURCES.md: 5 message rows (2 incoming, 2 outgoing, 1 call-history); sent_at 2023-06-05 -> 2023-10-01 UTC
    assert len(events) == 5
    assert Counter((e.kind, e.direction) for e in events) == {
        ("message", "incoming"): 2, ("message", "outgoing"): 2, ("call", "outgoing"): 1,
    }  # fmt: skip
    by = {e.source.locator: e for e in events}
    photo = by["messages[rowid=698]"]
    assert photo.timestamp == utc(2023, 6, 5, 12, 20, 43, 288)  # sent_at 1685967643288
    assert photo.text == "Photo caption" and photo.direction == "outgoing"
    assert photo.sender == "+998 91 1234567" and photo.recipients == ["+7 999 333 44 55"]  # owner from items.uuid_id
    assert photo.thread == "Eeeee Eeeeeeeeee"  # profileFullName: the conversation has no name
    assert [(a.name, a.sha256, a.media_type) for a in photo.attachments] == [("my-photo.jpg", "", "image/jpeg")]
    assert photo.extra["attachment_paths"] == ["ph/photo-698"]
    call = by["messages[rowid=6385]"]
    assert call.kind == "call" and call.call_type == "voice" and call.extra["call_status"] == "Accepted"
    assert call.timestamp == utc(2023, 9, 20, 15, 33, 49, 560) and call.duration_s is None  # no endedTimestamp
    audio = by["messages[rowid=6486]"]
    assert audio.direction == "incoming" and audio.sender == "+7 999 333 44 55"
    assert audio.extra["server_time"] == "2023-09-27T05:25:37.069Z"  # serverTimestamp kept; sent_at shown
    assert audio.timestamp == utc(2023, 9, 27, 5, 25, 34, 90)
    assert len(by["messages[rowid=6578]"].attachments) == 2
    edited = by["messages[rowid=6581]"]
    assert edited.timestamp == utc(2023, 10, 1, 16, 38, 2, 339) and edited.edited
    assert [v["text"] for v in edited.extra["edit_history"]] == [
        "Edited message, final version",
        "Edited message, initial version",
    ]
    assert min(e.timestamp for e in events).date().isoformat() == "2023-06-05"
    assert max(e.timestamp for e in events).date().isoformat() == "2023-10-01"
    assert Counter(w.code for w in warnings) == {"missing_attachment": 4}


# -- synthetic database -----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["signal_db", "signal_dump"])
def test_incoming_outgoing_and_calls(which: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(which)
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    by = {e.source.locator: e for e in events}
    assert len(events) == 12  # 11 rows + 1 reaction
    incoming = by["messages[rowid=1]"]
    assert (incoming.direction, incoming.sender, incoming.recipients) == ("incoming", MARK, [SARAH])
    assert incoming.timestamp == utc(2025, 10, 14, 19, 1) and incoming.thread == "Mark Kell"
    assert incoming.extra["server_time"] == "2025-10-14T19:01:01.500Z"
    assert incoming.extra["received_time"] == "2025-10-14T19:01:02Z"
    outgoing = by["messages[rowid=2]"]
    assert (outgoing.direction, outgoing.sender, outgoing.recipients) == ("outgoing", SARAH, [MARK])
    assert outgoing.extra["quote"]["text"] == "Why did you block me?"
    missed = by["messages[rowid=3]"]
    assert (missed.kind, missed.direction, missed.call_type, missed.sender) == ("call", "incoming", "video", MARK)
    assert missed.extra["missed"] is True and missed.extra["call_status"] == "Missed"
    accepted = by["messages[rowid=4]"]
    assert (accepted.kind, accepted.direction, accepted.call_type, accepted.duration_s) == ("call", "outgoing", "voice", 125)
    legacy = by["messages[rowid=10]"]
    assert (legacy.kind, legacy.direction, legacy.duration_s) == ("call", "incoming", 60)  # callHistoryDetails
    reaction = by["messages[rowid=1].reactions[0]"]
    assert (reaction.kind, reaction.text, reaction.direction, reaction.sender) == ("reaction", "\U0001f44e", "outgoing", SARAH)
    assert reaction.timestamp == utc(2025, 10, 14, 19, 4)
    system = by["messages[rowid=6]"]
    assert (system.kind, system.direction, system.extra["signal_type"]) == ("system", "unknown", "keychange")
    assert by["messages[rowid=7]"].deleted
    group = by["messages[rowid=9]"]
    assert group.thread == "Family" and group.sender == MARK and group.recipients == []
    edited = by["messages[rowid=11]"]
    assert edited.edited and edited.text == "Final version"
    assert [w.locator for w in warnings if w.code == "clock_skew"] == ["messages[rowid=8]"]


def test_attachment_linked_when_present(signal_db: Path) -> None:
    events, warnings = run(signal_db)
    with_files = next(e for e in events if e.source.locator == "messages[rowid=5]")
    jpg, pdf = with_files.attachments
    assert jpg.name == "IMG_0001.jpg" and jpg.sha256 == ce.hash_file(signal_db.parent / "abcdef0123")["sha256"]
    assert pdf.name == "notes.pdf" and pdf.sha256 == "" and pdf.media_type == "application/pdf"
    assert with_files.extra["attachment_paths"] == ["cd/cdef4567"]
    assert [w.locator for w in warnings if w.code == "missing_attachment"] == ["messages[rowid=5]"]


def test_source_column_numeric_affinity(signal_db: Path) -> None:
    # Signal declares `source` STRING (numeric affinity): "+447700900123" is stored as an integer;
    # the json copy keeps the "+"
    with sqlite3.connect(signal_db) as conn:
        assert conn.execute("SELECT typeof(source) FROM messages WHERE rowid = 1").fetchone()[0] == "integer"
    events, _ = run(signal_db)
    assert next(e for e in events if e.source.locator == "messages[rowid=1]").extra["source"] == MARK


# -- hostile input ------------------------------------------------------------------------------


def test_generated_json_columns_are_read(tmp_path: Path) -> None:
    # Signal's real schema computes columns with json_extract(). sqlite_ro lets a schema call only
    # a list of safe built-ins (an authorizer denies the rest), so such a database opens and parses
    # exactly like the same data without generated columns.
    (tmp_path / "plain").mkdir()
    (tmp_path / "gen").mkdir()
    plain = FX.build_signal_db(tmp_path / "plain" / "db.sqlite")
    generated = FX.build_signal_db(tmp_path / "gen" / "db.sqlite", generated=True)
    assert PARSER.sniff(source_file_for(generated), generated.read_bytes()[:65536])
    got = [(e.timestamp_utc, e.kind, e.direction, e.text) for e in run(generated)[0]]
    want = [(e.timestamp_utc, e.kind, e.direction, e.text) for e in run(plain)[0]]
    assert got == want and len(got) > 3


def test_a_schema_calling_an_unsafe_function_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIEW t AS SELECT load_extension('/tmp/evil.so') AS b")
        conn.execute("CREATE TABLE messages (json TEXT, sent_at INTEGER, conversationId TEXT, type TEXT)")
        conn.execute("CREATE TABLE conversations (id TEXT)")
    from cyberevidence.sqlite_ro import open_readonly

    with open_readonly(path) as conn, pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT b FROM t").fetchall()


def test_encrypted_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    path.write_bytes(bytes(range(256)) * 64)  # SQLCipher files look like random bytes
    assert not PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    with pytest.raises(ParseError, match="encrypted"):
        list(PARSER.parse(source_file_for(path), ce.standalone.HashOnlyContext(ce.parsers.base.ParseOptions())))


def test_missing_table_and_column_are_named(tmp_path: Path) -> None:
    no_conv = tmp_path / "a.sqlite"
    with sqlite3.connect(no_conv) as conn:
        conn.execute("CREATE TABLE messages (json TEXT, sent_at INTEGER, conversationId TEXT, type TEXT)")
    ctx = ce.standalone.HashOnlyContext(ce.parsers.base.ParseOptions())
    with pytest.raises(ParseError, match=r"a\.sqlite.*table 'conversations' is missing"):
        list(PARSER.parse(source_file_for(no_conv), ctx))
    no_col = tmp_path / "b.sqlite"
    with sqlite3.connect(no_col) as conn:
        conn.execute("CREATE TABLE messages (json TEXT, conversationId TEXT, type TEXT)")
        conn.execute("CREATE TABLE conversations (id TEXT)")
    with pytest.raises(ParseError, match=r"b\.sqlite.*table 'messages' has no column 'sent_at'"):
        list(PARSER.parse(source_file_for(no_col), ctx))


def test_damaged_database_names_the_file(signal_db: Path, tmp_path: Path) -> None:
    data = bytearray(signal_db.read_bytes())
    data[100:] = b"\x5a" * (len(data) - 100)
    damaged = tmp_path / "broken.sqlite"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ParseError, match=r"broken\.sqlite"):
        list(PARSER.parse(source_file_for(damaged), ce.standalone.HashOnlyContext(ce.parsers.base.ParseOptions())))


def test_sniff_ignores_other_dumps(corpus: Path) -> None:
    for path in (corpus / "whatsapp_db").iterdir():
        assert not PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path.name


# -- through a real case -------------------------------------------------------------------------


def test_case_add_verify_timeline(signal_db: Path, tmp_path: Path) -> None:
    before, original = signal_db.stat(), signal_db.read_bytes()
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    report = case.add(signal_db.parent)
    outcome = next(f for f in report.files if f.original_path.endswith("db.sqlite"))
    assert outcome.parser == "signal_desktop" and outcome.events == 12 and not outcome.error
    assert case.verify().exit_code == 0
    assert signal_db.read_bytes() == original and signal_db.stat().st_mtime_ns == before.st_mtime_ns
    signal = [e for e in case.timeline() if e.platform == "signal"]
    assert len(signal) == 12
    assert {e.text for e in signal} >= {"Why did you block me?", "Please stop contacting me."}
    assert any(a.sha256 for e in signal for a in e.attachments)
