"""Markers and breaches: what happened after the victim drew a line.

For each marker (asked to stop, blocked, police warning, report made, order served, court date)
this counts the person's contacts before and after it, per platform and per account. After a
*boundary* marker (stop request, block, police warning, order served) every later contact from
that person is listed as a **potential breach**, with links to the events:

* ``linked``: the account is linked to the person by the people file or a certain rule;
* ``suggested``: an account no rule links, whose first contact came within 30 days after the
  marker (a new account after a block is the classic pattern). It is shown with the suggestion
  that would link it, and counts only once a person accepts that suggestion.

Contacts are incoming events of a contact kind (see :mod:`cyberevidence.analysis.conduct`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cyberevidence.analysis.contacts import CONTACT_KINDS
from cyberevidence.analysis.identities import IdentitySuggestion
from cyberevidence.events import Event
from cyberevidence.records import BOUNDARY_TYPES, Marker


@dataclass(frozen=True, slots=True)
class Breach:
    event_id: str
    timestamp: str
    platform: str
    account: str
    attribution: str  # "linked" or "suggested"
    suggestion_id: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "event_id": self.event_id,
            "timestamp": self.timestamp,
            "platform": self.platform,
            "account": self.account,
            "attribution": self.attribution,
            "suggestion_id": self.suggestion_id,
        }


@dataclass(frozen=True, slots=True)
class MarkerEffect:
    marker: Marker
    persons: tuple[str, ...]
    before: int
    after: int
    before_by_platform: dict[str, int]
    after_by_platform: dict[str, int]
    after_by_account: dict[str, int]
    breaches: tuple[Breach, ...]

    @property
    def is_boundary(self) -> bool:
        return self.marker.marker_type in BOUNDARY_TYPES

    def to_dict(self) -> dict[str, Any]:
        return {
            "marker": self.marker.to_dict(),
            "persons": list(self.persons),
            "before": self.before,
            "after": self.after,
            "before_by_platform": dict(self.before_by_platform),
            "after_by_platform": dict(self.after_by_platform),
            "after_by_account": dict(self.after_by_account),
            "breaches": [b.to_dict() for b in self.breaches],
        }


def _account(ev: Event) -> str:
    return f"{ev.platform}:{ev.sender}" if ev.sender else ev.platform


def marker_effects(
    markers: Iterable[Marker],
    events: Iterable[Event],
    subjects: Iterable[str],
    suggestions: Iterable[IdentitySuggestion] = (),
) -> list[MarkerEffect]:
    """One :class:`MarkerEffect` per marker, from resolved timeline events."""
    marks = list(markers)
    subject_names = tuple(subjects)
    suggested = {(s.platform, s.handle): s for s in suggestions if s.reason == "new account after a stop"}
    incoming = [e for e in events if e.kind in CONTACT_KINDS and e.direction == "incoming"]
    out = []
    for m in marks:
        persons = (m.person,) if m.person else subject_names
        moment = datetime.fromisoformat(m.at_utc.replace("Z", "+00:00"))
        mine = [e for e in incoming if e.person in persons]
        # An undated contact is neither before nor after (docs/events.md "Undated events").
        before = [e for e in mine if e.timestamp is not None and e.timestamp < moment]
        after = [e for e in mine if e.timestamp is not None and e.timestamp >= moment]
        breaches: list[Breach] = []
        if m.marker_type in BOUNDARY_TYPES:
            breaches = [Breach(e.event_id, e.timestamp_utc, e.platform, _account(e), "linked") for e in after]
            for e in incoming:
                sug = suggested.get((e.platform, e.sender))
                if sug is not None and sug.person in persons and e.timestamp is not None and e.timestamp >= moment:
                    breaches.append(Breach(e.event_id, e.timestamp_utc, e.platform, _account(e), "suggested", sug.id))
            breaches.sort(key=lambda b: (b.timestamp, b.event_id))
        out.append(
            MarkerEffect(
                m,
                persons,
                len(before),
                len(after),
                dict(sorted(Counter(e.platform for e in before).items())),
                dict(sorted(Counter(e.platform for e in after).items())),
                dict(sorted(Counter(_account(e) for e in after).items())),
                tuple(breaches),
            )
        )
    return out
