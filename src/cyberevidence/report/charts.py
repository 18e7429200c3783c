"""Charts as inline SVG: no JavaScript, no libraries, nothing loaded.

Every chart is readable without colour: each platform has a colour *and* a fill pattern, with a
labelled legend; the heat map writes its count in each cell. Every SVG has ``role="img"`` with
a ``<title>`` and ``<desc>``, and the caller puts the same numbers in a data table beside it.
All text is escaped here (hidden characters shown as ``⟨U+XXXX⟩``, see
:mod:`cyberevidence.display`); callers pass plain strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from cyberevidence.display import html_text

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
PATTERN_NAMES = ("solid", "diagonal lines", "dots", "horizontal lines", "vertical lines", "cross-hatch",
                 "reverse diagonal lines", "checks")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _e(value: object) -> str:
    return html_text(value)


def style_name(i: int) -> str:
    """How series ``i`` looks, in words (for the legend and text alternatives)."""
    return f"{PATTERN_NAMES[i % len(PATTERN_NAMES)]}"


def pattern_defs(n: int) -> str:
    """A zero-size SVG holding the fill patterns ``#cev-p0`` … for ``n`` series (referenced by id)."""
    out = ['<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>']
    for i in range(max(n, 1)):
        colour = COLOURS[i % len(COLOURS)]
        ink = "#000" if colour in ("#F0E442", "#E69F00", "#56B4E9") else "#fff"
        kind = i % len(PATTERN_NAMES)
        marks = {
            0: "",
            1: f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{ink}" stroke-width="1.6"/>',
            2: f'<circle cx="4" cy="4" r="1.6" fill="{ink}"/>',
            3: f'<path d="M0,4 h8" stroke="{ink}" stroke-width="1.6"/>',
            4: f'<path d="M4,0 v8" stroke="{ink}" stroke-width="1.6"/>',
            5: f'<path d="M0,4 h8 M4,0 v8" stroke="{ink}" stroke-width="1.2"/>',
            6: f'<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="{ink}" stroke-width="1.6"/>',
            7: f'<rect width="4" height="4" fill="{ink}" fill-opacity="0.55"/><rect x="4" y="4" width="4" height="4" '
               f'fill="{ink}" fill-opacity="0.55"/>',
        }[kind]
        out.append(
            f'<pattern id="cev-p{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
        )
    out.append("</defs></svg>")
    return "".join(out)


def legend(labels: Sequence[str]) -> str:
    """A list of swatches (colour and pattern) with their labels."""
    items = []
    for i, label in enumerate(labels):
        items.append(
            f'<li><svg width="22" height="14" aria-hidden="true" focusable="false"><rect width="22" height="14" '
            f'fill="url(#cev-p{i})"/></svg> {_e(label)} <span class="note">({_e(style_name(i))})</span></li>'
        )
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def _open(uid: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg id="{_e(uid)}" role="img" aria-labelledby="{_e(uid)}-t {_e(uid)}-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{_e(uid)}-t">{_e(title)}</title><desc id="{_e(uid)}-d">{_e(desc)}</desc>'
    )


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return max(step * ((value + step - 1) // step), step)
    return value


def daily_bars(
    uid: str, counts: Mapping[date, Mapping[str, int]], platforms: Sequence[str], title: str, desc: str
) -> str:
    """Stacked bars: one per day from the first to the last day with contact, one layer per platform."""
    if not counts:
        return ""
    days = days_between(min(counts), max(counts))
    width, height, left, right, top, bottom = 960, 260, 44, 40, 12, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(sum(c.values()) for c in counts.values())
    top_value = _nice_max(peak)
    bar = plot_w / len(days)
    out = [_open(uid, width, height, title, desc)]
    for k in range(5):
        v = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{v:g}</text>')
    index = {p: i for i, p in enumerate(platforms)}
    for d_i, d in enumerate(days):
        y = top + plot_h
        for p, n in sorted(counts.get(d, {}).items(), key=lambda kv: index.get(kv[0], 0)):
            if n <= 0:
                continue
            h = plot_h * n / top_value
            y -= h
            out.append(
                f'<rect x="{left + d_i * bar + 0.5:.2f}" y="{y:.2f}" width="{max(bar - 1, 0.8):.2f}" height="{h:.2f}" '
                f'fill="url(#cev-p{index.get(p, 0)})" stroke="#333" stroke-width="0.4"><title>{_e(d.isoformat())}: '
                f'{n} on {_e(p)}</title></rect>'
            )
    ticks = max(1, len(days) // 8)
    for d_i in range(0, len(days), ticks):
        x = left + d_i * bar + bar / 2
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="#333"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" font-size="11" text-anchor="middle">'
                   f'{_e(days[d_i].isoformat())}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>')
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" font-size="11" text-anchor="middle">'
               f'day (local time)</text>')
    out.append("</svg>")
    return "".join(out)


def heat_map(uid: str, grid: Sequence[Sequence[int]], title: str, desc: str) -> str:
    """7 weekday rows × 24 hour columns; darker is more, and each cell shows its count."""
    cell_w, cell_h, left, top = 34, 26, 44, 22
    width, height = left + 24 * cell_w + 6, top + 7 * cell_h + 6
    peak = max((max(row) for row in grid), default=0) or 1
    out = [_open(uid, width, height, title, desc)]
    for h in range(24):
        out.append(f'<text x="{left + h * cell_w + cell_w / 2}" y="{top - 7}" font-size="11" text-anchor="middle">'
                   f'{h:02d}</text>')
    for r, row in enumerate(grid):
        y = top + r * cell_h
        out.append(f'<text x="{left - 6}" y="{y + cell_h / 2 + 4}" font-size="11" text-anchor="end">{WEEKDAYS[r]}</text>')
        for h, n in enumerate(row):
            level = n / peak
            shade = round(245 - 200 * level) if n else 255
            fill = f"rgb({shade},{min(255, shade + 8)},{min(255, shade + 30)})"
            ink = "#fff" if level > 0.55 else "#000"
            out.append(
                f'<rect x="{left + h * cell_w}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" '
                f'stroke="#bbb" stroke-width="0.6"><title>{WEEKDAYS[r]} {h:02d}:00: {n}</title></rect>'
            )
            if n:
                out.append(f'<text x="{left + h * cell_w + cell_w / 2}" y="{y + cell_h / 2 + 4}" font-size="11" '
                           f'text-anchor="middle" fill="{ink}">{n}</text>')
    out.append("</svg>")
    return "".join(out)


def channel_timeline(
    uid: str, per_platform: Mapping[str, Mapping[date, int]], platforms: Sequence[str], title: str, desc: str
) -> str:
    """One row per platform across the whole period; a mark on each day with contact (taller = more)."""
    all_days = [d for p in per_platform.values() for d in p]
    if not all_days:
        return ""
    first, last = min(all_days), max(all_days)
    span = (last - first).days + 1
    row_h, left, right, top, bottom = 34, 120, 40, 10, 34
    width = 960
    height = top + row_h * len(platforms) + bottom
    plot_w = width - left - right
    day_w = plot_w / span
    peak = max(n for p in per_platform.values() for n in p.values()) or 1
    out = [_open(uid, width, height, title, desc)]
    for i, p in enumerate(platforms):
        y = top + i * row_h
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y + row_h - 4}" y2="{y + row_h - 4}" stroke="#ccc"/>')
        out.append(f'<text x="{left - 8}" y="{y + row_h / 2 + 4}" font-size="12" text-anchor="end">{_e(p)}</text>')
        for d, n in sorted(per_platform.get(p, {}).items()):
            h = 6 + (row_h - 12) * n / peak
            x = left + (d - first).days * day_w
            out.append(
                f'<rect x="{x:.2f}" y="{y + row_h - 4 - h:.2f}" width="{max(day_w - 0.6, 1.5):.2f}" height="{h:.2f}" '
                f'fill="url(#cev-p{i})" stroke="#333" stroke-width="0.4"><title>{_e(p)} {_e(d.isoformat())}: {n}'
                f'</title></rect>'
            )
    base = top + row_h * len(platforms)
    ticks = max(1, span // 8)
    for k in range(0, span, ticks):
        x = left + k * day_w + day_w / 2
        out.append(f'<text x="{x:.1f}" y="{base + 16}" font-size="11" text-anchor="middle">'
                   f'{_e((first + timedelta(days=k)).isoformat())}</text>')
    out.append("</svg>")
    return "".join(out)


def position_plot(uid: str, points: Sequence[tuple[str, float, float, bool]], title: str, desc: str) -> str:
    """GPS positions ``(label, latitude, longitude, sent by the victim)`` on plain axes: no map, no tiles, nothing loaded.

    Longitude runs left to right and latitude bottom to top, equally scaled around the points'
    middle latitude (equirectangular), with the axis values written; each point carries its label.
    """
    import math

    width, height, pad = 520, 340, 56
    lats = [p[1] for p in points] or [0.0]
    lons = [p[2] for p in points] or [0.0]
    mid = math.cos(math.radians((max(lats) + min(lats)) / 2)) or 1e-6
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) * mid, 0.002) * 1.15
    clat, clon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    scale = min(inner_w, inner_h) / span

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return width / 2 + (lon - clon) * mid * scale, height / 2 - (lat - clat) * scale

    out = [_open(uid, width, height, title, desc),
           f'<rect x="{pad}" y="{pad}" width="{inner_w}" height="{inner_h}" fill="#fff" stroke="#777"/>']
    for i in range(5):
        x = pad + inner_w * i / 4
        y = pad + inner_h * i / 4
        lon = clon + (x - width / 2) / (mid * scale)
        lat = clat - (y - height / 2) / scale
        out.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{height - pad}" stroke="#ddd"/>'
                   f'<line x1="{pad}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{x:.1f}" y="{height - pad + 16}" font-size="10" text-anchor="middle">{lon:.4f}</text>'
                   f'<text x="{pad - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{lat:.4f}</text>')
    out.append(f'<text x="{width / 2}" y="{height - 8}" font-size="11" text-anchor="middle">longitude (°)</text>'
               f'<text x="12" y="{height / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {height / 2})">'
               "latitude (°)</text>")
    for label, lat, lon, victim in points:
        x, y = xy(lat, lon)
        mark = (f'<path d="M{x:.1f},{y - 7:.1f} l6,11 h-12 z" fill="#D55E00" stroke="#000"/>' if victim
                else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#0072B2" stroke="#000"/>')
        out.append(f'{mark}<text x="{x + 8:.1f}" y="{y - 6:.1f}" font-size="11">{_e(label)}</text>')
    out.append("</svg>")
    return "".join(out)
