"""A 200,000-event case (benchmarks/gen_victim.py): the report opens with the end in view and prints on A4.

The case is generated and ingested once per session (``large_case`` in conftest.py); the report is
written once. Needs Chromium, Playwright and pypdf like the other browser tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import cyberevidence as ce
from cyberevidence.report.html import DEFAULT_MAX_ROWS, DEFAULT_PRINT_ROWS

from ._chromium import MISSING, NO_PLAYWRIGHT, OVERFLOW_JS, WIDTH, available, pdf_pages
from .conftest import LARGE_EVENTS

if not available():
    pytest.skip(MISSING, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
pytest.importorskip("pypdf", reason="pypdf is not installed: pip install -e '.[test]'")

pytestmark = pytest.mark.slow


def _screenshot(page: Any, name: str) -> None:
    """The viewport as it is, into CYBEREVIDENCE_SCREENSHOTS (docs/screenshots) when set."""
    folder = os.environ.get("CYBEREVIDENCE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


@pytest.fixture(scope="module")
def latest(large_case: ce.Case) -> Any:
    """The latest dated event of the subject (the one a court most needs)."""
    last = None
    for ev in large_case.timeline(person="Mark Kell"):
        if ev.timestamp is not None:
            last = ev
    assert last is not None
    return last


def test_the_large_report_is_bounded_and_keeps_the_latest_contact(large_report: Path, latest: Any) -> None:
    html = large_report.read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="ev-([0-9a-f]+)">', html)
    assert len(rows) == DEFAULT_MAX_ROWS
    assert f"This table shows {DEFAULT_MAX_ROWS:,} of {LARGE_EVENTS:,} events" in html
    assert latest.event_id in rows and f'id="pv-{latest.event_id}"' in html
    assert len(re.findall(r'<tr id="pv-', html)) == DEFAULT_PRINT_ROWS
    # Every month is there with its count; the counts add up to every event.
    counts = [int(c.replace(",", "")) for c in re.findall(r"<summary><strong>[^<]+</strong>: ([\d,]+) events?", html)]
    assert sum(counts) == LARGE_EVENTS and len(counts) >= 24
    assert len(html.encode("utf-8")) < 8_000_000


def test_the_large_report_opens_on_the_latest_month(browser: Any, large_report: Path, latest: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(large_report.resolve().as_uri(), wait_until="load", timeout=120_000)
        months = page.locator("details.month")
        assert months.last.get_attribute("open") is not None
        assert page.locator("details.month[open]").count() == 1
        assert page.locator(f"#ev-{latest.event_id}").is_visible()
        page.evaluate("document.querySelector('details.month[open]').previousElementSibling.scrollIntoView()")
        _screenshot(page, "report-large-desktop.png")
        # A link to a row in a closed month opens it.
        first = page.evaluate("document.querySelector('details.month table tbody tr').id")
        page.evaluate(f"location.hash = '#{first}'")
        page.wait_for_function(f"document.getElementById('{first}').closest('details').open")
    finally:
        page.close()


def test_the_large_report_prints_on_a4_with_nothing_clipped_and_every_page_numbered(
    browser: Any, large_report: Path, latest: Any
) -> None:
    width = WIDTH["portrait"]
    page = browser.new_page(viewport={"width": width, "height": 1100})
    page.set_default_timeout(300_000)
    try:
        page.goto(large_report.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        assert page.evaluate(OVERFLOW_JS, width) == []
        assert page.locator("#timeline").is_hidden() and page.locator("#print-view").is_visible()
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.locator("#print-view").scroll_into_view_if_needed()
        _screenshot(page, "report-large-print.png")
        texts = pdf_pages(page.pdf(format="A4"))
        total = len(texts)
        assert 3 <= total < 400
        for i, text in enumerate(texts, start=1):
            assert f"Page {i} of {total}" in text and "cyberevidence report, case LARGE-200K" in text, (i, text[:200])
        local = latest.timestamp.astimezone(ZoneInfo("Europe/London"))
        stamp = f"{local:%Y-%m-%d} {local:%H:%M:%S}"
        assert any(stamp in " ".join(t.split()) for t in texts[-80:]), stamp
    finally:
        page.close()
