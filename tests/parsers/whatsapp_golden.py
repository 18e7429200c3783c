"""Golden digests of the WhatsApp text parser's whole output, to prove a rewrite changes nothing.

The digests in ``whatsapp_golden.json`` were written once by the parser as it stood before the
whole-buffer reader (commit 19f1840 of ``main``), with::

    PYTHONPATH=src:cli .venv/bin/python -m tests.parsers.whatsapp_golden --write

Each case is one input (a fixture, a corpus sample, or a file made here by :func:`torture_files`
from a fixed seed) read with one set of options. Its digest is the SHA-256 of every event record
(``Event.to_record()``, event ids included) and every warning (``ParseWarning.to_dict()``), in the
order the parse yields them, one JSON line each; an input the parser refuses records the error's
type and message instead. ``tests/parsers/test_whatsapp_golden.py`` recomputes them: any change
in any event, warning, id or order fails it. Regenerate only for a deliberate change of output,
and say so in the commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cyberevidence.errors import CyberEvidenceError
from cyberevidence.events import ParseWarning
from cyberevidence.parsers.base import DateOrder
from cyberevidence.parsers.whatsapp import PARSER
from cyberevidence.standalone import parse, source_file_for

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "whatsapp"
CORPUS = REPO.parent / "shared" / "corpus"
GOLDEN = Path(__file__).with_name("whatsapp_golden.json")
#: (timezone, date order) pairs every input is read with; None means "not given".
OPTIONS: tuple[tuple[str | None, DateOrder | None], ...] = ((None, None), ("America/New_York", None), ("Europe/London", "mdy"))
TORTURE_FILES = 24
TORTURE_SEED = 20


@dataclass(frozen=True)
class Case:
    key: str
    path: Path
    timezone: str | None
    date_order: DateOrder | None


def output_digest(path: Path, timezone: str | None, date_order: DateOrder | None) -> dict[str, object]:
    """The digest of everything one parse yields (events and warnings, in order), or its error.

    ``sha256`` covers the exact interleaving of events and warnings; ``events_sha256`` the events
    alone and ``warnings_sha256`` the warnings as a sorted multiset (where a warning about a whole
    block of lines, such as ``invalid_utf8``, is placed depends on the read size, its content does not).
    """
    h, he = hashlib.sha256(), hashlib.sha256()
    events = 0
    warnings: list[ParseWarning] = []
    seen = 0
    try:
        for event in parse(path, timezone=timezone, date_order=date_order, format="whatsapp", warnings=warnings):
            for w in warnings[seen:]:
                h.update(b"W" + _json(w.to_dict()) + b"\n")
            seen = len(warnings)
            line = b"E" + _json(event.to_record()) + b"\n"
            h.update(line)
            he.update(line)
            events += 1
    except CyberEvidenceError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    for w in warnings[seen:]:
        h.update(b"W" + _json(w.to_dict()) + b"\n")
    hw = hashlib.sha256(b"\n".join(sorted(_json(w.to_dict()) for w in warnings)))
    source = source_file_for(path)
    with open(path, "rb") as fh:
        sniffed = PARSER.sniff(source, fh.read(65536))
    return {
        "events": events,
        "warnings": len(warnings),
        "sniff": sniffed,
        "sha256": h.hexdigest(),
        "events_sha256": he.hexdigest(),
        "warnings_sha256": hw.hexdigest(),
    }


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- inputs ---------------------------------------------------------------------------------


def fixture_inputs() -> Iterator[tuple[str, Path]]:
    for p in sorted(FIXTURES.iterdir()):
        if p.suffix in (".txt", ".zip"):
            yield f"fixtures/{p.name}", p
    yield "fixtures/ios_folder/_chat.txt", FIXTURES / "ios_folder" / "_chat.txt"


def corpus_inputs(corpus: Path = CORPUS) -> Iterator[tuple[str, Path]]:
    wa = corpus / "whatsapp"
    if not wa.is_dir():
        return
    for p in sorted(wa.rglob("*")):
        if p.is_file() and p.suffix in (".txt", ".zip"):
            yield f"corpus/{p.relative_to(corpus).as_posix()}", p


# -- generated inputs: every rule, mixed, from a fixed seed ------------------------------------

_NAMES = ("Alice Moreau", "Bob", "~ Carol Dyer", "+44 7700 900123", "Dana 👍", "Ed: the second")
_WORDS = [
    "ok",
    "yes",
    "no",
    "later",
    "now",
    "stop",
    "why",
    "where",
    "please",
    "call",
    "me",
    "back",
    "I",
    "left",
    "you",
    "left",
    "outside",
    "café",
    "😂",
    "❤️",
    "x",
]
_NOTICES = (
    'Alice Moreau created group "Plans"',
    "Alice Moreau added Bob",
    "You were added",
    "Bob left",
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
    'Alice Moreau changed the subject from "A: b" to "Plans: May"',
)


@dataclass(frozen=True)
class _Style:
    date: str  # strftime of the date part
    time: str  # "24", "24s", "12", "12n" (U+202F before AM/PM), "12dot" (a. m.)
    bracket: bool
    dash: str = " - "


_NAMED_TAILS = ("left", "added you", "changed this group's icon", "left early", "changed this group\u2019s icon")
_LRM_TAILS = ("Bob left", "You were added", "image omitted", "Missed voice call")
LRM = "\u200e"

_STYLES = (
    _Style("%d/%m/%Y", "24", False),
    _Style("%m/%d/%y", "12n", False),
    _Style("%d.%m.%y", "24s", True),
    _Style("%Y-%m-%d", "24", False),
    _Style("%d/%m/%y", "12dot", False, " \u2013 "),
    _Style("%-m/%-d/%y", "12", False),
    _Style("%d-%m-%Y", "24s", True),
    _Style("%Y/%m/%d", "12", True),
)


def _clock(when: datetime, kind: str) -> str:
    if kind == "24":
        return f"{when:%H:%M}"
    if kind == "24s":
        return f"{when:%H:%M:%S}"
    h12 = when.hour % 12 or 12
    ampm = "AM" if when.hour < 12 else "PM"
    if kind == "12n":
        return f"{h12}:{when:%M}" + "\u202f" + ampm
    if kind == "12dot":
        return f"{h12}:{when:%M}\u00a0" + ("a. m." if when.hour < 12 else "p. m.")
    return f"{h12}:{when:%M} {ampm}"


def _header(style: _Style, when: datetime, rng: random.Random) -> str:
    date = when.strftime(style.date)
    clock = _clock(when, style.time)
    if style.bracket:
        mark = "\u200e" if rng.random() < 0.05 else ""
        return f"{mark}[{date}, {clock}] "
    comma = "," if rng.random() < 0.95 else ""
    return f"{date}{comma} {clock}{style.dash}"


def _body(rng: random.Random, when: datetime) -> list[str]:
    roll = rng.random()
    name = rng.choice(_NAMES)
    short = name.lstrip("~ ")
    words = " ".join(rng.choices(_WORDS, k=rng.randint(0, 9)))
    if roll < 0.06:
        return [rng.choice(_NOTICES)]
    if roll < 0.09:
        return [f"{name}: {short} {rng.choice(_NAMED_TAILS)}"]
    if roll < 0.11:
        return [f"{name}: {LRM}{rng.choice(_LRM_TAILS)}"]
    if roll < 0.14:
        stamp = when.strftime("%Y-%m-%d-%H-%M-%S")
        return [f"{name}: <attached: 00000010-PHOTO-{stamp}.jpg>"]
    if roll < 0.16:
        return [f"{name}: IMG-{when:%Y%m%d}-WA{rng.randint(0, 99):04d}.jpg (file attached)", words]
    if roll < 0.19:
        return [f"{name}: {rng.choice(('<Media omitted>', 'This message was deleted', 'image omitted', 'Video call, 5 min'))}"]
    if roll < 0.21:
        return [f"{name}: {words} <This message was edited>"]
    if roll < 0.23:
        return [f"{name}: POLL:", "Where?", "OPTION: Here (2 votes)", "OPTION: There (0 votes)"]
    if roll < 0.25:
        tail = "updated the message timer. New messages will disappear from this chat 7 days after they're sent."
        return [f"{name}: {short} {tail}"]
    if roll < 0.33:
        lines = [f"{name}: {words}"]
        for _ in range(rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.2:
                lines.append("")
            elif kind < 0.3:
                lines.append(f"{when:%d/%m/%Y}, 10:34:00 AM {short}: pasted")
            elif kind < 0.35:
                lines.append("32/13/2020, 25:61 - Nobody: impossible")
            else:
                lines.append(" ".join(rng.choices(_WORDS, k=rng.randint(1, 6))))
        return lines
    if roll < 0.34:
        return [f"{name}:"]
    return [f"{name}: {words}"]


def torture_text(seed: int, lines: int = 400) -> bytes:
    """One generated chat: a mix of styles, notices, markers, continuations, DST days, damage."""
    rng = random.Random(seed)
    styles = rng.sample(_STYLES, k=rng.choice((1, 1, 1, 2)))
    # Half of the files cross a DST change of Europe/London and America/New_York.
    start = rng.choice(
        (datetime(2021, 3, 27, 22, 0), datetime(2021, 10, 30, 23, 50), datetime(2020, 11, 1, 0, 40), datetime(2019, 5, 14, 8))
    )
    when = start
    out: list[str] = []
    if rng.random() < 0.2:
        out.append("Chat exported on a phone")
    for _ in range(lines):
        step = rng.choice((0, 0, 1, 2, 7, 30, 400, 3000))
        if rng.random() < 0.03:
            when -= timedelta(minutes=rng.randint(1, 90))  # out of order, or the repeated hour
        else:
            when += timedelta(minutes=step)
        style = styles[0] if len(styles) == 1 or rng.random() < 0.9 else styles[1]
        body = _body(rng, when)
        if rng.random() < 0.02 and style.time.startswith("24"):
            head = _header(style, when, rng).replace(f"{when:%H:%M}", f"{when:%H:%M} p.m.", 1)
        else:
            head = _header(style, when, rng)
        out.append(head + body[0])
        out.extend(body[1:])
    eol = rng.choice(("\n", "\r\n", "mixed"))
    parts: list[bytes] = []
    for i, line in enumerate(out):
        end = eol if eol != "mixed" else ("\r\n" if i % 3 else "\n")
        parts.append(line.encode("utf-8") + end.encode())
    data = b"".join(parts)
    if rng.random() < 0.2:
        cut = data.find(b"\n", len(data) // 2) + 1
        data = data[:cut] + b"broken \xff\xfe bytes\n" + data[cut:]
    if rng.random() < 0.2:
        data = b"\xef\xbb\xbf" + data
    if rng.random() < 0.3:
        data = data.rstrip(b"\r\n")
    return data


def torture_files(directory: Path) -> Iterator[tuple[str, Path]]:
    """Write the generated chats into ``directory`` (one folder each, so no siblings are shared)."""
    for i in range(TORTURE_FILES):
        folder = directory / f"t{i:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"WhatsApp Chat with Torture {i:02d}.txt"
        path.write_bytes(torture_text(TORTURE_SEED + i))
        yield f"generated/{path.name}", path


def all_cases(work: Path, corpus: Path = CORPUS) -> Iterator[Case]:
    for key, path in [*fixture_inputs(), *corpus_inputs(corpus), *torture_files(work)]:
        for tz, order in OPTIONS:
            yield Case(f"{key}|{tz}|{order}", path, tz, order)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="write whatsapp_golden.json (only for a deliberate change)")
    args = ap.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result: dict[str, dict[str, object]] = {}
        for case in all_cases(Path(tmp)):
            entry = output_digest(case.path, case.timezone, case.date_order)
            if case.key.startswith("corpus/"):
                entry["file_sha256"] = file_sha256(case.path)
            result[case.key] = entry
    if args.write:
        GOLDEN.write_text(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {len(result)} digests to {GOLDEN}")
    else:
        print(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
