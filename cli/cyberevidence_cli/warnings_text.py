"""``cyberevidence warnings`` as a person reads it: one block per file, one row per code.

Each row gives the code, how many times it was found, the first few places (line or JSON path)
and the first message. ``--format jsonl`` keeps one JSON object per warning for machines.
File names and messages go through ``shown`` (hidden characters visible).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from cyberevidence.case_warnings import CaseWarning
from cyberevidence_cli.console import shown

FIRST_PLACES = 3


@dataclass
class _Group:
    count: int = 0
    places: list[str] = field(default_factory=list)
    message: str = ""


def write_warnings_jsonl(warnings: Iterable[CaseWarning], out: TextIO) -> int:
    n = 0
    for w in warnings:
        out.write(json.dumps(w.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_warnings_table(warnings: Iterable[CaseWarning], out: TextIO, case_name: str) -> int:
    """The grouped table; the number of warnings."""
    files: dict[tuple[str, str], dict[str, _Group]] = {}
    total = 0
    for w in warnings:
        key = (w.file, w.sha256)
        group = files.setdefault(key, {}).setdefault(str(w.code), _Group())
        group.count += 1
        total += 1
        if len(group.places) < FIRST_PLACES and w.locator:
            group.places.append(w.locator)
        if not group.message:
            group.message = w.message
    if not total:
        out.write(f"No warnings: every file in {case_name} was read without a problem.\n")
        return 0
    out.write(f"{total:,} warning(s) in {len(files)} file(s) of {case_name}. Nothing was dropped silently: "
              "each is listed with where it was found (all of them: --format jsonl).\n")
    for (name, sha), codes in files.items():
        out.write(f"\n{shown(name) or '(no name)'}  (sha256 {sha[:16]}…)\n")
        width = max(len(c) for c in codes)
        for code, g in sorted(codes.items(), key=lambda kv: (-kv[1].count, kv[0])):
            places = ", ".join(shown(p) for p in g.places) + (", …" if g.places and g.count > len(g.places) else "")
            out.write(f"  {code:<{width}}  {g.count:>6,}  {'first at ' + places if places else '(the whole file)'}\n")
            out.write(f"  {'':<{width}}          e.g. {shown(g.message)}\n")
    return total


__all__ = ["write_warnings_jsonl", "write_warnings_table"]
