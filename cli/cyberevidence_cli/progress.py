"""Progress on stderr for everything that takes more than a moment, fed by plain callbacks.

* Preserving a file counts **bytes** against its size; reading it counts the **events** found
  (how many there will be is not known until the end, so that bar pulses rather than filling).
* Writing an export or the report counts the **events** read from the case against the case's
  event count (:meth:`RichProgress.counting` wraps ``case.timeline`` for that).
* On Ctrl-C the bars do not vanish without a word: each unfinished one is left as a line saying
  how far it got, before the command's "Stopped." line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

import cyberevidence as ce
from cyberevidence_cli.console import markup_safe


def _mb(n: float) -> str:
    return f"{n / 1_000_000:,.1f} MB"


class RichProgress:
    """A callable ``ProgressFn`` (preserve: bytes, read: events, other stages: events of a known total)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._open: dict[TaskID, str] = {}

    def _task(self, key: tuple[str, str], label: str, total: int | None) -> TaskID:
        task = self._tasks.get(key)
        if task is None:
            task = self._progress.add_task(label, total=total, count="")
            self._tasks[key] = task
        return task

    def __call__(self, p: ce.Progress) -> None:
        if p.stage == "hash":
            task = self._task((p.stage, p.name), "Preserving " + markup_safe(p.name[:40]), p.total or None)
            count = f"{_mb(p.done)} of {_mb(p.total)}" if p.total else _mb(p.done)
            self._progress.update(task, completed=p.done, count=count)
        elif p.stage == "parse":
            task = self._task((p.stage, p.name), "Reading " + markup_safe(p.name[:40]), None)
            self._progress.update(task, count=f"{p.done:,} events found")
        else:
            label = markup_safe(p.name[:1].upper() + p.name[1:60])
            task = self._task((p.stage, p.name), label, p.total or None)
            of = f" of {p.total:,}" if p.total else ""
            self._progress.update(task, completed=p.done, total=p.total or None, count=f"{p.done:,}{of} events")
        self._open[task] = p.name if p.stage not in ("hash", "parse") else \
            ("Preserving " if p.stage == "hash" else "Reading ") + p.name[:40]
        if p.total and p.done >= p.total:
            self._open.pop(task, None)

    def step(self, label: str, total: int | None, unit: str = "events") -> tuple[TaskID, Callable[[int], None]]:
        """A bar for one step (``label``), counting ``unit`` against ``total``: its id and ``tick(done)``."""
        task = self._progress.add_task(markup_safe(label), total=total, count="")
        self._open[task] = label
        of = f" of {total:,}" if total else ""

        def tick(done: int) -> None:
            self._progress.update(task, completed=done, count=f"{done:,}{of} {unit}")

        return task, tick

    @contextmanager
    def counting(self, case: ce.Case, label: str, every: int = 500) -> Iterator[None]:
        """While inside, each pass over ``case.timeline()`` moves a bar ``label`` over the case's events."""
        total = case.index.event_count()
        task, tick = self.step(label, total)
        original = case.timeline

        def timeline(*args: Any, **kwargs: Any) -> Iterator[ce.Event]:
            n = 0
            tick(0)
            for n, ev in enumerate(original(*args, **kwargs), 1):
                if n % every == 0:
                    tick(n)
                yield ev
            tick(n)

        case.timeline = timeline  # type: ignore[method-assign]
        try:
            yield
        finally:
            del case.timeline  # the class's method again
        # done: the bar goes (the command's own lines say what was written); a stop leaves it, to be reported
        self._open.pop(task, None)
        self._progress.remove_task(task)

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        stopped = t is not None and issubclass(t, KeyboardInterrupt)
        unfinished = []
        if stopped:
            for task in self._progress.tasks:
                if task.id in self._open and not task.finished:
                    unfinished.append(f"  stopped while: {self._open[task.id]} ({task.fields.get('count') or 'just started'})")
        self._progress.stop()
        for line in unfinished:
            self._console.print(line)
