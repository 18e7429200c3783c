"""Every issue-20 figure in one run, side by side: each step in a fresh process, on one victim.

On a synthetic victim (``gen_victim.py``, no media) of ``--events`` events, with a people file
that names the victim and a subject (so ``conduct`` and ``report`` do their real work), each step
runs in its own child process: its time excludes imports and its peak RSS (``ru_maxrss``) is its
own. Printed, with the target beside each:

* ``add`` end to end ÷ parsing alone (``cyberevidence.parse`` of every export);
* ``timeline --format jsonl`` (``write_timeline_jsonl`` + ``record_export``) ÷ a bare ``sqlite3``
  fetch of the same records written to a file, and events per second;
* ``contacts('day')``, ``conduct()``, the hour x weekday matrix, ``links()`` and the report in
  seconds, with the bare SQL ``GROUP BY`` and the former per-event ``course_of_conduct`` beside;
* ``index.sqlite`` bytes per event, and every read's peak RSS;
* the WhatsApp parse against whatstk, from ``bench_whatsapp.py`` when it is present.

    .venv/bin/python benchmarks/bench_all.py [--events 1000000] [--case DIR] [--dir DIR] [--no-whatsapp]

``--case DIR`` reuses a case already built from the same victim (and its people file), skipping
the ``add`` step. Times are wall-clock on a shared machine: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_victim import DEFAULT_DIR, WHATSAPP_THREAD, cached
from gen_victim import PEOPLE_TOML as PEOPLE

HERE = Path(__file__).resolve().parent

#: step -> (target text, the limit in seconds or as a ratio, what it is a ratio to or "").
TARGETS = {
    "add": ("≤ 1.5× parse", 1.5, "parse"),
    "timeline": ("≤ 5× bare fetch", 5.0, "bare_fetch"),
    "contacts": ("< 3 s", 3.0, ""),
    "conduct": ("< 3 s", 3.0, ""),
    "report": ("< 20 s", 20.0, ""),
}
READS = ("bare_fetch", "timeline", "bare_group", "contacts", "conduct", "conduct_per_event", "heatmap", "links", "report")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """This process's CPU seconds (user + system): less at the mercy of a shared machine than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(step: str, victim: Path, case_dir: Path) -> dict[str, Any]:
    """One step in this fresh process: its seconds (imports excluded), peak RSS and a count."""
    import cyberevidence as ce

    out: dict[str, Any] = {"step": step}
    work = case_dir.parent
    t0, c0 = time.perf_counter(), _cpu()
    if step == "parse":
        exports = sorted(p for p in victim.rglob("*") if p.is_file() and p.name != "victim.json")
        out["count"] = sum(sum(1 for _ in ce.parse(p, timezone="Europe/London")) for p in exports)
    elif step == "add":
        shutil.rmtree(case_dir, ignore_errors=True)
        case = ce.Case.create(case_dir, examiner="Bench Examiner", timezone="Europe/London")
        case.add(victim)
        case.load_people(work / "people.toml")
        out["count"] = case.index.event_count()
        case.close()
    elif step in ("bare_fetch", "bare_group"):
        db = sqlite3.connect(f"file:{case_dir / 'index.sqlite'}?mode=ro", uri=True)
        if step == "bare_fetch":
            n = 0
            with open(work / "bare.jsonl", "w", encoding="utf-8") as fh:
                for (record,) in db.execute("SELECT record FROM events ORDER BY timestamp"):
                    fh.write(record + "\n")
                    n += 1
            out["count"] = n
        else:
            kinds = ("call", "comment", "email", "friend_request", "message", "post", "reaction")
            sql = (
                "SELECT platform, sender, thread, substr(timestamp, 1, 10), COUNT(*) FROM events"
                f" WHERE kind IN ({','.join('?' * len(kinds))}) GROUP BY 1, 2, 3, 4"
            )
            out["count"] = len(db.execute(sql, kinds).fetchall())
        db.close()
    else:
        case = ce.Case.open(case_dir)
        t0, c0 = time.perf_counter(), _cpu()
        if step == "timeline":
            from cyberevidence.exporters.timeline import write_timeline_jsonl

            with open(work / "timeline.jsonl", "w", encoding="utf-8") as fh:
                out["count"] = write_timeline_jsonl(case.timeline(), fh)
            case.record_export("timeline", str(work / "timeline.jsonl"), items=out["count"])
        elif step == "contacts":
            out["count"] = len(case.contacts("day"))
        elif step == "conduct":
            out["count"] = sum(len(s.total_contacts.event_ids) for s in case.conduct())
        elif step == "conduct_per_event":
            from dataclasses import replace

            from cyberevidence.analysis.conduct import ConductOptions, course_of_conduct
            from cyberevidence.timeutil import zone

            opts = replace(ConductOptions(), marker_dates=case._marker_stops())
            found = course_of_conduct(case.timeline(), case.people(), zone(case.info["timezone"]), opts)
            out["count"] = sum(len(s.total_contacts.event_ids) for s in found)
        elif step == "heatmap":
            out["count"] = case.hour_weekday(person=WHATSAPP_THREAD).total
        elif step == "links":
            out["count"] = sum(1 for _ in case.links())
        elif step == "report":
            try:
                from cyberevidence.report import write_report
            except ImportError:
                return {"step": step, "skipped": "no cyberevidence.report.write_report"}
            write_report(case, work / "report.html", record=False)
            out["count"] = (work / "report.html").stat().st_size
    out["seconds"] = time.perf_counter() - t0
    out["cpu_seconds"] = _cpu() - c0
    out["peak_mib"] = _peak_mib()
    with open(work / "results.jsonl", "a", encoding="utf-8") as fh:  # each step's figures, as they come
        fh.write(json.dumps(out) + "\n")
    return out


def run_child(step: str, victim: Path, case_dir: Path) -> dict[str, Any]:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", step, str(victim), str(case_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"step": step, "skipped": f"failed: {proc.stderr.strip().splitlines()[-1:]}"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the victim and the case are kept")
    ap.add_argument("--case", type=Path, help="a case already built from this victim (skips the add)")
    ap.add_argument("--skip", default="", help="comma-separated steps to leave out (e.g. conduct_per_event)")
    ap.add_argument("--no-whatsapp", action="store_true", help="leave out bench_whatsapp.py")
    ap.add_argument("--whatsapp-messages", type=int, default=200_000)
    ap.add_argument("--child", nargs=3, metavar=("STEP", "VICTIM", "CASE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), Path(args.child[2]))))
        return 0

    victim, _desc = cached(args.dir, args.events, 0.0)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.case:
        case_dir = args.case
    else:
        work = args.dir / f"bench-all-{args.events}"
        work.mkdir(parents=True, exist_ok=True)
        (work / "people.toml").write_text(PEOPLE, encoding="utf-8")
        case_dir = work / "case"
    steps = ["parse"] + ([] if args.case else ["add"]) + list(READS)
    results: dict[str, dict[str, Any]] = {}
    for step in steps:
        if step in skip:
            continue
        results[step] = run_child(step, victim, case_dir)
        r = results[step]
        print(f"  {step}: {r.get('seconds', 0):.2f} s ({r.get('cpu_seconds', 0):.2f} s CPU), {r.get('peak_mib', 0):.0f} MiB"
              f" {r.get('skipped', '')}", flush=True)

    db = sqlite3.connect(f"file:{case_dir / 'index.sqlite'}?mode=ro", uri=True)
    events = int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    db.close()
    index_bytes = sum(p.stat().st_size for p in case_dir.glob("index.sqlite*"))
    print(f"\nPython {sys.version.split()[0]}; {os.cpu_count()} CPUs; victim {args.events:,} events; index {events:,} events")
    print("(wall seconds; the CPU seconds of each step are in the lines above and in results.jsonl)")
    print(f"{'step':<20} {'ours s':>8} {'peak MiB':>9}  {'reference':<20} {'ref s':>7} {'ratio':>7}  target")
    refs = {"add": "parse", "timeline": "bare_fetch", "contacts": "bare_group", "conduct": "conduct_per_event"}
    for step, r in results.items():
        if "seconds" not in r:
            print(f"{step:<20} {r.get('skipped', '')}")
            continue
        ref = refs.get(step, "")
        ref_s = results.get(ref, {}).get("seconds")
        ratio = f"{r['seconds'] / ref_s:6.2f}x" if ref_s else ""
        target, limit, versus = TARGETS.get(step, ("", 0.0, ""))
        met = ""
        if target:
            value = r["seconds"] / ref_s if versus and ref_s else r["seconds"]
            met = " (met)" if value <= limit else " (not met)"
        ref_text = f"{ref:<20} {ref_s:7.2f}" if ref_s else f"{'':<20} {'':>7}"
        print(f"{step:<20} {r['seconds']:8.2f} {r['peak_mib']:9.0f}  {ref_text} {ratio:>7}  {target}{met}")
    timeline = results.get("timeline", {})
    if timeline.get("seconds"):
        print(f"timeline events/s: {timeline['count'] / timeline['seconds']:,.0f} (target ≥ 200,000)")
    print(f"index.sqlite: {index_bytes / max(events, 1):,.0f} bytes per event (target ≤ 600)")
    reads = [r["peak_mib"] for s, r in results.items() if s in READS and "peak_mib" in r and s != "conduct_per_event"]
    if reads:
        print(f"highest read peak RSS: {max(reads):.0f} MiB (target < 150 MiB, with a subject in the people file)")
    whatsapp = HERE / "bench_whatsapp.py"
    if whatsapp.exists() and not args.no_whatsapp:
        print("\nWhatsApp parse (benchmarks/bench_whatsapp.py):", flush=True)
        cmd = [sys.executable, str(whatsapp), "--messages", str(args.whatsapp_messages), "--rounds", "1", "--sizes", "",
               "--dir", str(args.dir)]
        subprocess.run(cmd, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
