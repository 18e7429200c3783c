"""Rich progress bars on stderr, fed by the library's plain progress callbacks."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeRemainingColumn

import cyberevidence as ce
from cyberevidence_cli.console import markup_safe


class RichProgress:
    """A callable ``ProgressFn``: one bar per file for hashing (bytes), a counter for parsing (events)."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[extra]}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}

    def __call__(self, p: ce.Progress) -> None:
        key = (p.stage, p.name)
        task = self._tasks.get(key)
        if p.stage in ("hash", "parse"):
            label = ("Preserving " if p.stage == "hash" else "Reading ") + markup_safe(p.name[:40])  # a file name
        else:
            label = markup_safe(p.name[:1].upper() + p.name[1:60])  # what the step does ("writing the disclosure")
        if task is None:
            task = self._progress.add_task(label, total=p.total or None, extra="")
            self._tasks[key] = task
        if p.stage == "hash":
            self._progress.update(task, completed=p.done)
        else:
            of = f" of {p.total:,}" if p.total else ""
            self._progress.update(task, total=p.total or None, completed=p.done if p.total else 0,
                                  extra=f"{p.done:,}{of} events")

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()
