"""The WhatsApp text samples of the differential tests: fixtures, corpus samples, generated variants.

Zips are not compared (the peers read text only; each corpus zip's chat text is also a ``.txt``
sample). The generated variants are one short chat per export style (12/24 h, day-first,
month-first and ISO dates, bracketed iOS and dashed Android headers, multi-line messages,
attachments, system notices), written from fixed content so that every run compares the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from cyberevidence.parsers.base import DateOrder

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "whatsapp"


#: Samples whose every date reads both ways, which we refuse without ``--date-order`` (docs/formats/whatsapp.md,
#: "Date order"): compared with the order their source states (corpus/SOURCES.tsv), as a user would pass it.
#: fixtures/ambiguous_order.txt has no stated order: its refusal is itself compared (and classified).
STATED_ORDER: dict[str, DateOrder] = {
    "corpus/whatsapp/chatanalytics_android_group_4A_11M.txt": "dmy",  # "12/9/20 23:55" is 12 September 2020
    "corpus/whatsapp/chatistics_android_dmyy_24h_tricky_names.txt": "dmy",  # "Android 'd/m/yy'", 2/11/19-10/11/19
    "corpus/whatsapp/chatminer_hist_bracket_ddmmyy_24h_with_pm.txt": "dmy",  # "ddmmyy" by its source
    "corpus/whatsapp/chatminer_hist_es_nbsp_in_pm.txt": "dmy",  # one date, 09/10/22, a Spanish (day-first) locale
    "corpus/whatsapp/timelinize_ios_export/_chat.txt": "dmy",  # its slashed dates are "dd/mm/yyyy"
}


def fixture_samples() -> list[tuple[str, Path]]:
    found = [(f"fixtures/{p.name}", p) for p in sorted(FIXTURES.glob("*.txt"))]
    return [*found, ("fixtures/ios_folder/_chat.txt", FIXTURES / "ios_folder" / "_chat.txt")]


def corpus_samples(corpus: Path) -> list[tuple[str, Path]]:
    wa = corpus / "whatsapp"
    return [(f"corpus/{p.relative_to(corpus).as_posix()}", p) for p in sorted(wa.rglob("*.txt"))] if wa.is_dir() else []


def _h24(t: datetime) -> str:
    return f"{t:%H:%M}"


def _h24s(t: datetime) -> str:
    return f"{t:%H:%M:%S}"


def _h12(t: datetime) -> str:
    return f"{t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"


def _h12_nnbsp(t: datetime) -> str:
    return f"{t.hour % 12 or 12}:{t:%M}\u202f{'AM' if t.hour < 12 else 'PM'}"


def _h12s(t: datetime) -> str:
    return f"{t.hour % 12 or 12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


#: name -> (date format, clock, bracketed iOS header, attachment wording)
VARIANTS: dict[str, tuple[str, Callable[[datetime], str], bool, str]] = {
    "android_dmy_24h": ("%d/%m/%Y", _h24, False, "android"),
    "android_dmyy_24h": ("%d/%m/%y", _h24, False, "android"),
    "android_mdy_12h": ("%-m/%-d/%y", _h12, False, "android"),
    "android_mdy_12h_nnbsp": ("%-m/%-d/%y", _h12_nnbsp, False, "android"),
    "android_iso_24h": ("%Y-%m-%d", _h24, False, "android"),
    "android_dots_24h": ("%d.%m.%y", _h24, False, "android"),
    "ios_dmy_24h_seconds": ("%d/%m/%Y", _h24s, True, "ios"),
    "ios_dots_24h_seconds": ("%d.%m.%y", _h24s, True, "ios"),
    "ios_mdy_12h_seconds": ("%-m/%-d/%y", _h12s, True, "ios"),
    "ios_iso_24h_seconds": ("%Y-%m-%d", _h24s, True, "ios"),
}

_SENDERS = ("Maren Holloway", "Tobias Quill", "+44 7700 900123")
_TEXTS = (
    "are you home?",
    "I saw your car outside again",
    "please stop messaging me",
    "why won't you answer",
    "ok 👍",
    "call me back now",
)


def variant_text(name: str) -> str:
    """One chat in the style ``name``: 24 messages over 20 days from the 9th (so days above 12
    decide the date order), every sixth one on three lines, two attachments and two notices."""
    datefmt, clock, bracket, media = VARIANTS[name]
    start = datetime(2024, 3, 9, 8, 5)
    lines: list[str] = []

    def header(t: datetime) -> str:
        return f"[{t.strftime(datefmt)}, {clock(t)}] " if bracket else f"{t.strftime(datefmt)}, {clock(t)} - "

    notice = (
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."
    )
    lines.append(header(start) + ("\u200e" if bracket else "") + notice)
    for i in range(24):
        t = start + timedelta(hours=20 * i, minutes=7 * i)
        sender = _SENDERS[i % len(_SENDERS)]
        if i == 5:
            ios_photo, android_photo = (
                "<attached: 00000012-PHOTO-2024-03-13-10-40-00.jpg>",
                "IMG-20240313-WA0001.jpg (file attached)",
            )
            body = ios_photo if media == "ios" else android_photo
        elif i == 11:
            body = "\u200eimage omitted" if media == "ios" else "<Media omitted>"
        else:
            body = _TEXTS[i % len(_TEXTS)]
        lines.append(f"{header(t)}{sender}: {body}")
        if i % 6 == 3:
            lines.extend(["second line of it", "and a third"])
        if i == 15:
            lines.append(header(t) + ("\u200e" if bracket else "") + "Tobias Quill changed their phone number to a new number.")
    return "\n".join(lines) + "\n"


def generated_samples(directory: Path) -> list[tuple[str, Path]]:
    out = []
    for name in VARIANTS:
        path = directory / name / f"WhatsApp Chat with {name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(variant_text(name), encoding="utf-8")
        out.append((f"generated/{name}", path))
    return out
