"""Batched writing gives the rows and ids of one statement per event."""

import random
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cyberevidence.events import Event, EventIdAssigner, SourceRef
from cyberevidence.store import idfilter
from cyberevidence.store.idfilter import SeenIds
from cyberevidence.store.index import Index
from cyberevidence.store.ingest import IndexedIdAssigner
from cyberevidence.store.reconcile import text_key

SHA = "d" * 64


def _stream(n: int, rng: random.Random) -> list[Event]:
    base = datetime(2025, 3, 14, 19, 2, tzinfo=timezone.utc)
    return [
        Event(
            timestamp=base + timedelta(minutes=rng.randint(0, 3)),
            platform="whatsapp",
            kind="message",
            source=SourceRef(SHA, f"line {i}"),
            sender=rng.choice(["Mark", "Jo"]),
            text=rng.choice(["ok", "Please stop.", "where are you"]),
            thread="Mark",
        )
        for i in range(n)
    ]


def _ingest(index: Index, events: list[Event]) -> None:
    ids = IndexedIdAssigner(index, SHA)
    with index.transaction():
        batch: list[Event] = []
        for ev in events:
            batch.append(ids.assign(ev))
            if len(batch) >= 7:
                index.add_events(batch)
                ids.flushed(batch)
                batch.clear()
        index.add_events(batch)


@pytest.mark.parametrize("exact", [4, 1 << 16])
def test_indexed_ids_equal_the_in_memory_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact: int) -> None:
    """Identical lines get occurrence numbers 0, 1, 2 ... across batches, set or Bloom filter alike."""
    monkeypatch.setattr(idfilter, "EXACT", exact)
    events = _stream(600, random.Random(5))
    memory = EventIdAssigner()
    want = [memory.assign(e).event_id for e in _stream(600, random.Random(5))]
    index = Index(tmp_path / "index.sqlite")
    _ingest(index, events)
    assert [ev.event_id for ev in events] == want
    assert len(set(want)) == 600 > len({ev.fingerprint_digest() for ev in events})  # repeats were numbered
    assert index.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 600


@pytest.mark.parametrize("exact", [4, 1 << 16])
def test_new_ids_are_not_asked_of_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact: int) -> None:
    monkeypatch.setattr(idfilter, "EXACT", exact)
    events = _stream(600, random.Random(6))
    for i, ev in enumerate(events):
        ev.text = f"message {i}"  # every event distinct: occurrence 0 each
    index = Index(tmp_path / "index.sqlite")
    asked: list[str] = []
    real = index.has_event_source

    def counting(event_id: str, sha256: str) -> bool:
        asked.append(event_id)
        return bool(real(event_id, sha256))

    monkeypatch.setattr(index, "has_event_source", counting)
    _ingest(index, events)
    assert len(asked) <= 2  # only a Bloom filter's rare false "maybe"


def test_seen_ids_never_says_no_to_an_added_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idfilter, "EXACT", 10)
    seen = SeenIds()
    added = [f"{random.Random(i).getrandbits(128):032x}" for i in range(5000)]
    for start in range(0, len(added), 100):
        seen.add_all(added[start : start + 100])
    assert all(seen.maybe(x) for x in added)
    others = [f"{random.Random(f'other {i}').getrandbits(128):032x}" for i in range(5000)]
    assert sum(seen.maybe(x) for x in others) < 5


_SPACES = re.compile(r"\s+")


def _old_text_key(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def test_text_key_equals_the_regex_version() -> None:
    rng = random.Random(1)
    alphabet = "aZ \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000\u200bé" "e\u0301ÅﬃẞΣς"
    samples = ["", " ", "ok", " Please  STOP.\n", "Café", "Cafe\u0301"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for s in samples:
        assert text_key(s) == _old_text_key(s), repr(s)


def test_add_events_keeps_the_first_row_of_a_repeated_id(tmp_path: Path) -> None:
    index = Index(tmp_path / "index.sqlite")
    ev = EventIdAssigner().assign(_stream(1, random.Random(2))[0])
    twin = Event.from_record({**ev.to_record(), "text": "changed"})
    with index.transaction():
        assert index.add_events([ev, twin]) == 2
    (record,) = index.db.execute("SELECT record FROM events").fetchone()
    assert '"changed"' not in record
    assert index.db.execute("SELECT COUNT(*) FROM event_sources").fetchone()[0] == 1


def test_timeline_sightings_equal_the_per_event_query(tmp_path: Path) -> None:
    """One ordered statement gives each event the sources one query per event gave."""
    rng = random.Random(9)
    index = Index(tmp_path / "index.sqlite")
    shas = ["a" * 64, "b" * 64, "c" * 64]
    with index.transaction():
        events = []
        for sha in shas:
            ids = EventIdAssigner()
            stream = _stream(120, random.Random(4))  # the same lines in three artefacts: shared ids
            for i, ev in enumerate(stream):
                ev.source = SourceRef(sha, f"{rng.choice(['z', 'a', 'é', 'line'])} {i}")
                events.append(ids.assign(ev))
        index.add_events(events)
        for ev in events[:300:7]:
            other = events[-1 - events.index(ev) % 50]
            if ev.event_id != other.event_id:
                index.db.execute("INSERT OR IGNORE INTO event_merges VALUES(?,?,?)", (other.event_id, ev.event_id, "t"))
    merged = {r[0] for r in index.db.execute("SELECT event_id FROM event_merges")}
    got = [(ev.event_id, [(s.sha256, s.locator) for s in ev.seen_in]) for ev in index.iter_events()]
    old = (
        "SELECT sha256, locator FROM event_sources WHERE event_id=?1 OR event_id IN"
        " (SELECT event_id FROM event_merges WHERE into_id=?1) ORDER BY sha256, locator"
    )
    want = [(eid, [tuple(r) for r in index.db.execute(old, (eid,))]) for eid, _ in got]
    assert got == want
    assert not merged & {eid for eid, _ in got}
    assert any(len(seen) > 3 for _, seen in got)  # merged twins' sources are there
