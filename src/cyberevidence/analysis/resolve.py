"""Setting ``person`` and ``direction`` on events from the people file.

Direction is seen from the victim: a message whose sender is one of the victim's identities is
``outgoing``; any other attributed sender is ``incoming`` once the victim is known; with no
victim in the people file every direction stays ``unknown`` (we do not guess).
A direction the *source* states (an SMS ``type`` of sent/received, a database's ``from_me``) is
kept: parsers set it only when the file says so, and it survives re-resolution because the index
stores the parser's record. A sender who is one of the victim's identities still wins.
``person`` is the other party: the sender for incoming events; for outgoing ones the resolved
recipient, or the single other participant of a one-to-one thread, or else the thread name.
"""

from __future__ import annotations

from cyberevidence.events import Event
from cyberevidence.people import People


class Resolver:
    def __init__(self, people: People, thread_senders: dict[str, set[str]]) -> None:
        self.people = people
        self.thread_senders = thread_senders
        self.has_victim = bool(people.victims)
        self._cache: dict[tuple[str, str], tuple[str, str]] = {}

    def _who(self, platform: str, handle: str) -> tuple[str, str]:
        """(person name or raw handle, role or '')."""
        key = (platform, handle)
        if key not in self._cache:
            m = self.people.match(platform, handle)
            self._cache[key] = (m.person.name, m.person.role) if m else (handle, "")
        return self._cache[key]

    def resolve(self, ev: Event) -> Event:
        name, role = self._who(ev.platform, ev.sender) if ev.sender else ("", "")
        if role == "victim":
            ev.direction = "outgoing"
            ev.person = self._counterpart(ev)
        elif ev.direction == "outgoing":
            ev.person = self._counterpart(ev)
        elif ev.direction == "incoming" or (ev.sender and self.has_victim):
            ev.direction = "incoming"
            ev.person = name or ev.thread
        else:
            ev.person = name or ev.thread
        return ev

    def _counterpart(self, ev: Event) -> str:
        others = [self._who(ev.platform, r) for r in ev.recipients]
        others = [o for o in others if o[1] != "victim"]
        if len(others) == 1:
            return others[0][0]
        senders = self.thread_senders.get(f"{ev.platform}\x1f{ev.thread}", set())
        counterparts = {self._who(ev.platform, s) for s in senders} - {self._who(ev.platform, ev.sender)}
        counterparts = {c for c in counterparts if c[1] != "victim"}
        if len(counterparts) == 1:
            return next(iter(counterparts))[0]
        return ev.thread
