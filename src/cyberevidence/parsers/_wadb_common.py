"""Helpers shared by the WhatsApp database parsers (Android ``msgstore.db``, iOS ``ChatStorage.sqlite``).

* :func:`open_database` opens the stored copy the only safe way (``sqlite_ro.open_readonly``), or
  loads a ``.sql`` text dump into a private in-memory database; every failure is a
  :class:`ParseError` naming the file by its original name.
* :class:`Schema` answers "is this table / column there?" so a query never names a column the
  database lacks (optional columns are read as NULL).
* Timestamps: WhatsApp stores instants, not local times. Android: milliseconds since
  1970-01-01 UTC; iOS: seconds since 2001-01-01 UTC (Core Data). No time zone is involved.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment, ParseWarning
from cyberevidence.parsers._warnings import CappedWarnings
from cyberevidence.parsers.base import SourceFile
from cyberevidence.sqlite_ro import SQLITE_MAGIC, load_sql_dump, open_readonly

UNIX_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
APPLE_EPOCH: Final = datetime(2001, 1, 1, tzinfo=timezone.utc)
#: WhatsApp was released in 2009: an earlier instant is reported (the event is still kept).
FIRST_PLAUSIBLE: Final = datetime(2009, 1, 1, tzinfo=timezone.utc)
DAMAGED_HINT: Final = "The copy may be incomplete or damaged: acquire the database again, or ask a forensic examiner."
#: At most this many individual warnings per code; then one summary warning.

_CREATE_TABLE_RE: Final = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?(\w+)[\"`\]]?\s*\(", re.IGNORECASE)
_PLAIN_NAME_RE: Final = re.compile(r"\w+")


# -- sniffing ---------------------------------------------------------------------------------


def dump_tables(head: bytes) -> set[str]:
    """Lower-cased names of the tables a SQL text dump creates within ``head`` (never raises)."""
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
def open_database(source: SourceFile) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``source``: a SQLite file, or a ``.sql`` dump loaded in memory."""
    try:
        with open(source.path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}", file=source.name) from exc
    stored = str(source.path)
    if head.startswith(SQLITE_MAGIC):
        try:
            with open_readonly(source.path) as conn:
                yield conn
        except ParseError as exc:
            if exc.file == stored:
                raise _renamed(exc, source.name) from exc
            raise
        return
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


def phone_of_jid(jid: str) -> str:
    """``+447700900123`` for ``447700900123@s.whatsapp.net`` (a phone-number JID), else ""."""
    user, _, server = jid.partition("@")
    user = user.split(":", 1)[0].split(".", 1)[0]  # device suffixes: 4477...:12@s.whatsapp.net
    if server in ("s.whatsapp.net", "c.us") and user.isdigit():
        return f"+{user}"
    return ""


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
