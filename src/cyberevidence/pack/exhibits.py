"""Exhibit references (``JS/1``, ``JS/2`` ...) that never change once given.

The rule: every original acquired into the case is one exhibit (the same bytes acquired twice
are one exhibit: the store is content-addressed). References are given in custody order of
first acquisition. Each pack's ``export`` custody entry records the references it used
(``details.exhibits``: reference -> SHA-256); a later pack reads them back, keeps every
reference already given, even one made with other initials, and numbers new originals on
from the highest number used with the current initials. The custody log is therefore the
record of the assignment: it is append-only and hash-chained, so a reference cannot be
silently moved to another file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cyberevidence.errors import CyberEvidenceError

if TYPE_CHECKING:
    from cyberevidence.case import Case

PACK_ACTION_WHAT = "pack"
_INITIALS = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_REF = re.compile(r"^(?P<initials>[A-Z][A-Z0-9]{0,7})/(?P<n>[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class Exhibit:
    """One exhibit: an original as acquired, with where it came from and what was read from it."""

    reference: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    original_path: str
    acquired_at: str
    acquired_by: str
    custody_seq: int
    note: str = ""
    parser: str = ""
    events: int = 0
    warnings: int = 0
    derived_members: int = 0
    also_acquired_as: tuple[str, ...] = field(default=())

    @property
    def description(self) -> str:
        what = f"read by the {self.parser} parser: {self.events} event(s)" if self.parser else "stored, not read by any parser"
        members = f", {self.derived_members} member(s) or attachment(s) kept" if self.derived_members else ""
        note = f". Note at acquisition: {self.note}" if self.note else ""
        return f"{self.original_name} ({self.media_type or 'unknown type'}, {self.size:,} bytes); {what}{members}{note}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "original_name": self.original_name,
            "original_path": self.original_path,
            "acquired_at": self.acquired_at,
            "acquired_by": self.acquired_by,
            "custody_seq": self.custody_seq,
            "note": self.note,
            "parser": self.parser,
            "events": self.events,
            "warnings": self.warnings,
            "derived_members": self.derived_members,
            "also_acquired_as": list(self.also_acquired_as),
            "description": self.description,
        }


def default_initials(examiner: str) -> str:
    """``J. Smith`` -> ``JS``; ``Demo Examiner`` -> ``DE``."""
    letters = "".join(w[0] for w in re.findall(r"[^\W\d_]+", examiner)).upper()
    letters = "".join(c for c in letters if "A" <= c <= "Z")
    return letters[:8] or "EX"


def check_initials(initials: str) -> str:
    value = initials.strip().upper()
    if not _INITIALS.match(value):
        raise CyberEvidenceError(
            f"{initials!r} cannot be used as exhibit initials",
            hint="Give letters (and digits) only, starting with a letter, e.g. --initials JS.",
        )
    return value


def recorded_references(case: Case) -> dict[str, str]:
    """SHA-256 -> reference, as earlier packs recorded them in custody (the first given wins)."""
    given: dict[str, str] = {}
    used: set[str] = set()
    for e in case.custody.entries():
        if e.action != "export" or e.details.get("what") != PACK_ACTION_WHAT:
            continue
        exhibits = e.details.get("exhibits", {})
        if not isinstance(exhibits, dict):
            continue
        for ref, sha in exhibits.items():
            if isinstance(sha, str) and _REF.match(str(ref)) and sha not in given and ref not in used:
                given[sha] = str(ref)
                used.add(str(ref))
    return given


def assign_exhibits(case: Case, initials: str) -> list[Exhibit]:
    """Every original in the case as an exhibit, in custody order of first acquisition."""
    initials = check_initials(initials)
    artefacts = {r["sha256"]: r for r in case.index.artefacts()}
    parses = case.index.parses()
    counts = case.index.event_counts()
    warnings: dict[str, int] = {}
    for w in case.index.warnings():
        warnings[w["sha256"]] = warnings.get(w["sha256"], 0) + 1
    first: dict[str, Any] = {}
    paths: dict[str, list[str]] = {}
    derived: dict[str, set[str]] = {}
    for e in case.custody.entries():
        if e.action == "acquire" and e.subject:
            first.setdefault(e.subject, e)
            paths.setdefault(e.subject, []).append(str(e.details.get("original_path", "")))
        elif e.action == "derive" and e.subject:
            derived.setdefault(str(e.details.get("parent_sha256", "")), set()).add(e.subject)

    given = recorded_references(case)
    highest = 0
    for ref in given.values():
        m = _REF.match(ref)
        if m and m["initials"] == initials:
            highest = max(highest, int(m["n"]))

    out: list[Exhibit] = []
    for sha, entry in first.items():
        ref = given.get(sha, "")
        if not ref:
            highest += 1
            ref = f"{initials}/{highest}"
        d = entry.details
        row = artefacts.get(sha)
        parse = parses.get(sha)
        out.append(
            Exhibit(
                reference=ref,
                sha256=sha,
                size=int(row["size"]) if row else int(d.get("original_size", 0)),
                media_type=str(row["media_type"]) if row else str(d.get("media_type", "")),
                original_name=str(d.get("original_name", "")),
                original_path=str(d.get("original_path", "")),
                acquired_at=entry.time,
                acquired_by=entry.actor,
                custody_seq=entry.seq,
                note=str(d.get("note", "")),
                parser=str(parse["parser"]) if parse else "",
                events=counts.get(sha, 0),
                warnings=warnings.get(sha, 0),
                derived_members=len(derived.get(sha, ())),
                also_acquired_as=tuple(p for p in paths[sha][1:] if p != paths[sha][0]),
            )
        )
    return out


__all__ = ["Exhibit", "assign_exhibits", "check_initials", "default_initials", "recorded_references"]
