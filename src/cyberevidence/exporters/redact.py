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
from urllib.parse import quote, quote_plus

import phonenumbers
import rfc8785

from cyberevidence._version import __version__
from cyberevidence.errors import CyberEvidenceError, OutputFolderError
from cyberevidence.events import Attachment, Event, SourceRef
from cyberevidence.exporters.third_parties import (
    MIN_PHONE_DIGITS,
    Identifier,
    IdentifierKind,
    classify_handle,
    emails_in,
    extra_handles,
    extra_strings,
    name_words,
    phones_in,
)
from cyberevidence.exporters.timeline import write_timeline_csv, write_timeline_jsonl
from cyberevidence.hashing import hash_file
from cyberevidence.people import People, Person, normalise_phone
from cyberevidence.store.custody import utc_now
from cyberevidence.store.ingest import Progress, ProgressFn
from cyberevidence.store.manifest import MANIFEST
from cyberevidence.timeutil import zone

if TYPE_CHECKING:
    from cyberevidence.case import Case

MASK = "[redacted]"
#: Platforms of the case's own records (diary entries, markers): their sender is no person to hide.
CASE_RECORD_PLATFORMS = frozenset({"diary", "marker"})
DISCLOSURE_MANIFEST = "disclosure-manifest.json"
DEFAULT_ROLES = ("other", "witness")
_SEP = r"(?:[\s\-.()/]|%20)*"
_WORD = re.compile(r"[^\W_]+")
#: A run of digits, separators and the international prefix, in which phone patterns are looked for.
_DIGIT_RUN = re.compile(r"(?:[\d+\s\-.()/]|%20|%2B)+", re.IGNORECASE)


@dataclass
class _Target:
    """One person (or bare name, or identifier seen only in the data) to pseudonymise, with every spelling."""

    name: str
    person: Person | None
    literals: set[str] = field(default_factory=set)
    phone_patterns: list[str] = field(default_factory=list)
    #: The national significant digits of each phone pattern (to find the numbers a run of digits holds).
    phone_digits: list[str] = field(default_factory=list)
    label: str = ""
    first_seen: int = -1
    #: The order it was found in (people file first, then discoveries): the last tie-break of the labels.
    order: int = 0
    #: How an unlisted third party was found (``None``: a person of the people file, or named).
    found_by: IdentifierKind | None = None


@dataclass(frozen=True, slots=True)
class DisclosureResult:
    folder: Path
    files: dict[str, str]
    events: int
    pseudonyms: int
    manifest_sha256: str
    #: Of the pseudonyms, those given to identifiers seen only in the data (not in the people file).
    unlisted: int = 0


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
    prefix = rf"(?:(?:\+|%2B|00)?{_SEP}{cc}{_SEP}(?:\(?0\)?{_SEP})?|0{_SEP})?"
    return rf"(?<!\d){prefix}{_SEP.join(nsn)}(?!\d)"


def _forms(literal: str) -> set[str]:
    """A spelling as it is written, as HTML, JSON and URLs escape it, and run together as download
    folders write a name ("Jay Baker" in ``inbox/jaybaker_10``)."""
    words = literal.split()
    joined = {"".join(words)} if len(words) > 1 and all(w.isalpha() for w in words) and len("".join(words)) >= 6 else set()
    return joined | {
        literal,
        html.escape(literal, quote=True),
        json.dumps(literal)[1:-1],
        quote(literal, safe=""),
        quote_plus(literal, safe=""),
        quote(literal, safe="@"),
    }


class Redactor:
    """Replaces every identifier of a third party by their pseudonym, and applies the masks.

    Third parties are the people-file persons whose role is redacted (or who are named) and,
    unless ``unlisted`` is False, every sender, recipient, phone number and e-mail address in the
    data that the people file does not link to a person who is kept (the victim, the subject)."""

    def __init__(
        self,
        people: People,
        roles: Sequence[str] = DEFAULT_ROLES,
        names: Sequence[str] = (),
        masks: Sequence[str] = (),
        *,
        unlisted: bool = True,
    ) -> None:
        self.people = people
        self.roles = tuple(roles)
        self.unlisted = unlisted
        wanted = {n.strip().casefold() for n in names if n.strip()}
        self.targets: dict[str, _Target] = {}
        for p in people.persons:
            if p.role in self.roles or p.name.casefold() in wanted:
                self.targets[p.name] = self._from_person(p)
                wanted.discard(p.name.casefold())
        for n in names:
            if n.strip().casefold() in wanted:
                self.targets[n.strip()] = _Target(n.strip(), None, {n.strip()}, order=len(self.targets))
                wanted.discard(n.strip().casefold())
        kept = [p for p in people.persons if p.name not in self.targets]
        self.kept_words = {w.casefold() for p in kept for w in re.findall(r"\w+", p.name)}
        self.kept_literals = {
            x.casefold() for p in kept for x in (p.name, *p.emails, *(h.partition(":")[2].strip() for h in p.handles))
        }
        self.kept_phones = {e for p in kept for e in (normalise_phone(ph, people.region) for ph in p.phones) if e}
        self.kept_name_parts = 0
        for t in self.targets.values():
            self._add_words(t, t.name)
        # identifier (kind, key) -> whose it is, so a number or address seen in the data joins its person
        self._idents: dict[tuple[IdentifierKind, str], _Target] = {}
        for t in self.targets.values():
            if t.person is not None:
                for ph in t.person.phones:
                    if (e := normalise_phone(ph, people.region)) is not None:
                        self._idents[(IdentifierKind.PHONE, e)] = t
                for em in t.person.emails:
                    self._idents[(IdentifierKind.EMAIL, em.strip().lower())] = t
        #: exact raw handle (sender, recipient, person field) -> target, for the fields that hold one handle
        self._handles: dict[str, _Target] = {}
        self._kept_handles: dict[tuple[str, str], Person] = {}
        try:
            self.masks = [re.compile(m) for m in masks]
        except re.error as exc:
            raise CyberEvidenceError(f"text mask: not a valid regular expression ({exc})") from None
        self._compiled_ready = False
        self._groups: dict[str, _Target] = {}
        self._literal_parts: list[tuple[str, str, str]] = []
        self._literal_cache: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._phone_rx: re.Pattern[str] | None = None
        self._phones: list[tuple[str, str]] = []
        self._phone_cache: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._by_word: dict[str, list[int]] = {}
        self._wordless: list[int] = []
        self.replacements = 0
        self.masked = 0
        self.kept_unlisted_words = 0

    def _add_words(self, t: _Target, name: str, *, only_names: bool = False) -> None:
        words = name_words(name) if only_names else [w for w in re.findall(r"\w+", name) if len(w) >= 2]
        claimed = {lit.casefold() for other in self.targets.values() if other is not t for lit in other.literals}
        for word in words:
            if word.casefold() in self.kept_words:
                self.kept_name_parts += 1
            elif word.casefold() not in claimed:
                t.literals.add(word)

    def _add_name_words(self, t: _Target, name: str) -> None:
        """The words of a name seen in the data (counted apart from the people file's names)."""
        before = self.kept_name_parts
        self._add_words(t, name, only_names=True)
        self.kept_unlisted_words += self.kept_name_parts - before
        self.kept_name_parts = before

    def _add_phone(self, t: _Target, raw: str) -> None:
        pat = _phone_pattern(raw, self.people.region)
        e164 = normalise_phone(raw, self.people.region)
        if pat and e164:
            t.phone_patterns.append(pat)
            t.phone_digits.append(str(phonenumbers.national_significant_number(phonenumbers.parse(e164))))

    def _from_person(self, p: Person) -> _Target:
        t = _Target(p.name, p, {p.name, *p.emails}, order=len(self.targets))
        for h in p.handles:
            t.literals.add(h.partition(":")[2].strip())
        for ph in p.phones:
            t.literals.add(ph)
            self._add_phone(t, ph)
        return t

    # ------------------------------------------------------------ first pass: who appears, how
    def _discover(self, ident: Identifier, position: int) -> _Target | None:
        """The target for an identifier seen in the data (made on first sight), or None if it is a kept person's."""
        found = self._idents.get((ident.kind, ident.key))
        if found is not None:
            return found
        if ident.kind is IdentifierKind.PHONE and ident.key in self.kept_phones:
            return None
        if ident.key.casefold() in self.kept_literals or any(s.casefold() in self.kept_literals for s in ident.spellings):
            return None
        shown = {IdentifierKind.PHONE: "phone number", IdentifierKind.EMAIL: "e-mail address",
                 IdentifierKind.HANDLE: "name or handle"}[ident.kind]
        t = _Target(f"{ident.spellings[0]} ({shown} seen in the data, not in the people file)", None,
                    set(ident.spellings), order=len(self.targets), found_by=ident.kind, first_seen=position)
        if ident.kind is IdentifierKind.PHONE:
            self._add_phone(t, ident.key)
        elif ident.kind is IdentifierKind.EMAIL:
            t.literals.add(ident.key)
        else:
            self._add_name_words(t, ident.spellings[0])
        self.targets[t.name] = t
        self._idents[(ident.kind, ident.key)] = t
        return t

    def observe(self, ev: Event, position: int) -> None:
        """Learn the handles, numbers and addresses of third parties in one event."""
        if ev.platform not in CASE_RECORD_PLATFORMS:  # the case's own diary and markers: no sender to learn
            kept_other = False  # a kept party other than the victim (a subject): the export's names are theirs
            party: _Target | None = None  # else the first third party in the event, whose the names are
            for handle in (ev.sender, *ev.recipients):
                kept = self._observe_handle(ev.platform, handle, position)
                kept_other = kept_other or (kept is not None and kept.role != "victim")
                party = party or self._handles.get(handle)
            if self.unlisted:
                for value, owner in extra_handles(ev.extra):
                    # a name the data gives for a kept person's address is theirs; an unowned name (an SMS
                    # backup's contact_name) names the other party: a subject, or the third party in the event
                    if "@" not in value and owner is None and (kept_other or party is not None):
                        if party is not None and not kept_other and value.casefold() not in self.kept_literals:
                            party.literals.add(value)
                            self._handles.setdefault(value, party)
                            self._add_name_words(party, value)
                        continue
                    if owner is not None and self._is_kept(ev.platform, owner):
                        continue
                    self._observe_handle(ev.platform, value, position)
        if self.unlisted:
            self.observe_text(_strings(ev, for_discovery=True), position, ev.platform)
        self._compiled_ready = False

    def _observe_handle(self, platform: str, handle: str, position: int) -> Person | None:
        """Learn one raw handle; the kept person (victim, subject) it belongs to, if it is one's."""
        if not handle or handle in self._handles:
            return None
        if (platform, handle) in self._kept_handles:
            return self._kept_handles[(platform, handle)]
        m = self.people.match(platform, handle)
        if m is not None:
            if m.person.name in self.targets:
                self.targets[m.person.name].literals.add(handle)
                self._handles[handle] = self.targets[m.person.name]
                return None
            self._kept_handles[(platform, handle)] = m.person
            return m.person
        if self.unlisted:
            for ident in classify_handle(handle, self.people.region):
                t = self._discover(ident, position)
                if t is not None:
                    self._handles.setdefault(handle, t)
        return None

    def observe_text(self, strings: Iterable[str], position: int, platform: str = "") -> None:
        """Learn the phone numbers and e-mail addresses written in free text (messages, diary entries)."""
        for s in strings:
            for e164 in phones_in(s, self.people.region):
                if not self._is_kept(platform, e164):
                    self._discover(Identifier(IdentifierKind.PHONE, e164, (e164,)), position)
            for addr in emails_in(s):
                if not self._is_kept(platform, addr):
                    self._discover(Identifier(IdentifierKind.EMAIL, addr, (addr,)), position)

    def _is_kept(self, platform: str, identifier: str) -> bool:
        m = self.people.match(platform or "email", identifier)
        return m is not None and m.person.name not in self.targets

    def first_appearances(self, strings: Iterable[str], position: int) -> None:
        """Note which targets one event mentions anywhere (for the order of the labels)."""
        if not self._compiled_ready:
            self._compile()
        for s in strings:
            for group in self._groups_in(s):
                t = self._groups[group]
                if t.first_seen < 0 or t.first_seen > position:
                    t.first_seen = position

    def assign_labels(self) -> dict[str, str]:
        order = sorted(
            self.targets.values(),
            key=lambda t: (t.first_seen < 0, t.first_seen if t.first_seen >= 0 else 0, self._people_order(t.name), t.order),
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
        """Every spelling of every target, each in a named group that says whose it is.

        Spellings are not one big alternation over the whole text (a report page with hundreds of
        third parties would take minutes): a text is first checked for which spellings it holds at
        all (plain substring tests), and only those are matched as whole words; phone patterns run
        only inside runs of digits and separators that hold seven digits or more."""
        self._groups = {}
        self._literal_parts = []
        phones: list[tuple[str, str, str]] = []
        for i, t in enumerate(self.targets.values()):
            group = f"t{i}"
            self._groups[group] = t
            for lit in t.literals:
                if not lit.strip():
                    continue
                for form in _forms(lit):
                    # never inside a longer word; an underscore counts as a break (``alice_aaaa`` folders)
                    self._literal_parts.append((form.casefold(), group, rf"(?<![^\W_]){re.escape(form)}(?![^\W_])"))
            phones.extend((group, pat, nsn) for pat, nsn in zip(t.phone_patterns, t.phone_digits, strict=True))
        self._literal_parts.sort(key=lambda x: -len(x[0]))
        self._literal_cache = {}
        # each spelling filed under its first word, so a text is checked only against the spellings whose
        # first word it holds (a dictionary look-up per word, however many third parties there are)
        self._by_word = {}
        self._wordless = []
        for i, (form, _g, _p) in enumerate(self._literal_parts):
            words = _WORD.findall(form)
            if words:
                self._by_word.setdefault(words[0], []).append(i)
            else:
                self._wordless.append(i)
        # each number with its national digits: a run of digits is matched only against the numbers it holds
        self._phones = [(nsn, f"(?P<{group}_p{n}>{pat})") for n, (group, pat, nsn) in enumerate(phones)]
        self._phone_cache = {}
        self._phone_rx = re.compile("|".join(x for _n, x in self._phones), re.IGNORECASE) if self._phones else None
        self._compiled_ready = True

    def _literal_rx(self, value: str) -> re.Pattern[str] | None:
        """The whole-word pattern of the spellings ``value`` holds at all (None: it holds none)."""
        low = value.casefold()
        found = [i for w in set(_WORD.findall(low)) for i in self._by_word.get(w, ())] + self._wordless
        present = tuple(sorted(i for i in found if self._literal_parts[i][0] in low))
        if not present:
            return None
        rx = self._literal_cache.get(present)
        if rx is None:
            rx = re.compile("|".join(f"(?P<{self._literal_parts[i][1]}_l{i}>{self._literal_parts[i][2]})" for i in present),
                            re.IGNORECASE)
            if len(self._literal_cache) < 4096:
                self._literal_cache[present] = rx
        return rx

    def _phone_rx_for(self, run: str) -> re.Pattern[str] | None:
        """The phone patterns of the numbers whose digits ``run`` holds (None: it holds none)."""
        digits = "".join(c for c in run if c.isdigit())
        present = tuple(i for i, (nsn, _x) in enumerate(self._phones) if nsn in digits)
        if not present:
            return None
        rx = self._phone_cache.get(present)
        if rx is None:
            rx = re.compile("|".join(self._phones[i][1] for i in present), re.IGNORECASE)
            if len(self._phone_cache) < 4096:
                self._phone_cache[present] = rx
        return rx

    def _groups_in(self, value: str) -> Iterator[str]:
        if not value:
            return
        rx = self._literal_rx(value)
        if rx is not None:
            for m in rx.finditer(value):
                yield (m.lastgroup or "").rsplit("_", 1)[0]
        if self._phone_rx is not None and sum(c.isdigit() for c in value) >= MIN_PHONE_DIGITS:
            for run in _DIGIT_RUN.finditer(value):
                rx_run = self._phone_rx_for(run.group(0))
                if rx_run is not None:
                    for m in rx_run.finditer(run.group(0)):
                        yield (m.lastgroup or "").rsplit("_", 1)[0]

    # ------------------------------------------------------------ second pass: rewrite
    def text(self, value: str) -> str:
        if not value:
            return value
        for mask in self.masks:
            value, n = mask.subn(MASK, value)
            self.masked += n
        if not self._compiled_ready:
            return value

        def swap(m: re.Match[str]) -> str:
            self.replacements += 1
            group = (m.lastgroup or "").rsplit("_", 1)[0]
            return self._groups[group].label

        rx = self._literal_rx(value)
        if rx is not None:
            value = rx.sub(swap, value)
        phone_rx = self._phone_rx
        if phone_rx is not None and sum(c.isdigit() for c in value) >= MIN_PHONE_DIGITS:

            def numbers(run: re.Match[str]) -> str:
                text = run.group(0)
                rx_run = self._phone_rx_for(text) if sum(c.isdigit() for c in text) >= MIN_PHONE_DIGITS else None
                return rx_run.sub(swap, text) if rx_run is not None else text

            value = _DIGIT_RUN.sub(numbers, value)
        return value

    def handle(self, value: str) -> str:
        """A field holding one handle: its pseudonym when it is a third party's, else the text rewritten."""
        t = self._handles.get(value)
        if t is not None and t.label:
            self.replacements += 1
            return t.label
        return self.text(value)

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {self.text(str(k)): self.value(x) for k, x in v.items()}
        return v

    def event(self, ev: Event) -> Event:
        person = self.targets[ev.person].label if ev.person in self.targets else self.handle(ev.person)
        return dataclasses.replace(
            ev,
            person=person,
            sender=self.handle(ev.sender),
            recipients=[self.handle(r) for r in ev.recipients],
            text=self.text(ev.text),
            thread=self.handle(ev.thread),
            attachments=[Attachment(self.text(a.name), a.sha256, a.media_type) for a in ev.attachments],
            extra=self.value(ev.extra),
            source=SourceRef(ev.source.sha256, self.text(ev.source.locator)),
            seen_in=[SourceRef(s.sha256, self.text(s.locator)) for s in ev.seen_in],
            time_note=self.text(ev.time_note),
        )

    def lines(self, pieces: Iterable[str]) -> Iterator[str]:
        """Rewrite a stream of text pieces a whole line at a time, so no spelling is split between two pieces."""
        held = ""
        for piece in pieces:
            held += piece
            cut = held.rfind("\n")
            if cut >= 0:
                yield self.text(held[: cut + 1])
                held = held[cut + 1 :]
        if held:
            yield self.text(held)


def _strings(ev: Event, *, for_discovery: bool = False) -> Iterator[str]:
    # an e-mail's thread is its first Message-ID, never a person's address
    thread = "" if for_discovery and ev.platform == "email" else ev.thread
    yield from (ev.sender, *ev.recipients, ev.text, thread, ev.person, ev.source.locator)
    yield from (a.name for a in ev.attachments)
    if ev.extra:
        yield from extra_strings(ev.extra) if for_discovery else (json.dumps(ev.extra, ensure_ascii=False),)


#: Endings that name a file, not a folder: ``-o disclose-001.csv`` is refused rather than made a folder.
FILE_ENDINGS = frozenset({".csv", ".jsonl", ".json", ".html", ".htm", ".txt", ".zip", ".pdf", ".xlsx", ".7z"})


def check_output_folder(folder: Path) -> None:
    """Refuse a disclosure folder that is a file, a non-empty folder, or a name ending like a file."""
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"{folder}: this is a file, and a disclosure is a folder of four files",
                                hint="Give the name of a new folder, for example disclosure-001.")
    if folder.is_dir() and any(folder.iterdir()):
        raise OutputFolderError(f"{folder}: the folder exists and is not empty", hint="Choose a new folder for the disclosure.")
    if not folder.exists() and folder.suffix.lower() in FILE_ENDINGS:
        raise OutputFolderError(
            f"{folder}: a disclosure is a folder of four files (timeline.csv, timeline.jsonl, report.html, "
            f"{DISCLOSURE_MANIFEST}), and this name ends like a file ({folder.suffix})",
            hint=f"Give a folder name without the ending, for example {folder.with_suffix('').name}.",
        )


def disclose(
    case: Case,
    out_dir: str | Path,
    *,
    redact_roles: Sequence[str] = DEFAULT_ROLES,
    redact_persons: Sequence[str] = (),
    mask_text: Sequence[str] = (),
    actor: str | None = None,
    unlisted: bool = True,
    progress: ProgressFn | None = None,
) -> DisclosureResult:
    """Write a redacted copy of the timeline (JSONL + CSV), the report and the disclosure manifest to ``out_dir``.

    ``unlisted``: also pseudonymise the senders, recipients, numbers and addresses the people
    file does not link to a kept person (the default; docs/redaction.md)."""
    folder = Path(out_dir)
    check_output_folder(folder)
    bad = [r for r in redact_roles if r not in ("victim", "subject", "witness", "other")]
    if bad:
        raise CyberEvidenceError(f"unknown role(s) {bad}", hint="Use victim, subject, witness or other.")
    people = case.people()
    redactor = Redactor(people, redact_roles, redact_persons, mask_text, unlisted=unlisted)
    tick = progress or (lambda _p: None)
    with case.writing():
        case.refresh_manifest()
        manifest_sha = hashlib.sha256((case.root / MANIFEST).read_bytes()).hexdigest()
        head = case.custody.head()
        total = 0
        for i, ev in enumerate(case.timeline()):
            redactor.observe(ev, i)
            total = i + 1
            if total % 1000 == 0:
                tick(Progress("disclose", "finding third parties", total, 0))
        for i, ev in enumerate(case.timeline()):
            redactor.first_appearances(_strings(ev), i)
        key = redactor.assign_labels()
        folder.mkdir(parents=True, exist_ok=True)
        count = 0

        def redacted() -> Iterator[Event]:
            for n, ev in enumerate(case.timeline(), 1):
                if n % 1000 == 0:
                    tick(Progress("disclose", "writing the disclosure", n, total))
                yield redactor.event(ev)

        with open(folder / "timeline.jsonl", "w", encoding="utf-8", newline="") as fh:
            count = write_timeline_jsonl(redacted(), fh)
        with open(folder / "timeline.csv", "w", encoding="utf-8", newline="") as fh:
            write_timeline_csv(redacted(), fh, tz=zone(case.info["timezone"]))
        from cyberevidence.report.html import render as render_report

        with open(folder / "report.html", "w", encoding="utf-8", newline="") as fh:
            for piece in redactor.lines(render_report(case)):
                fh.write(piece)
        files = {name: hash_file(folder / name)["sha256"] for name in ("timeline.jsonl", "timeline.csv", "report.html")}
        unlisted_count = sum(1 for t in redactor.targets.values() if t.found_by is not None)
        rules = {
            "roles_redacted": sorted(set(redact_roles)),
            "persons_named_for_redaction": len(redact_persons),
            "people_pseudonymised": len(key),
            "unlisted_identifiers_pseudonymised": unlisted_count,
            "pseudonyms": "Person A, Person B ... in order of first appearance in the case's timeline; "
            "people who never appear follow in people-file order",
            "identifiers_replaced": [
                "name, and each word of it unless it is also part of a non-redacted person's name",
                "phone numbers from the people file, in any spelling",
                "e-mail addresses and handle values from the people file",
                "raw handles in the case that the people file links to the person",
                *(
                    [
                        "every sender and recipient the people file does not link to a kept person (victim, subject), "
                        "and each word of a name of two or more words",
                        "every phone number written in the data (libphonenumber's matcher) that is not a kept person's",
                        "every e-mail address written in the data (RFC 5322 address parser) that is not a kept person's",
                    ]
                    if unlisted
                    else []
                ),
            ],
            "name_words_left_because_shared_with_non_redacted_people": redactor.kept_name_parts + redactor.kept_unlisted_words,
            "matching": "case-insensitive; never inside a longer word; as written, HTML-, JSON- and URL-escaped",
            "fields": ["person", "sender", "recipients", "thread", "text", "extra", "attachments.name", "source.locator",
                       "seen_in.locator", "time_note"],
            "text_masks": len(redactor.masks),
            "mask_replacement": MASK,
        }
        manifest: dict[str, Any] = {
            "disclosure_version": "2",
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
    return DisclosureResult(folder, {**files, DISCLOSURE_MANIFEST: manifest_file_sha}, count, len(key), manifest_sha,
                            unlisted_count)
