"""Redacted disclosure export: the timeline with third parties pseudonymised (docs/redaction.md).

People whose role is redacted (by default ``other`` and ``witness``) or who are named are
replaced by stable pseudonyms – "Person A", "Person B" … in order of first appearance in the
case's timeline (people who never appear follow, in people-file order) – wherever they occur:
``person``, ``sender``, ``recipients``, ``thread``, ``text``, ``extra``, attachment names and
source locators. What is replaced, for each such person:

* the name, and each word of it (a first name alone) unless that word is also part of the name of
  someone who is *not* redacted (then it is left, and counted in the manifest);
* phones from the people file in any spelling (``07700 900777``, ``+44 7700-900-777``, ``00447700900777``);
* e-mail addresses and the handle values from the people file;
* every raw handle in the case that the people file links to them.

Matches are case-insensitive and never inside a longer word ("Jo" is not replaced in "Jones").
Regular expressions given as masks replace what they match with ``[redacted]`` first.

The folder gets ``timeline.jsonl``, ``timeline.csv`` and ``disclosure-manifest.json``: every output
file's SHA-256, the case's manifest SHA-256 and custody head it was made from, and the rules applied
– never the redacted values. The disclosure is logged in custody with the pseudonym key (who is
"Person A"), which stays in the unredacted case.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import phonenumbers
import rfc8785

from cyberevidence._version import __version__
from cyberevidence.errors import CyberEvidenceError
from cyberevidence.events import Attachment, Event, SourceRef
from cyberevidence.exporters.timeline import write_timeline_csv, write_timeline_jsonl
from cyberevidence.hashing import hash_file
from cyberevidence.people import People, Person, normalise_phone
from cyberevidence.store.custody import utc_now
from cyberevidence.store.manifest import MANIFEST
from cyberevidence.timeutil import zone

if TYPE_CHECKING:
    from cyberevidence.case import Case

MASK = "[redacted]"
DISCLOSURE_MANIFEST = "disclosure-manifest.json"
DEFAULT_ROLES = ("other", "witness")
_SEP = r"[\s\-.()/]*"


@dataclass
class _Target:
    """One person (or bare name) to pseudonymise, with every spelling that identifies them."""

    name: str
    person: Person | None
    literals: set[str] = field(default_factory=set)
    phone_patterns: list[str] = field(default_factory=list)
    label: str = ""
    first_seen: int = -1


@dataclass(frozen=True, slots=True)
class DisclosureResult:
    folder: Path
    files: dict[str, str]
    events: int
    pseudonyms: int
    manifest_sha256: str


def _label(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return f"Person {letters}"


def _phone_pattern(raw: str, region: str) -> str | None:
    e164 = normalise_phone(raw, region)
    if e164 is None:
        return None
    num = phonenumbers.parse(e164)
    cc, nsn = str(num.country_code), str(phonenumbers.national_significant_number(num))
    prefix = rf"(?:(?:\+|00)?{_SEP}{cc}{_SEP}(?:\(?0\)?{_SEP})?|0{_SEP})?"
    return rf"(?<!\d){prefix}{_SEP.join(nsn)}(?!\d)"


def _alias_alternation(literals: Iterable[str]) -> list[str]:
    return [rf"(?<!\w){re.escape(a)}(?!\w)" for a in sorted({a for a in literals if a.strip()}, key=len, reverse=True)]


class Redactor:
    """Replaces every identifier of the redacted people by their pseudonym, and applies the masks."""

    def __init__(
        self,
        people: People,
        roles: Sequence[str] = DEFAULT_ROLES,
        names: Sequence[str] = (),
        masks: Sequence[str] = (),
    ) -> None:
        self.people = people
        self.roles = tuple(roles)
        wanted = {n.strip().casefold() for n in names if n.strip()}
        self.targets: dict[str, _Target] = {}
        for p in people.persons:
            if p.role in self.roles or p.name.casefold() in wanted:
                self.targets[p.name] = self._from_person(p)
                wanted.discard(p.name.casefold())
        for n in names:
            if n.strip().casefold() in wanted:
                self.targets[n.strip()] = _Target(n.strip(), None, {n.strip()})
                wanted.discard(n.strip().casefold())
        kept_words = {w.casefold() for p in people.persons if p.name not in self.targets for w in re.findall(r"\w+", p.name)}
        self.kept_name_parts = 0
        for t in self.targets.values():
            for word in re.findall(r"\w+", t.name):
                if len(word) < 2:
                    continue
                if word.casefold() in kept_words:
                    self.kept_name_parts += 1
                else:
                    t.literals.add(word)
        try:
            self.masks = [re.compile(m) for m in masks]
        except re.error as exc:
            raise CyberEvidenceError(f"--mask-text: not a valid regular expression ({exc})") from None
        self._compiled: re.Pattern[str] | None = None
        self._groups: dict[str, _Target] = {}
        self.replacements = 0
        self.masked = 0

    def _from_person(self, p: Person) -> _Target:
        t = _Target(p.name, p, {p.name, *p.emails})
        for h in p.handles:
            t.literals.add(h.partition(":")[2].strip())
        for ph in p.phones:
            t.literals.add(ph)
            pat = _phone_pattern(ph, self.people.region)
            if pat:
                t.phone_patterns.append(pat)
        return t

    # ------------------------------------------------------------ first pass: who appears, how
    def observe(self, ev: Event, position: int) -> None:
        """Learn raw handles linked to redacted people, and note first appearances (for the labels)."""
        involved: set[str] = set()
        for handle in (ev.sender, *ev.recipients):
            m = self.people.match(ev.platform, handle) if handle else None
            if m and m.person.name in self.targets:
                self.targets[m.person.name].literals.add(handle)
                involved.add(m.person.name)
        if ev.person in self.targets:
            involved.add(ev.person)
        for name, t in self.targets.items():
            if t.first_seen >= 0 or name in involved:
                continue
            pattern = "|".join([*_alias_alternation(t.literals), *t.phone_patterns])
            if pattern and any(re.search(pattern, s, re.IGNORECASE) for s in _strings(ev)):
                involved.add(name)
        for name in involved:
            if self.targets[name].first_seen < 0:
                self.targets[name].first_seen = position
        self._compiled = None

    def assign_labels(self) -> dict[str, str]:
        order = sorted(
            self.targets.values(),
            key=lambda t: (t.first_seen < 0, t.first_seen if t.first_seen >= 0 else 0, self._people_order(t.name)),
        )
        for i, t in enumerate(order):
            t.label = _label(i)
        self._compile()
        return {t.label: t.name for t in order}

    def _people_order(self, name: str) -> int:
        for i, p in enumerate(self.people.persons):
            if p.name == name:
                return i
        return len(self.people.persons)

    def _compile(self) -> None:
        # One alternation, longest spellings first, each in a named group that says whose it is.
        parts: list[tuple[int, str, str]] = []
        for i, t in enumerate(self.targets.values()):
            group = f"t{i}"
            self._groups[group] = t
            for lit in t.literals:
                if not lit.strip():
                    continue
                # The literal as written, and as it appears inside HTML (escaped) and JSON (\u escapes).
                for form in {lit, html.escape(lit, quote=True), json.dumps(lit)[1:-1]}:
                    parts.append((len(form), group, rf"(?<!\w){re.escape(form)}(?!\w)"))
            for pat in t.phone_patterns:
                parts.append((1000, group, pat))
        parts.sort(key=lambda x: -x[0])
        by_group: dict[str, list[str]] = {}
        alternation = []
        for _n, group, pat in parts:
            by_group.setdefault(group, []).append(pat)
            alternation.append(f"(?P<{group}_{len(by_group[group])}>{pat})")
        self._compiled = re.compile("|".join(alternation), re.IGNORECASE) if alternation else None

    # ------------------------------------------------------------ second pass: rewrite
    def text(self, value: str) -> str:
        if not value:
            return value
        for mask in self.masks:
            value, n = mask.subn(MASK, value)
            self.masked += n
        if self._compiled is None:
            return value

        def swap(m: re.Match[str]) -> str:
            self.replacements += 1
            group = (m.lastgroup or "").rsplit("_", 1)[0]
            return self._groups[group].label

        return self._compiled.sub(swap, value)

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {self.text(str(k)): self.value(x) for k, x in v.items()}
        return v

    def event(self, ev: Event) -> Event:
        person = self.targets[ev.person].label if ev.person in self.targets else self.text(ev.person)
        return dataclasses.replace(
            ev,
            person=person,
            sender=self.text(ev.sender),
            recipients=[self.text(r) for r in ev.recipients],
            text=self.text(ev.text),
            thread=self.text(ev.thread),
            attachments=[Attachment(self.text(a.name), a.sha256, a.media_type) for a in ev.attachments],
            extra=self.value(ev.extra),
            source=SourceRef(ev.source.sha256, self.text(ev.source.locator)),
            seen_in=[SourceRef(s.sha256, self.text(s.locator)) for s in ev.seen_in],
            time_note=self.text(ev.time_note),
        )


def _strings(ev: Event) -> Iterator[str]:
    yield from (ev.sender, *ev.recipients, ev.text, ev.thread, ev.person, ev.source.locator)
    yield from (a.name for a in ev.attachments)
    if ev.extra:
        yield json.dumps(ev.extra, ensure_ascii=False)


def disclose(
    case: Case,
    out_dir: str | Path,
    *,
    redact_roles: Sequence[str] = DEFAULT_ROLES,
    redact_persons: Sequence[str] = (),
    mask_text: Sequence[str] = (),
    actor: str | None = None,
) -> DisclosureResult:
    """Write a redacted copy of the timeline (JSONL + CSV) and its disclosure manifest to ``out_dir``."""
    folder = Path(out_dir)
    if folder.exists() and any(folder.iterdir()):
        raise CyberEvidenceError(f"{folder}: the folder exists and is not empty", hint="Choose a new folder for the disclosure.")
    bad = [r for r in redact_roles if r not in ("victim", "subject", "witness", "other")]
    if bad:
        raise CyberEvidenceError(f"unknown role(s) {bad}", hint="Use victim, subject, witness or other.")
    people = case.people()
    redactor = Redactor(people, redact_roles, redact_persons, mask_text)
    with case.writing():
        case.refresh_manifest()
        manifest_sha = hashlib.sha256((case.root / MANIFEST).read_bytes()).hexdigest()
        head = case.custody.head()
        for i, ev in enumerate(case.timeline()):
            redactor.observe(ev, i)
        key = redactor.assign_labels()
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        with open(folder / "timeline.jsonl", "w", encoding="utf-8", newline="") as fh:
            count = write_timeline_jsonl((redactor.event(ev) for ev in case.timeline()), fh)
        with open(folder / "timeline.csv", "w", encoding="utf-8", newline="") as fh:
            write_timeline_csv((redactor.event(ev) for ev in case.timeline()), fh, tz=zone(case.info["timezone"]))
        from cyberevidence.report.html import render as render_report

        with open(folder / "report.html", "w", encoding="utf-8", newline="") as fh:
            for piece in render_report(case):
                fh.write(redactor.text(piece))
        files = {name: hash_file(folder / name)["sha256"] for name in ("timeline.jsonl", "timeline.csv", "report.html")}
        rules = {
            "roles_redacted": sorted(set(redact_roles)),
            "persons_named_for_redaction": len(redact_persons),
            "people_pseudonymised": len(key),
            "pseudonyms": "Person A, Person B ... in order of first appearance in the case's timeline; "
            "people who never appear follow in people-file order",
            "identifiers_replaced": [
                "name, and each word of it unless it is also part of a non-redacted person's name",
                "phone numbers from the people file, in any spelling",
                "e-mail addresses and handle values from the people file",
                "raw handles in the case that the people file links to the person",
            ],
            "name_words_left_because_shared_with_non_redacted_people": redactor.kept_name_parts,
            "matching": "case-insensitive; never inside a longer word",
            "fields": ["person", "sender", "recipients", "thread", "text", "extra", "attachments.name", "source.locator",
                       "seen_in.locator", "time_note"],
            "text_masks": len(redactor.masks),
            "mask_replacement": MASK,
        }
        manifest: dict[str, Any] = {
            "disclosure_version": "1",
            "generated_at": utc_now(),
            "tool": {"name": "cyberevidence", "version": __version__},
            "case_id": str(case.info.get("case_id", "")),
            "made_from": {
                "manifest_sha256": manifest_sha,
                "custody_head": {"seq": head.seq, "hash": head.hash} if head else {"seq": -1, "hash": ""},
            },
            "rules": rules,
            "events": count,
            "replacements": redactor.replacements // 2,
            "masked": redactor.masked // 2,
            "files": [
                {"name": name, "sha256": sha, "size": (folder / name).stat().st_size} for name, sha in sorted(files.items())
            ],
            "report": "report.html: the evidence report rendered from the case, then every identifier of a redacted "
            "person replaced and every mask applied in the whole page (text, attributes, embedded filter data); "
            "it does not record the export in the case's custody log, the disclosure entry does",
        }
        data = bytes(rfc8785.dumps(manifest))
        (folder / DISCLOSURE_MANIFEST).write_bytes(data)
        manifest_file_sha = hashlib.sha256(data).hexdigest()
        case.record_export(
            "disclosure",
            str(folder.resolve()),
            actor=actor,
            files=files,
            disclosure_manifest_sha256=manifest_file_sha,
            rules=rules,
            mask_patterns=list(mask_text),
            persons_named=list(redact_persons),
            pseudonym_key=key,
            items=count,
        )
    return DisclosureResult(folder, {**files, DISCLOSURE_MANIFEST: manifest_file_sha}, count, len(key), manifest_sha)
