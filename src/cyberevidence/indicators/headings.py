"""The headings candidates are laid out under: FOUR, SLII and the S-DASH stalking questions.

The structure (ids, order, which framework) is fixed here; the wording of each heading comes from
the language file (``data/<lang>.toml``), so a translation changes words, never structure.

* **FOUR** – Fixated, Obsessive, Unwanted, Repeated: the prompt used in the UK (Suzy Lamplugh
  Trust / National Stalking Helpline, Veritas Justice) to recognise stalking.
* **SLII** – Surveillance, Life invasion, Intimidation, Interference: T. K. Logan & R. Walker,
  "Stalking: a multidimensional framework for assessment and safety planning", *Trauma, Violence
  & Abuse* 18(2), 2017.
* **S-DASH** – the 11 questions of the stalking screening (S-DASH 2009, ACPO; research questions by
  L. Sheridan & K. Roberts, "Key questions to consider in stalking cases", *Behavioral Sciences
  and the Law* 29, 2011), paraphrased.

Course-of-conduct figures (``Case.conduct()``) are shown under the headings they inform. Nothing
is added up across headings and nothing is rated: the layout is for a professional to weigh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cyberevidence.analysis.conduct import ConductSummary


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    source: str
    heading_ids: tuple[str, ...]


FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        "four",
        "FOUR (Fixated, Obsessive, Unwanted, Repeated)",
        "Suzy Lamplugh Trust / National Stalking Helpline; Veritas Justice",
        ("four.fixated", "four.obsessive", "four.unwanted", "four.repeated"),
    ),
    Framework(
        "slii",
        "SLII (Surveillance, Life invasion, Intimidation, Interference)",
        "T. K. Logan & R. Walker, Trauma, Violence & Abuse 18(2), 2017",
        ("slii.surveillance", "slii.life_invasion", "slii.intimidation", "slii.interference"),
    ),
    Framework(
        "sdash",
        "S-DASH stalking screening questions",
        "S-DASH (2009, ACPO); L. Sheridan & K. Roberts, Behavioral Sciences and the Law 29, 2011 (paraphrased)",
        tuple(f"sdash.q{n}" for n in range(1, 12)),
    ),
)

HEADING_IDS: tuple[str, ...] = tuple(h for f in FRAMEWORKS for h in f.heading_ids)

#: Notice printed with every layout (text and JSON).
NOTICE = (
    "These are candidates found by word patterns, each waiting for a person to confirm or dismiss it, and "
    "figures from the course of conduct. The tool does not rate, rank or add them up: the evidence is for a "
    "trained professional to weigh, with the victim's own account."
)


@dataclass(frozen=True, slots=True)
class HeadingFigure:
    """A course-of-conduct figure shown under a heading, with the events behind it."""

    subject: str
    label: str
    value: str
    event_ids: Sequence[str] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "label": self.label, "value": self.value, "event_ids": list(self.event_ids)}


@dataclass(frozen=True, slots=True)
class HeadingLayout:
    id: str
    label: str
    text: str
    figures: tuple[HeadingFigure, ...] = ()
    candidate_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "text": self.text,
            "figures": [f.to_dict() for f in self.figures],
            "candidate_ids": list(self.candidate_ids),
        }


@dataclass(frozen=True, slots=True)
class FrameworkLayout:
    id: str
    name: str
    source: str
    headings: tuple[HeadingLayout, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "source": self.source, "headings": [h.to_dict() for h in self.headings]}


def conduct_figures(summaries: Iterable[ConductSummary]) -> dict[str, list[HeadingFigure]]:
    """Course-of-conduct figures keyed by the heading they inform."""
    out: dict[str, list[HeadingFigure]] = {h: [] for h in HEADING_IDS}
    for s in summaries:
        who = s.subject

        def fig(label: str, value: object, ids: Sequence[str], who: str = who) -> HeadingFigure:
            return HeadingFigure(who, label, str(value), ids)

        if s.longest_run is not None:
            run = s.longest_run
            out["four.fixated"].append(
                HeadingFigure(who, "longest run of consecutive days with contact", f"{run.days} ({run.start} to {run.end})",
                              run.event_ids)
            )
        out["four.fixated"].append(fig("days with contact", s.distinct_days.value, s.distinct_days.event_ids))
        if s.busiest_day is not None:
            busiest = s.busiest_day
            out["four.obsessive"].append(fig("busiest day", f"{busiest.value} contact(s) on {busiest.when}", busiest.event_ids))
        out["four.obsessive"].append(fig("contacts at night", s.night_contacts.value, s.night_contacts.event_ids))
        for stop in s.after_stop:
            out["four.unwanted"].append(
                HeadingFigure(who, f"contacts after the stop date {stop.stop_date} ({stop.source})", str(stop.after.value),
                              stop.after.event_ids)
            )
        out["four.unwanted"].append(
            HeadingFigure(who, "contacts left without a reply", str(s.unanswered.value), s.unanswered.event_ids)
        )
        if s.stop_suggestions:
            out["four.unwanted"].append(
                HeadingFigure(who, "victim's messages that read like a request to stop (suggested, not confirmed)",
                              str(len(s.stop_suggestions)), tuple(x.event_id for x in s.stop_suggestions))
            )
        out["four.repeated"].append(
            HeadingFigure(who, "contacts from the subject", str(s.total_contacts.value), s.total_contacts.event_ids)
        )
        out["four.repeated"].append(fig("days with contact", s.distinct_days.value, s.distinct_days.event_ids))
        if s.platforms:
            out["four.repeated"].append(
                HeadingFigure(who, "platforms used", ", ".join(p.platform for p in s.platforms),
                              tuple(p.event_ids[0] for p in s.platforms if p.event_ids))
            )
        if s.via_third_parties.value:
            via = fig("messages from others that mention the subject", s.via_third_parties.value, s.via_third_parties.event_ids)
            out["slii.life_invasion"].append(via)
            out["sdash.q9"].append(via)
    return out


def build_layout(
    labels: dict[str, tuple[str, str]],
    category_headings: dict[str, tuple[str, ...]],
    candidates: Sequence[tuple[str, str]],
    summaries: Iterable[ConductSummary] = (),
) -> tuple[FrameworkLayout, ...]:
    """Frameworks with their headings, the figures and the candidate ids under each.

    ``labels`` maps heading id to (label, text); ``candidates`` is (candidate id, category) in
    timeline order; a candidate appears under every heading its category is evidence for.
    """
    figures = conduct_figures(summaries)
    under: dict[str, list[str]] = {h: [] for h in HEADING_IDS}
    for cid, category in candidates:
        for h in category_headings.get(category, ()):
            under[h].append(cid)
    return tuple(
        FrameworkLayout(
            f.id,
            f.name,
            f.source,
            tuple(
                HeadingLayout(h, labels[h][0], labels[h][1], tuple(figures[h]), tuple(under[h])) for h in f.heading_ids
            ),
        )
        for f in FRAMEWORKS
    )
