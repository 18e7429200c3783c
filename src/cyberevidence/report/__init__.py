"""The HTML evidence report: one self-contained, offline file (see docs/report.md).

    html = build_report(case)                    # the whole page as a string
    result = write_report(case, "report.html")   # streamed to a file, logged in custody

The page loads nothing (a strict Content-Security-Policy allows only its own inline style and
filter script, by hash), escapes every string from the evidence, and prints cleanly.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cyberevidence.exhibits import exhibit_refs
from cyberevidence.report.html import DEFAULT_MAX_ROWS, DEFAULT_PRINT_ROWS, render

if TYPE_CHECKING:
    from cyberevidence.case import Case

__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_PRINT_ROWS", "ReportResult", "build_report", "write_report"]


@dataclass(frozen=True, slots=True)
class ReportResult:
    """What :func:`write_report` wrote."""

    path: Path
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "size": self.size}


def build_report(
    case: Case, *, max_rows: int = DEFAULT_MAX_ROWS, generated_at: str | None = None,
    print_rows: int = DEFAULT_PRINT_ROWS, print_from: date | None = None, print_to: date | None = None,
) -> str:
    """The report as one HTML string (nothing is logged; see :func:`write_report`)."""
    return "".join(render(case, max_rows=max_rows, generated_at=generated_at, print_rows=print_rows,
                          print_from=print_from, print_to=print_to))


def write_report(
    case: Case,
    path: str | Path,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    generated_at: str | None = None,
    record: bool = True,
    actor: str | None = None,
    print_rows: int = DEFAULT_PRINT_ROWS,
    print_from: date | None = None,
    print_to: date | None = None,
) -> ReportResult:
    """Stream the report to ``path`` (written to a temporary file, then renamed) and log the export.

    The custody ``export`` entry records the target path, the report's SHA-256 and size, the
    row limit, and the exhibit references shown (``initials``, ``exhibits``: see
    :mod:`cyberevidence.exhibits`). Pass ``record=False`` to write without logging (e.g. for a
    read-only case).
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for piece in render(case, max_rows=max_rows, generated_at=generated_at, print_rows=print_rows,
                                print_from=print_from, print_to=print_to):
                data = piece.encode("utf-8")
                digest.update(data)
                size += len(data)
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    result = ReportResult(target, digest.hexdigest(), size)
    if record:
        refs = exhibit_refs(case)  # the references the report showed: recorded, so they never change
        case.record_export(
            "report", str(target.resolve()), actor=actor, output_sha256=result.sha256, size=size, max_rows=max_rows,
            print_rows=print_rows, print_from=print_from.isoformat() if print_from else None,
            print_to=print_to.isoformat() if print_to else None,
            initials=refs.initials, exhibits={ref: sha for sha, ref in refs.exhibits.items()},
        )
    return result
