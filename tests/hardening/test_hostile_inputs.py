"""Hostile archives and files (issue "Hardening", item 2), and regression inputs for every crash
the fuzzer found (item 1).

Each hostile input gives a clear error or a located warning, and the case stays valid:
``case.verify().exit_code == 0`` after a failed or partial ``add``. tests/test_archive.py already
covers SafeZip's member rules and limits in isolation; here they are driven through parsers and
a real case.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sqlite3
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import cyberevidence as ce
from cyberevidence.archive import SafeZip
from cyberevidence.errors import CyberEvidenceError, ParseError, UnsafeArchiveError
from cyberevidence.events import ParseWarning
from cyberevidence.sqlite_ro import open_readonly

from .harness import check, check_sniffers
from .seeds import FIXTURES

CHAT = b"15/10/2025, 22:10 - Mark Kell: first\n15/10/2025, 22:11 - Mark Kell: second\n"


def _fixture_module(family: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{family}_fx_hostile", FIXTURES / family / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_zip(path: Path, members: Sequence[tuple[zipfile.ZipInfo | str, bytes]], *, deflate: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def parse_all(path: Path, fmt: str | None = None, **kw: Any) -> tuple[list[ce.Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    events = list(ce.parse(path, format=fmt, warnings=warnings, **kw))
    return events, warnings


def add_to_case(tmp_path: Path, *inputs: Path, **kw: Any) -> tuple[ce.Case, ce.AddReport]:
    case = ce.Case.create(tmp_path / "case", examiner="Hardening Test", timezone="Europe/London")
    report = case.add(*inputs, **kw)
    assert case.verify().exit_code == 0, "the case must stay valid after a failed or partial add"
    return case, report


def custody(case: ce.Case, action: str) -> list[dict[str, object]]:
    return [dict(e.details) for e in case.custody.entries() if e.action == action]


# == zip bombs ====================================================================================


def test_ratio_bomb_as_the_chat_member_is_refused_and_the_case_stays_valid(tmp_path: Path) -> None:
    # 17 MiB of zeros: above the default 16 MiB ratio floor and ~1000x its compressed size (limit 200x)
    bomb = make_zip(tmp_path / "WhatsApp Chat - Mark.zip", [("_chat.txt", CHAT + b"\0" * (17 << 20))])
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnsafeArchiveError, match="zip bomb") as err:
        parse_all(bomb, date_order="dmy")
    assert bomb.name in str(err.value)
    case, report = add_to_case(tmp_path, bomb, date_order="dmy")
    (outcome,) = report.files
    assert "zip bomb" in outcome.error and outcome.events == 0
    assert custody(case, "parse_failed") and custody(case, "acquire")


def test_ratio_bomb_as_a_media_member_is_skipped_with_a_warning(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "WhatsApp Chat - Mark.zip", [("_chat.txt", CHAT), ("IMG-20251015-WA0001.jpg", b"\0" * (17 << 20))])
    events, warnings = parse_all(z, date_order="dmy")
    assert len(events) == 2
    bad = [w for w in warnings if w.code == "unreadable_member"]
    assert bad and "zip bomb" in bad[0].message and bad[0].locator == "IMG-20251015-WA0001.jpg"
    _, report = add_to_case(tmp_path, z, date_order="dmy")
    assert report.files[0].events == 2 and not report.files[0].error


def _declare_sizes(data: bytes, size: int) -> bytes:
    """Rewrite every central-directory entry's uncompressed size (headers are what a bomb lies in)."""
    buf = bytearray(data)
    at = buf.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<I", buf, at + 24, size)
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def test_bomb_by_declared_total_size_is_refused_before_inflating(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "x.zip", [("_chat.txt", CHAT)] + [(f"m{i}.bin", b"x") for i in range(17)])
    z.write_bytes(_declare_sizes(z.read_bytes(), 0xFFFFFFFE))  # 18 x 4 GiB declared > 64 GiB default
    with pytest.raises(UnsafeArchiveError, match=r"declares .* bytes uncompressed"):
        SafeZip(z)
    _, report = add_to_case(tmp_path, z, format="whatsapp", date_order="dmy")
    assert "declares" in report.files[0].error


def test_member_inflating_beyond_its_declared_size_is_stopped(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "WhatsApp Chat - Mark.zip", [("_chat.txt", CHAT + b"A" * (4 << 20))])
    z.write_bytes(_declare_sizes(z.read_bytes(), len(CHAT)))  # the header lies: says tiny, inflates to 4 MiB
    # zipfile stops at the declared size, then the CRC check fails: a clear archive error either way
    with pytest.raises(UnsafeArchiveError, match=r"damaged|beyond its declared"):
        parse_all(z, date_order="dmy")


# == nested zips, hostile member names, links, duplicates, encryption ==============================


def test_a_zip_inside_a_zip_is_stored_as_one_derived_member_and_not_expanded(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nz:
        nz.writestr("_chat.txt", b"16/10/2025, 09:00 - Someone Else: nested chat\n")
    z = make_zip(tmp_path / "WhatsApp Chat - Mark.zip", [("_chat.txt", CHAT), ("nested.zip", inner.getvalue())])
    case, report = add_to_case(tmp_path, z, date_order="dmy")
    assert report.files[0].events == 2  # only the outer chat; the nested chat is not read
    derived = {str(d["path_in_parent"]) for d in custody(case, "derive")}
    assert derived == {"_chat.txt", "nested.zip"}  # kept, hashed and logged as evidence, never unpacked
    assert all(e.text != "nested chat" for e in case.timeline())


def _encrypt_flag(data: bytes, name: bytes) -> bytes:
    """Set the 'encrypted' bit on a member in both its local and central headers."""
    buf = bytearray(data)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = buf.find(sig)
        while at >= 0:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(buf[name_at : name_at + len(name)]) == name:
                struct.pack_into("<H", buf, at + flag_at, struct.unpack_from("<H", buf, at + flag_at)[0] | 1)
            at = buf.find(sig, at + 4)
    return bytes(buf)


def test_hostile_member_names_links_duplicates_and_encryption_are_named_in_warnings(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("IMG-link.jpg")
    link.external_attr = 0o120777 << 16
    z = make_zip(
        tmp_path / "WhatsApp Chat - Mark.zip",
        [
            ("_chat.txt", CHAT),
            ("../../etc/evil.jpg", b"x"),
            ("/abs/evil.jpg", b"x"),
            ("C:\\evil.jpg", b"x"),
            (link, b"/etc/passwd"),
            ("IMG-A.jpg", b"first"),
            ("img-a.JPG", b"second"),
            ("secret.jpg", b"locked"),
        ],
    )
    z.write_bytes(_encrypt_flag(z.read_bytes(), b"secret.jpg"))
    events, warnings = parse_all(z, date_order="dmy")
    assert len(events) == 2
    rejected = {w.locator: w.message for w in warnings if w.code == "rejected_member"}
    assert set(rejected) == {"../../etc/evil.jpg", "/abs/evil.jpg", "C:\\evil.jpg", "IMG-link.jpg", "img-a.JPG", "secret.jpg"}
    assert "outside" in rejected["../../etc/evil.jpg"] and "absolute" in rejected["/abs/evil.jpg"]
    assert "symbolic link" in rejected["IMG-link.jpg"] and "duplicate" in rejected["img-a.JPG"]
    assert "encrypted" in rejected["secret.jpg"]
    assert all(w.file == z.name for w in warnings)
    case, report = add_to_case(tmp_path, z, date_order="dmy")
    assert report.files[0].warnings >= 6 and not report.files[0].error
    derived = {str(d["path_in_parent"]) for d in custody(case, "derive")}
    assert derived == {"_chat.txt", "IMG-A.jpg"}
    assert not (tmp_path / "etc").exists() and not Path("/abs/evil.jpg").exists()


@pytest.mark.parametrize(
    "damage",
    ["crc", "deflate", "version"],
)
def test_damaged_members_are_a_clear_archive_error_in_every_zip_parser(tmp_path: Path, damage: str) -> None:
    """Regression (fuzzer): bad CRC, a corrupt deflate stream or an unsupported zip version used to escape
    as zipfile.BadZipFile / zlib.error / NotImplementedError from SafeZip."""
    z = make_zip(tmp_path / "WhatsApp Chat - Mark.zip", [("_chat.txt", CHAT * 50)])
    buf = bytearray(z.read_bytes())
    data_at = 30 + len("_chat.txt")
    if damage == "crc":
        struct.pack_into("<I", buf, 14, 0xDEADBEEF)  # local header CRC
        at = buf.find(b"PK\x01\x02")
        struct.pack_into("<I", buf, at + 16, 0xDEADBEEF)
    elif damage == "deflate":
        for i in range(data_at + 5, data_at + 40):
            buf[i] ^= 0x5A
    else:
        at = buf.find(b"PK\x01\x02")
        struct.pack_into("<H", buf, at + 6, 99)  # "version needed to extract": 9.9
        struct.pack_into("<H", buf, 4, 99)
    z.write_bytes(bytes(buf))
    for fmt in ("whatsapp", "facebook", "instagram", "discord", "twitter", "google_takeout", "linkedin", "snapchat", "tiktok"):
        outcome = check(z, fmt)
        assert outcome.ok, f"{fmt}: {outcome.crash}"


# == XML entity expansion and external entities ==================================================

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE smses [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<smses count="1"><sms address="1" date="1760468460000" type="1" body="&lol9;" /></smses>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE smses [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<smses count="1"><sms address="1" date="1760468460000" type="1" body="&xxe;" /></smses>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE smses SYSTEM "http://evil.example/sms.dtd">
<smses count="1"><sms address="1" date="1760468460000" type="1" body="hi" /></smses>
"""


@pytest.mark.parametrize(("doc", "expect"), [(BILLION_LAUGHS, "entities"), (EXTERNAL_ENTITY, "entities")])
def test_entity_expansion_and_external_entities_are_refused(tmp_path: Path, doc: bytes, expect: str) -> None:
    path = tmp_path / "sms-20251104183000.xml"
    path.write_bytes(doc)
    start = time.monotonic()
    with pytest.raises(ParseError, match=expect) as err:
        parse_all(path, "sms_backup")
    assert time.monotonic() - start < 5 and err.value.file == path.name
    _, report = add_to_case(tmp_path, path, format="sms_backup")
    assert expect in report.files[0].error
    assert "root:" not in report.files[0].error  # /etc/passwd was never read into anything


def test_an_external_dtd_is_never_fetched(tmp_path: Path) -> None:
    """The DTD URL is not fetched (the conftest socket guard would turn a fetch into a crash here)."""
    path = tmp_path / "sms-20251104183000.xml"
    path.write_bytes(EXTERNAL_DTD)
    outcome = check(path, "sms_backup")
    assert outcome.ok, outcome.crash


# == SQLite inputs with a hostile schema ===========================================================


@pytest.fixture
def chat_db(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    built: Path = _fixture_module("imessage").build_chat_db(folder / "chat.db")
    return built


def _digest(path: Path) -> bytes:
    import hashlib

    return hashlib.sha256(path.read_bytes()).digest()


def test_a_trigger_that_would_write_never_fires_and_the_file_is_unchanged(chat_db: Path, tmp_path: Path) -> None:
    clean, _ = parse_all(chat_db, "imessage", timezone="UTC")
    with sqlite3.connect(chat_db) as conn:
        conn.execute("CREATE TABLE audit (x)")
        conn.execute("CREATE TRIGGER wipe AFTER UPDATE ON message BEGIN DELETE FROM handle; INSERT INTO audit VALUES (1); END")
        conn.execute("CREATE TRIGGER wipe2 BEFORE DELETE ON message BEGIN DELETE FROM chat; END")
    conn.close()
    before = _digest(chat_db)
    events, _ = parse_all(chat_db, "imessage", timezone="UTC")
    assert len(events) == len(clean) > 0
    assert _digest(chat_db) == before
    assert sorted(p.name for p in chat_db.parent.iterdir()) == ["chat.db"]  # no -journal, -wal or -shm
    _, report = add_to_case(tmp_path, chat_db, format="imessage")
    assert report.files[0].events == len(clean)


def test_a_view_calling_load_extension_is_refused_by_the_authorizer(chat_db: Path, tmp_path: Path) -> None:
    clean, _ = parse_all(chat_db, "imessage", timezone="UTC")
    with sqlite3.connect(chat_db) as conn:
        conn.execute("CREATE VIEW evil AS SELECT load_extension('/nonexistent/evil.so') AS x FROM message")
    conn.close()
    with open_readonly(chat_db) as ro, pytest.raises(sqlite3.DatabaseError, match=r"not authorized|unsafe use"):
        ro.execute("SELECT x FROM evil").fetchall()
    assert len(parse_all(chat_db, "imessage", timezone="UTC")[0]) == len(clean)  # the parser never reads the view


def test_a_view_standing_in_for_a_table_is_a_clear_error(chat_db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(chat_db) as conn:
        conn.execute("ALTER TABLE message RENAME TO message_real")
        conn.execute("CREATE VIEW message AS SELECT *, load_extension('/nonexistent/evil.so') AS evil FROM message_real")
    conn.close()
    with pytest.raises(ParseError) as err:
        parse_all(chat_db, "imessage", timezone="UTC")
    assert err.value.file == "chat.db"
    _, report = add_to_case(tmp_path, chat_db, format="imessage")
    assert "chat.db" in report.files[0].error


def _rewrite_schema(db: Path, table: str, sql: str) -> None:
    """Put DDL SQLite would refuse to create straight into sqlite_master, as a crafted file can."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("UPDATE sqlite_master SET sql=? WHERE type='table' AND name=?", (sql, table))
    conn.close()


@pytest.mark.parametrize("function", ["load_extension('/nonexistent/evil.so')", "fts3_tokenizer('simple')", "random()"])
def test_a_generated_column_calling_an_unsafe_function_is_refused(chat_db: Path, tmp_path: Path, function: str) -> None:
    with sqlite3.connect(chat_db) as conn:
        cols = [f'"{r[1]}" {r[2]}' for r in conn.execute("PRAGMA table_info(handle)")]
    conn.close()
    _rewrite_schema(chat_db, "handle", f"CREATE TABLE handle ({', '.join(cols)}, evil GENERATED ALWAYS AS ({function}) VIRTUAL)")
    with pytest.raises(ParseError, match="non-deterministic") as err:
        parse_all(chat_db, "imessage", timezone="UTC")
    assert err.value.file == "chat.db"
    _, report = add_to_case(tmp_path, chat_db, format="imessage")
    assert "non-deterministic" in report.files[0].error


def test_schema_expressions_are_not_seen_by_the_authorizer(chat_db: Path) -> None:
    """Documents a limit (docs/hardening.md): SQLite does not consult the authorizer while it compiles the
    schema, so a *deterministic* built-in outside SAFE_FUNCTIONS (json_set here) in a generated column is
    evaluated. SQLite itself refuses every non-deterministic function there (test above), and no
    deterministic built-in has side effects, so this is safe; the authorizer guards queries and views."""
    with sqlite3.connect(chat_db) as conn:
        conn.execute("ALTER TABLE handle ADD COLUMN evil GENERATED ALWAYS AS (json_set('{}', '$.a', id)) VIRTUAL")
    conn.close()
    with open_readonly(chat_db) as ro:
        assert ro.execute("SELECT evil FROM handle LIMIT 1").fetchone()[0].startswith('{"a"')
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            ro.execute("SELECT json_set('{}', '$.a', 1)").fetchone()
    assert check(chat_db, "imessage").ok


@pytest.mark.parametrize("parser", ["imessage", "signal_desktop", "whatsapp_android_db", "whatsapp_ios_db"])
def test_a_schema_with_invalid_utf8_names_is_a_clear_error(tmp_path: Path, parser: str) -> None:
    """Regression (fuzzer): invalid UTF-8 in sqlite_master reached the authorizer and escaped as UnicodeDecodeError."""
    path = tmp_path / "evil.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, tXq INTEGER)")
        conn.execute("CREATE TABLE messages (json TEXT)")
    conn.close()
    data = path.read_bytes()
    assert data.count(b"tXq") >= 1
    path.write_bytes(data.replace(b"tXq", b"t\xc3(", 1))
    outcome = check(path, parser)
    assert outcome.ok, outcome.crash


# == giant lines and invalid UTF-8 =================================================================

GIANT = 16 << 20


def test_a_giant_single_line_in_a_whatsapp_chat_finishes_and_is_cut_with_a_warning(tmp_path: Path) -> None:
    """A 16 MiB line: its first MAX_LINE_BYTES are kept in the event, the rest only in the stored file."""
    from cyberevidence.parsers._whatsapp_lines import MAX_LINE_BYTES

    path = tmp_path / "WhatsApp Chat with Mark.txt"
    with open(path, "wb") as fh:
        fh.write(b"15/10/2025, 22:10 - Mark Kell: hello\n15/10/2025, 22:11 - Mark Kell: ")
        fh.write(b"A" * GIANT)
        fh.write(b"\n15/10/2025, 22:12 - Mark Kell: bye\n")
    tracemalloc.start()
    start = time.monotonic()
    try:
        events, _ = parse_all(path, "whatsapp", date_order="dmy")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [len(e.text) for e in events] == [5, MAX_LINE_BYTES - len("15/10/2025, 22:11 - Mark Kell: "), 3]
    assert time.monotonic() - start < 60
    assert peak < 16 * MAX_LINE_BYTES, f"peak {peak / MAX_LINE_BYTES:.1f}x the line cap"


def test_a_giant_line_is_parsed_in_bounded_memory(tmp_path: Path) -> None:
    from cyberevidence.parsers._whatsapp_lines import MAX_LINE_BYTES

    path = tmp_path / "WhatsApp Chat with Mark.txt"
    path.write_bytes(b"15/10/2025, 22:10 - Mark Kell: " + b"B" * GIANT + b"\n15/10/2025, 22:11 - Mark Kell: after\n")
    tracemalloc.start()
    try:
        result = parse_all(path, "whatsapp", date_order="dmy")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MAX_LINE_BYTES
    events, warnings = result
    assert [e.text for e in events][1:] == ["after"]
    assert 0 < len(events[0].text) <= MAX_LINE_BYTES
    (long,) = [w for w in warnings if w.code == "long_line"]
    assert long.locator == "line 1" and str(GIANT + 31 - MAX_LINE_BYTES) in long.message


TEXT_SEEDS = [
    ("whatsapp", "whatsapp/es_android_ddmmyyyy_ampm.txt"),
    ("whatsapp", "whatsapp/ios_de_brackets_seconds.txt"),
    ("signal_export", "signal/chat.md"),
    ("signal_export", "signal/data.json"),
    ("sms_backup", "sms_backup/sms-20251104183000.xml"),
    ("sms_backup", "sms_backup/calls-20251104183000.xml"),
    ("telegram_html", "telegram/html_dst/messages.html"),
    ("telegram_json", "telegram/json_single/result.json"),
    ("mbox", "email/small.mbox"),
    ("email_message", "email/no_zone_cyrillic.eml"),
    ("linkedin", "linkedin/messages.csv"),
    ("facebook", "facebook/message_1.html"),
    ("facebook", "facebook/correct_utf8_message_1.json"),
    ("instagram", "instagram/message_1.json"),
    ("snapchat", "snapchat/friends.json"),
    ("tiktok", "tiktok/user_data_tiktok.json"),
    ("google_takeout", "google_takeout/Hangouts.json"),
]


@pytest.mark.parametrize(("parser", "seed"), TEXT_SEEDS)
@pytest.mark.parametrize("every", [7, 61])
def test_invalid_utf8_throughout(tmp_path: Path, parser: str, seed: str, every: int) -> None:
    """Invalid bytes (0xFF, a lone continuation byte, a truncated sequence) every N bytes of a real export."""
    data = (FIXTURES / seed).read_bytes()
    bad = [b"\xff", b"\x80", b"\xe2\x82", b"\xed\xa0\x80"]
    out = bytearray()
    for i in range(0, len(data), every):
        out += data[i : i + every] + bad[(i // every) % len(bad)]
    path = tmp_path / Path(seed).name
    path.write_bytes(bytes(out))
    outcome = check(path, parser)
    assert outcome.ok, outcome.crash


# == regressions: inputs that crashed a parser before the fixes listed in docs/hardening.md =========


def _record(tmp_path: Path, body: object, name: str = "record.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


MARKER = {
    "marker_id": "M-1",
    "version": 1,
    "marker_type": "blocked",
    "at": "2025-03-12T20:00:00+00:00",
    "at_utc": "2025-03-12T20:00:00Z",
    "recorded_at": "2025-03-12T20:00:00Z",
}


@pytest.mark.parametrize(
    "change",
    [
        {"at_utc": "2025-03-12T20:0:00+00:00"},  # ValueError from fromisoformat
        {"at_utc": ["2025"]},  # AttributeError: list has no replace
        {"note": {"a": 1}},  # AttributeError in the event fingerprint
        {"person": "\ud800"},  # UnicodeEncodeError: lone surrogate
        {"version": "one"},
        {"at_utc": "2025-03-12T20:00:00"},  # no offset
    ],
)
def test_case_record_damage_is_a_located_parse_error(tmp_path: Path, change: dict[str, object]) -> None:
    path = _record(tmp_path, {"format": "cyberevidence-record/1", "type": "marker", "record": {**MARKER, **change}})
    with pytest.raises(ParseError) as err:
        parse_all(path, "case_record")
    assert err.value.file == path.name and err.value.locator.startswith("record.")


@pytest.mark.parametrize("body", [["not", "an", "object"], 7])
def test_case_record_not_an_object(tmp_path: Path, body: object) -> None:
    with pytest.raises(ParseError, match="not a readable diary entry"):
        parse_all(_record(tmp_path, body), "case_record")


def test_imessage_dates_too_large_for_a_datetime_are_skipped_not_a_crash(chat_db: Path) -> None:
    with sqlite3.connect(chat_db) as conn:
        conn.execute("UPDATE message SET date = 1e308 WHERE ROWID = (SELECT min(ROWID) FROM message)")
        conn.execute("UPDATE message SET date = 9223372036854775807 WHERE ROWID = (SELECT max(ROWID) FROM message)")
    conn.close()
    outcome = check(chat_db, "imessage")
    assert outcome.ok and outcome.warnings > 0, outcome.crash


def test_signal_desktop_blob_ids_are_kept_as_hex(tmp_path: Path) -> None:
    db: Path = _fixture_module("signal").build_signal_db(tmp_path / "db.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE messages SET id = X'FFFE00', received_at = X'00' WHERE rowid = (SELECT min(rowid) FROM messages)")
    conn.close()
    events, _ = parse_all(db, "signal_desktop")
    assert "fffe00" in {e.extra.get("message_id") for e in events}
    assert check(db, "signal_desktop").ok


def test_sms_backup_unknown_declared_encoding(tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-1e309"?><smses count="0"></smses>')
    with pytest.raises(ParseError, match="unknown encoding") as err:
        parse_all(path, "sms_backup")
    assert err.value.file == "sms.xml"


def test_sms_backup_sniffer_does_not_backtrack_on_many_declarations(tmp_path: Path) -> None:
    """Regression (fuzzer): 50 repeated XML declarations made the sniff regex backtrack exponentially."""
    path = tmp_path / "sms.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>' * 50 + b"<smsez>")
    start = time.monotonic()
    assert check_sniffers(path).ok
    assert time.monotonic() - start < 2


def test_telegram_json_invalid_utf8_inside_a_string(tmp_path: Path) -> None:
    data = (FIXTURES / "telegram/json_single/result.json").read_bytes()
    at = data.index(b'"text"', data.index(b'"messages"')) + 9
    path = tmp_path / "result.json"
    path.write_bytes(data[:at] + b"\xf4\x28" + data[at:])
    outcome = check(path, "telegram_json")
    assert outcome.ok, outcome.crash


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


_META_DEEP = '{"participants": [], "messages": [{"sender_name": "x", "content": ' + _deep(900) + "}]}"


@pytest.mark.parametrize(
    ("parser", "name", "text"),
    [
        ("facebook", "message_1.json", _META_DEEP),
        ("instagram", "message_1.json", _META_DEEP),
        ("twitter", "account.js", "window.YTD.account.part0 = " + _deep(5000)),
        ("discord", "messages.json", _deep(5000)),
        ("signal_export", "data.json", '{"date": "2025-10-14T20:01:00", "body": ' + _deep(5000) + "}\n"),
        ("signal_export", "data.json", "[" + _deep(5000) + "]"),
        ("snapchat", "chat_history.json", '{"Received Saved Chat History": ' + _deep(5000) + "}"),
    ],
)
def test_deeply_nested_json(tmp_path: Path, parser: str, name: str, text: str) -> None:
    """Regression (fuzzer): RecursionError from json.loads or from the mojibake repair walk."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    outcome = check(path, parser)
    assert outcome.ok, outcome.crash


@pytest.mark.parametrize(
    ("parser", "seed"),
    [
        ("facebook", "facebook/correct_utf8_message_1.json"),
        ("snapchat", "snapchat/new_layout/chat_history.json"),
        ("discord", "discord/discord-package-old.zip"),
        ("twitter", "twitter/x-archive-sarah.zip"),
    ],
)
def test_lone_surrogate_escapes_in_json_text(tmp_path: Path, parser: str, seed: str) -> None:
    """Regression (fuzzer): ``"\\ud800"`` escapes became lone surrogates that could not be hashed or indexed."""

    def poison(raw: bytes) -> bytes:
        starts = [i for i in (raw.find(b"{"), raw.find(b"[")) if i >= 0]
        if not starts:
            return raw
        prefix = raw[: min(starts)]
        try:
            doc = json.loads(raw[len(prefix) :])
        except ValueError:
            return raw

        def walk(v: object) -> object:
            if isinstance(v, str):
                return v + "\ud800"
            if isinstance(v, dict):
                return {k: walk(x) for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x) for x in v]
            return v

        return prefix + json.dumps(walk(doc)).encode()

    src = FIXTURES / seed
    path = tmp_path / src.name
    if src.suffix == ".zip":
        out = io.BytesIO()
        with zipfile.ZipFile(src) as zf, zipfile.ZipFile(out, "w") as nz:
            for info in zf.infolist():
                data = zf.read(info)
                nz.writestr(info.filename, poison(data) if info.filename.endswith((".json", ".js")) else data)
        path.write_bytes(out.getvalue())
    else:
        path.write_bytes(poison(src.read_bytes()))
    outcome = check(path, parser)
    assert outcome.ok and outcome.events + outcome.warnings > 0, outcome.crash  # poisoned dates are skipped, named


def test_discord_chat_exporter_wrong_types(tmp_path: Path) -> None:
    doc = {
        "guild": {"id": "1", "name": "Direct Messages"},
        "channel": {"id": "2", "type": "DirectTextChat", "name": "mark"},
        "messages": [
            {"id": "3", "type": "Default", "timestamp": "2025-10-05T22:10:00+01:00", "content": "hi",
             "author": {"id": "4", "name": "mark"}, "reactions": True, "attachments": 5, "mentions": "x"},
        ],
        "messageCount": 1e400,
    }  # fmt: skip
    path = tmp_path / "dce.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    outcome = check(path, "discord_chat_exporter")
    assert outcome.ok and outcome.events == 1, outcome.crash


def test_signal_export_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps({"date": "2025-10-14T20:01:00", "sender": "Mark", "body": "x", "reactions": True, "attachments": 3}) + "\n",
        encoding="utf-8",
    )
    outcome = check(path, "signal_export")
    assert outcome.ok and outcome.events == 1, outcome.crash


def test_email_8bit_bytes_in_identifiers_and_trace_headers(tmp_path: Path) -> None:
    msg = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: =?\xff\xfe?Q?hi?=\r\n"
        b"Date: Sat, 4 Oct 2025 22:10:00 +0100\r\nMessage-ID: <abc\xff@example.com>\r\n"
        b"References: <r\xc3@x>\r\nX-GM-THRID: 15\xff42\r\n"
        b"Received: from a.example ([192.0.2.1]) by mx.exam\xedple.com with SMTP id 1\xffx; Sat, 4 Oct 2025 22:10:00 +0100\r\n"
        b"\r\nbody\r\n"
    )
    for parser, name, data in (
        ("email_message", "m.eml", msg),
        ("mbox", "m.mbox", b"From a@example.com Sat Oct  4 22:10:00 2025\n" + msg),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        outcome = check(path, parser)
        assert outcome.ok and outcome.events == 1, outcome.crash


def test_outlook_msg_damaged_ole_streams_become_oserror() -> None:
    """Regression (fuzzer): olefile's ValueError for a damaged MiniFAT escaped the .msg parser."""
    from cyberevidence.parsers.outlook_msg import _Reader

    class BrokenOle:
        def listdir(self, streams: bool = True, storages: bool = True) -> list[list[str]]:
            return [["__properties_version1.0"]]

        def openstream(self, path: list[str]) -> io.BytesIO:
            raise ValueError("bytes length not a multiple of item size")

    reader = _Reader(BrokenOle(), lambda *a: None)
    with pytest.raises(OSError, match="damaged OLE stream"):
        reader.read(["__properties_version1.0"])


def test_every_error_is_typed(tmp_path: Path) -> None:
    """The contract the fuzzer checks, stated once: a hostile input raises a CyberEvidenceError naming it."""
    path = tmp_path / "garbage.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(CyberEvidenceError) as err:
        parse_all(path, "whatsapp")
    assert "garbage.zip" in str(err.value)
