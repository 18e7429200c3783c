"""Switching to a runner-up parser when the chosen one's reading is implausible.

Detection keeps every parser that accepted a file (``detect.Detection.candidates``). When the
chosen parser's reading fails a plausibility check (``plausibility.py``), each runner-up is tried
in the rule's order in a dry run (members hashed, nothing stored, nothing logged); the first whose
reading is plausible replaces it, and the switch is recorded: a ``parser_switched`` warning naming
both parsers and why, and ``detection_switch`` in the parse entry. The rule and its bounds are in
``docs/detection.md`` ("Switching to a runner-up"). ``--format`` never switches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from cyberevidence.archive import archive_scope
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers.base import ParseOptions, ParserInfo, SourceFile
from cyberevidence.plausibility import PLAUSIBILITY_CODES, PlausibilityCheck, checked
from cyberevidence.warning_codes import WarningCode

#: The warning a switch gives (declared with its meaning in :class:`~cyberevidence.warning_codes.WarningCode`).
PARSER_SWITCHED: Final = "parser_switched"
#: At most this many runners-up are tried for one file (each costs one more reading of it).
MAX_TRIALS = 3


@dataclass(frozen=True, slots=True)
class Reading:
    """What one parser made of a file: counts and the plausibility findings (codes) it gave."""

    parser: str
    events: int
    warnings: int
    findings: tuple[str, ...] = ()
    error: str = ""

    @property
    def plausible(self) -> bool:
        """At least one event, no finding, no error: a reading a switch may adopt."""
        return self.events > 0 and not self.findings and not self.error

    def said(self) -> str:
        """``whatsapp: 3 event(s), 40 warning(s), implausible_mostly_warnings`` (for messages)."""
        what = ", ".join(self.findings) or (f"stopped: {self.error}" if self.error else "plausible")
        return f"{self.parser}: {self.events} event(s), {self.warnings} warning(s), {what}"

    def to_json(self) -> dict[str, object]:
        d: dict[str, object] = {"parser": self.parser, "events": self.events, "warnings": self.warnings}
        d["findings"] = list(self.findings)
        if self.error:
            d["error"] = self.error
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, object]) -> Reading:
        raw = d.get("findings", [])
        findings = tuple(str(f) for f in raw) if isinstance(raw, list) else ()
        return cls(str(d.get("parser", "")), _int(d.get("events")), _int(d.get("warnings")), findings, str(d.get("error", "")))


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


@dataclass(frozen=True, slots=True)
class Switch:
    """The chosen parser's reading was implausible and a runner-up's was not: the runner-up is used."""

    first: Reading
    adopted: Reading
    #: Runners-up tried before ``adopted`` whose readings were not plausible either.
    rejected: tuple[Reading, ...] = field(default=())

    def message(self) -> str:
        tried = "".join(f"; also tried {r.said()}" for r in self.rejected)
        return (
            f"read with {self.adopted.parser} instead of {self.first.parser}: detection chose {self.first.parser}, "
            f"but its reading was implausible ({self.first.said()}); the runner-up {self.adopted.said()}{tried}. "
            f"To read it with {self.first.parser} anyway, give that format explicitly"
        )

    def warning(self, file: str) -> ParseWarning:
        return ParseWarning(WarningCode(PARSER_SWITCHED).value, self.message(), locator="whole file", file=file)

    def to_json(self) -> dict[str, object]:
        """``detection_switch`` of the parse entry in custody."""
        return {
            "from": self.first.parser,
            "to": self.adopted.parser,
            "why": list(self.first.findings),
            "first": self.first.to_json(),
            "adopted": self.adopted.to_json(),
            "rejected": [r.to_json() for r in self.rejected],
        }

    @classmethod
    def from_json(cls, d: Mapping[str, object]) -> Switch:
        def reading(key: str) -> Reading:
            raw = d.get(key)
            return Reading.from_json(raw if isinstance(raw, Mapping) else {})

        raw = d.get("rejected", [])
        rejected = tuple(Reading.from_json(r) for r in raw if isinstance(r, Mapping)) if isinstance(raw, list) else ()
        return cls(reading("first"), reading("adopted"), rejected)


def reading_of(parser: str, items: Iterable[Event | ParseWarning]) -> Reading:
    """Count what a parse gave; its ``implausible_*`` warnings are its findings."""
    events = warnings = 0
    findings: list[str] = []
    for item in items:
        if isinstance(item, Event):
            events += 1
        else:
            warnings += 1
            if item.code in PLAUSIBILITY_CODES and item.code not in findings:
                findings.append(item.code)
    return Reading(parser, events, warnings, tuple(findings))


def trial(info: ParserInfo, source: SourceFile, options: ParseOptions, now: datetime | None = None) -> Reading:
    """Read ``source`` with ``info`` without keeping anything (members hashed only), checked as a real parse is."""
    from cyberevidence.errors import CyberEvidenceError
    from cyberevidence.standalone import HashOnlyContext  # the caseless parse's context: nothing stored

    try:
        with archive_scope(source.path, source.name):
            check = PlausibilityCheck(info.name, source.name, source.size, now=now)
            return reading_of(info.name, checked(info.parse(source, HashOnlyContext(options)), check))
    except (CyberEvidenceError, OSError, ValueError) as exc:
        return Reading(info.name, 0, 0, (), f"{type(exc).__name__}: {exc}"[:300])


def find_switch(
    first: Reading,
    runners_up: Iterable[ParserInfo],
    source: SourceFile,
    options: ParseOptions,
    now: datetime | None = None,
) -> Switch | None:
    """The first runner-up (in the rule's order, at most :data:`MAX_TRIALS`) whose reading is plausible,
    when ``first`` is not; ``None`` when ``first`` is plausible or no runner-up does better."""
    if not first.findings:
        return None
    rejected: list[Reading] = []
    for info in list(runners_up)[:MAX_TRIALS]:
        got = trial(info, source, options, now)
        if got.plausible:
            return Switch(first, got, tuple(rejected))
        rejected.append(got)
    return None
