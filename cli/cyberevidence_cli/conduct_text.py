"""The course-of-conduct summary in plain language, for advocates and officers (conduct.txt).

Names and texts are shown with hidden and control characters visible (``⟨U+202E⟩``), see
:mod:`cyberevidence.display`."""

from __future__ import annotations

from typing import TextIO

import cyberevidence as ce
from cyberevidence.display import visible


def _when(iso: str) -> str:
    return iso.replace("T", " ").replace("Z", " UTC")


def write_conduct_text(summaries: list[ce.ConductSummary], out: TextIO) -> None:
    def write(text: str) -> None:
        out.write(visible(text, multiline=True))

    if not summaries:
        write("No subject in the people file. Load one with 'cyberevidence people CASE FILE.toml' (role = \"subject\").\n")
        return
    for s in summaries:
        write(f"Course of conduct: {s.subject}\n{'=' * (19 + len(visible(s.subject)))}\n")
        if s.first_contact is None or s.last_contact is None:
            write("No contact from this person was found in the evidence.\n\n")
            continue
        write(f"Contacts from {s.subject}: {s.total_contacts.value} "
                  f"({', '.join(f'{n} {k}' for k, n in s.by_kind.items())}), "
                  f"from {_when(s.first_contact.when)} to {_when(s.last_contact.when)}.\n")
        write(f"Days with contact: {s.distinct_days.value}.")
        if s.longest_run:
            write(f" Longest run: {s.longest_run.days} days in a row ({s.longest_run.start} to {s.longest_run.end}).")
        if s.busiest_day:
            write(f" Busiest day: {s.busiest_day.when} with {s.busiest_day.value} contacts.")
        write("\n")
        write(f"Replies from the victim: {s.replies.value}. ")
        write(f"Contacts with no reply within the set time: {s.unanswered.value}.\n")
        write(f"Contacts at night: {s.night_contacts.value}.\n")
        if s.missed_call_bursts:
            bursts = "; ".join(f"{b.value} calls from {_when(b.when)}" for b in s.missed_call_bursts)
            write(f"Bursts of missed calls: {len(s.missed_call_bursts)} ({bursts}).\n")
        trend = s.trend
        weekly = ", ".join(f"{w.when}: {w.value}" for w in trend.weeks)
        write(f"Contacts per week: {weekly}.\n")
        direction = "rising" if trend.slope_per_week > 0 else "falling" if trend.slope_per_week < 0 else "flat"
        write(f"Trend: {direction} ({trend.slope_per_week:+g} contacts per week, each week).")
        if trend.change_week:
            write(f" The level changed in {trend.change_week}: about {trend.mean_before:g} a week before, "
                      f"{trend.mean_after:g} a week from then on.")
        write("\n")
        platforms = ", ".join(f"{p.platform} (first {_when(p.first_used)}, {p.contacts})" for p in s.platforms)
        write(f"Platforms used: {platforms}.\n")
        for stop in s.after_stop:
            by = ", ".join(f"{k} {v}" for k, v in stop.after_by_platform.items())
            write(f"After the stop date {stop.stop_date} ({stop.source}): {stop.after.value} contacts"
                      f"{f' ({by})' if by else ''}; {stop.before} before it.\n")
        if s.stop_suggestions:
            write("Messages from the victim that may be a request to stop (please check; not applied):\n")
            for x in s.stop_suggestions:
                write(f"  {_when(x.timestamp)} [{x.platform}] {x.text!r}  (event {x.event_id})\n")
        write(f"Messages from other people that mention {s.subject}: {s.via_third_parties.value}.\n\n")
