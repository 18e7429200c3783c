"""Running the command as a user does (a subprocess), and a demo case to run it on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import cyberevidence as ce

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"
ENV = {**os.environ, "COLUMNS": "200"}


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cyberevidence_cli.main", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=ENV, timeout=180,
    )


def demo_case(root: Path, *, exports: bool = False) -> ce.Case:
    """The demo case (two WhatsApp files, the demo people file); with ``exports``, CASE/exports/ written."""
    case = ce.Case.create(root, examiner="J. Smith", timezone="Europe/London")
    case.add(*sorted((DEMO / "exports").iterdir()))
    case.load_people(DEMO / "people.toml")
    if exports:
        from cyberevidence.exporters.case_exports import refresh_exports

        refresh_exports(case)
    return case


def copy_case(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.splitlines() if ln.strip()]
