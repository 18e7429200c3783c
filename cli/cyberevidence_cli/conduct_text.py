"""The course-of-conduct summary in plain language, for advocates and officers (conduct.txt).

The wording is :mod:`cyberevidence.analysis.conduct_words`, shared with the report; times are in
the case's zone, named. The text stays short at any size: its length follows the weeks spanned.

Names and texts are shown with hidden and control characters visible (``⟨U+202E⟩``), see
:mod:`cyberevidence.display`."""

from __future__ import annotations

from datetime import date
from typing import TextIO
from zoneinfo import ZoneInfo

import cyberevidence as ce
from cyberevidence.analysis.conduct_words import capped, local_time, long_date, plural, trend_text, weekly_text
from cyberevidence.display import visible


def write_conduct_text(summaries: list[ce.ConductSummary], out: TextIO, tz: ZoneInfo | None = None) -> None:
    """Write the summaries in plain words (:mod:`cyberevidence.analysis.conduct_words`), times in ``tz`` (UTC if none)."""
    zone = tz or ZoneInfo("UTC")

    def write(text: str) -> None:
        out.write(visible(text, multiline=True))

    def when(iso: str) -> str:
        return local_time(iso, zone)

    if not summaries:
        write("No subject in the people file. Load one with 'cyberevidence people CASE FILE.toml' (role = \"subject\").\n")
        return
    for s in summaries:
        write(f"Course of conduct: {s.subject}\n{'=' * (19 + len(visible(s.subject)))}\n")
        undated = s.undated_contacts.value + s.undated_replies.value
        if undated:
            ids = ", ".join([*s.undated_contacts.event_ids, *s.undated_replies.event_ids])
            write(f"Undated: {s.undated_contacts.value} contacts from {s.subject} and {s.undated_replies.value} replies "
                  f"have no time in their source and are not in any figure below (events {ids}).\n")
        if s.first_contact is None or s.last_contact is None:
            write("No dated contact from this person was found in the evidence.\n\n" if undated
                  else "No contact from this person was found in the evidence.\n\n")
            continue
        kinds = ", ".join(plural(n, k) for k, n in s.by_kind.items())
        write(f"Contacts from {s.subject}: {s.total_contacts.value:,} ({kinds}), "
              f"from {when(s.first_contact.when)} to {when(s.last_contact.when)}.\n")
        write(f"Days with contact: {s.distinct_days.value:,}.")
        if s.longest_run:
            run = s.longest_run
            write(f" Longest run: {plural(run.days, 'day')} in a row "
                  f"({long_date(date.fromisoformat(run.start))} to {long_date(date.fromisoformat(run.end))}).")
        if s.busiest_day:
            write(f" Busiest day: {long_date(date.fromisoformat(s.busiest_day.when))} with "
                  f"{plural(s.busiest_day.value, 'contact')}.")
        write("\n")
        write(f"Replies from the victim: {s.replies.value:,}. ")
        write(f"Contacts with no reply within the set time: {s.unanswered.value:,}.\n")
        write(f"Contacts at night: {s.night_contacts.value:,}.\n")
        if s.missed_call_bursts:
            bursts = capped([f"{plural(b.value, 'call')} from {when(b.when)}" for b in s.missed_call_bursts], "bursts")
            write(f"Bursts of missed calls: {len(s.missed_call_bursts):,} ({'; '.join(bursts)}).\n")
        write(f"Contacts per week: {weekly_text(s.trend.weeks)}.\n")
        write(f"Trend: {trend_text(s.trend)}\n")
        platforms = ", ".join(f"{p.platform} (first {when(p.first_used)}, {plural(p.contacts, 'contact')})" for p in s.platforms)
        write(f"Platforms used: {platforms}.\n")
        for stop in s.after_stop:
            by = ", ".join(f"{k} {v:,}" for k, v in stop.after_by_platform.items())
            write(f"After the stop date {stop.stop_date} ({stop.source}): {plural(stop.after.value, 'contact')}"
                  f"{f' ({by})' if by else ''}; {stop.before:,} before it.\n")
        if s.stop_suggestions:
            write("Messages from the victim that may be a request to stop (please check; not applied):\n")
            listed = capped([f"  {when(x.timestamp)} [{x.platform}] {x.text!r}  (event {x.event_id})"
                             for x in s.stop_suggestions], "messages")
            write("\n".join(listed) + "\n")
        write(f"Messages from other people that mention {s.subject}: {s.via_third_parties.value:,}.\n\n")
