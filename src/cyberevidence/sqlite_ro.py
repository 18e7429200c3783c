"""Open a SQLite input the only safe way: read-only, immutable (or a private copy with its log), untrusted schema.

Evidence databases (``msgstore.db``, ``chat.db``, Signal's ``db.sqlite``) are written by apps
and may be crafted. We parse the *stored copy*, never the original, and open it with
``mode=ro&immutable=1`` so SQLite takes no locks, writes no journal or WAL and never changes a
byte. ``trusted_schema=OFF`` stops views and triggers in a hostile schema from calling
functions with side effects. A database that is not SQLite, or is damaged, raises
:class:`~cyberevidence.errors.ParseError` naming the file.

With ``wal=`` (the stored ``-wal`` acquired beside the database, checked first by
:mod:`cyberevidence.sqlite_wal`), database and log are copied into a private scratch folder
(``tempfile.mkdtemp``, mode 0700, removed on every exit path) and the *copy* is opened
``mode=ro`` without ``immutable`` so that SQLite applies the log; the stored copies are only read
as bytes. The ``-shm`` index is never copied: SQLite rebuilds it from the log in the scratch folder.

A SQL text dump (``.sql``) is loaded into a private in-memory database with
:func:`load_sql_dump`; the dump's statements run only against that throwaway database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

from cyberevidence.errors import ParseError

SQLITE_MAGIC = b"SQLite format 3\x00"


#: Built-in SQL functions a schema (generated columns, views, indexes on expressions) or a
#: parser's query may call. Everything else (``load_extension``, ``fts3_tokenizer``, any
#: application function) is refused by the authorizer.
SAFE_FUNCTIONS = frozenset(
    [
        "abs",
        "avg",
        "char",
        "coalesce",
        "count",
        "date",
        "datetime",
        "glob",
        "group_concat",
        "hex",
        "ifnull",
        "iif",
        "instr",
        "julianday",
        "json",
        "json_array",
        "json_array_length",
        "json_each",
        "json_extract",
        "json_group_array",
        "json_group_object",
        "json_object",
        "json_quote",
        "json_tree",
        "json_type",
        "json_valid",
        "length",
        "like",
        "likely",
        "lower",
        "ltrim",
        "max",
        "min",
        "nullif",
        "printf",
        "quote",
        "replace",
        "round",
        "rtrim",
        "sign",
        "strftime",
        "substr",
        "substring",
        "sum",
        "time",
        "total",
        "trim",
        "typeof",
        "unicode",
        "unixepoch",
        "unlikely",
        "upper",
        "zeroblob",
    ]
)


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_rest: object) -> int:
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_OK if (arg2 or "").lower() in SAFE_FUNCTIONS else sqlite3.SQLITE_DENY
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _READ_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


_READ_PRAGMAS = frozenset({"table_info", "table_xinfo", "index_list", "index_info", "foreign_key_list", "user_version"})


def _harden(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA query_only=ON")
    # Apps' schemas use built-in functions in generated columns (Signal: json_extract), which
    # trusted_schema=OFF refuses outright. Instead the schema is trusted only to call the
    # built-ins above: the authorizer denies every other function, ATTACH and writing pragmas.
    # The file is opened read-only (immutable, or a scratch copy when a log is applied) and
    # query_only is on, so triggers can never fire.
    conn.execute("PRAGMA trusted_schema=ON")
    conn.set_authorizer(_authorizer)


class EvidenceConnection(sqlite3.Connection):
    """A connection that can say how many log frames SQLite applied (``None``: no log was applied)."""

    wal_frames: int | None = None


#: The wal-index header SQLite keeps at the start of ``-shm`` (native byte order): iVersion,
#: unused, iChange, isInit, bigEndCksum, szPage, mxFrame (the last valid commit frame).
_WAL_INDEX_VERSION = 3007000


def _frames_sqlite_read(shm: Path) -> int | None:
    try:
        with open(shm, "rb") as fh:
            head = fh.read(20)
    except OSError:
        return None
    if len(head) < 20:
        return None
    order = "<" if sys.byteorder == "little" else ">"
    version, _unused, _change, is_init, _big, _page, mx_frame = struct.unpack(f"{order}3IBBHI", head)
    return int(mx_frame) if version == _WAL_INDEX_VERSION and is_init else None


@contextmanager
def _scratch_copy(path: Path, wal: Path, shown: str) -> Iterator[Path]:
    """Database and log copied into a fresh private folder (0700); the folder goes on every exit path."""
    folder = Path(tempfile.mkdtemp(prefix="cyberevidence-wal-"))
    try:
        os.chmod(folder, 0o700)
        target = folder / "evidence.db"
        try:
            shutil.copyfile(path, target)
            shutil.copyfile(wal, folder / "evidence.db-wal")
        except OSError as exc:
            raise ParseError(f"cannot copy the database and its log to a scratch folder: {exc.strerror}", file=shown) from exc
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def open_readonly(path: Path, *, name: str = "", wal: Path | None = None) -> Iterator[sqlite3.Connection]:
    """Yield a read-only connection to the SQLite file at ``path`` (immutable unless ``wal`` is given).

    ``name`` (the original file name) is used in error messages instead of the stored path.
    ``wal``: a write-ahead log to apply; a private scratch copy of both is opened instead (see the
    module docstring) and ``conn.wal_frames`` says how many frames SQLite applied.
    """
    shown = name or str(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ParseError(f"cannot read the database: {exc.strerror}", file=shown) from exc
    if magic != SQLITE_MAGIC:
        raise ParseError(
            "not a SQLite database (wrong header); is it encrypted?",
            file=shown,
            hint="Decrypt the database first, or check that this is the right file.",
        )
    with ExitStack() as stack:
        target = path if wal is None else stack.enter_context(_scratch_copy(path, wal, shown))
        uri = f"file:{quote(str(target.resolve()))}?mode=ro" + ("&immutable=1" if wal is None else "")
        try:
            conn = sqlite3.connect(uri, uri=True, factory=EvidenceConnection)
        except sqlite3.Error as exc:
            raise ParseError(f"cannot open the database: {exc}", file=shown) from exc
        try:
            conn.row_factory = sqlite3.Row
            _harden(conn)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if wal is not None:
                conn.wal_frames = _frames_sqlite_read(target.with_name(target.name + "-shm"))
            yield conn
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            # UnicodeDecodeError: a schema with invalid UTF-8 in a name reaches the authorizer undecodable
            raise ParseError(f"the database is damaged or unreadable: {exc}", file=shown) from exc
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


def load_sql_dump(path: Path, *, max_bytes: int = 512 * 1024 * 1024, name: str = "") -> sqlite3.Connection:
    """Load a SQL text dump into a new in-memory database and return it (caller closes).

    The dump runs only against the private ``:memory:`` database; ``ATTACH`` and
    ``load_extension`` are refused by an authorizer, so a hostile dump cannot reach a file.
    """
    shown = name or str(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(f"the SQL dump is {size} bytes, above the {max_bytes}-byte limit", file=shown)
    script = path.read_text(encoding="utf-8", errors="replace")
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row

    def authorizer(action: int, *_args: object) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorizer)
    if "\x00" in script:
        conn.close()
        raise ParseError("this is not a SQL text dump (it holds binary data)", file=shown)
    try:
        conn.executescript(script)
    except (sqlite3.Error, ValueError) as exc:
        conn.close()
        raise ParseError(f"the SQL dump does not load: {exc}", file=shown) from exc
    conn.execute("PRAGMA trusted_schema=OFF")
    return conn
