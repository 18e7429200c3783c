"""Scale benchmark: a whole synthetic victim (``gen_victim.py``) ingested into a case, then read back.

For each size in ``--sizes`` (events; media is ``--media-gb`` at every size), each step runs in a
fresh child process, so its peak RSS (``ru_maxrss``: interpreter, imports and work) is its own:

* ``ingest``:   ``Case.create`` + ``case.add(folder)`` – hashing and copying every file, detection,
  parsing, the index, custody and the manifest; events/s is timeline events / wall time;
* ``timeline``: ``sum(1 for _ in case.timeline())`` on the finished case;
* ``contacts``: ``case.contacts("day")``;
* ``report``:   ``cyberevidence.report.write_report(case, path, record=False)`` when that exists.

Timing excludes imports. Victims and cases are kept under ``--dir`` (a case is made afresh for
every run; victims are generated once and reused).

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000,1000000] [--media-gb 2] [--dir DIR] [--check]

Goal: ingest peak RSS at the largest size at most 1.5x that at the smallest (flat memory).
``--trace`` adds a tracemalloc run of the ingest at each size (slower; shows what holds memory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_victim import DEFAULT_DIR, cached

GOAL_FLAT = 1.5
STEPS = ("ingest", "timeline", "contacts", "report")


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def child(step: str, victim: str, case_dir: str) -> dict[str, Any]:
    """One step in this (fresh) process; returns the figures as a dict (printed as JSON)."""
    import cyberevidence as ce

    out: dict[str, Any] = {"step": step, "imports_kib": _peak_kib()}
    if step in ("ingest", "trace"):
        shutil.rmtree(case_dir, ignore_errors=True)
        stages: dict[str, int] = {}
        if step == "trace":
            import tracemalloc

            tracemalloc.start(8)

        def progress(p: Any) -> None:  # peak RSS as each file's parse progresses
            key = f"{p.stage}:{p.name}"
            stages[key] = max(stages.get(key, 0), _rss_kib())

        t0 = time.perf_counter()
        case = ce.Case.create(case_dir, examiner="Bench Examiner", timezone="Europe/London")
        report = case.add(victim, progress=progress, note="scale benchmark")
        out["seconds"] = time.perf_counter() - t0
        out["events"] = case.index.event_count()
        out["files"] = len(report.files)
        out["errors"] = [f.error for f in report.errors]
        out["stage_rss_kib"] = {k: v for k, v in stages.items() if k.startswith("parse:")}
        if step == "trace":
            import tracemalloc

            current, peak = tracemalloc.get_traced_memory()
            snap = tracemalloc.take_snapshot()
            out["traced_kib"] = {"current": current // 1024, "peak": peak // 1024}
            out["top"] = [str(s) for s in snap.statistics("traceback")[:5]]
        case.close()
    else:
        case = ce.Case.open(case_dir)
        t0 = time.perf_counter()
        if step == "timeline":
            out["count"] = sum(1 for _ in case.timeline())
        elif step == "contacts":
            out["count"] = len(case.contacts("day"))
        elif step == "report":
            try:
                from cyberevidence.report import write_report
            except ImportError:
                out["skipped"] = "cyberevidence.report.write_report does not exist"
                return out
            target = Path(case_dir).with_suffix(".report.html")
            write_report(case, target, record=False)
            out["bytes"] = target.stat().st_size
        out["seconds"] = time.perf_counter() - t0
    out["peak_kib"] = _peak_kib()
    return out


def run_child(step: str, victim: Path, case_dir: Path) -> dict[str, Any]:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", step, str(victim), str(case_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="events per victim, smallest first")
    ap.add_argument("--media-gb", type=float, default=2.0, help="media at every size (default 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where victims and cases are kept")
    ap.add_argument("--trace", action="store_true", help="also run a tracemalloc ingest at each size")
    ap.add_argument("--keep", action="store_true", help="keep the cases afterwards")
    ap.add_argument("--check", action="store_true", help="exit with status 2 when the goal is not met")
    ap.add_argument("--child", nargs=3, metavar=("STEP", "VICTIM", "CASE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0

    print(f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; each step is one fresh process")
    peaks: list[float] = []
    wrong = False
    for size in [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]:
        t0 = time.perf_counter()
        victim, desc = cached(args.dir, size, args.media_gb, args.seed)
        made = time.perf_counter() - t0
        print(f"{victim.name}: {desc['events']:,} events, {desc['media_files']} media files "
              f"({int(desc['media_bytes']) / 2**30:.2f} GiB) (ready in {made:.0f} s)")  # type: ignore[call-overload]
        case_dir = args.dir / f"case-{victim.name}"
        for step in STEPS:
            res = run_child(step, victim, case_dir)
            if "skipped" in res:
                print(f"  {step:<9} skipped: {res['skipped']}")
                continue
            line = f"  {step:<9} {res['seconds']:8.1f} s  peak RSS {mib(res['peak_kib']):>8}"
            line += f" (after imports {mib(res['imports_kib'])})"
            if step == "ingest":
                peaks.append(res["peak_kib"])
                ok = res["events"] == desc["events"] and not res["errors"]
                wrong |= not ok
                line += f"  {res['events'] / res['seconds']:,.0f} events/s  events {res['events']:,}"
                line += "" if ok else f" (EXPECTED {desc['events']:,}; errors {res['errors']})"
                top = sorted(res["stage_rss_kib"].items(), key=lambda kv: -kv[1])[:3]
                line += "\n            RSS while parsing: " + ", ".join(f"{k[6:]} {mib(v)}" for k, v in top)
            elif step == "timeline":
                ok = res["count"] == desc["events"]
                wrong |= not ok
                line += f"  {res['count'] / res['seconds']:,.0f} events/s" + ("" if ok else f" (COUNT {res['count']:,})")
            elif step == "contacts":
                line += f"  {res['count']:,} rows"
            elif step == "report":
                line += f"  {res['bytes'] / 1e6:,.1f} MB"
            print(line, flush=True)
        if args.trace:
            res = run_child("trace", victim, case_dir)
            print(f"  tracemalloc ingest: peak traced {mib(res['traced_kib']['peak'])}; largest live allocations:")
            for s in res["top"]:
                print(f"    {s}")
        if not args.keep:
            shutil.rmtree(case_dir, ignore_errors=True)
            case_dir.with_suffix(".report.html").unlink(missing_ok=True)
    if len(peaks) >= 2:
        growth = peaks[-1] / peaks[0]
        met = growth <= GOAL_FLAT
        print(f"ingest peak RSS, largest/smallest size: {growth:.2f} (goal <= {GOAL_FLAT}): {'MET' if met else 'NOT MET'}")
    else:
        met = True
    if wrong:
        return 1
    return 2 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
