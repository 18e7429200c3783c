"""WhatsApp Android msgstore.db parser: the public corpus dumps, the synthetic fixtures, hostile input, a real case.

Expected instants were worked out independently of the parser (``date -u -d @<seconds>`` on the
stored milliseconds); counts for the corpus are those of ../shared/corpus/SOURCES.md.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

import pytest

from cyberevidence import Case
from cyberevidence.detect import detect
from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import default_registry
from cyberevidence.parsers.base import ParseOptions, SourceFile
from cyberevidence.parsers.whatsapp_android_db import PARSER
from cyberevidence.parsers.whatsapp_ios_db import PARSER as IOS_PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for


def run(path: Path, siblings: dict[str, SourceFile] | None = None) -> tuple[list[Event], list[ParseWarning]]:
    """Parse with this parser (forced), with exactly the given siblings."""
    source = source_file_for(path, siblings)
    items = list(PARSER.parse(source, HashOnlyContext(ParseOptions())))
    return [i for i in items if isinstance(i, Event)], [i for i in items if isinstance(i, ParseWarning)]


def siblings_of(path: Path, *names: str) -> dict[str, SourceFile]:
    return {n: source_file_for(path.parent / n) for n in names}


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc)


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    return Counter(w.code for w in warnings)


@pytest.fixture
def wadb(fixtures_dir: Path) -> Path:
    return fixtures_dir / "whatsapp_db"


@pytest.fixture
def dumps(corpus: Path, tmp_path: Path) -> Path:
    """The corpus dumps copied into one folder (they are siblings, as if acquired together)."""
    out = tmp_path / "dumps"
    shutil.copytree(corpus / "whatsapp_db", out)
    return out


# -- the public corpus (SQL dumps) -------------------------------------------------------------


#: The corpus folders holding WhatsApp databases and the SQLite files tested beside them.
CORPUS_DIRS = ("whatsapp_db", "sqlite_wal")


def corpus_rows(corpus: Path) -> dict[str, dict[str, str]]:
    """SOURCES.tsv rows of the corpus folders above, by corpus_path."""
    with open(corpus / "SOURCES.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {r["corpus_path"]: r for r in rows if r["corpus_path"].split("/", 1)[0] in CORPUS_DIRS}


def role_of(description: str) -> str:
    """What a corpus file is, from its SOURCES.tsv description (first rule that matches).

    The key rule looks only at the description's lead (before the first parenthesis or semicolon),
    because a backup's description goes on to name the key it decrypts with.
    """
    rules = [
        ("key", r"^[^(;]*(?:'key' file|\.key\b|root key)"),
        ("encrypted", r"encrypted.{0,40}backup"),
        ("contacts", r"\bwa\.db\b|ContactsV2|LID\.sqlite"),
        ("ios", r"ChatStorage\.sqlite"),
        ("android", r"msgstore\.db"),
        ("other", r"SQLite database|write-ahead log"),
    ]
    for role, pattern in rules:
        if re.search(pattern, description, re.IGNORECASE):
            return role
    raise AssertionError(f"no rule says what this corpus file is: {description!r}; add one")


#: role -> the parser that must recognise the file on its own (None: no parser of ours may).
EXPECTED_PARSER = {
    "android": "whatsapp_android_db",
    "encrypted": "whatsapp_android_db",
    "ios": "whatsapp_ios_db",
    "contacts": None,
    "key": None,
    "other": None,
}


def test_every_corpus_dump_is_recognised_for_what_it_is(corpus: Path) -> None:
    rows = corpus_rows(corpus)
    on_disk = {f"{d}/{f.name}" for d in CORPUS_DIRS if (corpus / d).is_dir() for f in (corpus / d).iterdir()}
    assert on_disk == set(rows), "every corpus file needs its SOURCES.tsv row, and every row its file"
    registry = default_registry(include_plugins=False)
    wa_parsers = {PARSER.name: PARSER, IOS_PARSER.name: IOS_PARSER}
    roles: Counter[str] = Counter()
    for rel, row in sorted(rows.items()):
        path = corpus / rel
        role = role_of(row["description"])
        roles[role] += 1
        siblings = {p.name: source_file_for(p) for p in path.parent.iterdir() if p != path}
        source = source_file_for(path, siblings)
        head = path.read_bytes()[:65536]
        expected = EXPECTED_PARSER[role]
        for name, info in wa_parsers.items():
            assert info.sniff(source, head) is (name == expected), (rel, role, name)
        found = detect(source, registry).parser
        assert (found.name if found else None) == expected, (rel, role)
        if role in ("android", "ios"):
            items = list(wa_parsers[role_parser(role)].parse(source, HashOnlyContext(ParseOptions())))
            assert any(isinstance(i, ParseWarning) and i.code == "schema" for i in items), rel
        elif role == "encrypted":
            items = list(PARSER.parse(source, HashOnlyContext(ParseOptions())))
            assert not [i for i in items if isinstance(i, Event)], rel  # never read as messages
            [note] = items
            assert isinstance(note, ParseWarning) and note.code == "encrypted_backup", rel
            assert "encrypted" in note.message and "key" in note.message and note.file == path.name
        elif role == "key":
            for info in wa_parsers.values():
                with pytest.raises(ParseError, match="key file"):  # forced: refused, never read as messages
                    list(info.parse(source, HashOnlyContext(ParseOptions())))
        else:  # contacts and other SQLite files: forced through a message parser, a clear refusal, no crash
            for info in wa_parsers.values():
                with pytest.raises(ParseError, match=r"missing|write-ahead log"):
                    list(info.parse(source, HashOnlyContext(ParseOptions())))
    assert set(roles) <= set(EXPECTED_PARSER) and roles["android"] >= 2 and roles["ios"] >= 1


def role_parser(role: str) -> str:
    return "whatsapp_ios_db" if role == "ios" else "whatsapp_android_db"


def test_corpus_2023_10(dumps: Path) -> None:
    path = dumps / "chm_android_2023-10_msgstore.sql"
    events, warnings = run(path, siblings_of(path, "chm_android_2023-10_wa.sql", "chm_android_2026-05_wa.sql"))
    # SOURCES.md: 4 message rows, 2 chats, 2022-01-31 -> 2023-09-06 UTC; no call_log rows.
    assert len(events) == 4
    assert [e.source.locator for e in events] == [
        "message[_id=169]",
        "message[_id=750]",
        "message[_id=4863]",
        "message[_id=7454]",
    ]
    assert [e.timestamp for e in events] == [
        utc(2022, 1, 31, 5, 43, 59),
        utc(2022, 8, 25, 8, 51, 48),
        utc(2023, 6, 26, 5, 26, 10),
        utc(2023, 9, 6, 9, 52, 18),
    ]
    assert [e.kind for e in events] == ["system", "message", "message", "message"]
    assert [e.direction for e in events] == ["unknown", "outgoing", "incoming", "outgoing"]
    assert {e.thread for e in events} == {"My Group", "+11111"}
    assert len({e.extra["chat_jid"] for e in events}) == 2

    joined, last, location, deleted = events
    assert joined.extra["action_type"] == 12 and joined.sender == "" and joined.text == ""
    assert joined.extra["participant_jids"] == ["00000@s.whatsapp.net"]
    assert last.text == "Last group message" and last.sender == "Aaaaa Aaaaaaaaaaa"  # props.user_push_name
    assert last.edited and last.extra["edited_at"] == "2022-08-25T08:59:15Z"
    assert last.extra["forwarded"] is True and last.extra["reply_to_key_id"] == "GROUPMSG00100"
    # wa.db (the matching one, not the 2026 one) has no display name for 11111: the number is shown
    assert location.sender == "+11111" and location.extra["sender_jid"] == "11111@s.whatsapp.net"
    assert location.extra["location"]["place_name"] == "New Bahari"
    assert deleted.deleted and deleted.text == "" and deleted.extra["deleted_at"] == "2023-09-06T09:52:43Z"
    assert deleted.recipients == ["+11111"]
    notes = [w for w in warnings if w.code == "contact_names"]
    assert len(notes) == 1 and "chm_android_2023-10_wa.sql" in notes[0].message
    assert codes(warnings) == Counter({"schema": 1, "contact_names": 1})


def test_corpus_2026_05(dumps: Path) -> None:
    path = dumps / "chm_android_2026-05_msgstore.sql"
    events, warnings = run(path, siblings_of(path, "chm_android_2026-05_wa.sql"))
    # SOURCES.md: 5 message rows, 2 chats, 4 message_media, 2026-04-19 -> 2026-05-03 UTC.
    assert len(events) == 5
    assert [e.source.locator for e in events] == [
        "message[_id=12114]",
        "message[_id=12115]",
        "message[_id=12116]",
        "message[_id=12205]",
        "message[_id=12241]",
    ]
    assert [e.timestamp for e in events] == [
        utc(2026, 4, 19, 10, 22, 2),
        utc(2026, 4, 19, 10, 22, 2),
        utc(2026, 4, 19, 10, 22, 2),
        utc(2026, 5, 3, 11, 45, 10, 229),
        utc(2026, 5, 3, 12, 52, 46),
    ]
    assert [e.direction for e in events] == ["incoming", "incoming", "incoming", "outgoing", "incoming"]
    assert all(e.kind == "message" for e in events)
    assert [e.thread for e in events] == ["My Group"] * 3 + ["+11111"] * 2
    assert sum(1 for e in events if e.attachments) == 4  # the 4 message_media rows
    album, photo2, photo1, cart, item = events
    assert album.extra["album"] == {"images": 2, "videos": 0} and not album.attachments
    assert photo2.text == "Multiline\n\nmessage"
    assert [a.name for a in photo2.attachments] == ["album-2.jpg"] and photo2.attachments[0].sha256 == ""
    assert photo2.media_omitted and photo2.extra["media_path"] == "Media/album-2.jpg"
    assert photo1.sender == "+11111" and photo1.extra["sender_jid"] == "11111@s.whatsapp.net"
    assert [a.name for a in cart.attachments] == ["sent-cart.jpeg"]
    assert cart.extra["media_name"] == "sent-cart-real-name.jpeg" and cart.sender == "Aaaaa Aaaaaaaaaaa"
    assert [a.media_type for a in item.attachments] == ["image/jpeg"]
    assert codes(warnings) == Counter({"schema": 1, "contact_names": 1})


def test_corpus_dump_without_wa_db_names_by_number_and_says_so(corpus: Path) -> None:
    events, warnings = run(corpus / "whatsapp_db" / "chm_android_2026-05_msgstore.sql")
    assert len(events) == 5 and {e.sender for e in events} == {"+11111", "Aaaaa Aaaaaaaaaaa"}
    assert any(w.code == "contact_names" and "no wa.db" in w.message for w in warnings)


# -- synthetic fixtures ------------------------------------------------------------------------


def test_android_new_schema_fixture(wadb: Path) -> None:
    path = wadb / "android_new" / "msgstore.db"
    events, warnings = run(path, siblings_of(path, "wa.db", "IMG-20251016-WA0003.jpg"))
    assert len(events) == 13  # 12 message rows, one of them without a time (reported), + 2 call_log rows
    by = {e.source.locator: e for e in events}
    assert "message[_id=108]" not in by
    [undated] = [w for w in warnings if w.code == "no_timestamp"]
    assert undated.locator == "message[_id=108]" and undated.file == "msgstore.db"

    first = by["message[_id=101]"]
    assert first.timestamp == utc(2025, 10, 14, 19, 1)
    assert (first.sender, first.thread, first.direction, first.recipients) == (
        "Mark Kell",
        "Mark Kell",
        "incoming",
        ["Sarah Jones"],
    )
    assert first.extra["sender_jid"] == "447700900123@s.whatsapp.net" and first.extra["sender_wa_name"] == "Mk"
    reply = by["message[_id=102]"]
    assert (reply.sender, reply.direction, reply.recipients) == ("Sarah Jones", "outgoing", ["Mark Kell"])

    photo = by["message[_id=103]"]
    sibling = source_file_for(wadb / "android_new" / "IMG-20251016-WA0003.jpg")
    assert [(a.name, a.sha256) for a in photo.attachments] == [("IMG-20251016-WA0003.jpg", sibling.sha256)]
    assert not photo.media_omitted and photo.text == "I know where you were today"
    missing = by["message[_id=104]"]
    assert [(a.name, a.sha256) for a in missing.attachments] == [("IMG-20251016-WA0004.jpg", "")]
    assert missing.media_omitted

    deleted = by["message[_id=105]"]
    assert deleted.deleted and deleted.text == "" and deleted.direction == "incoming"
    edited = by["message[_id=106]"]
    assert edited.edited and edited.extra["edited_at"] == "2025-10-17T06:03:00Z" and edited.text == "You will regret this"
    system = by["message[_id=107]"]
    assert (system.kind, system.sender, system.direction, system.text) == ("system", "", "unknown", "")
    assert system.extra["action_type"] == 19 and system.extra["from_me"] is True

    group = [e for e in events if e.thread == "Running club"]
    assert [(e.sender, e.direction) for e in group] == [
        ("+447700900456", "incoming"),  # in wa.db without an address-book name: the number, as the export shows
        ("Mark Kell", "incoming"),
        ("+447700900789", "incoming"),  # not in wa.db at all
        ("Sarah Jones", "outgoing"),
    ]
    assert all(e.recipients == [] for e in group)
    assert group[0].extra["sender_wa_name"] == "Danny R"

    missed, video = by["call_log[_id=1]"], by["call_log[_id=2]"]
    assert (missed.kind, missed.call_type, missed.duration_s, missed.direction) == ("call", "voice", 0, "incoming")
    assert missed.extra["missed"] is True and missed.sender == "Mark Kell" and missed.thread == "Mark Kell"
    assert missed.timestamp == utc(2025, 10, 16, 23, 45)
    assert (video.call_type, video.duration_s, video.direction, video.extra["missed"]) == ("video", 65, "outgoing", False)
    assert codes(warnings) == Counter({"schema": 1, "contact_names": 1, "no_timestamp": 1})


def test_android_old_schema_fixture(wadb: Path) -> None:
    events, warnings = run(wadb / "android_old" / "msgstore.db")
    assert [e.source.locator for e in events] == [f"messages[_id={n}]" for n in range(2, 9)]
    assert [w.locator for w in warnings if w.code == "placeholder_row"] == ["messages[_id=1]"]
    assert [e.direction for e in events] == ["incoming", "outgoing", "incoming", "incoming", "unknown", "incoming", "outgoing"]
    assert events[0].timestamp == utc(2020, 2, 3, 21, 15) and events[0].text == "Answer your phone"
    assert events[0].sender == "+447700900123" and events[0].thread == "+447700900123"
    photo = events[2]
    assert photo.text == "Nice car" and [a.name for a in photo.attachments] == ["IMG-20200204-WA0001.jpg"]
    assert photo.media_omitted and photo.attachments[0].sha256 == ""
    assert events[3].deleted and events[3].text == ""
    assert events[4].kind == "system" and events[4].thread == "Running club" and events[4].sender == ""
    assert events[5].sender == "+447700900456" and events[5].thread == "Running club"  # remote_resource
    assert events[6].sender == "" and events[6].direction == "outgoing"  # no props table: own name unknown
    assert any(w.code == "schema" and "old schema" in w.message for w in warnings)


def test_fixture_sniffing(wadb: Path) -> None:
    for rel, mine in [
        ("android_new/msgstore.db", True),
        ("android_old/msgstore.db", True),
        ("android_new/wa.db", False),
        ("ios/ChatStorage.sqlite", False),
        ("android_new/IMG-20251016-WA0003.jpg", False),
    ]:
        path = wadb / rel
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]) is mine, rel


def test_a_dump_of_the_fixture_reads_like_the_database(wadb: Path, tmp_path: Path) -> None:
    db = wadb / "android_old" / "msgstore.db"
    dump = tmp_path / "msgstore.sql"
    with sqlite3.connect(db) as conn:
        dump.write_text("\n".join(conn.iterdump()), encoding="utf-8")
    conn.close()
    assert PARSER.sniff(source_file_for(dump), dump.read_bytes()[:65536])
    from_db, _ = run(db)
    from_dump, _ = run(dump)
    assert [(e.timestamp, e.sender, e.text, e.source.locator) for e in from_db] == [
        (e.timestamp, e.sender, e.text, e.source.locator) for e in from_dump
    ]


def load_generator(wadb: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("wadb_make_fixtures", wadb / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_fixtures_match_the_generator(wadb: Path, tmp_path: Path) -> None:
    load_generator(wadb).build(tmp_path)
    for rel in ["android_new/msgstore.db", "android_new/wa.db", "android_old/msgstore.db", "ios/ChatStorage.sqlite"]:
        with sqlite3.connect(wadb / rel) as a, sqlite3.connect(tmp_path / rel) as b:
            assert list(a.iterdump()) == list(b.iterdump()), rel
        a.close()
        b.close()
    for rel in ["android_new/IMG-20251016-WA0003.jpg", "ios/0c1d2e3f-photo.jpg"]:
        assert (wadb / rel).read_bytes() == (tmp_path / rel).read_bytes()


# -- hostile input -----------------------------------------------------------------------------


def test_damaged_database_is_a_parse_error_naming_the_file(wadb: Path, tmp_path: Path) -> None:
    data = bytearray((wadb / "android_new" / "msgstore.db").read_bytes())
    data[100:4000] = b"\xff" * 3900  # header kept, page 1 and the schema destroyed
    bad = tmp_path / "msgstore.db"
    bad.write_bytes(bytes(data))
    assert PARSER.sniff(source_file_for(bad), bytes(data[:65536])) is False
    with pytest.raises(ParseError) as err:
        run(bad)
    assert err.value.file == "msgstore.db" and str(err.value).startswith("msgstore.db: ")
    assert str(tmp_path) not in str(err.value)  # the original name, not the stored copy's path


def test_truncated_database_is_a_parse_error(wadb: Path, tmp_path: Path) -> None:
    data = (wadb / "android_new" / "msgstore.db").read_bytes()
    bad = tmp_path / "msgstore.db"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(ParseError, match=r"^msgstore\.db: ") as err:
        run(bad)
    assert err.value.file == "msgstore.db"


def test_encrypted_backup_is_refused_with_a_hint(tmp_path: Path) -> None:
    crypt = tmp_path / "msgstore.db.crypt14"
    crypt.write_bytes(os.urandom(4096))
    assert PARSER.sniff(source_file_for(crypt), crypt.read_bytes()) is False
    with pytest.raises(ParseError, match="encrypted") as err:
        run(crypt)
    assert "Decrypt" in err.value.hint


def test_unexpected_schema_says_what_is_missing(tmp_path: Path) -> None:
    db = tmp_path / "msgstore.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER, text_data TEXT);"
            "CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER);"
        )
    conn.close()
    with pytest.raises(ParseError, match=r"missing message\.from_me, message\.timestamp, table jid"):
        run(db)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER)")
    conn.close()
    with pytest.raises(ParseError, match=r"missing table message .* or table messages"):
        run(other)


def test_sniff_never_raises(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + os.urandom(2000))
    assert PARSER.sniff(source_file_for(junk), junk.read_bytes()) is False
    gone = SourceFile(tmp_path / "missing.db", "0" * 64, "missing.db", 0)
    assert PARSER.sniff(gone, b"SQLite format 3\x00") is False
    assert PARSER.sniff(gone, b"\xff\xfe CREATE TABLE message (") is False


def test_unusable_wa_db_is_a_warning_not_a_failure(wadb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    shutil.copy(wadb / "android_new" / "msgstore.db", folder / "msgstore.db")
    (folder / "wa.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    events, warnings = run(folder / "msgstore.db", siblings_of(folder / "msgstore.db", "wa.db"))
    assert len(events) == 13 and events[0].sender == "+447700900123"
    [note] = [w for w in warnings if w.code == "contact_names"]
    assert "could not be used" in note.message


# -- through a real case -----------------------------------------------------------------------


def test_through_a_case(wadb: Path, tmp_path: Path, case_dir: Path) -> None:
    originals = tmp_path / "acquired"
    shutil.copytree(wadb / "android_new", originals)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in originals.iterdir()}

    case = Case.create(case_dir, examiner="Test Examiner", timezone="Europe/London")
    report = case.add(originals, note="phone extraction, decrypted msgstore.db")
    outcome = {f.original_path: f for f in report.files}
    assert outcome["msgstore.db"].parser == "whatsapp_android_db" and outcome["msgstore.db"].events == 13
    assert outcome["wa.db"].events == 0 and not outcome["wa.db"].error  # kept as evidence, not parsed on its own
    assert not report.errors

    verified = case.verify()
    assert verified.exit_code == 0, [f.message for f in verified.problems]
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in originals.iterdir()}
    assert after == before  # the original database, wa.db and photo are untouched

    timeline = list(case.timeline(platforms=["whatsapp"]))
    assert len(timeline) == 13
    assert [e.timestamp for e in timeline] == sorted(e.timestamp for e in timeline)
    mark = [e for e in timeline if e.sender == "Mark Kell" and e.kind == "message"]
    assert len(mark) == 6 and all(e.direction == "incoming" for e in mark)
    photo = next(e for e in timeline if e.source.locator == "message[_id=103]")
    assert photo.attachments[0].sha256 == source_file_for(originals / "IMG-20251016-WA0003.jpg").sha256
    assert any(w.code == "no_timestamp" and w.locator == "message[_id=108]" for w in case.warnings())
    case.close()


def test_standalone_parse_detects_the_database(wadb: Path) -> None:
    warnings: list[ParseWarning] = []
    events = list(parse(wadb / "android_new" / "msgstore.db", warnings=warnings))
    assert len(events) == 13 and all(e.event_id for e in events)
    assert any(w.code == "contact_names" and "wa.db" in w.message for w in warnings)
