"""Generate a synthetic SMS Backup & Restore ``sms-*.xml`` backup of a given size (deterministic for a seed).

The records look like the Android app's: one ``<sms>`` per line with the app's full attribute set
(``null`` for absent values, ``readable_date``, ``contact_name``), bodies with ``&#10;`` line breaks,
``&amp;``/``&quot;`` escapes and emoji written as surrogate-pair character references
(``&#55357;&#56832;``), about 1 % ``<mms>`` with a SMIL part, a text part and a small base64 PNG.
Numbers are from Ofcom's drama range (07700 900xxx); names are invented. Timestamps never go
backwards. Generation stops at the first record that reaches ``--size`` bytes.

    .venv/bin/python benchmarks/gen_sms.py [OUT.xml] [--size 1G] [--seed 1]

Default output: ``$TMPDIR/cyberevidence-bench/sms-<size>-<seed>.xml``.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import struct
import sys
import tempfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

#: Bump when the output for a given (size, seed) changes, so cached files are not reused.
GENERATOR_VERSION = 1
DEFAULT_DIR = Path(tempfile.gettempdir()) / "cyberevidence-bench"
START_MS = int(datetime(2023, 3, 6, 7, 30, tzinfo=timezone.utc).timestamp() * 1000)
CONTACTS = (
    ("07700 900123", "Mark Kell"),
    ("+447700900123", "Mark Kell"),
    ("07700 900456", "Dana Okafor"),
    ("07700900789", "Priya Shah"),
    ("07700 900321", "(Unknown)"),
)
_VOCABULARY = (
    "ok yes no maybe later now today tonight tomorrow again still please stop why where when who what call me back "
    "text phone message read seen blocked number new old house car work office station train bus late early sorry "
    "thanks fine good bad really never always just saw you outside near the a and but or so if then because I we they "
    "is are was were be have had do did not can't won't don't know think want need leave alone answer here there "
    "café naïve über &amp; &quot;quoted&quot; &#55357;&#56832; &#55357;&#56397; &#10;"
)
WORDS = _VOCABULARY.split()
SMIL = (
    "&lt;smil&gt;&lt;head&gt;&lt;layout&gt;&lt;root-layout/&gt;&lt;region id=&quot;Image&quot; top=&quot;0&quot; "
    "left=&quot;0&quot; height=&quot;80%&quot; width=&quot;100%&quot;/&gt;&lt;/layout&gt;&lt;/head&gt;&lt;body&gt;"
    "&lt;par dur=&quot;5000ms&quot;&gt;&lt;img src=&quot;IMG.png&quot; region=&quot;Image&quot; /&gt;&lt;/par&gt;"
    "&lt;/body&gt;&lt;/smil&gt;"
)
MMS_SHARE = 0.01


def _png(rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * 8 for _ in range(8))
    ihdr = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def _body(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(2, 30)))


def _readable(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%d %b %Y %H:%M:%S")


def iter_records(seed: int = 1) -> Iterator[tuple[str, bool]]:
    """Yield (record XML line(s), is_mms) forever."""
    rng = random.Random(seed)
    ms = START_MS
    while True:
        ms += int(rng.expovariate(1 / 120_000)) + 1
        address, name = rng.choice(CONTACTS)
        kind = rng.choices((1, 2, 3, 5), (55, 43, 1, 1))[0]
        if rng.random() < MMS_SHARE:
            png = base64.b64encode(_png((rng.randrange(256), rng.randrange(256), rng.randrange(256)))).decode("ascii")
            box = 1 if kind == 1 else 2
            sender, to = (address, "+447700900999") if box == 1 else ("insert-address-token", address)
            yield (
                f'  <mms date="{ms}" ct_t="application/vnd.wap.multipart.related" msg_box="{box}" rr="null" sub="null" '
                f'read_status="null" address="{address}" m_id="null" read="1" m_size="{len(png)}" '
                f'm_type="{132 if box == 1 else 128}" text_only="0" sub_cs="null" locked="0" date_sent="0" seen="1" '
                f'readable_date="{_readable(ms)}" contact_name="{name}">\n'
                "    <parts>\n"
                f'      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" fn="null" cid="&lt;smil&gt;" '
                f'cl="smil.xml" ctt_s="null" ctt_t="null" text="{SMIL}" />\n'
                f'      <part seq="0" ct="image/png" name="IMG.png" chset="null" cd="null" fn="null" cid="&lt;IMG&gt;" '
                f'cl="IMG.png" ctt_s="null" ctt_t="null" text="null" data="{png}" />\n'
                f'      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" cid="&lt;text_0&gt;" '
                f'cl="text_0.txt" ctt_s="null" ctt_t="null" text="{_body(rng)}" />\n'
                "    </parts>\n"
                "    <addrs>\n"
                f'      <addr address="{sender}" type="137" charset="106" />\n'
                f'      <addr address="{to}" type="151" charset="106" />\n'
                "    </addrs>\n"
                "  </mms>\n",
                True,
            )
        else:
            sent = ms - rng.randint(0, 5000) if kind == 1 else 0
            yield (
                f'  <sms protocol="0" address="{address}" date="{ms}" type="{kind}" subject="null" body="{_body(rng)}" '
                f'toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="{sent}" '
                f'sub_id="1" readable_date="{_readable(ms)}" contact_name="{name}" />\n',
                False,
            )


def write(path: Path, size: int, seed: int = 1) -> tuple[int, int]:
    """Write a backup of at least ``size`` bytes; returns (sms count, mms count)."""
    n_sms = n_mms = 0
    written = 0
    tmp = path.with_suffix(".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        head = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        # the count is unknown until the end: pad it so it can be patched in place
        root = '<smses count="0000000000" backup_set="bench" backup_date="0" type="full">\n'
        fh.write(head + root)
        written = len(head) + len(root)
        buf: list[str] = []
        for record, is_mms in iter_records(seed):
            buf.append(record)
            written += len(record.encode("utf-8"))
            n_mms += is_mms
            n_sms += not is_mms
            if len(buf) >= 5000:
                fh.write("".join(buf))
                buf.clear()
            if written >= size:
                break
        fh.write("".join(buf) + "</smses>\n")
    with open(tmp, "r+b") as fh:
        fh.seek(len(head) + len('<smses count="'))
        fh.write(f"{n_sms + n_mms:010d}".encode("ascii"))
    os.replace(tmp, path)
    return n_sms, n_mms


def cached(directory: Path, size: int, seed: int = 1) -> tuple[Path, int]:
    """A backup of ``size`` bytes in ``directory``, generated on first use; returns (path, records)."""
    path = directory / f"sms-{size}-{seed}-v{GENERATOR_VERSION}.xml"
    meta = path.with_suffix(".count")
    if not (path.is_file() and meta.is_file()):
        n_sms, n_mms = write(path, size, seed)
        meta.write_text(str(n_sms + n_mms))
    return path, int(meta.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, help="output file (default: a cached file under $TMPDIR/cyberevidence-bench)")
    ap.add_argument("--size", default="1G", help="target size, e.g. 100M, 1G (default 1G)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    size = parse_size(args.size)
    if args.out is None:
        path, records = cached(DEFAULT_DIR, size, args.seed)
        print(f"{path}: {path.stat().st_size / 1e6:.1f} MB, {records} records")
    else:
        n_sms, n_mms = write(args.out, size, args.seed)
        print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB, {n_sms} sms + {n_mms} mms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
