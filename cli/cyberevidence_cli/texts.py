"""Plain-language summaries for advocates: what was done, what to look at, what to do next.

File names and names go through ``shown`` (cyberevidence_cli.console): hidden and control
characters are printed as ``⟨U+001B⟩``, never sent to the terminal."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

import cyberevidence as ce
from cyberevidence.detect import Problem as ProblemKind
from cyberevidence.errors import NotACaseError, Setting
from cyberevidence.exhibits import exhibits_named, refs_of_case_dir, verify_lines
from cyberevidence.people import normalise_phone
from cyberevidence.timeutil import zone
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
            if f.setting is not None:
                console.print(f"            {on_the_command_line(f.setting)}", soft_wrap=True)
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


_MARKER_WORDS = {
    "blocked": "the block",
    "stop_request": "the request to stop",
    "police_warning": "the police warning",
    "order_served": "the order was served",
}


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def merged_lines(case: ce.Case, summaries: list[ce.ConductSummary] | None = None) -> list[str]:
    """One line per subject with the merged figures, all computed from the case: contacts, platforms,
    accounts, weeks, and the contacts after the first boundary (a block, a request to stop ...)."""
    summaries = case.conduct() if summaries is None else summaries
    tz = zone(case.info["timezone"])
    markers = {m.at_utc: m for m in case.markers()}
    region = str(case.info.get("region", "GB"))
    numbers: dict[str, set[str]] = {}
    addresses: dict[str, set[str]] = {}
    accounts: dict[str, set[str]] = {}
    for link in case.identities():
        e164 = normalise_phone(link.handle, region)
        if e164 is not None:
            numbers.setdefault(link.person, set()).add(e164)
        elif "@" in link.handle:
            addresses.setdefault(link.person, set()).add(link.handle.strip().lower())
        else:
            accounts.setdefault(link.person, set()).add(f"{link.platform}:{link.handle}")
    lines = []
    for s in summaries:
        total = s.total_contacts.value
        if not total or s.first_contact is None or s.last_contact is None:
            lines.append(f"{shown(s.subject)}: no dated contact from them in the case yet.")
            continue
        first, last = _instant(s.first_contact.when), _instant(s.last_contact.when)
        weeks = max(1, math.ceil(((last - first).total_seconds() / 86400 + 1) / 7))
        names = ", ".join(p.platform for p in s.platforms)
        held = [_count(len(numbers.get(s.subject, ())), "phone number"),
                _count(len(addresses.get(s.subject, ())), "e-mail address", "e-mail addresses"),
                _count(len(accounts.get(s.subject, ())), "account")]
        held = [h for h in held if not h.startswith("0 ")]
        through = (" from " + (", ".join(held[:-1]) + " and " + held[-1] if len(held) > 1 else held[0])) if held else ""
        line = (f"{shown(s.subject)}: {_count(total, 'contact')} on {_count(len(s.platforms), 'platform')} ({names}){through}"
                f" over {_count(weeks, 'week')} ({first.astimezone(tz):%d %b} to {last.astimezone(tz):%d %b %Y})")
        if s.after_stop:
            stop = s.after_stop[0]
            marker = markers.get(stop.stop_date)
            if marker is not None:
                what = _MARKER_WORDS.get(marker.marker_type, f"the {marker.marker_type.replace('_', ' ')} marker")
            else:
                what = "the stop date"
            line += f"; {stop.after.value:,} after {what} on {_stop_when(stop.stop_date, tz)}"
        lines.append(line + ".")
    return lines


def _count(n: int, word: str, plural: str = "") -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _stop_when(value: str, tz: ZoneInfo) -> str:
    try:
        moment = _instant(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return f"{moment:%d %b %Y}"
    return f"{moment.astimezone(tz):%d %b %Y %H:%M}"


def describe_merge(console: Console, case: ce.Case, summaries: list[ce.ConductSummary] | None = None) -> None:
    """The merged figures per subject, the last lines an advocate reads after ``collect`` or ``exports``."""
    for line in merged_lines(case, summaries):
        console.print(line, style="bold")


#: How the command line gives each choice an error asks for (the library's own words never name a flag).
FLAG_FOR: dict[Setting, str] = {
    Setting.DATE_ORDER: "--date-order dmy (day first, as in the UK) or --date-order mdy (month first, as in the US)",
    Setting.TIMEZONE: "--timezone ZONE, for example --timezone Europe/Berlin",
    Setting.FORMAT: "--format NAME (the names are listed by: cyberevidence formats)",
    Setting.EXAMINER: "--examiner \"Your Name\"",
    Setting.SCRATCH: "--scratch DIR",
    Setting.INITIALS: "--initials JS",
    Setting.PASSWORD: "--password-file FILE",
    Setting.PATTERNS: "--patterns FILE",
}


def on_the_command_line(setting: Setting | None) -> str:
    """The sentence that turns a neutral setting into this command's flag ("" when there is none)."""
    return f"On the command line: add {FLAG_FOR[setting]}." if setting is not None else ""


def what_to_do(exc: ce.CyberEvidenceError) -> str:
    """The hint of a library error as the command line says it: with the real case folder and the flag to use."""
    if isinstance(exc, NotACaseError):
        folder = shown(exc.path) if exc.path else "CASE"
        return (f"Check the folder name; to start a new case there: cyberevidence init {folder} --examiner \"Your Name\" "
                f"(or cyberevidence collect EXPORTS --case {folder} --examiner \"Your Name\").")
    return " ".join(x for x in (exc.hint, on_the_command_line(exc.setting)) if x)
