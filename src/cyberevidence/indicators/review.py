"""Candidates, and the human review that confirms or dismisses each one (logged in custody).

A **candidate** is one event and one category: the first pattern of that category (in file order)
that matches the event is its pattern, other patterns of the same category that also match are
listed with it. Its id is ``sha256(event_id + "\\x1f" + pattern_id)[:16]``: stable across re-runs,
re-parses and rebuilds, as long as the pattern id stays.

A **review** is a custody entry (action ``indicator_review``) naming the candidate, the decision
(``confirmed`` or ``dismissed``), the reviewer and an optional note. A later review of the same
candidate supersedes an earlier one; all of them stay in the log. A candidate with no review is
``pending``. Status is always read back from the custody log, never stored elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from cyberevidence.analysis.conduct import ConductSummary
from cyberevidence.display import visible
from cyberevidence.errors import CyberEvidenceError
from cyberevidence.events import Event
from cyberevidence.indicators.headings import NOTICE, FrameworkLayout, build_layout
from cyberevidence.indicators.patterns import Matcher, PatternSet, load_patterns
from cyberevidence.people import People

#: The event kind of a victim's diary entry (:mod:`cyberevidence.parsers.case_record`).
DIARY_KIND = "diary"

if TYPE_CHECKING:
    from cyberevidence.case import Case

Decision = Literal["confirmed", "dismissed"]
Status = Literal["pending", "confirmed", "dismissed"]
DECISIONS: tuple[str, ...] = ("confirmed", "dismissed")
REVIEW_ACTION = "indicator_review"
EXCERPT_CHARS = 100


def candidate_id(event_id: str, pattern_id: str) -> str:
    return hashlib.sha256(f"{event_id}\x1f{pattern_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Review:
    """One decision as the custody log records it."""

    candidate_id: str
    decision: str
    actor: str
    time: str
    note: str
    custody_seq: int

    def to_dict(self) -> dict[str, Any]:
        return {"candidate_id": self.candidate_id, "decision": self.decision, "actor": self.actor, "time": self.time,
                "note": self.note, "custody_seq": self.custody_seq}


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    event_id: str
    timestamp: str
    platform: str
    kind: str
    person: str
    direction: str
    sender: str
    category: str
    pattern_id: str
    pattern_description: str
    pattern_source: str
    field: str
    span: tuple[int, int]
    matched: str
    excerpt: str
    source_sha256: str
    source_locator: str
    also_matched: tuple[str, ...] = ()
    status: Status = "pending"
    #: The event is the victim's own account (a diary entry), not a message someone sent: what she
    #: says happened, to be weighed as her account, never as the subject's words.
    victims_own_account: bool = False
    #: The review in force (the latest), if any; earlier ones are in ``reviews``.
    reviews: tuple[Review, ...] = ()

    @property
    def review(self) -> Review | None:
        return self.reviews[-1] if self.reviews else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "event_id": self.event_id,
            "timestamp": self.timestamp,
            "platform": self.platform,
            "kind": self.kind,
            "person": self.person,
            "direction": self.direction,
            "sender": self.sender,
            "category": self.category,
            "pattern_id": self.pattern_id,
            "pattern_description": self.pattern_description,
            "pattern_source": self.pattern_source,
            "field": self.field,
            "span": list(self.span),
            "matched": self.matched,
            "excerpt": self.excerpt,
            "source": {"sha256": self.source_sha256, "locator": self.source_locator},
            "also_matched": list(self.also_matched),
            "victims_own_account": self.victims_own_account,
            "reviews": [r.to_dict() for r in self.reviews],
        }


def _excerpt(value: str, start: int, end: int) -> str:
    lo, hi = max(0, start - EXCERPT_CHARS), min(len(value), end + EXCERPT_CHARS)
    text = " ".join(value[lo:hi].split())
    return ("…" if lo else "") + text + ("…" if hi < len(value) else "")


def find_candidates(events: Iterable[Event], patterns: PatternSet, people: People) -> Iterator[Candidate]:
    """Candidates in timeline order, streaming over ``events`` (resolved events, e.g. ``case.timeline()``)."""
    matcher = Matcher(patterns, people)
    for ev in events:
        by_category: dict[str, list[Any]] = {}
        for m in matcher.match(ev):
            by_category.setdefault(m.pattern.category, []).append(m)
        for category, found in by_category.items():
            m = found[0]
            yield Candidate(
                id=candidate_id(ev.event_id, m.pattern.id),
                event_id=ev.event_id,
                timestamp=ev.timestamp_utc,
                platform=ev.platform,
                kind=ev.kind,
                person=ev.person,
                direction=ev.direction,
                sender=ev.sender,
                category=category,
                pattern_id=m.pattern.id,
                pattern_description=m.pattern.description,
                pattern_source=m.pattern.source,
                field=m.field,
                span=(m.start, m.end),
                matched=m.matched,
                excerpt=_excerpt(m.value, m.start, m.end),
                source_sha256=ev.source.sha256,
                source_locator=ev.source.locator,
                also_matched=tuple(x.pattern.id for x in found[1:]),
                victims_own_account=ev.kind == DIARY_KIND,
            )


def reviews(case: Case) -> dict[str, list[Review]]:
    """Every review in the custody log, per candidate id, oldest first."""
    out: dict[str, list[Review]] = {}
    for e in case.custody.entries():
        if e.action != REVIEW_ACTION:
            continue
        d = e.details
        cid = str(d.get("candidate_id", ""))
        if cid and d.get("decision") in DECISIONS:
            out.setdefault(cid, []).append(Review(cid, str(d["decision"]), e.actor, e.time, str(d.get("note", "")), e.seq))
    return out


def _with_status(cands: Iterable[Candidate], done: dict[str, list[Review]]) -> list[Candidate]:
    out = []
    for c in cands:
        history = tuple(done.get(c.id, ()))
        status: Status = "pending"
        if history:
            status = "confirmed" if history[-1].decision == "confirmed" else "dismissed"
        out.append(replace(c, status=status, reviews=history))
    return out


def _pattern_set(language: str, patterns: PatternSet | Sequence[str | Path]) -> PatternSet:
    return patterns if isinstance(patterns, PatternSet) else load_patterns(language, patterns)


def candidates(case: Case, *, language: str = "en", patterns: PatternSet | Sequence[str | Path] = ()) -> list[Candidate]:
    """The case's candidates (timeline order) with their status read back from the custody log.

    ``patterns`` is either extra pattern files (added to the shipped ``language`` file) or a
    ready :class:`PatternSet`.
    """
    pset = _pattern_set(language, patterns)
    return _with_status(find_candidates(case.timeline(), pset, case.people()), reviews(case))


def review_candidate(
    case: Case,
    candidate_id: str,
    decision: str,
    actor: str | None = None,
    note: str = "",
    *,
    language: str = "en",
    patterns: PatternSet | Sequence[str | Path] = (),
) -> Candidate:
    """Confirm or dismiss a candidate: a custody entry, then a fresh manifest. Returns the candidate now.

    The candidate must be one the same patterns find now (pass the same ``language`` and extra
    files used to list it). A later decision supersedes this one; both stay in the log.
    """
    if decision not in DECISIONS:
        raise CyberEvidenceError(f"the decision must be 'confirmed' or 'dismissed', not {decision!r}")
    pset = _pattern_set(language, patterns)
    wanted = candidate_id.strip().lower()
    found = next((c for c in find_candidates(case.timeline(), pset, case.people()) if c.id == wanted), None)
    if found is None:
        raise CyberEvidenceError(
            f"no current indicator candidate has the id {candidate_id!r}",
            hint="List the current candidates (with the same language and patterns) and use one of their ids.",
        )
    who = (actor or "").strip() or str(case.info["examiner"])
    details = {
        "candidate_id": found.id,
        "decision": decision,
        "note": note,
        "event_id": found.event_id,
        "event_timestamp": found.timestamp,
        "source_locator": found.source_locator,
        "category": found.category,
        "pattern_id": found.pattern_id,
        "field": found.field,
        "matched": found.matched,
        "language": pset.language,
        "pattern_files": [dict(o) for o in pset.origins],
    }
    with case.writing(who):
        case.custody.append(who, REVIEW_ACTION, found.source_sha256, details)
    case.refresh_manifest()
    return _with_status([found], reviews(case))[0]


# ------------------------------------------------------------------------------ the layout


@dataclass(frozen=True, slots=True)
class IndicatorReport:
    """Candidates and course-of-conduct figures laid out under FOUR, SLII and the S-DASH questions."""

    language: str
    notice: str
    frameworks: tuple[FrameworkLayout, ...]
    candidates: tuple[Candidate, ...]
    categories: dict[str, str]
    pattern_files: tuple[dict[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "notice": self.notice,
            "language": self.language,
            "pattern_files": [dict(o) for o in self.pattern_files],
            "categories": dict(self.categories),
            "frameworks": [f.to_dict() for f in self.frameworks],
            "candidates": [c.to_dict() for c in self.candidates],
        }

    def write_text(self, out: TextIO, how_to_review: str = "") -> None:
        """Plain text for advocates and officers: every heading, its figures, its candidates and their status.

        ``how_to_review`` is the line that says how to confirm or dismiss (the CLI gives its command
        for the case); by default a neutral one. Names and excerpts are shown with hidden and control
        characters visible (:mod:`cyberevidence.display`).
        """

        def write(text: str) -> None:
            out.write(visible(text, multiline=True))

        by_id = {c.id: c for c in self.candidates}
        write("Indicators for review\n=====================\n")
        write(_wrap(self.notice) + "\n")
        counts = {s: sum(1 for c in self.candidates if c.status == s) for s in ("pending", "confirmed", "dismissed")}
        write(f"Candidates: {counts['pending']} pending, {counts['confirmed']} confirmed, {counts['dismissed']} dismissed.\n")
        write((how_to_review or "Confirm or dismiss each candidate by its id, with a note; the decision is kept in the "
               "case's custody log.") + "\n")
        for fw in self.frameworks:
            write(f"\n{fw.name}\n{'-' * len(fw.name)}\n(source: {fw.source})\n")
            for h in fw.headings:
                write(f"\n{h.label}: {h.text}\n")
                for f in h.figures:
                    write(f"  - {f.subject}: {f.label}: {f.value}\n")
                for cid in h.candidate_ids:
                    c = by_id[cid]
                    who = "the victim's own account (diary)" if c.victims_own_account else c.direction
                    write(
                        f"  [{c.status}] {c.id}  {c.timestamp}  {c.platform}  {c.person or c.sender or '?'} ({who})  "
                        f"{self.categories.get(c.category, c.category)}  pattern {c.pattern_id}\n"
                        f"      {c.field}: {visible(c.excerpt)}\n"
                    )
                    if c.review is not None:
                        r = c.review
                        note = f": {r.note}" if r.note else ""
                        write(f"      {r.decision} by {r.actor} at {r.time}{note}\n")
                if not h.figures and not h.candidate_ids:
                    write("  (nothing found by the tool; that does not mean it did not happen)\n")


def _wrap(text: str, width: int = 100) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def indicator_report(
    case: Case,
    *,
    language: str = "en",
    patterns: PatternSet | Sequence[str | Path] = (),
    conduct: Sequence[ConductSummary] | None = None,
) -> IndicatorReport:
    """Candidates (with status) and conduct figures under the FOUR, SLII and S-DASH headings."""
    pset = _pattern_set(language, patterns)
    cands = candidates(case, patterns=pset)
    summaries = case.conduct() if conduct is None else conduct
    layout = build_layout(pset.headings, {k: v.headings for k, v in pset.categories.items()},
                          [(c.id, c.category) for c in cands], summaries)
    return IndicatorReport(pset.language, NOTICE, layout, tuple(cands), {k: v.label for k, v in pset.categories.items()},
                           pset.origins)
