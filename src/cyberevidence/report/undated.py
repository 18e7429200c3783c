"""The report's "Undated events" section: events whose source gives no time (docs/events.md).

They are kept and listed here, never placed on a time axis; every time-based figure of the
report states how many of them it leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cyberevidence.analysis.undated import UndatedTally
from cyberevidence.display import html_text


def _e(value: object) -> str:
    return html_text(str(value))


def undated_html(tally: UndatedTally, exhibits: Mapping[str, str], is_row: Callable[[str], bool] = lambda _: True) -> str:
    """The section, listing up to ``tally.keep`` undated events with their source (exhibit) and locator.

    ``is_row(event_id)``: the timeline table shows the event (its id is then a link to the row).
    """
    out = ['<section id="undated" aria-labelledby="undated-h"><h2 id="undated-h">Undated events</h2>']
    if not tally.total:
        out.append("<p>None: every event has a time from its source.</p></section>\n")
        return "".join(out)
    out.append(
        f"<p><strong>{tally.total:,}</strong> event{'s' if tally.total != 1 else ''} "
        f"({tally.contacts:,} of them contacts) have no time in their source. No time was invented for them: "
        "they are not in the charts, the course-of-conduct figures or any other count by day, week or hour, "
        "and they come after every dated event in the timeline and its exports.</p>"
    )
    rows = []
    for ev in tally.events:
        ex = exhibits.get(ev.source.sha256) or ev.source.sha256[:12]
        subject = str(ev.extra.get("subject", "")) if ev.kind == "email" else ""
        text = (f"{subject} | " if subject else "") + ev.text
        ident = f"<code>{_e(ev.event_id)}</code>"
        if is_row(ev.event_id):
            ident = f'<a href="#ev-{_e(ev.event_id)}">{ident}</a>'
        rows.append(
            f"<tr><td>{ident}</td><td>{_e(ev.platform)}</td>"
            f"<td>{_e(ev.kind)}</td><td>{_e(ev.direction)}</td><td>{_e(ev.person)}</td><td>{_e(ev.sender)}</td>"
            f'<td class="text">{html_text(text, multiline=True)}</td><td>{_e(ex)} {_e(ev.source.locator)}</td>'
            f"<td>{_e(ev.time_note)}</td></tr>"
        )
    out.append(
        '<table><caption>Undated events</caption><thead><tr><th scope="col">Event</th><th scope="col">Platform</th>'
        '<th scope="col">Kind</th><th scope="col">Direction</th><th scope="col">Person</th><th scope="col">Sender</th>'
        '<th scope="col">Text</th><th scope="col">Source</th><th scope="col">Why undated</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    if tally.total > len(tally.events):
        out.append(f'<p class="note">{tally.total - len(tally.events):,} more undated events are beyond the row limit; '
                   "they are in the JSONL export (<code>\"undated\": true</code>).</p>")
    out.append("</section>\n")
    return "".join(out)
