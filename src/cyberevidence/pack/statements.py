"""The pack's statements in plain language: continuity, scope (with its exclusions log) and the
draft FRE 902(14) certification. Every sentence is drawn from the custody log and the index.

Names and file names in the statements are shown with every hidden or control character
visible (``⟨U+202E⟩``, :mod:`cyberevidence.display`); ``Exclusion.to_row`` (the CSV) keeps them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cyberevidence.display import visible
from cyberevidence.exhibits import Exhibit
from cyberevidence.limitations import Limitation, name_findings

if TYPE_CHECKING:
    from cyberevidence.case import Case
    from cyberevidence.store.verify import VerifyReport

DRAFT_BANNER = (
    "DRAFT - NOT SIGNED - NOT A CERTIFICATION. Prepared by software for review, completion and signature by a "
    "qualified person. Do not file or serve as it stands."
)


def _md(value: object) -> str:
    """A value safe inside a Markdown table cell (hidden characters shown, see :mod:`cyberevidence.display`)."""
    return visible(str(value).replace("\n", " ")).replace("|", "\\|").strip()


# ---------------------------------------------------------------------------- continuity
def continuity_statement(case: Case, exhibits: list[Exhibit], verify: VerifyReport, generated_at: str) -> str:
    refs = {x.sha256: x.reference for x in exhibits}
    lines = [
        "# Continuity statement",
        "",
        f"Case {case.info.get('case_id', '')} {('- ' + case.info['title']) if case.info.get('title') else ''}".rstrip(),
        f"Drawn from the case's hash-chained custody log (`custody.jsonl`) on {generated_at}.",
        "Every entry below can be checked against that log by its sequence number (seq).",
        "",
        "## Creation",
        "",
    ]
    derived: Counter[str] = Counter()
    acquisitions: list[str] = []
    handovers: list[str] = []
    seals: list[str] = []
    other: list[str] = []
    for e in case.custody.entries():
        d = e.details
        if e.action == "create":
            tool, host = d.get("tool", ""), d.get("host", "")
            lines.append(f"- seq {e.seq}, {e.time}: case created by {e.actor} (tool {tool}, host {host}).")
        elif e.action == "acquire":
            ref = refs.get(e.subject, "")
            checks = []
            if d.get("stored_copy_verified") is True:
                checks.append("stored copy re-hashed and matched")
            if d.get("source_unchanged_during_copy") is True:
                checks.append("original unchanged during the copy")
            elif d.get("source_unchanged_during_copy") is False:
                checks.append("THE ORIGINAL CHANGED DURING THE COPY")
            note = f" Note: {d.get('note')}." if d.get("note") else ""
            acquisitions.append(
                f"- seq {e.seq}, {e.time}: **{ref}** acquired by {e.actor} from `{d.get('original_path', '')}` "
                f"({d.get('original_size', '?')} bytes, file modified {d.get('original_mtime', '?')}), SHA-256 `{e.subject}`"
                f" ({'; '.join(checks) or 'no copy check recorded'}).{note}"
            )
        elif e.action == "derive":
            derived[str(d.get("parent_sha256", ""))] += 1
        elif e.action == "receive":
            handovers.append(
                f"- seq {e.seq}, {e.time}: released by {d.get('released_by', '?')}, received by "
                f"{d.get('received_by', e.actor)}; purpose: {d.get('purpose') or 'not stated'}; verified intact on receipt: "
                f"{'yes' if d.get('verified_intact') else 'NO - ' + '; '.join(map(str, d.get('problems', [])))}."
            )
        elif e.action == "seal":
            fp = d.get("public_key_sha256")
            key = f", key fingerprint `{fp}` (kept in `seals/{e.seq}/`)" if isinstance(fp, str) and fp else ""
            seals.append(f"- seq {e.seq}, {e.time}: manifest sealed (Ed25519) by {e.actor}{key}.")
        elif e.action in ("people", "record"):
            what = "people file" if e.action == "people" else f"{d.get('record_type', 'record')} record"
            other.append(f"- seq {e.seq}, {e.time}: {what} stored by {e.actor}, SHA-256 `{e.subject}`.")
        elif e.action in ("recover", "parse_failed"):
            other.append(f"- seq {e.seq}, {e.time}: {e.action} by {e.actor}: {d.get('reason') or d.get('error', '')}")
        elif e.action == "export":
            other.append(f"- seq {e.seq}, {e.time}: export '{d.get('what', '')}' by {e.actor} to {d.get('target', '')}.")
    lines += ["", "## Acquisitions", ""]
    lines += acquisitions or ["- none"]
    members = [f"- {refs.get(p, p)}: {n} member(s) or attachment(s) hashed and stored" for p, n in derived.items() if p]
    if members:
        lines += ["", "Members and attachments derived from the exhibits (each hashed and stored, each logged):", "", *members]
    lines += ["", "## Handovers", ""]
    lines += handovers or ["- none recorded (the case has stayed with the examiner)"]
    lines += ["", "## Seals", ""]
    lines += seals or ["- none: the manifest has not been signed"]
    lines += ["", "## Other entries", ""]
    lines += other or ["- none"]
    head = case.custody.head()
    lines += [
        "",
        "## Integrity when this pack was made",
        "",
        f"- custody log: {head.seq + 1 if head else 0} entries, head hash `{head.hash if head else ''}`",
        f"- verification ({verify.objects_checked} stored file(s) re-hashed, {verify.custody_entries} custody entries "
        f"re-checked, manifest compared; signature: {verify.signature}): {'INTACT' if verify.ok else 'PROBLEMS FOUND'}",
    ]
    lines += [f"  - {p}" for p in verify.problems]
    if verify.seals and verify.seals[-1].status == "valid":
        last = verify.seals[-1]
        lines += [
            f"- last seal: custody seq {last.seq}, by {last.actor}, key fingerprint `{last.fingerprint}` (SHA-256 of the "
            "signer's public key). Anyone checking the case should confirm this fingerprint with the person who sealed "
            "it, then run `cyberevidence verify CASE --trusted-key <fingerprint>`.",
        ]
    lines += [
        "",
        "The pack itself is recorded as an `export` entry in the custody log, with the SHA-256 of `pack-manifest.json`.",
        "",
    ]
    return visible("\n".join(lines), multiline=True)


# ---------------------------------------------------------------------------- scope
@dataclass(frozen=True, slots=True)
class Exclusion:
    """One thing offered or stored but not (fully) used, and why."""

    sha256: str
    reference: str
    name: str
    reason: str
    detail: str

    def to_row(self) -> list[str]:
        return [self.reference, self.sha256, self.name, self.reason, self.detail]


EXCLUSION_COLUMNS = ["reference", "sha256", "name", "reason", "detail"]


def exclusions(case: Case, exhibits: list[Exhibit]) -> list[Exclusion]:
    refs = {x.sha256: x for x in exhibits}
    failed: dict[str, str] = {}
    for e in case.custody.entries():
        if e.action == "parse_failed" and e.subject:
            failed[e.subject] = str(e.details.get("error", ""))
        elif e.action == "parse" and e.subject:
            failed.pop(e.subject, None)
    out: list[Exclusion] = []
    for x in exhibits:
        if x.parser:
            continue
        if x.sha256 in failed:
            out.append(Exclusion(x.sha256, x.reference, x.original_name, "offered but refused by its parser", failed[x.sha256]))
        else:
            why = "preserved and hashed; no parser reads this kind of file, so nothing from it is on the timeline"
            out.append(Exclusion(x.sha256, x.reference, x.original_name, "stored without a parser", why))
    by_code: Counter[tuple[str, str]] = Counter((w["sha256"], w["code"]) for w in case.index.warnings())

    def in_custody_order(item: tuple[tuple[str, str], int]) -> tuple[int, tuple[str, str]]:
        sha = item[0][0]
        return (refs[sha].custody_seq if sha in refs else 1 << 30, item[0])

    for (sha, code), n in sorted(by_code.items(), key=in_custody_order):
        ex = refs.get(sha)
        out.append(Exclusion(sha, ex.reference if ex else "", ex.original_name if ex else "", "warnings while reading",
                             f"{n} x {code} (each listed by 'cyberevidence warnings CASE', with its location)"))
    superseded = case._superseded_records()
    if superseded:
        out.append(Exclusion("", "", "diary/marker versions", "superseded versions",
                             f"{len(superseded)} earlier version(s) of diary entries or markers are kept in the case but "
                             "not shown on the timeline (the latest version of each is)"))
    return out


def scope_statement(
    case: Case, exhibits: list[Exhibit], excluded: list[Exclusion], limits: list[Limitation], totals: dict[str, Any]
) -> str:
    refs = {x.sha256: x.reference for x in exhibits}
    parsed = [x for x in exhibits if x.parser]
    lines = [
        "# Scope statement",
        "",
        "## What was collected",
        "",
        f"- {len(exhibits)} original(s) acquired (the exhibits), {totals['derived']} member(s) or attachment(s) "
        "derived from them;",
        f"- {len(parsed)} of the originals were read by a parser, giving {totals['events']:,} distinct event(s) "
        "on the timeline;",
        f"- platforms: {', '.join(f'{p} ({n:,})' for p, n in sorted(totals['platforms'].items())) or 'none'};",
        f"- {totals['warnings']:,} warning(s) while reading; {totals['people_files']} people file version(s); "
        f"{totals['records']} diary/marker record version(s).",
        "",
        "Only what was given to the examiner was collected. Nothing here says what else exists on the victim's or "
        "anyone else's devices or accounts.",
        "",
        "## What was excluded, and why",
        "",
        "The full log is `exclusions.csv`.",
        "",
    ]
    lines += [f"- {e.reference or '-'} {e.name}: {e.reason}: {e.detail}" for e in excluded] or ["- nothing"]
    lines += ["", "## What each source cannot show", "", "The full list is `limitations.json`.", ""]
    for lim in limits:
        lines.append(f"- {refs.get(lim.sha256, lim.sha256[:12])} {lim.source} [{lim.code}]: {lim.text}")
    if not limits:
        lines.append("- no parsed source")
    findings = name_findings(case)
    if findings:
        lines += ["", "## Names and file names to confirm", "",
                  "These contain a direction override, a known trick to make a name or file name look like something "
                  "else. They are shown with the hidden character visible; the evidence keeps it.", ""]
        lines += [f"- {refs.get(f.sha256, f.sha256[:12])} [{f.code}]: {f.text}" for f in findings]
    lines.append("")
    return visible("\n".join(lines), multiline=True)


# ---------------------------------------------------------------------------- FRE 902(14)
def fre_902_14_draft(case: Case, exhibits: list[Exhibit], generated_at: str) -> str:
    tool = case.info.get("tool_version", "")
    rows = [
        f"| {_md(x.reference)} | {_md(x.original_name)} | {x.size} | `{x.sha256}` | {_md(x.acquired_at)} | {_md(x.acquired_by)} |"
        for x in exhibits
    ]
    head = case.custody.head()
    return visible("\n".join(
        [
            f"# {DRAFT_BANNER}",
            "",
            "## DRAFT Certification of authenticity of data copied from an electronic device, storage medium or file",
            "## (Federal Rules of Evidence 902(14) and 902(11); 28 U.S.C. § 1746)",
            "",
            "> **DRAFT.** This text was generated by cyberevidence from the case's custody log on "
            f"{generated_at}. It is a starting point only. A qualified person must check every statement against "
            "their own knowledge, complete the bracketed parts, delete what does not apply, and sign. Rule 902(11) also "
            "requires reasonable written notice to the adverse party before trial, with the record and this "
            "certification made available for inspection. This form is for United States proceedings; elsewhere ask "
            "the prosecutor or solicitor what is needed.",
            "",
            "I, [FULL NAME], declare:",
            "",
            "1. I am [JOB TITLE] at [ORGANISATION]. I am qualified to make this certification because [TRAINING AND "
            "EXPERIENCE IN DIGITAL EVIDENCE HANDLING AND HASH VERIFICATION].",
            f"2. The data listed below were copied into case {case.info.get('case_id', '')} using cyberevidence "
            f"{tool}. Each item was identified by a process of digital identification: its SHA-256 hash value was "
            "computed while it was copied, the copy was hashed again and compared, and the value was written to a "
            "hash-chained custody log.",
            "3. [On DATE] I computed the SHA-256 hash value of each stored copy again and compared it with the value "
            "recorded at acquisition. [They were identical.] The custody log's chain of hashes was [intact]; its "
            f"last entry when this draft was made was seq {head.seq if head else -1}, hash `{head.hash if head else ''}`.",
            "4. Two files with the same SHA-256 hash value are, for all practical purposes, identical; the values "
            "below can be recomputed with standard tools (`sha256sum`, `openssl dgst -sha256`) without this software.",
            "5. [STATE HOW THE ORIGINALS WERE OBTAINED, BY WHOM, AND ANY GAP IN YOUR OWN KNOWLEDGE.]",
            "",
            "| exhibit | file as acquired | bytes | SHA-256 | acquired (UTC) | acquired by |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "I declare under penalty of perjury under the laws of the United States of America that the foregoing is "
            "true and correct.",
            "",
            "Executed on [DATE] at [PLACE].",
            "",
            "[SIGNATURE]  ",
            "[FULL NAME]",
            "",
            f"# {DRAFT_BANNER}",
            "",
        ]
    ), multiline=True)


__all__ = [
    "DRAFT_BANNER",
    "EXCLUSION_COLUMNS",
    "Exclusion",
    "continuity_statement",
    "exclusions",
    "fre_902_14_draft",
    "scope_statement",
]
