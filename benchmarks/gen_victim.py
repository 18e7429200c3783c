"""Generate a synthetic victim's exports for the scale benchmark (deterministic for a given seed).

One folder, as an advocate would receive it from a victim's phone and accounts::

    OUT/whatsapp/WhatsApp Chat with Mark Kell.txt   Android export, dd/mm/yyyy, HH:MM - Name: text
    OUT/whatsapp/IMG-YYYYMMDD-WA0001.jpg ...          media beside the chat, each named by a
                                                      "IMG-... (file attached)" line, so it is linked
    OUT/sms/sms-20251104183000.xml                    SMS Backup & Restore messages
    OUT/sms/calls-20251104183000.xml                  SMS Backup & Restore call log
    OUT/telegram/result.json                          Telegram Desktop "single chat" JSON export
    OUT/email/inbox.mbox                              a Unix mailbox (Thunderbird / Takeout style)

``--events`` (default 1,000,000) is split 40 % WhatsApp, 22 % SMS, 8 % calls, 20 % Telegram and
10 % e-mail; every record is one timeline event. Timestamps cover about two years and never go
backwards within a file. Names and numbers are invented (Ofcom drama range 07700 900xxx,
``example.net`` mail). ``--media-gb`` (default 2) of media files are random bytes behind a JPEG
header (2 MiB each, the last one shorter), which the photo parser stores without finding EXIF.

    .venv/bin/python benchmarks/gen_victim.py OUT [--events 1000000] [--media-gb 2] [--seed 1]

A ``victim.json`` beside the exports records what was made (counts per file); generation is
skipped when it already matches the arguments (``cached()``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import quoteattr

#: Bump when the output for given arguments changes, so cached folders are not reused.
GENERATOR_VERSION = 1
DEFAULT_DIR = Path(tempfile.gettempdir()) / "cyberevidence-bench"
START = datetime(2023, 3, 6, 7, 30, tzinfo=timezone.utc)
SPAN_SECONDS = 2 * 365 * 24 * 3600
SHARES = {"whatsapp": 0.40, "sms": 0.22, "calls": 0.08, "telegram": 0.20, "email": 0.10}
MEDIA_FILE_BYTES = 2 << 20
WHATSAPP_THREAD = "Mark Kell"
_VOCABULARY = (
    "ok yes no maybe later now today tonight tomorrow again still please stop why where when who what "
    "call me back text phone message read seen blocked number new old house car work office station "
    "train bus late early sorry thanks fine good bad really never always just saw you outside near "
    "the a an and but or so if then because I we they he she it is are was were be have had do did "
    "not can't won't don't know think want need leave alone answer picked up left waiting here there "
    "café naïve über 👍 😂 ❤️ 🙏 x xx ?! ... lol omg"
)
WORDS = _VOCABULARY.split()
CONTACTS = (("07700 900123", "Mark Kell"), ("+447700900123", "Mark Kell"), ("07700 900456", "Dana Okafor"))
JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")

#: The people file for the generated victim: the victim, and the subject with every account the
#: generator gives him (the benchmarks measure with a subject, as a real case has one).
PEOPLE_TOML = f"""[[person]]
name = "Sarah Jones"
role = "victim"
emails = ["sarah@example.org"]
handles = ["whatsapp:Sarah Jones", "telegram:Sarah Jones"]

[[person]]
name = "{WHATSAPP_THREAD}"
role = "subject"
phones = ["{CONTACTS[0][0]}"]
emails = ["mark.kell@example.net"]
handles = ["whatsapp:{WHATSAPP_THREAD}", "telegram:{WHATSAPP_THREAD}"]
"""


def _text(rng: random.Random, most: int = 18) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(1, most)))


def _times(rng: random.Random, n: int) -> Iterator[datetime]:
    """``n`` increasing moments over about two years (whole seconds)."""
    gap = SPAN_SECONDS / max(n, 1)
    t = 0.0
    for _ in range(n):
        t += rng.expovariate(1.0 / gap)
        yield START + timedelta(seconds=int(t))


def split_events(events: int) -> dict[str, int]:
    counts = {k: int(events * v) for k, v in SHARES.items()}
    counts["whatsapp"] += events - sum(counts.values())
    return counts


def media_names(media_bytes: int) -> list[tuple[str, int]]:
    names = []
    left, i = media_bytes, 0
    while left > 0:
        size = min(MEDIA_FILE_BYTES, left)
        i += 1
        day = START + timedelta(days=i % 700)
        names.append((f"IMG-{day:%Y%m%d}-WA{i:04d}.jpg", size))
        left -= size
    return names


class _Writer:
    """Buffered text writer: joins lines in batches (the generator is I/O-bound, not call-bound)."""

    def __init__(self, fh: TextIO) -> None:
        self.fh, self.buf = fh, []  # type: tuple[TextIO, list[str]]

    def write(self, s: str) -> None:
        self.buf.append(s)
        if len(self.buf) >= 10_000:
            self.flush()

    def flush(self) -> None:
        self.fh.write("".join(self.buf))
        self.buf.clear()


def write_whatsapp(path: Path, n: int, media: list[tuple[str, int]], rng: random.Random) -> None:
    """Android export; media lines are spread evenly through the chat (one per media file)."""
    every = max(n // max(len(media), 1), 1)
    senders = (WHATSAPP_THREAD, "Sarah Jones")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = _Writer(fh)
        m = 0
        for i, when in enumerate(_times(rng, n)):
            local = when + timedelta(hours=1)  # close enough to Europe/London for a synthetic chat
            sender = senders[rng.random() < 0.3]
            if m < len(media) and i % every == 0:
                body = f"{media[m][0]} (file attached)"
                m += 1
            elif rng.random() < 0.05:
                body = "\n".join(_text(rng) for _ in range(rng.randint(2, 3)))
            else:
                body = _text(rng)
            w.write(f"{local:%d/%m/%Y, %H:%M} - {sender}: {body}\n")
        w.flush()


def write_media(folder: Path, media: list[tuple[str, int]], rng: random.Random) -> None:
    for name, size in media:
        with open(folder / name, "wb") as fh:
            fh.write(JPEG_HEAD)
            left = size - len(JPEG_HEAD)
            while left > 0:
                step = min(left, 1 << 20)
                fh.write(rng.randbytes(step))
                left -= step


def write_sms(path: Path, n: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = _Writer(fh)
        w.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        w.write("<!--File Created By SMS Backup & Restore v10.20.002 on 04/11/2025 18:30:00-->\n")
        w.write('<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n')
        w.write(f'<smses count="{n}" backup_set="0b6f5f4e-3d36-4a0e-9d55-7f4d1c0e7a11" backup_date="1762281000000"')
        w.write(' type="full">\n')
        for when in _times(rng, n):
            address, name = CONTACTS[rng.randrange(len(CONTACTS))]
            ms = int(when.timestamp() * 1000) + rng.randrange(1000)
            kind = 1 if rng.random() < 0.7 else 2
            w.write(
                f'  <sms protocol="0" address="{address}" date="{ms}" type="{kind}" subject="null" body={quoteattr(_text(rng))}'
                f' toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0"'
                f' readable_date="{when:%d %b %Y %H:%M:%S}" contact_name="{name}" />\n'
            )
        w.write("</smses>\n")
        w.flush()


def write_calls(path: Path, n: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = _Writer(fh)
        w.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        w.write("<!--File Created By SMS Backup & Restore v10.20.002 on 04/11/2025 18:30:00-->\n")
        w.write('<?xml-stylesheet type="text/xsl" href="calls.xsl"?>\n')
        w.write(f'<calls count="{n}" backup_set="5c1e2a90-8f0e-4a55-b1f3-2f6a3c4d5e6f" backup_date="1762281000000">\n')
        for when in _times(rng, n):
            number, name = CONTACTS[rng.randrange(len(CONTACTS))]
            kind = rng.choice((1, 2, 3, 3, 3, 5))
            duration = rng.randrange(1, 600) if kind in (1, 2) else 0
            ms = int(when.timestamp() * 1000)
            w.write(
                f'  <call number="{number}" duration="{duration}" date="{ms}" type="{kind}" presentation="1"'
                f' readable_date="{when:%d %b %Y %H:%M:%S}" contact_name="{name}" />\n'
            )
        w.write("</calls>\n")
        w.flush()


def write_telegram(path: Path, n: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = _Writer(fh)
        w.write('{\n "name": "Mark Kell",\n "type": "personal_chat",\n "id": 4455667788,\n "messages": [\n')
        for i, when in enumerate(_times(rng, n)):
            mine = rng.random() < 0.3
            text = _text(rng)
            msg = {
                "id": i + 1,
                "type": "message",
                "date": (when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(when.timestamp())),
                "from": "Sarah Jones" if mine else "Mark Kell",
                "from_id": "user1000000001" if mine else "user4455667788",
                "text": text,
                "text_entities": [{"type": "plain", "text": text}],
            }
            w.write(("  " if i == 0 else ",\n  ") + json.dumps(msg, ensure_ascii=False))
        w.write("\n ]\n}\n")
        w.flush()


def write_mbox(path: Path, n: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = _Writer(fh)
        for i, when in enumerate(_times(rng, n)):
            incoming = rng.random() < 0.8
            them, me = "mark.kell@example.net", "sarah@example.org"
            sender, to = (them, me) if incoming else (me, them)
            w.write(
                f"From {sender} {when:%a %b %d %H:%M:%S %Y}\n"
                f"From: {sender}\nTo: {to}\nSubject: {_text(rng, 6)}\n"
                f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\nMessage-ID: <m{i}.{rng.getrandbits(32):08x}@example.net>\n"
                f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                f"{_text(rng, 40)}\n{_text(rng, 40)}\n\n"
            )
        w.flush()


def generate(out: Path, events: int = 1_000_000, media_gb: float = 2.0, seed: int = 1) -> dict[str, object]:
    """Write the victim's exports into ``out`` (replaced) and return the description."""
    counts = split_events(events)
    media = media_names(int(media_gb * (1 << 30)))
    counts["whatsapp"] = max(counts["whatsapp"], len(media))
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    for sub in ("whatsapp", "sms", "telegram", "email"):
        (tmp / sub).mkdir(parents=True)
    rng = random.Random(seed)
    write_whatsapp(tmp / "whatsapp" / f"WhatsApp Chat with {WHATSAPP_THREAD}.txt", counts["whatsapp"], media, rng)
    write_media(tmp / "whatsapp", media, rng)
    write_sms(tmp / "sms" / "sms-20251104183000.xml", counts["sms"], rng)
    write_calls(tmp / "sms" / "calls-20251104183000.xml", counts["calls"], rng)
    write_telegram(tmp / "telegram" / "result.json", counts["telegram"], rng)
    write_mbox(tmp / "email" / "inbox.mbox", counts["email"], rng)
    desc: dict[str, object] = {
        "generator_version": GENERATOR_VERSION,
        "events": sum(counts.values()),
        "seed": seed,
        "media_gb": media_gb,
        "media_files": len(media),
        "media_bytes": sum(s for _, s in media),
        "counts": counts,
    }
    (tmp / "victim.json").write_text(json.dumps(desc, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return desc


def cached(folder: Path, events: int, media_gb: float, seed: int = 1) -> tuple[Path, dict[str, object]]:
    """The victim folder for these arguments under ``folder``, generated on first use."""
    out = folder / f"victim-{events}-{media_gb:g}g-{seed}"
    try:
        desc = json.loads((out / "victim.json").read_text(encoding="utf-8"))
        if desc.get("generator_version") == GENERATOR_VERSION:
            return out, desc
    except (OSError, ValueError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    return out, generate(out, events, media_gb, seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (replaced if it exists)")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--media-gb", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    desc = generate(args.out, args.events, args.media_gb, args.seed)
    print(json.dumps(desc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
