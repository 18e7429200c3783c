"""Local wall-clock times to UTC: one converter, with a DST-fold policy each parser states.

A local time with no zone is read in the zone of :class:`~cyberevidence.parsers.base.ParseOptions`
(stated or assumed; the parser says which, see ``kit/notes.py``). Two instants need a rule:

* **gap** (the hour skipped when clocks go forward): always converted with the offset in force
  *before* the change (PEP 495 ``fold=0``), flagged ``time_ambiguous`` with a note;
* **fold** (the hour repeated when clocks go back): the parser chooses a :class:`FoldPolicy`:
  ``EARLIER`` reads the first occurrence; ``BY_ORDER`` reads the first occurrence unless an
  earlier record of the same stream is already later than it (then only the second occurrence
  keeps the file's order). Either way the event is flagged and its note says which rule decided.

The rule a format uses is written in its format doc (docs/formats/).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from cyberevidence.timeutil import localize


class FoldPolicy(StrEnum):
    """How a repeated local hour (clocks going back) is read."""

    #: The first (earlier) occurrence, always; for files with no order to go by.
    EARLIER = "earlier"
    #: The first occurrence, unless an earlier record of the same stream is already later than it.
    BY_ORDER = "by_order"


@dataclass(frozen=True, slots=True)
class Converted:
    """A UTC instant for a local time, with what had to be decided to get it."""

    utc: datetime
    ambiguous: bool = False
    note: str = ""
    gap: bool = False
    fold: bool = False
    #: Read as a local time in the parse's zone (the file stated no offset).
    local: bool = False


def describe_offset(offset: timedelta | None) -> str:
    """``UTC+01:00`` (``UTC`` for no offset)."""
    if offset is None:
        return "UTC"
    total = int(offset.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"UTC{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


class LocalClock:
    """Local times of one stream (a chat, a file), in file order, to UTC in ``tz`` under ``policy``."""

    def __init__(self, tz: ZoneInfo, policy: FoldPolicy) -> None:
        self.tz = tz
        self.policy = policy
        self.last_utc: datetime | None = None

    def reset(self) -> None:
        """A new stream begins (a new chat): ``BY_ORDER`` forgets the instants seen so far."""
        self.last_utc = None

    def convert(self, naive: datetime) -> Converted:
        first = localize(naive, self.tz, fold=0)
        shown = f"{naive:%Y-%m-%d %H:%M:%S}"
        zone = self.tz.key
        if first.in_gap:
            off = naive.replace(tzinfo=self.tz, fold=0).utcoffset()
            note = (
                f"local time {shown} does not exist in {zone} (the clocks went forward); "
                f"converted with the offset in force before the change ({describe_offset(off)})"
            )
            out = Converted(first.utc, True, note, gap=True)
        elif first.in_fold:
            where = f"local time {shown} occurred twice in {zone} (the clocks went back)"
            if self.policy is FoldPolicy.BY_ORDER and self.last_utc is not None and self.last_utc > first.utc:
                off = naive.replace(tzinfo=self.tz, fold=1).utcoffset()
                note = (
                    f"{where}; read as the second occurrence ({describe_offset(off)}), resolved by message order: "
                    "an earlier message of this chat is already later than the first occurrence"
                )
                out = Converted(localize(naive, self.tz, fold=1).utc, True, note, fold=True)
            else:
                off = naive.replace(tzinfo=self.tz, fold=0).utcoffset()
                note = f"{where}; unresolved: earlier instant assumed ({describe_offset(off)})"
                out = Converted(first.utc, True, note, fold=True)
        else:
            out = Converted(first.utc)
        self.note_instant(out.utc)
        return out

    def note_instant(self, utc: datetime) -> None:
        """Remember an instant of this stream (also those stated in UTC) for ``BY_ORDER``."""
        if self.last_utc is None or utc > self.last_utc:
            self.last_utc = utc


def convert_local(naive: datetime, tz: ZoneInfo) -> Converted:
    """One local time with no stream to go by (``FoldPolicy.EARLIER``)."""
    return replace(LocalClock(tz, FoldPolicy.EARLIER).convert(naive), local=True)


__all__ = ["Converted", "FoldPolicy", "LocalClock", "convert_local", "describe_offset"]
