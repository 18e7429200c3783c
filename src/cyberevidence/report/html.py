"""The HTML evidence report: one self-contained file, streamed in pieces.

Safety rules (the messages were written by the stalker and may contain HTML or script):

* every string from the case goes through :func:`e` (``html.escape`` with quotes), which first
  shows every invisible or control character as ``⟨U+202E⟩`` (:mod:`cyberevidence.display`): a
  right-to-left override cannot make ``Mark⟨U+202E⟩exe.gnp`` read "Markpng.exe"; message texts
  keep their line breaks;
* a name or file name holding a direction override is listed for the reader to confirm
  (:func:`cyberevidence.limitations.name_findings`);
* the only ``<style>`` and ``<script>`` blocks are the bundled assets, and the page's
  Content-Security-Policy allows exactly those (by SHA-256) and nothing else: no external
  fetch of any kind (``default-src 'none'``), no other inline script, no inline ``style``
  attributes (the report has none);
* the filter data is a ``<script type="application/json">`` block (never executed) with
  ``<``, ``>`` and ``&`` written as ``\\u003c`` …, so a message cannot close it;
* links found in messages are shown as text, never as clickable links, and nothing in the
  report refers to anything outside the file: the only ``href`` values are ``#anchors``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cyberevidence._version import __version__
from cyberevidence.analysis.conduct import ConductSummary
from cyberevidence.analysis.conduct_words import MAX_LISTED
from cyberevidence.analysis.contacts import CONTACT_KINDS, ContactRow
from cyberevidence.analysis.links import LinkSeen
from cyberevidence.analysis.places import Place
from cyberevidence.analysis.undated import UndatedTally, excluded_note
from cyberevidence.case_warnings import CaseWarning
from cyberevidence.display import html_text
from cyberevidence.events import Event
from cyberevidence.exhibits import MEMBER_SEPARATOR, ExhibitRefs, exhibit_refs, sha256_groups
from cyberevidence.limitations import NameFinding, name_findings
from cyberevidence.report import charts
from cyberevidence.report.conduct_text import Sentence, conduct_sentences, marker_types, suggestion_lines
from cyberevidence.report.directions import NO_RULE, DirectionRule, direction_rule, rule_html
from cyberevidence.report.layout import OTHER, SUBJECT, UNDATED_KEY, Month, allocate, month_label
from cyberevidence.report.pictures import Picture, exif_time, pictures, stored_pictures
from cyberevidence.report.record import MAX_BREACHES, diary_html, markers_html, record_versions, reviews_html
from cyberevidence.report.undated import undated_html
from cyberevidence.store.custody import CustodyEntry
from cyberevidence.store.verify import VerifyReport

if TYPE_CHECKING:
    from cyberevidence.case import Case

#: Rows rendered in the timeline table; the rest are in the JSONL export (stated in the report).
DEFAULT_MAX_ROWS = 5_000
#: The subjects' events in the print view (the latest, of the chosen period when one is given).
DEFAULT_PRINT_ROWS = 2_000
#: Up to this many rows, every month of the timeline is open when the page opens; above it only the latest.
OPEN_ALL_ROWS = 3_000
#: Warnings listed one by one; above it they are also counted by file and code.
MAX_WARNINGS = 1_000
#: Flagged links listed (the latest); the rest are counted.
MAX_FLAGGED_LINKS = 500
#: Events listed under one picture (the first that carry it).
MAX_PICTURE_EVENTS = 5
#: Event links listed under one conduct figure (the figure itself always links to its first event).
MAX_FIGURE_LINKS = 300


def e(value: object, *, multiline: bool = False) -> str:
    """Escape any value for HTML text or a quoted attribute, hidden characters shown as ``⟨U+XXXX⟩``.

    ``multiline=True`` keeps LF and TAB (message texts, shown with their line breaks).
    """
    return html_text(value, multiline=multiline)


def json_for_html(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` can end it."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))  # no raw control or bidi character either
    return (
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline block whose exact text is ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def css_string(value: str) -> str:
    """A CSS string literal: anything but letters, digits and a few safe marks is a hex escape."""
    # The space after each escape ends it (and is consumed by CSS): without it "," + " " became ",".
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in " -_.:/()" else f"\\{ord(ch):06x} " for ch in value)
    return f'"{safe}"'


def asset(name: str) -> str:
    return resources.files("cyberevidence.report").joinpath("assets", name).read_text(encoding="utf-8")


def page_css(case_ref: str) -> str:
    """The stylesheet, with the print margin boxes carrying the case reference and page numbers.

    Chromium (and so Chrome and Edge) draws CSS page-margin boxes since version 131, with
    ``counter(page)`` and ``counter(pages)``: printing from the browser's own dialog numbers every
    page. No paper size is forced: A4 (or Letter) and portrait or landscape are chosen when printing;
    the layout fits both A4 orientations (tests/report/test_report_print.py). See docs/report.md.
    """
    margin = (
        "\n@page { margin: 14mm 12mm 16mm;"
        f" @bottom-left {{ content: {css_string('cyberevidence report, case ' + case_ref)}; font-size: 8pt; }}"
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }\n'
    )
    return asset("report.css") + margin


def print_footer_template(case_ref: str) -> str:
    """The footer for a headless print (Playwright ``page.pdf(display_header_footer=True, footer_template=...)``).

    Chromium fills ``pageNumber`` and ``totalPages``; the case reference is escaped like every text.
    """
    return ('<div style="font-size:8pt;width:100%;margin:0 12mm;display:flex;justify-content:space-between">'
            f'<span>cyberevidence report, case {e(case_ref)}</span>'
            '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


# ---------------------------------------------------------------------------------------------
# gathering


class _Digest:
    """A text sink that only hashes what is written (UTF-8), as a file written with ``newline=""`` would hold it."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.h.update(data)
        self.size += len(data)
        return len(text)


@dataclass(frozen=True, slots=True)
class Period:
    """The print view's period, local dates (``None``: open-ended)."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def text(self) -> str:
        if self.start is None and self.end is None:
            return ""
        first = self.start.isoformat() if self.start else "the start"
        return f"from {first} to {self.end.isoformat() if self.end else 'the end'}"


@dataclass
class Scan:
    """What the first pass over the timeline gives the report (the table itself is the second pass)."""

    max_rows: int
    total: int = 0
    rendered: dict[str, str] = field(default_factory=dict)  # wanted event_id -> local time label, when it is a row
    lines: dict[str, tuple[int, str]] = field(default_factory=dict)  # wanted event_id -> (JSONL line, label)
    persons: set[str] = field(default_factory=set)
    platforms: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    heat: dict[str, list[list[int]]] = field(default_factory=dict)
    channel: dict[str, Counter[date]] = field(default_factory=lambda: defaultdict(Counter))
    channel_first: dict[str, str] = field(default_factory=dict)
    undated: UndatedTally = field(default_factory=UndatedTally)
    months: dict[str, Month] = field(default_factory=dict)
    subjects: frozenset[str] = frozenset()
    jsonl_sha256: str = ""
    jsonl_size: int = 0
    print_rows: int = DEFAULT_PRINT_ROWS
    print_period: Period = Period()
    print_count: int = 0  # the subjects' dated events in the print period
    print_last: str = ""  # event id of the latest of them
    #: picture SHA-256 -> the first events that carry it (event id, direction, person)
    attached: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    directions: DirectionRule = NO_RULE
    assumed: int = 0  # events whose direction is an assumption (directions.py)
    assumed_platforms: set[str] = field(default_factory=set)

    @property
    def shown(self) -> int:
        return sum(m.shown for m in self.months.values()) if self.months else min(self.total, self.max_rows)

    @property
    def print_view(self) -> bool:
        """A separate print view: the whole timeline is too long to print, or a period to print was chosen."""
        chosen = self.print_period.start is not None or self.print_period.end is not None
        return chosen or self.total > self.print_rows or self.shown < self.total

    def group(self, ev: Event) -> int:
        return SUBJECT if not self.subjects or ev.person in self.subjects else OTHER


def local_label(ev: Event, tz: ZoneInfo) -> str:
    if ev.timestamp is None:
        return "undated"
    return ev.timestamp.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def month_key(ev: Event, tz: ZoneInfo) -> str:
    return UNDATED_KEY if ev.timestamp is None else ev.timestamp.astimezone(tz).strftime("%Y-%m")


def scan_timeline(
    events: Iterable[Event], tz: ZoneInfo, subjects: Sequence[str], max_rows: int, *,
    wanted: Iterable[str] = (), print_rows: int = DEFAULT_PRINT_ROWS, print_period: Period = Period(),
    pictures: Iterable[str] = (), directions: DirectionRule | None = None,
) -> Scan:
    """Count what the charts and the row rule need, and hash the timeline as ``timeline.jsonl`` holds it (streams).

    ``wanted``: the event ids the figures link to; each gets its JSONL line and whether it is a row.
    """
    from cyberevidence.exporters.timeline import write_timeline_jsonl

    s = Scan(max_rows, undated=UndatedTally(keep=max_rows), subjects=frozenset(subjects), print_rows=print_rows,
             print_period=print_period)
    if directions is not None:
        s.directions = directions
    wanted_ids = set(wanted)
    placed: dict[str, tuple[str, int, int]] = {}  # wanted id -> (month, group, index in its month and group)
    wanted_people = set(subjects)
    picture_shas = set(pictures)

    def counted() -> Iterator[Event]:
        for ev in events:
            s.total += 1
            line = s.total
            key = month_key(ev, tz)
            month = s.months.get(key)
            if month is None:
                month = s.months[key] = Month(key, line)
            month.last_line = line
            group = s.group(ev)
            carried = [a.sha256 for a in ev.attachments if a.sha256 in picture_shas] if picture_shas else []
            for sha in carried:
                seen = s.attached.setdefault(sha, [])
                if len(seen) < MAX_PICTURE_EVENTS:
                    seen.append((ev.event_id, ev.direction, ev.person))
            undated_listed = ev.timestamp is None and s.undated.total < max_rows  # listed in #undated
            if ev.event_id in wanted_ids or carried or undated_listed:
                label = local_label(ev, tz)
                s.lines[ev.event_id] = (line, label)
                placed[ev.event_id] = (key, group, month.counts[group])
            month.counts[group] += 1
            if s.directions.assumed(ev):
                s.assumed += 1
                s.assumed_platforms.add(ev.platform)
            month.platforms[ev.platform] += 1
            s.persons.add(ev.person)
            s.platforms.add(ev.platform)
            s.kinds.add(ev.kind)
            yield ev
            if s.undated.add(ev) or ev.timestamp is None:
                continue
            local = ev.timestamp.astimezone(tz)
            if group == SUBJECT and print_period.holds(local.date()):
                s.print_count += 1
                s.print_last = ev.event_id
            if ev.kind not in CONTACT_KINDS or ev.direction != "incoming":
                continue
            if wanted_people and ev.person not in wanted_people:
                continue
            grid = s.heat.setdefault(ev.person, [[0] * 24 for _ in range(7)])
            grid[local.weekday()][local.hour] += 1
            s.channel[ev.platform][local.date()] += 1
            s.channel_first.setdefault(ev.platform, ev.timestamp_utc)

    sink = _Digest()
    write_timeline_jsonl(counted(), sink)  # type: ignore[arg-type]  # the exporter itself: the same bytes
    s.jsonl_sha256, s.jsonl_size = sink.h.hexdigest(), sink.size
    allocate(list(s.months.values()), max_rows)
    for event_id, (key, group, index) in placed.items():
        if s.months[key].shows(group, index):
            s.rendered[event_id] = s.lines[event_id][1]
    return s


# ---------------------------------------------------------------------------------------------
# small renderers


def when(iso_utc: str, tz: ZoneInfo) -> str:
    """An ISO UTC instant shown in the case's zone, with the UTC instant in ``datetime``."""
    try:
        moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return e(iso_utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(tz)
    return f'<time datetime="{e(iso_utc)}">{e(local.strftime("%Y-%m-%d %H:%M"))}</time>'


def ev_link(event_id: str, text: str, scan: Scan) -> str:
    """``text`` (already escaped HTML) linked to the event's row when the table shows it."""
    if event_id in scan.rendered:
        return f'<a href="#ev-{e(event_id)}">{text}</a>'
    return text


def ev_ref(event_id: str, text: str, scan: Scan) -> str:
    """Like :func:`ev_link`; an event that is not a row gives its line in ``timeline.jsonl`` instead."""
    if event_id in scan.rendered or event_id not in scan.lines:
        return ev_link(event_id, text, scan)
    return f'{text} <span class="note">(timeline.jsonl line {scan.lines[event_id][0]:,})</span>'


class Figures:
    """Links figures to the events behind them.

    ``fig(value_html, ids, label)`` returns the figure linked to its first event's row (or naming
    its line in ``timeline.jsonl``); the list of its first :data:`MAX_FIGURE_LINKS` events (a
    ``<details>`` block) is kept and emitted by :meth:`take` after the sentence, so the sentence
    itself reads normally.
    """

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self._pending: list[str] = []

    def __call__(self, value_html: str, ids: Sequence[str], label: str, *, listed: bool = True) -> str:
        if not ids:
            return value_html
        scan = self.scan
        head = ev_ref(ids[0], value_html, scan)
        if len(ids) == 1 or not listed:
            return head
        items = []
        for i in ids[:MAX_FIGURE_LINKS]:
            if i in scan.rendered:
                items.append(f'<li><a href="#ev-{e(i)}">{e(scan.rendered[i])}</a></li>')
            elif i in scan.lines:
                line, stamp = scan.lines[i]
                items.append(f'<li>{e(stamp)} <span class="note">(line {line:,})</span></li>')
        more = ""
        if len(ids) > MAX_FIGURE_LINKS:
            more = (f"<p>The first {MAX_FIGURE_LINKS:,} are listed; all {len(ids):,} are in "
                    "<code>conduct.json</code> by event id.</p>")
        self._pending.append(
            f'<details class="screen-only"><summary>The {len(ids):,} events behind “{e(label)}”</summary>'
            f'<ol class="evlist">{"".join(items)}</ol>{more}</details>'
        )
        return head

    def take(self) -> str:
        out, self._pending = "".join(self._pending), []
        return out


def wanted_ids(summaries: Sequence[ConductSummary], places: Sequence[Place], flagged: Sequence[LinkSeen],
               names: Sequence[NameFinding]) -> set[str]:
    """The events the report's figures and lists link to (the first :data:`MAX_FIGURE_LINKS` of each figure)."""
    out: set[str] = set()

    def add(ids: Sequence[str]) -> None:
        out.update(ids[:MAX_FIGURE_LINKS])

    for s in summaries:
        for f in (s.first_contact, s.last_contact, s.total_contacts, s.replies, s.distinct_days, s.longest_run,
                  s.busiest_day, s.night_contacts, s.unanswered, s.via_third_parties, s.undated_contacts,
                  s.undated_replies, *s.missed_call_bursts, *s.platforms, *(x.after for x in s.after_stop)):
            if f is not None:
                add(f.event_ids)
        for w in s.trend.weeks:
            add(w.event_ids[:1])
        out.update(x.event_id for x in s.stop_suggestions)
    for p in places:
        out.update(i for i, _, _ in p.events)
    out.update(x.event_id for x in flagged)
    out.update(f.event_id for f in names if f.event_id)
    return out


def n(value: int, singular: str, plural: str | None = None) -> str:
    return f"{value:,} {singular if value == 1 else (plural or singular + 's')}"


# ---------------------------------------------------------------------------------------------
# sections


def head_html(title: str, css: str, js: str) -> str:
    policy = (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src data:; "
        "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{e(policy)}">\n'
        '<meta name="referrer" content="no-referrer">\n<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="cyberevidence {e(__version__)}">\n'
        f"<title>{e(title)}</title>\n<style>{css}</style>\n</head>\n"
    )


TOC = (
    ("summary", "Case summary"),
    ("conduct", "Course of conduct"),
    ("charts", "Charts"),
    ("pictures", "Pictures"),
    ("places", "Places in photos"),
    ("links", "Links"),
    ("diary", "Diary"),
    ("markers", "Markers"),
    ("reviews", "Indicators reviewed"),
    ("timeline", "Timeline"),
    ("exhibits", "Exhibits"),
    ("warnings", "Parsing warnings"),
    ("custody", "Custody log"),
    ("verify", "How to verify"),
)


def banner_html(
    info: Mapping[str, Any], generated: str, places: Sequence[Place], names: Sequence[NameFinding] = ()
) -> str:
    title = info.get("title") or "Evidence report"
    out = [
        '<a class="skip" href="#main">Skip to the report</a>\n<header class="report-head">',
        f"<h1>{e(title)}</h1>",
        f"<p>Case <code>{e(info.get('case_id', ''))}</code> · examiner {e(info.get('examiner', ''))} · "
        f"report generated {e(generated)} by cyberevidence {e(__version__)}</p></header>\n",
        '<nav class="toc" aria-label="Contents"><ol>',
        *(f'<li><a href="#{k}">{e(v)}</a></li>' for k, v in TOC),
        "</ol></nav>\n<main id=\"main\">\n",
    ]
    if any(p.sent_by_victim for p in places):
        count = sum(1 for p in places if p.sent_by_victim)
        out.append(
            '<div class="banner" role="alert"><strong>Safety finding:</strong> '
            f"{n(count, 'photo')} sent by the victim {'carries' if count == 1 else 'carry'} a GPS position that "
            'may reveal where she lives or goes. See <a href="#places">Places in photos</a>.</div>\n'
        )
    if names:
        out.append(
            '<div class="banner" role="alert"><strong>For you to confirm:</strong> '
            f"{n(len(names), 'name or file name', 'names or file names')} in the evidence "
            f"{'contains' if len(names) == 1 else 'contain'} a direction override, a known trick to make a name look "
            'like something else. See <a href="#names">Names to confirm</a>.</div>\n'
        )
    return "".join(out)


def names_html(findings: Sequence[NameFinding], scan: Scan, numbers: Mapping[str, str]) -> str:
    """The names and file names holding a direction override (empty when there are none)."""
    if not findings:
        return ""
    items = []
    for f in findings:
        where = (ev_link(f.event_id, "first event", scan) if f.event_id
                 else f'<a href="#ex-{e(f.sha256)}">{e(numbers.get(f.sha256, "stored file"))}</a>'
                 if f.sha256 in numbers else f"<code>{e(f.sha256[:12])}</code>")
        items.append(f'<li data-finding="{e(f.code)}">{e(f.text)} <span class="note">({where}; finding '
                     f"<code>{e(f.code)}</code>)</span></li>")
    return (
        '<section id="names" aria-labelledby="names-h"><h2 id="names-h">Names to confirm</h2>'
        '<div class="confirm"><p><strong>For you to confirm:</strong> these names and file names contain a direction '
        "override (U+202E right-to-left, U+202D left-to-right). Everywhere in this report, invisible and control "
        "characters are shown as <code>⟨U+XXXX⟩</code> instead of being applied; the evidence keeps them as they "
        f'were.</p><ul>{"".join(items)}</ul></div></section>\n'
    )


def summary_html(info: Mapping[str, Any], manifest: Mapping[str, Any], report: VerifyReport, scan: Scan) -> str:
    head = manifest.get("custody_head", {})
    totals = manifest.get("totals", {})
    if report.ok:
        verdict = (f'<span class="ok">Intact</span>: {n(report.objects_checked, "stored file")} re-hashed, '
                   f'{n(report.custody_entries, "custody entry", "custody entries")} checked, seal {e(report.signature)}.')
    else:
        verdict = f'<span class="bad">Problems found ({len(report.problems)})</span> – each is listed below.'
    findings = ""
    if report.findings:
        items = "".join(f"<li><strong>{e(f.severity)}</strong> – {e(f.where)}: {e(f.message)}</li>" for f in report.findings)
        findings = f"<ul>{items}</ul>"
    rows = [
        ("Case id", f"<code>{e(info.get('case_id', ''))}</code>"),
        ("Title", e(info.get("title", "")) or '<span class="note">(none)</span>'),
        ("Examiner", e(info.get("examiner", ""))),
        ("Created (UTC)", e(info.get("created", ""))),
        ("Timezone", f"{e(info.get('timezone', ''))} – every local time in this report is in this zone"),
        ("Tool version", f"cyberevidence {e(info.get('tool_version', ''))} (case created); {e(__version__)} (this report)"),
        ("Custody head", f"seq {e(head.get('seq', ''))}, hash <code>{e(head.get('hash', ''))}</code>"),
        ("Contents", f"{n(int(totals.get('artefacts', 0)), 'stored file')}, {n(scan.total, 'event')}, "
                     f"{n(int(totals.get('warnings', 0)), 'parsing warning')}"),
        ("Verification", verdict + findings),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        '<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Case summary</h2>'
        f'<dl class="facts">{body}</dl><p class="note">Verification was run when this report was made '
        "(<code>case.verify()</code>: every stored file re-hashed, the custody chain and the manifest re-checked). "
        "Writing this report adds an <code>export</code> entry to the custody log after the head shown here.</p></section>\n"
    )


def _strong(value: int) -> str:
    return f"<strong>{value:,}</strong>"


def sentence_html(sentence: Sentence, fig: Figures, scan: Scan) -> str:
    """One sentence of the conduct text, each figure linked to the events behind it."""
    out = []
    for part in sentence.parts:
        if isinstance(part, str):
            out.append(e(part))
            continue
        value = _strong_text(part.text) if part.strong else e(part.text)
        if not part.listed:
            out.append(ev_link(part.event_ids[0], value, scan) if part.event_ids else value)
        else:
            out.append(fig(value, part.event_ids, part.label))
    return "".join(out)


def _strong_text(text: str) -> str:
    return f"<strong>{e(text)}</strong>"


def conduct_html(summaries: Sequence[ConductSummary], tz: ZoneInfo, scan: Scan,
                 markers: Mapping[str, str] | None = None) -> str:
    """The course of conduct: the sentences of ``conduct.txt`` (:mod:`cyberevidence.report.conduct_text`), linked."""
    out = ['<section id="conduct" class="major" aria-labelledby="conduct-h"><h2 id="conduct-h">Course of conduct</h2>',
           '<p class="note">Counted from the merged timeline: a <em>contact</em> is a message, call, e-mail, post, '
           "comment, reaction or friend request from the subject to the victim. Days and hours are the victim's local "
           f"ones ({e(tz.key)}). The words are those of <code>conduct.txt</code>. Each figure links to the first event "
           "behind it in the timeline table (or names its line in timeline.jsonl); “events behind” lists them.</p>"]
    if not summaries:
        out.append("<p>No subject is named in the people file, so there is no course-of-conduct summary. "
                   "Load one with <code>cyberevidence people CASE FILE.toml</code> (role = \"subject\").</p></section>\n")
        return "".join(out)
    if scan.assumed:
        out.append(f'<p class="note">{n(scan.assumed, "event")} in the case {"has" if scan.assumed == 1 else "have"} a '
                   "direction the evidence does not give; the figures below use the people file's assumption for them "
                   '(any sender not listed as the victim is incoming), shown as such in the <a href="#timeline">timeline</a>.'
                   "</p>")
    fig = Figures(scan)
    for i, s in enumerate(summaries):
        hid = f"conduct-{i}"
        out.append(f'<section aria-labelledby="{hid}"><h3 id="{hid}">{e(s.subject)}</h3><ul class="figures">')
        for sentence in conduct_sentences(s, tz, markers):
            out.append(f'<li data-topic="{e(sentence.topic)}">{sentence_html(sentence, fig, scan)}{fig.take()}</li>')
        out.append("</ul>")
        if s.stop_suggestions:
            sugg = "".join(f"<li>{ev_ref(event_id, e(stamp), scan)} {e(text, multiline=True)}</li>"
                           for event_id, stamp, text in suggestion_lines(s, tz))
            more = (f"<li>…and {len(s.stop_suggestions) - MAX_LISTED:,} more (all in <code>conduct.json</code>)</li>"
                    if len(s.stop_suggestions) > MAX_LISTED else "")
            out.append(
                '<div class="confirm"><p><strong>For you to confirm:</strong> these messages from the victim read like a '
                "request to stop. They are suggestions only and are <em>not</em> used as stop dates unless you give them "
                f"(<code>--stop-date</code> or <code>stop_dates</code> in the people file).</p><ul>{sugg}{more}</ul></div>"
            )
        out.append("</section>")
    out.append("</section>\n")
    return "".join(out)


def charts_html(rows: Sequence[ContactRow], scan: Scan, subjects: Sequence[str]) -> str:
    who = set(subjects)
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.incoming and (not who or r.person in who):
            daily[date.fromisoformat(r.period)][r.platform] += r.incoming
    platforms = sorted({p for c in daily.values() for p in c} | set(scan.channel))
    scope = "the subjects" if who else "everyone"
    out = ['<section id="charts" class="major" aria-labelledby="charts-h"><h2 id="charts-h">Charts</h2>',
           charts.pattern_defs(len(platforms))]
    left_out = sum(v for p, v in scan.undated.incoming_by_person.items() if not who or p in who)
    if left_out:
        out.append(f'<p class="note">{e(excluded_note(left_out, "incoming contacts"))}</p>')
    if not daily:
        out.append(f"<p>No incoming contacts from {scope} to chart.</p></section>\n")
        return "".join(out)
    total = sum(sum(c.values()) for c in daily.values())
    peak_day = max(sorted(daily), key=lambda d: sum(daily[d].values()))
    out.append('<figure aria-labelledby="chart-daily-cap"><figcaption id="chart-daily-cap">Incoming contacts per day, '
               f"by platform ({e(scope)})</figcaption>")
    out.append(charts.legend(platforms))
    out.append(charts.daily_bars(
        "chart-daily", daily, platforms, f"Incoming contacts per day from {scope}",
        f"{total} contacts on {len(daily)} days from {min(daily)} to {max(daily)}; the busiest day was {peak_day} "
        f"with {sum(daily[peak_day].values())}. The table below lists every day.",
    ))
    trs = "".join(
        f"<tr><th scope=\"row\">{d.isoformat()}</th><td>{e(p)}</td><td class=\"num\">{c}</td></tr>"
        for d in sorted(daily) for p, c in sorted(daily[d].items())
    )
    out.append('<details class="screen-only"><summary>Data table</summary>'
               '<table><caption>Incoming contacts per day and platform</caption>'
               '<thead><tr><th scope="col">Day</th><th scope="col">Platform</th><th scope="col" class="num">Contacts</th>'
               f"</tr></thead><tbody>{trs}</tbody></table></details></figure>")
    # heat maps
    out.append(f"<h3>Hour of day × day of week (incoming contacts from {e(scope)}, local time)</h3><div class=\"heat-grid\">")
    for i, (person, grid) in enumerate(sorted(scan.heat.items())):
        total_p = sum(map(sum, grid))
        peak = max(((r, h) for r in range(7) for h in range(24)), key=lambda rh: grid[rh[0]][rh[1]])
        out.append(f'<figure aria-labelledby="heat-{i}-cap"><figcaption id="heat-{i}-cap">{e(person)}</figcaption>')
        out.append(charts.heat_map(
            f"heat-{i}", grid, f"When {person} made contact: weekday by hour",
            f"{total_p} contacts; the busiest hour was {charts.WEEKDAYS[peak[0]]} {peak[1]:02d}:00 with "
            f"{grid[peak[0]][peak[1]]}. Each cell shows its count; the table below repeats them.",
        ))
        head = "".join(f'<th scope="col" class="num">{h:02d}</th>' for h in range(24))
        body = "".join(
            f'<tr><th scope="row">{charts.WEEKDAYS[r]}</th>' + "".join(f'<td class="num">{v}</td>' for v in grid[r]) + "</tr>"
            for r in range(7)
        )
        out.append(f'<details class="screen-only"><summary>Data table</summary>'
                   f'<table><caption>Contacts from {e(person)} by weekday and hour'
                   f'</caption><thead><tr><th scope="col">Day</th>{head}</tr></thead><tbody>{body}</tbody></table>'
                   "</details></figure>")
    out.append("</div>")
    # channel timeline
    chan_platforms = [p for p in platforms if p in scan.channel]
    if chan_platforms:
        out.append('<figure aria-labelledby="chart-channel-cap"><figcaption id="chart-channel-cap">Channels over time: '
                   f"each platform {e(scope)} used, day by day</figcaption>")
        out.append(charts.legend(platforms))
        out.append(charts.channel_timeline(
            "chart-channel", scan.channel, platforms,
            "Platforms used over time",
            "; ".join(f"{p}: {sum(scan.channel[p].values())} contacts on {len(scan.channel[p])} days, first "
                      f"{min(scan.channel[p])}, last {max(scan.channel[p])}" for p in chan_platforms),
        ))
        trs = "".join(
            f'<tr><th scope="row">{e(p)}</th><td>{min(scan.channel[p])}</td><td>{max(scan.channel[p])}</td>'
            f'<td class="num">{len(scan.channel[p])}</td><td class="num">{sum(scan.channel[p].values())}</td></tr>'
            for p in chan_platforms
        )
        out.append('<details class="screen-only"><summary>Data table</summary><table><caption>Platforms used</caption><thead><tr>'
                   '<th scope="col">Platform</th><th scope="col">First day</th><th scope="col">Last day</th>'
                   '<th scope="col" class="num">Days</th><th scope="col" class="num">Contacts</th></tr></thead>'
                   f"<tbody>{trs}</tbody></table></details></figure>")
    out.append("</section>\n")
    return "".join(out)


def pictures_html(pics: Sequence[Picture], left: int, numbers: Mapping[str, str], tz: ZoneInfo, scan: Scan) -> str:
    """Photos and screenshots as embedded thumbnails, each with its exhibit, EXIF time, camera, position and events."""
    from cyberevidence.report import pictures as limits

    out = ['<section id="pictures" class="major" aria-labelledby="pictures-h"><h2 id="pictures-h">Pictures</h2>']
    if not pics:
        out.append("<p>No photo or screenshot is stored in the case.</p></section>\n")
        return "".join(out)
    shown = sum(1 for x in pics if x.shown)
    out.append(
        f"<p>{n(len(pics) + left, 'picture')} stored in the case; {shown:,} shown as thumbnails made from the verified "
        f"store (each file re-hashed first). Limits: at most {limits.MAX_THUMBNAILS:,} thumbnails of "
        f"{limits.THUMBNAIL_PX} pixels, a picture of at most {limits.MAX_SOURCE_BYTES >> 20} MiB and "
        f"{limits.MAX_PIXELS:,} pixels, {limits.MAX_TOTAL_BYTES >> 20} MiB read in all; a picture beyond them, "
        "truncated or unreadable is listed with the reason. The originals are the exhibits named.</p>")
    if left:
        out.append(f'<p class="note">{n(left, "more picture")} beyond the {limits.MAX_THUMBNAILS:,} listed here: see '
                   "the Exhibits table (media type image/…).</p>")
    cards = []
    for x in pics:
        ref = numbers.get(x.sha256, "")
        head = f'<a class="ref" href="#ex-{e(x.sha256)}">{e(ref)}</a>' if ref else f"<code>{e(x.sha256[:12])}</code>"
        img = (f'<img src="{x.data_uri}" width="{x.width}" height="{x.height}" alt="Thumbnail of {e(x.name)}">'
               if x.shown else f'<p class="note">No thumbnail: {e(x.reason)}</p>')
        facts = [("Exhibit", head), ("Name", e(x.name)), ("Type, size", f"{e(x.media_type)}, {_size(x.size)}")]
        f = x.facts
        if f is not None:
            if f.taken_local or f.taken_utc:
                facts.append(("Taken", e(exif_time(f, tz))))
            camera = " ".join(v for v in (f.make, f.model) if v)
            if camera:
                facts.append(("Camera", e(camera)))
            if f.latitude is not None and f.longitude is not None:
                facts.append(("Position", f'<a href="#places">{f.latitude:.6f}, {f.longitude:.6f}</a>'))
        evs = scan.attached.get(x.sha256, [])
        if evs:
            facts.append(("In", "; ".join(ev_ref(i, f"{e(scan.lines[i][1])} ({e(d)}, {e(who)})", scan)
                                          for i, d, who in evs if i in scan.lines)))
        dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        cards.append(f'<figure class="picture" id="pic-{e(x.sha256)}">{img}<dl>{dl}</dl></figure>')
    out.append(f'<div class="pictures">{"".join(cards)}</div></section>\n')
    return "".join(out)


def places_html(places: Sequence[Place], tz: ZoneInfo, scan: Scan) -> str:
    out = ['<section id="places" aria-labelledby="places-h"><h2 id="places-h">Places in photos</h2>']
    if not places:
        out.append("<p>No photo in the case carries a GPS position.</p></section>\n")
        return "".join(out)
    victim = [p for p in places if p.sent_by_victim]
    if victim:
        out.append('<div class="banner"><strong>Safety finding:</strong> the victim sent '
                   f"{n(len(victim), 'photo')} with a GPS position (marked below). Whoever received "
                   f"{'it' if len(victim) == 1 else 'them'} may know where it was taken. Tell her advocate.</div>")
    trs = []
    for i, p in enumerate(places, start=1):
        f = p.facts
        evs = ", ".join(ev_link(i, f"{e(d)} ({e(who)})", scan) for i, d, who in p.events) or "–"
        taken = e(exif_time(f, tz)) or "–"
        flag = ' <span class="tag">safety finding: sent by the victim</span>' if p.sent_by_victim else ""
        trs.append(
            f'<tr><td>{i}. {e(", ".join(p.names))}{flag}<br><code>{e(p.sha256)}</code></td>'
            f'<td class="num">{f.latitude:.6f}, {f.longitude:.6f}</td><td>{taken}</td>'
            f"<td>{e(' '.join(x for x in (f.make, f.model) if x))}</td><td>{evs}</td></tr>"
        )
    out.append('<table><caption>Photos with a GPS position</caption><thead><tr><th scope="col">Photo</th>'
               '<th scope="col">Latitude, longitude</th><th scope="col">Taken</th><th scope="col">Camera</th>'
               f'<th scope="col">Events (direction)</th></tr></thead><tbody>{"".join(trs)}</tbody></table>'
               '<p class="note">No map is loaded: the positions are numbers, drawn below on plain axes.</p>')
    points = [(f"{i}", p.facts.latitude, p.facts.longitude, p.sent_by_victim) for i, p in enumerate(places, start=1)
              if p.facts.latitude is not None and p.facts.longitude is not None]
    out.append('<figure aria-labelledby="chart-places-cap"><figcaption id="chart-places-cap">Positions of the photos '
               "(numbered as in the table; a triangle: sent by the victim)</figcaption>"
               + charts.position_plot("chart-places", points, "Positions of the photos with GPS",
                                      "; ".join(f"{lbl}: {lat:.6f}, {lon:.6f}" for lbl, lat, lon, _ in points))
               + '<p class="note">Not a map: longitude left to right, latitude bottom to top, on the same scale; '
               "no tiles, nothing loaded.</p></figure></section>\n")
    return "".join(out)


def links_html(flagged: Sequence[LinkSeen], total: int, tz: ZoneInfo, scan: Scan, flagged_total: int | None = None) -> str:
    """The number of links, and the flagged ones (the latest :data:`MAX_FLAGGED_LINKS` when there are more)."""
    count = len(flagged) if flagged_total is None else flagged_total
    out = ['<section id="links" aria-labelledby="links-h"><h2 id="links-h">Links</h2>',
           f"<p>The messages contain {n(total, 'link')}; {count:,} {'is' if count == 1 else 'are'} "
           "on a domain flagged for a "
           "second look (a flag is a prompt for a person to check, never a finding by itself). Links are shown as text "
           "only, never made clickable or loaded; open them, if at all, on an isolated machine.</p>"]
    if count > len(flagged):
        out.append(f"<p>The table lists the latest {len(flagged):,} of the {count:,} flagged links; all are in "
                   "<code>case.links()</code> (Python) and in the messages of <code>timeline.jsonl</code>.</p>")
    if flagged:
        trs = "".join(
            f"<tr><td>{ev_link(x.event_id, when(x.timestamp, tz), scan)}</td><td>{e(x.person)}</td><td>{e(x.direction)}</td>"
            f"<td>{e(x.platform)}</td><td><code>{e(x.link.url)}</code></td><td>{e(x.link.registered_domain)}</td>"
            f"<td>{e(x.link.flag.category if x.link.flag else '')}</td>"
            f"<td>{e(x.link.flag.source if x.link.flag else '')}</td></tr>"
            for x in flagged
        )
        out.append('<table><caption>Flagged links</caption><thead><tr><th scope="col">When</th><th scope="col">Person</th>'
                   '<th scope="col">Direction</th><th scope="col">Platform</th><th scope="col">Link (as written)</th>'
                   '<th scope="col">Domain</th><th scope="col">Flag</th><th scope="col">Source of the flag</th></tr></thead>'
                   f"<tbody>{trs}</tbody></table>")
    out.append("</section>\n")
    return "".join(out)


def _options(name: str, label: str, values: Sequence[str]) -> str:
    opts = "".join(f'<option value="{i}">{e(v) or "(none)"}</option>' for i, v in enumerate(values))
    return f'<label>{e(label)}<select name="{name}"><option value="">all</option>{opts}</select></label>'


def _exhibit_link(sha256: str, exhibits: Mapping[str, str]) -> str:
    """An exhibit reference linked to its row in the Exhibits table (the SHA-256's start when it has none)."""
    ref = exhibits.get(sha256, "")
    if ref:
        return f'<a class="ref" href="#ex-{e(sha256)}">{e(ref)}</a>'
    return f"<code>{e(sha256[:12])}</code>" if sha256 else ""


def timeline_row(
    count: int, ev: Event, local: datetime | None, exhibits: Mapping[str, str], *, anchor: str = "ev", assumed: bool = False
) -> str:
    """One timeline row: six columns, the attachments and the source exhibit on their own lines under the text.

    ``count`` is the event's place in the timeline (its line in ``timeline.jsonl``); ``anchor`` the
    id prefix (the print view's copies use another, so every id stays unique). ``assumed``: the
    evidence does not give the direction (:mod:`cyberevidence.report.directions`): shown as unknown.
    """
    tags = ""
    if ev.time_ambiguous:
        tags += f'<span class="tag" title="{e(ev.time_note)}">≈ time</span>'
    for flag in ("edited", "deleted", "media_omitted"):
        if getattr(ev, flag):
            tags += f'<span class="tag">{flag.replace("_", " ")}</span>'
    kind = e(ev.kind) + (f" ({e(ev.call_type)})" if ev.call_type else "")
    if ev.duration_s is not None:
        kind += f", {ev.duration_s:,} s"
    person = e(ev.person)
    if ev.sender and ev.sender != ev.person:
        person += f'<br><span class="note">sender: {e(ev.sender)}</span>'
    lines = [f'<div class="msg">{e(ev.text, multiline=True)}</div>'] if ev.text else []
    for a in ev.attachments:
        where = (_exhibit_link(a.sha256, exhibits) if a.sha256 in exhibits
                 else '<span class="note">(not in the export)</span>' if not a.sha256 else "stored")
        lines.append(f'<div class="meta">Attachment: <span class="name">{e(a.name)}</span> {where}</div>')
    lines.append(f'<div class="meta">Source: {_exhibit_link(ev.source.sha256, exhibits)} '
                 f'<span class="loc">{e(ev.source.locator)}</span></div>')
    return (
        f'<tr id="{anchor}-{e(ev.event_id)}"><td class="num">{count}</td>'
        f'<td class="time">{_time_cell(ev, local)}{tags}</td>'
        f"<td>{e(ev.platform)}<br><span class=\"note\">{kind}</span></td><td>{_direction(ev, assumed)}</td>"
        f'<td>{person}</td><td class="text">{"".join(lines)}</td></tr>\n'
    )


def _direction(ev: Event, assumed: bool) -> str:
    if not assumed:
        return e(ev.direction)
    return (f'unknown<br><a class="tag" href="#directions" title="not given by the export: an assumption">assumed '
            f"{e(ev.direction)}</a>")


def _time_cell(ev: Event, local: datetime | None) -> str:
    """The timeline table's time, local with the UTC instant; an undated event says so (no instant)."""
    if local is None:
        return '<a href="#undated" class="tag">undated</a>'
    return (f'<time datetime="{e(ev.timestamp_utc)}" title="{e(ev.timestamp_utc)}">'
            f'<span class="d">{local.strftime("%Y-%m-%d")}</span> <span class="t">{local.strftime("%H:%M:%S")}</span></time>')


TABLE_HEAD = (
    '<colgroup><col class="c-n"><col class="c-time"><col class="c-plat"><col class="c-dir"><col class="c-person">'
    '<col class="c-text"></colgroup>'
    '<thead><tr><th scope="col" class="num">#</th><th scope="col">Time (local)</th><th scope="col">Platform, kind</th>'
    '<th scope="col">Direction</th><th scope="col">Person (sender)</th>'
    '<th scope="col">Text, then attachments and source exhibit</th></tr></thead>'
)


def jsonl_note(scan: Scan) -> str:
    """Where every event is: ``timeline.jsonl``, by its SHA-256, line n being the n-th event."""
    return (f"Every event is in <code>timeline.jsonl</code> (<code>cyberevidence exports CASE</code> writes it to "
            "<code>exports/</code>; <code>cyberevidence timeline CASE --format jsonl</code> writes the same bytes): "
            f"{n(scan.total, 'line')}, {n(scan.jsonl_size, 'byte')}, SHA-256 {sha_html(scan.jsonl_sha256)}. "
            "Line <em>n</em> is the event numbered <em>n</em> here (the # column); its <code>event_id</code> finds it too.")


def _month_summary(m: Month, scan: Scan) -> str:
    plats = ", ".join(f"{e(p)} {c:,}" for p, c in m.platforms.most_common())
    subj = ""
    if scan.subjects:
        subj = f"; {m.counts[SUBJECT]:,} with {e(' or '.join(sorted(scan.subjects)))}"
    if m.shown == m.total:
        shown = "all shown"
    else:
        shown = (f"{m.shown:,} shown (the latest {m.quota[SUBJECT]:,} of the subjects' {m.counts[SUBJECT]:,}"
                 + (f" and the latest {m.quota[OTHER]:,} of the other {m.counts[OTHER]:,}" if scan.subjects else "")
                 + ")")
    return (f'<summary><strong>{e(month_label(m.key))}</strong>: {n(m.total, "event")}{subj} ({plats}); {shown}; '
            f'lines {m.first_line:,}–{m.last_line:,} of timeline.jsonl</summary>')


def timeline_html(
    events: Iterable[Event], tz: ZoneInfo, scan: Scan, exhibits: Mapping[str, str], printed: list[str] | None = None
) -> Iterator[str]:
    """The merged timeline, month by month (streamed), its filters and the filter data.

    ``printed`` (when given) receives the print view's rows: the latest :attr:`Scan.print_rows` of
    the subjects' dated events in the print period.
    """
    persons, platforms, kinds = sorted(scan.persons), sorted(scan.platforms), sorted(scan.kinds)
    shown = scan.shown
    if shown < scan.total:
        subj = sum(m.quota[SUBJECT] for m in scan.months.values())
        subj_all = sum(m.counts[SUBJECT] for m in scan.months.values())
        cap = (f"<p><strong>This table shows {shown:,} of {scan.total:,} events</strong>, chosen so that the latest are "
               f"never left out: the subjects' events first ({subj:,} of {subj_all:,} shown), then the others; every "
               "month gets the same share of the "
               f"{scan.max_rows:,} rows (<code>--max-rows</code>), a month needing fewer giving the rest to the others, "
               "and shows its <em>latest</em> events. Each month below says how many it shows and which lines of "
               "timeline.jsonl hold all of them.</p>")
    else:
        cap = (f"<p>All {scan.total:,} events are shown, month by month. (The table shows at most {scan.max_rows:,} rows; "
               "beyond that it keeps the subjects' events and the latest of each month, and says so.)</p>")
    section_class = "major screen-only" if scan.print_view else "major"
    yield (
        f'<section id="timeline" class="{section_class}" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>'
        f'{cap}<p>{jsonl_note(scan)}</p>{rule_html(scan.directions, scan.assumed, sorted(scan.assumed_platforms), e)}'
        '<p class="note">Times are local ({e(tz.key)}); hover or inspect a time for its UTC '
        "instant. <span class=\"tag\">≈ time</span> marks a time that could map to two instants or whose date order was "
        "guessed. Links inside messages are text, not clickable. Open or close a month by its heading.</p>"
        '<form id="filters" class="filters" hidden aria-label="Filter the timeline">'
        + _options("person", "Person", persons) + _options("platform", "Platform", platforms) + _options("kind", "Kind", kinds)
        + '<label>From<input type="date" name="from"></label><label>To<input type="date" name="to"></label>'
        '<label>Text<input type="search" name="q" placeholder="words in any column"></label>'
        '<button type="reset">Clear filters</button></form>'
        f'<p id="filter-status" aria-live="polite">Showing {shown:,} of {shown:,} rows.</p>'
        f'<div id="timeline-months" data-visible="{shown}">\n'
    )
    pi = {v: i for i, v in enumerate(persons)}
    pl = {v: i for i, v in enumerate(platforms)}
    ki = {v: i for i, v in enumerate(kinds)}
    dated_keys = [k for k in scan.months if k != UNDATED_KEY]
    open_keys = set(scan.months) if shown <= OPEN_ALL_ROWS else set(dated_keys[-1:] or list(scan.months)[-1:])
    meta: list[list[Any]] = []
    index: dict[tuple[str, int], int] = defaultdict(int)
    current: Month | None = None
    in_table = False
    print_seen = 0
    print_from = scan.print_count - scan.print_rows
    for count, ev in enumerate(events, start=1):
        key = month_key(ev, tz)
        if current is None or key != current.key:
            if current is not None:
                yield ("</tbody></table>" if in_table else "") + "</details>\n"
            current = scan.months[key]
            in_table = current.shown > 0
            opened = " open" if key in open_keys else ""
            yield f'<details class="month" id="m-{e(key)}"{opened}>{_month_summary(current, scan)}'
            if in_table:
                yield (f'<table class="timeline"><caption>{e(month_label(key))}: merged timeline, all sources, in time '
                       f"order</caption>{TABLE_HEAD}<tbody>\n")
        group = scan.group(ev)
        i = index[key, group]
        index[key, group] = i + 1
        local = None if ev.timestamp is None else ev.timestamp.astimezone(tz)
        if current.shows(group, i):
            yield timeline_row(count, ev, local, exhibits, assumed=scan.directions.assumed(ev))
            day = local.date().isoformat() if local else ""
            meta.append([pi.get(ev.person, -1), pl.get(ev.platform, -1), ki.get(ev.kind, -1), day])
        if printed is not None and local is not None and group == SUBJECT and scan.print_period.holds(local.date()):
            if print_seen >= print_from:
                printed.append(timeline_row(count, ev, local, exhibits, anchor="pv", assumed=scan.directions.assumed(ev)))
            print_seen += 1
    if current is not None:
        yield ("</tbody></table>" if in_table else "") + "</details>\n"
    yield "</div>\n"
    data = {"persons": persons, "platforms": platforms, "kinds": kinds, "rows": meta}
    yield f'<script type="application/json" id="timeline-data">{json_for_html(data)}</script>\n</section>\n'


def print_view_html(scan: Scan, rows: Sequence[str], tz: ZoneInfo) -> str:
    """The timeline as printed for a large case: the subjects' latest events (of the chosen period); the rest by hash."""
    if not scan.print_view:
        return ""
    who = " and ".join(sorted(scan.subjects)) if scan.subjects else "everyone"
    period = scan.print_period.text()
    what = f"the subjects' ({e(who)})" if scan.subjects else "all"
    if len(rows) < scan.print_count:
        chosen = (f"the latest {len(rows):,} of {what} {scan.print_count:,} dated events"
                  + (f" {e(period)}" if period else ""))
    else:
        chosen = f"all {scan.print_count:,} of {what} dated events" + (f" {e(period)}" if period else "")
    body = (f'<table class="timeline" id="print-table"><caption>Printed timeline: {chosen}</caption>{TABLE_HEAD}'
            f'<tbody>{"".join(rows)}</tbody></table>') if rows else "<p>No event of the subjects in this period.</p>"
    return (
        '<section id="print-view" class="major print-only" aria-labelledby="print-view-h">'
        '<h2 id="print-view-h">Timeline (printed)</h2>'
        f"<p>The case holds {n(scan.total, 'event')}{', too many to print' if scan.total > scan.print_rows else ''}. "
        f"This printed timeline is {chosen} "
        f"(at most {scan.print_rows:,}; choose the period with <code>--print-from</code>/<code>--print-to</code>), times "
        f"local ({e(tz.key)}). The # column is each event's line in timeline.jsonl.</p><p>{jsonl_note(scan)}</p>"
        f"{body}</section>\n"
    )


def exhibit_order(refs: ExhibitRefs, sha256: str) -> tuple[int, int, str]:
    """Exhibits in reference order (initials, then number), each followed by its members; the rest last."""
    label = refs.label(sha256)
    top = label.split(MEMBER_SEPARATOR, 1)[0]
    initials, _, number = top.partition("/")
    return (0 if label else 1, int(number) if number.isdigit() else 0, initials + label)


def sha_html(sha256: str) -> str:
    """A SHA-256 in four groups of sixteen, each kept whole (two or four lines, never a cut digit)."""
    return '<code class="sha">' + " ".join(f'<span>{e(g)}</span>' for g in sha256_groups(sha256)) + "</code>"


def _size(value: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value = value / 1024  # type: ignore[assignment]
    return str(value)  # pragma: no cover


def exhibits_html(artefacts: Sequence[Mapping[str, Any]], numbers: Mapping[str, str]) -> Iterator[str]:
    yield ('<section id="exhibits" class="major" aria-labelledby="exhibits-h"><h2 id="exhibits-h">Exhibits</h2>'
           f"<p>{n(len(artefacts), 'file')} stored in the case, each under its SHA-256 (from the manifest). "
           "Derived files (archive members, attachments) name the file they came from.</p>"
           '<table class="exhibits"><caption>Stored files</caption><colgroup><col class="x-ref"><col class="x-sha">'
           '<col class="x-size"><col class="x-type"><col class="x-name"><col class="x-acq"><col class="x-parser">'
           '<col class="x-events"><col class="x-checks"></colgroup>'
           '<thead><tr><th scope="col">Exhibit</th><th scope="col">SHA-256</th>'
           '<th scope="col" class="num">Size</th><th scope="col">Media type</th><th scope="col">Original name / path</th>'
           '<th scope="col">Acquired (UTC) and by</th><th scope="col">Parser</th><th scope="col" class="num">Events</th>'
           '<th scope="col">Checks</th></tr></thead><tbody>\n')
    for a in artefacts:
        sha = str(a["sha256"])
        origin = e(a.get("original_name", ""))
        if a.get("original_path"):
            origin += f'<br><code>{e(a["original_path"])}</code>'
        parent = str(a.get("parent_sha256") or "")
        if parent:
            origin += (f'<br>inside <a href="#ex-{e(parent)}">{e(numbers.get(parent, parent[:12]))}</a>'
                       f' at <code>{e(a.get("path_in_parent", ""))}</code>')
        mismatch = a.get("type_mismatch") or []
        checks = ("<span class=\"bad\">type mismatch:</span> " + e("; ".join(map(str, mismatch)))) if mismatch else "–"
        yield (
            f'<tr id="ex-{e(sha)}"><th scope="row">{e(numbers.get(sha, "")) or "–"}</th><td>{sha_html(sha)}</td>'
            f'<td class="num">{_size(int(a.get("size", 0)))}</td><td>{e(a.get("media_type", ""))}'
            f'<br><span class="note">{e(a.get("role", ""))}</span></td><td>{origin}</td>'
            f'<td>{e(a.get("acquired_at", ""))}<br>{e(a.get("acquired_by", ""))}</td><td>{e(a.get("parser", "")) or "–"}</td>'
            f'<td class="num">{int(a.get("event_count", 0)):,}</td><td>{checks}</td></tr>\n'
        )
    yield "</tbody></table></section>\n"


def warnings_html(warnings: Sequence[CaseWarning]) -> str:
    out = ['<section id="warnings" aria-labelledby="warnings-h"><h2 id="warnings-h">Parsing warnings</h2>']
    if not warnings:
        out.append("<p>No warnings: every line of every export was read.</p></section>\n")
        return "".join(out)
    out.append(f"<p>{n(len(warnings), 'problem')} found while reading the exports; nothing was silently skipped.</p>")
    if len(warnings) > MAX_WARNINGS:
        groups = Counter((w.file, str(w.code)) for w in warnings)
        rows = "".join(f'<tr><td>{e(f)}</td><td><code>{e(c)}</code></td><td class="num">{k:,}</td></tr>'
                       for (f, c), k in sorted(groups.items()))
        out.append(f"<p>Every one is counted below by file and code; the first {MAX_WARNINGS:,} are listed after, "
                   "and all are in <code>cyberevidence warnings CASE --format jsonl</code>.</p>"
                   '<table><caption>Warnings by file and code</caption><thead><tr><th scope="col">File</th>'
                   '<th scope="col">Code</th><th scope="col" class="num">Count</th></tr></thead>'
                   f"<tbody>{rows}</tbody></table>")
    trs = "".join(
        f"<tr><td>{e(w.file)}</td><td>{e(w.parser)}</td><td><code>{e(str(w.code))}</code></td>"
        f"<td>{e(w.locator)}</td><td>{e(w.message)}</td></tr>"
        for w in warnings[:MAX_WARNINGS]
    )
    out.append('<table><caption>Warnings</caption><thead><tr><th scope="col">File</th><th scope="col">Parser</th>'
               '<th scope="col">Code</th><th scope="col">Where</th><th scope="col">What it means</th></tr></thead>'
               f"<tbody>{trs}</tbody></table></section>\n")
    return "".join(out)


def custody_html(entries: Iterable[CustodyEntry]) -> Iterator[str]:
    yield ('<section id="custody" class="major" aria-labelledby="custody-h"><h2 id="custody-h">Custody log</h2>'
           "<p>Every step taken with the evidence, from <code>custody.jsonl</code>. Each entry's hash covers its content "
           "and the previous entry's hash, so an edited, removed or reordered entry breaks the chain.</p>"
           '<table class="custody"><caption>Custody entries</caption><colgroup><col class="k-seq"><col class="k-time">'
           '<col class="k-actor"><col class="k-action"><col class="k-subject"><col class="k-hash"></colgroup>'
           '<thead><tr><th scope="col" class="num">Seq</th>'
           '<th scope="col">Time (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th>'
           '<th scope="col">Subject</th><th scope="col">Hash</th></tr></thead><tbody>\n')
    for c in entries:
        detail = c.details.get("what") or c.details.get("original_name") or c.details.get("parser") or ""
        note = f'<br><span class="note">{e(detail)}</span>' if detail else ""
        yield (
            f'<tr><td class="num">{c.seq}</td><td>{e(c.time)}</td><td>{e(c.actor)}</td>'
            f"<td>{e(c.action)}{note}</td>"
            f"<td><code>{e(c.subject) or '–'}</code></td><td><code>{e(c.hash)}</code></td></tr>\n"
        )
    yield "</tbody></table></section>\n"


VERIFY_HTML = """<section id="verify" aria-labelledby="verify-h"><h2 id="verify-h">How to verify this case</h2>
<p>An outside expert can check the case folder with standard tools only, without cyberevidence
(the full procedure is in <code>docs/verification.md</code>). Inside the case folder:</p>
<ol>
<li><strong>Stored files.</strong> <code>sha256sum -c --strict SHA256SUMS</code> – every line must end in
<code>OK</code>. Each stored file's name is its own SHA-256.</li>
<li><strong>Custody chain.</strong> <code>python3 docs/recheck_custody.py custody.jsonl</code> – a ten-line script using
only Python's standard library; it prints <code>OK: &lt;n&gt; entries, head hash &lt;hash&gt;</code>. Each entry's
<code>hash</code> is the SHA-256 of its canonical JSON (RFC 8785) without <code>hash</code>; <code>prev</code> is the
previous entry's hash.</li>
<li><strong>Manifest.</strong> <code>jq -c .custody_head manifest.json</code> must name an entry of the chain (normally
the last one).</li>
<li><strong>Seal</strong> (when present). <code>openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in
manifest.json -sigfile manifest.json.sig</code> – check the key's fingerprint with its owner by a separate channel.</li>
</ol>
<p>This report is a view of the case, not the evidence: the stored files, the custody log and the manifest are.</p>
</section>
"""


def footer_html(generated: str) -> str:
    return (f'</main>\n<footer class="note"><p>Generated {e(generated)} by cyberevidence {e(__version__)}. This file loads '
            "nothing from the network and runs no code other than its own timeline filters.</p></footer>\n")


# ---------------------------------------------------------------------------------------------
# the whole report


def render(
    case: Case, *, max_rows: int = DEFAULT_MAX_ROWS, generated_at: str | None = None,
    print_rows: int = DEFAULT_PRINT_ROWS, print_from: date | None = None, print_to: date | None = None,
) -> Iterator[str]:
    """The report as a stream of HTML pieces (the timeline is read twice, never held in memory).

    ``max_rows`` bounds the screen table and ``print_rows`` the printed one (the subjects' latest
    events, between the local dates ``print_from`` and ``print_to`` when given): see
    :mod:`cyberevidence.report.layout` for the rule.
    """
    from cyberevidence.timeutil import zone

    if max_rows < 0 or print_rows < 0:
        raise ValueError("max_rows and print_rows must be 0 or more")
    info = case.info
    tz = zone(info["timezone"])
    generated = generated_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    people = case.people()
    subjects = [p.name for p in people.persons if p.role == "subject"]
    verify = case.verify()
    manifest = case.manifest()
    artefacts = list(manifest.get("artefacts", []))
    refs = exhibit_refs(case)
    numbers = {str(a["sha256"]): refs.label(str(a["sha256"])) for a in artefacts}
    artefacts.sort(key=lambda a: exhibit_order(refs, str(a["sha256"])))
    summaries = case.conduct()
    warnings = case.warnings()
    places = case.places()
    names = name_findings(case)
    flagged: deque[LinkSeen] = deque(maxlen=MAX_FLAGGED_LINKS)  # the latest: the end is never hidden
    link_total = flagged_total = 0
    for link in case.links():
        link_total += 1
        if link.link.flag is not None:
            flagged_total += 1
            flagged.append(link)
    effects = case.marker_effects() if case.markers() else []
    diary = [case.diary_history(entry.entry_id) for entry in case.diary()]
    wanted = wanted_ids(summaries, places, flagged, names)
    wanted.update(b.event_id for fx in effects for b in fx.breaches[:MAX_BREACHES])
    wanted.update(str(x.details.get("event_id", "")) for x in case.custody.entries() if x.action == "indicator_review")
    pics, pics_left = pictures(stored_pictures(manifest.get("artefacts", []), case.store.path_for,
                                               lambda sha: exhibit_order(refs, sha)))
    scan = scan_timeline(case.timeline(), tz, subjects, max_rows, wanted=wanted,
                         print_rows=print_rows, print_period=Period(print_from, print_to),
                         pictures=[x.sha256 for x in pics], directions=direction_rule(warnings, people))
    css = page_css(str(info.get("case_id", "")))
    js = asset("report.js")
    title = f"Evidence report – {info.get('title') or info.get('case_id', '')}"
    yield head_html(title, css, js)
    yield "<body>\n"
    yield banner_html(info, generated, places, names)
    yield summary_html(info, manifest, verify, scan)
    yield names_html(names, scan, numbers)
    yield conduct_html(summaries, tz, scan, marker_types(case.markers()))
    yield charts_html(case.contacts("day"), scan, subjects)
    yield pictures_html(pics, pics_left, numbers, tz, scan)
    yield places_html(places, tz, scan)
    yield links_html(list(flagged), link_total, tz, scan, flagged_total)
    yield diary_html(diary, numbers, tz)

    def event_ref(event_id: str, text: str) -> str:
        return ev_ref(event_id, text, scan)

    yield markers_html(effects, record_versions(case), numbers, tz, event_ref)
    yield reviews_html(case, tz, event_ref)
    yield undated_html(scan.undated, numbers, lambda event_id: event_id in scan.rendered)
    printed: list[str] = []
    yield from timeline_html(case.timeline(), tz, scan, numbers, printed if scan.print_view else None)
    yield print_view_html(scan, printed, tz)
    yield from exhibits_html(artefacts, numbers)
    yield warnings_html(warnings)
    yield from custody_html(case.custody.entries())
    yield VERIFY_HTML
    yield footer_html(generated)
    yield f"<script>{js}</script>\n</body>\n</html>\n"
