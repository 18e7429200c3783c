"""Report benchmark: the HTML report of a synthetic victim (``gen_victim.py``) at several sizes.

For each size in ``--sizes`` (events), a case is ingested once from the generated victim with a
people file naming the subject (kept under ``--dir`` and reused), then in a fresh child process
``write_report`` is timed, and the file is opened in headless Chromium (the system browser,
through Playwright): the open time is from navigation start to the end of the load event plus
the first full layout (``document.body.offsetHeight`` read after ``load``), as the browser's own
``performance`` clock reports it. ``conduct.txt``'s size is measured at the same time.

    .venv/bin/python benchmarks/bench_report.py [--sizes 10000,200000,1000000] [--dir DIR]

The table it prints goes into docs/performance.md ("Report").
"""

from __future__ import annotations

import argparse
import io
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
from gen_victim import PEOPLE_TOML as PEOPLE


def prepare(folder: Path, events: int) -> Path:
    """The ingested case for ``events`` (made once, reused while its victim is unchanged)."""
    import cyberevidence as ce

    victim, _ = cached(folder, events, 0.0)
    case_dir = folder / f"report-case-{events}"
    stamp = case_dir / ".complete"
    if stamp.exists():
        return case_dir
    shutil.rmtree(case_dir, ignore_errors=True)
    case = ce.Case.create(case_dir, examiner="Bench Examiner", title=f"Report bench {events}", case_id=f"BENCH-{events}",
                          timezone="Europe/London")
    people = folder / "report-people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    case.load_people(people)
    case.add(victim, timezone="Europe/London", date_order="dmy")
    stamp.write_text("ok\n", encoding="utf-8")
    return case_dir


def open_time(path: Path) -> float:
    """Seconds from navigation start to the first full layout after ``load``, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CYBEREVIDENCE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"] if os.geteuid() == 0 else [])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=600_000)
        ms = page.evaluate("() => { document.body.offsetHeight; return performance.now(); }")
        browser.close()
    return float(ms) / 1000


def child(case_dir: str, out: str) -> dict[str, Any]:
    import cyberevidence as ce
    from cyberevidence.report.conduct_text import write_conduct_text
    from cyberevidence.timeutil import zone

    case = ce.Case.open(case_dir)
    t0 = time.perf_counter()
    result = ce.write_report(case, out, record=False)
    seconds = time.perf_counter() - t0
    buf = io.StringIO()
    write_conduct_text(case.conduct(), buf, zone(case.info["timezone"]))
    return {
        "events": sum(1 for _ in case.timeline()),
        "write_s": round(seconds, 1),
        "report_bytes": result.size,
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "conduct_txt_bytes": len(buf.getvalue().encode("utf-8")),
        "open_s": round(open_time(Path(out)), 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,200000,1000000")
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--child", nargs=2, metavar=("CASE", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        case_dir = prepare(args.dir, size)
        out = args.dir / f"report-{size}.html"
        run = subprocess.run([sys.executable, __file__, "--child", str(case_dir), str(out)], check=True,
                             capture_output=True, text=True)
        row = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    print("| events | write_report | peak RSS | report size | open in Chromium | conduct.txt |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['events']:,} | {r['write_s']} s | {r['peak_mib']} MiB | {r['report_bytes'] / 1e6:.1f} MB "
              f"| {r['open_s']} s | {r['conduct_txt_bytes'] / 1e3:.1f} KB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
