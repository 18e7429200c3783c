"""The report in a real headless Chromium: offline, no console errors, filters work, hostile text inert.

Needs Debian's ``chromium`` (``bash scripts/_browser_deps.sh``) and the ``playwright`` Python
package (the ``test`` extra); Playwright drives the system browser, it downloads nothing.
Set ``CYBEREVIDENCE_SCREENSHOTS=docs/screenshots`` to refresh the screenshots in the docs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce

from ._chromium import MISSING, NO_PLAYWRIGHT, ROWS, available
from .conftest import HOSTILE_SENDER

if not available():
    pytest.skip(MISSING, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)

pytestmark = pytest.mark.slow


@dataclass
class Loaded:
    page: Any
    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _open(browser: Any, path: Path, **context: Any) -> Loaded:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    loaded = Loaded(page, path.resolve().as_uri())
    page.on("console", lambda m: loaded.console.append((m.type, m.text)))
    page.on("pageerror", lambda exc: loaded.errors.append(str(exc)))
    page.on("request", lambda r: loaded.requests.append(r.url))
    page.goto(loaded.url, wait_until="load")
    page.wait_for_timeout(200)
    return loaded


@pytest.fixture
def loaded(browser: Any, report_file: Path) -> Iterator[Loaded]:
    result = _open(browser, report_file)
    yield result
    result.page.context.close()


def _visible_rows(page: Any) -> int:
    return int(page.evaluate(f"Array.from(document.querySelectorAll('{ROWS}')).filter(r => !r.hidden).length"))


def test_loads_offline_with_no_console_messages_and_no_requests(loaded: Loaded) -> None:
    assert loaded.requests == [loaded.url]
    assert loaded.errors == []
    assert loaded.console == []  # not even a CSP report: nothing on the page tries anything CSP forbids
    assert loaded.page.evaluate("document.getElementById('filters').hidden") is False


def test_planted_script_and_onerror_do_not_run(loaded: Loaded, report_case: ce.Case) -> None:
    page = loaded.page
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title().startswith("Evidence report – Kell & \"Jones\" </style><script>")
    assert page.evaluate("document.querySelectorAll('iframe, object, embed, a[href^=\"http\"]').length") == 0
    # The only images are the report's thumbnails, embedded as data URIs (the one request is the file itself).
    srcs = page.evaluate("Array.from(document.images).map(i => i.getAttribute('src').slice(0, 23))")
    assert srcs and set(srcs) == {"data:image/jpeg;base64,"}
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert page.evaluate("document.querySelectorAll('svg[onload], [onerror], [onclick]').length") == 0
    # The payloads are there, as text the reader can see.
    cells = page.locator("#timeline-months table.timeline td.text")
    assert cells.filter(has_text="<script>window.__pwned=1;document.title='pwned'</script>").count() == 1
    assert cells.filter(has_text="<img src=x onerror=").count() == 1
    assert page.locator("#timeline-months table.timeline td", has_text=HOSTILE_SENDER).count() >= 1


def test_csp_blocks_script_that_is_not_the_reports_own(loaded: Loaded) -> None:
    """Defence in depth: even markup injected at run time cannot run (a CSP report is the evidence)."""
    page = loaded.page
    page.evaluate(
        """() => {
          const s = document.createElement('script'); s.textContent = 'window.__pwned = 5'; document.body.append(s);
          const i = document.createElement('img'); i.setAttribute('src', 'x'); i.setAttribute('onerror', 'window.__pwned = 6');
          document.body.append(i);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    refused = [text for kind, text in loaded.console if kind == "error" and "Content Security Policy" in text]
    assert any("inline script" in text for text in refused), loaded.console
    assert any("img-src" in text for text in refused), loaded.console  # the request is attempted, then blocked


def test_filters_change_the_visible_rows_to_the_known_numbers(loaded: Loaded, report_case: ce.Case) -> None:
    page = loaded.page
    events = list(report_case.timeline())
    status = page.locator("#filter-status")
    assert _visible_rows(page) == len(events) == 47
    assert status.inner_text() == "Showing 47 of 47 rows."

    page.select_option("select[name=platform]", label="signal")
    assert _visible_rows(page) == sum(ev.platform == "signal" for ev in events) == 7
    page.select_option("select[name=person]", label=HOSTILE_SENDER)
    assert _visible_rows(page) == 0 and status.inner_text() == "Showing 0 of 47 rows."
    page.select_option("select[name=platform]", label="all")
    assert _visible_rows(page) == 1

    page.click("button[type=reset]")
    page.wait_for_timeout(50)
    page.select_option("select[name=person]", label="Mark Kell")
    page.select_option("select[name=kind]", label="call")
    assert _visible_rows(page) == sum(ev.person == "Mark Kell" and ev.kind == "call" for ev in events) == 2

    page.click("button[type=reset]")
    page.fill("input[name=q]", "Please STOP")
    expected = sum("please stop" in " ".join((ev.text, ev.sender, ev.person)).lower() for ev in events)
    assert expected == 4 and _visible_rows(page) == expected
    assert status.inner_text() == f"Showing {expected} of 47 rows."

    page.fill("input[name=q]", "")
    page.fill("input[name=from]", "2025-11-01")
    page.fill("input[name=to]", "2025-11-04")
    tz = ce.Case.open(report_case.root).info["timezone"]
    from zoneinfo import ZoneInfo

    days = [ev.timestamp.astimezone(ZoneInfo(tz)).date().isoformat() for ev in events]
    assert _visible_rows(page) == sum("2025-11-01" <= d <= "2025-11-04" for d in days) == 3


def test_without_javascript_every_row_is_visible(browser: Any, report_file: Path) -> None:
    loaded = _open(browser, report_file, java_script_enabled=False)
    try:
        assert loaded.page.locator("#timeline-months table.timeline tbody tr:visible").count() == 47
        assert loaded.page.locator("#filters").is_hidden()
        assert loaded.requests == [loaded.url]
    finally:
        loaded.page.context.close()


def test_screenshots_and_print(loaded: Loaded, tmp_path: Path) -> None:
    out = Path(os.environ.get("CYBEREVIDENCE_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = loaded.page
    desktop = out / "report-desktop.png"
    page.screenshot(path=str(desktop))
    assert desktop.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and desktop.stat().st_size > 20_000
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden() and page.locator("nav.toc").is_hidden()
    assert page.evaluate(f"getComputedStyle(document.querySelector('{ROWS}')).breakInside") == "avoid"
    printed = out / "report-print.png"
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(printed))
    assert printed.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type/Page") >= 1
    assert loaded.requests == [loaded.url]
