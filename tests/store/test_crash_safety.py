"""kill -9 in the middle of add leaves a case that verifies; re-running add finishes without duplicates."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import cyberevidence as ce

ADD = "import sys, cyberevidence as ce; ce.Case.open(sys.argv[1]).add(sys.argv[2], note='crash test')"


def test_sigkill_during_add_then_rerun(tmp_path: Path) -> None:
    originals = tmp_path / "in"
    originals.mkdir()
    rng = random.Random(7)
    for i in range(60):
        (originals / f"f{i:03d}.bin").write_bytes(rng.randbytes(rng.randint(1, 400_000)))
    case_dir = tmp_path / "case"
    ce.Case.create(case_dir, examiner="J. Smith", hash_algorithms=("sha256", "md5"))
    for attempt in range(6):
        proc = subprocess.Popen([sys.executable, "-c", ADD, str(case_dir), str(originals)])
        time.sleep(0.15 + rng.random() * 0.5)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        report = ce.verify_case(case_dir)
        assert report.exit_code == 0, (attempt, [str(p) for p in report.problems])
    case = ce.Case.open(case_dir)
    case.add(originals, note="crash test")
    report = case.verify()
    assert report.exit_code == 0 and not report.notes, [str(f) for f in report.findings]
    acquired = Counter((e.subject, e.details["original_path"]) for e in case.custody.entries() if e.action == "acquire")
    assert len(acquired) == 60
    assert max(acquired.values()) == 1  # no duplicate custody entries for the same work
    assert len(case.manifest()["artefacts"]) == 60
