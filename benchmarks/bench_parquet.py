"""Parquet against JSONL, side by side in one run: time, peak memory and size of the timeline export.

On a synthetic victim (``gen_victim.py``, no media) of each ``--events`` size, one case is built
(or reused with ``--dir``), then each export runs in a child process of its own so that its peak
RSS is its own high-water mark (``ru_maxrss`` of the child, the case opened and the import of
pyarrow included):

* ``timeline --format jsonl`` (``write_timeline_jsonl``), the reference;
* ``timeline --format parquet`` (``write_timeline_parquet``, row groups of ``ROW_GROUP_ROWS``);
* with DuckDB installed, the same count per platform and UTC day read back from each file.

Printed: seconds, MiB peak, MiB on disk, and the Parquet ÷ JSONL ratio of each. Flat memory
shows as the same Parquet peak at every size.

    .venv/bin/python benchmarks/bench_parquet.py [--events 100000 1000000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_victim import DEFAULT_DIR, cached

_CHILD = r"""
import json, resource, sys, time
import cyberevidence as ce
from cyberevidence.exporters.parquet import write_timeline_parquet
from cyberevidence.exporters.timeline import write_timeline_jsonl
case, fmt, out = sys.argv[1:4]
c = ce.Case.open(case)
t0 = time.perf_counter()
if fmt == "jsonl":
    with open(out, "w", encoding="utf-8", newline="") as fh:
        n = write_timeline_jsonl(c.timeline(), fh)
else:
    n = write_timeline_parquet(c.timeline(), out)
secs = time.perf_counter() - t0
print(json.dumps({"n": n, "secs": secs, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _export(case: Path, fmt: str, out: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(case), fmt, str(out)], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["mib"] = out.stat().st_size / (1 << 20)
    return result


def _duckdb_count(path: Path, fmt: str) -> float | None:
    try:
        import duckdb
    except ImportError:
        return None
    reader = f"read_parquet('{path}')" if fmt == "parquet" else f"read_json('{path}', format='newline_delimited')"
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.sql(f"SELECT platform, CAST(CAST(timestamp AS TIMESTAMPTZ) AS DATE) AS day, count(*) FROM {reader} "
            "GROUP BY ALL").fetchall()
    return time.perf_counter() - t0


def _case(folder: Path, events: int) -> Path:
    import cyberevidence as ce

    root = folder / f"parquet-case-{events}"
    if (root / "case.json").is_file():
        return root
    victim, _ = cached(folder, events, 0.0)
    case = ce.Case.create(root, examiner="Bench", timezone="Europe/London")
    t0 = time.perf_counter()
    case.add(victim)
    print(f"  built the {events:,}-event case in {time.perf_counter() - t0:.0f} s", flush=True)
    case.close()
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = ap.parse_args(argv)
    rows = []
    for events in args.events:
        case = _case(args.dir, events)
        out = {fmt: _export(case, fmt, args.dir / f"timeline-{events}.{fmt}") for fmt in ("jsonl", "parquet")}
        query = {fmt: _duckdb_count(args.dir / f"timeline-{events}.{fmt}", fmt) for fmt in ("jsonl", "parquet")}
        rows.append((events, out, query))
    print(f"{'events':>10} {'format':>8} {'seconds':>8} {'peak MiB':>9} {'file MiB':>9} {'duckdb s':>9}")
    for events, out, query in rows:
        for fmt in ("jsonl", "parquet"):
            r, q = out[fmt], query[fmt]
            print(f"{events:>10,} {fmt:>8} {r['secs']:>8.1f} {r['peak_kib'] / 1024:>9.0f} {r['mib']:>9.0f} "
                  f"{'' if q is None else f'{q:.2f}':>9}")
        j, p = out["jsonl"], out["parquet"]
        qj, qp = query["jsonl"], query["parquet"]
        ratio_q = f", DuckDB group-by {qp / qj:.2f}x" if qj and qp else ""
        print(f"{'':>10} parquet ÷ jsonl: time {p['secs'] / j['secs']:.2f}x, peak memory {p['peak_kib'] / j['peak_kib']:.2f}x, "
              f"size {p['mib'] / j['mib']:.2f}x{ratio_q}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
