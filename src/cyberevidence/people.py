"""The people file (DESIGN.md §5) and matching raw handles to people.

Links are only made by certain rules: the same E.164 phone number (any spelling, via
phonenumbers and the case's default region), the same e-mail address (case-insensitive), or a
``platform:value`` handle equal to the sender's display name, user name or id. Each link keeps
its justification. Nothing is merged on a guess.
"""

from __future__ import annotations

import difflib
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import phonenumbers

from cyberevidence.errors import CyberEvidenceError, PeopleFileError

Role = Literal["victim", "subject", "witness", "other"]
ROLES: frozenset[str] = frozenset({"victim", "subject", "witness", "other"})
#: The schema of a people file (docs/people.md): its one table, and the keys a person may have.
TABLES: tuple[str, ...] = ("person",)
PERSON_KEYS: tuple[str, ...] = ("name", "role", "phones", "emails", "handles", "stop_dates", "evidence")


class UnknownPersonError(CyberEvidenceError):
    """A name was given that the people file in force does not list."""


def did_you_mean(word: str, choices: Iterable[str], show: Callable[[str], str] = repr) -> str:
    """`` (did you mean 'X'?)`` for the closest of ``choices``, or ``""`` when none is close."""
    folded = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {show(folded[close[0]])}?)" if close else ""


def known_platforms() -> frozenset[str]:
    """The platforms a handle may name: those of the parsers in the registry."""
    from cyberevidence.parsers import default_registry

    return frozenset(info.platform for info in default_registry().all())


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: Role
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    #: When the victim asked this person to stop, blocked them, or an order was served
    #: (ISO dates or times; a bare date is the start of that local day).
    stop_dates: tuple[str, ...] = ()
    #: Evidence for listed identifiers: (identifier as listed, what shows it), e.g.
    #: ("instagram:mk_new", "platform return ref 2025/123"). Identifiers without evidence are
    #: *asserted* (the victim says so).
    evidence: tuple[tuple[str, str], ...] = ()

    def evidence_for(self, identifier: str) -> str:
        return next((text for key, text in self.evidence if key == identifier), "")


@dataclass(frozen=True, slots=True)
class Match:
    """A person matched to a handle, the rule that justified it, and the listed identifier it went through."""

    person: Person
    rule: str
    identifier: str = ""

    @property
    def basis(self) -> str:
        """``evidenced`` when the people file gives evidence for the identifier, else ``asserted``."""
        return "evidenced" if self.person.evidence_for(self.identifier) else "asserted"


def normalise_phone(raw: str, region: str) -> str | None:
    """E.164 form of a phone number in any spelling, or None if it is not a valid number.

    A number written without ``+`` is read in ``region`` only when it is valid there or is written
    with the region's national (trunk) prefix (``07700 900123`` in GB); otherwise (``4115555555``
    in GB) it is not that region's number and is kept as written, never forced into ``+44…``
    (docs/people.md "Phone numbers")."""
    text = raw.strip().replace("\u202a", "").replace("\u202c", "").replace("\u200e", "")
    if not any(c.isdigit() for c in text):
        return None
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    if not text.startswith("+") and not phonenumbers.is_valid_number(num) and not _has_trunk_prefix(text, region):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _has_trunk_prefix(text: str, region: str) -> bool:
    """``text`` begins with ``region``'s national prefix (GB ``0``) or its international one (GB ``00``)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if meta is None:
        return True  # no metadata to judge by: the old reading stands
    digits = "".join(c for c in text if c.isdigit())
    prefixes = [p for p in (meta.national_prefix, meta.preferred_international_prefix, meta.international_prefix) if p]
    return any(digits.startswith(p) for p in prefixes if p.isdigit())


def _norm_text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().casefold()


@dataclass
class People:
    """The case's people, with lookup tables for the matching rules."""

    persons: list[Person] = field(default_factory=list)
    region: str = "GB"

    def __post_init__(self) -> None:
        self._phones: dict[str, Person] = {}
        self._emails: dict[str, Person] = {}
        self._handles: dict[tuple[str, str], Person] = {}
        self._listed: dict[tuple[str, object], str] = {}
        for p in self.persons:
            for ph in p.phones:
                e164 = normalise_phone(ph, self.region)
                if e164 is None:
                    raise PeopleFileError(f"{p.name}: {ph!r} is not a valid phone number (default region {self.region})")
                self._claim(self._phones, e164, p, f"phone {ph}")
                self._listed[("phone", e164)] = ph
            for em in p.emails:
                self._claim(self._emails, em.strip().casefold(), p, f"e-mail {em}")
                self._listed[("email", em.strip().casefold())] = em
            for h in p.handles:
                platform, sep, value = h.partition(":")
                if not sep or not platform or not value:
                    raise PeopleFileError(f"{p.name}: handle {h!r} must look like 'platform:value'")
                self._claim(self._handles, (platform.strip().lower(), _norm_text(value)), p, f"handle {h}")
                self._listed[("handle", (platform.strip().lower(), _norm_text(value)))] = h

    @staticmethod
    def _claim(table: dict, key: object, person: Person, what: str) -> None:  # type: ignore[type-arg]
        other = table.get(key)
        if other is not None and other.name != person.name:
            raise PeopleFileError(f"{what} is listed for both {other.name!r} and {person.name!r}")
        table[key] = person

    @property
    def victims(self) -> list[Person]:
        return [p for p in self.persons if p.role == "victim"]

    def named(self, name: str) -> Person:
        """The person listed under exactly ``name``; :class:`UnknownPersonError` (with a did-you-mean) if none is."""
        wanted = name.strip()
        for p in self.persons:
            if p.name == wanted:
                return p
        if not self.persons:
            raise UnknownPersonError(
                f"{wanted!r} is not in the people file: no people file has been loaded yet",
                hint="Load a people file first (see docs/people.md), then use the names it lists.",
            )
        listed = ", ".join(repr(p.name) for p in self.persons[:10]) + (" ..." if len(self.persons) > 10 else "")
        raise UnknownPersonError(
            f"{wanted!r} is not in the people file{did_you_mean(wanted, (p.name for p in self.persons))}",
            hint=f"Use a name exactly as the people file lists it: {listed}.",
        )

    def match(self, platform: str, handle: str) -> Match | None:
        """The person behind a raw handle on a platform, with the rule that links them."""
        if not handle:
            return None
        key = (platform.lower(), _norm_text(handle))
        by_handle = self._handles.get(key)
        if by_handle:
            return Match(by_handle, f"handle {platform}:{handle} listed in the people file", self._listed[("handle", key)])
        if "@" in handle:
            addr = handle.strip().strip("<>").casefold()
            if addr in self._emails:
                return Match(self._emails[addr], f"same e-mail address {addr}", self._listed[("email", addr)])
        e164 = normalise_phone(handle, self.region)
        if e164 and e164 in self._phones:
            return Match(self._phones[e164], f"same E.164 number {e164}", self._listed[("phone", e164)])
        return None


def load_people(path: Path, region: str = "GB") -> People:
    """Read and validate a people TOML file (strictly: see :func:`people_from_data`)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PeopleFileError(f"{path}: cannot read the people file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PeopleFileError(f"{path}: not valid TOML ({exc})") from None
    return people_from_data(data, region, str(path))


def _check_schema(data: dict, where: str, platforms: Collection[str]) -> None:  # type: ignore[type-arg]
    """Unknown tables and keys, and handles on platforms no parser reads, are errors naming them."""
    for key, value in data.items():
        if key not in TABLES:
            kind = f"table [[{key}]]" if isinstance(value, list) else f"table [{key}]"
            kind = kind if isinstance(value, list | dict) else f"key {key!r}"
            raise PeopleFileError(
                f"{where}: unknown {kind}{did_you_mean(key, TABLES, lambda t: f'[[{t}]]')}; "
                "a people file has only [[person]] tables"
            )
    rows = data.get("person", [])
    if not isinstance(rows, list):
        raise PeopleFileError(f"{where}: use [[person]] tables (with two brackets), one per person")
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            continue
        who = row.get("name") if isinstance(row.get("name"), str) else f"person #{i}"
        for key in row:
            if key not in PERSON_KEYS:
                raise PeopleFileError(
                    f"{where}: {who}: unknown key {key!r}{did_you_mean(key, PERSON_KEYS)}; "
                    f"a person has {', '.join(PERSON_KEYS)}"
                )
        handles = row.get("handles", [])
        for h in handles if isinstance(handles, list) else []:
            platform = h.partition(":")[0].strip().lower() if isinstance(h, str) else ""
            if isinstance(h, str) and ":" in h and platform not in platforms:
                raise PeopleFileError(
                    f"{where}: {who}: handle {h!r}: {platform!r} is not a known platform{did_you_mean(platform, platforms)}",
                    hint=f"Known platforms: {', '.join(sorted(platforms))}.",
                )


def people_from_data(
    data: dict,  # type: ignore[type-arg]
    region: str,
    where: str = "people file",
    *,
    strict: bool = True,
    platforms: Collection[str] | None = None,
) -> People:
    """Validate parsed TOML as a people file.

    ``strict`` (new input) also refuses unknown tables and keys and handles whose platform is not
    one of ``platforms`` (default: :func:`known_platforms`). Files stored in a case before these
    rules are read with ``strict=False``, so an existing case still opens.
    """
    if strict:
        _check_schema(data, where, known_platforms() if platforms is None else platforms)
    rows = data.get("person", [])
    if not isinstance(rows, list):
        raise PeopleFileError(f"{where}: use [[person]] tables")
    persons: list[Person] = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"].strip():
            raise PeopleFileError(f"{where}: person #{i} has no name")
        role = row.get("role", "other")
        if role not in ROLES:
            raise PeopleFileError(f"{where}: {row['name']}: role {role!r} is not one of {', '.join(sorted(ROLES))}")
        lists = {}
        evidence = row.get("evidence", {})
        if not isinstance(evidence, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in evidence.items()):
            raise PeopleFileError(f'{where}: {row.get("name")}: evidence must be a table of identifier = "what shows it"')
        for key in ("phones", "emails", "handles", "stop_dates"):
            value = row.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PeopleFileError(f"{where}: {row['name']}: {key} must be a list of strings")
            lists[key] = tuple(value)
        for value in lists["stop_dates"]:
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise PeopleFileError(f"{where}: {row['name']}: stop date {value!r} is not an ISO date like 2025-03-10") from None
        listed = {*lists["phones"], *lists["emails"], *lists["handles"]}
        unknown = set(evidence) - listed
        if unknown:
            raise PeopleFileError(f"{where}: {row['name']}: evidence given for {', '.join(sorted(unknown))}, which is not listed")
        persons.append(
            Person(
                row["name"].strip(),
                role,
                lists["phones"],
                lists["emails"],
                lists["handles"],
                lists["stop_dates"],
                tuple(sorted(evidence.items())),
            )
        )
    return People(persons, region)


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def people_to_toml(people: People, header: str = "") -> str:
    """Write ``people`` back as a people file (used when a suggestion is accepted)."""
    lines = [f"# {line}" for line in header.splitlines()]
    for p in people.persons:
        lines += ["", "[[person]]", f"name = {_toml_string(p.name)}", f"role = {_toml_string(p.role)}"]
        for key in ("phones", "emails", "handles", "stop_dates"):
            values = getattr(p, key)
            if values:
                lines.append(f"{key} = [{', '.join(_toml_string(v) for v in values)}]")
        if p.evidence:
            lines.append("evidence = { " + ", ".join(f"{_toml_string(k)} = {_toml_string(v)}" for k, v in p.evidence) + " }")
    return "\n".join(lines).lstrip("\n") + "\n"
