"""Generate a synthetic Android WhatsApp export for benchmarks (deterministic for a given seed).

The output looks like a UK Android export: ``dd/mm/yyyy, HH:MM - Name: text`` (24 h clock), LF line
ends, UTF-8. About 5 % of messages span several lines, a few are ``<Media omitted>``; three invented
senders (two do most of the talking); timestamps never go backwards and cover about two years
whatever the message count. There are no system notices, so every header line is one message
for any parser, and continuation lines never look like headers.

    .venv/bin/python benchmarks/gen_whatsapp.py OUT.txt [--messages 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

#: Bump when the output for a given (messages, seed) changes, so cached files are not reused.
GENERATOR_VERSION = 1
HFORMAT_WHATSTK = "%d/%m/%Y, %H:%M - %name:"
START = datetime(2023, 3, 6, 7, 30)
SPAN_MINUTES = 2 * 365 * 24 * 60

SENDERS = ("Maren Holloway", "Tobias Quill", "Ines Barrowcliffe")
SENDER_WEIGHTS = (48, 47, 5)
_VOCABULARY = (
    "ok yes no maybe later now today tonight tomorrow again still please stop why where when who what "
    "call me back text phone message read seen blocked number new old house car work office station "
    "train bus late early sorry thanks fine good bad really never always just saw you outside near "
    "the a an and but or so if then because I we they he she it is are was were be have had do did "
    "not can't won't don't know think want need leave alone answer picked up left waiting here there "
    "café naïve über 👍 😂 ❤️ 🙏 x xx ?! ... lol omg"
)
WORDS = _VOCABULARY.split()
MULTILINE_SHARE = 0.05
MEDIA_SHARE = 0.004


def _text(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(1, 18)))


def iter_lines(messages: int, seed: int = 1) -> Iterator[str]:
    """Yield the export's lines (with ``\\n``), one message at a time."""
    rng = random.Random(seed)
    mean_gap = SPAN_MINUTES / max(messages, 1)
    minutes = 0.0
    for _ in range(messages):
        minutes += rng.expovariate(1.0 / mean_gap)
        when = START + timedelta(minutes=int(minutes))
        sender = rng.choices(SENDERS, SENDER_WEIGHTS)[0]
        roll = rng.random()
        if roll < MEDIA_SHARE:
            body = "<Media omitted>"
        elif roll < MEDIA_SHARE + MULTILINE_SHARE:
            body = "\n".join(_text(rng) for _ in range(rng.randint(2, 4)))
        else:
            body = _text(rng)
        yield f"{when:%d/%m/%Y, %H:%M} - {sender}: {body}\n"


def generate(path: Path, messages: int = 200_000, seed: int = 1) -> Path:
    """Write the export to ``path`` (atomically) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        batch: list[str] = []
        for line in iter_lines(messages, seed):
            batch.append(line)
            if len(batch) >= 10_000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))
    os.replace(tmp, path)
    return path


def cached(directory: Path, messages: int, seed: int = 1) -> Path:
    """The export for (messages, seed) under ``directory``, generated on first use.

    Each export gets a folder of its own: a parser that looks at files beside the chat (for media
    attachments) must not find, and hash, other benchmarks' files.
    """
    path = directory / f"whatsapp-{messages}-seed{seed}-v{GENERATOR_VERSION}" / "WhatsApp Chat with Tobias Quill.txt"
    return path if path.exists() else generate(path, messages, seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="where to write the .txt export")
    ap.add_argument("--messages", type=int, default=200_000, help="number of messages (default 200000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    generate(args.out, args.messages, args.seed)
    print(f"{args.out}: {args.messages} messages, {args.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
