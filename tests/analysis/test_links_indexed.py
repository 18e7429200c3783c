"""Links read through the index's record prefilter are exactly the links of the whole timeline."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cyberevidence.analysis.links import URL_HINTS, find_links
from cyberevidence.events import Event, EventIdAssigner, SourceRef
from cyberevidence.store.index import Index

TEXTS = (
    "see https://example.com/a", "HTTP://EXAMPLE.ORG/B", "Www.Example.net/c.", "no link here", "", "http:/broken",
    "hxxp://defanged.example", "50%_off www.shop.example/%20x", "café https://bit.ly/xyz 👍", "wwwexample.com",
    "quote \" and backslash \\ then https://iplogger.org/1", "ftp://files.example",
)


def _index(tmp_path: Path, n: int) -> Index:
    rng = random.Random(4)
    ids = EventIdAssigner()
    events = []
    for i in range(n):
        when = None if i % 17 == 0 else datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=7 * i)
        ev = Event(timestamp=when, platform=rng.choice(["sms", "whatsapp"]), kind=rng.choice(["message", "post", "system"]),
                   source=SourceRef("a" * 64, f"line {i}"), sender=rng.choice(["Mark", "Jo"]), text=rng.choice(TEXTS),
                   extra=rng.choice([{}, {"url_in_extra": "https://only-in-extra.example"}]))
        events.append(ids.assign(ev))
    index = Index(tmp_path / "index.sqlite")
    with index.transaction():
        index.add_events(events)
    return index


def test_the_prefilter_keeps_every_link(tmp_path: Path) -> None:
    index = _index(tmp_path, 600)
    want = list(find_links(index.iter_events()))
    got = list(find_links(index.iter_events(record_contains=URL_HINTS)))
    assert got == want and len(want) > 100
    assert {link.link.registered_domain for link in want} >= {"example.com", "example.org", "bit.ly", "iplogger.org"}
    read = sum(1 for _ in index.iter_events(record_contains=URL_HINTS))
    assert read < sum(1 for _ in index.iter_events())  # events without a hint are not decoded


def test_hints_are_literal_text(tmp_path: Path) -> None:
    index = _index(tmp_path, 200)
    assert all("50%_off" in ev.text for ev in index.iter_events(record_contains=["50%_off"]))
    assert not list(index.iter_events(record_contains=["5_%_"]))  # % and _ are not wildcards
    # ASCII case ignored; the record is JSON, so the text's backslash is stored as two.
    assert list(index.iter_events(record_contains=["BACKSLASH \\\\ THEN"]))
    assert not list(index.iter_events(record_contains=["BACKSLASH \\ THEN"]))
