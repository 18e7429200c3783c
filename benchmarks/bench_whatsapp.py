"""WhatsApp parse benchmark: cyberevidence's parser against whatstk on the same synthetic export.

Each parse runs in its own child process, so its peak RSS (``ru_maxrss``, the whole process:
interpreter, imports and parse) is measured cleanly. The two parsers alternate for ``--rounds``
rounds (the order flips each round); the best parse time and the highest peak RSS of each are
reported. Timing covers the parse only (imports are done before the clock starts):

* ours:    ``sum(1 for _ in cyberevidence.standalone.parse(path, timezone="Europe/London", date_order="dmy"))``
           (this includes hashing the file and detecting its type, as a real parse does);
* whatstk: ``len(WhatsAppChat.from_source(filepath=path, hformat=..., auto_header=False, max_size=None).df)``.

Goals: ours at least 3x the events/s of whatstk, and at most half its peak RSS. ``--sizes`` then
parses exports of other sizes once each, to show that our peak RSS stays flat as the chat grows.

whatstk is GPL-3.0: it is imported here, in a benchmark child process, and never by the library.

    .venv/bin/python benchmarks/bench_whatsapp.py [--messages 200000] [--rounds 3] [--sizes 20000,200000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_whatsapp import HFORMAT_WHATSTK, cached

GOAL_SPEED = 3.0
GOAL_MEMORY = 0.5
PARSERS = ("ours", "whatstk")
DEFAULT_DIR = Path(tempfile.gettempdir()) / "cyberevidence-bench"


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(which: str, path: str) -> None:
    """Run one parse in this (fresh) process and print a JSON line with the results."""
    if which == "ours":
        from cyberevidence.standalone import parse

        def run() -> int:
            return sum(1 for _ in parse(path, timezone="Europe/London", date_order="dmy"))
    else:
        from whatstk.whatsapp.objects import WhatsAppChat

        def run() -> int:
            chat = WhatsAppChat.from_source(filepath=path, hformat=HFORMAT_WHATSTK, auto_header=False, max_size=None)
            return len(chat.df)

    before = _peak_kib()
    t0 = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - t0
    print(json.dumps({"parser": which, "count": count, "seconds": seconds, "peak_kib": _peak_kib(), "imports_kib": before}))


def run_child(which: str, path: Path) -> dict[str, float]:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", which, str(path)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t0
    return result


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=200_000, help="messages in the main export (default 200000)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of both parsers (default 3)")
    ap.add_argument("--sizes", default="20000,200000", help="message counts for the peak-RSS-by-size table ('' skips it)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where exports are cached")
    ap.add_argument("--check", action="store_true", help="exit with status 2 when a goal is not met")
    ap.add_argument("--child", nargs=2, metavar=("PARSER", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0

    path = cached(args.dir, args.messages, args.seed)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {args.messages} messages), Python {sys.version.split()[0]}")
    runs: dict[str, list[dict[str, float]]] = {p: [] for p in PARSERS}
    for r in range(args.rounds):
        for which in PARSERS if r % 2 == 0 else PARSERS[::-1]:
            runs[which].append(run_child(which, path))

    best = {p: min(x["seconds"] for x in runs[p]) for p in PARSERS}
    peak = {p: max(x["peak_kib"] for x in runs[p]) for p in PARSERS}
    counts = {p: sorted({int(x["count"]) for x in runs[p]}) for p in PARSERS}
    rate = {p: counts[p][0] / best[p] for p in PARSERS}
    for p in PARSERS:
        imports = max(x["imports_kib"] for x in runs[p])
        wall = min(x["wall"] for x in runs[p])
        print(
            f"{p:<8} {rate[p]:>9,.0f} events/s  parse {best[p]:.2f} s (process {wall:.2f} s)  "
            f"peak RSS {mib(peak[p])} (after imports {mib(imports)})  messages parsed: {', '.join(map(str, counts[p]))}"
        )
    speed = rate["ours"] / rate["whatstk"]
    memory = peak["ours"] / peak["whatstk"]
    ok_speed, ok_memory = speed >= GOAL_SPEED, memory <= GOAL_MEMORY
    print(f"speed ours/whatstk: {speed:.2f}x (goal >= {GOAL_SPEED}x): {'MET' if ok_speed else 'NOT MET'}")
    print(f"peak RSS ours/whatstk: {memory:.2f} (goal <= {GOAL_MEMORY}): {'MET' if ok_memory else 'NOT MET'}")
    same = all(c == [args.messages] for c in counts.values())
    print(f"message counts: {'both parsed all ' + str(args.messages) if same else 'DIFFER: ' + json.dumps(counts)}")

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
        print("peak RSS by export size (one run each):")
        for n in sizes:
            f = cached(args.dir, n, args.seed)
            cells = []
            for which in PARSERS:
                res = run_child(which, f)
                cells.append(f"{which} {mib(res['peak_kib'])} ({res['count'] / res['seconds']:,.0f} events/s)")
            print(f"  {n:>9,} messages ({f.stat().st_size / 1e6:5.1f} MB): " + "   ".join(cells))
    if not same:
        return 1
    return 2 if args.check and not (ok_speed and ok_memory) else 0


if __name__ == "__main__":
    sys.exit(main())
