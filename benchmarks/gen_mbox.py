"""Generate a synthetic mbox for the e-mail benchmark (default about 1 GB, in /tmp).

Messages vary in size and shape: plain text, multipart/alternative (plain + HTML), and about
one in eight with a base64 attachment; headers carry a Received chain, Authentication-Results
and Gmail's X-GM-THRID / X-Gmail-Labels. About one body line in 200 starts with ``From `` and is
written quoted (``>From ``), as an mbox writer must. Deterministic for a given ``--seed``.

    .venv/bin/python benchmarks/gen_mbox.py [--size-mb 1000] [--out /tmp/cyberevidence-bench/bench-1000mb.mbox]
"""

from __future__ import annotations

import argparse
import base64
import random
import tempfile
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

DEFAULT_DIR = Path(tempfile.gettempdir()) / "cyberevidence-bench"
WORDS = (
    "please", "stop", "contacting", "me", "I", "know", "where", "you", "are", "tonight", "again",
    "why", "did", "you", "not", "answer", "the", "message", "call", "back", "now",
)  # fmt: skip


def message(rng: random.Random, n: int, when: datetime) -> bytes:
    sender = f"user{rng.randrange(50)}@example.net"
    to = f"victim{rng.randrange(3)}@example.org"
    lines = []
    for _ in range(rng.randrange(3, 40)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 14)))
        lines.append(">From " + words if rng.random() < 0.005 else words)
    body = "\n".join(lines)
    hdr = [
        f"From {sender} {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}",
        f"X-GM-THRID: {1_600_000_000_000_000_000 + n // 3}",
        "X-Gmail-Labels: Inbox,Important",
        f"Received: from mail{n % 7}.example.net (mail{n % 7}.example.net [198.51.100.{n % 250}]) by mx.example.org "
        f"with ESMTPS id {n:x}; {format_datetime(when + timedelta(seconds=3))}",
        f"Received: from [192.168.1.{n % 200}] by mail{n % 7}.example.net with ESMTPSA; "
        f"{format_datetime(when + timedelta(seconds=1))}",
        "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.net; dkim=pass header.d=example.net; dmarc=pass",
        f"From: User {n % 50} <{sender}>",
        f"To: {to}",
        f"Subject: message {n}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{n}.bench@example.net>",
        "MIME-Version: 1.0",
    ]
    kind = rng.random()
    if kind < 0.125:
        blob = base64.encodebytes(rng.randbytes(rng.randrange(2_000, 60_000))).decode("ascii")
        parts = [
            'Content-Type: multipart/mixed; boundary="b1"',
            "",
            "--b1",
            "Content-Type: text/plain; charset=utf-8",
            "",
            body,
            "--b1",
            'Content-Type: application/octet-stream; name="photo.bin"',
            "Content-Transfer-Encoding: base64",
            'Content-Disposition: attachment; filename="photo.bin"',
            "",
            blob.rstrip("\n"),
            "--b1--",
        ]
    elif kind < 0.5:
        parts = [
            'Content-Type: multipart/alternative; boundary="b2"',
            "",
            "--b2",
            "Content-Type: text/plain; charset=utf-8",
            "",
            body,
            "--b2",
            "Content-Type: text/html; charset=utf-8",
            "",
            "<html><body><p>" + body.replace("\n", "</p><p>") + "</p></body></html>",
            "--b2--",
        ]
    else:
        parts = ["Content-Type: text/plain; charset=utf-8", "", body]
    return ("\n".join(hdr + parts) + "\n\n").encode("utf-8")


def generate(out: Path, size_mb: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    target = size_mb * 1_000_000
    when = datetime(2022, 1, 1, tzinfo=timezone.utc)
    n = written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with open(tmp, "wb") as fh:
        while written < target:
            data = message(rng, n, when)
            fh.write(data)
            written += len(data)
            n += 1
            when += timedelta(seconds=rng.randrange(30, 3600))
    tmp.replace(out)
    return n


def cached(directory: Path, size_mb: int, seed: int = 1) -> Path:
    path = directory / f"bench-{size_mb}mb-seed{seed}.mbox"
    if not path.exists():
        generate(path, size_mb, seed)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or DEFAULT_DIR / f"bench-{args.size_mb}mb-seed{args.seed}.mbox"
    n = generate(out, args.size_mb, args.seed)
    print(f"{out}: {n} messages, {out.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
