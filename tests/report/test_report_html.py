"""The HTML report as text: escaping, CSP, no external references, figure links, row cap, custody."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.analysis.places import Place
from cyberevidence.exporters.timeline import write_timeline_jsonl
from cyberevidence.intel.photos import PhotoFacts
from cyberevidence.report.html import Scan, banner_html, css_string, json_for_html, places_html
from cyberevidence.timeutil import zone

from .conftest import HOSTILE_SENDER


class Page(HTMLParser):
    """Every element with its attributes, and the exact text of each <style> and <script>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.blocks: list[tuple[str, dict[str, str], str]] = []
        self._open: tuple[str, dict[str, str]] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag in ("style", "script"):
            self._open = (tag, a)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.blocks.append((*self._open, data))
            self._open = None

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def _rendered_ids(html: str) -> set[str]:
    return {i[3:] for i in Page(html).ids() if i.startswith("ev-")}


def test_hostile_messages_are_escaped_and_never_become_markup(report_html: str) -> None:
    page = Page(report_html)
    tags = [t for t, _ in page.tags]
    # No element came from the evidence: no a with an outside href, no svg with handlers; the only img are the
    # report's own thumbnails, each an embedded JPEG (a data URI, made by the report from the stored bytes).
    imgs = [a for t, a in page.tags if t == "img"]
    assert imgs and all(re.fullmatch(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", a["src"]) for a in imgs)
    assert [t for t in tags if t == "script"] == ["script", "script"]  # the JSON data block and the filter script
    assert not [(t, k) for t, a in page.tags for k in a if k.lower().startswith("on")], "an event-handler attribute"
    # The text is there, escaped, exactly once in the timeline table.
    assert "&lt;script&gt;window.__pwned=1;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in report_html
    assert "&lt;img src=x onerror=&quot;window.__pwned=2;document.title=&#x27;pwned&#x27;&quot;&gt;" in report_html
    assert "&quot;quotes&quot; &amp; &lt;/script&gt; done" in report_html
    assert "&lt;a href=&quot;https://evil.example/x&quot;&gt;click&lt;/a&gt;" in report_html
    assert e_sender() in report_html
    # Raw forms appear nowhere; the only </script> are the report's own two blocks.
    for raw in ("<script>window", "<img src=x", "<svg onload", '<a href="https://evil', "</style><script>"):
        assert raw not in report_html
    assert report_html.count("</script>") == 2
    assert report_html.count("</style>") == 1


def e_sender() -> str:
    return "&quot;&gt;&lt;svg onload=window.__pwned=3&gt;"


def test_the_title_and_case_id_are_escaped_in_html_and_in_the_css(report_html: str) -> None:
    assert "<title>Evidence report – Kell &amp; &quot;Jones&quot; &lt;/style&gt;&lt;script&gt;" in report_html
    assert "REF-2025/11 &lt;b&gt;" in report_html
    (css,) = [text for tag, _, text in Page(report_html).blocks if tag == "style"]
    assert "<" not in css and "REF-2025/11 \\00003c b\\00003e " in css
    assert css_string('a"b</style>') == '"a\\000022 b\\00003c /style\\00003e "'
    assert css_string("report, case") == '"report\\00002c  case"'  # the escape's own space, then the text's


def test_csp_allows_exactly_the_inline_style_and_script(report_html: str) -> None:
    page = Page(report_html)
    (meta,) = [a for t, a in page.tags if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    policy = dict(d.strip().split(" ", 1) for d in meta["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "data:"
    assert policy["connect-src"] == "'none'" and policy["base-uri"] == "'none'"

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    (css,) = [text for tag, _, text in page.blocks if tag == "style"]
    (js,) = [text for tag, a, text in page.blocks if tag == "script" and "type" not in a]
    assert policy["style-src"] == digest(css)
    assert policy["script-src"] == digest(js)
    # The CSP meta comes before any style or script, and nothing relies on what CSP would block.
    assert report_html.index("Content-Security-Policy") < report_html.index("<style>")
    assert not [t for t, a in page.tags if "style" in a], "inline style attributes would need 'unsafe-inline'"
    assert "innerHTML" not in js and "eval(" not in js and "document.write" not in js


def test_nothing_refers_outside_the_file(report_html: str) -> None:
    page = Page(report_html)
    for tag, attrs in page.tags:
        if tag == "img":  # a thumbnail: embedded, nothing to load
            assert attrs["src"].startswith("data:image/jpeg;base64,"), attrs
        else:
            assert "src" not in attrs, (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith("#"), (tag, attrs)
        for name, value in attrs.items():
            if name == "xmlns" or (tag == "meta" and name == "content"):  # the SVG namespace name; the CSP itself
                continue
            if tag == "img" and name == "src":  # checked above: an embedded JPEG
                continue
            assert not re.search(r"(?i)(https?:|//|file:|data:)", value), (tag, name, value)
    assert tags_named(page, "link") == [] and tags_named(page, "iframe") == [] and tags_named(page, "object") == []
    (css,) = [text for tag, _, text in page.blocks if tag == "style"]
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    # Links in messages are shown as text only.
    assert "<code>https://grabify.link/ZX81AB</code>" in report_html
    assert "href=\"https://grabify" not in report_html


def tags_named(page: Page, name: str) -> list[dict[str, str]]:
    return [a for t, a in page.tags if t == name]


def test_every_conduct_figure_links_to_rows_that_exist(report_case: ce.Case, report_html: str) -> None:
    ids = Page(report_html).ids()
    targets = re.findall(r'href="#(ev-[0-9a-f]+)"', report_html)
    assert targets and all(t in ids for t in targets)
    conduct = report_html[report_html.index('id="conduct"') : report_html.index('id="charts"')]
    (summary,) = report_case.conduct()
    total = summary.total_contacts
    assert total.value == len(total.event_ids) >= 34  # 31 in the demo exports, 3 planted, and the Signal chat's
    assert f'<a href="#ev-{total.event_ids[0]}"><strong>{total.value}</strong></a>' in conduct
    figures = (summary.total_contacts, summary.night_contacts, summary.unanswered, summary.replies, summary.distinct_days)
    for fig in figures:
        assert fig.value and f'href="#ev-{fig.event_ids[0]}"><strong>{fig.value}</strong></a>' in conduct
        for event_id in fig.event_ids:
            assert f'href="#ev-{event_id}"' in conduct
    assert summary.first_contact is not None and f'href="#ev-{summary.first_contact.event_ids[0]}"' in conduct
    assert "For you to confirm" in conduct and summary.stop_suggestions
    assert all(f'href="#ev-{s.event_id}"' in conduct for s in summary.stop_suggestions)


def test_timeline_table_and_filter_data_agree(report_case: ce.Case, report_html: str) -> None:
    events = list(report_case.timeline())
    assert _rendered_ids(report_html) == {ev.event_id for ev in events}
    block = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', report_html, re.S)
    assert block is not None
    raw = block.group(1)
    assert not set("<>&") & set(raw)
    data = json.loads(raw)
    assert len(data["rows"]) == len(events) == 47
    assert data["platforms"] == ["signal", "whatsapp"]
    assert HOSTILE_SENDER in data["persons"]
    for ev, (person, platform, kind, day) in zip(events, data["rows"], strict=True):
        assert data["persons"][person] == ev.person and data["platforms"][platform] == ev.platform
        assert data["kinds"][kind] == ev.kind
        assert day == ev.timestamp.astimezone(zone("Europe/London")).date().isoformat()
    # The filter form is hidden until the script shows it: without JavaScript every row is visible.
    assert '<form id="filters" class="filters" hidden' in report_html


def test_the_row_cap_keeps_the_subjects_latest_events_and_names_the_rest_by_hash(report_case: ce.Case) -> None:
    events = list(report_case.timeline())
    html = ce.build_report(report_case, max_rows=5)
    rendered = _rendered_ids(html)
    assert len(rendered) == 5
    assert "This table shows 5 of 47 events" in html
    # The latest event of the subject is always a row: the end is never hidden.
    latest = [ev for ev in events if ev.person == "Mark Kell" and ev.timestamp is not None][-1]
    assert latest.event_id in rendered
    # Every rendered row is one of the subject's (they come first) and every link has its row.
    assert all(ev.person == "Mark Kell" for ev in events if ev.event_id in rendered)
    ids = Page(html).ids()
    assert all(t in ids for t in re.findall(r'href="#(ev-[0-9a-f]+)"', html))
    # Every event is reachable: timeline.jsonl by its SHA-256 (the exporter's own bytes), line n = event n.
    buf = io.StringIO()
    write_timeline_jsonl(report_case.timeline(), buf)
    digest = hashlib.sha256(buf.getvalue().encode("utf-8")).hexdigest()
    groups = "".join(f"<span>{digest[i:i + 16]}</span>" + (" " if i < 48 else "") for i in range(0, 64, 16))
    assert groups in html and f"{len(events)} lines" in html
    for n, ev in enumerate(events, start=1):
        if ev.event_id in rendered:
            assert re.search(rf'<tr id="ev-{ev.event_id}"><td class="num">{n}</td>', html)
    # Each month states its count and its lines, and the months cover every line once.
    found = re.findall(r"lines ([\d,]+)–([\d,]+) of timeline", html)
    spans = [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in found]
    assert spans[0][0] == 1 and spans[-1][1] == len(events)
    assert all(b + 1 == c for (_, b), (c, _) in itertools.pairwise(spans))
    assert "beyond the table" not in html
    full = ce.build_report(report_case)
    assert "All 47 events are shown" in full and 'id="print-view"' not in full
    assert 'id="print-view"' in html and "Timeline (printed)" in html


def test_water_fill_shares_rows_over_months_and_the_latest_get_the_rest() -> None:
    from cyberevidence.report.layout import Month, allocate, water_fill

    assert water_fill([10, 1, 10], 7) == [3, 1, 3]
    assert water_fill([10, 10, 10], 2) == [0, 1, 1]
    assert water_fill([2, 3], 100) == [2, 3]
    assert water_fill([5, 5], 0) == [0, 0]
    months = [Month("2025-01", 1), Month("2025-02", 20)]
    months[0].counts, months[1].counts = [4, 15], [6, 2]
    allocate(months, 12)
    assert [m.quota for m in months] == [[4, 1], [6, 1]]
    assert months[1].shows(0, 5) and months[1].shows(1, 1) and not months[1].shows(1, 0)  # the latest


def test_sections_summary_exhibits_links_warnings_custody(report_case: ce.Case, report_html: str) -> None:
    manifest = report_case.manifest()
    for section in ("summary", "conduct", "charts", "places", "links", "timeline", "exhibits", "warnings", "custody", "verify"):
        assert f'<section id="{section}"' in report_html
    assert manifest["case"]["case_id"] == "REF-2025/11 <b>"
    assert "<span class=\"ok\">Intact</span>" in report_html
    for artefact in manifest["artefacts"]:
        assert f'<tr id="ex-{artefact["sha256"]}">' in report_html
    for entry in report_case.custody.entries():
        assert f"<code>{entry.hash}</code>" in report_html
    for warning in report_case.warnings():
        assert warning.code in report_html
    links = list(report_case.links())
    flagged = [x for x in links if x.link.flag]
    assert len(flagged) == 1 and f"The messages contain {len(links)} links; 1 is on a domain flagged" in report_html
    assert "sha256sum -c --strict SHA256SUMS" in report_html and "recheck_custody.py" in report_html
    assert "openssl pkeyutl -verify" in report_html
    # Charts: inline SVG with text alternatives and a data table, and patterns as well as colours.
    assert report_html.count('role="img"') >= 3 and "<desc id=" in report_html and "Data table" in report_html
    assert "(diagonal lines)" in report_html and "(solid)" in report_html


def test_a_place_sent_by_the_victim_is_a_visible_safety_finding() -> None:
    facts = PhotoFacts(make="Nikon <b>", model="E950", taken_local="2025:03:14 19:00:00", latitude=43.467082, longitude=11.884538)
    place = Place("ab" * 32, ["<img src=x onerror=alert(1)>.jpg"], facts, [("e1", "outgoing", "Mark Kell")])
    other = Place("cd" * 32, ["b.jpg"], facts, [("e2", "incoming", "Mark Kell")])
    scan = Scan(max_rows=10, rendered={"e1": "2025-03-14 19:05:00"})
    html = places_html([place, other], zone("Europe/London"), scan)
    assert 'class="banner"' in html and "Safety finding:" in html and "sent 1 photo with a GPS position" in html
    assert html.count("safety finding: sent by the victim") == 1
    assert "43.467082, 11.884538" in html and "&lt;img src=x onerror=alert(1)&gt;.jpg" in html and "<img" not in html
    assert '<a href="#ev-e1">' in html and 'href="#ev-e2"' not in html  # e2 is not in the table
    top = banner_html({"case_id": "x"}, "now", [place])
    assert 'role="alert"' in top and "Safety finding:" in top
    assert "Safety finding" not in banner_html({"case_id": "x"}, "now", [other])
    assert "No photo in the case carries a GPS position." in places_html([], zone("UTC"), scan)


def test_json_for_html_cannot_close_its_script_block() -> None:
    text = json_for_html({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


def test_write_report_streams_to_a_file_and_logs_the_export(report_case: ce.Case, tmp_path: Path) -> None:
    before = report_case.custody.head()
    target = tmp_path / "report.html"
    result = ce.write_report(report_case, target)
    data = target.read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)
    head = report_case.custody.head()
    assert head is not None and before is not None and head.seq == before.seq + 1
    assert head.action == "export" and head.details["what"] == "report"
    assert head.details["target"] == str(target.resolve()) and head.details["output_sha256"] == result.sha256
    assert report_case.verify().ok
    assert not list(tmp_path.glob(".*tmp*"))


def test_the_report_verb_writes_the_file(report_case: ce.Case, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cyberevidence_cli.main import app

    target = tmp_path / "out.html"
    run = CliRunner().invoke(app, ["report", str(report_case.root), "-o", str(target), "--max-rows", "10"])
    assert run.exit_code == 0, run.output
    html = target.read_text(encoding="utf-8")
    assert "This table shows 10 of 47 events" in html
    head = report_case.custody.head()
    assert head is not None and head.details["target"] == str(target.resolve())


def test_negative_row_limit_is_refused(report_case: ce.Case) -> None:
    with pytest.raises(ValueError):
        ce.build_report(report_case, max_rows=-1)


def test_a_chosen_print_period_prints_only_the_subjects_events_of_that_period(report_case: ce.Case, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cyberevidence_cli.main import app

    tz = zone("Europe/London")
    target = tmp_path / "period.html"
    run = CliRunner().invoke(app, ["report", str(report_case.root), "-o", str(target), "--print-from", "2025-11-01",
                                   "--print-to", "2025-11-30"])
    assert run.exit_code == 0, run.output
    html = target.read_text(encoding="utf-8")
    wanted = [ev for ev in report_case.timeline() if ev.person == "Mark Kell" and ev.timestamp is not None
              and "2025-11-01" <= ev.timestamp.astimezone(tz).date().isoformat() <= "2025-11-30"]
    assert wanted
    printed = re.findall(r'<tr id="pv-([0-9a-f]+)">', html)
    assert printed == [ev.event_id for ev in wanted]
    assert f"all {len(wanted)} of the subjects' (Mark Kell) dated events from 2025-11-01 to 2025-11-30" in html
    assert '<section id="timeline" class="major screen-only"' in html  # the full table is not printed
    head = report_case.custody.head()
    assert head is not None and head.details["print_from"] == "2025-11-01" and head.details["print_to"] == "2025-11-30"


def test_many_warnings_are_all_counted_by_file_and_code() -> None:
    from cyberevidence.case_warnings import CaseWarning
    from cyberevidence.report.html import MAX_WARNINGS, warnings_html

    many = [CaseWarning("0" * 64, "p", "bad_line", "m", f"line {i}", "a.txt") for i in range(MAX_WARNINGS + 5)]
    many.append(CaseWarning("1" * 64, "q", "bad_date", "<b>", "x", "b.xml"))
    html = warnings_html(many)
    assert f"{MAX_WARNINGS + 6:,} problems found" in html
    assert f'<td>a.txt</td><td><code>bad_line</code></td><td class="num">{MAX_WARNINGS + 5:,}</td>' in html
    assert '<td>b.xml</td><td><code>bad_date</code></td><td class="num">1</td>' in html
    assert html.count("<tr><td>a.txt</td><td>p</td>") == MAX_WARNINGS and "cyberevidence warnings CASE --format jsonl" in html
