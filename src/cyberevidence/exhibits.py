"""Exhibit references (``JS/1``, ``JS/2`` ...): the one numbering used by the report, the pack and CASE/UCO.

The rule (docs/evidence-pack.md, "Exhibit references"):

* every original acquired into the case (custody ``acquire``) and every version of the victim's
  own record (custody ``record``: a diary entry or a marker) is one exhibit; the same bytes
  acquired twice are one exhibit (the store is content-addressed);
* references are given in custody order of first acquisition, with the examiner's initials;
* each pack's and each recorded report's ``export`` custody entry records the references it used
  (``details.exhibits``: reference -> SHA-256, ``details.initials``); every later reader (pack, report, CASE/UCO)
  keeps each reference already given, even one made with other initials, and numbers new
  exhibits on from the highest number used with the current initials. The current initials
  are those of the latest such export, else the examiner's (``J. Smith`` -> ``JS``);
* a member or attachment derived from an exhibit (a photo inside a WhatsApp zip) carries the
  reference of the exhibit it came from, with its path inside it: ``JS/1 › media/IMG-1.jpg``.

The custody log is therefore the record of the assignment: it is append-only and hash-chained, so
a reference cannot be silently moved to another file, and regenerating any output gives the same
references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cyberevidence.errors import CyberEvidenceError, Setting

if TYPE_CHECKING:
    from cyberevidence.case import Case

PACK_ACTION_WHAT = "pack"
#: Exports whose custody entry records the references they showed (``details.exhibits``, ``details.initials``).
RECORDING_EXPORTS = frozenset({PACK_ACTION_WHAT, "report"})
#: Custody actions whose subject is an exhibit of its own.
EXHIBIT_ACTIONS = frozenset({"acquire", "record"})
#: Between an exhibit's reference and a member's path inside it.
MEMBER_SEPARATOR = " › "
_INITIALS = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_REF = re.compile(r"^(?P<initials>[A-Z][A-Z0-9]{0,7})/(?P<n>[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class Exhibit:
    """One exhibit: an original as acquired (or a record version), with where it came from and what was read."""

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
    record_type: str = ""

    @property
    def description(self) -> str:
        if self.record_type:
            kind = "the victim's diary entry" if self.record_type == "diary" else f"{self.record_type} record"
            return f"{self.original_name} ({kind}, as written in the case; {self.size:,} bytes)"
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
            "record_type": self.record_type,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class ExhibitRefs:
    """SHA-256 -> reference for every stored file: exhibits and the members derived from them."""

    initials: str
    exhibits: dict[str, str]
    #: derived SHA-256 -> (parent SHA-256, path inside the parent), first derivation wins
    derived: dict[str, tuple[str, str]]

    def exhibit_of(self, sha256: str) -> str:
        """The reference of the exhibit a stored file is, or came from ("" when it is neither)."""
        seen: set[str] = set()
        while sha256 not in self.exhibits and sha256 in self.derived and sha256 not in seen:
            seen.add(sha256)
            sha256 = self.derived[sha256][0]
        return self.exhibits.get(sha256, "")

    def label(self, sha256: str) -> str:
        """``JS/1`` for an exhibit, ``JS/1 › media/IMG-1.jpg`` for a member of one, "" when unknown."""
        if sha256 in self.exhibits:
            return self.exhibits[sha256]
        path: list[str] = []
        seen: set[str] = set()
        cur = sha256
        while cur in self.derived and cur not in self.exhibits and cur not in seen:
            seen.add(cur)
            parent, inner = self.derived[cur]
            path.insert(0, inner)
            cur = parent
        top = self.exhibits.get(cur, "")
        return MEMBER_SEPARATOR.join([top, *path]) if top else ""


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
            hint="Give letters (and digits) only, starting with a letter, e.g. JS.",
            setting=Setting.INITIALS,
        )
    return value


def case_initials(case: Case) -> str:
    """The initials in use: those of the latest pack or report recorded in custody, else the examiner's."""
    latest = ""
    for e in case.custody.entries():
        if e.action == "export" and e.details.get("what") in RECORDING_EXPORTS:
            value = str(e.details.get("initials", ""))
            if _INITIALS.match(value):
                latest = value
    return latest or default_initials(str(case.info.get("examiner", "")))


def recorded_references(case: Case) -> dict[str, str]:
    """SHA-256 -> reference, as earlier packs and reports recorded them in custody (the first given wins)."""
    given: dict[str, str] = {}
    used: set[str] = set()
    for e in case.custody.entries():
        if e.action != "export" or e.details.get("what") not in RECORDING_EXPORTS:
            continue
        exhibits = e.details.get("exhibits", {})
        if not isinstance(exhibits, dict):
            continue
        for ref, sha in exhibits.items():
            if isinstance(sha, str) and _REF.match(str(ref)) and sha not in given and ref not in used:
                given[sha] = str(ref)
                used.add(str(ref))
    return given


def assign_exhibits(case: Case, initials: str | None = None) -> list[Exhibit]:
    """Every exhibit in the case, in custody order of first acquisition (``initials``: see :func:`case_initials`)."""
    initials = check_initials(initials) if initials else case_initials(case)
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
        if e.action in EXHIBIT_ACTIONS and e.subject:
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
                size=int(row["size"]) if row else int(d.get("original_size", d.get("size", 0))),
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
                record_type=str(d.get("record_type", "")) if entry.action == "record" else "",
            )
        )
    return out


def exhibit_refs(case: Case, exhibits: list[Exhibit] | None = None) -> ExhibitRefs:
    """The references of every stored file (``exhibits``: from :func:`assign_exhibits`, computed when omitted)."""
    listed = assign_exhibits(case) if exhibits is None else exhibits
    derived: dict[str, tuple[str, str]] = {}
    for e in case.custody.entries():
        if e.action == "derive" and e.subject:
            derived.setdefault(e.subject, (str(e.details.get("parent_sha256", "")), str(e.details.get("path_in_parent", ""))))
    return ExhibitRefs(case_initials(case), {x.sha256: x.reference for x in listed}, derived)


_SHA256_IN_TEXT = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def exhibits_named(text: str, refs: ExhibitRefs) -> list[str]:
    """The exhibit references of the stored files a text names by SHA-256 (a verify finding, a path)."""
    out: list[str] = []
    for sha in _SHA256_IN_TEXT.findall(text):
        label = refs.label(sha)
        if label and label not in out:
            out.append(label)
    return out


def refs_of_case_dir(case_dir: str) -> ExhibitRefs | None:
    """The references of a case folder, for ``verify``'s output; ``None`` when it cannot be read (damaged, a bundle)."""
    from pathlib import Path

    if not Path(case_dir).is_dir():
        return None
    try:
        from cyberevidence.case import Case

        return exhibit_refs(Case.open(case_dir))
    except Exception:  # a damaged case: verify's own findings say what is wrong
        return None


def verify_lines(refs: ExhibitRefs | None) -> str:
    """One line for ``verify``: the exhibits whose stored files were among those re-hashed."""
    if refs is None or not refs.exhibits:
        return ""
    def order(ref: str) -> tuple[str, int]:
        initials, _, number = ref.partition("/")
        return initials, int(number) if number.isdigit() else 0

    ordered = sorted(refs.exhibits.values(), key=order)
    return f"Exhibits {ordered[0]} to {ordered[-1]} ({len(ordered)}), with every file derived from them, were re-hashed."


def sha256_groups(sha256: str) -> list[str]:
    """A SHA-256 as four groups of sixteen hex digits (read aloud and compared group by group)."""
    return [sha256[i : i + 16] for i in range(0, len(sha256), 16)] or [""]


__all__ = [
    "EXHIBIT_ACTIONS",
    "MEMBER_SEPARATOR",
    "PACK_ACTION_WHAT",
    "RECORDING_EXPORTS",
    "Exhibit",
    "ExhibitRefs",
    "assign_exhibits",
    "case_initials",
    "check_initials",
    "default_initials",
    "exhibit_refs",
    "exhibits_named",
    "recorded_references",
    "refs_of_case_dir",
    "sha256_groups",
    "verify_lines",
]
