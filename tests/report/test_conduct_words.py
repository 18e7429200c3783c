"""The course of conduct in plain words: no empty-week runs, whole numbers, plurals, named zone, short text."""

from __future__ import annotations

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import cyberevidence as ce
from cyberevidence.analysis.conduct import DatedFigure, Trend
from cyberevidence.analysis.conduct_words import (
    MAX_LISTED,
    capped,
    local_time,
    per_week,
    plural,
    trend_text,
    week_items,
    weekly_text,
)


def _weeks(counts: list[int], start: date = date(2025, 3, 3)) -> tuple[DatedFigure, ...]:
    out = []
    for i, n in enumerate(counts):
        y, w, _ = (start + timedelta(weeks=i)).isocalendar()
        out.append(DatedFigure(f"{y}-W{w:02d}", n, tuple(f"e{i}-{k}" for k in range(n))))
    return tuple(out)


def test_empty_weeks_are_one_run_with_dates() -> None:
    weeks = _weeks([5, 0, 0, 0, 2, 0, 1])
    assert weekly_text(weeks) == (
        "week of 3 March 2025: 5; no contact from 10 March to 30 March 2025; week of 31 March 2025: 2; "
        "no contact from 7 April to 13 April 2025; week of 14 April 2025: 1"
    )
    assert [i.figure.value if i.figure else None for i in week_items(weeks)] == [5, None, 2, None, 1]


def test_eight_years_of_mostly_empty_weeks_stay_short() -> None:
    counts = [0] * 416
    counts[0], counts[200], counts[415] = 3, 1, 40
    text = weekly_text(_weeks(counts, date(2017, 1, 2)))
    assert text.count("no contact from") == 2 and len(text) < 200
    assert "from 9 January 2017 to" in text


def test_trend_in_whole_numbers_and_words() -> None:
    t = Trend(_weeks([18, 18, 18, 18, 30, 40, 40, 40, 40]), 3.1, "2025-W18", 18.0, 40.0)
    text = trend_text(t)
    assert text.startswith("Over the 9 weeks contact rose: about 18 a week at the start (the 4 weeks from 3 March 2025), "
                           "about 40 a week at the end (the 4 weeks to 4 May 2025).")
    assert "The level changed in the week of 28 April 2025: about 18 a week before, about 40 a week from then on." in text
    assert per_week(0.0486) == "fewer than 1 a week" and per_week(2.5) == "about 3 a week" and per_week(0) == "none"
    assert "." not in text.replace("2025.", "").replace(").", "").rstrip(".")  # no decimal point anywhere
    assert trend_text(Trend(_weeks([3]), 0.0)) == "Too few weeks to speak of a trend."


def test_plurals_zone_and_caps() -> None:
    assert plural(1, "message") == "1 message" and plural(31, "message") == "31 messages"
    assert plural(2, "reply", "replies") == "2 replies" and plural(1200, "call") == "1,200 calls"
    assert local_time("2025-07-01T20:14:00Z", ZoneInfo("Europe/London")) == "1 July 2025 21:14 (Europe/London)"
    assert local_time("2025-01-01T20:14:00Z", ZoneInfo("Europe/London")) == "1 January 2025 20:14 (Europe/London)"
    items = capped([str(i) for i in range(MAX_LISTED + 12)], "bursts")
    assert len(items) == MAX_LISTED + 1 and items[-1] == "…and 12 more bursts (all in conduct.json)"


def test_conduct_text_on_the_demo_is_plain(report_case: ce.Case) -> None:
    from cyberevidence.report.conduct_text import write_conduct_text

    out = io.StringIO()
    write_conduct_text(report_case.conduct(), out, ZoneInfo(report_case.info["timezone"]))
    text = out.getvalue()
    assert "(Europe/London)" in text and " UTC" not in text
    assert "1 call," in text and "38 messages" in text and " 1 calls" not in text
    assert "Trend: Over the" in text and "each week" not in text and "-0." not in text
    html = ce.build_report(report_case, generated_at="2026-01-01T00:00:00Z")
    assert "38 messages" in html and "Over the" in html and "each week)" not in html
