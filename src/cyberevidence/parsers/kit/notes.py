"""Warnings several sources write in the same words, written once.

``assumed_timezone`` is the one wording of "local times were read in the default zone": every
parser that reads a local time without a stated zone gives this warning once per file, so the
report, the limitations and custody's ``assumptions`` show the same sentence whatever the source.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cyberevidence.events import ParseWarning
from cyberevidence.warning_codes import WarningCode


def assumed_timezone(
    zone: ZoneInfo | str,
    *,
    file: str,
    locator: str = "",
    what: str = "local times",
    whose: str = "the exporting computer",
    why: str = "",
) -> ParseWarning:
    """The ``assumed_timezone`` warning: ``what`` was read in ``zone`` because nobody stated one.

    ``whose`` names the clock the times come from (the phone, the account); ``why`` is an optional
    first sentence saying what in the file is local time.
    """
    key = zone.key if isinstance(zone, ZoneInfo) else zone
    lead = f"{why.rstrip()} " if why else ""
    return ParseWarning(
        WarningCode.ASSUMED_TIMEZONE,
        f"{lead}{what[:1].upper()}{what[1:]} were read as {key}, the default, because no timezone was given; "
        f"if {whose} was set to another zone, parse again with --timezone ZONE (e.g. --timezone UTC or "
        "--timezone Europe/Berlin)",
        locator=locator,
        file=file,
    )


__all__ = ["assumed_timezone"]
