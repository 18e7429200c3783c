"""``cyberevidence exports``: refresh ``CASE/exports/``; and the note every changing command prints.

Exports are derived from the case and are never passed off as current (docs/case-folder.md,
"exports/"): a command that changes the case marks them out of date (``exports/OUT-OF-DATE.txt``)
and names the command that refreshes them.
"""

from __future__ import annotations

from collections.abc import Callable
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

err = err_console()


def note_stale(c: ce.Case) -> None:
    """After a change to the case: mark its exports out of date, and say so (nothing if there are none)."""
    stale = write_notice(c)
    if stale:
        err.print(
            f"Note: {len(stale)} file(s) in {shown(exports_dir(c))} no longer show the case as it is now "
            f"(listed in {NOTICE_FILE} there). Refresh them with: {shown(refresh_command(c))}"
        )


def _write_conduct(c: ce.Case) -> Callable[[TextIO], int]:
    def write(fh: TextIO) -> int:
        summaries = c.conduct()
        write_conduct_text(summaries, fh, zone(c.info["timezone"]), marker_types(c.markers()))
        return len(summaries)

    return write


def refresh(c: ce.Case) -> list[ExportedFile]:
    """Write every standard export (and the report), each atomically; one line per file on stderr."""
    outputs = {**standard_outputs(c), "conduct.txt": _write_conduct(c)}

    def on_file(name: str) -> None:
        err.print(f"  writing {name} ...")

    made = refresh_exports(c, outputs, on_file=on_file)
    err.print(f"Exports written to {shown(exports_dir(c))}: {', '.join(f.name for f in made)}.")
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
