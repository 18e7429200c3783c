"""SMS Backup & Restore parse benchmark: events/s and peak RSS at several backup sizes.

Each parse runs in its own child process, so its peak RSS (``ru_maxrss``, the whole process:
interpreter, imports and parse) is measured cleanly. Two measurements per size:

* ``parse``:  ``sum(1 for _ in cyberevidence.parse(path))`` – what a script does; includes hashing
  the file, detecting its type, and giving each event its stable id (the id assigner keeps a small
  number per distinct event, so this grows with the number of events, by design);
* ``parser``: ``sum(1 for _ in PARSER.parse(source, HashOnlyContext(...)))`` – the streaming parser
  alone (MMS parts are still decoded and hashed), to show that the parser itself stays flat.

Timing covers the parse only (imports are done before the clock starts). Backups are generated
by ``gen_sms.py`` (cached under ``--dir``).

    .venv/bin/python benchmarks/bench_sms.py [--sizes 100M,1G] [--dir DIR] [--check]

Goal: the parser's peak RSS at the largest size at most 1.5x that at the smallest (flat memory).
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
from gen_sms import DEFAULT_DIR, cached, parse_size

MODES = ("parse", "parser")
GOAL_FLAT = 1.5


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(mode: str, path: str) -> None:
    """Run one parse in this (fresh) process and print a JSON line with the results."""
    import cyberevidence
    from cyberevidence.events import Event
    from cyberevidence.parsers.base import ParseOptions
    from cyberevidence.parsers.sms_backup import PARSER
    from cyberevidence.standalone import HashOnlyContext, source_file_for

    if mode == "parse":

        def run() -> int:
            return sum(1 for _ in cyberevidence.parse(path))
    else:

        def run() -> int:
            source = source_file_for(Path(path))
            return sum(1 for item in PARSER.parse(source, HashOnlyContext(ParseOptions())) if isinstance(item, Event))

    before = _peak_kib()
    t0 = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - t0
    print(json.dumps({"mode": mode, "count": count, "seconds": seconds, "peak_kib": _peak_kib(), "imports_kib": before}))


def run_child(mode: str, path: Path) -> dict[str, float]:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", mode, str(path)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100M,1G", help="backup sizes, smallest first (default 100M,1G)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where backups are cached")
    ap.add_argument("--check", action="store_true", help="exit with status 2 when the goal is not met")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0

    print(f"Python {sys.version.split()[0]}; each row is one fresh process")
    peaks: dict[str, list[float]] = {m: [] for m in MODES}
    wrong = False
    for size in [parse_size(s) for s in args.sizes.split(",") if s.strip()]:
        t0 = time.perf_counter()
        path, records = cached(args.dir, size, args.seed)
        made = time.perf_counter() - t0
        print(f"{path.name}: {path.stat().st_size / 1e6:,.0f} MB, {records:,} records (ready in {made:.0f} s)")
        for mode in MODES:
            res = run_child(mode, path)
            peaks[mode].append(res["peak_kib"])
            ok = int(res["count"]) == records
            wrong |= not ok
            print(
                f"  {mode:<7} {res['count'] / res['seconds']:>9,.0f} events/s  {res['seconds']:7.1f} s  "
                f"peak RSS {mib(res['peak_kib']):>8} (after imports {mib(res['imports_kib'])})  "
                f"events {int(res['count']):,}{'' if ok else ' (EXPECTED ' + str(records) + ')'}"
            )
    growth = peaks["parser"][-1] / peaks["parser"][0]
    met = growth <= GOAL_FLAT
    print(f"parser peak RSS, largest/smallest size: {growth:.2f} (goal <= {GOAL_FLAT}): {'MET' if met else 'NOT MET'}")
    if wrong:
        return 1
    return 2 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
