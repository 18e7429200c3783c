"""The warning cap, applied once by the host around every parser's stream.

A parser yields every warning it finds; the host (the case ingest and the caseless
:func:`cyberevidence.parse`) passes the stream through :func:`capped`, which keeps the first
:data:`WARNING_CAP` warnings of each (file, code) with their locators and, at the end, one
summary warning per capped (file, code) saying how many more there were. Nothing is dropped
silently, and the index stays small whatever a damaged export repeats a million times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from cyberevidence.events import Event, ParseWarning

#: How many warnings of one code, for one file, are stored one by one (the rest are counted).
WARNING_CAP: Final = 1000



class WarningCap:
    """Counts warnings per (file, code); :meth:`admit` says whether one is stored one by one."""

    def __init__(self, cap: int = WARNING_CAP) -> None:
        if cap < 1:
            raise ValueError("the warning cap must keep at least one warning of each code")
        self.cap = cap
        self.counts: dict[tuple[str, str], int] = {}

    def admit(self, warning: ParseWarning) -> bool:
        key = (warning.file, str(warning.code))
        n = self.counts.get(key, 0) + 1
        self.counts[key] = n
        return n <= self.cap

    @property
    def seen(self) -> int:
        """Every warning the parser yielded, stored or not."""
        return sum(self.counts.values())

    @property
    def not_stored(self) -> int:
        """Warnings counted but not stored one by one (each capped code has a summary instead)."""
        return sum(n - self.cap for n in self.counts.values() if n > self.cap)

    def summaries(self) -> Iterator[ParseWarning]:
        """One warning per capped (file, code): how many more there were, under the same code."""
        for (file, code), n in self.counts.items():
            if n > self.cap:
                more = n - self.cap
                yield ParseWarning(
                    code,
                    f"{more} more '{code}' warning(s) like the ones above were not stored one by one "
                    f"(the first {self.cap} of each code are kept for each file)",
                    locator="",
                    file=file,
                )


def capped(stream: Iterable[Event | ParseWarning], cap: WarningCap | None = None) -> Iterator[Event | ParseWarning]:
    """``stream`` with each (file, code) capped at ``cap.cap`` warnings and the summaries at the end."""
    counter = cap or WarningCap()
    for item in stream:
        if isinstance(item, ParseWarning) and not counter.admit(item):
            continue
        yield item
    yield from counter.summaries()


__all__ = ["WARNING_CAP", "WarningCap", "capped"]
