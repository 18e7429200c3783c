"""``--help`` in plain words: ``--timezone TEXT``, ``paths PATH...``, never ``<list[Path]>``.

Typer (0.29) labels each value with its Python type in angle brackets. An advocate does not
know what ``<list[Path]>`` means, so the label is replaced once, here, for every command:
a path is ``PATH``, text ``TEXT``, a number ``NUMBER``; a repeatable value shows its element.
"""

from __future__ import annotations

import re
from typing import Any

import typer.core

_WORDS = {"path": "PATH", "str": "TEXT", "int": "NUMBER", "float": "NUMBER", "bool": "", "datetime": "DATE"}
_LIST = re.compile(r"list\[(.*)\]", re.IGNORECASE)


def plain_label(label: str) -> str:
    """A Typer type label (``<list[Path]>``, ``<str>``) as a word a person reads (``PATH``, ``TEXT``)."""
    inner = label.strip().removeprefix("<").removesuffix(">")
    m = _LIST.fullmatch(inner)
    if m:
        inner = m.group(1)
    return _WORDS.get(inner.lower(), inner.upper() if inner.isidentifier() else inner)


def install() -> None:
    """Replace Typer's type labels in every help screen (idempotent)."""
    param_class: Any = getattr(typer.core, "_TyperParameter", None)
    if param_class is None or getattr(param_class, "_cyberevidence_plain", False):
        return
    original = param_class.display_type

    def display_type(self: Any, ctx: Any) -> str:
        return plain_label(str(original(self, ctx)))

    param_class.display_type = display_type
    param_class._cyberevidence_plain = True


__all__ = ["install", "plain_label"]
