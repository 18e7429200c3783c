"""Reading X/Twitter archive data files: ``window.YTD.<name>.partN = <JSON>``.

The prefix is JavaScript, the rest is plain JSON. The prefix is matched (never executed), then
the JSON array is streamed with ``ijson`` one record at a time, so a 50 MB ``tweets.js`` costs
one record of memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, Final

import ijson

from cyberevidence.events import ParseWarning
from cyberevidence.parsers.kit.jsonread import (
    Builder,
    GuardedReader,
    JsonGuard,
    duplicate_message,
    may_hold_surrogates,
    warnings_from,
    without_surrogates,
)
from cyberevidence.parsers.kit.jsonread import load as load_document

#: ``window.YTD.direct_messages.part0 = `` (a BOM and blank space before it are tolerated).
PREFIX: Final = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
#: Small files read whole (account.js, manifest.js); anything bigger is refused for them.
SMALL_LIMIT: Final = 16 * 1024 * 1024

Opener = Callable[[], BinaryIO]

_MONTHS: Final = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_TWEET_TIME: Final = re.compile(r"\A[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})\Z")


def ytd_name(head: bytes) -> tuple[str, int] | None:
    """``("direct_messages", 0)`` for a data file's head, else ``None``."""
    m = PREFIX.match(head)
    if m is None:
        return None
    return m.group(1).decode("ascii"), int(m.group(2))


class _AfterPrefix:
    """A stream that starts after the ``window.YTD...=`` prefix."""

    def __init__(self, fh: BinaryIO, rest: bytes) -> None:
        self._fh, self._rest = fh, rest

    def read(self, n: int = -1) -> bytes:
        if not self._rest:
            return self._fh.read(n)
        if n < 0:
            out, self._rest = self._rest + self._fh.read(), b""
            return out
        out, self._rest = self._rest[:n], self._rest[n:]
        return out


@dataclass(frozen=True, slots=True)
class Damaged:
    """The JSON broke after ``index`` complete records."""

    index: int
    reason: str


def stream_records(
    fh: BinaryIO, notes: list[ParseWarning] | None = None, file: str = "", prefix: str = ""
) -> Iterator[tuple[int, Any] | Damaged]:
    """Each element of the top-level array with its index; a :class:`Damaged` marker ends a broken file.

    ``fh`` must be positioned at the start (the prefix is skipped here). The bytes pass through a
    :class:`~cyberevidence.parsers.kit.jsonread.JsonGuard`: a huge number, a lone surrogate escape or
    an over-long string is kept as far as it can be, and a duplicate key is noted; such findings are
    appended to ``notes`` (located ``<prefix>$[i]``) before the record is yielded.
    """
    head = fh.read(4096)
    m = PREFIX.match(head)
    if m is None:
        yield Damaged(0, "the file does not start with 'window.YTD.<name>.partN ='")
        return
    guard = JsonGuard()
    body = GuardedReader(_AfterPrefix(fh, head[m.end() :]), guard)
    count = 0
    found: list[tuple[str, str, str]] = []
    try:
        builder: Builder | None = None
        depth = 0
        for event, value in ijson.basic_parse(body, use_float=True):
            if builder is None:
                if depth == 0:
                    depth = 1 if event == "start_array" else 0
                    if event != "start_array":
                        return
                    continue
                if event == "end_array":
                    return
                builder = Builder(f"$[{count}]")
            if guard.fixes and isinstance(value, str):
                value = guard.resolve_str(value, "", found)
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            if depth > 1:
                continue
            for path, key, values in builder.duplicates:
                found.append(("duplicate_key", duplicate_message(key, values), f"{path}.{key}"))
            if found and notes is not None:
                notes.extend(warnings_from(found, file, f"{prefix}$[{count}]"))
            found = []
            yield count, without_surrogates(builder.value)
            builder = None
            count += 1
    except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
        yield Damaged(count, str(exc) or type(exc).__name__)


def read_small(fh: BinaryIO, notes: list[ParseWarning] | None = None) -> Any:
    """The whole JSON value after the prefix (for account.js and manifest.js). Raises ``ValueError``."""
    data = fh.read(SMALL_LIMIT + 1)
    if len(data) > SMALL_LIMIT:
        raise ValueError(f"larger than {SMALL_LIMIT} bytes")
    m = PREFIX.match(data)
    if m is None:
        raise ValueError("the file does not start with 'window.YTD.<name>.partN ='")
    text = data[m.end() :].decode("utf-8").strip().rstrip(";")
    try:
        doc, found = load_document(text)
        if notes is not None:
            notes.extend(found)
        return without_surrogates(doc) if may_hold_surrogates(text) else doc
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


def parse_iso_utc(value: Any) -> tuple[datetime, bool] | None:
    """``2021-01-02T09:00:00.000Z`` → (aware UTC, False); a time without offset → (read as UTC, True)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc), True
    return moment.astimezone(timezone.utc), False


def parse_tweet_time(value: Any) -> datetime | None:
    """``Wed Oct 10 20:19:24 +0000 2018`` (locale-independent) → aware UTC; ISO also accepted."""
    if not isinstance(value, str):
        return None
    m = _TWEET_TIME.match(value.strip())
    if m is None:
        iso = parse_iso_utc(value)
        return iso[0] if iso and not iso[1] else None
    mon = _MONTHS.get(m.group(1).lower())
    if mon is None:
        return None
    sign = 1 if m.group(6) == "+" else -1
    offset_min = sign * (int(m.group(7)) * 60 + int(m.group(8)))
    try:
        local = datetime(int(m.group(9)), mon, int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
    except ValueError:
        return None
    return (local - timedelta(minutes=offset_min)).replace(tzinfo=timezone.utc)
