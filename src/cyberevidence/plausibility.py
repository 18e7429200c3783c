"""Checks run on what a parser read, after it read it: is the result plausible for this file?

A parser can accept a file and still read it wrongly (a mailbox taken for one e-mail, a chat
whose every line is unparsed, times read in the wrong unit). These checks do not change what was
read; each finding is a located :class:`~cyberevidence.events.ParseWarning` with an
``implausible_*`` :class:`~cyberevidence.warning_codes.WarningCode`, kept with the parse like any
other warning. The rules are stated in ``docs/detection.md`` ("Plausibility after the parse").

Memory is bounded: counters, the first located example of each finding and the largest event.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Final

from cyberevidence.events import Event, ParseWarning
from cyberevidence.warning_codes import WarningCode

#: Instants before this are implausible for the messaging and e-mail evidence this tool reads.
EARLIEST_PLAUSIBLE: Final = datetime(1990, 1, 1, tzinfo=UTC)
#: One event holding more than this share of the file's bytes (in a file of many records) ...
ONE_EVENT_SHARE: Final = 0.5
#: ... in a file at least this big (a short chat with one long message is normal).
ONE_EVENT_MIN_FILE: Final = 64 * 1024
#: Warnings at least this share of (events + warnings) ...
WARNING_SHARE: Final = 0.9
#: ... and at least this many of them.
WARNING_MIN: Final = 20
#: Parsers whose file is one record by design (an .eml, a .msg, a photo): "one event holds most of
#: the file" is what they should give, so that check does not apply to them.
ONE_RECORD_PARSERS: Final = frozenset({"case_record", "email_message", "outlook_msg", "photo", "screenshot"})


#: The warning codes these checks give, declared with their meaning in :class:`~cyberevidence.warning_codes.WarningCode`.
#: An event's instant is before 1990-01-01 UTC (often a wrong epoch unit or a zero date).
TIME_BEFORE_1990: Final = "implausible_time_before_1990"
#: An event's instant is after the end of tomorrow (UTC) as measured when the file was parsed.
TIME_AFTER_TOMORROW: Final = "implausible_time_in_future"
#: One event's text holds most of the bytes of a file that should hold many records.
ONE_EVENT_HOLDS_FILE: Final = "implausible_one_event_holds_file"
#: Almost every record of the file gave a warning rather than an event.
MOSTLY_WARNINGS: Final = "implausible_mostly_warnings"
PLAUSIBILITY_CODES: Final = frozenset({TIME_BEFORE_1990, TIME_AFTER_TOMORROW, ONE_EVENT_HOLDS_FILE, MOSTLY_WARNINGS})


class PlausibilityCheck:
    """Fed every item of one parse (:meth:`see`); :meth:`findings` gives the warnings at the end."""

    def __init__(self, parser: str, file: str, file_size: int, now: datetime | None = None) -> None:
        self.parser = parser
        self.file = file
        self.file_size = file_size
        now = now or datetime.now(UTC)
        self.latest = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=2)
        self.events = 0
        self.warnings = 0
        self.early = 0
        self.first_early = ""
        self.late = 0
        self.first_late = ""
        self.largest = 0
        self.largest_at = ""

    def see(self, item: Event | ParseWarning) -> None:
        if isinstance(item, ParseWarning):
            if item.code not in PLAUSIBILITY_CODES:
                self.warnings += 1
            return
        self.events += 1
        ts = item.timestamp
        if ts is not None:
            if ts < EARLIEST_PLAUSIBLE:
                self.early += 1
                self.first_early = self.first_early or f"{item.source.locator} ({ts.isoformat()})"
            elif ts >= self.latest:
                self.late += 1
                self.first_late = self.first_late or f"{item.source.locator} ({ts.isoformat()})"
        size = len(item.text) if len(item.text) * 4 < self.largest else len(item.text.encode("utf-8", "replace"))
        if size > self.largest:
            self.largest, self.largest_at = size, item.source.locator

    def findings(self) -> Iterator[ParseWarning]:
        if self.early:
            yield self._warn(
                TIME_BEFORE_1990,
                f"{self.early} of {self.events} event(s) are dated before 1990-01-01 UTC (first: {self.first_early}); "
                "the file may have been read in the wrong time unit or format",
                self.first_early.split(" (", 1)[0],
            )
        if self.late:
            yield self._warn(
                TIME_AFTER_TOMORROW,
                f"{self.late} of {self.events} event(s) are dated after {self.latest.date().isoformat()} "
                f"(first: {self.first_late}); the file may have been read in the wrong time unit or format",
                self.first_late.split(" (", 1)[0],
            )
        if (
            self.parser not in ONE_RECORD_PARSERS
            and self.file_size >= ONE_EVENT_MIN_FILE
            and self.largest > ONE_EVENT_SHARE * self.file_size
        ):
            yield self._warn(
                ONE_EVENT_HOLDS_FILE,
                f"one event holds {self.largest} of the file's {self.file_size} bytes; several records may have "
                f"been read as one (check the parser {self.parser!r} suits this file)",
                self.largest_at,
            )
        total = self.events + self.warnings
        if self.warnings >= WARNING_MIN and self.warnings >= WARNING_SHARE * total:
            yield self._warn(
                MOSTLY_WARNINGS,
                f"{self.warnings} of the file's {total} record(s) gave a warning and only {self.events} an event; "
                f"the parser {self.parser!r} may not suit this file",
                "whole file",
            )

    def _warn(self, code: str, message: str, locator: str) -> ParseWarning:
        return ParseWarning(WarningCode(code).value, message, locator=locator, file=self.file)


def checked(items: Iterator[Event | ParseWarning], check: PlausibilityCheck) -> Iterator[Event | ParseWarning]:
    """``items`` unchanged, each seen by ``check``, then the check's findings."""
    for item in items:
        check.see(item)
        yield item
    yield from check.findings()
