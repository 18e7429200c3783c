"""Typed exceptions. Every error names the file and says what to do next.

The CLI turns these into plain-language messages; scripts can catch them by type. Messages and
hints never name a command-line flag: where the fix is a choice the caller makes, the error says
which one in :attr:`CyberEvidenceError.setting` (a :class:`Setting`), and each interface words it
its own way – the CLI as its flag (``--date-order``), the API as the argument (``date_order=``).
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path


class Setting(StrEnum):
    """A choice the caller can make to resolve an error; the value is the API's argument name."""

    DATE_ORDER = "date_order"
    TIMEZONE = "timezone"
    FORMAT = "format"
    EXAMINER = "examiner"
    SCRATCH = "scratch"
    INITIALS = "initials"
    PASSWORD = "password"
    PATTERNS = "patterns"


class CyberEvidenceError(Exception):
    """Base class for every error this library raises on purpose."""

    #: A short instruction for the person running the tool (never a command-line flag).
    hint: str = ""
    #: The choice that resolves it, if one does (the CLI names its flag, the API its argument).
    setting: Setting | None = None

    def __init__(self, message: str, *, hint: str = "", setting: Setting | None = None) -> None:
        super().__init__(message)
        if hint:
            self.hint = hint
        if setting is not None:
            self.setting = setting


class NotACaseError(CyberEvidenceError):
    """The folder is not a cyberevidence case (no readable case.json)."""

    hint = "Check the folder name, or create the case first (it needs the examiner's name)."

    def __init__(self, message: str, *, path: str | Path = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        #: The folder that is not a case, as it was given.
        self.path = str(path)


class CaseExistsError(CyberEvidenceError):
    """Refusing to create a case over an existing, non-empty folder."""

    hint = "Choose a new folder name for the case."


class CaseLockedError(CyberEvidenceError):
    """Another process holds the case's write lock for longer than we waited."""

    hint = "Another cyberevidence command is writing to this case. Wait for it to finish and try again."


class InputNotFoundError(CyberEvidenceError):
    """An input path given to add/parse does not exist or cannot be read."""


class UnknownFormatError(CyberEvidenceError):
    """No parser recognises the input, or an unknown parser name was given."""

    hint = "See the list of supported formats, or name the parser that should read this file."
    setting = Setting.FORMAT


class ParseError(CyberEvidenceError):
    """A parser could not continue. Carries the file and a locator (line or JSON path)."""

    def __init__(
        self, message: str, *, file: str | Path = "", locator: str = "", hint: str = "", setting: Setting | None = None
    ) -> None:
        self.file = str(file)
        self.locator = locator
        where = f"{self.file}" + (f" at {locator}" if locator else "")
        super().__init__(f"{where}: {message}" if where else message, hint=hint, setting=setting)


class DateOrderAmbiguousError(ParseError):
    """The file's dates could be day-first or month-first and nothing in it decides."""

    hint = "Say which comes first in this file's dates: the day (dmy, as in the UK) or the month (mdy, as in the US)."
    setting = Setting.DATE_ORDER


class UnsafeArchiveError(ParseError):
    """An archive member breaks a safety rule (zip bomb, path traversal, link, encryption)."""

    hint = "The archive may be damaged or crafted. Keep the original, and ask a digital forensic examiner to look at it."


class DamagedArchiveError(UnsafeArchiveError):
    """An archive (or one of its members) is damaged: cut short, a corrupt stream, a bad checksum."""

    hint = (
        "The archive is damaged (often a download or copy that was cut short). It is kept in the case as it is; "
        "ask for a fresh copy of the export, and ask an examiner if nothing else exists."
    )


class EncryptedInputError(CyberEvidenceError):
    """An archive or file is encrypted, so nothing in it can be read."""

    hint = (
        "Ask for the export again without a password (unencrypted). The encrypted file is kept in the case as "
        "evidence as it is; nothing was read from it."
    )


class SpecialFileError(InputNotFoundError):
    """An input given to ``add`` is not a regular file or folder (a FIFO, device, socket or symbolic link).

    It is refused without being opened: reading a FIFO or device could hang or never end.
    """

    hint = "Give the real file (copy it to a regular file first), or the folder that holds it."


class OutputFolderError(CyberEvidenceError):
    """An output that must be a new folder was given a file, a non-empty folder, or a name ending like a file."""

    hint = "Give the name of a new folder."


class PeopleFileError(CyberEvidenceError):
    """The people TOML file is malformed or breaks the people-file contract."""

    hint = "Check the people file against docs/people.md; each [[person]] needs a name and a role."


class SigningError(CyberEvidenceError):
    """Signing or signature checking failed (missing key, wrong key type, missing extra)."""


class CustodyDamagedError(CyberEvidenceError):
    """The custody log has a line that is not a valid entry, so nothing may be appended to it."""

    hint = "Do not change the case. Run 'cyberevidence verify CASE' to see what is wrong, and ask an examiner."


class StorageFullError(CyberEvidenceError):
    """A write to the case failed because its disk is full; nothing written so far is lost."""

    hint = "Free some space on the disk that holds the case, then run the same command again to finish the work."


class IndexMismatchError(CyberEvidenceError):
    """``index.sqlite`` does not match what the custody log says was written to it."""

    hint = (
        "Run 'cyberevidence verify CASE' to see what differs, then 'cyberevidence rebuild CASE' to rebuild the index "
        "from the preserved evidence and the custody log."
    )


#: ``errno`` values that mean the disk, or the user's quota on it, is full.
FULL_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full: ENOSPC/EDQUOT, or SQLite's "database or disk is full"."""
    if isinstance(exc, StorageFullError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in FULL_DISK_ERRNOS
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return (isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_FULL) or "database or disk is full" in str(exc)
    return False


def storage_full(path: str | Path, exc: BaseException) -> StorageFullError:
    """The :class:`StorageFullError` for a failed write to ``path`` (``exc``: what the system said)."""
    said = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StorageFullError(f"{path}: the disk is full ({said}); this write was not made, and nothing written before it is lost")


def as_storage_full(exc: BaseException, path: str | Path) -> BaseException:
    """``exc`` itself, or a :class:`StorageFullError` naming the file when ``exc`` says the disk is full.

    The file is the one the system named (``OSError.filename``), else ``path``.
    """
    if isinstance(exc, StorageFullError) or not is_storage_full(exc):
        return exc
    named = exc.filename if isinstance(exc, OSError) and exc.filename else path
    return storage_full(named, exc)


@contextmanager
def naming_full_disk(path: str | Path) -> Iterator[None]:
    """Turn a full-disk ``OSError`` or SQLite error raised inside into a :class:`StorageFullError` naming ``path``."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        if is_storage_full(exc):
            raise storage_full(path, exc) from exc
        raise
