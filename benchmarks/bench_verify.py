"""How long ``verify`` takes on a big case, and what share the index check costs (issue 13).

Side by side in one run, on one case folder (e.g. the 1,000,000-event case ``bench_scale.py
--keep`` leaves, or one made with ``gen_victim.py`` and ``Case.add``):

* **store** – re-hashing every stored object alone (what ``verify`` must do in any case; the
  bare baseline the index check is measured against);
* **index** – the index check alone: every artefact's rows digested and compared with custody;
* **verify** – the whole ``verify_case``;
* **before** – optionally, ``verify_case`` of an older source tree (``--before-src``), in a child
  process, on the same folder.

    .venv/bin/python benchmarks/bench_verify.py CASE [--before-src /path/to/old/checkout/src]

The goal: the index check costs less than re-hashing the store (ratio index/store below 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from cyberevidence.store.custody import CustodyLog
from cyberevidence.store.verify import verify_case
from cyberevidence.store.verify.chain import read_chain
from cyberevidence.store.verify.files import hash_object, store_files
from cyberevidence.store.verify.index_check import check_index, open_index
from cyberevidence.store.verify.report import VerifyReport


def timed(label: str, fn: object) -> float:
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    took = time.perf_counter() - t0
    print(f"  {label:<8} {took:8.2f} s", flush=True)
    return took


def rehash_store(case: Path) -> None:
    for _name, path in store_files(case / "evidence", VerifyReport(str(case))).items():
        hash_object(path)


def index_check(case: Path) -> None:
    report = VerifyReport(str(case))
    chain = read_chain(CustodyLog(case / "custody.jsonl"), report)
    with open_index(case) as db:
        check_index(db, chain, report)
    assert not report.problems, report.problems[:3]


def verify_before(case: Path, src: Path) -> float:
    """Seconds the older tree's ``verify_case`` takes, timed inside its child (imports excluded)."""
    code = (
        "import sys, time, pathlib, cyberevidence as ce; t = time.perf_counter(); "
        "ce.verify_case(pathlib.Path(sys.argv[1])); print(time.perf_counter() - t)"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    run = subprocess.run([sys.executable, "-c", code, str(case)], env=env, check=True, capture_output=True, text=True)
    return float(run.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", type=Path)
    ap.add_argument("--before-src", type=Path, help="the src/ folder of an older checkout, to time its verify too")
    args = ap.parse_args()
    case: Path = args.case
    store_bytes = sum(p.stat().st_size for p in store_files(case / "evidence", VerifyReport(str(case))).values())
    index_bytes = sum((case / n).stat().st_size for n in ("index.sqlite", "index.sqlite-wal") if (case / n).exists())
    print(f"case {case}: store {store_bytes / 2**30:.2f} GiB, index {index_bytes / 2**30:.2f} GiB")
    rehash_store(case)  # warm the page cache for both, so neither side pays the disk alone
    index_check(case)
    t_store = timed("store", lambda: rehash_store(case))
    t_index = timed("index", lambda: index_check(case))
    report: list[VerifyReport] = []
    t_full = timed("verify", lambda: report.append(verify_case(case)))
    print(f"  verify exit code {report[0].exit_code}, {report[0].index_artefacts_checked} artefacts' index rows checked")
    if args.before_src:
        t_before = verify_before(case, args.before_src)
        print(f"  {'before':<8} {t_before:8.2f} s  (the older tree's verify_case, same folder)")
        print(f"verify now / before: {t_full / t_before:.2f}")
    print(f"index check / store re-hash: {t_index / t_store:.2f} (goal < 1)")
    print(f"index check share of verify: {t_index / t_full:.0%}")


if __name__ == "__main__":
    main()
