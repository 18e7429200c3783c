"""Recognising one conversation across exports that do not name it (docs/dedupe.md).

A WhatsApp ``.txt`` export (and a Signal text export) states no conversation id: its only name
is the file's, which the phone or the user changes ("WhatsApp Chat - Mark (1).zip", ``_chat.txt``
in an unpacked folder). The event id of such an event is therefore computed without a
conversation (:attr:`cyberevidence.events.Event.conversation` is ``""``): two exports of one chat
give the same ids, whatever their names, and merge into one event per message with both
sightings.

Identical content in two *different* chats must not merge ("ok" sent to two people in the same
minute, a text forwarded to several chats). So, while an artefact is parsed, every event that
already exists from another artefact is checked against this rule:

**Same conversation.** Artefact B is the same conversation as an earlier artefact A when B
holds a run of at least :data:`RUN_TWO_SENDERS` consecutive messages, from at least two
different senders, each identical to a message of A (same platform, kind, sender, UTC instant
and precision, text), or a run of at least :data:`RUN_ONE_SENDER` such messages from any
senders. A name (file, thread label, sender) alone never decides it.

Events shared with an artefact B was found to be the same conversation as merge (one event,
both sightings). Events shared only with artefacts B was *not* found to be the same conversation
as stay apart: B's event gets its own id, ``sha256(content id + ":after:" + the content id of
the message before it in B)``, so another export of B's chat gives that same id again, and an
unrelated chat with one identical message does not. The rule, the artefacts matched, the longest
run and the number of messages shared with each are recorded in the ``parse`` custody entry
(``conversation_match``).

Cost: one indexed look-up per event of such a format; memory holds only the events not yet
decided (those shared with an artefact not yet matched), so it stays flat for a real overlap,
which is decided within its first few messages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from cyberevidence.events import Event

if TYPE_CHECKING:
    from cyberevidence.store.index import Index

#: A run this long, with two different senders, is the same conversation.
RUN_TWO_SENDERS: Final = 3
#: A run this long from any senders (one person writing many messages) is the same conversation.
RUN_ONE_SENDER: Final = 8

RULE: Final = (
    f"same conversation: a run of at least {RUN_TWO_SENDERS} consecutive messages from two or more senders, "
    f"or of at least {RUN_ONE_SENDER} consecutive messages, each identical to a message of the other export "
    "(platform, kind, sender, UTC instant and precision, text); names are never compared"
)


def apart_id(content_id: str, previous_content_id: str) -> str:
    """The id of an event kept apart from an identical message of an unrelated conversation."""
    return hashlib.sha256(f"{content_id}:after:{previous_content_id}".encode()).hexdigest()[:32]


@dataclass(slots=True)
class _Other:
    run: int = 0
    run_senders: set[str] = field(default_factory=set)
    longest: int = 0
    shared: int = 0
    matched: bool = False


class ConversationMatcher:
    """Decides, while one artefact is parsed, which of its shared events merge (module docstring).

    :meth:`offer` takes each event in the artefact's order, with its content id assigned, and
    yields the events ready to store (possibly earlier ones it held back); :meth:`finish` yields
    the rest, kept apart. ``held`` is the set of content ids held back, which the id assigner must
    treat as used by this artefact.
    """

    def __init__(self, index: Index, sha256: str) -> None:
        self._db = index.db
        self._sha = sha256
        self._others: dict[str, _Other] = {}
        self._held: list[tuple[Event, frozenset[str], str]] = []
        self.held: set[str] = set()
        self._previous = ""
        self.kept_apart = 0

    def _holders(self, event_id: str) -> frozenset[str]:
        rows = self._db.execute(
            "SELECT DISTINCT sha256 FROM event_sources WHERE event_id=? AND sha256 != ?", (event_id, self._sha)
        )
        return frozenset(str(r[0]) for r in rows)

    def offer(self, event: Event) -> Iterator[Event]:
        if event.conversation != "":
            yield event
            return
        content_id, previous = event.event_id, self._previous
        self._previous = content_id
        holders = self._holders(content_id)
        others = self._others
        for sha, other in others.items():
            if sha not in holders and other.run:
                other.run, other.run_senders = 0, set()
        if not holders:
            yield event
            return
        newly: list[str] = []
        for sha in holders:
            other = others.setdefault(sha, _Other())
            other.shared += 1
            other.run += 1
            if event.sender:
                other.run_senders.add(event.sender)
            other.longest = max(other.longest, other.run)
            if not other.matched and (
                (other.run >= RUN_TWO_SENDERS and len(other.run_senders) >= 2) or other.run >= RUN_ONE_SENDER
            ):
                other.matched = True
                newly.append(sha)
        if any(others[sha].matched for sha in holders):
            yield event
        else:
            self._held.append((event, holders, previous))
            self.held.add(content_id)
        if newly and self._held:
            matched = {sha for sha, o in others.items() if o.matched}
            keep: list[tuple[Event, frozenset[str], str]] = []
            for item in self._held:
                if item[1] & matched:
                    self.held.discard(item[0].event_id)
                    yield item[0]
                else:
                    keep.append(item)
            self._held = keep

    def finish(self) -> Iterator[Event]:
        """The events shared only with other conversations: each under its own id."""
        for event, _holders, previous in self._held:
            event.event_id = apart_id(event.event_id, previous)
            self.kept_apart += 1
            yield event
        self._held = []
        self.held.clear()

    def report(self) -> dict[str, Any] | None:
        """What the custody ``parse`` entry records (``None`` when no event was shared)."""
        if not self._others:
            return None

        def row(sha: str, o: _Other) -> dict[str, Any]:
            return {"sha256": sha, "messages_shared": o.shared, "longest_run": o.longest}

        return {
            "rule": RULE,
            "same_conversation_as": [row(s, o) for s, o in sorted(self._others.items()) if o.matched],
            "kept_apart_from": [row(s, o) for s, o in sorted(self._others.items()) if not o.matched],
            "events_kept_apart": self.kept_apart,
        }
