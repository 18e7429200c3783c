"""A set of event ids in bounded memory whose "no" is certain and whose "maybe" is asked elsewhere.

:class:`~cyberevidence.store.ingest.IndexedIdAssigner` must know whether the artefact being
parsed already gave an id (an identical earlier line). Asking the index for every event costs
one query per event; this filter answers "certainly not" for almost all of them, and only a
"maybe" goes to the index, so the ids come out exactly as before. Up to :data:`EXACT` ids are
held in a set; beyond that, a Bloom filter of :data:`BITS` bits (8 MiB) with :data:`PROBES`
probes, so memory stays flat however many events one artefact holds (at 1,000,000 ids about one
"maybe" in 90,000 is false, at 10,000,000 about one in 25: each costs one query, never a wrong id).
"""

from __future__ import annotations

from collections.abc import Iterable

EXACT = 1 << 16
BITS = 1 << 26
PROBES = 4
_MASK = BITS - 1


class SeenIds:
    def __init__(self) -> None:
        self._exact: set[str] | None = set()
        self._bits: bytearray | None = None

    @staticmethod
    def _positions(event_id: str) -> list[int]:
        h = hash(event_id) & 0xFFFFFFFFFFFFFFFF
        a, b = h & 0xFFFFFFFF, (h >> 32) | 1
        return [(a + i * b) & _MASK for i in range(PROBES)]

    def add_all(self, event_ids: Iterable[str]) -> None:
        exact = self._exact
        if exact is not None:
            exact.update(event_ids)
            if len(exact) <= EXACT:
                return
            self._bits = bytearray(BITS // 8)
            self._exact, event_ids = None, exact
        bits = self._bits
        assert bits is not None
        for event_id in event_ids:
            for p in self._positions(event_id):
                bits[p >> 3] |= 1 << (p & 7)

    def maybe(self, event_id: str) -> bool:
        """False: ``event_id`` was certainly never added. True: it may have been."""
        if self._exact is not None:
            return event_id in self._exact
        bits = self._bits
        assert bits is not None
        return all(bits[p >> 3] >> (p & 7) & 1 for p in self._positions(event_id))
