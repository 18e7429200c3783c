"""Open a SQLite input the only safe way: read-only, immutable, untrusted schema.

Evidence databases (``msgstore.db``, ``chat.db``, Signal's ``db.sqlite``) are written by apps
and may be crafted. We parse the *stored copy*, never the original, and open it with
``mode=ro&immutable=1`` so SQLite takes no locks, writes no journal or WAL and never changes a
byte. ``trusted_schema=OFF`` stops views and triggers in a hostile schema from calling
functions with side effects. A database that is not SQLite, or is damaged, raises
:class:`~cyberevidence.errors.ParseError` naming the file.

A SQL text dump (``.sql``) is loaded into a private in-memory database with
:func:`load_sql_dump`; the dump's statements run only against that throwaway database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from cyberevidence.errors import ParseError

SQLITE_MAGIC = b"SQLite format 3\x00"


def _harden(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA query_only=ON")


@contextmanager
def open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
    """Yield a read-only, immutable connection to the SQLite file at ``path``."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ParseError(f"cannot read the database: {exc.strerror}", file=path) from exc
    if magic != SQLITE_MAGIC:
        raise ParseError("not a SQLite database (wrong header); is it encrypted?", file=path,
                         hint="Decrypt the database first, or check that this is the right file.")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ParseError(f"cannot open the database: {exc}", file=path) from exc
    try:
        conn.row_factory = sqlite3.Row
        _harden(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield conn
    except sqlite3.DatabaseError as exc:
        raise ParseError(f"the database is damaged or unreadable: {exc}", file=path) from exc
    finally:
        conn.close()


def table_names(conn: sqlite3.Connection) -> set[str]:
    """Names of the tables in ``conn`` (lower-cased), for schema-version checks."""
    return {str(r[0]).lower() for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def column_names(conn: sqlite3.Connection, table: str) -> set[str]:
    """Column names of ``table`` (lower-cased); empty when the table is missing."""
    if not table.replace("_", "").isalnum():
        raise ValueError(f"not a plain table name: {table!r}")
    return {str(r[1]).lower() for r in conn.execute(f"PRAGMA table_info({table})")}


def load_sql_dump(path: Path, *, max_bytes: int = 512 * 1024 * 1024) -> sqlite3.Connection:
    """Load a SQL text dump into a new in-memory database and return it (caller closes).

    The dump runs only against the private ``:memory:`` database; ``ATTACH`` and
    ``load_extension`` are refused by an authorizer, so a hostile dump cannot reach a file.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(f"the SQL dump is {size} bytes, above the {max_bytes}-byte limit", file=path)
    script = path.read_text(encoding="utf-8", errors="replace")
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row

    def authorizer(action: int, *_args: object) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorizer)
    try:
        conn.executescript(script)
    except sqlite3.Error as exc:
        conn.close()
        raise ParseError(f"the SQL dump does not load: {exc}", file=path) from exc
    conn.execute("PRAGMA trusted_schema=OFF")
    return conn
