"""The message-database differential: our parsers against direct SQL written from each format's own schema.

Each peer is a few ``SELECT`` statements on the database (opened read-only and immutable with the
standard library; a ``.sql`` dump is loaded into memory with ``executescript``), never our parser's code:

* ``imessage`` (Apple Messages ``chat.db`` / ``sms.db``): ``message.ROWID``, ``date`` (Apple epoch
  2001-01-01 UTC; nanoseconds from macOS 10.13 / iOS 11, seconds before), ``is_from_me``, ``text``;
* ``whatsapp_android_db`` (``msgstore.db``): ``message._id``, ``from_me``, ``timestamp`` (Unix ms),
  ``text_data``; the legacy table ``messages._id``, ``key_from_me``, ``timestamp``, ``data``;
* ``whatsapp_ios_db`` (``ChatStorage.sqlite``, Core Data): ``ZWAMESSAGE.Z_PK``, ``ZISFROMME``,
  ``ZMESSAGEDATE`` (seconds after 2001-01-01 UTC), ``ZTEXT``;
* ``signal_desktop`` (``db.sqlite``, decrypted): ``messages.rowid``, ``sent_at`` (Unix ms), ``type``
  (``incoming`` / ``outgoing``; other types are not compared for direction), ``body``.

Fields compared per row (matched with our event by its locator, ``table[KEY=N]``): ``instant`` (``None``
for 0/NULL: the peer cannot tell), ``direction`` (from-me 1 = outgoing, 0 = incoming), ``text`` (the
column when it is not NULL or empty, exactly); per table, ``count`` (rows against our events from it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.differential._tally import Tally

from cyberevidence.standalone import parse

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIELDS = ("instant", "direction", "text")


@dataclass(frozen=True)
class Row:
    instant: datetime | None = None
    direction: str | None = None
    text: str | None = None


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """The database read-only and immutable, or a SQL text dump loaded into memory."""
    if path.read_bytes()[:16] == b"SQLite format 3\x00":
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    else:
        conn = sqlite3.connect(":memory:")
        conn.executescript(path.read_text(encoding="utf-8", errors="replace"))
    with closing(conn):
        yield conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]).lower() for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _direction(from_me: object) -> str | None:
    return {1: "outgoing", 0: "incoming"}.get(from_me) if isinstance(from_me, int) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _apple(value: object) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value == 0:
        return None
    if abs(value) >= 10**11:  # nanoseconds (macOS 10.13 / iOS 11 on)
        return APPLE_EPOCH + timedelta(microseconds=int(value) // 1000)
    return APPLE_EPOCH + timedelta(seconds=value)


def _unix_ms(value: object) -> datetime | None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return UNIX_EPOCH + timedelta(milliseconds=value)


def imessage(conn: sqlite3.Connection) -> dict[str, dict[str, Row]]:
    rows = conn.execute("SELECT ROWID, date, is_from_me, text FROM message")
    return {"message": {f"message[ROWID={r[0]}]": Row(_apple(r[1]), _direction(r[2]), _text(r[3])) for r in rows}}


def whatsapp_android(conn: sqlite3.Connection) -> dict[str, dict[str, Row]]:
    out: dict[str, dict[str, Row]] = {}
    tables = _tables(conn)
    if "message" in tables:
        rows = conn.execute("SELECT _id, from_me, timestamp, text_data FROM message")
        out["message"] = {f"message[_id={r[0]}]": Row(_unix_ms(r[2]), _direction(r[1]), _text(r[3])) for r in rows}
    if "messages" in tables:
        rows = conn.execute("SELECT _id, key_from_me, timestamp, data FROM messages")
        out["messages"] = {f"messages[_id={r[0]}]": Row(_unix_ms(r[2]), _direction(r[1]), _text(r[3])) for r in rows}
    return out


def whatsapp_ios(conn: sqlite3.Connection) -> dict[str, dict[str, Row]]:
    rows = conn.execute("SELECT Z_PK, ZISFROMME, ZMESSAGEDATE, ZTEXT FROM ZWAMESSAGE")
    return {"ZWAMESSAGE": {f"ZWAMESSAGE[Z_PK={r[0]}]": Row(_apple(r[2]), _direction(r[1]), _text(r[3])) for r in rows}}


def signal_desktop(conn: sqlite3.Connection) -> dict[str, dict[str, Row]]:
    rows = conn.execute("SELECT rowid, sent_at, type, body FROM messages")
    direction = {"incoming": "incoming", "outgoing": "outgoing"}
    return {
        "messages": {
            f"messages[rowid={r[0]}]": Row(_unix_ms(r[1]), direction.get(r[2]) if isinstance(r[2], str) else None, _text(r[3]))
            for r in rows
        }
    }


PEERS: dict[str, Callable[[sqlite3.Connection], dict[str, dict[str, Row]]]] = {
    "signal_desktop": signal_desktop,
    "imessage": imessage,
    "whatsapp_android_db": whatsapp_android,
    "whatsapp_ios_db": whatsapp_ios,
}


def ours(path: Path) -> tuple[str, dict[str, Row]]:
    """The parser detection chose, and locator -> row facts of its message events."""
    from cyberevidence.detect import detect
    from cyberevidence.parsers import default_registry
    from cyberevidence.standalone import source_file_for

    found = detect(source_file_for(path), default_registry(include_plugins=False))
    name = found.parser.name if found.parser else ""
    out: dict[str, Row] = {}
    try:
        events = list(parse(path, timezone="UTC"))
    except Exception:
        return name, out
    for e in events:
        out[e.source.locator.split(" ", 1)[0]] = Row(e.timestamp, e.direction, e.text)
    return name, out


@dataclass(frozen=True)
class Disagreement:
    sample: str
    record: str  # a locator, or the table name for its count
    field: str
    ours: str
    theirs: str


def compare(path: Path, label: str, family: str) -> Tally:
    tally = Tally()
    chosen, mine = ours(path)
    with connect(path) as conn:
        theirs = PEERS[family](conn)
    tally.compared += 1
    if chosen == family:
        tally.agreed += 1
    else:
        tally.disagreements.append(Disagreement(label, "", "parser", chosen or "(none)", family))
    for table, rows in theirs.items():
        got_n = sum(1 for k in mine if k.startswith(f"{table}[") and "]." not in k)  # not a row's reactions
        tally.compared += 1
        if got_n == len(rows):
            tally.agreed += 1
        else:
            tally.disagreements.append(Disagreement(label, table, "count", str(got_n), str(len(rows))))
        for key, want in rows.items():
            got = mine.get(key)
            if got is None:
                continue  # a row we do not give as an event: the count says so
            for name in FIELDS:
                w, g = getattr(want, name), getattr(got, name)
                if w is None:
                    continue
                tally.compared += 1
                if w == g:
                    tally.agreed += 1
                else:
                    tally.disagreements.append(Disagreement(label, key, name, repr(g)[:200], repr(w)[:200]))
    return tally


def samples(fixtures: Path, corpus: Path | None) -> list[tuple[Path, str, str]]:
    """(path, label, family) of every message-database fixture and corpus sample (not the encrypted backups)."""
    out: list[tuple[Path, str, str]] = []
    db = fixtures / "whatsapp_db"
    for p in sorted(db.glob("android_*/msgstore.db")):
        out.append((p, f"fixtures/{p.relative_to(fixtures).as_posix()}", "whatsapp_android_db"))
    for p in sorted(db.glob("ios/ChatStorage.sqlite")):
        out.append((p, f"fixtures/{p.relative_to(fixtures).as_posix()}", "whatsapp_ios_db"))
    if corpus is None:
        return out
    for p in sorted((corpus / "signal").glob("*.sql")):
        out.append((p, f"corpus/{p.relative_to(corpus).as_posix()}", "signal_desktop"))
    for p in sorted((corpus / "imessage").glob("*.db")):
        out.append((p, f"corpus/{p.relative_to(corpus).as_posix()}", "imessage"))
    for p in sorted((corpus / "whatsapp_db").iterdir()) if (corpus / "whatsapp_db").is_dir() else []:
        if p.name.endswith(("msgstore.db", "msgstore.sql")):
            out.append((p, f"corpus/{p.relative_to(corpus).as_posix()}", "whatsapp_android_db"))
        elif p.name.endswith("ChatStorage.sqlite"):
            out.append((p, f"corpus/{p.relative_to(corpus).as_posix()}", "whatsapp_ios_db"))
    return out
