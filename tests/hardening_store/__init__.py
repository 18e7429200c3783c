"""Hardening tests for the store: crash safety under SIGKILL, concurrent writers and readers.

Shared helpers: deterministic synthetic exports (written into a test's tmp folder) and the
command that runs ``cyberevidence add`` in a child process.
"""

from __future__ import annotations

import random
import sys
import zipfile
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cyberevidence.store.custody import CustodyEntry

_VOCABULARY = (
    "ok yes no maybe later now today tonight please stop why where call me back text phone message "
    "blocked number house car work station train late sorry fine really never saw you outside near "
    "leave alone answer waiting here there café naïve 👍 ❤️"
)
WORDS = _VOCABULARY.split()
START = datetime(2024, 2, 1, 8, 0, tzinfo=timezone.utc)


def _text(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(1, 14)))


def whatsapp_lines(n: int, seed: int, sender: str, media: Sequence[str] = ()) -> list[str]:
    """``n`` Android-style messages (``dd/mm/yyyy, HH:MM - Name: text``); media named first."""
    rng = random.Random(seed)
    lines, t = [], START
    for i in range(n):
        t += timedelta(seconds=rng.randint(20, 900))
        who = sender if rng.random() < 0.7 else "Sarah Jones"
        body = f"{media[i]} (file attached)" if i < len(media) else _text(rng)
        lines.append(f"{t:%d/%m/%Y, %H:%M} - {who}: {body}\n")
    return lines


def write_whatsapp_txt(path: Path, n: int, seed: int, sender: str = "Mark Kell") -> Path:
    path.write_text("".join(whatsapp_lines(n, seed, sender)), encoding="utf-8")
    return path


def write_whatsapp_zip(path: Path, n: int, seed: int, media: int, media_bytes: int, sender: str = "Dana Okafor") -> Path:
    """A "with media" export: the chat text and ``media`` JPEG-headed files it names."""
    rng = random.Random(seed)
    names = [f"IMG-20240201-WA{i:04d}.jpg" for i in range(1, media + 1)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"WhatsApp Chat with {sender}.txt", "".join(whatsapp_lines(n, seed, sender, names)))
        for name in names:
            zf.writestr(name, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(media_bytes))
    return path


def write_sms_xml(path: Path, n: int, seed: int) -> Path:
    """An SMS Backup & Restore backup of ``n`` messages."""
    rng = random.Random(seed)
    out = [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n",
        f'<smses count="{n}" backup_set="0b6f5f4e-3d36-4a0e-9d55-7f4d1c0e7a11" backup_date="1762281000000" type="full">\n',
    ]
    t = int(START.timestamp() * 1000)
    for _ in range(n):
        t += rng.randint(10_000, 900_000)
        kind = 1 if rng.random() < 0.7 else 2
        out.append(
            f'  <sms protocol="0" address="07700 900123" date="{t}" type="{kind}" subject="null" body="{_text(rng)}"'
            ' toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0"'
            ' contact_name="Mark Kell" />\n'
        )
    out.append("</smses>\n")
    path.write_text("".join(out), encoding="utf-8")
    return path


def add_command(case_dir: Path, *paths: Path) -> list[str]:
    """``cyberevidence add CASE PATHS...`` as a child process (the installed CLI, else the API)."""
    cli = Path(sys.executable).with_name("cyberevidence")
    if cli.exists():
        return [str(cli), "add", str(case_dir), *map(str, paths)]
    code = "import sys, cyberevidence as ce; ce.Case.open(sys.argv[1]).add(*sys.argv[2:])"
    return [sys.executable, "-c", code, str(case_dir), *map(str, paths)]


def work_key(e: CustodyEntry) -> tuple[Any, ...] | None:
    """What one custody entry did, independent of when and by which run (None: not evidence work)."""
    d = e.details
    if e.action == "acquire":
        return ("acquire", e.subject, d.get("original_path"))
    if e.action == "derive":
        return ("derive", e.subject, d.get("parent_sha256"), d.get("path_in_parent"))
    if e.action in ("parse", "parse_failed"):
        return (e.action, e.subject, d.get("parser"), str(sorted(dict(d.get("options", {})).items())))
    return None


def work_done(entries: list[CustodyEntry]) -> Counter[tuple[Any, ...]]:
    return Counter(k for k in map(work_key, entries) if k is not None)
