"""What each source cannot show: the limits a court must hear about before it weighs the evidence.

``source_limitations(case)`` lists, for every parsed artefact, one :class:`Limitation` per fact:

* ``parser_limits`` – what the parser itself says it cannot read (``ParserInfo.limits``);
* what the source declares about itself (its ``ParserInfo``): ``one_sided`` (a Discord data
  package holds only the requester's own messages; a Facebook or Instagram download only what
  the one account holds), and its ``source_limits`` (WhatsApp's ``whatsapp_export_cap``,
  ``whatsapp_omits``, ``may_start_mid_conversation``: ``parsers/_limits_whatsapp.py``);
* ``media_omitted`` – how many messages refer to media the export left out;
* ``assumed_timezone`` – local times were read in a zone nobody stated;
* signs the export may be incomplete, by simple stated rules (never a guess presented as fact):

  - ``starts_with_outgoing`` – the export's earliest message was sent by the victim (known from
    the people file), so what she was answering may be missing;
  - ``damaged`` – a warning of the ``damage`` category (:class:`~cyberevidence.warning_codes.WarningCategory`),
    whichever parser wrote it: ``count_mismatch``, ``xml_damaged``, ``damaged_json``, Meta's
    ``malformed_json``, the social downloads' ``unreadable_json`` ... (``docs/warnings.md``).

Each is plain language for an advocate or a court, with the artefact's SHA-256, the name it was
acquired under, the parser and a stable ``code``. :func:`limitations_for_manifest` groups them
by artefact for ``manifest.json`` (``artefacts[].limitations``).

``name_findings(case)`` lists typed findings about the names themselves, for a person to confirm
(the report's "For you to confirm" box, the pack's ``scope.md``): a :class:`NameFinding` with a
:class:`FindingCode` for every sender, recipient or chat name and every file name that holds a
direction override (U+202E, U+202D), a known trick to make ``Mark\u202eexe.gnp`` display as
"Markpng.exe". Each is shown in its visible form (``Mark⟨U+202E⟩exe.gnp``, see
:mod:`cyberevidence.display`) and as escaped code points; the evidence keeps the characters.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from cyberevidence.analysis.resolve import Resolver
from cyberevidence.display import BIDI_OVERRIDES, bidi_overrides, escaped, mark, visible
from cyberevidence.events import Event
from cyberevidence.parsers.base import ArtefactFacts
from cyberevidence.warning_codes import WarningCategory, WarningCode

if TYPE_CHECKING:
    from cyberevidence.case import Case

#: Warning codes that say the file itself is damaged or incomplete: the ``damage`` category, in declaration order.
DAMAGE_CODES = tuple(str(c) for c in WarningCode if c.category is WarningCategory.DAMAGE)
#: Warning codes passed through as limitations of their own (code -> plain-language lead).
PASSED_WARNINGS = {
    WarningCode.OCR_UNAVAILABLE: "The screenshot's words were not read by OCR",
}
@dataclass(frozen=True, slots=True)
class Limitation:
    """One thing a source cannot show, in plain language."""

    sha256: str
    source: str
    parser: str
    code: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"sha256": self.sha256, "source": self.source, "parser": self.parser, "code": self.code, "text": self.text}


def _first_names(case: Case) -> dict[str, str]:
    names: dict[str, str] = {}
    for p in case.index.provenance():
        names.setdefault(p["sha256"], p["original_name"] or p["path_in_parent"] or p["sha256"])
    return names


def _latest_parse_details(case: Case) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for e in case.custody.entries():
        if e.action == "parse" and e.subject:
            latest[e.subject] = dict(e.details)
    return latest


def _event_stats(case: Case) -> dict[str, tuple[int, int, int]]:
    """Per source: (events, messages, media omitted)."""
    sql = (
        "SELECT es.sha256, COUNT(*), SUM(e.kind = 'message'), SUM(json_extract(e.record, '$.media_omitted') IS 1)"
        " FROM event_sources es JOIN events e ON e.event_id = es.event_id GROUP BY es.sha256"
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0), int(r[3] or 0)) for r in case.index.db.execute(sql)}


def _first_event(case: Case, sha: str, *, messages_only: bool) -> Event | None:
    sql = (
        "SELECT e.record FROM event_sources es JOIN events e ON e.event_id = es.event_id"
        " WHERE es.sha256 = ? AND e.timestamp != ''"
    )
    if messages_only:
        sql += " AND e.kind = 'message'"
    sql += " ORDER BY e.timestamp, es.locator LIMIT 1"
    row = case.index.db.execute(sql, (sha,)).fetchone()
    return Event.from_record(json.loads(row[0])) if row else None


def source_limitations(case: Case) -> list[Limitation]:
    """Every limitation of every parsed artefact, in the order the artefacts were acquired."""
    names = _first_names(case)
    order = {sha: i for i, sha in enumerate(names)}
    parses = case.index.parses()
    details = _latest_parse_details(case)
    stats = _event_stats(case)
    media_types = {r["sha256"]: r["media_type"] for r in case.index.artefacts()}
    warnings: dict[str, list[tuple[str, str]]] = {}
    for w in case.index.warnings():
        warnings.setdefault(w["sha256"], []).append((w["code"], w["message"]))
    people = case.people()
    resolver = Resolver(people, case.index.threads()) if people.victims else None

    out: list[Limitation] = []
    for sha in sorted(parses, key=lambda s: (order.get(s, len(order)), s)):
        parser = str(parses[sha]["parser"])
        info = case.registry.get(parser) if parser in case.registry else None  # a plug-in no longer installed: none
        if info is not None and info.case_records:
            continue  # the victim's own diary and markers: case records, not exports
        name = names.get(sha, sha)

        def add(code: str, text: str, sha: str = sha, name: str = name, parser: str = parser) -> None:
            out.append(Limitation(sha, name, parser, code, text))

        if info is not None and info.limits:
            add("parser_limits", f"What the {parser} reader cannot read: {info.limits}")
        events, _messages, omitted = stats.get(sha, (0, 0, 0))
        codes = [c for c, _ in warnings.get(sha, [])]

        if info is not None and info.source_limits is not None:
            first = partial(_first_event, case, sha, messages_only=False)
            facts = ArtefactFacts(sha, media_types.get(sha) or "", events, details.get(sha, {}), first)
            for code, text in info.source_limits(facts):
                add(code, text)
        if info is not None and info.one_sided:
            add("one_sided", info.one_sided)
        if omitted:
            add(
                "media_omitted",
                f"{omitted:,} message(s) refer to a picture, video, voice note or file that the export left out "
                "(e.g. '<Media omitted>'): what they showed is not in the case from this source.",
            )
        if WarningCode.ASSUMED_TIMEZONE in codes:
            zone = str(details.get(sha, {}).get("options", {}).get("timezone", case.info.get("timezone", "")))
            add(
                "assumed_timezone",
                f"The export states local times without a zone, and nobody stated it: they were read as {zone}. "
                "If the phone was set to another zone, every time from this source is off by the difference.",
            )
        if resolver is not None and not (info is not None and info.own_messages_only):
            first_msg = _first_event(case, sha, messages_only=True)
            if first_msg is not None and resolver.resolve(first_msg).direction == "outgoing":
                add(
                    "starts_with_outgoing",
                    f"The earliest message from this source ({first_msg.timestamp_utc}) was sent by the victim. "
                    "It may be a reply to something earlier that this export does not hold.",
                )
        for code in DAMAGE_CODES:
            found = [m for c, m in warnings.get(sha, []) if c == code]
            if found:
                add("damaged", f"The file is damaged or incomplete ({code}, {len(found)} warning(s)): {found[0]}")
        for code, lead in PASSED_WARNINGS.items():
            found = [m for c, m in warnings.get(sha, []) if c == code]
            if found:
                add(str(code), f"{lead}: {found[0]}")
    return out


def limitations_for_manifest(case: Case) -> dict[str, list[dict[str, str]]]:
    """The limitations grouped by artefact SHA-256, each as ``{code, text}``, for ``artefacts[].limitations``."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for lim in source_limitations(case):
        grouped.setdefault(lim.sha256, []).append({"code": lim.code, "text": lim.text})
    return grouped


# ---------------------------------------------------------------------------- findings about names
class FindingCode(StrEnum):
    """A typed finding about a name in the evidence: a prompt for a person to confirm, never a conclusion."""

    #: A sender, recipient or chat name holds a direction override (U+202E or U+202D).
    BIDI_OVERRIDE_IN_NAME = "bidi_override_in_name"
    #: A file name, path or archive member name holds a direction override.
    BIDI_OVERRIDE_IN_FILE_NAME = "bidi_override_in_file_name"


#: Record fields of an event that hold names, with their plain-language label.
_EVENT_NAME_FIELDS = {"sender": "sender name", "thread": "chat name"}
_PROVENANCE_FIELDS = {"original_name": "file name", "original_path": "file path", "path_in_parent": "path inside the archive"}


def _apparent(value: str) -> str:
    """How a simple right-to-left override displays: the text after it, up to U+202C, reversed.

    Only for a name with no other hidden character and no right-to-left letter (otherwise "").
    """
    plain = value.replace("\u202e", "").replace("\u202c", "")
    if "\u202e" not in value or visible(plain) != plain or any(unicodedata.bidirectional(c) in ("R", "AL") for c in plain):
        return ""
    out: list[str] = []
    for i, part in enumerate(value.split("\u202e")):
        if i == 0:
            out.append(part)
            continue
        inner, _, rest = part.partition("\u202c")
        out.append(inner[::-1] + rest)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class NameFinding:
    """A name or file name that holds a direction override, where it was found and in how many events.

    ``value`` is the name as stored (controls included); use :attr:`shown` and :attr:`code_points`
    to present it. ``sha256`` is the artefact it is in (for an event: the event's source file).
    """

    code: FindingCode
    sha256: str
    field: str
    value: str
    events: int = 0
    event_id: str = ""

    @property
    def shown(self) -> str:
        """The name with every hidden character visible, e.g. ``Mark⟨U+202E⟩exe.gnp``."""
        return visible(self.value)

    @property
    def code_points(self) -> str:
        """The name as escaped code points, e.g. ``Mark\\u202eexe.gnp``."""
        return escaped(self.value)

    @property
    def text(self) -> str:
        """The finding in plain language (holds no hidden character itself)."""
        found = " and ".join(f"a {BIDI_OVERRIDES[c]} ({mark(c)})" for c in bidi_overrides(self.value))
        apparent = _apparent(self.value)
        looks = f" Applied, it would display as “{apparent}”." if apparent else ""
        where = f" It is in {self.events:,} event(s)." if self.events else ""
        return (
            f"The {self.field} “{self.shown}” contains {found}, an invisible character that reverses how the text "
            f"after it is displayed: a known trick to make a name or file name look like something else.{looks} "
            f"Written as code points: {self.code_points}. It is shown here visibly, not applied; the stored "
            f"evidence keeps the character as it was.{where} Please confirm who chose this name."
        )

    def to_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "sha256": self.sha256, "field": self.field, "value": self.value,
                "shown": self.shown, "code_points": self.code_points, "events": self.events, "event_id": self.event_id,
                "text": self.text}


def _event_names(record: dict[str, Any]) -> Iterator[tuple[FindingCode, str, str]]:
    for key, label in _EVENT_NAME_FIELDS.items():
        yield FindingCode.BIDI_OVERRIDE_IN_NAME, label, str(record.get(key) or "")
    for r in record.get("recipients") or []:
        yield FindingCode.BIDI_OVERRIDE_IN_NAME, "recipient name", str(r)
    extra = record.get("extra") or {}
    if isinstance(extra, dict):
        for key, value in extra.items():
            if isinstance(value, str) and (key.endswith("_raw") or "name" in key):
                label = "sender name as written in the export" if key == "sender_raw" else f"name ({key})"
                yield FindingCode.BIDI_OVERRIDE_IN_NAME, label, value
    for a in record.get("attachments") or []:
        if isinstance(a, dict):
            yield FindingCode.BIDI_OVERRIDE_IN_FILE_NAME, "attachment file name", str(a.get("name") or "")


def name_findings(case: Case) -> list[NameFinding]:
    """Every name and file name in the case that holds a direction override: files first (in custody
    order), then names in events (in time order), each distinct (artefact, field, name) once."""
    seen: dict[tuple[FindingCode, str, str, str], list[Any]] = {}
    for p in case.index.provenance():
        flagged: set[str] = set()
        name = str(p["original_name"] or "")
        for key, label in _PROVENANCE_FIELDS.items():
            value = checked = str(p[key] or "")
            if key == "original_path" and name in flagged and value.endswith(name):
                checked = value[: -len(name)]  # a path is flagged only for an override outside the flagged name
            if value in flagged or not bidi_overrides(checked):
                continue
            flagged.add(value)
            seen.setdefault((FindingCode.BIDI_OVERRIDE_IN_FILE_NAME, str(p["sha256"]), label, value), [0, ""])
    clause = " OR ".join("instr(record, ?) > 0" for _ in BIDI_OVERRIDES)
    sql = (f"SELECT event_id, source_sha256, record FROM events WHERE ({clause})"
           " AND event_id NOT IN (SELECT event_id FROM event_merges) ORDER BY timestamp, event_id")
    for event_id, sha, raw in case.index.db.execute(sql, tuple(BIDI_OVERRIDES)):
        record = json.loads(raw)
        for code, label, value in dict.fromkeys(_event_names(record)):
            if bidi_overrides(value):
                slot = seen.setdefault((code, str(sha), label, value), [0, str(event_id)])
                slot[0] += 1
    return [NameFinding(code, sha, label, value, int(n), str(first)) for (code, sha, label, value), (n, first) in seen.items()]


__all__ = ["FindingCode", "Limitation", "NameFinding", "limitations_for_manifest", "name_findings", "source_limitations"]
