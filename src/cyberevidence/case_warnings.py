"""A warning as ``Case.warnings()`` returns it: a typed, frozen record, not a row of the index.

``code`` is a :class:`~cyberevidence.warning_codes.WarningCode` for every code this version
declares (it is a ``str`` enum, so ``w.code == "no_date"`` holds); a plug-in parser's own code,
which no enum can know, stays the plain string it wrote, and its ``category`` is ``None``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cyberevidence.warning_codes import WarningCategory, WarningCode, category_of


@dataclass(frozen=True, slots=True)
class CaseWarning:
    """One problem found while reading a stored file: which file, which parser, what and where."""

    sha256: str
    parser: str
    code: WarningCode | str
    message: str
    locator: str = ""
    file: str = ""

    @property
    def category(self) -> WarningCategory | None:
        return category_of(str(self.code))

    def to_dict(self) -> dict[str, str]:
        """The JSON form (``warnings --format jsonl``): every field as text."""
        return {"sha256": self.sha256, "parser": self.parser, "code": str(self.code), "message": self.message,
                "locator": self.locator, "file": self.file}

    @classmethod
    def from_row(cls, row: sqlite3.Row | Mapping[str, Any]) -> CaseWarning:
        """From a row of the index's ``warnings`` table (a ``sqlite3.Row`` or a dict)."""
        raw = str(row["code"])
        member = WarningCode._value2member_map_.get(raw)
        return cls(str(row["sha256"]), str(row["parser"]), member if isinstance(member, WarningCode) else raw,
                   str(row["message"]), str(row["locator"]), str(row["file"]))


__all__ = ["CaseWarning"]
