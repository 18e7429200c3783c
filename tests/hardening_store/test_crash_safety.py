"""``kill -9`` of ``cyberevidence add`` at random moments of a long ingest (hardening item 3).

Several exports (a big WhatsApp ``.txt``, an SMS Backup & Restore XML, a WhatsApp zip with media)
are added by the real CLI in a child process, which is killed with SIGKILL after a seeded random
delay, again and again. After every kill:

* the case verifies (exit code 0; the only notes allowed are those the design names for an
  interrupted writer: an object stored but not yet logged, custody newer than the manifest, a
  parse entry the index keeps but the log has not got yet);
* the case lock is free (the kernel drops a dead process's ``flock``).

Then ``add`` is run once more to completion, and the case must hold exactly what a clean,
uninterrupted run gives: the same timeline event ids with the same sources, the same warnings,
the same manifest artefacts, and each piece of work (acquire, derive, parse) logged exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce
from cyberevidence.store.lock import CaseLock

from . import add_command, work_done, write_sms_xml, write_whatsapp_txt, write_whatsapp_zip

ALLOWED_NOTES = (
    "the next command that writes to the case moves it in",
    "after the manifest was written",
    "the next command that writes to the case appends it",
    "the next write completes it",
    "left by an interrupted copy",
    "the next command that writes to the case adds it",
)


def make_inputs(folder: Path, scale: int) -> list[Path]:
    folder.mkdir()
    return [
        write_whatsapp_txt(folder / "WhatsApp Chat with Mark Kell.txt", 6_000 * scale, seed=1),
        write_sms_xml(folder / "sms-20250101000000.xml", 3_000 * scale, seed=2),
        write_whatsapp_zip(folder / "WhatsApp Chat - Dana.zip", 1_500 * scale, seed=3, media=12, media_bytes=300_000),
    ]


def snapshot(case_dir: Path) -> dict[str, Any]:
    """Everything that must be identical between a clean run and a crashed-then-finished run."""
    with ce.Case.open(case_dir) as case:
        timeline = [(e.event_id, tuple((s.sha256, s.locator) for s in e.seen_in)) for e in case.timeline()]
        entries = list(case.custody.entries())
        manifest = case.manifest()
        return {
            "timeline": timeline,
            "work": work_done(entries),
            "warnings": sorted((w.sha256, w.code, w.locator) for w in case.warnings()),
            "artefacts": sorted((a["sha256"], a.get("parser"), a.get("event_count")) for a in manifest["artefacts"]),
            "event_count": case.index.event_count(),
        }


def run_add(case_dir: Path, inputs: list[Path]) -> float:
    t0 = time.monotonic()
    proc = subprocess.run(add_command(case_dir, *inputs), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return time.monotonic() - t0


def assert_intact_after_kill(case_dir: Path, attempt: int) -> None:
    report = ce.verify_case(case_dir)
    assert report.exit_code == 0, (attempt, [str(p) for p in report.problems])
    for note in report.notes:
        assert any(a in note.message for a in ALLOWED_NOTES), (attempt, str(note))
    lock = CaseLock(case_dir, timeout=0)  # the dead writer's flock is gone: taking it must not wait
    lock.acquire()
    lock.release()


def finish_and_compare(case_dir: Path, inputs: list[Path], clean: dict[str, Any]) -> None:
    """Run ``add`` to the end on a crashed case: it must then hold exactly what the clean run gave."""
    run_add(case_dir, inputs)
    report = ce.verify_case(case_dir)
    assert report.exit_code == 0 and not report.notes, [str(f) for f in report.findings]
    crashed = snapshot(case_dir)
    assert crashed["event_count"] == clean["event_count"]
    assert len({eid for eid, _ in crashed["timeline"]}) == len(crashed["timeline"])  # no duplicate events
    assert crashed["timeline"] == clean["timeline"]  # same ids, same sources, same order
    assert crashed["warnings"] == clean["warnings"]
    assert crashed["artefacts"] == clean["artefacts"]
    assert max(crashed["work"].values()) == 1  # no work logged twice ...
    assert crashed["work"] == clean["work"]  # ... and none missing
    with ce.Case.open(case_dir) as case:
        actions = {e.action for e in case.custody.entries()}
    assert actions <= {"create", "acquire", "derive", "parse", "recover", "interrupted"}


def crash_and_finish(tmp_path: Path, kills: int, scale: int, seed: int) -> None:
    """Kill ``add`` ``kills`` times. Each kill resumes the same case; once a run gets to the end
    before its kill comes, that case is finished and compared, and a fresh case takes over."""
    inputs = make_inputs(tmp_path / "in", scale)
    clean_dir = tmp_path / "clean"
    ce.Case.create(clean_dir, examiner="J. Smith", case_id="hardening")
    full = run_add(clean_dir, inputs)
    clean = snapshot(clean_dir)
    assert clean["event_count"] == 10_500 * scale  # every generated message is one event
    assert max(clean["work"].values()) == 1

    rng = random.Random(seed)
    killed, cases = 0, 0
    crash_dir = tmp_path / "crashed-0"
    ce.Case.create(crash_dir, examiner="J. Smith", case_id="hardening")
    for attempt in range(kills * 4):
        if killed >= kills:
            break
        proc = subprocess.Popen(add_command(crash_dir, *inputs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.9) * full)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        assert_intact_after_kill(crash_dir, attempt)
        if proc.returncode == 0:  # this run finished the job: check it, then start a fresh case
            finish_and_compare(crash_dir, inputs, clean)
            cases += 1
            crash_dir = tmp_path / f"crashed-{cases}"
            ce.Case.create(crash_dir, examiner="J. Smith", case_id="hardening")
    assert killed >= kills, f"only {killed} of the runs were still working when killed"
    finish_and_compare(crash_dir, inputs, clean)


def test_sigkill_at_random_points_then_rerun(tmp_path: Path) -> None:
    crash_and_finish(tmp_path, kills=18, scale=1, seed=20250305)


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_long(tmp_path: Path) -> None:
    crash_and_finish(tmp_path, kills=60, scale=4, seed=4242)


def test_torn_custody_tail_is_reported_then_repaired(tmp_path: Path) -> None:
    """A write cut inside a custody line (a big entry written in several pages) leaves bytes with no
    newline. Verify says so by name; the next writer cuts them, logs a ``recover`` entry, and the
    case verifies again."""
    inputs = make_inputs(tmp_path / "in", 1)
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(inputs[1])
    good = case.custody.path.read_bytes()
    torn = b'{"action":"parse","actor":"J. Smith","details":{"par'
    with open(case.custody.path, "ab") as fh:
        fh.write(torn)
    report = ce.verify_case(case.root)
    assert report.exit_code == 1
    assert any("incomplete" in str(p) for p in report.problems)
    case.add(inputs[1])  # the next writer repairs; nothing is redone
    report = ce.verify_case(case.root)
    assert report.exit_code == 0, [str(p) for p in report.problems]
    entries = list(case.custody.entries())
    assert case.custody.path.read_bytes().startswith(good)
    recover = [e for e in entries if e.action == "recover"]
    assert len(recover) == 1 and recover[0].details["removed_incomplete_line"]["bytes"] == len(torn)
    assert max(work_done(entries).values()) == 1
