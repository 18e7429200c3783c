"""The report's sections for the victim's own record: her diary, the markers, and the indicator reviews.

* **Diary**: every version of every entry, oldest first, marked as the victim's own account (not
  something found in the exports), each under its exhibit reference (a record version is an
  exhibit, :mod:`cyberevidence.exhibits`);
* **Markers**: each marker by its type, with the contacts before and after it and, after a
  boundary, the potential breaches (:meth:`Case.marker_effects`);
* **Indicator review**: every candidate a person confirmed or dismissed, with the note, who
  decided and when, read back from the custody log (never from anywhere else).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cyberevidence.analysis.conduct_words import MAX_LISTED, local_time, plural
from cyberevidence.analysis.markers import MarkerEffect
from cyberevidence.display import html_text
from cyberevidence.records import BOUNDARY_TYPES, DiaryEntry, StoredRecord
from cyberevidence.report.conduct_text import MARKER_WORDS

if TYPE_CHECKING:
    from cyberevidence.case import Case

SUGGESTED = ' <span class="tag">suggested account</span>'
#: Breaches listed under one marker; the rest are counted (all are in ``cyberevidence markers CASE --json``).
MAX_BREACHES = MAX_LISTED


def _e(value: object, *, multiline: bool = False) -> str:
    return html_text(value, multiline=multiline)


def record_versions(case: Case) -> dict[tuple[str, str, int], str]:
    """(record type, record id, version) -> SHA-256 of the stored version, from the custody log."""
    out: dict[tuple[str, str, int], str] = {}
    for entry in case.custody.entries():
        d = entry.details
        if entry.action == "record" and entry.subject:
            out[(str(d.get("record_type", "")), str(d.get("record_id", "")), int(d.get("version", 0) or 0))] = entry.subject
    return out


def _ref(sha256: str, numbers: Mapping[str, str]) -> str:
    ref = numbers.get(sha256, "")
    return f'<a class="ref" href="#ex-{_e(sha256)}">{_e(ref)}</a>' if ref else f"<code>{_e(sha256[:12])}</code>"


def diary_html(history: Sequence[Sequence[StoredRecord]], numbers: Mapping[str, str], tz: ZoneInfo) -> str:
    """Every version of every diary entry (``history``: per entry, oldest version first)."""
    out = ['<section id="diary" class="major" aria-labelledby="diary-h">'
           '<h2 id="diary-h">Diary: the victim\'s own account</h2>']
    if not history:
        out.append("<p>No diary entry is recorded in the case.</p></section>\n")
        return "".join(out)
    versions = sum(len(h) for h in history)
    out.append(f'<p class="confirm"><strong>The victim\'s own account.</strong> These {plural(len(history), "entry", "entries")} '
               f"({plural(versions, 'version')}) were written by the victim (or for her) in the case, not found in the "
               "exports. Every version is kept and shown: an edit adds a version, it never replaces one. Each version is "
               "stored as an exhibit of its own.</p>")
    for versions_of in history:
        latest = versions_of[-1].record
        assert isinstance(latest, DiaryEntry)
        out.append(f'<article class="diary" id="diary-{_e(latest.entry_id)}"><h3>{_e(local_time(latest.happened_at_utc, tz))}'
                   f"{f' – {_e(latest.person)}' if latest.person else ''}</h3>")
        for stored in versions_of:
            entry = stored.record
            assert isinstance(entry, DiaryEntry)
            note = f' <span class="note">({_e(entry.time_note)})</span>' if entry.time_note else ""
            facts = [("Happened", _e(local_time(entry.happened_at_utc, tz)) + note),
                     ("Written", _e(local_time(entry.written_at, tz)) if "T" in entry.written_at else _e(entry.written_at))]
            for label, value in (("Place", entry.place), ("Witnesses", entry.witnesses),
                                 ("Police reference", entry.police_reference),
                                 ("Suspected technology", entry.suspected_technology), ("Impact", entry.impact)):
                if value:
                    facts.append((label, _e(value, multiline=True)))
            dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
            status = "latest version" if stored is versions_of[-1] else "superseded by a later version"
            out.append(f'<div class="version"><p><strong>Version {entry.version}</strong> ({status}), exhibit '
                       f'{_ref(stored.sha256, numbers)}</p><blockquote class="msg">{_e(entry.what_happened, multiline=True)}'
                       f'</blockquote><dl class="facts">{dl}</dl></div>')
        out.append("</article>")
    out.append("</section>\n")
    return "".join(out)


def markers_html(
    effects: Sequence[MarkerEffect], shas: Mapping[tuple[str, str, int], str], numbers: Mapping[str, str], tz: ZoneInfo,
    link: Callable[[str, str], str],
) -> str:
    """Each marker by its type, with the contacts before and after it and the potential breaches.

    ``link(event_id, text_html)`` links an event to its row (or names its line in timeline.jsonl).
    """
    out = ['<section id="markers" aria-labelledby="markers-h"><h2 id="markers-h">Markers</h2>']
    if not effects:
        out.append("<p>No marker (request to stop, block, police warning, order …) is recorded in the case.</p></section>\n")
        return "".join(out)
    out.append("<p>Dated lines the victim drew or events she recorded, each called by its type, with the contacts from the "
               "person before and after it. After a boundary (a request to stop, a block, a police warning, an order "
               "served) each later contact is a <em>potential</em> breach, for a person to assess.</p>")
    trs = []
    for fx in effects:
        m = fx.marker
        kind = MARKER_WORDS.get(m.marker_type, m.marker_type).removeprefix("the ")
        sha = shas.get(("marker", m.marker_id, m.version), "")
        by = ", ".join(f"{_e(k)} {v:,}" for k, v in fx.after_by_platform.items())
        breaches = ""
        if m.marker_type in BOUNDARY_TYPES:
            items = "".join(
                f"<li>{link(b.event_id, _e(local_time(b.timestamp, tz)))} {_e(b.platform)} {_e(b.account)}"
                f"{SUGGESTED if b.attribution == 'suggested' else ''}</li>"
                for b in fx.breaches[:MAX_BREACHES]
            )
            more = (f"<li>…and {len(fx.breaches) - MAX_BREACHES:,} more (<code>cyberevidence markers CASE</code>)</li>"
                    if len(fx.breaches) > MAX_BREACHES else "")
            breaches = (f"<strong>{plural(len(fx.breaches), 'potential breach', 'potential breaches')}</strong>"
                        + (f'<ol class="evlist">{items}{more}</ol>' if items else ""))
        else:
            breaches = '<span class="note">not a boundary</span>'
        who = ", ".join(fx.persons) or m.person or "–"
        trs.append(
            f'<tr data-marker-type="{_e(m.marker_type)}"><td><strong>{_e(kind)}</strong><br><span class="note">'
            f"{_e(m.marker_type)}</span></td><td>{_e(local_time(m.at_utc, tz))}</td><td>{_e(who)}"
            f"{f'<br>{_e(m.platform)} {_e(m.account)}' if m.platform or m.account else ''}</td>"
            f'<td class="num">{fx.before:,}</td><td class="num">{fx.after:,}{f"<br>({by})" if by else ""}</td>'
            f"<td>{breaches}</td><td>{_e(m.note, multiline=True) or '–'}<br><span class=\"note\">recorded by "
            f"{_e(m.recorded_by)}; exhibit {_ref(sha, numbers) if sha else '–'}</span></td></tr>"
        )
    out.append('<table class="markers"><caption>Markers, with contacts before and after</caption><thead><tr>'
               '<th scope="col">Type</th><th scope="col">When (local)</th><th scope="col">Person</th>'
               '<th scope="col" class="num">Contacts before</th><th scope="col" class="num">After</th>'
               '<th scope="col">Potential breaches</th><th scope="col">Note, recorded by, exhibit</th></tr></thead>'
               f'<tbody>{"".join(trs)}</tbody></table></section>\n')
    return "".join(out)


def reviews_html(case: Case, tz: ZoneInfo, link: Callable[[str, str], str]) -> str:
    """Every indicator decision a person made (confirmed or dismissed), latest per candidate, from custody."""
    from cyberevidence.indicators.review import REVIEW_ACTION

    decided: dict[str, list[Any]] = {}
    for entry in case.custody.entries():
        if entry.action == REVIEW_ACTION and entry.details.get("decision") in ("confirmed", "dismissed"):
            decided.setdefault(str(entry.details.get("candidate_id", "")), []).append(entry)
    out = ['<section id="reviews" aria-labelledby="reviews-h"><h2 id="reviews-h">Indicators reviewed</h2>']
    if not decided:
        out.append("<p>No indicator has been confirmed or dismissed (<code>cyberevidence indicators CASE</code> lists the "
                   "candidates; nothing is a finding until a person decides).</p></section>\n")
        return "".join(out)
    confirmed = sum(1 for h in decided.values() if h[-1].details["decision"] == "confirmed")
    out.append(f"<p>{plural(len(decided), 'candidate')} reviewed by a person: {confirmed:,} confirmed, "
               f"{len(decided) - confirmed:,} dismissed. A candidate is a pattern match, never a finding by itself; the "
               "decision, the note and who decided are read from the custody log. Earlier decisions on the same candidate "
               "are listed under the one in force.</p>")
    trs = []
    for cid, history in decided.items():
        last = history[-1]
        d = last.details
        earlier = "".join(f"<br><span class=\"note\">earlier: {_e(x.details['decision'])} by {_e(x.actor)} at {_e(x.time)}"
                          f"{': ' + _e(x.details.get('note', '')) if x.details.get('note') else ''}</span>"
                          for x in history[:-1])
        event_id = str(d.get("event_id", ""))
        trs.append(
            f'<tr data-decision="{_e(d["decision"])}"><td><strong>{_e(d["decision"])}</strong></td>'
            f"<td>{_e(d.get('category', ''))}<br><code>{_e(cid)}</code></td><td>“{_e(d.get('matched', ''))}”</td>"
            f"<td>{link(event_id, _e(local_time(str(d.get('event_timestamp', '')), tz))) if event_id else '–'}</td>"
            f"<td>{_e(d.get('note', '')) or '–'}{earlier}</td><td>{_e(last.actor)}<br>{_e(last.time)} (UTC)<br>"
            f'<span class="note">custody seq {last.seq}</span></td></tr>'
        )
    out.append('<table class="reviews"><caption>Indicator decisions</caption><thead><tr><th scope="col">Decision</th>'
               '<th scope="col">Category, candidate</th><th scope="col">Matched</th><th scope="col">Event</th>'
               '<th scope="col">Note</th><th scope="col">Decided by, when</th></tr></thead>'
               f'<tbody>{"".join(trs)}</tbody></table></section>\n')
    return "".join(out)


__all__ = ["MAX_BREACHES", "diary_html", "markers_html", "record_versions", "reviews_html"]
