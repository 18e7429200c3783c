"""The system Chromium the browser tests drive (Playwright only drives it; it downloads nothing)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CYBEREVIDENCE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
MISSING = f"no Chromium at {CHROMIUM}: run 'bash scripts/_browser_deps.sh' (installs Debian's chromium)"
NO_PLAYWRIGHT = "playwright is not installed: pip install -e '.[test]'"


def available() -> bool:
    return Path(CHROMIUM).exists()
