"""Signal Desktop's message database: a decrypted ``db.sqlite``, or a SQL text dump of it.

This module states the rules it applies; ``docs/formats/signal_desktop.md`` says the same for
readers who do not read code.

Input
-----
* ``db.sqlite`` already decrypted (Signal encrypts it with SQLCipher; an encrypted file has no
  ``SQLite format 3`` header and is refused with a hint). Opened only through
  :func:`cyberevidence.sqlite_ro.open_readonly` on the stored copy. A ``db.sqlite-wal`` acquired
  beside it is applied by reading a private copy of database and log
  (:mod:`cyberevidence.sqlite_wal`; ``wal_applied`` / ``wal_not_applied``).
* A ``.sql`` dump of that database, loaded with :func:`cyberevidence.sqlite_ro.load_sql_dump`
  into a private in-memory database.

Required: table ``messages`` with ``conversationId``, ``type`` and ``sent_at``, and table
``conversations`` with ``id``; anything missing is a :class:`ParseError` naming the table and
column. Each field is read from its **column when the column exists and is not NULL, else from
the row's ``json``** (older schemas keep most fields only in ``json``; newer ones only in
columns). Optional: ``callsHistory`` (call direction/type/status), ``message_attachments``
(attachments in databases from 2024 on), ``items`` (the owner's own id, ``uuid_id``).

Time
----
Signal times are milliseconds since 1970-01-01 UTC, so no time zone is involved. The event time
is ``sent_at`` – the sender's clock, the time Signal shows on the message. When ``sent_at`` is
missing, ``timestamp``, then ``serverTimestamp``, then ``received_at_ms`` is used and
``extra["time_from"]`` names it. ``serverTimestamp`` (Signal's server clock) and
``received_at_ms`` (when this device received it) are kept in ``extra`` as UTC; when the sender's
clock and the server's differ by more than an hour, a ``clock_skew`` warning says so. The
``received_at`` column is a counter in current versions, not a time; it is kept raw in ``extra``.

Who and direction
-----------------
``type`` states the direction: ``incoming`` and ``outgoing``. A ``call-history`` row is
``kind="call"``, its direction from ``callsHistory.direction`` (or the older
``callHistoryDetails.wasIncoming``), ``call_type`` ``voice``/``video``/``group``, its status in
``extra["call_status"]`` (``missed`` when Missed) and ``duration_s`` = ``endedTimestamp`` −
``timestamp`` when both are present and the call was accepted. Every other ``type`` (key change,
group update, timer change, profile change ...) is ``kind="system"`` with direction ``unknown``
and ``extra["signal_type"]``. A person's handle is their conversation's ``e164`` phone number,
else their profile/contact name, else their service id; the sender of an incoming message is
found by ``sourceServiceId`` (older: ``sourceUuid``), else ``source``. The owner is the
conversation whose service id is the ``uuid_id`` item (without its ``.N`` device suffix); the
owner's handle is the sender of outgoing messages and, in one-to-one chats, the recipient of
incoming ones. The thread is the conversation's ``name`` (contact or group name), else
``profileFullName``, else profile given + family name, else ``e164``, else its id.

Content
-------
``body`` is the text, never altered. ``editHistory`` present means ``edited``; every version
(time, text) is kept in ``extra["edit_history"]``. ``deletedForEveryone`` or ``isErased`` means
``deleted``. A ``quote`` is kept in ``extra["quote"]`` (text, author, id); a sticker in
``extra["sticker"]``; ``isViewOnce`` in ``extra``. Each entry of ``reactions`` becomes its own
``kind="reaction"`` event at the reaction's own time (locator ``messages[rowid=N].reactions[i]``),
sent by the conversation ``fromId`` names. Attachments (``json.attachments`` or the
``message_attachments`` table) become :class:`Attachment` (name = ``fileName``, else the base
name of ``path``; ``contentType`` as media type); the file is linked when a file of that base
name (or ``fileName``) was acquired beside the database, otherwise ``sha256`` is empty, the
path is kept in ``extra["attachment_paths"]`` and a ``missing_attachment`` warning is recorded.
Signal stores attachment files encrypted (``version`` 2); the linked digest is of the file as
found.

Events: ``platform="signal"``; ``source`` locator ``messages[rowid=N]``; ``timestamp`` aware UTC.
"""

from __future__ import annotations

import json
import posixpath
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any, Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef, format_utc
from cyberevidence.parsers._msgdb_common import Warnings, from_unix_ms, link_attachment, named_errors, starts_like_sql
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.sqlite_ro import SQLITE_MAGIC, column_names, load_sql_dump, open_readonly, table_names
from cyberevidence.sqlite_wal import open_applying_wal

PLATFORM: Final = "signal"
SKEW_MS: Final = 3_600_000
CALL_TYPES: Final = {"audio": "voice", "video": "video", "group": "group"}
REQUIRED: Final = {"messages": ("conversationid", "type", "sent_at"), "conversations": ("id",)}

UNSAFE_SCHEMA: Final = "unsafe use of"
_SQLITE_SCHEMA_RE: Final = re.compile(rb"CREATE TABLE messages\s*\([^;]*conversationId[^;]*sent_at", re.S)
_UNSAFE_HINT: Final = (
    "Signal Desktop's schema computes some columns with json_extract(), which this tool's safe read-only mode "
    "refuses to run. Dump the database to SQL text (sqlite3 db.sqlite .dump > db.sql) and add db.sql instead."
)

_DUMP_RE: Final = re.compile(rb"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"'`\[]?(messages|conversations)[\"'`\]]?\s*\(", re.I)


# -- sniffing -------------------------------------------------------------------------------


def _is_signal(conn: sqlite3.Connection) -> bool:
    if not {"messages", "conversations"} <= table_names(conn):
        return False
    cols = column_names(conn, "messages")
    return {"conversationid", "sent_at", "type"} <= cols and bool({"json", "body"} & cols)


def sniff(source: SourceFile, head: bytes) -> bool:
    """A SQLite file with Signal's tables, or a SQL dump creating ``messages`` and ``conversations``."""
    try:
        if head.startswith(SQLITE_MAGIC):
            try:
                with open_readonly(source.path) as conn:
                    return _is_signal(conn)
            except ParseError as exc:
                # a schema the safe mode refuses (see _UNSAFE_HINT): claim it when its schema text names
                # Signal's tables, so that parse() can explain what to do instead of "unknown format"
                return UNSAFE_SCHEMA in str(exc) and _SQLITE_SCHEMA_RE.search(head) is not None
        if (b"CREATE" not in head and b"create" not in head) or not starts_like_sql(head):
            return False
        names = {m.group(1).lower() for m in _DUMP_RE.finditer(head)}
        return names == {b"messages", b"conversations"} and b"conversationId" in head and b"sent_at" in head
    except Exception:  # a sniffer must never break detection
        return False


# -- reading --------------------------------------------------------------------------------


def _json(raw: object) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if not isinstance(raw, str) or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _plain(value: object) -> object:
    """A column value fit for ``extra`` (JSON): a BLOB where text or a number belongs is kept as hex."""
    if isinstance(value, bytes):
        return value.hex()
    return value


def _get(row: dict[str, Any], js: dict[str, Any], *names: str) -> Any:
    """The first non-NULL column among ``names``, else the first non-None json key among them."""
    for name in names:
        if row.get(name.lower()) is not None:
            return row[name.lower()]
    for name in names:
        if js.get(name) is not None:
            return js[name]
    return None


class _Conversation:
    def __init__(self, row: dict[str, Any]) -> None:
        js = _json(row.get("json"))
        self.id = str(row.get("id") or "")
        self.type = str(_get(row, js, "type") or "")
        self.service_id = str(_get(row, js, "serviceId", "uuid") or "")
        self.e164 = str(_get(row, js, "e164") or "")
        given, family = _get(row, js, "profileName"), _get(row, js, "profileFamilyName")
        profile = str(_get(row, js, "profileFullName") or " ".join(str(p) for p in (given, family) if p))
        self.name = str(_get(row, js, "name") or "")
        self.label = self.name or profile or self.e164 or self.service_id or self.id
        self.handle = self.e164 or self.name or profile or self.service_id or self.id
        self.is_group = self.type == "group" or bool(_get(row, js, "groupId"))


def _lower(row: sqlite3.Row) -> dict[str, Any]:
    """A row as a dict with lower-cased column names (a ``sqlite3.Row`` iterates values, not names)."""
    return {str(k).lower(): row[k] for k in row.keys()}  # noqa: SIM118


def _select(cols: set[str]) -> str:
    """The stored columns, quoted. Generated columns are never read: they only repeat the ``json`` column."""
    return ", ".join(f'"{c}"' for c in sorted(cols)) or "NULL"


def _require(conn: sqlite3.Connection, file: str) -> dict[str, set[str]]:
    tables = table_names(conn)
    cols: dict[str, set[str]] = {}
    for table, needed in REQUIRED.items():
        if table not in tables:
            raise ParseError(
                f"this is not a Signal Desktop database this tool can read: table '{table}' is missing",
                file=file,
                hint="Give Signal Desktop's decrypted db.sqlite (or a SQL dump of it).",
            )
        cols[table] = column_names(conn, table)
        for col in needed:
            if col not in cols[table]:
                raise ParseError(f"table '{table}' has no column '{col}' (unexpected schema)", file=file)
    for table in ("callshistory", "message_attachments", "items"):
        cols[table] = column_names(conn, table) if table in tables else set()
    return cols


class _Reader:
    def __init__(self, conn: sqlite3.Connection, source: SourceFile, cols: dict[str, set[str]]) -> None:
        self.conn, self.source, self.cols = conn, source, cols
        self.w = Warnings(source.name)
        self.pending: list[ParseWarning] = []
        self.convs: dict[str, _Conversation] = {}
        self.by_service: dict[str, _Conversation] = {}
        self.by_e164: dict[str, _Conversation] = {}
        self.owner: _Conversation | None = None
        self.calls: dict[str, dict[str, Any]] = {}

    def warn(self, code: str, message: str, locator: str = "") -> None:
        item = self.w.make(code, message, locator)
        if item is not None:
            self.pending.append(item)

    def drain(self) -> Iterator[ParseWarning]:
        yield from self.pending
        self.pending.clear()

    def load(self) -> None:
        for row in self.conn.execute(f"SELECT {_select(self.cols['conversations'])} FROM conversations"):
            c = _Conversation(_lower(row))
            self.convs[c.id] = c
            if c.service_id:
                self.by_service[c.service_id.lower()] = c
            if c.e164:
                self.by_e164[c.e164] = c
        if {"id", "json"} <= self.cols["items"]:
            for row in self.conn.execute("SELECT json FROM items WHERE id IN ('uuid_id', 'aci')"):
                value = str(_json(row["json"]).get("value") or "")
                own = self.by_service.get(value.split(".", 1)[0].lower()) if value else None
                if own is not None:
                    self.owner = own
                    break
        if self.owner is None:
            self.warn("owner_unknown", "the database does not say whose it is (no 'uuid_id' item matching a conversation); "
                      "outgoing messages have no sender handle")  # fmt: skip
        ch = self.cols["callshistory"]
        if {"callid", "direction"} <= ch:
            for row in self.conn.execute(f"SELECT {_select(ch)} FROM callsHistory"):
                r = _lower(row)
                self.calls[str(r["callid"])] = r

    def run(self) -> Iterator[Event | ParseWarning]:
        self.load()
        yield from self.drain()
        atts_table = {"messageid", "path"} <= self.cols["message_attachments"]
        select = _select(self.cols["messages"] - {"_rowid"})
        for row in self.conn.execute(f"SELECT rowid AS _rowid, {select} FROM messages ORDER BY rowid"):
            r = _lower(row)
            for item in self._message(r, atts_table):
                yield from self.drain()
                yield item
            yield from self.drain()
        yield from self.w.summaries()

    # one row -----------------------------------------------------------------------------

    def _time(self, r: dict[str, Any], js: dict[str, Any], loc: str, extra: dict[str, Any]) -> Any:
        sent = from_unix_ms(_get(r, js, "sent_at"))
        chosen = sent
        if chosen is None:
            for name in ("timestamp", "serverTimestamp", "received_at_ms"):
                chosen = from_unix_ms(_get(r, js, name))
                if chosen is not None:
                    extra["time_from"] = name
                    break
        server_ms = _get(r, js, "serverTimestamp", "server_timestamp")
        server = from_unix_ms(server_ms)
        if server is not None:
            extra["server_time"] = format_utc(server)
        received = from_unix_ms(_get(r, js, "received_at_ms"))
        if received is not None:
            extra["received_time"] = format_utc(received)
        if r.get("received_at") is not None:
            extra["received_at"] = _plain(r["received_at"])
        if sent is not None and server is not None and abs((server - sent).total_seconds()) * 1000 > SKEW_MS:
            self.warn(
                "clock_skew",
                f"the sender's clock ({format_utc(sent)}) and Signal's server ({format_utc(server)}) differ by more than "
                "an hour; the sender's time is shown",
                loc,
            )
        return chosen

    def _message(self, r: dict[str, Any], atts_table: bool) -> Iterator[Event]:
        rowid = r["_rowid"]
        loc = f"messages[rowid={rowid}]"
        js = _json(r.get("json"))
        extra: dict[str, Any] = {}
        moment = self._time(r, js, loc, extra)
        if moment is None:
            self.warn("missing_date", "the message has no usable time (sent_at, timestamp, serverTimestamp); skipped", loc)
            return
        mtype = str(_get(r, js, "type") or "")
        extra["signal_type"] = mtype
        if r.get("id"):
            extra["message_id"] = _plain(r["id"])
        conv_id = str(_get(r, js, "conversationId") or "")
        conv = self.convs.get(conv_id)
        if conv is None:
            self.warn("unknown_conversation", f"conversationId {conv_id!r} is not in the conversations table", loc)
        thread = conv.label if conv else conv_id
        ref = SourceRef(self.source.sha256, loc)
        event = Event(timestamp=moment, platform=PLATFORM, kind="message", source=ref, thread=thread)
        owner = self.owner.handle if self.owner else ""
        other = [conv.handle] if conv is not None and not conv.is_group else []
        if mtype == "outgoing":
            event.direction, event.sender, event.recipients = "outgoing", owner, other
        elif mtype == "incoming":
            event.direction = "incoming"
            event.sender = self._sender(r, js, extra, loc)
            event.recipients = [owner] if owner and conv is not None and not conv.is_group else []
        elif mtype == "call-history":
            event.kind = "call"
            self._call(r, js, event, owner, other, extra, loc)
        else:
            event.kind = "post" if mtype == "story" else "system"
        event.text = str(_get(r, js, "body") or "")
        self._content(r, js, event, extra, loc, atts_table)
        event.extra = extra
        yield event
        yield from self._reactions(js, event, loc)

    def _sender(self, r: dict[str, Any], js: dict[str, Any], extra: dict[str, Any], loc: str) -> str:
        sid = str(_get(r, js, "sourceServiceId", "sourceUuid") or "")
        raw = _get(r, js, "source")
        if raw is not None and not isinstance(raw, str) and isinstance(js.get("source"), str):
            # the column is declared STRING (numeric affinity): "+447700900123" is stored as 447700900123
            raw = js["source"]
        if raw is not None:
            extra["source"] = str(raw)
        if sid:
            extra["sender_service_id"] = sid
            c = self.by_service.get(sid.lower())
            if c is not None:
                return c.handle
        if raw is not None:
            c = self.by_e164.get(str(raw))
            return c.handle if c is not None else str(raw)
        if sid:
            return sid
        self.warn("unknown_sender", "incoming message without sourceServiceId or source", loc)
        return ""

    def _call(
        self, r: dict[str, Any], js: dict[str, Any], event: Event, owner: str, other: list[str], extra: dict[str, Any], loc: str
    ) -> None:
        call_id = str(_get(r, js, "callId") or "")
        call = self.calls.get(call_id) if call_id else None
        details = js.get("callHistoryDetails") if isinstance(js.get("callHistoryDetails"), dict) else None
        direction = ""
        if call is not None:
            direction = str(call.get("direction") or "").lower()
            event.call_type = CALL_TYPES.get(str(call.get("type") or "").lower(), str(call.get("type") or "").lower())
            status = str(call.get("status") or "")
            extra["call_status"] = status
            extra["missed"] = status == "Missed"
            start, end = call.get("timestamp"), call.get("endedtimestamp")
            if status == "Accepted" and isinstance(start, int) and isinstance(end, int) and end >= start:
                event.duration_s = (end - start) // 1000
            extra["call_id"] = call_id
        elif details is not None:
            direction = "incoming" if details.get("wasIncoming") else "outgoing"
            event.call_type = "video" if details.get("wasVideoCall") else "voice"
            extra["missed"] = bool(details.get("wasIncoming")) and not details.get("acceptedTime")
            accepted, ended = details.get("acceptedTime"), details.get("endedTime")
            if isinstance(accepted, int) and isinstance(ended, int) and ended >= accepted:
                event.duration_s = (ended - accepted) // 1000
        else:
            self.warn("call_details_missing", f"call {call_id or '(no callId)'} has no callsHistory row or details", loc)
        if direction == "outgoing":
            event.direction, event.sender, event.recipients = "outgoing", owner, other
        elif direction == "incoming":
            event.direction, event.sender = "incoming", (other[0] if other else "")
            event.recipients = [owner] if owner and other else []

    def _content(
        self, r: dict[str, Any], js: dict[str, Any], event: Event, extra: dict[str, Any], loc: str, atts_table: bool
    ) -> None:
        history = js.get("editHistory")
        if isinstance(history, list) and history:
            event.edited = True
            versions = []
            for v in history:
                if isinstance(v, dict):
                    t = from_unix_ms(v.get("timestamp"))
                    versions.append({"time": format_utc(t) if t else "", "text": str(v.get("body") or "")})
            extra["edit_history"] = versions
        if js.get("deletedForEveryone") or r.get("iserased") or js.get("isErased"):
            event.deleted = True
        if _get(r, js, "isViewOnce"):
            extra["view_once"] = True
        quote = js.get("quote")
        if isinstance(quote, dict):
            extra["quote"] = {
                "text": str(quote.get("text") or ""),
                "author": str(quote.get("authorAci") or quote.get("authorUuid") or quote.get("author") or ""),
                "id": quote.get("id"),
            }
        sticker = js.get("sticker")
        if isinstance(sticker, dict):
            data = sticker.get("data")
            emoji = sticker.get("emoji") or (data.get("emoji") if isinstance(data, dict) else "")
            extra["sticker"] = {"emoji": str(emoji or ""), "pack": str(sticker.get("packId") or "")}
        raw_atts: list[dict[str, Any]] = []
        if atts_table and r.get("id") is not None:
            raw_atts = [
                _lower(row)
                for row in self.conn.execute(
                    f"SELECT {_select(self.cols['message_attachments'])} FROM message_attachments WHERE messageId = ? "
                    f"ORDER BY {'orderInMessage' if 'orderinmessage' in self.cols['message_attachments'] else 'rowid'}",
                    (r["id"],),
                )
            ]
            raw_atts = [
                {"fileName": a.get("filename"), "path": a.get("path"), "contentType": a.get("contenttype")}
                for a in raw_atts
                if a.get("edithistoryindex", -1) in (-1, None) and a.get("attachmenttype", "attachment") in ("attachment", None)
            ]
        if not raw_atts and isinstance(js.get("attachments"), list):
            raw_atts = [a for a in js["attachments"] if isinstance(a, dict)]
        event.attachments = [self._attachment(a, i, extra, loc) for i, a in enumerate(raw_atts)]

    def _attachment(self, a: dict[str, Any], i: int, extra: dict[str, Any], loc: str) -> Attachment:
        path = str(a.get("path") or "")
        name = str(a.get("fileName") or "") or (posixpath.basename(path.replace("\\", "/")) if path else f"attachment {i + 1}")
        att, found = link_attachment(self.source, name, path, str(a.get("contentType") or ""))
        if not found:
            if path:
                extra.setdefault("attachment_paths", []).append(path)
            self.warn(
                "missing_attachment",
                f"attachment {name!r} ({path or 'no path: never downloaded'}) is not among the files acquired with the database",
                loc,
            )
        return att

    def _reactions(self, js: dict[str, Any], parent: Event, loc: str) -> Iterator[Event]:
        reactions = js.get("reactions")
        if not isinstance(reactions, list):
            return
        owner_id = self.owner.id if self.owner else None
        for i, rx in enumerate(reactions):
            if not isinstance(rx, dict):
                continue
            rloc = f"{loc}.reactions[{i}]"
            moment = from_unix_ms(rx.get("timestamp"))
            if moment is None:
                self.warn("missing_date", "reaction without a usable time; skipped", rloc)
                continue
            frm = self.convs.get(str(rx.get("fromId") or ""))
            direction = "unknown"
            if frm is not None and owner_id is not None:
                direction = "outgoing" if frm.id == owner_id else "incoming"
            yield Event(
                timestamp=moment,
                platform=PLATFORM,
                kind="reaction",
                source=SourceRef(self.source.sha256, rloc),
                sender=frm.handle if frm else str(rx.get("fromId") or ""),
                text=str(rx.get("emoji") or ""),
                thread=parent.thread,
                direction=direction,  # type: ignore[arg-type]
                extra={"reacted_to": parent.extra.get("message_id", ""), "reacted_to_locator": loc},
            )


def _read(conn: sqlite3.Connection, source: SourceFile) -> Iterator[Event | ParseWarning]:
    try:
        cols = _require(conn, source.name)
        yield from _Reader(conn, source, cols).run()
    except sqlite3.DatabaseError as exc:
        raise ParseError(f"the database is damaged or unreadable: {exc}", file=source.name) from exc


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse Signal Desktop's ``db.sqlite`` (decrypted) or a SQL dump of it."""
    with open(source.path, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    with named_errors(source):
        if head == SQLITE_MAGIC:
            wal_notes: list[ParseWarning] = []
            try:
                with open_applying_wal(source, wal_notes) as conn:
                    yield from wal_notes
                    yield from _read(conn, source)
            except ParseError as exc:
                if UNSAFE_SCHEMA not in str(exc):
                    raise
                raise ParseError(
                    "the database's schema uses functions in generated columns that the safe read-only mode refuses",
                    file=source.name,
                    hint=_UNSAFE_HINT,
                ) from exc
        else:
            if not head or not _looks_textual(source):
                raise ParseError(
                    "not a readable Signal database: no SQLite header (Signal Desktop's db.sqlite is encrypted)",
                    file=source.name,
                    hint="Decrypt it first (e.g. with sigtop or signal-export), then add the decrypted copy.",
                )
            with closing(load_sql_dump(source.path)) as conn:
                yield from _read(conn, source)


def _looks_textual(source: SourceFile) -> bool:
    with open(source.path, "rb") as fh:
        chunk = fh.read(4096)
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(chunk) - 4  # a multi-byte character cut at the chunk's end
    return b"\0" not in chunk


PARSER = ParserInfo(
    name="signal_desktop",
    platform=PLATFORM,
    description="Signal Desktop message database (decrypted db.sqlite, or its SQL dump)",
    formats=("Signal Desktop db.sqlite (decrypted SQLite)", "Signal Desktop db.sqlite SQL dump (.sql)"),
    sniff=sniff,
    parse=parse,
    media_types=("application/vnd.sqlite3", "application/x-sqlite3", "text/plain", "application/sql"),
    limits=(
        "The database must be decrypted first (SQLCipher). Group membership changes and other system notices "
        "keep only their type and body, not a description. Attachments are linked only when the file was acquired "
        "beside the database (matched by base name); Signal's own attachment files are encrypted."
    ),
    references=("https://github.com/signalapp/Signal-Desktop", "https://github.com/carderne/signal-export"),
    identity_keys=("sender_service_id",),
    fixtures=("signal/make_fixtures.py",),
    corpus_seeds=("signal/*.sql",),
)
