"""The course-of-conduct text: ONE wording for ``conduct.txt`` and the report's "Course of conduct".

:func:`conduct_sentences` says each summary in sentences made of plain text and :class:`Ref`
parts (a figure and the events behind it). :func:`write_conduct_text` writes them as plain text
(``conduct.txt``); the report renders the same sentences with each :class:`Ref` linked to its
events. The words are :mod:`cyberevidence.analysis.conduct_words`: times in the case's zone with
the zone named, correct plurals, no empty runs of weeks, the trend in whole numbers, markers
called by their type. The text stays short at any size: lists that grow with the case are capped
(:data:`~cyberevidence.analysis.conduct_words.MAX_LISTED`), so its length follows the weeks spanned.

Names and texts are written with hidden and control characters visible (``⟨U+202E⟩``), see
:mod:`cyberevidence.display`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TextIO
from zoneinfo import ZoneInfo

from cyberevidence.analysis.conduct import ConductSummary
from cyberevidence.analysis.conduct_words import (
    MAX_LISTED,
    local_time,
    long_date,
    plural,
    trend_text,
    week_items,
)
from cyberevidence.display import visible
from cyberevidence.records import Marker

#: What a marker is called in the text, by its type (``cyberevidence.records.MARKER_TYPES``).
MARKER_WORDS = {
    "stop_request": "the request to stop",
    "blocked": "the block",
    "police_warning": "the police warning",
    "report_made": "the report made",
    "order_served": "the order served",
    "court_date": "the court date",
    "other": "the marker",
}


@dataclass(frozen=True, slots=True)
class Ref:
    """A figure in a sentence and the events behind it (``listed``: the report lists them all)."""

    text: str
    event_ids: Sequence[str] = ()
    label: str = ""
    strong: bool = False
    listed: bool = True


Part = str | Ref


@dataclass(frozen=True, slots=True)
class Sentence:
    """One line of the text: its topic (``weekly``, ``trend`` …) and its parts."""

    topic: str
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


def stop_source(source: str, at_utc: str, marker_types: Mapping[str, str]) -> str:
    """What a stop date is, in words: a marker by its type ("the block"), else "the stop date"."""
    if source == "marker":
        kind = marker_types.get(at_utc, "")
        return MARKER_WORDS.get(kind, "the marker")
    return "the stop date"


def stop_when(value: str, tz: ZoneInfo) -> str:
    """A stop date as given: a bare date in words, an instant in the case's zone with the zone named."""
    if len(value) == 10:
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return local_time(value, tz)


def stop_origin(source: str) -> str:
    """Where a stop date came from: a marker recorded in the case, the people file, or given for this text."""
    return {"marker": "a marker recorded in the case", "people file": "the people file"}.get(source, "given when run")


def conduct_sentences(
    s: ConductSummary, tz: ZoneInfo, marker_types: Mapping[str, str] | None = None
) -> list[Sentence]:
    """The summary of one subject as sentences (the same for ``conduct.txt`` and the report).

    ``marker_types``: stop instant (UTC ISO, as in ``StopFigure.stop_date``) -> marker type, so a
    stop date from a marker is called by its type ("the victim blocked him").
    """
    types = marker_types or {}

    def when(iso: str) -> str:
        return local_time(iso, tz)

    out: list[Sentence] = []

    def add(topic: str, *parts: Part) -> None:
        out.append(Sentence(topic, tuple(parts)))

    undated = s.undated_contacts.value + s.undated_replies.value
    ids = [*s.undated_contacts.event_ids, *s.undated_replies.event_ids]
    if undated:
        add("undated", "Undated: ", Ref(plural(s.undated_contacts.value, "contact"), s.undated_contacts.event_ids,
                                        "undated contacts"),
            f" from {s.subject} and ", Ref(plural(s.undated_replies.value, "reply", "replies"), s.undated_replies.event_ids,
                                            "undated replies"),
            " have no time in their source and are not in any figure below (events " + ", ".join(ids[:MAX_LISTED])
            + (f" and {len(ids) - MAX_LISTED:,} more in conduct.json" if len(ids) > MAX_LISTED else "") + ").")
    if s.first_contact is None or s.last_contact is None:
        add("none", "No dated contact from this person was found in the evidence." if undated
            else "No contact from this person was found in the evidence.")
        return out
    kinds = ", ".join(plural(n, k) for k, n in s.by_kind.items())
    add("total", f"Contacts from {s.subject}: ",
        Ref(f"{s.total_contacts.value:,}", s.total_contacts.event_ids, "total contacts", strong=True),
        f" ({kinds}), from ", Ref(when(s.first_contact.when), s.first_contact.event_ids, "first contact"),
        " to ", Ref(when(s.last_contact.when), s.last_contact.event_ids, "last contact"), ".")
    days: list[Part] = ["Days with contact: ",
                        Ref(f"{s.distinct_days.value:,}", s.distinct_days.event_ids, "days with contact", strong=True), "."]
    if s.longest_run:
        run = s.longest_run
        days += [" Longest run: ", Ref(plural(run.days, "day"), run.event_ids, "longest run"),
                 f" in a row ({long_date(date.fromisoformat(run.start))} to {long_date(date.fromisoformat(run.end))})."]
    if s.busiest_day:
        b = s.busiest_day
        days += [f" Busiest day: {long_date(date.fromisoformat(b.when))} with ",
                 Ref(plural(b.value, "contact"), b.event_ids, "busiest day"), "."]
    add("days", *days)
    add("replies", "Replies from the victim: ", Ref(f"{s.replies.value:,}", s.replies.event_ids, "replies", strong=True),
        ". Contacts with no reply within the set time (24 hours by default): ",
        Ref(f"{s.unanswered.value:,}", s.unanswered.event_ids, "unanswered", strong=True), ".")
    add("night", "Contacts at night (local time): ",
        Ref(f"{s.night_contacts.value:,}", s.night_contacts.event_ids, "night contacts", strong=True), ".")
    if s.missed_call_bursts:
        parts: list[Part] = [f"Bursts of missed calls: {len(s.missed_call_bursts):,} ("]
        for i, b in enumerate(s.missed_call_bursts[:MAX_LISTED]):
            parts += ["; " if i else "", Ref(plural(b.value, "call"), b.event_ids, f"burst from {when(b.when)}"),
                      f" from {when(b.when)}"]
        if len(s.missed_call_bursts) > MAX_LISTED:
            parts.append(f"; …and {len(s.missed_call_bursts) - MAX_LISTED:,} more bursts (all in conduct.json)")
        add("bursts", *parts, ").")
    else:
        add("bursts", "Bursts of missed calls: none.")
    weekly: list[Part] = ["Contacts per week: "]
    for i, item in enumerate(week_items(s.trend.weeks)):
        weekly.append(("; " if i else "") + item.text)
        if item.figure is not None:
            weekly.append(Ref(str(item.figure.value), item.figure.event_ids[:1], "", listed=False))
    add("weekly", *weekly, ".")
    add("trend", f"Trend: {trend_text(s.trend)}")
    plats: list[Part] = ["Platforms used: "]
    for i, p in enumerate(s.platforms):
        plats += [("; " if i else "") + f"{p.platform} (first ", Ref(when(p.first_used), p.event_ids, p.platform),
                  f", {plural(p.contacts, 'contact')})"]
    add("platforms", *plats, ".")
    for stop in s.after_stop:
        by = ", ".join(f"{k} {v:,}" for k, v in stop.after_by_platform.items())
        on = stop_when(stop.stop_date, tz)
        add("after_stop", f"After {stop_source(stop.source, stop.stop_date, types)} on {on} ({stop_origin(stop.source)}): ",
            Ref(plural(stop.after.value, "contact"), stop.after.event_ids, f"after {on}"),
            f"{f' ({by})' if by else ''}; {stop.before:,} before it.")
    add("third_parties", f"Messages from other people that mention {s.subject}: ",
        Ref(f"{s.via_third_parties.value:,}", s.via_third_parties.event_ids, "via third parties", strong=True), ".")
    return out


def suggestion_lines(s: ConductSummary, tz: ZoneInfo) -> list[tuple[str, str, str]]:
    """The victim's messages that may be a request to stop: (event id, local time, text), capped."""
    return [(x.event_id, local_time(x.timestamp, tz), f"[{x.platform}] {x.text!r}") for x in s.stop_suggestions[:MAX_LISTED]]


def write_conduct_text(
    summaries: Sequence[ConductSummary], out: TextIO, tz: ZoneInfo | None = None,
    marker_types: Mapping[str, str] | None = None,
) -> None:
    """Write the summaries in plain words (``conduct.txt``), times in ``tz`` (UTC if none)."""
    zone = tz or ZoneInfo("UTC")

    def write(text: str) -> None:
        out.write(visible(text, multiline=True))

    if not summaries:
        write("No subject in the people file. Load one with 'cyberevidence people CASE FILE.toml' (role = \"subject\").\n")
        return
    for s in summaries:
        write(f"Course of conduct: {s.subject}\n{'=' * (19 + len(visible(s.subject)))}\n")
        for sentence in conduct_sentences(s, zone, marker_types):
            write(sentence.text + "\n")
        if s.stop_suggestions:
            write("Messages from the victim that may be a request to stop (please check; not applied):\n")
            for event_id, stamp, text in suggestion_lines(s, zone):
                write(f"  {stamp} {text}  (event {event_id})\n")
            if len(s.stop_suggestions) > MAX_LISTED:
                write(f"  …and {len(s.stop_suggestions) - MAX_LISTED:,} more messages (all in conduct.json)\n")
        write("\n")


def marker_types(markers: Sequence[Marker]) -> dict[str, str]:
    """Stop instant (UTC ISO) -> marker type, from ``case.markers()`` (for :func:`conduct_sentences`)."""
    out: dict[str, str] = {}
    for m in markers:
        if m.at_utc and m.marker_type:
            out.setdefault(m.at_utc, m.marker_type)
    return out


__all__ = [
    "MARKER_WORDS", "Ref", "Sentence", "conduct_sentences", "marker_types", "stop_origin", "stop_source", "stop_when",
    "write_conduct_text",
]
