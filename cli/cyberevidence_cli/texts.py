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
