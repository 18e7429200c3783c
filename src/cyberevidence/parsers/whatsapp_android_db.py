"""WhatsApp for Android: the decrypted message database ``msgstore.db`` (and ``wa.db`` beside it for names).

This module states the rules it applies; ``docs/formats/whatsapp_android_db.md`` says the same for
readers who do not read code. It is the precise twin of the chat-export parser (``whatsapp``):
same ``platform="whatsapp"``, and the same thread and sender naming where the database allows,
so a later dedupe step can merge the two.

Inputs
------
* A decrypted ``msgstore.db`` (SQLite), opened only through ``sqlite_ro.open_readonly``
  (read-only, immutable, ``trusted_schema`` off) on the case's stored copy.
* A SQL text dump of one (``.sql``), loaded into a private in-memory database.
* Encrypted backups (``.crypt12/14/15``) are recognised by their header (below) but not
  decrypted: they yield no events, only an ``encrypted_backup`` warning saying which key is needed
  (and whether a matching key file was acquired beside it). The file is kept as evidence.
  WhatsApp's key files (``key``, ``encrypted_backup.key``) are never read as messages.

Recognising the file (sniff): the SQLite header, then the table check below, made by opening the
stored copy through ``open_readonly`` and reading its table list (cheap: only the schema pages
are read; a real msgstore.db has a schema far bigger than its first page, so the 64 KiB head
alone cannot show the tables). A ``.sql`` dump is recognised from its ``CREATE TABLE`` text in
the first 64 KiB only. An encrypted backup is recognised by its header: a ``.crypt14``/``.crypt15``
by its protobuf prefix naming the WhatsApp version that wrote it, a ``.crypt12`` (or older) by its
``00 01`` version bytes together with the ``.cryptNN`` suffix of its name. The check never raises;
any error means "not mine".

Schema (decided by table and column names, never by version numbers)
--------------------------------------------------------------------
* **new** (2021 onwards): tables ``message`` (with ``chat_row_id``, ``from_me``, ``timestamp``),
  ``chat`` and ``jid``. Per-message facts come from the side tables when present:
  ``message_media``, ``message_system``, ``message_revoked``, ``message_edit_info``,
  ``message_location``, ``message_forwarded``, ``message_quoted``, ``message_album``.
* **old**: table ``messages`` with ``key_remote_jid``, ``key_from_me`` and ``timestamp``; group
  subjects from ``chat_list`` when present.
* If both are present the new one is read. A row of the old ``messages`` table that is also in
  the new one (same chat JID, ``from_me`` and ``key_id``: WhatsApp copied it when it migrated) is
  not read twice (``legacy_table_not_read`` gives the count); a row that is only in the old table
  is read from it like an old-schema row (``legacy_rows_read`` gives the count). If neither is
  complete, :class:`ParseError` says which table or column is missing. The decision is recorded
  as a ``schema`` warning.
* A ``msgstore.db-wal`` (and ``wa.db-wal``) acquired beside the database is applied
  (:mod:`cyberevidence.sqlite_wal`: database and log are copied to a private scratch folder and the
  copy is read, so rows committed only to the log are read too): ``wal_applied`` names the log and
  its frame count; a log that cannot be applied is ``wal_not_applied`` and the database is read
  without it. The ``-shm`` file is kept as evidence but not used.
* Call logs: table ``call_log`` (``from_me``, ``video_call``, ``duration``, ``call_result``,
  ``timestamp``; the other party from ``jid_row_id`` -> ``jid``) in either schema.

Events
------
* Every row of ``message`` / ``messages`` is one event, every row of ``call_log`` one call; the
  only rows not turned into events are WhatsApp's placeholder rows (old: ``key_remote_jid='-1'``;
  new: ``chat_row_id=-1``) and rows without a usable time, each reported with its locator
  (``placeholder_row``, ``no_timestamp``). Locators: ``message[_id=N]``, ``messages[_id=N]``, ``call_log[_id=N]``.
* Time: ``timestamp`` is milliseconds since 1970-01-01 **UTC**, an instant; no time zone is
  assumed and none is needed. An instant before 2009 is kept and reported (``implausible_timestamp``).
* ``kind``: ``system`` when the row has a ``message_system`` row or ``message_type`` 7 (new), or
  ``status`` 6 (old); ``call`` for ``call_log`` rows; otherwise ``message``. A system notice keeps
  its ``action_type`` and the JIDs of ``message_system_chat_participant`` in ``extra`` (the
  database stores a code, not the wording), has no text, ``sender=""`` and
  ``direction="unknown"`` (as in the txt export); when not from you, ``extra["actor_jid"]``.
* ``direction``: the database states it: ``from_me``/``key_from_me`` = 1 is ``outgoing``, else
  ``incoming``; ``extra["from_me"]`` keeps the stored value.
* ``thread``: a group's subject (``chat.subject``; old: ``chat_list.subject``), else the other
  party's name (below), else the JID. ``extra["chat_jid"]`` keeps the JID.
* Names (the export's conventions): a contact's name is ``wa_contacts.display_name`` (the phone's
  address-book name, as the export shows it) from ``wa.db`` when acquired beside this file, else
  the phone number ``+<digits>`` of a phone JID (very old rows store a bare number without
  ``@s.whatsapp.net``; it is read as that phone JID), else ``wa_contacts.wa_name`` (the contact's
  WhatsApp name), else the JID. Your own name is ``props.user_push_name`` when stored, else "".
  ``wa.db`` is the sibling named like this file with "msgstore" replaced by "wa"
  (``msgstore.db`` -> ``wa.db``, ``x_msgstore.sql`` -> ``x_wa.sql``), else a sibling ``wa.db`` or
  ``wa.sql``. It is never required; when absent, unreadable or without ``wa_contacts``, names
  fall back as above and a ``contact_names`` warning says so.
* ``sender``: outgoing -> your own name; incoming in a group -> the member from
  ``sender_jid_row_id`` (new) / ``remote_resource`` (old); incoming one-to-one -> the chat's
  contact. ``extra["sender_jid"]`` keeps the JID. ``recipients``: in a one-to-one chat the other
  side (the contact when outgoing, your own name when incoming and known); empty in groups.
* Text: ``text_data`` (new; it is also a media caption) / ``data``, else ``media_caption`` (old),
  else (new) the ``description`` of the message's ``message_ui_elements`` rows (the body of a
  button / list / interactive message); those rows are kept in ``extra["ui_elements"]``.
* ``message_type``: the named codes and where each keeps its text are in
  :mod:`cyberevidence.parsers._wadb_types` (and the format doc); contact cards come from
  ``message_vcard`` (``extra["vcards"]``; text = their ``FN`` names when there is no other). An unknown
  code whose row has no text, media, location, album, card or UI elements is an
  ``unknown_message_type`` warning with the row's locator.
* A verified business name from ``wa.db``'s ``wa_vnames`` is kept in ``extra["sender_business_name"]``
  (and is the name shown when neither an address-book name nor a phone number is known).
* Flags: ``deleted`` when a ``message_revoked`` row exists or ``message_type``/``media_wa_type`` is
  15; ``edited`` when a ``message_edit_info`` row exists (``extra["edited_at"]`` = its time in UTC).
  The old schema has no edit record.
* Media: a ``message_media`` row (new) or a ``media_wa_type`` other than 0 with a name (old)
  becomes an :class:`Attachment` named after the stored file (``file_path``'s file name, else
  ``media_name``), with the SHA-256 of the sibling of that exact name when it was acquired beside
  the database; otherwise ``sha256=""`` and ``media_omitted=True``. ``extra`` keeps
  ``media_path``, ``media_name``, ``mime_type``.
* Calls: ``kind="call"``, ``call_type`` ``video`` or ``voice``, ``duration_s`` from ``duration``;
  ``extra["missed"]`` = incoming with duration 0, ``extra["call_result"]`` = the stored code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning, SourceRef, format_utc
from cyberevidence.parsers._wadb_common import (
    EncryptedBackup,
    Schema,
    Warner,
    canonical_jid,
    dump_tables,
    encrypted_backup,
    int_of,
    is_group_jid,
    key_file_payload,
    link_attachment,
    media_file_name,
    open_database,
    phone_of_jid,
    plausibility,
    sqlite_schema,
    text_of,
    utc_from_unix_ms,
)
from cyberevidence.parsers._wadb_types import type_name, vcard_names
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.sqlite_ro import SQLITE_MAGIC

PLATFORM: Final = "whatsapp"

NEW_TABLES: Final = ("message", "chat", "jid")
NEW_MESSAGE_COLS: Final = ("_id", "chat_row_id", "from_me", "timestamp")
OLD_MESSAGE_COLS: Final = ("_id", "key_remote_jid", "key_from_me", "timestamp")
SIDE_TABLES: Final = (
    "message_media",
    "message_system",
    "message_revoked",
    "message_edit_info",
    "message_location",
    "message_forwarded",
    "message_quoted",
    "message_album",
    "message_system_chat_participant",
    "message_ui_elements",
    "message_vcard",
    "call_log",
    "chat_list",
    "props",
)
#: message_type / media_wa_type codes the rules use.
TYPE_SYSTEM: Final = 7
TYPE_REVOKED: Final = 15
OLD_STATUS_SYSTEM: Final = 6
#: chat_row_id / key_remote_jid of the row WhatsApp keeps in an empty database (not a message).
PLACEHOLDER_CHAT: Final = -1


# -- sniffing ---------------------------------------------------------------------------------


def _is_msgstore(schema: Schema) -> bool:
    new = all(schema.has(t) for t in NEW_TABLES) and schema.has("message", "chat_row_id", "from_me")
    return new or schema.has("messages", "key_remote_jid", "key_from_me")


def _dump_is_msgstore(head: bytes) -> bool:
    tables = dump_tables(head)
    text = head.decode("utf-8", errors="replace").lower()
    new = {"message", "chat", "jid"} <= tables and "chat_row_id" in text and "from_me" in text
    return new or ("messages" in tables and "key_remote_jid" in text)


def sniff(source: SourceFile, head: bytes) -> bool:
    """A SQLite msgstore.db (either schema), its SQL dump, or an encrypted backup of it; never raises."""
    try:
        if head.startswith(SQLITE_MAGIC):
            return _is_msgstore(sqlite_schema(source.path, ("message", "messages")))
        if encrypted_backup(source.name, head) is not None:
            return True
        return bool(head) and _dump_is_msgstore(head)
    except Exception:  # a sniffer must never break detection
        return False


# -- names (wa.db) ----------------------------------------------------------------------------


@dataclass(slots=True)
class Contact:
    display_name: str = ""
    wa_name: str = ""
    number: str = ""
    business_name: str = ""  # wa_vnames.verified_name: the name a WhatsApp Business account verified


@dataclass(slots=True)
class Names:
    """How JIDs are shown: wa.db contacts when available, else phone numbers, else the JID."""

    contacts: dict[str, Contact] = field(default_factory=dict)
    own: str = ""

    def of(self, jid: str) -> str:
        if not jid:
            return ""
        c = self.contacts.get(canonical_jid(jid))
        if c is not None and c.display_name:
            return c.display_name
        phone = phone_of_jid(jid)
        if phone:
            return phone
        if c is not None and (c.business_name or c.wa_name):
            return c.business_name or c.wa_name
        return jid

    def extra(self, jid: str, key: str, extra: dict[str, Any]) -> None:
        """Keep the JID and the contact's WhatsApp name (if any) under ``key`` in ``extra``."""
        if not jid:
            return
        extra[f"{key}_jid"] = jid
        c = self.contacts.get(canonical_jid(jid))
        if c is not None and c.wa_name:
            extra[f"{key}_wa_name"] = c.wa_name
        if c is not None and c.business_name:
            extra[f"{key}_business_name"] = c.business_name


def find_contacts_db(source: SourceFile) -> SourceFile | None:
    """The wa.db acquired beside ``source`` (rule in the module docstring), or None."""
    sibs = source.siblings
    candidates = []
    lowered = source.name.lower()
    if "msgstore" in lowered:
        i = lowered.index("msgstore")
        candidates.append(source.name[:i] + "wa" + source.name[i + len("msgstore") :])
    candidates += ["wa.db", "wa.sql"]
    for name in candidates:
        if name in sibs and name != source.name:
            return sibs[name]
    return None


def load_contacts(source: SourceFile, wal_notes: list[ParseWarning] | None = None) -> tuple[dict[str, Contact], ParseWarning]:
    """Contacts from the wa.db beside ``source``; never fails (a problem becomes the warning).

    With ``wal_notes``, a ``wa.db-wal`` beside it is applied and what was done is appended there.
    """
    wa = find_contacts_db(source)
    if wa is None:
        return {}, ParseWarning(
            "contact_names",
            "no wa.db was acquired beside this file, so people are shown by phone number or WhatsApp ID; "
            "add wa.db from the same phone beside msgstore.db to get the names saved in the phone's contacts",
            file=source.name,
        )
    try:
        with open_database(wa, wal_notes, siblings=source.siblings) as conn:
            schema = Schema.read(conn, ("wa_contacts", "wa_vnames"))
            if not schema.has("wa_contacts", "jid"):
                raise ParseError("it has no wa_contacts table with a jid column", file=wa.name)
            cols = ", ".join(schema.col("wa_contacts", "w", c) for c in ("jid", "display_name", "wa_name", "number"))
            contacts: dict[str, Contact] = {}
            for row in conn.execute(f"SELECT {cols} FROM wa_contacts w"):
                jid = text_of(row["jid"])
                if jid and jid not in contacts:
                    contacts[jid] = Contact(text_of(row["display_name"]), text_of(row["wa_name"]), text_of(row["number"]))
            if schema.has("wa_vnames", "jid", "verified_name"):
                for row in conn.execute("SELECT jid, verified_name FROM wa_vnames"):
                    jid, verified = text_of(row["jid"]), text_of(row["verified_name"])
                    if jid and verified:
                        contacts.setdefault(jid, Contact()).business_name = verified
    except (ParseError, sqlite3.Error) as exc:
        return {}, ParseWarning(
            "contact_names",
            f"the contacts database {wa.name} beside this file could not be used ({exc}); "
            "people are shown by phone number or WhatsApp ID",
            file=source.name,
        )
    return contacts, ParseWarning(
        "contact_names",
        f"names were taken from {wa.name} (sha256 {wa.sha256}), acquired beside this file: {len(contacts)} contact(s)",
        file=source.name,
    )


def _own_push_name(conn: sqlite3.Connection, schema: Schema) -> str:
    if not schema.has("props", "key", "value"):
        return ""
    row = conn.execute("SELECT value FROM props WHERE key='user_push_name' LIMIT 1").fetchone()
    return text_of(row[0]) if row else ""


# -- the reader -------------------------------------------------------------------------------


@dataclass(slots=True)
class Chat:
    jid: str
    subject: str


class Reader:
    """Rows of one msgstore database to events."""

    def __init__(self, source: SourceFile, conn: sqlite3.Connection, schema: Schema, names: Names) -> None:
        self.source = source
        self.conn = conn
        self.s = schema
        self.names = names
        self.warn = Warner(source.name)
        self.participants: dict[int, list[int]] = {}
        self.ui_elements: dict[int, list[dict[str, Any]]] = {}
        self.vcards: dict[int, list[str]] = {}

    # shared pieces ---------------------------------------------------------------------

    def thread_of(self, chat: Chat) -> str:
        if is_group_jid(chat.jid):
            return chat.subject or chat.jid
        return self.names.of(chat.jid) or chat.subject or chat.jid

    def event(self, moment: Any, locator: str) -> Event:
        return Event(timestamp=moment, platform=PLATFORM, kind="message", source=SourceRef(self.source.sha256, locator))

    def fill_people(self, ev: Event, chat: Chat, from_me: bool, sender_jid: str) -> None:
        """thread, sender, recipients, direction and the JIDs in extra (rules in the module docstring)."""
        group = is_group_jid(chat.jid)
        ev.thread = self.thread_of(chat)
        ev.extra["chat_jid"] = chat.jid
        ev.extra["from_me"] = from_me
        if ev.kind == "system":
            if not from_me:
                self.names.extra(sender_jid, "actor", ev.extra)
            return
        ev.direction = "outgoing" if from_me else "incoming"
        if from_me:
            ev.sender = self.names.own
            if not group:
                ev.recipients = [self.names.of(chat.jid)] if chat.jid else []
            return
        jid = sender_jid if group and sender_jid else chat.jid
        ev.sender = self.names.of(jid)
        self.names.extra(jid, "sender", ev.extra)
        if not group and self.names.own:
            ev.recipients = [self.names.own]

    def attach(self, ev: Event, path: str, media_name: str, mime: str) -> None:
        name = media_file_name(path) or media_file_name(media_name)
        ev.media_omitted = True
        if path:
            ev.extra["media_path"] = path
        if media_name:
            ev.extra["media_name"] = media_name
        if mime:
            ev.extra["mime_type"] = mime
        if name:
            attachment, omitted = link_attachment(name, mime, self.source)
            ev.attachments.append(attachment)
            ev.media_omitted = omitted

    def moment(self, raw: object, locator: str) -> tuple[Any, list[ParseWarning]]:
        out: list[ParseWarning] = []
        moment = utc_from_unix_ms(raw)
        if moment is None:
            w = self.warn("no_timestamp", f"the row has no usable time ({raw!r}); it is not shown in the timeline", locator)
            if w:
                out.append(w)
            return None, out
        w = plausibility(moment, self.warn, locator)
        if w:
            out.append(w)
        return moment, out

    # calls -------------------------------------------------------------------------------

    def calls(self, jids: dict[int, str], chats_by_jid: dict[str, Chat]) -> Iterator[Event | ParseWarning]:
        s = self.s
        if not s.has("call_log", "_id", "timestamp"):
            return
        cols = ", ".join(
            [
                "c._id AS id",
                "c.timestamp AS ts",
                *(
                    s.col("call_log", "c", c)
                    for c in ("jid_row_id", "group_jid_row_id", "from_me", "video_call", "duration", "call_result", "call_id")
                ),
            ]
        )
        for row in self.conn.execute(f"SELECT {cols} FROM call_log c ORDER BY c._id"):
            locator = f"call_log[_id={row['id']}]"
            moment, warnings = self.moment(row["ts"], locator)
            yield from warnings
            if moment is None:
                continue
            peer = jids.get(int_of(row["jid_row_id"]) or 0, "")
            group = jids.get(int_of(row["group_jid_row_id"]) or 0, "")
            chat = chats_by_jid.get(group or peer) or Chat(group or peer, "")
            from_me = bool(int_of(row["from_me"]))
            ev = self.event(moment, locator)
            ev.kind = "call"
            ev.call_type = "video" if int_of(row["video_call"]) else "voice"
            duration = int_of(row["duration"])
            ev.duration_s = duration
            self.fill_people(ev, chat, from_me, peer)
            if group and not from_me:
                ev.sender = self.names.of(peer) if peer else ""
            ev.extra["missed"] = (not from_me) and not duration
            if row["call_result"] is not None:
                ev.extra["call_result"] = int_of(row["call_result"])
            if row["call_id"]:
                ev.extra["call_id"] = text_of(row["call_id"])
            if not peer and not group:
                w = self.warn("unknown_party", "the call's other party is not recorded", locator)
                if w:
                    yield w
            yield ev

    # new schema --------------------------------------------------------------------------

    def read_new(self) -> Iterator[Event | ParseWarning]:
        s, conn = self.s, self.conn
        jids: dict[int, str] = {}
        user_server = s.has("jid", "user", "server")
        raw = s.has("jid", "raw_string")
        jcols = ", ".join(["_id", "raw_string" if raw else "NULL AS raw_string", *(("user", "server") if user_server else ())])
        for row in conn.execute(f"SELECT {jcols} FROM jid"):
            value = text_of(row["raw_string"])
            if not value and user_server:
                value = f"{text_of(row['user'])}@{text_of(row['server'])}"
            jids[int(row["_id"])] = value
        chats: dict[int, Chat] = {}
        subject = "subject" if s.has("chat", "subject") else "NULL AS subject"
        for row in conn.execute(f"SELECT _id, jid_row_id, {subject} FROM chat"):
            chats[int(row["_id"])] = Chat(jids.get(int_of(row["jid_row_id"]) or 0, ""), text_of(row["subject"]))
        chats_by_jid = {c.jid: c for c in chats.values() if c.jid}
        if s.has("message_system_chat_participant", "message_row_id", "user_jid_row_id"):
            for row in conn.execute("SELECT message_row_id, user_jid_row_id FROM message_system_chat_participant"):
                self.participants.setdefault(int_of(row[0]) or 0, []).append(int_of(row[1]) or 0)
        self._read_ui_elements()
        self._read_vcards()

        cols = [
            "m._id AS id",
            "m.chat_row_id AS chat_row_id",
            "m.from_me AS from_me",
            "m.timestamp AS ts",
            s.col("message", "m", "text_data"),
            s.col("message", "m", "message_type"),
            s.col("message", "m", "sender_jid_row_id"),
            s.col("message", "m", "key_id"),
            s.col("message", "m", "status"),
        ]
        joins = []
        side: list[tuple[str, str, tuple[str, ...]]] = [
            ("message_media", "mm", ("file_path", "media_name", "media_caption", "mime_type", "file_size")),
            ("message_system", "ms", ("action_type",)),
            ("message_revoked", "mr", ("revoked_key_id", "admin_jid_row_id", "revoke_timestamp")),
            ("message_edit_info", "me", ("edited_timestamp",)),
            ("message_location", "ml", ("latitude", "longitude", "place_name", "place_address", "url")),
            ("message_forwarded", "mf", ("forward_score",)),
            ("message_quoted", "mq", ("key_id",)),
            ("message_album", "ma", ("image_count", "video_count")),
        ]
        for table, alias, wanted in side:
            present = s.has(table, "message_row_id")
            cols.append(f"{alias}.message_row_id AS {alias}_row" if present else f"NULL AS {alias}_row")
            cols += [s.col(table, alias, c, f"{alias}_{c}") if present else f"NULL AS {alias}_{c}" for c in wanted]
            if present:
                joins.append(f"LEFT JOIN {table} {alias} ON {alias}.message_row_id = m._id")
        sql = f"SELECT {', '.join(cols)} FROM message m {' '.join(joins)} ORDER BY m._id"
        seen: set[tuple[str, bool, str]] = set()
        for row in conn.execute(sql):
            chat = chats.get(int_of(row["chat_row_id"]) or 0)
            seen.add((chat.jid if chat else "", bool(int_of(row["from_me"])), text_of(row["key_id"])))
            yield from self._new_row(row, chats, jids)
        yield from self.calls(jids, chats_by_jid)
        yield from self._legacy_rows(seen, {c.jid: c.subject for c in chats_by_jid.values() if c.subject})
        yield from self.warn.summaries()

    def _read_vcards(self) -> None:
        """``message_vcard`` rows (contact cards of types 4 and 14), several per message."""
        if not self.s.has("message_vcard", "message_row_id", "vcard"):
            return
        for row in self.conn.execute("SELECT message_row_id, vcard FROM message_vcard ORDER BY rowid"):
            card = text_of(row["vcard"])
            if card:
                self.vcards.setdefault(int_of(row["message_row_id"]) or 0, []).append(card)

    def _read_ui_elements(self) -> None:
        """Rows of ``message_ui_elements`` (buttons, lists, interactive messages), several per message."""
        s = self.s
        if not s.has("message_ui_elements", "message_row_id"):
            return
        wanted = ("element_type", "element_content", "description", "footer_text", "button_text")
        cols = ", ".join(["u.message_row_id AS row_id", *(s.col("message_ui_elements", "u", c) for c in wanted)])
        order = "u._id" if s.has("message_ui_elements", "_id") else "u.rowid"
        for row in self.conn.execute(f"SELECT {cols} FROM message_ui_elements u ORDER BY {order}"):
            element = {c: row[c] for c in wanted if row[c] is not None and row[c] != ""}
            if element:
                self.ui_elements.setdefault(int_of(row["row_id"]) or 0, []).append(element)

    def _legacy_rows(self, seen: set[tuple[str, bool, str]], subjects: dict[str, str]) -> Iterator[Event | ParseWarning]:
        """The old ``messages`` table beside the new one: rows not migrated are read, migrated ones counted."""
        s, conn = self.s, self.conn
        if not s.has("messages", "_id"):
            return
        if not s.has("messages", *OLD_MESSAGE_COLS, "key_id"):
            n = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            if n:
                w = self.warn(
                    "legacy_table_not_read",
                    f"the old 'messages' table also holds {n} row(s) but lacks the columns to read them "
                    f"({', '.join(s.missing('messages', *OLD_MESSAGE_COLS, 'key_id'))}); the new 'message' table was read",
                    "messages",
                )
                if w:
                    yield w
            return
        migrated = only_old = 0
        for row in conn.execute(self._old_sql()):
            key = (text_of(row["chat_jid"]), bool(int_of(row["from_me"])), text_of(row["key_id"]))
            if key in seen:
                migrated += 1
                continue
            if text_of(row["chat_jid"]) != str(PLACEHOLDER_CHAT):
                only_old += 1
            yield from self._old_row(row, subjects)
        if migrated:
            yield ParseWarning(
                "legacy_table_not_read",
                f"{migrated} row(s) of the old 'messages' table are also in the new 'message' table (same chat, "
                "direction and key_id: WhatsApp copied them when it migrated); they were read once, from the new table",
                "messages",
                self.source.name,
            )
        if only_old:
            yield ParseWarning(
                "legacy_rows_read",
                f"{only_old} row(s) are only in the old 'messages' table (not in the new 'message' table); "
                "they were read from it, with locators messages[_id=N]",
                "messages",
                self.source.name,
            )

    def _new_row(self, row: sqlite3.Row, chats: dict[int, Chat], jids: dict[int, str]) -> Iterator[Event | ParseWarning]:
        locator = f"message[_id={row['id']}]"
        chat_id = int_of(row["chat_row_id"]) or 0
        if chat_id == PLACEHOLDER_CHAT:
            w = self.warn("placeholder_row", "WhatsApp's placeholder row (chat_row_id -1) is not a message", locator)
            if w:
                yield w
            return
        moment, warnings = self.moment(row["ts"], locator)
        yield from warnings
        if moment is None:
            return
        chat = chats.get(chat_id)
        if chat is None:
            w = self.warn("unknown_chat", f"the message points at chat {chat_id}, which is not in the chat table", locator)
            if w:
                yield w
            chat = Chat("", "")
        mtype = int_of(row["message_type"])
        ev = self.event(moment, locator)
        if row["ms_row"] is not None or mtype == TYPE_SYSTEM:
            ev.kind = "system"
            if row["ms_action_type"] is not None:
                ev.extra["action_type"] = int_of(row["ms_action_type"])
            named = [jids.get(j, "") for j in self.participants.get(int(row["id"]), [])]
            if named:
                ev.extra["participant_jids"] = named
        from_me = bool(int_of(row["from_me"]))
        sender_jid = jids.get(int_of(row["sender_jid_row_id"]) or 0, "")
        self.fill_people(ev, chat, from_me, sender_jid)
        ev.text = text_of(row["text_data"])
        if mtype is not None:
            ev.extra["message_type"] = mtype
        if row["key_id"] is not None:
            ev.extra["key_id"] = text_of(row["key_id"])
        if row["mr_row"] is not None or mtype == TYPE_REVOKED:
            ev.deleted = True
            revoked = utc_from_unix_ms(row["mr_revoke_timestamp"])
            if revoked is not None:
                ev.extra["deleted_at"] = format_utc(revoked)
            admin = jids.get(int_of(row["mr_admin_jid_row_id"]) or 0, "")
            if admin:
                ev.extra["deleted_by_admin_jid"] = admin
        if row["me_row"] is not None:
            ev.edited = True
            edited = utc_from_unix_ms(row["me_edited_timestamp"])
            if edited is not None:
                ev.extra["edited_at"] = format_utc(edited)
        if row["mm_row"] is not None:
            self.attach(ev, text_of(row["mm_file_path"]), text_of(row["mm_media_name"]), text_of(row["mm_mime_type"]))
            if not ev.text and row["mm_media_caption"]:
                ev.text = text_of(row["mm_media_caption"])
        if row["ml_row"] is not None:
            ev.extra["location"] = {
                k: row[f"ml_{k}"]
                for k in ("latitude", "longitude", "place_name", "place_address", "url")
                if row[f"ml_{k}"] is not None
            }
        if row["mf_row"] is not None:
            ev.extra["forwarded"] = True
        if row["mq_row"] is not None and row["mq_key_id"]:
            ev.extra["reply_to_key_id"] = text_of(row["mq_key_id"])
        if row["ma_row"] is not None:
            ev.extra["album"] = {"images": int_of(row["ma_image_count"]), "videos": int_of(row["ma_video_count"])}
        elements = self.ui_elements.get(int(row["id"]))
        if elements:
            ev.extra["ui_elements"] = elements
            if not ev.text:
                ev.text = "\n".join(text_of(e["description"]) for e in elements if e.get("description"))
        cards = self.vcards.get(int(row["id"]))
        if cards:
            ev.extra["vcards"] = cards
            if not ev.text:
                ev.text = "\n".join(n for card in cards for n in vcard_names(card))
        type_label = type_name(mtype)
        if type_label:
            ev.extra["message_type_name"] = type_label
        elif (
            mtype is not None
            and ev.kind == "message"
            and not (ev.text or ev.attachments or ev.deleted or elements or cards)
            and not ("location" in ev.extra or "album" in ev.extra)
        ):
            w = self.warn(
                "unknown_message_type",
                f"message_type {mtype} is not a type this parser knows, and the row has no text, media, location, "
                "album, contact card or interactive elements: the message is kept with empty text and its code",
                locator,
            )
            if w:
                yield w
        yield ev

    # old schema --------------------------------------------------------------------------

    def _old_sql(self) -> str:
        s = self.s
        cols = [
            "m._id AS id",
            "m.key_remote_jid AS chat_jid",
            "m.key_from_me AS from_me",
            "m.timestamp AS ts",
            *(
                s.col("messages", "m", c)
                for c in (
                    "key_id",
                    "status",
                    "data",
                    "media_wa_type",
                    "media_name",
                    "media_caption",
                    "media_mime_type",
                    "remote_resource",
                    "latitude",
                    "longitude",
                )
            ),
        ]
        return f"SELECT {', '.join(cols)} FROM messages m ORDER BY m._id"

    def read_old(self) -> Iterator[Event | ParseWarning]:
        s, conn = self.s, self.conn
        subjects: dict[str, str] = {}
        if s.has("chat_list", "key_remote_jid", "subject"):
            for row in conn.execute("SELECT key_remote_jid, subject FROM chat_list"):
                if row["subject"]:
                    subjects[text_of(row["key_remote_jid"])] = text_of(row["subject"])
        for row in conn.execute(self._old_sql()):
            yield from self._old_row(row, subjects)
        jids: dict[int, str] = {}
        if s.has("jid", "_id", "raw_string"):
            jids = {int(r[0]): text_of(r[1]) for r in conn.execute("SELECT _id, raw_string FROM jid")}
        chats_by_jid = {j: Chat(j, subj) for j, subj in subjects.items()}
        yield from self.calls(jids, chats_by_jid)
        yield from self.warn.summaries()

    def _old_row(self, row: sqlite3.Row, subjects: dict[str, str]) -> Iterator[Event | ParseWarning]:
        locator = f"messages[_id={row['id']}]"
        chat_jid = text_of(row["chat_jid"])
        if chat_jid == str(PLACEHOLDER_CHAT):
            w = self.warn("placeholder_row", "WhatsApp's placeholder row (key_remote_jid '-1') is not a message", locator)
            if w:
                yield w
            return
        moment, warnings = self.moment(row["ts"], locator)
        yield from warnings
        if moment is None:
            return
        chat = Chat(chat_jid, subjects.get(chat_jid, ""))
        ev = self.event(moment, locator)
        status = int_of(row["status"])
        mtype = int_of(row["media_wa_type"])
        if status == OLD_STATUS_SYSTEM:
            ev.kind = "system"
        self.fill_people(ev, chat, bool(int_of(row["from_me"])), text_of(row["remote_resource"]))
        ev.text = text_of(row["data"]) or text_of(row["media_caption"])
        if status is not None:
            ev.extra["status"] = status
        if mtype is not None:
            ev.extra["media_wa_type"] = mtype
        if row["key_id"] is not None:
            ev.extra["key_id"] = text_of(row["key_id"])
        if mtype == TYPE_REVOKED:
            ev.deleted = True
        elif mtype and ev.kind != "system" and mtype not in (5, 16):
            self.attach(ev, "", text_of(row["media_name"]), text_of(row["media_mime_type"]))
        if mtype in (5, 16) and (row["latitude"] or row["longitude"]):
            ev.extra["location"] = {"latitude": row["latitude"], "longitude": row["longitude"]}
        yield ev


# -- the parser -------------------------------------------------------------------------------


def _schema_or_refuse(conn: sqlite3.Connection, file: str) -> tuple[Schema, str]:
    schema = Schema.read(conn, ("message", "messages", "chat", "jid", *SIDE_TABLES))
    if all(schema.has(t) for t in NEW_TABLES) and schema.has("message", *NEW_MESSAGE_COLS):
        missing = schema.missing("chat", "_id", "jid_row_id") + schema.missing("jid", "_id")
        if missing:
            raise ParseError(f"unexpected msgstore.db schema: missing {', '.join(missing)}", file=file)
        return schema, "new"
    if schema.has("messages", *OLD_MESSAGE_COLS):
        return schema, "old"
    if schema.has("message"):
        missing = schema.missing("message", *NEW_MESSAGE_COLS) + [m for t in ("chat", "jid") for m in schema.missing(t)]
    elif schema.has("messages"):
        missing = schema.missing("messages", *OLD_MESSAGE_COLS)
    else:
        missing = ["table message (new schema) or table messages (old schema)"]
    raise ParseError(
        f"this is not a WhatsApp msgstore.db this parser can read: missing {', '.join(missing)}",
        file=file,
        hint="Check that this is a decrypted msgstore.db from WhatsApp for Android.",
    )


def _encrypted(source: SourceFile) -> EncryptedBackup | None:
    try:
        with open(source.path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None  # open_database says so, naming the file
    return encrypted_backup(source.name, head)


def _key_files_beside(source: SourceFile, backup: EncryptedBackup) -> list[str]:
    """What the key files acquired beside an encrypted backup are (recognised by content, never parsed).

    Only siblings in the same folder whose name mentions "key" are looked at (a cheap filter; the
    content decides): WhatsApp calls them ``key`` and ``encrypted_backup.key``.
    """
    found: list[str] = []
    for name in sorted(n for n in source.siblings if "/" not in n and "key" in n.lower()):
        sib = source.siblings.get(name)
        if sib is None or sib.size > 65536:
            continue
        try:
            with open(sib.path, "rb") as fh:
                payload = key_file_payload(fh.read(4096))
        except OSError:
            continue
        if payload is None:
            continue
        if backup.server_salt and payload[3:35] == backup.server_salt:
            found.append(f"{name} (sha256 {sib.sha256}) is a WhatsApp key file whose server salt matches this backup")
        elif len(payload) == 32:
            found.append(f"{name} (sha256 {sib.sha256}) looks like an encrypted_backup.key (a 32-byte root key)")
        else:
            found.append(f"{name} (sha256 {sib.sha256}) is a WhatsApp key file ({len(payload)} bytes of key material)")
    return found


def encrypted_warning(source: SourceFile, backup: EncryptedBackup) -> ParseWarning:
    """The plain-words note for an encrypted backup: nothing was read, the file is kept, which key is needed."""
    made = f", written by WhatsApp {backup.app_version}" if backup.app_version else ""
    if backup.end_to_end:
        key = (
            "the end-to-end backup key: the 64-digit key the user wrote down, or the phone's "
            "/data/data/com.whatsapp/files/encrypted_backup.key (a password-protected backup needs the password instead)"
        )
    else:
        key = "the phone's key file /data/data/com.whatsapp/files/key (it needs root access or a forensic extraction)"
    beside = _key_files_beside(source, backup)
    note = f" Beside it: {'; '.join(beside)}." if beside else " No key file was acquired beside it."
    return ParseWarning(
        "encrypted_backup",
        f"this is an encrypted WhatsApp backup ({backup.kind}{made}); its messages cannot be read without the key, "
        f"so none were read. The file is kept as evidence, unchanged. To read it, decrypt a copy with {key}, "
        f"then add the decrypted msgstore.db to the case.{note}",
        file=source.name,
    )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a decrypted WhatsApp Android ``msgstore.db`` (or its ``.sql`` dump); an encrypted backup is only noted."""
    backup = _encrypted(source)
    if backup is not None:
        yield encrypted_warning(source, backup)
        return
    wal_notes: list[ParseWarning] = []
    with open_database(source, wal_notes) as conn:
        schema, which = _schema_or_refuse(conn, source.name)
        contacts, names_note = load_contacts(source, wal_notes)
        names = Names(contacts, _own_push_name(conn, schema))
        desc = {"new": "new schema (tables message, chat, jid)", "old": "old schema (table messages with key_remote_jid)"}[which]
        yield ParseWarning(
            "schema",
            f"WhatsApp Android msgstore.db, {desc}; times are stored as UTC instants, no time zone was assumed",
            file=source.name,
        )
        yield names_note
        yield from wal_notes
        reader = Reader(source, conn, schema, names)
        yield from reader.read_new() if which == "new" else reader.read_old()


def _format_list() -> tuple[str, ...]:
    return (
        "WhatsApp Android msgstore.db, decrypted (2021+ 'message' schema and the older 'messages' schema)",
        "WhatsApp Android wa.db beside it (contact names, wa_vnames business names)",
        "Encrypted backups (.crypt12/.crypt14/.crypt15): recognised and noted, not decrypted",
        "SQL text dump (.sql) of either",
    )


PARSER = ParserInfo(
    name="whatsapp_android_db",
    platform=PLATFORM,
    description="WhatsApp for Android message database (decrypted msgstore.db, with wa.db for names)",
    formats=_format_list(),
    sniff=sniff,
    parse=parse,
    media_types=("application/vnd.sqlite3", "application/x-sqlite3", "text/plain"),
    limits=(
        "Encrypted backups (.crypt12/14/15) are recognised and kept but not decrypted: decrypt them first with the "
        "phone's key. A msgstore.db-wal beside the database is applied (a private copy is read). "
        "System notices keep WhatsApp's action code, "
        "not its wording. Media files are linked only when acquired beside the database under the same file name. "
        "A .sql dump is recognised only when its WhatsApp CREATE TABLE statements are in its first 64 KiB "
        "(otherwise pass --format whatsapp_android_db). wa.db on its own yields no events."
    ),
    references=("https://github.com/frozenspider/chat-history-manager (test databases used in the corpus)",),
    identity_keys=("sender_jid",),
    fixtures=("whatsapp_db/android_*/*.db",),
    corpus_seeds=("whatsapp_db/*msgstore.sql",),
)
