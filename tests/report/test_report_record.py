"""The victim's record in the report: the diary (every version), markers by type with before/after, reviews."""

from __future__ import annotations

import io
import re
from html import unescape
from zoneinfo import ZoneInfo

import cyberevidence as ce
from cyberevidence.exhibits import exhibit_refs
from cyberevidence.report.conduct_text import marker_types as types_of
from cyberevidence.report.conduct_text import write_conduct_text


def _section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}"')
    return html[start : html.index("</section>", start)]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def test_the_diary_shows_every_version_as_the_victims_own_account(record_case: ce.Case) -> None:
    html = ce.build_report(record_case, generated_at="2026-01-01T00:00:00Z")
    diary = _section(html, "diary")
    assert "The victim's own account." in _text(diary)
    (entry,) = record_case.diary()
    history = record_case.diary_history(entry.entry_id)
    assert len(history) == 2
    refs = exhibit_refs(record_case)
    for version in history:
        assert f'href="#ex-{version.sha256}">{refs.label(version.sha256)}</a>' in diary
    assert "He was outside the house &lt;again&gt;." in diary and "by the car." in diary and "<again>" not in diary
    assert "Version 1</strong> (superseded by a later version)" in diary and "Version 2</strong> (latest version)" in diary


def test_markers_are_called_by_their_type_with_before_after_and_breaches(record_case: ce.Case) -> None:
    html = ce.build_report(record_case, generated_at="2026-01-01T00:00:00Z")
    markers = _section(html, "markers")
    (fx,) = record_case.marker_effects()
    row = re.search(r'<tr data-marker-type="blocked">(.*?)</tr>', markers, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert _text(cells[0]).startswith("block")
    assert _text(cells[3]) == f"{fx.before:,}" and _text(cells[4]).startswith(f"{fx.after:,}")
    assert fx.breaches and f"{len(fx.breaches)} potential breach" in _text(cells[5])
    for b in fx.breaches:
        assert f'href="#ev-{b.event_id}"' in cells[5]
    # The same words in conduct.txt and in the report: "After the block on …".
    out = io.StringIO()
    (summary,) = record_case.conduct()
    write_conduct_text([summary], out, ZoneInfo("Europe/London"), types_of(record_case.markers()))
    line = next(x for x in out.getvalue().splitlines() if x.startswith("After the block on"))
    assert "(a marker recorded in the case)" in line and "stop date" not in line
    conduct = _text(_section(html, "conduct"))
    for sentence in out.getvalue().splitlines()[2:-1]:
        if sentence and not sentence.startswith(("  ", "Messages from the victim that may")):
            assert sentence in conduct, sentence


def test_indicator_decisions_show_the_note_and_who_decided(record_case: ce.Case) -> None:
    html = ce.build_report(record_case, generated_at="2026-01-01T00:00:00Z")
    reviews = _section(html, "reviews")
    assert "2 candidates reviewed by a person: 1 confirmed, 1 dismissed" in _text(reviews)
    confirmed = re.search(r'<tr data-decision="confirmed">(.*?)</tr>', reviews, re.S)
    assert confirmed is not None
    text = _text(confirmed.group(1))
    assert "a threat <b>in context</b>" in text and "Advocate B" in text
    assert "earlier: dismissed by Advocate A" in text and "first look" in text
    assert "<b>in context" not in reviews  # escaped
    assert "a joke between friends" in _text(reviews)
