"""Plain-language summaries for advocates: what was done, what to look at, what to do next.

File names and names go through ``shown`` (cyberevidence_cli.console): hidden and control
characters are printed as ``⟨U+001B⟩``, never sent to the terminal."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

import cyberevidence as ce
from cyberevidence.detect import Problem as ProblemKind
from cyberevidence.exhibits import exhibits_named, refs_of_case_dir, verify_lines
from cyberevidence_cli.console import shown

#: How a file that was kept but not read is labelled in the add summary, by what is wrong with it.
_PROBLEM_LABEL = {
    ProblemKind.ENCRYPTED: "ENCRYPTED",
    ProblemKind.DAMAGED: "DAMAGED",
    ProblemKind.UNSAFE: "REFUSED",
}


def describe_add(console: Console, report: ce.AddReport, case: object) -> None:
    """What ``add`` did; ``case`` is the case folder as the user named it (messages name it, never 'CASE')."""
    for s in report.skipped:
        target = f" -> {shown(s.link_target)}" if s.link_target else ""
        console.print(f"  skipped   {shown(s.path)}{target}: {s.kind.value}; {shown(s.reason)} (listed in custody)",
                      style="yellow")
    for f in report.files:
        if f.error:
            label = _PROBLEM_LABEL.get(f.problem, "NOT READ") if f.problem else "NOT READ"
            said = f.error.removeprefix(f"{f.original_path}: ")  # errors name the file too
            console.print(f"  {label:<9} {shown(f.original_path)}: {shown(said)}", style="red", soft_wrap=True)
            if f.readable:
                console.print(f"            {shown(f.readable)}", soft_wrap=True)
        elif f.skipped and not f.parser:
            console.print(f"  kept      {shown(f.original_path)} (preserved; {shown(f.skipped)})")
        else:
            extra = f" - {shown(f.skipped)}" if f.skipped else ""
            console.print(f"  read      {shown(f.original_path)}: {f.events} event(s), {f.warnings} warning(s){extra}")
    console.print(
        f"{len(report.files)} file(s) preserved, {report.events} event(s) read, {report.warnings} warning(s)."
        + (f" Run 'cyberevidence warnings {shown(case)}' to see them." if report.warnings else "")
    )
    if report.errors:
        console.print(
            f"{len(report.errors)} file(s) could not be read; they are preserved in the case all the same.", style="red"
        )
    if report.skipped:
        console.print(
            f"{len(report.skipped)} item(s) in the folders were skipped (links, pipes, devices or unreadable folders); "
            "nothing of them is in the case. Each is listed above and in the custody log.",
            style="yellow",
        )


def describe_verify(console: Console, report: ce.VerifyReport) -> None:
    if not report.is_case:
        if not Path(report.case_dir).is_file():  # a bundle's own errors (a wrong password ...) were printed: one message
            console.print(f"{shown(report.case_dir)} is not a cyberevidence case.", style="red")
        return
    refs = refs_of_case_dir(report.case_dir)  # the one exhibit numbering (cyberevidence.exhibits)
    for f in report.problems:
        named = ", ".join(exhibits_named(str(f), refs)) if refs else ""
        console.print(f"  PROBLEM  {shown(f)}" + (f" (exhibit {shown(named)})" if named else ""), style="red")
    for f in report.notes:
        console.print(f"  note     {shown(f)}")
    describe_seals(console, report)
    if report.ok:
        console.print(
            f"Case intact: {report.objects_checked} stored file(s) re-hashed, {report.custody_entries} custody entries "
            f"checked (head {report.head_hash[:16]}…), seal {report.signature}.",
            style="green",
        )
        if verify_lines(refs):
            console.print(verify_lines(refs))
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
            console.print(f"  seal     custody seq {s.seq}, {s.time}, by {shown(s.actor)}: valid{key}{trust}")
        else:
            status = _SEAL_STATUS.get(s.status, s.status)
            console.print(f"  seal     custody seq {s.seq}, {s.time}, by {shown(s.actor)}: {status}{key}")
    if not report.seals or report.seals[-1].status != "valid":
        return
    last = report.seals[-1]
    if last.trusted:
        console.print(f"Last sealed by {shown(last.actor)} with a trusted key ({last.fingerprint}).")
    elif last.trusted is None:
        console.print(
            f"Last sealed by key {last.fingerprint} (read this fingerprint to the person who sealed it: anyone can make "
            f"a key in {shown(last.actor)}'s name). Once they confirm it, check with: cyberevidence verify "
            f"{shown(report.case_dir)} --trusted-key FINGERPRINT"
        )
