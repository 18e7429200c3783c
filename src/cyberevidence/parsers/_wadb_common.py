"""Helpers shared by the WhatsApp database parsers (Android ``msgstore.db``, iOS ``ChatStorage.sqlite``).

* :func:`open_database` opens the stored copy the only safe way (``sqlite_ro.open_readonly``), or
  loads a ``.sql`` text dump into a private in-memory database; every failure is a
  :class:`ParseError` naming the file by its original name.
* :class:`Schema` answers "is this table / column there?" so a query never names a column the
  database lacks (optional columns are read as NULL).
* Timestamps: WhatsApp stores instants, not local times. Android: milliseconds since
  1970-01-01 UTC; iOS: seconds since 2001-01-01 UTC (Core Data). No time zone is involved.
* :func:`encrypted_backup` recognises an encrypted Android backup (``.crypt12``, ``.crypt14``,
  ``.crypt15``) by its header; :func:`key_file_payload` recognises WhatsApp's ``key`` /
  ``encrypted_backup.key`` files (a Java-serialised ``byte[]``). Neither is ever read as messages.
* A ``-wal`` file acquired beside a database is applied (:mod:`cyberevidence.sqlite_wal`): pass
  ``wal_notes`` to :func:`open_database` and yield what it appends (``wal_applied``,
  ``wal_frames_not_applied``, ``wal_not_applied``).
"""

from __future__ import annotations

import re
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, ParseWarning
from cyberevidence.parsers._msgdb_common import starts_like_sql
from cyberevidence.parsers._warnings import CappedWarnings
from cyberevidence.parsers.base import SourceFile
from cyberevidence.sqlite_ro import SQLITE_MAGIC, load_sql_dump, open_readonly
from cyberevidence.sqlite_wal import open_applying_wal

UNIX_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
APPLE_EPOCH: Final = datetime(2001, 1, 1, tzinfo=timezone.utc)
#: WhatsApp was released in 2009: an earlier instant is reported (the event is still kept).
FIRST_PLAUSIBLE: Final = datetime(2009, 1, 1, tzinfo=timezone.utc)
DAMAGED_HINT: Final = "The copy may be incomplete or damaged: acquire the database again, or ask a forensic examiner."
#: At most this many individual warnings per code; then one summary warning.

_CREATE_TABLE_RE: Final = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?(\w+)[\"`\]]?\s*\(", re.IGNORECASE)
_PLAIN_NAME_RE: Final = re.compile(r"\w+")
#: The first four bytes of a SQLite write-ahead log (big- or little-endian checksums).
_WAL_MAGIC: Final = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


# -- sniffing ---------------------------------------------------------------------------------


def dump_tables(head: bytes) -> set[str]:
    """Lower-cased names of the tables a SQL text dump creates within ``head``; none when ``head`` does not open
    with a SQL statement (:func:`starts_like_sql`). Never raises."""
    if not starts_like_sql(head):
        return set()
    text = head.decode("utf-8", errors="replace")
    return {m.group(1).lower() for m in _CREATE_TABLE_RE.finditer(text)}


def is_sql_dump_head(head: bytes) -> bool:
    return bool(dump_tables(head))


def sqlite_schema(path: Path, wanted: Iterable[str]) -> Schema:
    """The columns of the ``wanted`` tables of the SQLite file at ``path`` (opened read-only)."""
    with open_readonly(path) as conn:
        return Schema.read(conn, wanted)


# -- opening ----------------------------------------------------------------------------------


def _renamed(exc: ParseError, name: str) -> ParseError:
    """The same error, naming the file by its original name instead of the stored copy's path."""
    prefix = f"{exc.file}" + (f" at {exc.locator}" if exc.locator else "") + ": "
    message = str(exc).removeprefix(prefix)
    hint = exc.hint or DAMAGED_HINT
    return ParseError(message, file=name, locator=exc.locator, hint=hint)


@contextmanager
def open_database(
    source: SourceFile,
    wal_notes: list[ParseWarning] | None = None,
    siblings: Mapping[str, SourceFile] | None = None,
) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``source``: a SQLite file, or a ``.sql`` dump loaded in memory.

    With ``wal_notes``, a ``<name>-wal`` acquired beside a SQLite file (looked up in ``siblings``,
    default ``source.siblings``) is applied and what was done is appended to ``wal_notes``.
    """
    try:
        with open(source.path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}", file=source.name) from exc
    stored = str(source.path)
    if head.startswith(SQLITE_MAGIC):
        try:
            if wal_notes is None:
                with open_readonly(source.path) as conn:
                    yield conn
            else:
                with open_applying_wal(source, wal_notes, siblings=siblings) as conn:
                    yield conn
        except ParseError as exc:
            if exc.file == stored:
                raise _renamed(exc, source.name) from exc
            raise
        return
    if head[:4] in _WAL_MAGIC:
        raise ParseError(
            "this is a SQLite write-ahead log (-wal), not a database; it holds changes to the database of the same name",
            file=source.name,
            hint="Keep it with the evidence beside its database (named <database>-wal): it is applied when the database is read.",
        )
    if key_file_payload(head) is not None:
        raise ParseError(
            "this is a WhatsApp key file (a Java-serialised byte array), not a message database",
            file=source.name,
            hint="Keep it with the evidence: it is what decrypts the .crypt12/.crypt14/.crypt15 backups of the same phone.",
        )
    if not is_sql_dump_head(head):
        raise ParseError(
            "not a SQLite database (wrong header) and not a SQL text dump; is it still encrypted (.crypt14/.crypt15)?",
            file=source.name,
            hint="Decrypt the database first, or check that this is the right file.",
        )
    try:
        conn = load_sql_dump(source.path)
    except ParseError as exc:
        raise (_renamed(exc, source.name) if exc.file == stored else exc) from exc
    try:
        conn.execute("PRAGMA query_only=ON")
        yield conn
    except sqlite3.DatabaseError as exc:
        raise ParseError(f"the database is damaged or unreadable: {exc}", file=source.name, hint=DAMAGED_HINT) from exc
    finally:
        conn.close()


# -- schema -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schema:
    """Lower-cased table names and, for the tables asked about, their lower-cased columns."""

    tables: frozenset[str]
    columns: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: sqlite3.Connection, wanted: Iterable[str]) -> Schema:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        tables = frozenset(str(r[0]).lower() for r in rows)
        columns: dict[str, frozenset[str]] = {}
        for table in wanted:
            t = table.lower()
            if t in tables and _PLAIN_NAME_RE.fullmatch(t):
                columns[t] = frozenset(str(r[1]).lower() for r in conn.execute(f"PRAGMA table_info({t})"))
        return cls(tables, columns)

    def has(self, table: str, *cols: str) -> bool:
        t = table.lower()
        return t in self.tables and all(c.lower() in self.columns.get(t, frozenset()) for c in cols)

    def missing(self, table: str, *cols: str) -> list[str]:
        """What of ``table(cols)`` is absent, as readable names ("table message", "message.from_me")."""
        t = table.lower()
        if t not in self.tables:
            return [f"table {table}"]
        have = self.columns.get(t, frozenset())
        return [f"{table}.{c}" for c in cols if c.lower() not in have]

    def col(self, table: str, alias: str, column: str, name: str = "") -> str:
        """``alias.column AS name`` when the column exists, else ``NULL AS name`` (names are constants)."""
        label = name or column
        return f"{alias}.{column} AS {label}" if self.has(table, column) else f"NULL AS {label}"


# -- values -----------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str | bytes):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def utc_from_unix_ms(value: object) -> datetime | None:
    """Android: integer milliseconds since 1970-01-01 UTC; None when absent, not positive or out of range."""
    n = _number(value)
    if n is None or n <= 0:
        return None
    try:
        return UNIX_EPOCH + timedelta(milliseconds=round(n))
    except OverflowError:
        return None


def utc_from_apple_seconds(value: object) -> datetime | None:
    """iOS: seconds (with a fraction) since 2001-01-01 UTC, kept to the millisecond; None when absent or out of range."""
    n = _number(value)
    if n is None or n <= 0:
        return None
    try:
        return APPLE_EPOCH + timedelta(milliseconds=round(n * 1000))
    except OverflowError:
        return None


def text_of(value: object) -> str:
    """A column's text; bytes are decoded as UTF-8 with replacement; NULL is ""."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def int_of(value: object) -> int | None:
    n = _number(value)
    if n is None:
        return None
    try:
        return int(n)
    except (OverflowError, ValueError):
        return None


# -- handles ----------------------------------------------------------------------------------


def is_group_jid(jid: str) -> bool:
    return jid.endswith("@g.us")


#: A JID stored without its server (very old msgstore.db rows: ``key_remote_jid='436604444333'``)
#: is a phone number when it is 5 to 15 ASCII digits (E.164 allows at most 15).
_BARE_NUMBER_RE: Final = re.compile(r"[0-9]{5,15}")


def phone_of_jid(jid: str) -> str:
    """``+447700900123`` for ``447700900123@s.whatsapp.net`` (or a bare ``447700900123``), else ""."""
    if "@" not in jid:
        return f"+{jid}" if _BARE_NUMBER_RE.fullmatch(jid) else ""
    user, _, server = jid.partition("@")
    user = user.split(":", 1)[0].split(".", 1)[0]  # device suffixes: 4477...:12@s.whatsapp.net
    if server in ("s.whatsapp.net", "c.us") and user.isdigit():
        return f"+{user}"
    return ""


def canonical_jid(jid: str) -> str:
    """The JID as wa.db keys it: a bare phone number gets its ``@s.whatsapp.net`` server back."""
    return f"{jid}@s.whatsapp.net" if "@" not in jid and _BARE_NUMBER_RE.fullmatch(jid) else jid


# -- media ------------------------------------------------------------------------------------


def media_file_name(path: str) -> str:
    """The file name of a media path as the app stored it (``Media/WhatsApp Images/IMG-….jpg`` -> ``IMG-….jpg``)."""
    return PurePosixPath(path.replace("\\", "/")).name if path else ""


def link_attachment(name: str, media_type: str, source: SourceFile) -> tuple[Attachment, bool]:
    """An attachment for ``name``; with the digest of the sibling file of that exact name when it was acquired.

    Returns the attachment and whether the file itself is missing (``media_omitted``).
    """
    sibling = source.siblings.get(name) if name else None
    if sibling is not None:
        return Attachment(name=name, sha256=sibling.sha256, media_type=sibling.media_type or media_type), False
    return Attachment(name=name, sha256="", media_type=media_type), True


# -- warnings ---------------------------------------------------------------------------------


Warner = CappedWarnings


def plausibility(moment: datetime, warn: Warner, locator: str) -> ParseWarning | None:
    """A warning when an instant is before WhatsApp existed or in the far future (the event is kept)."""
    if moment < FIRST_PLAUSIBLE or moment.year > 2100:
        return warn(
            "implausible_timestamp",
            f"the stored time {moment:%Y-%m-%d %H:%M:%S} UTC is outside WhatsApp's lifetime; it is kept as stored",
            locator,
        )
    return None


# -- encrypted backups and key files ----------------------------------------------------------

#: Java serialisation of a ``byte[]``: stream magic, TC_ARRAY, class descriptor "[B".
_JAVA_BYTE_ARRAY: Final = b"\xac\xed\x00\x05ur\x00\x02[B"
_CRYPT_SUFFIX_RE: Final = re.compile(r"\.crypt(\d{1,2})$", re.IGNORECASE)
_APP_VERSION_RE: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4}){2,3}")
#: The header of a .crypt12 (and .crypt8 .. .crypt11): 2 version bytes, 1 key-version byte, the
#: 32-byte server salt, the 16-byte Google-ID salt and the 16-byte IV.
_OLD_CRYPT_HEADER: Final = 67


@dataclass(frozen=True, slots=True)
class EncryptedBackup:
    """What the header of an encrypted Android backup says (nothing is decrypted)."""

    kind: str  # "crypt12", "crypt14", "crypt15", ... (from the header; the name's suffix if it is silent)
    app_version: str = ""  # WhatsApp version that wrote it (crypt14/15 headers only)
    end_to_end: bool = False  # crypt15: needs the 64-digit backup key / encrypted_backup.key
    server_salt: bytes = b""  # crypt12/14: the same 32 bytes are in the phone's key file


def key_file_payload(head: bytes) -> bytes | None:
    """The bytes of a WhatsApp ``key`` / ``encrypted_backup.key`` file (Java ``byte[]``), else None."""
    # then the 8-byte serialVersionUID, flags, no fields, TC_ENDBLOCKDATA 'x', TC_NULL 'p', the length
    at = len(_JAVA_BYTE_ARRAY) + 11
    if not head.startswith(_JAVA_BYTE_ARRAY) or head[at : at + 2] != b"xp" or len(head) < at + 6:
        return None
    (size,) = struct.unpack(">i", head[at + 2 : at + 6])
    payload = head[at + 6 : at + 6 + size]
    return payload if 16 <= size <= 4096 and len(payload) == size else None


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def _protobuf(buf: bytes) -> dict[int, list[int | bytes]]:
    """The fields of a protobuf message (varints and length-delimited only); ValueError if it is not one."""
    fields: dict[int, list[int | bytes]] = {}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field 0")
        value: int | bytes
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            size, i = _varint(buf, i)
            if i + size > len(buf):
                raise ValueError("truncated field")
            value, i = buf[i : i + size], i + size
        else:
            raise ValueError("unexpected wire type")
        fields.setdefault(number, []).append(value)
    return fields


def _first(fields: dict[int, list[int | bytes]], number: int, kind: type[int] | type[bytes]) -> int | bytes | None:
    for value in fields.get(number, []):
        if isinstance(value, kind):
            return value
    return None


def _crypt14_15(head: bytes) -> EncryptedBackup | None:
    """The protobuf prefix of a .crypt14/.crypt15: its size byte, an optional 0x01 flag, then BackupPrefix."""
    if len(head) < 3:
        return None
    size = head[0]
    start = 2 if head[1] == 0x01 else 1
    try:
        prefix = _protobuf(head[start : start + size])
        info_raw = _first(prefix, 4, bytes)
        info = _protobuf(info_raw) if isinstance(info_raw, bytes) else {}
    except ValueError:
        return None
    key_type = _first(prefix, 1, int)
    version_raw = _first(info, 1, bytes)
    version = version_raw.decode("ascii", "replace") if isinstance(version_raw, bytes) else ""
    if len(head) < start + size or key_type not in (0, 1) or not _APP_VERSION_RE.fullmatch(version):
        return None
    if key_type == 1:
        return EncryptedBackup("crypt15", version, end_to_end=True)
    salt = b""
    cipher_raw = _first(prefix, 2, bytes)
    if isinstance(cipher_raw, bytes):
        try:
            salt_raw = _first(_protobuf(cipher_raw), 3, bytes)
        except ValueError:
            salt_raw = None
        salt = salt_raw if isinstance(salt_raw, bytes) and len(salt_raw) == 32 else b""
    return EncryptedBackup("crypt14", version, server_salt=salt)


def encrypted_backup(name: str, head: bytes) -> EncryptedBackup | None:
    """An encrypted WhatsApp Android backup recognised by its header, else None (never raises).

    * .crypt14 / .crypt15: a protobuf prefix naming the WhatsApp version that wrote it; recognised
      by content alone, whatever the file is called.
    * .crypt12 and older: the header is two version bytes ``00 01`` and random salts, too little
      to tell alone, so the name's ``.cryptNN`` suffix (N <= 12) must agree.
    """
    if head.startswith(SQLITE_MAGIC):
        return None
    found = _crypt14_15(head)
    if found is not None:
        return found
    suffix = _CRYPT_SUFFIX_RE.search(name)
    if suffix and int(suffix.group(1)) <= 12 and head[:2] == b"\x00\x01" and len(head) > _OLD_CRYPT_HEADER:
        return EncryptedBackup(f"crypt{int(suffix.group(1))}", server_salt=head[3:35])
    return None
