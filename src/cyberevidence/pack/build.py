"""``make_pack``: the evidence pack folder handed to police, a prosecutor or a solicitor."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cyberevidence._version import __version__
from cyberevidence.analysis.conduct import ConductSummary
from cyberevidence.analysis.conduct_words import MAX_LISTED
from cyberevidence.display import html_text, visible
from cyberevidence.errors import CyberEvidenceError
from cyberevidence.exhibits import PACK_ACTION_WHAT, Exhibit, assign_exhibits, case_initials, check_initials, sha256_groups
from cyberevidence.exporters.csv_out import csv_bytes
from cyberevidence.hashing import hash_bytes
from cyberevidence.limitations import source_limitations
from cyberevidence.pack.statements import (
    EXCLUSION_COLUMNS,
    continuity_statement,
    exclusions,
    fre_902_14_draft,
    scope_statement,
)
from cyberevidence.pack.uk_statement import UK_FILE, uk_exhibit_statement_draft
from cyberevidence.report.conduct_text import MARKER_WORDS, conduct_sentences, marker_types
from cyberevidence.store.atomic import atomic_write_bytes
from cyberevidence.store.custody import utc_now
from cyberevidence.timeutil import zone

if TYPE_CHECKING:
    from cyberevidence.case import Case

PACK_VERSION = "1"
PACK_MANIFEST = "pack-manifest.json"
FRE_FILE = "FRE-902-14-certification-DRAFT.md"
EXHIBIT_COLUMNS = [
    "reference", "sha256", "original_name", "size", "media_type", "acquired_at", "acquired_by", "original_path",
    "note", "parser", "events", "warnings", "derived_members", "description",
]


@dataclass
class PackResult:
    """What :func:`make_pack` wrote: the folder, the exhibits and each file's SHA-256."""

    folder: Path
    initials: str
    exhibits: list[Exhibit]
    files: dict[str, str] = field(default_factory=dict)
    manifest_sha256: str = ""
    recorded: bool = False

    @property
    def references(self) -> dict[str, str]:
        """SHA-256 -> exhibit reference."""
        return {x.sha256: x.reference for x in self.exhibits}


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """exhibits.csv, exclusions.csv: the one CSV writer (RFC 4180, every text cell formula-guarded)."""
    return csv_bytes(header, rows)


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


#: exhibits.html's stylesheet: A4 portrait or landscape, fixed columns, the SHA-256 as 4 x 16 on two lines.
EXHIBITS_CSS = """@page { margin: 14mm 12mm 16mm; }
body { font: 10.5pt system-ui, "DejaVu Sans", Arial, sans-serif; margin: 1.5em; color: #111; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td, th { border: 1px solid #999; padding: 3px 4px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
col.ref { width: 4.5em; } col.file { width: 22%; } col.sha { width: 19.5em; } col.acq { width: 9em; }
.h { font: 8.5pt "DejaVu Sans Mono", "Liberation Mono", monospace; white-space: nowrap; }
.draft { border: 2px solid #8a1c0b; padding: 0.4em 0.6em; }
@media print { body { margin: 0; font-size: 9pt; } .h { font-size: 7.5pt; } }
"""


def _style_hash() -> str:
    digest = base64.b64encode(hashlib.sha256(EXHIBITS_CSS.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _sha_two_lines(sha256: str) -> str:
    """The SHA-256 as four groups of sixteen, two groups a line."""
    g = sha256_groups(sha256)
    return html_text(" ".join(g[:2])) + "<br>" + html_text(" ".join(g[2:]))


def _exhibits_html(case: Case, exhibits: list[Exhibit], generated_at: str) -> bytes:
    e = html_text  # escaped, hidden characters shown as ⟨U+XXXX⟩ (cyberevidence.display)
    rows = "\n".join(
        f"<tr><td>{e(x.reference)}</td><td>{e(x.original_name)}<br><small>{e(x.original_path)}</small></td>"
        f"<td class=h>{_sha_two_lines(x.sha256)}</td>"
        f"<td>{e(x.acquired_at)}<br>{e(x.acquired_by)}</td><td>{e(x.description)}</td></tr>"
        for x in exhibits
    )
    title = f"Exhibit list - case {case.info.get('case_id', '')}"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src {_style_hash()}">
<title>{e(title)}</title>
<style>{EXHIBITS_CSS}</style>
</head><body>
<h1>{e(title)}</h1>
<p>{e(case.info.get('title', ''))}</p>
<p>Examiner: {e(case.info.get('examiner', ''))}. Generated {e(generated_at)} by cyberevidence {e(__version__)}.
References are given in order of first acquisition and never change (see the custody log); the same references
are used in the report and in the CASE/UCO export.</p>
<p class="draft">The witness-statement style exhibit list ({e(UK_FILE)}) and the US FRE 902(14) certification
({e(FRE_FILE)}) in this pack are DRAFTS for a qualified person to check, complete and adopt.</p>
<table><colgroup><col class="ref"><col class="file"><col class="sha"><col class="acq"><col class="desc"></colgroup>
<thead><tr><th>Exhibit</th><th>File as acquired / source</th><th>SHA-256</th><th>Acquired (UTC) / by</th>
<th>Description</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""
    return page.encode("utf-8")


def _conduct_md(summaries: list[ConductSummary], markers: list[dict[str, Any]], indicators: dict[str, Any],
                tz: ZoneInfo, types: dict[str, str]) -> str:
    """``conduct.md``: the course of conduct in the words of ``conduct.txt`` and the report, then markers and indicators."""
    lines = ["# Course of conduct, markers and confirmed indicators", "",
             "The sentences are those of `conduct.txt` and of the report (`cyberevidence.report.conduct_text`); "
             "`conduct.json` lists the event ids behind each figure.", ""]
    conduct = summaries
    for summary in summaries:
        lines += [f"## {summary.subject}", ""]
        lines += [f"- {x.text}" for x in conduct_sentences(summary, tz, types)]
        lines.append("")
    if not conduct:
        lines += ["No subject is named in the people file, so there is no course-of-conduct summary.", ""]
    lines += ["## Markers and breaches", ""]
    for m in markers:
        mk = m["marker"]
        kind = MARKER_WORDS.get(mk["marker_type"], mk["marker_type"]).removeprefix("the ")
        lines.append(
            f"- {mk['at']} {kind} ({mk['marker_type']}){' (' + mk['person'] + ')' if mk.get('person') else ''}: "
            f"{m['before']} contact(s) before, {m['after']} after; {len(m['breaches'])} potential breach(es)"
        )
        lines += [f"  - {b['timestamp']} {b['platform']} {b['account']} ({b['attribution']})"
                  for b in m["breaches"][:MAX_LISTED]]
        if len(m["breaches"]) > MAX_LISTED:
            lines.append(f"  - …and {len(m['breaches']) - MAX_LISTED:,} more (all in markers.json)")
    if not markers:
        lines.append("- no markers recorded")
    lines += ["", "## Indicators confirmed by a person", ""]
    if not indicators["available"]:
        lines.append(f"- {indicators['note']}")
    for c in indicators["confirmed"]:
        lines.append(f"- {c.get('timestamp', '')} {c.get('category', '')} {c.get('person', '') or c.get('sender', '')}: "
                     f"{c.get('excerpt', c.get('text', ''))}")
    if indicators["available"] and not indicators["confirmed"]:
        lines.append("- none confirmed")
    lines.append("")
    return visible("\n".join(lines), multiline=True)  # names and texts: hidden characters shown as ⟨U+XXXX⟩


def _confirmed_indicators(case: Case) -> dict[str, Any]:
    try:
        from cyberevidence.indicators import candidates
    except ImportError:
        return {"available": False, "note": "indicator review is not available in this version", "confirmed": []}
    confirmed = [c.to_dict() for c in candidates(case) if c.status == "confirmed"]
    return {"available": True, "note": "only candidates a person confirmed; pending and dismissed ones are left out",
            "confirmed": confirmed}


def _totals(case: Case) -> dict[str, Any]:
    derived = {e.subject for e in case.custody.entries() if e.action == "derive"}
    actions = [e.action for e in case.custody.entries()]
    platforms = {
        str(r[0]): int(r[1])
        for r in case.index.db.execute(
            "SELECT platform, COUNT(*) FROM events WHERE event_id NOT IN (SELECT event_id FROM event_merges) GROUP BY platform"
        )
    }
    return {
        "derived": len(derived),
        "events": case.index.event_count(),
        "platforms": platforms,
        "warnings": len(case.index.warnings()),
        "people_files": actions.count("people"),
        "records": actions.count("record"),
    }


def _readme(case: Case, initials: str, generated_at: str, files: list[str]) -> str:
    about = {
        "exhibits.csv": "the exhibit list (spreadsheet): reference, SHA-256, source, description",
        "exhibits.html": "the same exhibit list, printable",
        "continuity.md": "who acquired what and when, handovers and seals, from the custody log",
        "scope.md": "what was collected, what was excluded and why, what each source cannot show",
        "exclusions.csv": "the exclusions log",
        "limitations.json": "what each source cannot show, per artefact",
        UK_FILE: "a DRAFT UK witness-statement style exhibit list and continuity text for a qualified person to adopt",
        FRE_FILE: "a DRAFT US FRE 902(14) hash-authentication certification for a qualified person to complete",
        "conduct.md": "the course-of-conduct summary, markers and breaches, confirmed indicators",
        "conduct.json": "the course-of-conduct figures with the event ids behind each",
        "markers.json": "each marker with contacts before and after it and potential breaches",
        "indicators-confirmed.json": "indicators a person confirmed",
        PACK_MANIFEST: "the SHA-256 of every other file in this folder",
    }
    lines = [
        f"# Evidence pack - case {case.info.get('case_id', '')}",
        "",
        f"{case.info.get('title', '')}".strip(),
        "",
        f"Made {generated_at} by cyberevidence {__version__} for examiner {case.info.get('examiner', '')}; "
        f"exhibit initials {initials}. The case folder itself (evidence store, custody log, manifest) is the "
        "primary record; this pack is drawn from it and recorded in its custody log.",
        "",
        "Check this folder: `sha256sum` each file and compare with `pack-manifest.json`.",
        "",
    ]
    lines += [f"- `{name}`: {about.get(name, '')}" for name in files]
    lines.append("")
    return visible("\n".join(lines), multiline=True)


def make_pack(
    case: Case,
    out_dir: str | Path,
    initials: str | None = None,
    *,
    actor: str | None = None,
    record: bool = True,
) -> PackResult:
    """Write the evidence pack into ``out_dir`` (new or empty) and record it in custody.

    Exhibit references stay the same across packs (see :mod:`cyberevidence.exhibits`).
    """
    folder = Path(out_dir)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CyberEvidenceError(f"{folder}: the folder exists and is not empty", hint="Choose a new folder for the pack.")
    inits = check_initials(initials) if initials else case_initials(case)
    generated_at = utc_now()
    exhibits = assign_exhibits(case, inits)
    verify = case.verify()
    limits = source_limitations(case)
    excluded = exclusions(case, exhibits)
    summaries = case.conduct()
    conduct = [s.to_dict() for s in summaries]
    zone_ = zone(case.info["timezone"])
    types = marker_types(case.markers())
    markers = [m.to_dict() for m in case.marker_effects()]
    indicators = _confirmed_indicators(case)

    outputs: list[tuple[str, Callable[[], bytes]]] = [
        ("exhibits.csv", lambda: _csv(EXHIBIT_COLUMNS, [[x.to_dict()[c] for c in EXHIBIT_COLUMNS] for x in exhibits])),
        ("exhibits.html", lambda: _exhibits_html(case, exhibits, generated_at)),
        ("continuity.md", lambda: continuity_statement(case, exhibits, verify, generated_at).encode("utf-8")),
        ("scope.md", lambda: scope_statement(case, exhibits, excluded, limits, _totals(case)).encode("utf-8")),
        ("exclusions.csv", lambda: _csv(EXCLUSION_COLUMNS, [e.to_row() for e in excluded])),
        ("limitations.json", lambda: _json([lim.to_dict() for lim in limits])),
        (UK_FILE, lambda: uk_exhibit_statement_draft(case, exhibits, generated_at).encode("utf-8")),
        (FRE_FILE, lambda: fre_902_14_draft(case, exhibits, generated_at).encode("utf-8")),
        ("conduct.md", lambda: _conduct_md(summaries, markers, indicators, zone_, types).encode("utf-8")),
        ("conduct.json", lambda: _json(conduct)),
        ("markers.json", lambda: _json(markers)),
        ("indicators-confirmed.json", lambda: _json(indicators)),
    ]
    names = ["README.md", *(n for n, _ in outputs), PACK_MANIFEST]
    outputs.insert(0, ("README.md", lambda: _readme(case, inits, generated_at, names).encode("utf-8")))

    folder.mkdir(parents=True, exist_ok=True)
    result = PackResult(folder, inits, exhibits)
    listing: list[dict[str, Any]] = []
    for name, render in outputs:
        data = render()
        atomic_write_bytes(folder / name, data)
        digest = hash_bytes(data)["sha256"]
        result.files[name] = digest
        listing.append({"path": name, "sha256": digest, "size": len(data)})
    head = case.custody.head()
    manifest = {
        "pack_version": PACK_VERSION,
        "generated_at": generated_at,
        "tool": {"name": "cyberevidence", "version": __version__},
        "case_id": case.info.get("case_id", ""),
        "examiner": case.info.get("examiner", ""),
        "initials": inits,
        "custody_head_before_pack": {"seq": head.seq, "hash": head.hash} if head else {"seq": -1, "hash": ""},
        "case_verified_intact": verify.ok,
        "exhibits": {x.reference: x.sha256 for x in exhibits},
        "files": listing,
    }
    data = _json(manifest)
    atomic_write_bytes(folder / PACK_MANIFEST, data)
    result.manifest_sha256 = hash_bytes(data)["sha256"]
    if record:
        case.record_export(
            PACK_ACTION_WHAT,
            str(folder.resolve()),
            actor=actor,
            initials=inits,
            exhibits={x.reference: x.sha256 for x in exhibits},
            pack_manifest_sha256=result.manifest_sha256,
            files=len(listing) + 1,
            items=len(exhibits),
        )
        result.recorded = True
    return result


__all__ = ["EXHIBIT_COLUMNS", "FRE_FILE", "PACK_MANIFEST", "UK_FILE", "PackResult", "make_pack"]
