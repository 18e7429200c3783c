"""The report printed by headless Chromium on A4, portrait and landscape: nothing clipped, every page numbered.

Needs Debian's ``chromium`` (``bash scripts/_browser_deps.sh``), ``playwright`` and ``pypdf`` (the
``test`` extra). ``CYBEREVIDENCE_SCREENSHOTS=docs/screenshots`` refreshes the print screenshots in the docs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce
from cyberevidence.report.html import print_footer_template

from ._chromium import MISSING, NO_PLAYWRIGHT, OVERFLOW_JS, WIDTH, available, pdf_pages

if not available():
    pytest.skip(MISSING, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed: pip install -e '.[test]'")

pytestmark = pytest.mark.slow

def _print_page(browser: Any, path: Path, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 1100})
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    return page


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_print_layout_fits_a4_with_no_box_clipped(browser: Any, report_file: Path, orientation: str) -> None:
    width = WIDTH[orientation]
    page = _print_page(browser, report_file, width)
    try:
        assert page.evaluate(OVERFLOW_JS, width) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The six timeline columns, the source line under each text, and the header repeated on each page.
        heads = page.locator("#timeline-months table.timeline").first.locator("thead th").all_inner_texts()
        assert heads == ["#", "Time (local)", "Platform, kind", "Direction", "Person (sender)",
                         "Text, then attachments and source exhibit"]
        head = "getComputedStyle(document.querySelector('#timeline-months table.timeline thead')).display"
        assert page.evaluate(head) == "table-header-group"
        rows = page.locator("#timeline-months table.timeline tbody tr").count()
        assert page.locator("#timeline-months table.timeline td.text .meta", has_text="Source:").count() == rows == 47
        # The text column is the widest: at least 40 % of the table.
        share = page.evaluate("""() => { const t = document.querySelector('#timeline-months table.timeline');
            const c = t.querySelector('tbody tr td.text');
            return c.getBoundingClientRect().width / t.getBoundingClientRect().width; }""")
        assert share >= 0.4, share
        # A time is a date and a time on at most two lines.
        lines = page.evaluate("""() => {
            const cell = document.querySelector('#timeline-months table.timeline td.time');
            const height = cell.querySelector('time').getBoundingClientRect().height;
            return Math.round(height / parseFloat(getComputedStyle(cell).lineHeight)); }""")
        assert lines <= 2
    finally:
        page.close()


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_printed_page_is_numbered_and_names_the_case(
    browser: Any, report_file: Path, report_case: ce.Case, orientation: str
) -> None:
    page = _print_page(browser, report_file, WIDTH[orientation])
    case_id = str(report_case.info["case_id"])
    try:
        landscape = orientation == "landscape"
        # 1. The browser's own print (what an officer gets from Ctrl+P): the CSS page-margin boxes.
        css = pdf_pages(page.pdf(format="A4", landscape=landscape))
        # 2. A headless print with Chromium's footer template (page.pdf(display_header_footer=True)).
        tmpl = pdf_pages(page.pdf(format="A4", landscape=landscape, display_header_footer=True,
                               header_template="<span></span>", footer_template=print_footer_template(case_id),
                               margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}))
        for texts in (css, tmpl):
            total = len(texts)
            assert total >= 3
            for i, text in enumerate(texts, start=1):
                assert f"Page {i} of {total}" in text, (i, text[:200])
                assert f"cyberevidence report, case {case_id}" in text, (i, text[:200])
        # The cover page is the case summary, and the course of conduct starts on a new page.
        assert "Case summary" in css[0] and "Custody head" in css[0] and "Course of conduct" not in css[0]
        # The timeline's header is repeated on every page that carries timeline rows.
        timeline_pages = [t for t in css if re.search(r"Source: \S+", t) and "Merged timeline" not in t]
        assert timeline_pages, "the timeline spans more than one page"
        for t in timeline_pages:
            flat = " ".join(t.split())
            assert "# Time (local) Platform, kind Direction Person (sender)" in flat, flat[:300]
    finally:
        page.close()


def test_print_screenshots(browser: Any, report_file: Path, tmp_path: Path) -> None:
    out = Path(os.environ.get("CYBEREVIDENCE_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for orientation in ("portrait", "landscape"):
        page = _print_page(browser, report_file, WIDTH[orientation])
        try:
            box = page.evaluate("""() => {
                const r = document.querySelector('#timeline-months table.timeline').getBoundingClientRect();
                return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: Math.min(r.height, 700)}; }""")
            shot = out / f"report-print-timeline-{orientation}.png"
            page.screenshot(path=str(shot), full_page=True, clip=box)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        finally:
            page.close()
