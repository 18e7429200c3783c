"""Places from photo metadata, and the safety finding a stalking case needs first.

Every stored image is read for EXIF GPS (:mod:`cyberevidence.intel.photos`). A photo with a
position is a *place*. When the victim sent that photo (it is attached to one of her outgoing
events), or it came from her own device with GPS on, its position may reveal where she lives or
goes: that is reported as a safety finding for the advocate, not buried in a table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cyberevidence.events import Event
from cyberevidence.intel.photos import PhotoFacts, read_photo_file


@dataclass(slots=True)
class Place:
    sha256: str
    names: list[str]
    facts: PhotoFacts
    #: Events that carry this photo as an attachment: (event_id, direction, person).
    events: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def sent_by_victim(self) -> bool:
        return any(direction == "outgoing" for _, direction, _ in self.events)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "names": self.names,
            **self.facts.to_dict(),
            "events": [{"event_id": e, "direction": d, "person": p} for e, d, p in self.events],
            "safety_finding": self.sent_by_victim,
        }


def find_places(
    images: Iterable[tuple[str, list[str], Path]],
    events: Iterable[Event],
) -> list[Place]:
    """Places for ``(sha256, names, stored path)`` images, linked to the events that carry them."""
    places: dict[str, Place] = {}
    for sha, names, path in images:
        facts = read_photo_file(path)
        if facts is not None and facts.has_gps:
            places[sha] = Place(sha, names, facts)
    if places:
        for ev in events:
            for att in ev.attachments:
                place = places.get(att.sha256)
                if place is not None:
                    place.events.append((ev.event_id, ev.direction, ev.person))
    return sorted(places.values(), key=lambda p: (p.facts.taken_utc or p.facts.taken_local, p.sha256))
