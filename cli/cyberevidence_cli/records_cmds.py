"""``diary`` and ``marker``: the victim's own record, kept as evidence in the case."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

import cyberevidence as ce
from cyberevidence.people import did_you_mean
from cyberevidence_cli.console import err_console, shown
from cyberevidence_cli.exports_cmd import note_stale

err = err_console()
CaseArg = Annotated[Path, typer.Argument(help="The case folder.", show_default=False)]
Actor = Annotated[str | None, typer.Option("--actor", help="Who is writing (default: the case's examiner).")]


def raw_stdout() -> TextIO:
    """stdout with no newline translation, so a CSV's CRLF row ends reach the file as written (Windows too)."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        with contextlib.suppress(ValueError, io.UnsupportedOperation):  # not reconfigurable: keep it as it is
            sys.stdout.reconfigure(newline="")
    return sys.stdout


diary_app = typer.Typer(help="The victim's diary of incidents: add, edit, list, history, import.", no_args_is_help=True)
marker_app = typer.Typer(
    help="Dated boundaries (asked to stop, blocked, order served ...) and what came after.", no_args_is_help=True
)


def _check_marker_type(value: str, param: str) -> None:
    if value not in ce.MARKER_TYPES:
        raise typer.BadParameter(
            f"{value!r} is not a marker type{did_you_mean(value, ce.MARKER_TYPES)}; use one of {', '.join(ce.MARKER_TYPES)}",
            param_hint=param,
        )


@diary_app.command("add")
def diary_add(
    case: CaseArg,
    when: Annotated[str, typer.Option("--when", help="When it happened, local time: 2025-03-14 19:05.")],
    what: Annotated[str, typer.Option("--what", help="What happened, in the victim's words.")],
    place: Annotated[str, typer.Option("--place")] = "",
    witnesses: Annotated[str, typer.Option("--witnesses")] = "",
    police_reference: Annotated[str, typer.Option("--police-ref")] = "",
    technology: Annotated[str, typer.Option("--technology", help="Suspected technology (tracker, spyware ...).")] = "",
    impact: Annotated[str, typer.Option("--impact", help="Impact on daily life.")] = "",
    person: Annotated[str, typer.Option("--person", help="Who it is about (a name from the people file).")] = "",
    marker: Annotated[str, typer.Option("--marker", help=f"Also set a marker: {', '.join(ce.MARKER_TYPES)}.")] = "",
    platform: Annotated[str, typer.Option("--platform", help="Platform of the marker (e.g. whatsapp).")] = "",
    actor: Actor = None,
) -> None:
    """Write an incident in the diary; the time of writing is captured automatically.

    Example: cyberevidence diary add case-001 --when "2025-03-14 19:05" --what "He was outside my work"
    """
    if marker:
        _check_marker_type(marker, "--marker")
    c = ce.Case.open(case)
    details = {
        k: v
        for k, v in {
            "place": place,
            "witnesses": witnesses,
            "police_reference": police_reference,
            "suspected_technology": technology,
            "impact": impact,
            "person": person,
        }.items()
        if v
    }
    entry = c.diary_add(when, what, actor=actor, marker_type=marker, marker_platform=platform, **details)
    err.print(f"Diary entry {entry.entry_id} saved (version 1, written {entry.written_at}).")
    note_stale(c)


@diary_app.command("edit")
def diary_edit(
    case: CaseArg,
    entry_id: Annotated[str, typer.Argument(help="The entry id (see 'diary list').")],
    what: Annotated[str | None, typer.Option("--what")] = None,
    when: Annotated[str | None, typer.Option("--when")] = None,
    place: Annotated[str | None, typer.Option("--place")] = None,
    impact: Annotated[str | None, typer.Option("--impact")] = None,
    actor: Actor = None,
) -> None:
    """Correct an entry. Nothing is erased: the earlier version stays in the case and in custody.

    Example: cyberevidence diary edit case-001 D-1a2b3c4d --what "He was outside my work at 7pm"
    """
    changes = {
        k: v for k, v in {"what_happened": what, "happened_at": when, "place": place, "impact": impact}.items() if v is not None
    }
    if not changes:
        raise typer.BadParameter("give at least one of --what, --when, --place, --impact")
    c = ce.Case.open(case)
    entry = c.diary_edit(entry_id, actor=actor, **changes)
    err.print(f"Diary entry {entry.entry_id} is now version {entry.version}; earlier versions are kept.")
    note_stale(c)


@diary_app.command("list")
def diary_list(case: CaseArg, format: Annotated[str, typer.Option("--format", help="text, json or csv.")] = "text") -> None:
    """List the diary (latest version of each entry).

    Example: cyberevidence diary list case-001 --format csv > diary.csv
    """
    entries = ce.Case.open(case).diary()
    if format == "json":
        print(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False))
    elif format == "csv":
        ce.write_diary_csv(entries, raw_stdout())
    else:
        for e in entries:
            print(f"{e.entry_id} v{e.version}  {e.happened_at}  {shown(e.what_happened)}")


@diary_app.command("history")
def diary_history(case: CaseArg, entry_id: Annotated[str, typer.Argument(help="The entry id.")]) -> None:
    """Every version of one entry, with who wrote it, when, and the SHA-256 of the stored version.

    Example: cyberevidence diary history case-001 D-1a2b3c4d
    """
    for r in ce.Case.open(case).diary_history(entry_id):
        e = r.record
        assert isinstance(e, ce.DiaryEntry)
        print(f"v{e.version}  written {e.written_at} by {shown(e.written_by)}  sha256 {r.sha256}\n    {shown(e.what_happened)}")


@diary_app.command("import")
def diary_import(case: CaseArg, file: Annotated[Path, typer.Argument(help="A diary CSV.")], actor: Actor = None) -> None:
    """Import a diary kept in a spreadsheet (columns as 'diary list --format csv' writes them).

    Example: cyberevidence diary import case-001 my-diary.csv
    """
    c = ce.Case.open(case)
    added, edited = c.diary_import_csv(file, actor=actor)
    err.print(f"{added} entr(ies) added, {edited} edited.")
    note_stale(c)


@marker_app.command("add")
def marker_add(
    case: CaseArg,
    marker_type: Annotated[str, typer.Argument(help=f"One of: {', '.join(ce.MARKER_TYPES)}.")],
    when: Annotated[str, typer.Option("--when", help="When, local time: 2025-03-14 19:05.")],
    person: Annotated[str, typer.Option("--person", help="Who it concerns (a name from the people file).")] = "",
    platform: Annotated[str, typer.Option("--platform")] = "",
    account: Annotated[str, typer.Option("--account", help="The account blocked, if any.")] = "",
    note: Annotated[str, typer.Option("--note")] = "",
    actor: Actor = None,
) -> None:
    """Set a dated marker (asked to stop, blocked, police warning, report made, order served, court date).

    Example: cyberevidence marker add case-001 blocked --when "2025-03-10 21:00" --person "Mark Kell" --platform whatsapp
    """
    _check_marker_type(marker_type, "MARKER_TYPE")
    c = ce.Case.open(case)
    m = c.add_marker(marker_type, when, person=person, platform=platform, account=account, note=note, source="cli", actor=actor)
    err.print(f"Marker {m.marker_id} ({m.marker_type}) saved at {m.at_utc}.")
    note_stale(c)


@marker_app.command("list")
def marker_list(case: CaseArg, format: Annotated[str, typer.Option("--format", help="text or json.")] = "text") -> None:
    """Each marker with contacts before and after it, and potential breaches after a boundary.

    Example: cyberevidence marker list case-001 --format json
    """
    effects = ce.Case.open(case).marker_effects()
    if format == "json":
        print(json.dumps([e.to_dict() for e in effects], indent=2, ensure_ascii=False))
        return
    for e in effects:
        m = e.marker
        who = ", ".join(map(shown, e.persons)) or "everyone"
        print(
            f"{m.at_utc}  {m.marker_type.replace('_', ' ')} ({who}{', ' + shown(m.platform) if m.platform else ''}): "
            f"{e.before} contact(s) before, {e.after} after"
        )
        for b in e.breaches:
            if b.attribution == "linked":
                tag = "potential breach"
            else:
                tag = f"possible breach, account not yet linked (suggestion {b.suggestion_id})"
            print(f"    {b.timestamp}  {b.platform}  {shown(b.account)}  {tag}  (event {b.event_id})")
