"""``cyberevidence exports``: refresh ``CASE/exports/``; and the note every changing command prints.

Exports are derived from the case and are never passed off as current (docs/case-folder.md,
"exports/"): a command that changes the case marks them out of date (``exports/OUT-OF-DATE.txt``)
and names the command that refreshes them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, TextIO

import typer

import cyberevidence as ce
from cyberevidence.exporters.case_exports import (
    NOTICE_FILE,
    ExportedFile,
    exports_dir,
    refresh_command,
    refresh_exports,
    standard_outputs,
    write_notice,
)
from cyberevidence.report.conduct_text import marker_types, write_conduct_text
from cyberevidence.timeutil import zone
from cyberevidence_cli.console import err_console, shown
from cyberevidence_cli.progress import RichProgress
from cyberevidence_cli.texts import describe_merge

err = err_console()


def note_stale(c: ce.Case) -> None:
    """After a change to the case: mark its exports out of date, and say so (nothing if there are none)."""
    stale = write_notice(c)
    if stale:
        err.print(
            f"Note: {len(stale)} file(s) in {shown(exports_dir(c))} no longer show the case as it is now "
            f"(listed in {NOTICE_FILE} there). Refresh them with: {shown(refresh_command(c))}"
        )


def _write_conduct(c: ce.Case, keep: list[ce.ConductSummary]) -> Callable[[TextIO], int]:
    def write(fh: TextIO) -> int:
        summaries = c.conduct()
        keep[:] = summaries
        write_conduct_text(summaries, fh, zone(c.info["timezone"]), marker_types(c.markers()))
        return len(summaries)

    return write


def refresh(c: ce.Case) -> list[ExportedFile]:
    """Write every standard export (and the report), each atomically; one line per file on stderr."""
    summaries: list[ce.ConductSummary] = []
    outputs = {**standard_outputs(c), "conduct.txt": _write_conduct(c, summaries)}

    steps = ExitStack()
    with RichProgress(err) as progress:

        def on_file(name: str) -> None:
            steps.close()  # the previous file's bar is done
            err.print(f"  writing {name} ...")
            steps.enter_context(progress.counting(c, f"Writing {name}"))

        with steps:  # a stop inside a file reaches its bar, which then says how far it got
            made = refresh_exports(c, outputs, on_file=on_file)
    err.print(f"Exports written to {shown(exports_dir(c))}: {', '.join(f.name for f in made)}.")
    describe_merge(err, c, summaries if any(f.name == "conduct.txt" for f in made) else None)
    return made


def exports(case: Annotated[Path, typer.Argument(help="The case folder.", show_default=False)]) -> None:
    """Write (or refresh) the standard exports in CASE/exports/: timeline, contact tables,
    course-of-conduct summary and HTML report.

    Each file is replaced whole (a reader or Ctrl-C never sees half a file), logged in the custody
    log, and recorded as made from the case as it is now. Commands that change the case mark the
    exports out of date; a bundle refuses to carry an out-of-date report.

    Example: cyberevidence exports case-001
    """
    refresh(ce.Case.open(case))


__all__ = ["exports", "note_stale", "refresh"]
