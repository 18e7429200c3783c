"""Small pieces shared by the message-database parsers (Signal, iMessage, WhatsApp; private; not a parser)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Attachment
from cyberevidence.parsers._warnings import CappedWarnings
from cyberevidence.parsers.base import SourceFile

UNIX_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: At most this many individual warnings per repetitive code; then one summary warning.
#: Milliseconds outside this range are not a plausible message time (1990 .. 2100).
MS_MIN: Final = 631_152_000_000
MS_MAX: Final = 4_102_444_800_000


def from_unix_ms(value: object) -> datetime | None:
    """A Unix-epoch millisecond count as aware UTC, or ``None`` when absent or implausible."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not MS_MIN <= value <= MS_MAX:
        return None
    return UNIX_EPOCH + timedelta(milliseconds=int(value))


Warnings = CappedWarnings


#: What a SQL text dump starts with once blank lines and ``--``/``/* */`` comments are skipped: a statement.
_SQL_START_RE: Final = re.compile(
    rb"(?:\s|--[^\n]*\n|/\*.*?\*/)*(?:PRAGMA|BEGIN|CREATE|INSERT|DROP|SET|START|DELETE|UPDATE|ALTER|WITH|ANALYZE|REPLACE)\b",
    re.IGNORECASE | re.DOTALL,
)


def starts_like_sql(head: bytes) -> bool:
    """The text opens with a SQL statement (after blank lines and comments), as ``sqlite3 .dump`` and the usual
    dump tools write: a Python script or a document that merely quotes ``CREATE TABLE`` is not a dump."""
    return _SQL_START_RE.match(head.removeprefix(b"\xef\xbb\xbf")) is not None


def link_attachment(source: SourceFile, name: str, path: str, media_type: str) -> tuple[Attachment, bool]:
    """An :class:`Attachment` linked to a sibling file of the same base name, if one was acquired.

    Returns the attachment and whether the file was found. ``path`` is the app's stored path
    (Signal's ``attachments.noindex`` relative path, iMessage's ``~/Library/...`` path); only its
    base name, or else ``name``, is matched against the files acquired beside the database.
    """
    candidates = [posixpath.basename(path.replace("\\", "/"))] if path else []
    if name:
        candidates.append(name)
    for candidate in candidates:
        sib = source.siblings.get(candidate) if candidate else None
        if sib is not None:
            return Attachment(name or candidate, sib.sha256, media_type or sib.media_type), True
    return Attachment(name or (candidates[0] if candidates else "attachment"), "", media_type), False


@contextmanager
def named_errors(source: SourceFile) -> Iterator[None]:
    """Re-raise a :class:`ParseError` about the stored copy's path so it names the original file."""
    try:
        yield
    except ParseError as exc:
        text = str(exc)
        prefix = f"{exc.file}: "
        message = text[len(prefix) :] if exc.file and text.startswith(prefix) else text
        if exc.file == source.name:
            raise
        raise ParseError(message, file=source.name, locator=exc.locator, hint=exc.hint) from exc
