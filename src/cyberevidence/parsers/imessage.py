"""iMessage / SMS databases: macOS ``chat.db`` and the iOS backup's ``sms.db``.

This module states the rules it applies; ``docs/formats/imessage.md`` says the same for readers
who do not read code.

Input
-----
A SQLite database, opened only through :func:`cyberevidence.sqlite_ro.open_readonly` (read-only,
immutable, untrusted schema) on the stored copy. A ``chat.db-wal`` / ``sms.db-wal`` acquired
beside it is applied by reading a private copy of database and log
(:mod:`cyberevidence.sqlite_wal`; ``wal_applied`` / ``wal_not_applied``).

Required: table ``message`` with columns ``ROWID``, ``date``, ``is_from_me`` and ``handle_id``,
and table ``handle`` with ``ROWID`` and ``id``; anything missing is a :class:`ParseError` naming
the table and column. Optional (used when present, otherwise one ``schema`` warning says what is lost): ``chat``,
``chat_message_join``, ``chat_handle_join``, ``attachment``, ``message_attachment_join`` and the
columns ``text``, ``attributedBody``, ``service``, ``date_read``, ``date_delivered``,
``date_edited``, ``date_retracted``, ``associated_message_type``, ``item_type`` ...

Time
----
``date`` counts from 2001-01-01 00:00:00 UTC (Apple's reference date). Modern databases
(macOS 10.13 / iOS 11 on) store **nanoseconds**, older ones **seconds**; the unit is decided
*per value* by magnitude: ``|value| >= 10**11`` is nanoseconds (10**11 seconds would be the year
5170), anything smaller is seconds (10**11 ns is 100 s after the reference date). The rule
applied is recorded in ``extra["date_unit"]``. ``0`` or NULL means "no date": for ``date``
the message is still kept, **undated** (``timestamp`` ``None``, no instant invented; docs/events.md)
with a note and a ``missing_date`` warning; for ``date_read`` / ``date_delivered`` / ``date_edited`` /
``date_retracted`` it means "never" and nothing is recorded.

Who, direction, platform
------------------------
``is_from_me`` is stated by the source: 1 is ``outgoing``, 0 ``incoming``. ``handle.id`` (phone
number or e-mail) of ``message.handle_id`` is the other party: the ``sender`` of an incoming
message, the ``recipients`` of an outgoing one (for group chats, every handle in
``chat_handle_join``). When an incoming message's ``handle_id`` names no ``handle`` row and its
chat has exactly one participant in ``chat_handle_join``, that participant is the sender
(``extra["sender_inferred"]``, ``unknown_handle`` warning); otherwise the sender stays empty
with the same warning. The owner's own address (``destination_caller_id``, else ``account``
without its ``e:``/``p:`` prefix) is the sender of outgoing and recipient of incoming messages
when present. ``message.service`` (else ``handle.service``) decides the platform: ``iMessage``
is ``imessage``; ``SMS``, ``MMS`` and ``RCS`` are ``sms`` (cellular text); any other or missing
value is ``imessage`` with a ``unknown_service`` warning. The raw value is kept in
``extra["service"]``.

Thread
------
The chat joined through ``chat_message_join``: ``chat.display_name`` (a named group), else
``chat.chat_identifier``; without a ``chat`` table, the chat's participants from
``chat_handle_join`` (sorted, joined with ``", "``), else the handles of the chat's messages,
else ``chat N``. A message in no chat is threaded by its own handle.

Text and kinds
--------------
``text`` when not NULL; otherwise the ``attributedBody`` typedstream is decoded
(``_imessage_typedstream``; ``extra["text_from"] = "attributedBody"``). An undecodable blob
leaves the text empty with an ``undecodable_body`` warning. When both exist and disagree, the
``text`` column is kept and the decoded body is kept in ``extra["attributed_body_text"]`` with a
``text_mismatch`` warning. Text is never otherwise altered (U+FFFC attachment placeholders
stay). ``associated_message_type`` 2000-2005 (tapbacks: loved, liked, disliked, laughed,
emphasised, questioned) and 3000-3005 (their removal) are ``kind="reaction"``; a non-zero
``item_type`` (group renamed, member added/left ...) is ``kind="system"``; the rest are
``message``. ``date_edited`` set means ``edited``; ``date_retracted`` set (unsent) means
``deleted``; both instants go in ``extra``. Attachments come from ``attachment`` via
``message_attachment_join``: name ``transfer_name`` else the base name of ``filename``,
``mime_type`` as media type; linked to a file of that base name acquired beside the database,
else ``sha256`` is empty and a ``missing_attachment`` warning is recorded.

Events: ``source`` locator ``message[ROWID=N]``; ``timestamp`` aware UTC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef, format_utc
from cyberevidence.parsers._imessage_typedstream import TypedStreamError, decode_attributed_body
from cyberevidence.parsers._msgdb_common import Warnings, link_attachment, named_errors
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.sqlite_ro import SQLITE_MAGIC, column_names, open_readonly, table_names
from cyberevidence.sqlite_wal import open_applying_wal

APPLE_EPOCH: Final = datetime(2001, 1, 1, tzinfo=timezone.utc)
#: Values at or above this magnitude are nanoseconds; below, seconds.
NS_THRESHOLD: Final = 10**11
#: Beyond this many seconds either side of 2001 a date is not plausible (about ±300 years).
MAX_SECONDS: Final = 10**10

SERVICES: Final = {"imessage": "imessage", "sms": "sms", "mms": "sms", "rcs": "sms"}
TAPBACKS: Final = {0: "loved", 1: "liked", 2: "disliked", 3: "laughed", 4: "emphasised", 5: "questioned"}

REQUIRED: Final = {"message": ("rowid", "date", "is_from_me", "handle_id"), "handle": ("rowid", "id")}


# -- time -----------------------------------------------------------------------------------


def apple_time(value: object) -> tuple[datetime, str] | None:
    """An Apple-epoch ``date`` as (UTC instant, unit), or ``None`` for 0/NULL/implausible values."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite REAL
        return None
    if abs(value) >= NS_THRESHOLD:
        seconds, unit = value / 1e9, "ns"
    else:
        seconds, unit = float(value), "s"
    # checked before building the datetime: a huge value would overflow timedelta
    if abs(seconds) > MAX_SECONDS:
        return None
    if unit == "ns":
        return APPLE_EPOCH + timedelta(microseconds=int(value) // 1000), unit
    return APPLE_EPOCH + timedelta(seconds=value), unit


# -- sniffing -------------------------------------------------------------------------------


#: The ``message`` columns that, beside a ``handle`` table, are Apple's Messages schema even without its chat
#: tables (an iOS backup's reduced ``sms.db``): ``guid``, ``is_from_me``, ``handle_id`` and the Apple-epoch ``date``.
MESSAGE_MARKS: Final = frozenset({"guid", "date", "is_from_me", "handle_id"})


def _is_imessage_db(conn: sqlite3.Connection) -> bool:
    tables = table_names(conn)
    if not {"message", "handle"} <= tables:
        return False
    return bool({"chat_message_join", "chat"} & tables) or column_names(conn, "message") >= MESSAGE_MARKS


def sniff(source: SourceFile, head: bytes) -> bool:
    """A SQLite file whose tables include ``message`` and ``handle``, and ``chat``/``chat_message_join`` or
    the ``message`` columns of :data:`MESSAGE_MARKS`."""
    if not head.startswith(SQLITE_MAGIC):
        return False
    try:
        with open_readonly(source.path) as conn:
            return _is_imessage_db(conn)
    except Exception:  # a sniffer must never break detection
        return False


# -- the parser -----------------------------------------------------------------------------


def _require(conn: sqlite3.Connection, source: SourceFile) -> dict[str, set[str]]:
    tables = table_names(conn)
    cols: dict[str, set[str]] = {}
    for table, needed in REQUIRED.items():
        if table not in tables:
            raise ParseError(
                f"this is not an iMessage database this tool can read: table '{table}' is missing",
                file=source.name,
                hint="Give the Messages database itself (macOS ~/Library/Messages/chat.db, or sms.db from an iOS backup).",
            )
        cols[table] = column_names(conn, table)
        for col in needed:
            if col not in cols[table]:
                raise ParseError(f"table '{table}' has no column '{col}' (unexpected schema)", file=source.name)
    for table in ("chat", "chat_message_join", "chat_handle_join", "attachment", "message_attachment_join"):
        cols[table] = column_names(conn, table) if table in tables else set()
    return cols


class _Reader:
    def __init__(self, conn: sqlite3.Connection, source: SourceFile, cols: dict[str, set[str]]) -> None:
        self.conn = conn
        self.source = source
        self.cols = cols
        self.w = Warnings(source.name)
        self.pending: list[ParseWarning] = []
        self.handles: dict[int, tuple[str, str]] = {}
        self.msg_chat: dict[int, int] = {}
        self.chat_handles: dict[int, list[str]] = {}
        self.threads: dict[int, str] = {}
        self.attachments: dict[int, list[dict[str, Any]]] = {}

    def warn(self, code: str, message: str, locator: str = "") -> None:
        item = self.w.make(code, message, locator)
        if item is not None:
            self.pending.append(item)

    def drain(self) -> Iterator[ParseWarning]:
        yield from self.pending
        self.pending.clear()

    # lookup tables -----------------------------------------------------------------------

    def load(self) -> None:
        hcols = self.cols["handle"]
        service = "service" if "service" in hcols else "''"
        for r in self.conn.execute(f"SELECT ROWID AS rid, id, {service} AS service FROM handle"):
            if isinstance(r["rid"], int):
                self.handles[r["rid"]] = (str(r["id"] or ""), str(r["service"] or ""))
        cmj, chj, chat = self.cols["chat_message_join"], self.cols["chat_handle_join"], self.cols["chat"]
        lost: list[str] = []
        if {"message_id", "chat_id"} <= cmj:
            for r in self.conn.execute("SELECT message_id, chat_id FROM chat_message_join"):
                if isinstance(r["message_id"], int) and isinstance(r["chat_id"], int):
                    self.msg_chat.setdefault(r["message_id"], r["chat_id"])
        else:
            lost.append("chat_message_join (which chat each message belongs to)")
        if {"chat_id", "handle_id"} <= chj:
            for r in self.conn.execute("SELECT chat_id, handle_id FROM chat_handle_join ORDER BY chat_id, handle_id"):
                h = self.handles.get(r["handle_id"]) if isinstance(r["handle_id"], int) else None
                if h is not None and isinstance(r["chat_id"], int):
                    self.chat_handles.setdefault(r["chat_id"], []).append(h[0])
        else:
            lost.append("chat_handle_join (group participants)")
        if "rowid" in chat:
            name = "display_name" if "display_name" in chat else "''"
            ident = "chat_identifier" if "chat_identifier" in chat else "''"
            for r in self.conn.execute(f"SELECT ROWID AS rid, {name} AS name, {ident} AS ident FROM chat"):
                label = str(r["name"] or "") or str(r["ident"] or "")
                if label and isinstance(r["rid"], int):
                    self.threads[r["rid"]] = label
        else:
            lost.append("chat (chat names; threads are named by their participants)")
        self._load_attachments(lost)
        if lost:
            self.warn("schema", "these optional tables are missing, so the following is not available: " + "; ".join(lost))

    def _load_attachments(self, lost: list[str]) -> None:
        acols, jcols = self.cols["attachment"], self.cols["message_attachment_join"]
        if not ({"rowid"} <= acols and {"message_id", "attachment_id"} <= jcols):
            lost.append("attachment / message_attachment_join (attachments)")
            return
        fields = [c for c in ("filename", "mime_type", "transfer_name", "total_bytes", "guid") if c in acols]
        select = ", ".join(f"a.{c} AS {c}" for c in fields) or "NULL AS none"
        sql = (
            f"SELECT j.message_id AS mid, a.ROWID AS aid, {select} FROM message_attachment_join j "
            "JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, a.ROWID"
        )
        for r in self.conn.execute(sql):
            if isinstance(r["mid"], int):
                self.attachments.setdefault(r["mid"], []).append(dict(r))

    def thread_for(self, chat_id: int | None, own_handle: str) -> str:
        if chat_id is None:
            return own_handle or "(no chat)"
        if chat_id in self.threads:
            return self.threads[chat_id]
        people = sorted(set(self.chat_handles.get(chat_id, []))) or sorted(self._chat_message_handles(chat_id))
        label = ", ".join(people) or f"chat {chat_id}"
        self.threads[chat_id] = label
        return label

    def _chat_message_handles(self, chat_id: int) -> set[str]:
        found: set[str] = set()
        for r in self.conn.execute(
            "SELECT DISTINCT m.handle_id AS h FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID "
            "WHERE j.chat_id = ?",
            (chat_id,),
        ):
            h = self.handles.get(r["h"]) if isinstance(r["h"], int) else None
            if h is not None and h[0]:
                found.add(h[0])
        return found

    # messages ----------------------------------------------------------------------------

    def run(self) -> Iterator[Event | ParseWarning]:
        self.load()
        yield from self.drain()
        mcols = self.cols["message"]
        wanted = [
            "text", "attributedBody", "service", "date_read", "date_delivered", "date_edited", "date_retracted",
            "associated_message_type", "associated_message_guid", "item_type", "guid", "destination_caller_id",
            "account", "is_audio_message", "subject", "cache_has_attachments",
        ]  # fmt: skip
        present = [c for c in wanted if c.lower() in mcols]
        select = ", ".join(["ROWID AS rid", "date", "is_from_me", "handle_id", *present])
        for row in self.conn.execute(f"SELECT {select} FROM message ORDER BY ROWID"):
            r = dict(row)
            event = self._event(r)
            yield from self.drain()
            if event is not None:
                yield event
        yield from self.w.summaries()

    def _event(self, r: dict[str, Any]) -> Event | None:
        rid = r["rid"]
        loc = f"message[ROWID={rid}]"
        extra: dict[str, Any] = {}
        if r.get("guid"):
            extra["guid"] = r["guid"]
        when = apple_time(r["date"])
        note = ""
        if when is None:
            self.warn("missing_date", f"message has no usable date ({r['date']!r}); kept as undated", loc)
            moment, note = None, "the database gives no usable date: the message is undated"
        else:
            moment, extra["date_unit"] = when
        for col in ("date_read", "date_delivered"):
            t = apple_time(r.get(col))
            if t is not None:
                extra[col] = format_utc(t[0])
        outgoing = bool(r["is_from_me"])
        chat_id = self.msg_chat.get(rid)
        handle = self.handles.get(r["handle_id"]) if isinstance(r["handle_id"], int) else None
        other = handle[0] if handle else ""
        if handle is None and r["handle_id"] not in (0, None):
            participants = self.chat_handles.get(chat_id, []) if chat_id is not None else []
            if len(participants) == 1:
                other = participants[0]
                extra["sender_inferred"] = "handle_id names no handle; the chat's only other participant"
            self.warn(
                "unknown_handle",
                f"handle_id {r['handle_id']!r} is not in the handle table"
                + ("; the chat's only participant was used" if other else "; the other party is unknown"),
                loc,
            )
        me = str(r.get("destination_caller_id") or "")
        if not me and r.get("account"):
            acct = str(r["account"])
            me = acct[2:] if acct[:2].lower() in ("e:", "p:") else acct
        group = [h for h in self.chat_handles.get(chat_id, [])] if chat_id is not None else []
        if outgoing:
            sender, recipients = me, (group or ([other] if other else []))
        else:
            sender, recipients = other, ([me] if me else [])
        platform = self._platform(r, handle, extra, loc)
        text = self._text(r, extra, loc)
        kind = "message"
        amt = r.get("associated_message_type") or 0
        if isinstance(amt, int) and (2000 <= amt <= 2005 or 3000 <= amt <= 3005):
            kind = "reaction"
            extra["tapback"] = ("removed " if amt >= 3000 else "") + TAPBACKS[amt % 1000]
            if r.get("associated_message_guid"):
                extra["reacted_to"] = r["associated_message_guid"]
        elif r.get("item_type"):
            kind = "system"
            extra["item_type"] = r["item_type"]
        event = Event(
            timestamp=moment,
            platform=platform,
            kind=kind,
            source=SourceRef(self.source.sha256, loc),
            sender=sender,
            recipients=recipients,
            text=text,
            thread=self.thread_for(chat_id, other),
            direction="outgoing" if outgoing else "incoming",
            extra=extra,
        )
        if note:
            event.time_note = note
        for col, flag in (("date_edited", "edited"), ("date_retracted", "deleted")):
            t = apple_time(r.get(col))
            if t is not None:
                setattr(event, flag, True)
                extra[col] = format_utc(t[0])
        if r.get("subject"):
            extra["subject"] = r["subject"]
        if r.get("is_audio_message"):
            extra["audio_message"] = True
        event.attachments = [self._attachment(a, loc) for a in self.attachments.get(rid, [])]
        return event

    def _platform(self, r: dict[str, Any], handle: tuple[str, str] | None, extra: dict[str, Any], loc: str) -> str:
        raw = str(r.get("service") or "") or (handle[1] if handle else "")
        extra["service"] = raw
        platform = SERVICES.get(raw.strip().lower())
        if platform is None:
            self.warn("unknown_service", f"service {raw!r} is not iMessage/SMS/MMS/RCS; read as imessage", loc)
            platform = "imessage"
        return platform

    def _text(self, r: dict[str, Any], extra: dict[str, Any], loc: str) -> str:
        text = r.get("text")
        blob = r.get("attributedBody")
        decoded: str | None = None
        if blob is not None:
            try:
                decoded = decode_attributed_body(blob)
            except TypedStreamError as exc:
                if text is None:
                    self.warn("undecodable_body", f"text is NULL and attributedBody could not be decoded: {exc}", loc)
        if text is None:
            if decoded is not None:
                extra["text_from"] = "attributedBody"
            return decoded or ""
        text = str(text)
        if decoded is not None and decoded != text:
            extra["attributed_body_text"] = decoded
            self.warn("text_mismatch", "the text column and the attributedBody blob disagree; the text column is shown", loc)
        return text

    def _attachment(self, a: dict[str, Any], loc: str) -> Attachment:
        filename = str(a.get("filename") or "")
        name = str(a.get("transfer_name") or "") or filename.rsplit("/", 1)[-1]
        att, found = link_attachment(self.source, name, filename, str(a.get("mime_type") or ""))
        if not found:
            self.warn(
                "missing_attachment",
                f"attachment {att.name!r} ({filename or 'no path'}) is not among the files acquired with the database",
                loc,
            )
        return att


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a Messages database (``chat.db`` or ``sms.db``)."""
    wal_notes: list[ParseWarning] = []
    with named_errors(source), open_applying_wal(source, wal_notes) as conn:
        cols = _require(conn, source)
        yield from wal_notes
        yield from _Reader(conn, source, cols).run()


PARSER = ParserInfo(
    name="imessage",
    platform="imessage",
    description="Apple Messages databases: macOS chat.db and iOS backup sms.db (iMessage and SMS)",
    formats=("macOS Messages chat.db (SQLite)", "iOS backup sms.db (SQLite, 3d0d7e5fb2ce288813306e4d4636395e047a3d28)"),
    sniff=sniff,
    parse=parse,
    media_types=("application/vnd.sqlite3", "application/x-sqlite3"),
    limits=(
        "Reads the text of attributedBody only (formatting, mentions and the edit history in message_summary_info "
        "are not decoded). FaceTime and phone calls are not in this database. Attachments are linked only when the "
        "file was acquired beside the database (matched by base name). iOS backups must be decrypted and sms.db "
        "extracted first; encrypted files are refused."
    ),
    references=("https://github.com/ReagentX/imessage-exporter",),
    platforms=("imessage", "sms"),
    fixtures=("imessage/make_fixtures.py",),
    corpus_seeds=("imessage/*.db",),
)
