"""The ``cyberevidence`` command: a thin layer over the library's public API.

Data goes to stdout (or ``-o FILE``); progress bars and messages go to stderr. Errors are
explained in plain language with what to do next; ``--debug`` shows the traceback. Names and file
names in messages go through ``shown`` (hidden and control characters as ``⟨U+001B⟩``, see
cyberevidence_cli.console), and the message console interprets no markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TextIO

import typer

import cyberevidence as ce
from cyberevidence.analysis.contacts import PERIODS, Period
from cyberevidence.dateargs import DateArgumentError, parse_instant
from cyberevidence.exporters import write_contacts_csv, write_contacts_json, write_timeline_csv, write_timeline_jsonl
from cyberevidence.exporters.case_exports import (
    REPORT_FILE,
    ExportedFile,
    case_state,
    exports_dir,
    mark_written,
    write_notice,
)
from cyberevidence.exporters.parquet import case_parquet_metadata, write_contacts_parquet, write_timeline_parquet
from cyberevidence.exporters.record import SCHEMA_VERSION
from cyberevidence.parsers.base import DateOrder
from cyberevidence.people import load_people
from cyberevidence.report.conduct_text import marker_types, write_conduct_text
from cyberevidence.store.atomic import atomic_writer
from cyberevidence.store.seal import PUBLIC_KEY, archive_dir, key_fingerprint
from cyberevidence.timeutil import zone
from cyberevidence_cli import helpfmt
from cyberevidence_cli.console import err_console, shown
from cyberevidence_cli.exports_cmd import exports, note_stale, refresh
from cyberevidence_cli.pack_cmd import pack
from cyberevidence_cli.progress import RichProgress
from cyberevidence_cli.records_cmds import diary_app, marker_app, raw_stdout
from cyberevidence_cli.texts import describe_add, describe_verify, what_to_do
from cyberevidence_cli.warnings_text import write_warnings_jsonl, write_warnings_table

START_HERE = (
    "Start here: collect. One command reads every export, merges them per person and writes the timeline, "
    "contact tables, course of conduct and HTML report into CASE/exports/:\n\n"
    "  cyberevidence collect EXPORTS... --case CASE --examiner NAME --people people.toml\n\n"
    "Preserve, hash and merge a stalking victim's phone and account exports into court-ready evidence. "
    "The other commands do one step each."
)


#: What a Ctrl-C prints (exit code 130): the work so far is kept, and the same command finishes it.
STOPPED = "Stopped. Nothing is lost; run the same command again to finish."


class _StartHereFirst(typer.core.TyperGroup):
    """``collect`` heads the list of commands: it is the one an advocate needs."""

    def list_commands(self, ctx: Any) -> list[str]:  # a click Context (vendored inside typer)
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: n != "collect")


helpfmt.install()
app = typer.Typer(
    name="cyberevidence",
    help=START_HERE,
    cls=_StartHereFirst,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = err_console()

CaseArg = Annotated[Path, typer.Argument(help="The case folder.", show_default=False)]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of the screen.")]
app.add_typer(diary_app, name="diary")
app.add_typer(marker_app, name="marker")
app.command("pack")(pack)
app.command("exports")(exports)


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show full error tracebacks.")] = False) -> None:
    pass


def _date_order(value: str | None) -> DateOrder | None:
    if value is None:
        return None
    v = value.lower()
    if v not in ("dmy", "mdy", "ymd"):
        raise typer.BadParameter("use dmy (day first), mdy (month first) or ymd (year first)")
    return v  # type: ignore[return-value]


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield raw_stdout()
        sys.stdout.flush()
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        yield fh


def _log_export(case: ce.Case, what: str, target: Path | None, count: int, *, undated_left_out: int = 0, **extra: Any) -> None:
    details: dict[str, Any] = {"items": count, **extra}
    if undated_left_out:
        details["undated_left_out"] = undated_left_out
    if target is not None:
        details["output_sha256"] = ce.hash_file(target)["sha256"]
    try:
        case.record_export(what, str(target.resolve()) if target else "stdout", **details)
    except PermissionError:
        err.print(f"Note: the case is read-only, so this {what} export was not written to the custody log.")


@app.command()
def init(
    case: CaseArg,
    examiner: Annotated[str, typer.Option("--examiner", help="Your name (recorded in every custody entry).")],
    timezone: Annotated[str, typer.Option("--timezone", help="The victim's usual timezone (IANA name).")] = "Europe/London",
    title: Annotated[str, typer.Option("--title", help="A short case title.")] = "",
    region: Annotated[str, typer.Option("--region", help="Default phone region for numbers without +country code.")] = "GB",
    hash_: Annotated[
        list[str], typer.Option("--hash", help="Extra digests for legacy tools: md5, sha1 (SHA-256 is always used).")
    ] = [],  # noqa: B006
) -> None:
    """Create a new, empty case folder.

    Example: cyberevidence init case-001 --examiner "J. Smith" --timezone Europe/London
    """
    c = ce.Case.create(case, examiner=examiner, timezone=timezone, title=title, region=region, hash_algorithms=("sha256", *hash_))
    err.print(f"Created case {shown(case)} (id {c.info['case_id']}) for examiner {shown(examiner)}.")


@app.command()
def add(
    case: CaseArg,
    paths: Annotated[list[Path], typer.Argument(help="Export files, zips or folders to add.", show_default=False)],
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="Timezone of local times in these exports (default: the case's).")
    ] = None,
    format: Annotated[str | None, typer.Option("--format", help="Force a parser by name (see 'cyberevidence formats').")] = None,
    note: Annotated[
        str, typer.Option("--note", help="Where these came from, e.g. 'exported from victim's iPhone by ISAC, 5 Nov'.")
    ] = "",
    date_order: Annotated[str | None, typer.Option("--date-order", help="dmy, mdy or ymd, when the dates are ambiguous.")] = None,
) -> None:
    """Preserve exports in the case (hash, read-only copy, custody log), then read the messages in them.

    Example: cyberevidence add case-001 "WhatsApp Chat - Mark.zip" --note "from victim's phone, 5 Nov"
    """
    c = ce.Case.open(case)
    with RichProgress(err) as progress:
        report = c.add(*paths, timezone=timezone, format=format, note=note, date_order=_date_order(date_order), progress=progress)
    describe_add(err, report, case)
    note_stale(c)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def people(
    case: CaseArg,
    file: Annotated[
        Path | None, typer.Argument(help="A people TOML file (see docs/people.md).", show_default=False)
    ] = None,
    suggestions: Annotated[bool, typer.Option("--suggestions", help="List probable links for you to check.")] = False,
    accept: Annotated[str | None, typer.Option("--accept", help="Accept the suggestion with this id.")] = None,
    identities: Annotated[bool, typer.Option("--identities", help="List every account linked to a person, and why.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Load a people file that lists no one over one that lists people.")
    ] = False,
) -> None:
    """Tell the case who is who (victim, subjects, witnesses); review and accept suggested links.

    Example: cyberevidence people case-001 people.toml
    Example: cyberevidence people case-001 --suggestions
    """
    c = ce.Case.open(case)
    if file is not None:
        try:
            loaded = c.load_people(file, force=force)
        except ce.PeopleFileError as exc:
            if "lists no one" not in str(exc):
                raise
            raise ce.PeopleFileError(str(exc), hint="Check that each person is a [[person]] table (two brackets). "
                                     "To clear the people file on purpose, add --force.") from None
        for p in loaded.persons:
            err.print(f"  {p.role:8} {shown(p.name)}  ({len(p.phones)} phone(s), {len(p.emails)} e-mail(s), "
                      f"{len(p.handles)} handle(s))")
        if not loaded.victims:
            err.print("Note: no person has role = \"victim\", so message directions stay 'unknown'.")
    if accept:
        c.accept_suggestion(accept)
        err.print(f"Suggestion {accept} accepted: a new people file is stored and logged in the custody log.")
    if file is not None or accept:
        note_stale(c)
    if identities:
        for link in c.identities():
            print(f"{link.platform}:{shown(link.handle)}\t{shown(link.person)}\t{link.rule}")
    if suggestions:
        found = c.suggestions()
        if not found:
            err.print("No suggestions: every account seen is either linked by a certain rule or unlike anyone listed.")
        for sug in found:
            print(f"[{sug.id}] {sug.platform}:{shown(sug.handle)} -> {shown(sug.person)} ({sug.confidence}: {shown(sug.reason)})"
                  f"\n    {shown(sug.evidence)}")
        if found:
            err.print(f"Accept one only if you are sure: cyberevidence people {shown(case)} --accept ID")
    if file is None and not (accept or identities or suggestions):
        raise typer.BadParameter("give a people file, or --suggestions, --identities or --accept ID")


def _check_dates(c: ce.Case, **given: str | None) -> None:
    """Each date option read as the library reads it; an error names the option (--since, --until)."""
    for name, value in given.items():
        if value is None:
            continue
        try:
            parse_instant(value, zone(c.info["timezone"]))
        except DateArgumentError as exc:
            raise DateArgumentError(f"--{name}: {exc}", hint=exc.hint) from None


EXCEL_HELP = ("CSV only: start the file with a UTF-8 byte-order mark, so that Excel opened by double-click shows "
              "accents and emoji correctly.")


def _check_excel(excel: bool, format: str) -> None:
    if excel and format != "csv":
        raise typer.BadParameter("--excel is for --format csv", param_hint="--excel")


def _check_parquet(format: str, output: Path | None) -> None:
    if format == "parquet" and output is None:
        raise typer.BadParameter("a Parquet file is binary: name the file with -o, e.g. -o timeline.parquet", param_hint="-o")


def _schema_detail(format: str) -> dict[str, Any]:
    """The record version of a JSONL or Parquet timeline, for its custody entry."""
    return {"schema_version": SCHEMA_VERSION} if format in ("jsonl", "parquet") else {}


def _write_parquet(output: Path, write: Callable[[BinaryIO], int]) -> int:
    """Write a Parquet file atomically: a stopped export never leaves a half file under the name."""
    with atomic_writer(output) as fh:
        return write(fh)


@app.command()
def timeline(
    case: CaseArg,
    format: Annotated[
        str, typer.Option("--format", help="jsonl, csv, parquet (needs -o) or timesketch (Timesketch JSONL).")
    ] = "jsonl",
    output: OutOpt = None,
    person: Annotated[str | None, typer.Option("--person", help="Only events with this person.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date or time: 2025-03-14, '2025-03-14 19:05' (case timezone) "
                                 "or 2025-03-14T19:05+00:00.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Up to (not including) this date or time, written as for --since.")
    ] = None,
    platform: Annotated[list[str], typer.Option("--platform", help="Only these platforms (repeatable).")] = [],  # noqa: B006
    kind: Annotated[list[str], typer.Option("--kind", help="Only these kinds, e.g. message, call (repeatable).")] = [],  # noqa: B006
    excel: Annotated[bool, typer.Option("--excel", help=EXCEL_HELP)] = False,
) -> None:
    """Every event from every source, merged in time order.

    Example: cyberevidence timeline case-001 --format csv --person "Mark Kell" -o timeline.csv
    Example: cyberevidence timeline case-001 --format parquet -o timeline.parquet
    """
    if format not in ("jsonl", "csv", "parquet", "timesketch"):
        raise typer.BadParameter("use jsonl, csv, parquet or timesketch", param_hint="--format")
    _check_excel(excel, format)
    _check_parquet(format, output)
    c = ce.Case.open(case)
    _check_dates(c, since=since, until=until)
    events = c.timeline(person=person, since=since, until=until, platforms=platform, kinds=kind)
    undated = ce.UndatedTally(keep=0)
    if format == "parquet" and output is not None:
        n = _write_parquet(output, lambda fh: write_timeline_parquet(events, fh, metadata=case_parquet_metadata(c.info)))
    else:
        with _output(output) as out:
            if format == "timesketch":
                n = ce.write_timeline_timesketch(events, out, undated=undated)
            elif format == "csv":
                n = write_timeline_csv(events, out, tz=zone(c.info["timezone"]), excel=excel)
            else:
                n = write_timeline_jsonl(events, out)
    err.print(f"{n} event(s) written{f' to {shown(output)}' if output else ''}.")
    if undated.total:
        err.print(f"{undated.total} undated event(s) left out: Timesketch needs a time (they are in the jsonl and csv formats).")
    _log_export(c, f"timeline-{format}", output, n, undated_left_out=undated.total, **_schema_detail(format))


@app.command()
def contacts(
    case: CaseArg,
    by: Annotated[str, typer.Option("--by", help="hour, day, week or month (in the case's timezone).")] = "day",
    format: Annotated[str, typer.Option("--format", help="csv, json or parquet (needs -o).")] = "csv",
    output: OutOpt = None,
    person: Annotated[str | None, typer.Option("--person", help="Only this person.")] = None,
    excel: Annotated[bool, typer.Option("--excel", help=EXCEL_HELP)] = False,
) -> None:
    """How often each person was in contact, per period and platform.

    Example: cyberevidence contacts case-001 --by week -o contacts.csv
    Example: cyberevidence contacts case-001 --by week --format parquet -o contacts.parquet
    """
    if by not in PERIODS:
        raise typer.BadParameter(f"use one of {', '.join(PERIODS)}", param_hint="--by")
    if format not in ("csv", "json", "parquet"):
        raise typer.BadParameter("use csv, json or parquet", param_hint="--format")
    _check_excel(excel, format)
    _check_parquet(format, output)
    c = ce.Case.open(case)
    period: Period = by  # type: ignore[assignment]
    rows = c.contacts(period, person=person)
    if format == "parquet" and output is not None:
        n = _write_parquet(output, lambda fh: write_contacts_parquet(rows, fh, by, metadata=case_parquet_metadata(c.info)))
    else:
        with _output(output) as out:
            n = write_contacts_csv(rows, out, excel=excel) if format == "csv" else write_contacts_json(rows, out, by)
    err.print(f"{n} row(s) written{f' to {shown(output)}' if output else ''}.")
    _log_export(c, f"contacts-{format}", output, n)


@app.command()
def conduct(
    case: CaseArg,
    format: Annotated[str, typer.Option("--format", help="text (plain language) or json.")] = "text",
    output: OutOpt = None,
    stop_date: Annotated[
        list[str] | None,
        typer.Option("--stop-date", help="When the victim asked a subject to stop: 2025-03-11, or 'Mark Kell=2025-03-11'."),
    ] = None,
    night: Annotated[str, typer.Option("--night", help="Night hours, local time, as START-END.")] = "22-6",
    unanswered_hours: Annotated[float, typer.Option("--unanswered-hours", help="Hours without a reply.")] = 24.0,
    burst: Annotated[str, typer.Option("--burst", help="Missed-call burst: CALLS/MINUTES.")] = "3/30",
) -> None:
    """The course of conduct for each subject: frequency, persistence, escalation, night contact, after a stop.

    Every figure lists the events behind it in --format json.

    Example: cyberevidence conduct case-001 --stop-date "Mark Kell=2025-03-11"
    """
    if format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    try:
        start, end = (int(x) for x in night.split("-"))
        calls, minutes = (int(x) for x in burst.split("/"))
    except ValueError:
        raise typer.BadParameter("use --night 22-6 and --burst 3/30") from None
    c = ce.Case.open(case)
    subjects = [p.name for p in c.people().persons if p.role == "subject"]
    stops: dict[str, tuple[str, ...]] = {}
    for item in stop_date or []:
        who, sep, when = item.rpartition("=")
        if sep:
            c.people().named(who.strip())
        for name in [who.strip()] if sep else subjects:
            stops[name] = (*stops.get(name, ()), when.strip())
    options = ce.ConductOptions(
        night_start=start, night_end=end, unanswered_hours=unanswered_hours, burst_calls=calls, burst_minutes=minutes,
        stop_dates=stops,
    )
    with RichProgress(err) as progress, progress.counting(c, "Summarising the course of conduct"):
        summaries = c.conduct(options)
    with _output(output) as out:
        if format == "json":
            out.write(json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False) + "\n")
        else:
            write_conduct_text(summaries, out, zone(c.info["timezone"]), marker_types(c.markers()))
    _log_export(c, f"conduct-{format}", output, len(summaries))
    if output is not None:
        err.print(f"Course of conduct written to {shown(output)}: {len(summaries)} subject(s).")


@app.command()
def indicators(
    case: CaseArg,
    format: Annotated[str, typer.Option("--format", help="text (plain language) or json.")] = "text",
    output: OutOpt = None,
    language: Annotated[str, typer.Option("--language", help="Language of the shipped patterns (e.g. en).")] = "en",
    patterns: Annotated[
        list[Path] | None, typer.Option("--patterns", help="An extra pattern file (TOML, see docs/indicators.md); repeatable.")
    ] = None,
    confirm: Annotated[str | None, typer.Option("--confirm", help="Confirm the candidate with this id.")] = None,
    dismiss: Annotated[str | None, typer.Option("--dismiss", help="Dismiss the candidate with this id.")] = None,
    note: Annotated[str, typer.Option("--note", help="A note kept with the decision in the custody log.")] = "",
    actor: Annotated[str | None, typer.Option("--actor", help="Who decides (default: the case's examiner).")] = None,
) -> None:
    """Candidate indicators (threats, knowledge of movements, third-party contact, tracker and sign-in notices)
    under the FOUR, SLII and S-DASH headings, each pending, confirmed or dismissed. Nothing is scored.

    Example: cyberevidence indicators case-001
    Example: cyberevidence indicators case-001 --confirm 3f1c0a9e2b7d4c55 --note "threat to hurt, 2 March"
    """
    if format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    if confirm and dismiss:
        raise typer.BadParameter("give --confirm or --dismiss, not both")
    c = ce.Case.open(case)
    extra = list(patterns or [])
    if confirm or dismiss:
        decision = "confirmed" if confirm else "dismissed"
        found = ce.review_candidate(c, str(confirm or dismiss), decision, actor, note, language=language, patterns=extra)
        err.print(f"Candidate {found.id} {decision} ({found.category}, {found.timestamp}, {shown(found.person)}); "
                  "the decision is in the custody log.")
        note_stale(c)
        return
    report = ce.indicator_report(c, language=language, patterns=extra)
    with _output(output) as out:
        if format == "json":
            out.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        else:
            report.write_text(out, how_to_review=f"Confirm or dismiss one with: cyberevidence indicators {shown(case)} "
                              "--confirm ID (or --dismiss ID) [--note TEXT]")
    err.print(f"{len(report.candidates)} candidate(s){f' written to {shown(output)}' if output else ''}.")
    _log_export(c, f"indicators-{format}", output, len(report.candidates))


@app.command()
def report(
    case: CaseArg,
    output: OutOpt = None,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Most timeline rows shown in the report (all events stay in the JSONL export).")
    ] = 5_000,
    print_from: Annotated[
        datetime | None,
        typer.Option("--print-from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="First day (local) printed."),
    ] = None,
    print_to: Annotated[
        datetime | None,
        typer.Option("--print-to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Last day (local) printed."),
    ] = None,
) -> None:
    """Write the evidence report: one self-contained HTML file that loads nothing and prints cleanly.

    Without -o it is written to CASE/exports/report.html (and recorded there as current).

    Example: cyberevidence report case-001
    Example: cyberevidence report case-001 -o case-001-report.html
    """
    c = ce.Case.open(case)
    state = case_state(c)
    target = output if output is not None else exports_dir(c) / REPORT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    first, last = (print_from.date() if print_from else None), (print_to.date() if print_to else None)
    with RichProgress(err) as progress, progress.counting(c, f"Writing {target.name}"):
        try:
            result = ce.write_report(c, target, max_rows=max_rows, print_from=first, print_to=last)
        except PermissionError:
            result = ce.write_report(c, target, max_rows=max_rows, record=False, print_from=first, print_to=last)
            err.print("Note: the case is read-only, so this report export was not written to the custody log.")
    if target.resolve() == (exports_dir(c) / REPORT_FILE).resolve():
        mark_written(c, [ExportedFile(REPORT_FILE, target, 0, result.sha256)], state)
        write_notice(c)
    err.print(f"Report written to {shown(target)} ({c.index.event_count():,} events, {result.size:,} bytes, "
              f"sha256 {result.sha256}).")


def _password(password_file: Path | None, confirm: bool) -> str:
    """From the first line of a file, or typed at a hidden prompt: never from the command line."""
    if password_file is not None:
        return ce.read_password_file(password_file)
    if not sys.stdin.isatty():
        raise ce.CyberEvidenceError("no password given", hint="Pass --password-file FILE (the password is its first line).")
    pw: str = typer.prompt("Bundle password", hide_input=True, confirmation_prompt=confirm, err=True)
    return pw


PasswordFileOpt = Annotated[
    Path | None, typer.Option("--password-file", help="Read the bundle password from the first line of this file.")
]


@app.command()
def verify(
    case: Annotated[Path, typer.Argument(help="The case folder, or a bundle (.zip) made by 'bundle'.", show_default=False)],
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    password_file: PasswordFileOpt = None,
    trusted_key: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-key",
            help="The last seal must be made with this key: its public key file (.pub.pem) or its fingerprint "
            "(64 hex digits, as the person who sealed the case gave it to you). Repeatable.",
            show_default=False,
        ),
    ] = None,
    scratch: Annotated[
        Path | None,
        typer.Option(
            "--scratch",
            help="For a bundle: decrypt it into a private folder made here (default: beside the bundle; never the "
            "system temp folder). The folder is removed afterwards.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check that nothing in the case has changed: every stored file, the custody chain, the manifest and the seals.

    Given a bundle, decrypt it into a private folder (only you can open it) beside the bundle, or in
    --scratch DIR, check the case in it and the bundle's member list, and remove the folder, also on
    Ctrl-C or kill. A folder left by a check that was killed outright (kill -9, power cut), named
    .cyberevidence-verify-..., is removed by the next check in the same place.

    A seal shows who vouched for the case only if you know their key. Get the key's fingerprint
    from the person who sealed it (by phone, or printed in the evidence pack) and pass it with
    --trusted-key: the check then fails unless the last seal was made with that key.

    Exit code 0 = intact, 1 = problems found (each one named), 2 = not a case (or a wrong bundle password).

    Example: cyberevidence verify case-001
    Example: cyberevidence verify case-001 --trusted-key smith.pub.pem
    Example: cyberevidence verify case-001.zip --password-file pw.txt
    """
    trusted = list(trusted_key or [])
    if case.is_file():
        report = ce.verify_bundle(case, _password(password_file, confirm=False), trusted_keys=trusted, scratch=scratch)
        if not report.is_case:
            for f in report.problems:
                err.print(f"Error: {f}", style="bold red")
    elif not (case / "case.json").exists():
        report = ce.verify_case(case, trusted_keys=trusted)
    else:
        report = ce.Case.open(case).verify(trusted_keys=trusted)
    if json_:
        print(json.dumps(report.to_dict(), indent=2))
    describe_verify(err, report)
    raise typer.Exit(report.exit_code)


@app.command()
def manifest(
    case: CaseArg,
    output: OutOpt = None,
    format: Annotated[str, typer.Option("--format", help="json, or case-uco (CASE/UCO JSON-LD).")] = "json",
    sign_key: Annotated[
        Path | None, typer.Option("--sign-key", help="Seal the manifest with this Ed25519 private key (PEM).")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who is sealing (recorded in custody); default: the case's examiner.")
    ] = None,
) -> None:
    """Regenerate the case manifest (and optionally seal it); print it or write it to a file.

    Example: cyberevidence manifest case-001 --sign-key examiner.pem
    """
    if format not in ("json", "case-uco"):
        raise ce.CyberEvidenceError(f"manifest format {format!r} is not available", hint="Use --format json or case-uco.")
    c = ce.Case.open(case)
    data = c.seal(sign_key, actor=actor) if sign_key else c.refresh_manifest()
    with _output(output) as out:
        if format == "case-uco":
            n = ce.write_case_uco(c, out)
        else:
            out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if format == "case-uco":
        err.print(f"CASE/UCO JSON-LD: {n} node(s){f' written to {shown(output)}' if output else ''}.")
        _log_export(c, "manifest-case-uco", output, n)
    if sign_key:
        seq = int(data["custody_head"]["seq"])
        fingerprint = key_fingerprint((archive_dir(c.root, seq) / PUBLIC_KEY).read_bytes())
        err.print(f"Manifest sealed (custody seq {seq}) with key {fingerprint}. The seal is kept in seals/{seq}/ "
                  "(and, until the case next changes, as manifest.json.sig and signer.pub.pem beside manifest.json).")


@app.command()
def bundle(
    case: CaseArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="The bundle file to write (.zip).")],
    password_file: PasswordFileOpt = None,
    hide_names: Annotated[
        bool, typer.Option("--hide-names", help="Put the case in an encrypted inner case.zip, so no member name shows.")
    ] = False,
    sign_key: Annotated[
        Path | None, typer.Option("--sign-key", help="Seal the manifest with this Ed25519 key before zipping.")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who makes the bundle (default: the case's examiner).")] = None,
) -> None:
    """Write the whole case as one AES-256 encrypted zip (opens in 7-Zip), logged in custody first.

    The password is read from --password-file (first line) or typed at a hidden prompt, never
    given on the command line. It must be at least 12 characters and hard to guess (zxcvbn score
    4): a passphrase of four or more unrelated words. Check a received bundle with
    'cyberevidence verify FILE.zip'.

    Example: cyberevidence bundle case-001 -o case-001.zip --password-file pw.txt --hide-names
    """
    c = ce.Case.open(case)
    result = ce.make_bundle(c, output, _password(password_file, confirm=True), hide_names=hide_names, sign_key=sign_key,
                            actor=actor)
    err.print(f"Bundle written to {shown(output)}: {result.members} member(s){', names hidden' if result.hide_names else ''}, "
              f"sha256 {result.sha256}. Send the password by a different channel.")


@app.command()
def disclose(
    case: CaseArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="A new folder for the disclosure (not a file name).")],
    redact_role: Annotated[
        str, typer.Option("--redact-role", help="Roles to pseudonymise, comma-separated (victim, subject, witness, other).")
    ] = "other,witness",
    redact_person: Annotated[
        list[str] | None, typer.Option("--redact-person", help="Also pseudonymise this person (repeatable).")
    ] = None,
    mask_text: Annotated[
        list[str] | None, typer.Option("--mask-text", help="Replace text matching this regular expression by [redacted].")
    ] = None,
    keep_unlisted: Annotated[
        bool, typer.Option("--keep-unlisted", help="Leave people the people file does not list in plain text (not advised).")
    ] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Who makes the disclosure (default: the examiner).")] = None,
) -> None:
    """A copy of the case for disclosure: everyone but the victim and the subject becomes "Person A", "Person B" ...

    Third parties in the people file and those only seen in the data (senders, recipients, phone
    numbers and e-mail addresses in the messages) are pseudonymised the same way in every file.
    Writes timeline.jsonl, timeline.csv, report.html and disclosure-manifest.json into a new folder.
    Which pseudonym is whom is kept only in the case's custody log.

    Example: cyberevidence disclose case-001 -o disclosure-001
    Example: cyberevidence disclose case-001 -o disclosure-002 --mask-text "Flat 3, 12 Acacia Avenue"
    """
    roles = [r.strip() for r in redact_role.split(",") if r.strip()]
    c = ce.Case.open(case)
    for name in redact_person or []:
        c.people().named(name)
    with RichProgress(err) as progress:
        result = ce.disclose(c, output, redact_roles=roles, redact_persons=redact_person or [], mask_text=mask_text or [],
                             actor=actor, unlisted=not keep_unlisted, progress=progress)
    seen = f" ({result.unlisted} of them seen only in the data)" if result.unlisted else ""
    err.print(f"Disclosure written to {shown(output)}: {result.events:,} event(s), {result.pseudonyms} person(s) "
              f"pseudonymised{seen}. Which pseudonym is whom is in the custody log of {shown(case)}, not in the disclosure. "
              "Read it before it leaves: a nickname or a name written only inside a message is not found.")


@app.command()
def receive(
    case: CaseArg,
    by: Annotated[str, typer.Option("--by", help="Your name: the person receiving the case.")],
    from_: Annotated[str, typer.Option("--from", help="Who handed the case over.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Purpose or authority, e.g. 'PCSC Act 2022 s37 agreement'.")] = "",
) -> None:
    """Record a handover: verify the case, then log who released it and who received it.

    Example: cyberevidence receive case-001 --by "DC A. Patel" --from "J. Smith (ISAC)" --purpose "crime ref 123"
    """
    report = ce.Case.open(case).receive(by, from_, purpose)
    describe_verify(err, report)
    err.print(f"Handover recorded in the custody log. Seal it with your own key: cyberevidence manifest {shown(case)} "
              "--sign-key KEY.pem")
    raise typer.Exit(report.exit_code)


@app.command()
def keygen(
    key: Annotated[Path, typer.Argument(help="Where to write the private key (PEM). Keep it safe.", show_default=False)],
) -> None:
    """Make an Ed25519 key pair for sealing manifests, and print the public key's fingerprint.

    Give the fingerprint (or the .pub.pem file) to whoever checks your seals, by a channel other
    than the case itself: they check it with 'cyberevidence verify CASE --trusted-key FINGERPRINT'.

    Example: cyberevidence keygen examiner.pem
    """
    pub = ce.generate_key(key)
    err.print(f"Private key: {shown(key)} (keep it secret). Public key: {shown(pub)} (give it to whoever checks your seals).")
    err.print(f"Fingerprint of your public key: {key_fingerprint(pub.read_bytes())}")
    err.print("Read it out or send it separately to whoever checks your seals; it is what 'verify --trusted-key' takes.")


@app.command()
def rebuild(case: CaseArg) -> None:
    """Recreate the case index from the evidence store and custody log alone.

    Example: cyberevidence rebuild case-001
    """
    c = ce.Case.open(case)
    with RichProgress(err) as progress:
        c.rebuild(progress=progress)
    err.print(f"Index rebuilt: {c.index.event_count()} event(s).")
    note_stale(c)


@app.command()
def warnings(
    case: CaseArg,
    output: OutOpt = None,
    format: Annotated[str, typer.Option("--format", help="text (a table by file and code) or jsonl (one per line).")] = "text",
) -> None:
    """List every problem found while reading the exports, grouped by file and kind, with where each was found.

    Example: cyberevidence warnings case-001
    Example: cyberevidence warnings case-001 --format jsonl -o warnings.jsonl
    """
    if format not in ("text", "jsonl"):
        raise typer.BadParameter("use text or jsonl", param_hint="--format")
    c = ce.Case.open(case)
    with _output(output) as out:
        if format == "jsonl":
            write_warnings_jsonl(c.warnings(), out)
        else:
            write_warnings_table(c.warnings(), out, shown(case))


@app.command()
def formats() -> None:
    """List every supported source and what it reads.

    Example: cyberevidence formats
    """
    for info in ce.default_registry().all():
        print(f"{info.name}  ({info.platform})")
        print(f"    {info.description}")
        for f in info.formats:
            print(f"    - {f}")
        if info.limits:
            print(f"    limits: {info.limits}")


@app.command()
def collect(
    paths: Annotated[list[Path], typer.Argument(help="Export files, zips or folders.", show_default=False)],
    case: Annotated[Path, typer.Option("--case", help="Case folder (created if it does not exist).")],
    examiner: Annotated[str, typer.Option("--examiner", help="Your name.")],
    people_file: Annotated[Path | None, typer.Option("--people", help="People TOML file.")] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Zone of the exports' local times (default Europe/London, logged as assumed)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Where these exports came from.")] = "",
    date_order: Annotated[str | None, typer.Option("--date-order", help="dmy, mdy or ymd, when dates are ambiguous.")] = None,
) -> None:
    """Do the whole job: create the case, add the exports, apply the people file, verify, and write
    the timeline, contact tables, course-of-conduct summary and HTML report into CASE/exports/.

    Example: cyberevidence collect exports/ --case case-001 --examiner "J. Smith" --people people.toml
    """
    existing = (case / "case.json").exists()
    order = _date_order(date_order)  # every input is checked before anything is created
    if timezone is not None:
        zone(timezone)
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise ce.InputNotFoundError(f"{path}: no such file or folder", hint="Check the name; nothing was created or changed.")
    if people_file:
        region = ce.Case.open(case).info.get("region", "GB") if existing else "GB"
        load_people(people_file, region)
    if existing:
        c = ce.Case.open(case)
        err.print(f"Using existing case {shown(case)}.")
    else:
        c = ce.Case.create(case, examiner=examiner, timezone=timezone or "Europe/London")
        err.print(f"Created case {shown(case)}.")
    if people_file:
        c.load_people(people_file)
    with RichProgress(err) as progress:
        report = c.add(*paths, note=note, timezone=timezone, date_order=order, progress=progress)
    describe_add(err, report, case)
    refresh(c)
    result = c.verify()
    describe_verify(err, result)
    raise typer.Exit(1 if report.errors or not result.ok else 0)


def run() -> None:
    """Console-script entry point: plain-language errors, tracebacks only with --debug.

    The first Ctrl-C stops the command (exit code 130); further presses are ignored, so the
    clean-up that records the stop in the case's custody log is never cut short.
    """
    import signal
    import sqlite3

    from cyberevidence.errors import is_storage_full, storage_full

    debug = "--debug" in sys.argv
    stopped: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stopped.append(signum)
        raise KeyboardInterrupt

    def explain(exc: ce.CyberEvidenceError) -> None:
        if debug:
            raise exc
        err.print(f"Error: {exc}", soft_wrap=True, style="bold red")
        todo = what_to_do(exc)
        if todo:
            err.print(f"What to do: {todo}", soft_wrap=True)
        sys.exit(2)

    stopped_text = STOPPED
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, stop)
    try:  # the outer level catches a Ctrl-C that comes while an error is reported or at exit
        try:
            app()
        except SystemExit as exc:
            if stopped and exc.code == 130:  # Typer turns Ctrl-C into a silent exit 130
                err.print(stopped_text)
            raise
        except ce.CyberEvidenceError as exc:
            explain(exc)
        except (OSError, sqlite3.Error) as exc:
            if is_storage_full(exc):
                named = exc.filename if isinstance(exc, OSError) and exc.filename else "the disk that holds the case"
                explain(storage_full(named, exc))
            if debug or not isinstance(exc, OSError):
                raise
            err.print(f"Error: {shown(exc.filename or '')}: {exc.strerror or exc}", style="bold red")
            err.print("What to do: check the path exists and that you may read (and, for the case, write) it.")
            sys.exit(2)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        err.print(stopped_text)
        sys.exit(130)


if __name__ == "__main__":
    run()
