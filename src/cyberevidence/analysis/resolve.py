"""Setting ``person`` and ``direction`` on events from the people file.

Direction is seen from the victim: a message whose sender is one of the victim's identities is
``outgoing``; any other attributed sender is ``incoming`` once the victim is known; with no
victim in the people file every direction stays ``unknown`` (we do not guess).
A direction the *source* states (an SMS ``type`` of sent/received, a database's ``from_me``) is
kept: parsers set it only when the file says so, and it survives re-resolution because the index
stores the parser's record. A sender who is one of the victim's identities still wins.
``person`` is the other party: the sender for incoming events; for outgoing ones the recipient
when the people file lists them, else the person whose id identifies a one-to-one chat (Telegram
chat id, WhatsApp JID; see :func:`chat_handles`), else the unlisted recipient, or the single
other participant of a one-to-one thread, or else the thread name.
"""

from __future__ import annotations

from cyberevidence.analysis.identities import match_handle, phone_of, pretty_phone
from cyberevidence.events import Event
from cyberevidence.parsers import identity_keys
from cyberevidence.people import People

#: ``extra`` keys in which parsers keep a sender's account id (matched against people-file handles):
#: each parser declares its own (``ParserInfo.identity_keys``), built-in and plug-in alike.
SENDER_ID_KEYS = identity_keys()
#: ``extra["thread_from"]`` when a parser's thread is only a file name: never resolved to a person.
THREAD_FROM_FILE_NAME = "file name"
#: Telegram chat types with exactly one other party (the chat id is that party's user id).
ONE_TO_ONE_TELEGRAM = frozenset({"personal_chat", "bot_chat"})
#: JID suffixes of one person's WhatsApp account (groups end ``@g.us``, broadcasts ``@broadcast``).
PERSONAL_JID = ("@s.whatsapp.net", "@c.us")


def chat_handles(ev: Event) -> list[str]:
    """The ids a source gives for the other party of a one-to-one chat (empty for any other chat).

    Telegram: ``extra.chat_id`` of a ``personal_chat``/``bot_chat``, as ``123`` and ``user123``;
    WhatsApp databases: ``extra.chat_jid`` of a personal JID (its number is tried by ``match_handle``).
    """
    chat_id = ev.extra.get("chat_id")
    if ev.extra.get("chat_type") in ONE_TO_ONE_TELEGRAM and isinstance(chat_id, (int, str)) and not isinstance(chat_id, bool):
        text = str(chat_id)
        return [text, f"user{text}"] if text.lstrip("-").isdigit() else [text]
    jid = ev.extra.get("chat_jid")
    if isinstance(jid, str) and jid.endswith(PERSONAL_JID):
        return [jid]
    return []


class Resolver:
    def __init__(self, people: People, thread_senders: dict[str, set[str]]) -> None:
        self.people = people
        self.thread_senders = thread_senders
        self.has_victim = bool(people.victims)
        self._cache: dict[tuple[str, str], tuple[str, str]] = {}
        self._threads: dict[tuple[str, str, str, bool], str] = {}
        self._names = {p.name.casefold() for p in people.persons}

    def _who(self, platform: str, handle: str) -> tuple[str, str]:
        """(person name, role or ''): a people-file person, else a phone number's E.164 identity, else the handle."""
        key = (platform, handle)
        if key not in self._cache:
            m = match_handle(self.people, platform, handle)
            if m is not None:
                self._cache[key] = (m.person.name, m.person.role)
            else:
                e164 = phone_of(handle, self.people.region)
                label = pretty_phone(e164) if e164 else handle
                if label.casefold() in self._names:
                    # Same text as a listed person's name but not linked by any rule: never merge on a name.
                    label = f"{label} ({platform} account, not linked)"
                self._cache[key] = (label, "")
        return self._cache[key]

    def _sender(self, ev: Event) -> tuple[str, str]:
        """The sender as a person: by the shown name, else by an account id the source gives."""
        name, role = self._who(ev.platform, ev.sender) if ev.sender else ("", "")
        if not role:
            for key in SENDER_ID_KEYS:
                value = ev.extra.get(key)
                if isinstance(value, (str, int)) and str(value):
                    found = self._who(ev.platform, str(value))
                    if found[1]:
                        return found
        return name, role

    def resolve(self, ev: Event) -> Event:
        if ev.kind in ("diary", "marker"):
            # The victim's own record, not a message: no direction; the person is whom it is about.
            ev.person = str(ev.extra.get("person", ""))
            return ev
        name, role = self._sender(ev)
        if role == "victim":
            ev.direction = "outgoing"
            ev.person = self._counterpart(ev)
        elif ev.direction == "outgoing":
            ev.person = self._counterpart(ev)
        elif ev.direction == "incoming" or (ev.sender and self.has_victim):
            ev.direction = "incoming"
            ev.person = name or self._thread_person(ev)
        else:
            ev.person = name or self._thread_person(ev)
        return ev

    def _thread_person(self, ev: Event) -> str:
        """The person the thread names; none when the thread is only a file name (docs/dedupe.md)."""
        if not ev.thread or ev.extra.get("thread_from") == THREAD_FROM_FILE_NAME:
            return ""
        return self._who(ev.platform, ev.thread)[0]

    def _counterpart(self, ev: Event) -> str:
        others = [self._who(ev.platform, r) for r in ev.recipients]
        others = [o for o in others if o[1] != "victim"]
        if len(others) == 1 and others[0][1]:
            return others[0][0]
        for handle in chat_handles(ev):
            # A one-to-one chat identified by the other party's id, number or JID: that person.
            found = self._who(ev.platform, handle)
            if found[1] and found[1] != "victim":
                return found[0]
        if len(others) == 1:
            return others[0][0]
        # The answer also depends on whether the thread is only a file name (_thread_person): part
        # of the key, so an event's person never depends on which event was resolved first.
        key = (ev.platform, ev.thread, ev.sender, ev.extra.get("thread_from") == THREAD_FROM_FILE_NAME)
        if key not in self._threads:
            senders = self.thread_senders.get(f"{ev.platform}\x1f{ev.thread}", set())
            counterparts = {self._who(ev.platform, s) for s in senders} - {self._who(ev.platform, ev.sender)}
            counterparts = {c for c in counterparts if c[1] != "victim"}
            only = next(iter(counterparts))[0] if len(counterparts) == 1 else ""
            self._threads[key] = only or self._thread_person(ev)
        return self._threads[key]
