"""Finding the identifiers of people in the data itself, for the disclosure (docs/redaction.md).

A disclosure must hide everyone who is not the victim or a subject, including people the people
file never lists. This module finds what identifies them in an event:

* phone numbers written in any text, found by libphonenumber's matcher and kept only when
  :func:`~cyberevidence.people.normalise_phone` accepts them (a ``+``, the region's trunk prefix,
  or a valid number), so a date such as ``2025-10-12`` is never taken for a number;
* e-mail addresses in any text: candidates of the addr-spec shape, each checked by the standard
  library's RFC 5322 parser (``email.headerregistry.Address``);
* the raw handles of the sender and recipients (display names, usernames, numbers, addresses),
  with e-mail headers split into display name and address by the e-mail parser's own reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.headerregistry import Address
from enum import StrEnum

import phonenumbers

from cyberevidence.people import normalise_phone

_ADDR_CANDIDATE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
#: The fewest digits of a phone number libphonenumber can find in text (shorter ones are local extensions).
MIN_PHONE_DIGITS = 7
#: A word of a name worth hiding alone (a first name or a surname): letters, at least this long.
MIN_NAME_WORD = 3


class IdentifierKind(StrEnum):
    """What kind of identifier a discovered third party was first seen by."""

    PHONE = "phone"
    EMAIL = "email"
    HANDLE = "handle"


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier seen in the data: its kind, its canonical key and the spellings to hide."""

    kind: IdentifierKind
    key: str
    spellings: tuple[str, ...]


def phones_in(text: str, region: str) -> Iterator[str]:
    """E.164 forms of the phone numbers written in ``text``."""
    if not text or sum(c.isdigit() for c in text) < MIN_PHONE_DIGITS:
        return  # too few digits for any number: the matcher (slow) is not run
    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        # A number the metadata calls valid, or one that could be a mobile number (the ranges kept for
        # drama and tests, +44 7700 900xxx and +1 555, are not "valid"); not a short digit run
        # such as ``00000009`` in a file name.
        if not (phonenumbers.is_valid_number(m.number)
                or phonenumbers.is_possible_number_for_type(m.number, phonenumbers.PhoneNumberType.MOBILE)):
            continue
        e164 = normalise_phone(m.raw_string, region)
        if e164:
            yield e164


def emails_in(text: str) -> Iterator[str]:
    """The e-mail addresses in ``text`` (lower-cased), each one accepted by the RFC 5322 parser."""
    if not text or "@" not in text:
        return
    for m in _ADDR_CANDIDATE.finditer(text):
        cand = m.group(0).strip(".")
        try:
            addr = Address(addr_spec=cand)
        except (ValueError, IndexError, TypeError):
            continue
        if addr.username and "." in addr.domain:
            yield cand.lower()


def name_words(name: str) -> list[str]:
    """The words of a multi-word personal name that identify on their own ("Dorota", "Quill")."""
    words = re.findall(r"\w+", name)
    # Only a name shaped like a person's: two or more words of letters, none a lone initial
    # ("Contact A", "User 1" and "+44 7700 900123" are labels, not names; their words stay).
    if len(words) < 2 or not all(w.isalpha() and len(w) >= 2 for w in words):
        return []
    return [w for w in words if len(w) >= MIN_NAME_WORD]


def classify_handle(handle: str, region: str) -> list[Identifier]:
    """The identifiers a raw sender/recipient handle holds: an address (and its display name), a number, or a name."""
    raw = handle.strip()
    if not raw:
        return []
    if "@" in raw:
        from cyberevidence.parsers._email_headers import parse_addresses

        found: list[Identifier] = []
        for a in parse_addresses([raw], "handle", lambda _c, _m: None):
            if a.addr and any(True for _ in emails_in(a.addr)):
                found.append(Identifier(IdentifierKind.EMAIL, a.addr.lower(), (a.addr,)))
            if a.name and a.name.strip() and a.name.strip().lower() != a.addr.lower():
                found.append(Identifier(IdentifierKind.HANDLE, a.name.strip().casefold(), (a.name.strip(),)))
        if found:
            return found
    e164 = normalise_phone(raw, region)
    if e164 is not None:
        return [Identifier(IdentifierKind.PHONE, e164, (raw,))]
    return [Identifier(IdentifierKind.HANDLE, raw.casefold(), (raw,))]


#: Keys of an event's ``extra`` whose value names a person (the parsers' own fields: docs/events.md).
NAME_KEYS = frozenset({
    "contact_name", "author", "author_nickname", "from_name", "sender_push_name", "sender_business_name",
    "sender_username", "forwarded_from", "display_to", "from", "to", "cc", "bcc", "reply_to_name",
    "name", "saved_from", "via_bot", "actor", "members", "inviter", "address", "number",
})
#: Keys of ``extra`` that hold identifiers of messages, not of people (``<id@host>`` is no address).
ID_KEYS = frozenset({"message_id", "in_reply_to", "references", "thread_id", "record_id", "conversation_id", "id"})


def extra_strings(extra: object, key: str = "") -> Iterator[str]:
    """The text values of an event's ``extra`` (keys too), leaving out message identifiers."""
    if key in ID_KEYS:
        return
    if isinstance(extra, dict):
        for k, v in extra.items():
            yield str(k)
            yield from extra_strings(v, str(k))
    elif isinstance(extra, list):
        for v in extra:
            yield from extra_strings(v, key)
    elif isinstance(extra, str):
        yield extra


def extra_handles(extra: object, key: str = "") -> Iterator[tuple[str, str | None]]:
    """The names and addresses an event's ``extra`` holds, each with whose it is when the data says:
    ``{"name", "address"}`` pairs (e-mail headers) give the name with its address; a value under
    :data:`NAME_KEYS` (``contact_name`` …) comes with ``None`` (it names the event's sender)."""
    if isinstance(extra, dict):
        if set(extra) <= {"name", "address"} and isinstance(extra.get("address"), str):
            yield extra["address"], None
            if isinstance(extra.get("name"), str):
                yield extra["name"], extra["address"]
            return
        for k, v in extra.items():
            yield from extra_handles(v, str(k))
    elif isinstance(extra, list):
        for v in extra:
            yield from extra_handles(v, key)
    elif isinstance(extra, str) and key in NAME_KEYS and extra.strip():
        yield extra, None
