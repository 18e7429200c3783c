"""Read and write paths side by side, in one run, as ratios to a bare reference (issue 20).

On a synthetic victim (``gen_victim.py``, no media) of ``--events`` events:

* ``add`` end to end (``Case.create`` + ``case.add``) ÷ parsing alone (``cyberevidence.parse`` of
  every export, events counted and dropped);
* ``timeline --format jsonl`` (``case.timeline()`` through ``write_timeline_jsonl`` to a file,
  then ``record_export``) ÷ a bare ``sqlite3`` fetch of the same rows
  (``SELECT record FROM events ORDER BY timestamp``) written to a file;
* ``contacts("day")`` ÷ one bare SQL ``GROUP BY`` on the index columns (platform, sender,
  thread, UTC day), and the per-event Python count over the timeline (the former path) ÷ the same;
* ``record_export`` (custody entry + the manifest's head moved on) ÷ a full manifest rebuild.

    .venv/bin/python benchmarks/bench_read.py [--events 100000] [--rounds 2] [--dir DIR] [--keep]

Times are wall-clock seconds in this one process (imports excluded; read steps: best of
``--rounds``); peak RSS is the whole process's (the add included).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_victim import DEFAULT_DIR, cached


def _timed(fn, rounds: int = 1):  # type: ignore[no-untyped-def]
    """(best wall time of ``rounds`` calls, the last call's value)."""
    best, value = float("inf"), None
    for _ in range(rounds):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--keep", action="store_true", help="keep the case folder")
    ap.add_argument("--rounds", type=int, default=2, help="read steps: best of this many runs")
    args = ap.parse_args(argv)

    import cyberevidence as ce
    from cyberevidence.analysis.contacts import CONTACT_KINDS, contact_frequency
    from cyberevidence.exporters.timeline import write_timeline_jsonl
    from cyberevidence.timeutil import zone

    victim, _desc = cached(args.dir, args.events, 0.0)
    exports = sorted(p for p in victim.rglob("*") if p.is_file() and p.name != "victim.json")
    work = Path(tempfile.mkdtemp(prefix="bench-read-", dir=args.dir))
    rows: list[tuple[str, float, str, float]] = []

    def parse_all() -> int:
        return sum(sum(1 for _ in ce.parse(p, timezone="Europe/London")) for p in exports)

    t_parse, n_parsed = _timed(parse_all)

    def add() -> ce.Case:
        case = ce.Case.create(work / "case", examiner="Bench Examiner", timezone="Europe/London")
        case.add(victim)
        return case

    t_add, case = _timed(add)
    n_events = case.index.event_count()
    rows.append(("add end to end", t_add, "parse alone", t_parse))

    def timeline() -> int:
        with open(work / "timeline.jsonl", "w", encoding="utf-8") as fh:
            n = write_timeline_jsonl(case.timeline(), fh)
        case.record_export("timeline", str(work / "timeline.jsonl"), items=n)
        return n

    def bare_fetch() -> int:
        db = sqlite3.connect(f"file:{case.root / 'index.sqlite'}?mode=ro", uri=True)
        n = 0
        with open(work / "bare.jsonl", "w", encoding="utf-8") as fh:
            for (record,) in db.execute("SELECT record FROM events ORDER BY timestamp"):
                fh.write(record + "\n")
                n += 1
        db.close()
        return n

    t_bare, n_bare = _timed(bare_fetch, args.rounds)
    t_timeline, n_timeline = _timed(timeline, args.rounds)
    rows.append(("timeline jsonl + record_export", t_timeline, "bare sqlite3 fetch", t_bare))

    kinds = sorted(CONTACT_KINDS)

    def bare_group() -> int:
        db = sqlite3.connect(f"file:{case.root / 'index.sqlite'}?mode=ro", uri=True)
        sql = (
            "SELECT platform, sender, thread, substr(timestamp, 1, 10), COUNT(*) FROM events"
            f" WHERE kind IN ({','.join('?' * len(kinds))}) GROUP BY 1, 2, 3, 4"
        )
        n = len(db.execute(sql, kinds).fetchall())
        db.close()
        return n

    t_group, _ = _timed(bare_group, args.rounds)
    t_contacts, contacts = _timed(lambda: case.contacts("day"), args.rounds)
    t_python, old = _timed(lambda: contact_frequency(case.timeline(), "day", zone(case.info["timezone"])), args.rounds)
    rows.append(("contacts('day') (SQL)", t_contacts, "bare GROUP BY", t_group))
    rows.append(("contacts per event in Python (old)", t_python, "bare GROUP BY", t_group))

    t_export, _ = _timed(lambda: case.record_export("contacts", "stdout", items=len(contacts)))
    t_full, _ = _timed(case.refresh_manifest)
    rows.append(("record_export (head only)", t_export, "full manifest rebuild", t_full))

    verified = case.verify().exit_code
    index_bytes = (case.root / "index.sqlite").stat().st_size
    print(f"events: {n_events:,} (parsed {n_parsed:,}, timeline {n_timeline:,}, bare rows {n_bare:,})")
    print(f"{'step':<38} {'ours s':>8}  {'reference':<22} {'ref s':>7} {'ratio':>7}")
    for name, ours, ref_name, ref in rows:
        print(f"{name:<38} {ours:8.2f}  {ref_name:<22} {ref:7.2f} {ours / ref:6.2f}x")
    print(f"timeline events/s: {n_timeline / t_timeline:,.0f}; contacts rows equal to the Python count: {contacts == old}")
    print(f"index.sqlite: {index_bytes / n_events:,.0f} bytes per event; verify exit code: {verified}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if contacts == old and verified == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
