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

from array import array
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cyberevidence.analysis.contacts import CONTACT_KINDS, keys_usable, resolved_keys, zone_offsets
from cyberevidence.analysis.event_ids import IdColumn
from cyberevidence.analysis.identities import IdentitySuggestion
from cyberevidence.events import Event, format_utc
from cyberevidence.records import BOUNDARY_TYPES, Marker

if TYPE_CHECKING:
    from cyberevidence.analysis.resolve import Resolver
    from cyberevidence.store.index import Index


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


def marker_effects_indexed(
    index: Index,
    resolver: Resolver,
    markers: Iterable[Marker],
    subjects: Iterable[str],
    suggestions: Iterable[IdentitySuggestion] = (),
    *,
    superseded: Collection[str] = (),
) -> list[MarkerEffect] | None:
    """:func:`marker_effects` of ``Case.timeline()``, read set-based from the index.

    Only the incoming contacts of the persons the markers name (and of accounts a "new account"
    suggestion names) are read, a few columns each, by one statement over the resolution keys
    (:mod:`cyberevidence.analysis.contacts`). None where that reading cannot be used (an index of
    an older schema, a time not in this tool's form): the caller reads the timeline instead.
    """
    marks = list(markers)
    subject_names = tuple(subjects)
    if not marks:
        return []
    offsets = zone_offsets(index, ZoneInfo("UTC"))
    if offsets is None or not keys_usable(index):
        return None
    suggested = {(s.platform, s.handle): s for s in suggestions if s.reason == "new account after a stop"}
    wanted = {p for m in marks for p in ((m.person,) if m.person else subject_names)}
    accounts: dict[int, tuple[str, str, str]] = {}  # key id -> (person, platform, account)
    keys: list[tuple[int, int, int]] = []
    senders = index.key_senders()
    for rkey, (person, platform, direction) in resolved_keys(index, resolver, superseded):
        sender = senders.get(rkey, "")
        if direction == "incoming" and (person in wanted or (platform, sender) in suggested):
            accounts[rkey] = (person, platform, sender)
            keys.append((rkey, rkey, 0))
    ids, us_of, key_of = IdColumn(), array("q"), array("q")
    for tag, stamp, event_id, _platform, _kind, _day, _hour, ms, _missed, _text in index.contact_rows(
        CONTACT_KINDS, offsets, keys
    ):
        if not stamp:
            continue  # undated: neither before nor after any marker (docs/events.md "Undated events")
        if ms is None:
            return None
        ids.append(event_id)
        us_of.append(ms * 1000)
        key_of.append(tag)
    out = []
    for m in marks:
        persons = (m.person,) if m.person else subject_names
        moment = _micros_of(m.at_utc)
        before: Counter[str] = Counter()
        after: Counter[str] = Counter()
        by_account: Counter[str] = Counter()
        breaches: list[Breach] = []
        boundary = m.marker_type in BOUNDARY_TYPES
        for i, us in enumerate(us_of):
            person, platform, sender = accounts[key_of[i]]
            account = f"{platform}:{sender}" if sender else platform
            if person in persons:
                if us < moment:
                    before[platform] += 1
                else:
                    after[platform] += 1
                    by_account[account] += 1
                    if boundary:
                        breaches.append(Breach(ids[i], _utc_text(us), platform, account, "linked"))
            if boundary and us >= moment:
                sug = suggested.get((platform, sender))
                if sug is not None and sug.person in persons:
                    breaches.append(Breach(ids[i], _utc_text(us), platform, account, "suggested", sug.id))
        breaches.sort(key=lambda b: (b.timestamp, b.event_id))
        out.append(
            MarkerEffect(
                m,
                persons,
                sum(before.values()),
                sum(after.values()),
                dict(sorted(before.items())),
                dict(sorted(after.items())),
                dict(sorted(by_account.items())),
                tuple(breaches),
            )
        )
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


def _micros_of(at_utc: str) -> int:
    return (datetime.fromisoformat(at_utc.replace("Z", "+00:00")) - _EPOCH) // _MICRO


def _utc_text(us: int) -> str:
    return format_utc(_EPOCH + us * _MICRO)
