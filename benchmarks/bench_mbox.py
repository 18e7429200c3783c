"""mbox benchmark: cyberevidence's streaming mbox parser against stdlib ``mailbox.mbox`` on the same file.

Each run is a child process, so its peak RSS (``ru_maxrss``: interpreter, imports and parse)
is measured cleanly. Timing covers the parse only:

* ours:    ``sum(1 for _ in cyberevidence.standalone.parse(path, timezone="UTC"))`` — hashing the
           file, detection, splitting, full MIME parse, header decoding, Received chain, bodies,
           HTML to text and hashing every attachment;
* mailbox: ``for m in mailbox.mbox(path): m.get_payload(); m["subject"]`` — stdlib splitting and
           a compat32 parse of each message (less work per message than ours).

    .venv/bin/python benchmarks/bench_mbox.py [--size-mb 1000] [--file PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_mbox import DEFAULT_DIR, cached

PARSERS = ("ours", "mailbox")


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(which: str, path: str) -> None:
    if which == "ours":
        from cyberevidence.standalone import parse

        def run() -> int:
            return sum(1 for _ in parse(path, timezone="UTC"))
    else:
        import mailbox

        def run() -> int:
            n = 0
            for m in mailbox.mbox(path, create=False):
                m.get_payload()
                m["subject"]
                n += 1
            return n

    before = _peak_kib()
    t0 = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - t0
    print(json.dumps({"parser": which, "count": count, "seconds": seconds, "peak_kib": _peak_kib(), "imports_kib": before}))


def run_child(which: str, path: Path) -> dict[str, float]:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", which, str(path)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=1000)
    ap.add_argument("--file", type=Path, default=None, help="an existing mbox instead of the generated one")
    ap.add_argument("--child", nargs=2, metavar=("PARSER", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    path = args.file or cached(DEFAULT_DIR, args.size_mb)
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB), Python {sys.version.split()[0]}")
    results = {which: run_child(which, path) for which in PARSERS}
    for which, r in results.items():
        print(
            f"{which:<8} {r['count'] / r['seconds']:>9,.0f} messages/s  parse {r['seconds']:.1f} s  "
            f"peak RSS {r['peak_kib'] / 1024:.0f} MiB (after imports {r['imports_kib'] / 1024:.0f} MiB)  "
            f"messages: {int(r['count'])}"
        )
    counts = {int(r["count"]) for r in results.values()}
    print("message counts: " + ("equal" if len(counts) == 1 else f"DIFFER {sorted(counts)}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
