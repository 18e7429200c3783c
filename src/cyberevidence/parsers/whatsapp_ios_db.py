"""WhatsApp for iPhone: the message database ``ChatStorage.sqlite`` (from a backup or the app's container).

This module states the rules it applies; ``docs/formats/whatsapp_ios_db.md`` says the same for
readers who do not read code. It is the precise twin of the iOS chat export read by the
``whatsapp`` parser: same ``platform="whatsapp"``, same thread and sender naming where the database
allows, so a later dedupe step can merge the two.

Inputs
------
* ``ChatStorage.sqlite`` (SQLite, a Core Data store), opened only through
  ``sqlite_ro.open_readonly`` (read-only, immutable, ``trusted_schema`` off) on the stored copy;
  a ``ChatStorage.sqlite-wal`` acquired beside it (or beside ``ContactsV2.sqlite``/``LID.sqlite``)
  is applied by reading a private copy of database and log (:mod:`cyberevidence.sqlite_wal`;
  ``wal_applied`` / ``wal_not_applied``).
* A SQL text dump of one (``.sql``), loaded into a private in-memory database.

Recognising the file (sniff): the SQLite header, then the tables ``ZWAMESSAGE`` and
``ZWACHATSESSION``, read by opening the stored copy through ``open_readonly`` (only the schema
pages are read; the head alone may not hold them). A ``.sql`` dump is recognised from its
``CREATE TABLE`` text in the first 64 KiB. The check never raises; any error means "not mine".

Schema
------
Required: ``ZWAMESSAGE`` (``Z_PK``, ``ZCHATSESSION``, ``ZISFROMME``, ``ZMESSAGEDATE``) and
``ZWACHATSESSION`` (``Z_PK``, ``ZCONTACTJID``); otherwise :class:`ParseError` says what is missing.
Read when present: ``ZWAMESSAGE.ZTEXT``, ``ZFROMJID``, ``ZTOJID``, ``ZMESSAGETYPE``,
``ZGROUPEVENTTYPE``, ``ZGROUPMEMBER``, ``ZMEDIAITEM``, ``ZSTANZAID``; ``ZWACHATSESSION.ZPARTNERNAME``;
``ZWAGROUPMEMBER`` (``ZMEMBERJID``, ``ZCONTACTNAME``); ``ZWAMEDIAITEM`` (``ZMEDIALOCALPATH``,
``ZTITLE``, ``ZVCARDSTRING``, ``ZLATITUDE``, ``ZLONGITUDE``); ``ZWAPROFILEPUSHNAME`` (``ZJID``,
``ZPUSHNAME``).

Events
------
* Every ``ZWAMESSAGE`` row is one event; a row without a usable time is reported
  (``no_timestamp``) instead. Locator: ``ZWAMESSAGE[Z_PK=N]``.
* Time: ``ZMESSAGEDATE`` is seconds since 2001-01-01 **UTC** (Core Data), an instant, kept to the
  millisecond; no time zone is assumed. An instant before 2009 is kept and reported.
* ``kind`` from ``ZMESSAGETYPE``: 6 (group event) and 10 (status notice) are ``system``, except
  10 with ``ZGROUPEVENTTYPE`` 1 or 4, which are missed voice / video calls (``kind="call"``,
  ``call_type`` ``voice``/``video``, ``extra["missed"]=True``); everything else is ``message``.
  A system notice has ``sender=""`` and ``direction="unknown"`` and keeps its stored text.
* ``direction``: the database states it: ``ZISFROMME`` = 1 is ``outgoing``, else ``incoming``.
* ``thread``: ``ZWACHATSESSION.ZPARTNERNAME`` (the contact's or group's name as the phone shows it,
  which is also the name in the export's file name), else the address-book name (below), else the
  phone number ``+<digits>`` of the chat's JID, else the JID (kept in ``extra["chat_jid"]``).
* Newer versions key a one-to-one session by the contact's LID (``<digits>@lid``, not a phone
  number) while its messages carry the phone JID. When the LID's phone JID is known (below) it is
  kept in ``extra["chat_phone_jid"]``.
* Contact databases beside it (never required; each is named like this file with "ChatStorage"
  replaced, else by its plain name): ``ContactsV2.sqlite`` (``ZWAADDRESSBOOKCONTACT``: ``ZWHATSAPPID``
  -> ``ZFULLNAME``, else ``ZBUSINESSNAME``; ``ZLID``; text stored as BLOBs is read as UTF-8) gives
  address-book names; ``LID.sqlite`` (``ZWAPHONENUMBERLIDPAIR``: ``ZLID`` <-> ``ZPHONENUMBER``) and
  ``ZWAADDRESSBOOKCONTACT.ZLID`` join LIDs to phone JIDs. A ``contact_names`` warning says which
  were used; one that cannot be read is a warning, never a failure. Neither yields events itself.
* ``sender``: outgoing -> "" (the database does not store your own name); incoming in a group ->
  the member (``ZGROUPMEMBER`` -> ``ZWAGROUPMEMBER``): ``ZCONTACTNAME``, else the address-book
  name from ``ContactsV2.sqlite``, else the WhatsApp name
  from ``ZWAPROFILEPUSHNAME`` (the export shows it as ``~ Name``; the ``~`` is not kept, as in the
  txt parser), else ``+<digits>``, else the JID, falling back to ``ZFROMJID`` when there is no
  member row; incoming one-to-one -> the chat's name. ``extra["sender_jid"]`` keeps the JID.
  Bidirectional marks (U+200E/U+200F ...) are removed from names. ``recipients``: in a one-to-one
  chat, the contact when outgoing; otherwise empty.
* Text: ``ZTEXT``, else the media caption ``ZWAMEDIAITEM.ZTITLE``.
* ``deleted`` when ``ZMESSAGETYPE`` is 14 ("This message was deleted"). The schema has no edit
  record that this parser knows, so ``edited`` is never set.
* Media (types 1 image, 2 video, 3 audio, 8 document, 11 GIF, 15 sticker): an :class:`Attachment`
  named after the file name of ``ZMEDIALOCALPATH``, with the SHA-256 of the sibling of that exact
  name when it was acquired beside the database; otherwise ``sha256=""`` and
  ``media_omitted=True``. ``extra["media_path"]`` keeps the stored path. Locations (type 5) keep
  ``ZLATITUDE``/``ZLONGITUDE`` in ``extra["location"]``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.parsers._wadb_common import (
    Schema,
    Warner,
    dump_tables,
    int_of,
    is_group_jid,
    link_attachment,
    media_file_name,
    open_database,
    phone_of_jid,
    plausibility,
    sqlite_schema,
    text_of,
    utc_from_apple_seconds,
)
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.sqlite_ro import SQLITE_MAGIC

PLATFORM: Final = "whatsapp"
MESSAGE_COLS: Final = ("Z_PK", "ZCHATSESSION", "ZISFROMME", "ZMESSAGEDATE")
SESSION_COLS: Final = ("Z_PK", "ZCONTACTJID")
TABLES: Final = ("ZWAMESSAGE", "ZWACHATSESSION", "ZWAGROUPMEMBER", "ZWAMEDIAITEM", "ZWAPROFILEPUSHNAME")

TYPE_GROUP_EVENT: Final = 6
TYPE_STATUS: Final = 10
TYPE_DELETED: Final = 14
TYPE_LOCATION: Final = 5
MEDIA_TYPES: Final = frozenset({1, 2, 3, 8, 11, 15})
#: ZGROUPEVENTTYPE of a type-10 row that records a missed call, and the call's type.
MISSED_CALLS: Final = {1: "voice", 4: "video"}
_BIDI_RE: Final = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(value: object) -> str:
    return _BIDI_RE.sub("", text_of(value)).strip()


# -- sniffing ---------------------------------------------------------------------------------


def sniff(source: SourceFile, head: bytes) -> bool:
    """A SQLite ChatStorage.sqlite or its SQL dump; never raises."""
    try:
        if head.startswith(SQLITE_MAGIC):
            schema = sqlite_schema(source.path, ())
            return schema.has("zwamessage") and schema.has("zwachatsession")
        return bool(head) and {"zwamessage", "zwachatsession"} <= dump_tables(head)
    except Exception:  # a sniffer must never break detection
        return False


# -- the parser -------------------------------------------------------------------------------


def _schema_or_refuse(conn: sqlite3.Connection, file: str) -> Schema:
    schema = Schema.read(conn, TABLES)
    missing = schema.missing("ZWAMESSAGE", *MESSAGE_COLS) + schema.missing("ZWACHATSESSION", *SESSION_COLS)
    if missing:
        raise ParseError(
            f"this is not a WhatsApp ChatStorage.sqlite this parser can read: missing {', '.join(missing)}",
            file=file,
            hint="Check that this is ChatStorage.sqlite from WhatsApp for iPhone.",
        )
    return schema


def _sql(s: Schema) -> str:
    cols = [
        "m.Z_PK AS id",
        "m.ZCHATSESSION AS session",
        "m.ZISFROMME AS from_me",
        "m.ZMESSAGEDATE AS ts",
        *(
            s.col("ZWAMESSAGE", "m", c, c.lower())
            for c in ("ZTEXT", "ZFROMJID", "ZTOJID", "ZMESSAGETYPE", "ZGROUPEVENTTYPE", "ZSTANZAID")
        ),
        "c.ZCONTACTJID AS chat_jid",
        s.col("ZWACHATSESSION", "c", "ZPARTNERNAME", "partner"),
    ]
    joins = ["LEFT JOIN ZWACHATSESSION c ON c.Z_PK = m.ZCHATSESSION"]
    if s.has("ZWAMESSAGE", "ZGROUPMEMBER") and s.has("ZWAGROUPMEMBER", "Z_PK"):
        joins.append("LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER")
        cols += [
            s.col("ZWAGROUPMEMBER", "g", "ZMEMBERJID", "member_jid"),
            s.col("ZWAGROUPMEMBER", "g", "ZCONTACTNAME", "member_name"),
        ]
    else:
        cols += ["NULL AS member_jid", "NULL AS member_name"]
    media_cols = ("ZMEDIALOCALPATH", "ZTITLE", "ZVCARDSTRING", "ZLATITUDE", "ZLONGITUDE")
    if s.has("ZWAMESSAGE", "ZMEDIAITEM") and s.has("ZWAMEDIAITEM", "Z_PK"):
        joins.append("LEFT JOIN ZWAMEDIAITEM i ON i.Z_PK = m.ZMEDIAITEM")
        cols += ["i.Z_PK AS media_row", *(s.col("ZWAMEDIAITEM", "i", c, c.lower()) for c in media_cols)]
    else:
        cols += ["NULL AS media_row", *(f"NULL AS {c.lower()}" for c in media_cols)]
    return f"SELECT {', '.join(cols)} FROM ZWAMESSAGE m {' '.join(joins)} ORDER BY m.Z_PK"


def _push_names(conn: sqlite3.Connection, s: Schema) -> dict[str, str]:
    if not s.has("ZWAPROFILEPUSHNAME", "ZJID", "ZPUSHNAME"):
        return {}
    return {text_of(r[0]): clean_name(r[1]) for r in conn.execute("SELECT ZJID, ZPUSHNAME FROM ZWAPROFILEPUSHNAME") if r[1]}


@dataclass(slots=True)
class Book:
    """What the contact databases beside ChatStorage.sqlite say: names by phone JID, LID -> phone JID."""

    names: dict[str, str] = field(default_factory=dict)
    phone_of_lid: dict[str, str] = field(default_factory=dict)

    def name(self, jid: str) -> str:
        return self.names.get(jid) or self.names.get(self.phone_of_lid.get(jid, ""), "")


def _lid(value: object) -> str:
    raw = text_of(value).strip()
    return raw if "@" in raw or not raw else f"{raw}@lid"


def _phone_jid(value: object) -> str:
    raw = text_of(value).strip().lstrip("+")
    if "@" in raw:
        return raw
    return f"{raw}@s.whatsapp.net" if raw.isdigit() else ""


def _sibling(source: SourceFile, stem: str) -> SourceFile | None:
    lowered = source.name.lower()
    candidates = []
    if "chatstorage" in lowered:
        i = lowered.index("chatstorage")
        candidates.append(source.name[:i] + stem + source.name[i + len("chatstorage") :])
    candidates += [f"{stem}.sqlite", f"{stem}.sql"]
    for name in candidates:
        if name != source.name and name in source.siblings:
            return source.siblings[name]
    return None


def _read_contacts(conn: sqlite3.Connection, book: Book) -> int:
    s = Schema.read(conn, ("ZWAADDRESSBOOKCONTACT",))
    if not s.has("ZWAADDRESSBOOKCONTACT", "ZWHATSAPPID"):
        raise ParseError("it has no ZWAADDRESSBOOKCONTACT table with a ZWHATSAPPID column")
    cols = ", ".join(
        s.col("ZWAADDRESSBOOKCONTACT", "c", c, c.lower()) for c in ("ZWHATSAPPID", "ZFULLNAME", "ZBUSINESSNAME", "ZLID")
    )
    n = 0
    for row in conn.execute(f"SELECT {cols} FROM ZWAADDRESSBOOKCONTACT c"):
        jid = _phone_jid(row["zwhatsappid"])
        if not jid:
            continue
        n += 1
        name = clean_name(row["zfullname"]) or clean_name(row["zbusinessname"])
        if name:
            book.names.setdefault(jid, name)
        lid = _lid(row["zlid"])
        if lid:
            book.phone_of_lid.setdefault(lid, jid)
    return n


def _read_lids(conn: sqlite3.Connection, book: Book) -> int:
    s = Schema.read(conn, ("ZWAPHONENUMBERLIDPAIR",))
    if not s.has("ZWAPHONENUMBERLIDPAIR", "ZLID", "ZPHONENUMBER"):
        raise ParseError("it has no ZWAPHONENUMBERLIDPAIR table with ZLID and ZPHONENUMBER columns")
    n = 0
    for row in conn.execute("SELECT ZLID, ZPHONENUMBER FROM ZWAPHONENUMBERLIDPAIR"):
        lid, jid = _lid(row[0]), _phone_jid(row[1])
        if lid and jid:
            book.phone_of_lid[lid] = jid
            n += 1
    return n


def load_book(source: SourceFile) -> tuple[Book, list[ParseWarning]]:
    """Names and LID pairs from ContactsV2.sqlite / LID.sqlite beside ``source``; never fails.

    A ``-wal`` beside either is applied; what was done is among the notes returned.
    """
    book = Book()
    notes: list[ParseWarning] = []
    for stem, reader, what in (("ContactsV2", _read_contacts, "contact(s)"), ("LID", _read_lids, "LID pair(s)")):
        sib = _sibling(source, stem)
        if sib is None:
            continue
        try:
            with open_database(sib, notes, siblings=source.siblings) as conn:
                n = reader(conn, book)
        except (ParseError, sqlite3.Error) as exc:
            notes.append(
                ParseWarning(
                    "contact_names",
                    f"the contacts database {sib.name} beside this file could not be used ({exc}); names come from "
                    "ChatStorage.sqlite alone",
                    file=source.name,
                )
            )
            continue
        notes.append(
            ParseWarning(
                "contact_names",
                f"{n} {what} were taken from {sib.name} (sha256 {sib.sha256}), acquired beside this file",
                file=source.name,
            )
        )
    return book, notes


def _member_name(jid: str, contact_name: str, push: dict[str, str], book: Book) -> str:
    return contact_name or book.name(jid) or push.get(jid, "") or phone_of_jid(jid) or jid


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a WhatsApp iOS ``ChatStorage.sqlite`` (or its ``.sql`` dump)."""
    wal_notes: list[ParseWarning] = []
    with open_database(source, wal_notes) as conn:
        schema = _schema_or_refuse(conn, source.name)
        push = _push_names(conn, schema)
        warn = Warner(source.name)
        yield ParseWarning(
            "schema",
            "WhatsApp iOS ChatStorage.sqlite (Core Data tables ZWAMESSAGE, ZWACHATSESSION); "
            "times are stored as UTC instants (seconds since 2001-01-01), no time zone was assumed",
            file=source.name,
        )
        book, notes = load_book(source)
        yield from notes
        yield from wal_notes
        for row in conn.execute(_sql(schema)):
            yield from _row(row, source, push, warn, book)
        yield from warn.summaries()


def _row(row: sqlite3.Row, source: SourceFile, push: dict[str, str], warn: Warner, book: Book) -> Iterator[Event | ParseWarning]:
    locator = f"ZWAMESSAGE[Z_PK={row['id']}]"
    moment = utc_from_apple_seconds(row["ts"])
    if moment is None:
        w = warn("no_timestamp", f"the row has no usable time ({row['ts']!r}); it is not shown in the timeline", locator)
        if w:
            yield w
        return
    w = plausibility(moment, warn, locator)
    if w:
        yield w
    if row["chat_jid"] is None:
        w = warn("unknown_chat", f"the message points at chat session {row['session']!r}, not in ZWACHATSESSION", locator)
        if w:
            yield w
    chat_jid = text_of(row["chat_jid"])
    group = is_group_jid(chat_jid)
    chat_phone = book.phone_of_lid.get(chat_jid, "")
    thread = clean_name(row["partner"]) or book.name(chat_jid) or phone_of_jid(chat_phone or chat_jid) or chat_jid
    mtype = int_of(row["zmessagetype"])
    gevent = int_of(row["zgroupeventtype"])
    from_me = bool(int_of(row["from_me"]))

    ev = Event(timestamp=moment, platform=PLATFORM, kind="message", source=SourceRef(source.sha256, locator), thread=thread)
    ev.extra["chat_jid"] = chat_jid
    if chat_phone:
        ev.extra["chat_phone_jid"] = chat_phone
    ev.extra["from_me"] = from_me
    if mtype is not None:
        ev.extra["message_type"] = mtype
    if gevent:
        ev.extra["group_event_type"] = gevent
    if row["zstanzaid"]:
        ev.extra["stanza_id"] = text_of(row["zstanzaid"])
    ev.text = text_of(row["ztext"]) or text_of(row["ztitle"])

    if mtype == TYPE_STATUS and gevent in MISSED_CALLS:
        ev.kind = "call"
        ev.call_type = MISSED_CALLS[gevent]
        ev.extra["missed"] = True
    elif mtype in (TYPE_GROUP_EVENT, TYPE_STATUS):
        ev.kind = "system"

    if ev.kind == "system":
        actor = text_of(row["member_jid"]) or text_of(row["zfromjid"])
        if actor:
            ev.extra["actor_jid"] = actor
    elif from_me:
        ev.direction = "outgoing"
        if not group:
            ev.recipients = [thread] if thread else []
    else:
        ev.direction = "incoming"
        if group:
            jid = text_of(row["member_jid"]) or text_of(row["zfromjid"])
            ev.sender = _member_name(jid, clean_name(row["member_name"]), push, book) if jid else ""
        else:
            jid = text_of(row["zfromjid"]) or chat_jid
            ev.sender = thread
        if jid:
            ev.extra["sender_jid"] = jid
            if jid in push:
                ev.extra["sender_push_name"] = push[jid]

    if mtype == TYPE_DELETED:
        ev.deleted = True
    if mtype in MEDIA_TYPES:
        path = text_of(row["zmedialocalpath"])
        mime = text_of(row["zvcardstring"])
        mime = mime if re.fullmatch(r"[\w.+-]+/[\w.+-]+", mime) else ""
        ev.media_omitted = True
        if path:
            ev.extra["media_path"] = path
            attachment, omitted = link_attachment(media_file_name(path), mime, source)
            ev.attachments.append(attachment)
            ev.media_omitted = omitted
        if mime:
            ev.extra["mime_type"] = mime
    if mtype == TYPE_LOCATION and row["media_row"] is not None and (row["zlatitude"] or row["zlongitude"]):
        ev.extra["location"] = {"latitude": row["zlatitude"], "longitude": row["zlongitude"]}
    yield ev


PARSER = ParserInfo(
    name="whatsapp_ios_db",
    platform=PLATFORM,
    description="WhatsApp for iPhone message database (ChatStorage.sqlite)",
    formats=("WhatsApp iOS ChatStorage.sqlite", "SQL text dump (.sql) of it"),
    sniff=sniff,
    parse=parse,
    media_types=("application/vnd.sqlite3", "application/x-sqlite3", "text/plain"),
    limits=(
        "Your own name is not stored in ChatStorage.sqlite, so outgoing messages have an empty sender (direction says "
        "outgoing). Calls other than missed-call notices live in CallHistory.sqlite, which this parser does not read. "
        "Edits are not flagged. Media files are linked only when acquired beside the database under the same file name. "
        "A .sql dump is recognised only when its CREATE TABLE statements are in its first 64 KiB."
    ),
    identity_keys=("sender_jid",),
    fixtures=("whatsapp_db/ios/*.sqlite",),
)
