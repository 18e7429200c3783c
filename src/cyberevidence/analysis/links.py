"""Links sent in messages, with registered domains and curated flags (see intel.urls)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cyberevidence.events import Event
from cyberevidence.intel.urls import FoundUrl, find_urls

#: Text every link :func:`find_urls` finds contains (in some case): a reader of the index may skip
#: events whose record holds neither (``Case.timeline(record_contains=...)``), so only the few
#: events with a link are decoded and resolved.
URL_HINTS = ("http", "www.")


@dataclass(frozen=True, slots=True)
class LinkSeen:
    """One URL in one event."""

    event_id: str
    timestamp: str
    platform: str
    person: str
    direction: str
    link: FoundUrl

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "timestamp": self.timestamp,
            "platform": self.platform,
            "person": self.person,
            "direction": self.direction,
            **self.link.to_dict(),
        }


def find_links(events: Iterable[Event]) -> Iterator[LinkSeen]:
    """Every URL in the text of ``events``, in timeline order (streams; nothing is held)."""
    for ev in events:
        if not ev.text:
            continue
        for link in find_urls(ev.text):
            yield LinkSeen(ev.event_id, ev.timestamp_utc, ev.platform, ev.person, ev.direction, link)
