"""Plain-language summaries for advocates: what was done, what to look at, what to do next."""

from __future__ import annotations

from rich.console import Console

import cyberevidence as ce


def describe_add(console: Console, report: ce.AddReport) -> None:
    for f in report.files:
        if f.error:
            console.print(f"  NOT READ  {f.original_path}: {f.error}", style="red")
        elif f.skipped and not f.parser:
            console.print(f"  kept      {f.original_path} (preserved; {f.skipped})")
        else:
            extra = f" - {f.skipped}" if f.skipped else ""
            console.print(f"  read      {f.original_path}: {f.events} event(s), {f.warnings} warning(s){extra}")
    console.print(
        f"{len(report.files)} file(s) preserved, {report.events} event(s) read, {report.warnings} warning(s)."
        + (" Run 'cyberevidence warnings CASE' to see them." if report.warnings else "")
    )
    if report.errors:
        console.print(
            f"{len(report.errors)} file(s) could not be read; they are preserved in the case all the same.", style="red"
        )


def describe_verify(console: Console, report: ce.VerifyReport) -> None:
    if not report.is_case:
        console.print(f"{report.case_dir} is not a cyberevidence case.", style="red")
        return
    for f in report.problems:
        console.print(f"  PROBLEM  {f}", style="red")
    for f in report.notes:
        console.print(f"  note     {f}")
    describe_seals(console, report)
    if report.ok:
        console.print(
            f"Case intact: {report.objects_checked} stored file(s) re-hashed, {report.custody_entries} custody entries "
            f"checked (head {report.head_hash[:16]}…), seal {report.signature}.",
            style="green",
        )
    else:
        console.print(
            f"Case NOT intact: {len(report.problems)} problem(s) found. Do not alter anything; ask an examiner.", style="red"
        )


_SEAL_STATUS = {
    "invalid": "DAMAGED (see the problems above)",
    "missing": "ITS KEPT COPY IS MISSING",
    "unchecked": "not checked (the 'cryptography' package is missing)",
    "unarchived": "made by an earlier version of the tool; it can no longer be checked",
}


def describe_seals(console: Console, report: ce.VerifyReport) -> None:
    """Each seal with its key's fingerprint, and what to do with the fingerprint of the last one."""
    for s in report.seals:
        key = f", key {s.fingerprint}" if s.fingerprint else ""
        if s.status == "valid":
            trust = "" if s.trusted is None else (" (a trusted key)" if s.trusted else " (NOT one of the trusted keys given)")
            console.print(f"  seal     custody seq {s.seq}, {s.time}, by {s.actor}: valid{key}{trust}")
        else:
            console.print(f"  seal     custody seq {s.seq}, {s.time}, by {s.actor}: {_SEAL_STATUS.get(s.status, s.status)}{key}")
    if not report.seals or report.seals[-1].status != "valid":
        return
    last = report.seals[-1]
    if last.trusted:
        console.print(f"Last sealed by {last.actor} with a trusted key ({last.fingerprint}).")
    elif last.trusted is None:
        console.print(
            f"Last sealed by key {last.fingerprint} (read this fingerprint to the person who sealed it: anyone can make "
            f"a key in {last.actor}'s name). Once they confirm it, check with: cyberevidence verify CASE --trusted-key "
            "FINGERPRINT"
        )
