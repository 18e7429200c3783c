"""One way for parser tests to parse a fixture: the caseless ``cyberevidence.parse`` (the host's
warning cap and plausibility check included, as a case would run it), events and warnings kept."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cyberevidence import parse
from cyberevidence.events import Event, ParseWarning


def parse_fixture(path: Path, *, tz: str | None = None, fmt: str | None = None) -> tuple[list[Event], list[ParseWarning]]:
    """``(events, warnings)`` of ``path``; ``tz`` the stated zone (``None``: assumed), ``fmt`` a forced parser."""
    warnings: list[ParseWarning] = []
    events = list(parse(path, timezone=tz, format=fmt, warnings=warnings))
    return events, warnings


def of(warnings: list[ParseWarning], code: str) -> list[ParseWarning]:
    """The warnings with ``code``, in order."""
    return [w for w in warnings if w.code == code]


def codes(warnings: list[ParseWarning]) -> Counter[str]:
    """How many warnings of each code."""
    return Counter(w.code for w in warnings)
