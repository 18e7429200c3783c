"""WhatsApp Android ``message_type``: every named type, text from where the type keeps it, an unknown
empty type warned by row, and business names from ``wa_vnames``; on a synthetic database built here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._wadb_types import TEXT_PLACES, MessageType, type_name, vcard_names
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.whatsapp_android_db import PARSER
from cyberevidence.standalone import HashOnlyContext, source_file_for

MS = 1_760_000_000_000  # 2025-10-09 UTC

SCHEMA = """
CREATE TABLE props (_id INTEGER PRIMARY KEY, key TEXT UNIQUE, value TEXT);
CREATE TABLE jid (_id INTEGER PRIMARY KEY, user TEXT NOT NULL, server TEXT NOT NULL, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER UNIQUE, subject TEXT);
CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL,
    key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER, timestamp INTEGER, message_type INTEGER,
    text_data TEXT);
CREATE TABLE message_ui_elements (_id INTEGER PRIMARY KEY, message_row_id INTEGER, element_type INTEGER,
    element_content TEXT, description TEXT, footer_text TEXT, button_text TEXT);
CREATE TABLE message_vcard (_id INTEGER PRIMARY KEY, message_row_id INTEGER, vcard TEXT);
"""
WA = """
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN NOT NULL,
    number TEXT, display_name TEXT, wa_name TEXT);
CREATE TABLE wa_vnames (_id INTEGER PRIMARY KEY, jid TEXT, serial INTEGER, issuer TEXT, verified_name TEXT);
"""
VCARD = "BEGIN:VCARD\nVERSION:3.0\nFN:Dr. Jane Roe\nTEL;type=CELL:+44 7700 900456\nEND:VCARD"


def _build(folder: Path) -> Path:
    db = folder / "msgstore.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA)
        conn.executemany(
            "INSERT INTO jid VALUES (?, ?, ?, ?)",
            [(1, "447700900123", "s.whatsapp.net", "447700900123@s.whatsapp.net"),
             (2, "99887766", "lid", "99887766@lid")],
        )  # fmt: skip
        conn.executemany("INSERT INTO chat VALUES (?, ?, NULL)", [(1, 1), (2, 2)])
        rows = [
            (1, 1, 0, "k1", None, 0, MS, 0, "stop calling me"),
            (2, 1, 0, "k2", None, 0, MS + 1000, 85, None),  # interactive: text in message_ui_elements
            (3, 1, 0, "k3", None, 0, MS + 2000, 4, None),  # contact card: text from message_vcard
            (4, 1, 0, "k4", None, 0, MS + 3000, 99, None),  # unknown type, nothing anywhere
            (5, 1, 0, "k5", None, 0, MS + 4000, 98, "a future type that still has text"),
            (6, 2, 0, "k6", None, 0, MS + 5000, 0, "your parcel is held"),  # a business without a phone JID
        ]
        conn.executemany("INSERT INTO message VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany(
            "INSERT INTO message_ui_elements (message_row_id, element_type, description, button_text) VALUES (?, ?, ?, ?)",
            [(2, 1, "Your account will be closed", "Reply"), (2, 2, "Tap to confirm", None)],
        )
        conn.execute("INSERT INTO message_vcard (message_row_id, vcard) VALUES (3, ?)", (VCARD,))
    with sqlite3.connect(folder / "wa.db") as conn:
        conn.executescript(WA)
        conn.execute("INSERT INTO wa_contacts (jid, is_whatsapp_user, number) VALUES ('447700900123@s.whatsapp.net', 1, '')")
        conn.executemany(
            "INSERT INTO wa_vnames (jid, verified_name) VALUES (?, ?)",
            [("447700900123@s.whatsapp.net", "Acme Debt Recovery Ltd"), ("99887766@lid", "Parcel Co")],
        )
    return db


@pytest.fixture
def parsed(tmp_path: Path) -> tuple[dict[str, Event], list[ParseWarning]]:
    db = _build(tmp_path)
    source = source_file_for(db, {"wa.db": source_file_for(tmp_path / "wa.db")})
    items = list(PARSER.parse(source, HashOnlyContext(ParseOptions())))
    events = {i.source.locator: i for i in items if isinstance(i, Event)}
    return events, [i for i in items if isinstance(i, ParseWarning)]


def test_type_85_text_from_ui_elements(parsed: tuple[dict[str, Event], list[ParseWarning]]) -> None:
    ev = parsed[0]["message[_id=2]"]
    assert ev.text == "Your account will be closed\nTap to confirm"
    assert ev.extra["message_type"] == 85 and ev.extra["message_type_name"] == "interactive"
    assert [e["description"] for e in ev.extra["ui_elements"]] == ["Your account will be closed", "Tap to confirm"]


def test_contact_card_text_from_vcard(parsed: tuple[dict[str, Event], list[ParseWarning]]) -> None:
    ev = parsed[0]["message[_id=3]"]
    assert ev.text == "Dr. Jane Roe" and ev.extra["vcards"] == [VCARD] and ev.extra["message_type_name"] == "contact"


def test_unknown_empty_type_is_a_located_warning(parsed: tuple[dict[str, Event], list[ParseWarning]]) -> None:
    events, warnings = parsed
    assert events["message[_id=4]"].text == "" and events["message[_id=4]"].extra["message_type"] == 99
    assert "message_type_name" not in events["message[_id=4]"].extra
    unknown = [w for w in warnings if w.code == "unknown_message_type"]
    assert [(w.locator, w.file) for w in unknown] == [("message[_id=4]", "msgstore.db")]
    assert "message_type 99" in unknown[0].message
    assert events["message[_id=5]"].text == "a future type that still has text"  # unknown but not empty: no warning


def test_business_names_from_wa_vnames(parsed: tuple[dict[str, Event], list[ParseWarning]]) -> None:
    events = parsed[0]
    phone = events["message[_id=1]"]
    assert phone.sender == "+447700900123"  # a phone JID shows its number, as the export does
    assert phone.extra["sender_business_name"] == "Acme Debt Recovery Ltd"
    lid = events["message[_id=6]"]
    assert lid.sender == "Parcel Co" and lid.extra["sender_business_name"] == "Parcel Co"


def test_every_named_type_has_its_text_place_and_doc_row() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "formats" / "whatsapp_android_db.md").read_text(encoding="utf-8")
    for t in MessageType:
        assert t in TEXT_PLACES
        assert f"| {t.value} | `{t.name.lower()}` |" in doc, t
    assert type_name(85) == "interactive" and type_name(12345) == "" and type_name(None) == ""
    assert vcard_names("BEGIN:VCARD\nFN;CHARSET=UTF-8:Ann\nEND:VCARD") == ["Ann"]
