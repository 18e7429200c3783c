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


MM = 96 / 25.4  # CSS px per millimetre
#: The printable width of A4 with the report's 12 mm side margins (@page in report/html.py), in CSS px.
WIDTH = {"portrait": round((210 - 24) * MM), "landscape": round((297 - 24) * MM)}

#: Every element whose box leaves the printable width, with what it is (tag#id.class).
OVERFLOW_JS = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (getComputedStyle(el).display === 'none') continue;
    if (r.right > limit + 0.5 || r.left < -0.5) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined
        ? '.' + String(el.className).replace(/ /g, '.') : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  return out;
}"""


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF (pypdf, from the test extra)."""
    import io

    import pypdf

    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]

#: The screen timeline's rows (one table per month).
ROWS = "#timeline-months table.timeline tbody tr"
