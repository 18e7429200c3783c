"""Undated events: kept, counted and listed, never placed on a time axis (docs/events.md).

An event whose source gives no time has ``timestamp = None``. Every time-based figure (contacts
per period, the hour x weekday table, the course-of-conduct figures, before/after a marker)
leaves it out, and whoever shows such a figure states how many were left out, in the one wording
of :func:`excluded_note`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from cyberevidence.analysis.contacts import CONTACT_KINDS
from cyberevidence.events import Event


@dataclass(slots=True)
class UndatedTally:
    """How many undated events a pass over the timeline met, and (up to ``keep``) which."""

    keep: int = 1000
    total: int = 0
    #: Undated events of a contact kind (message, call, e-mail ...), any direction.
    contacts: int = 0
    #: Undated incoming contacts per person (what a chart of incoming contacts leaves out).
    incoming_by_person: Counter[str] = field(default_factory=Counter)
    events: list[Event] = field(default_factory=list)

    def add(self, ev: Event) -> bool:
        """Count ``ev`` if it is undated; ``True`` when it was (the caller then skips it)."""
        if ev.timestamp is not None:
            return False
        self.total += 1
        if ev.kind in CONTACT_KINDS:
            self.contacts += 1
            if ev.direction == "incoming":
                self.incoming_by_person[ev.person] += 1
        if len(self.events) < self.keep:
            self.events.append(ev)
        return True


def count_undated(events: Iterable[Event], *, contacts_only: bool = True) -> int:
    """Undated events (of a contact kind unless ``contacts_only`` is false) in ``events``."""
    return sum(
        1 for ev in events if ev.timestamp is None and (not contacts_only or ev.kind in CONTACT_KINDS)
    )


def excluded_note(count: int, what: str = "contacts") -> str:
    """The sentence that goes with a time-based figure: how many undated events it leaves out."""
    if count == 0:
        return ""
    return (
        f"{count:,} undated {what} (the source gives no time) are not in these figures; "
        "they are listed under 'Undated events'."
    )
