"""Who is behind each account: certain links, and suggestions a person must accept.

Certain links (made automatically, each with its justification):

* a handle listed in the people file, the same e-mail address (any case), or the same E.164
  phone number in any spelling (``07700 900123``, ``+447700900123``, ``+44 7700 900123``, a
  WhatsApp JID ``447700900123@s.whatsapp.net``) as a person in the people file;
* phone numbers nobody listed are still grouped by their E.164 number: all spellings of one number
  are one identity, shown as ``+44 7700 900123``.

Suggestions (never applied until accepted with ``cyberevidence people CASE --accept ID``):

* **same display name** on another platform as a person's name or listed handle (medium);
* **same last nine digits** as a listed phone number but a different E.164 number, e.g. a
  number saved without its country code abroad (medium);
* **new account after a stop**: an account whose first contact comes within 30 days after a
  subject's stop date (low): a stalker blocked on one account often returns on another.
* **same contact, national spelling**: a number written without a country code that is not a
  number of the case's region (kept as written, e.g. ``4115555555`` under GB) and a number in
  international form (``+14115555555``) on the same platform, when the phone's own contact name
  for both is the same and the international number ends in all the national number's digits
  (at least seven) (medium). Evidence: the contact name, both spellings and the shared digits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import phonenumbers

from cyberevidence.analysis.conduct import parse_stop_date
from cyberevidence.people import Match, People, Person, normalise_phone

NEW_ACCOUNT_WINDOW = timedelta(days=30)
_JID = re.compile(r"^(\d{6,15})@(s\.whatsapp\.net|c\.us)$")


def phone_of(handle: str, region: str) -> str | None:
    """E.164 number of a handle that is a phone number (or a WhatsApp JID), else None."""
    text = handle.strip()
    jid = _JID.match(text)
    if jid:
        text = "+" + jid.group(1)
    if not re.fullmatch(r"[\d\s+().\-\u202a\u202c\u200e]{6,}", text):
        return None
    return normalise_phone(text, region)


def pretty_phone(e164: str) -> str:
    try:
        return str(phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    except phonenumbers.NumberParseException:
        return e164


def match_handle(people: People, platform: str, handle: str) -> Match | None:
    """The people-file match for a handle, also trying a JID's phone number."""
    found = people.match(platform, handle)
    if found is None and _JID.match(handle.strip()):
        found = people.match(platform, "+" + handle.split("@", 1)[0])
    return found


@dataclass(frozen=True, slots=True)
class IdentityLink:
    """An account linked to a person. ``basis`` is ``asserted`` (the victim or advocate listed the
    identifier) or ``evidenced`` (the people file names what shows it, e.g. a platform return);
    ``evidence`` says what. ``rule`` is how the account reached the listed identifier."""

    platform: str
    handle: str
    person: str
    rule: str
    basis: str = "asserted"
    evidence: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "platform": self.platform,
            "handle": self.handle,
            "person": self.person,
            "rule": self.rule,
            "basis": self.basis,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class IdentitySuggestion:
    id: str
    platform: str
    handle: str
    person: str
    reason: str
    evidence: str
    confidence: str
    event_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "handle": self.handle,
            "person": self.person,
            "reason": self.reason,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "event_ids": list(self.event_ids),
        }


def _suggestion_id(platform: str, handle: str, person: str) -> str:
    return hashlib.sha256(f"{platform}\x1f{handle}\x1f{person}".encode()).hexdigest()[:10]


def link_handles(people: People, handles: Iterable[tuple[str, str]]) -> list[IdentityLink]:
    """A certain link for every (platform, handle) that has one; unlinked handles are left out."""
    out = []
    for platform, handle in sorted(set(handles)):
        m = match_handle(people, platform, handle)
        if m is not None:
            evidence = m.person.evidence_for(m.identifier)
            out.append(
                IdentityLink(
                    platform, handle, m.person.name, m.rule, m.basis, evidence or f"{m.identifier} listed in the people file"
                )
            )
            continue
        e164 = phone_of(handle, people.region)
        if e164 is not None:
            out.append(
                IdentityLink(
                    platform,
                    handle,
                    pretty_phone(e164),
                    f"same E.164 number {e164}",
                    "evidenced",
                    "the same phone number in another spelling",
                )
            )
    return out


def suggest(
    people: People,
    first_seen: dict[tuple[str, str], tuple[str, str]],
    tz_name: str = "UTC",
    extra_stops: dict[str, tuple[str, ...]] | None = None,
    contact_names: Mapping[tuple[str, str], str] | None = None,
) -> list[IdentitySuggestion]:
    """Suggestions for handles no certain rule links. ``first_seen`` maps (platform, handle) to
    (first incoming timestamp ISO UTC, event id); ``extra_stops`` adds stop dates per person
    (boundary markers) to those in the people file; ``contact_names`` maps (platform, handle) to
    the phone's own contact name for it (SMS ``contact_name``), for national-spelling twins."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    out: list[IdentitySuggestion] = []
    names: dict[str, Person] = {}
    for p in people.persons:
        names.setdefault(p.name.casefold(), p)
        for h in p.handles:
            names.setdefault(h.partition(":")[2].strip().casefold(), p)
    tails = {re.sub(r"\D", "", ph)[-9:]: p for p in people.persons for ph in p.phones if len(re.sub(r"\D", "", ph)) >= 9}
    for (platform, handle), (first, event_id) in sorted(first_seen.items()):
        if match_handle(people, platform, handle) is not None:
            continue
        person = names.get(handle.strip().casefold())
        if person is not None:
            listed = [h for h in person.handles if h.partition(":")[2].strip().casefold() == handle.strip().casefold()]
            where = f"listed as {listed[0]}" if listed else "the person's name"
            out.append(
                IdentitySuggestion(
                    _suggestion_id(platform, handle, person.name),
                    platform,
                    handle,
                    person.name,
                    "same display name",
                    f"the {platform} account {handle!r} shows the same name as {person.name} ({where}); names are not unique",
                    "medium",
                    (event_id,),
                )
            )
            continue
        digits = re.sub(r"\D", "", handle.split("@", 1)[0])
        if len(digits) >= 9 and digits[-9:] in tails:
            person = tails[digits[-9:]]
            out.append(
                IdentitySuggestion(
                    _suggestion_id(platform, handle, person.name),
                    platform,
                    handle,
                    person.name,
                    "same last nine digits",
                    f"{handle!r} ends in the same nine digits as a number listed for {person.name}, "
                    "but is not the same full number",
                    "medium",
                    (event_id,),
                )
            )
            continue
        for subject in (p for p in people.persons if p.role == "subject"):
            for stop in (*subject.stop_dates, *(extra_stops or {}).get(subject.name, ())):
                moment = parse_stop_date(stop, tz)
                first_at = parse_stop_date(first, tz)
                if moment <= first_at <= moment + NEW_ACCOUNT_WINDOW:
                    days = (first_at - moment).days
                    out.append(
                        IdentitySuggestion(
                            _suggestion_id(platform, handle, subject.name),
                            platform,
                            handle,
                            subject.name,
                            "new account after a stop",
                            f"{handle!r} on {platform} first made contact {days} day(s) after the stop date {stop} for "
                            f"{subject.name}",
                            "low",
                            (event_id,),
                        )
                    )
                    break
    out += national_twins(people, first_seen, contact_names or {})
    return out


#: A phone's placeholder for "no contact name": never evidence of anything.
NO_CONTACT_NAMES = frozenset({"", "(unknown)", "unknown", "null"})
MIN_TWIN_DIGITS = 7


def national_twins(
    people: People, first_seen: Mapping[tuple[str, str], tuple[str, str]], contact_names: Mapping[tuple[str, str], str]
) -> list[IdentitySuggestion]:
    """The "same contact, national spelling" rule of the module docstring."""
    by_name: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (platform, handle), name in contact_names.items():
        key = name.strip().casefold()
        if key in NO_CONTACT_NAMES or (platform, handle) not in first_seen:
            continue
        e164 = phone_of(handle, people.region)
        by_name.setdefault((platform, key), []).append((handle, e164 or ""))
    out: list[IdentitySuggestion] = []
    for (platform, _), handles in sorted(by_name.items()):
        national = [h for h, e in handles if not e]
        international = [(h, e) for h, e in handles if e]
        for handle in national:
            digits = re.sub(r"\D", "", handle)
            if len(digits) < MIN_TWIN_DIGITS or match_handle(people, platform, handle) is not None:
                continue
            for twin, e164 in international:
                if not e164[1:].endswith(digits):
                    continue
                matched = match_handle(people, platform, twin)
                person = matched.person.name if matched is not None else pretty_phone(e164)
                name = contact_names[(platform, handle)]
                out.append(
                    IdentitySuggestion(
                        _suggestion_id(platform, handle, person),
                        platform,
                        handle,
                        person,
                        "same contact, national spelling",
                        f"{handle!r} has no country code and is not a number of the region {people.region}, so it is kept "
                        f"as written; the phone names it {name!r}, as it names {twin!r} ({e164}), which ends in the same "
                        f"{len(digits)} digits ({digits})",
                        "medium",
                        (first_seen[(platform, handle)][1], first_seen[(platform, twin)][1]),
                    )
                )
    return out
