"""The terminal side of :mod:`cyberevidence.display`: names and file names can never drive the terminal.

A file name can hold ESC sequences (clear the screen, change the window title) or a right-to-left
override; a name can hold Rich markup (``[bold red]``, ``[/]``) or emoji codes (``:warning:``).

* :func:`shown` is what every message puts in place of a name, file name or path: hidden and
  control characters as ``⟨U+001B⟩`` (LF included, so a name cannot fake a line of output);
* :class:`SafeConsole` (stderr) interprets no markup, emoji codes or highlighting, and passes
  every string it prints through :func:`~cyberevidence.display.visible` again (keeping LF and TAB,
  the message's own line breaks), so a value someone forgot to wrap still cannot reach the
  terminal raw. Rich's own colours are added after that, by Rich.
* :func:`markup_safe` is for Rich places that *do* interpret markup (progress bar labels):
  :func:`shown`, then ``rich.markup.escape``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from cyberevidence.display import visible


def shown(value: object) -> str:
    """A name, file name or path as a terminal message shows it (one line, hidden characters visible)."""
    return visible(value)


def markup_safe(value: object) -> str:
    """:func:`shown`, escaped for a place where Rich interprets markup."""
    return escape(shown(value))


class SafeConsole(Console):
    """A Rich console for messages: no markup, emoji codes or highlighting; hidden characters shown."""

    def __init__(self, *, stderr: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        super().__init__(stderr=stderr, markup=False, emoji=False, highlight=False, **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(visible(o, multiline=True) if isinstance(o, str) else o for o in objects), **kwargs)


def err_console() -> SafeConsole:
    """The stderr console every command prints its messages on."""
    return SafeConsole(stderr=True)


__all__ = ["SafeConsole", "err_console", "markup_safe", "shown"]
