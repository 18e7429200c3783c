"""Concurrent writers and readers on one case (hardening item 4).

* Two ``cyberevidence add`` processes started together on one case are serialised by the case
  lock: both succeed, each one's custody entries form one unbroken block, the chain is valid
  with no repeated ``seq``, and both files' events are on the timeline.
* A reader iterating ``case.timeline()`` in another process while a writer adds three files only
  ever sees whole parses: every count it reads is the before- or after-state of a parse (each
  parse is one SQLite transaction; WAL gives the reader a snapshot per read).
* Opening a case for reading while a writer is inside a parse transaction does not wait for it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from itertools import accumulate
from pathlib import Path

import cyberevidence as ce
from cyberevidence.store.index import Index

from . import add_command, write_sms_xml, write_whatsapp_txt

READER = r"""
import json, sys, time
from collections import Counter
from pathlib import Path
import cyberevidence as ce

case_dir, done_flag = sys.argv[1], Path(sys.argv[2])
reads = []
while True:
    finished = done_flag.exists()
    with ce.Case.open(case_dir) as case:
        per_source = Counter()
        ids = set()
        for ev in case.timeline():
            ids.add(ev.event_id)
            per_source[ev.source.sha256] += 1
    reads.append({"count": len(ids), "per_source": dict(per_source)})
    if finished:
        break
print(json.dumps(reads))
"""


def test_two_writers_are_serialised_and_both_succeed(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    chat = write_whatsapp_txt(inputs / "WhatsApp Chat with Mark Kell.txt", 8_000, seed=11)
    sms = write_sms_xml(inputs / "sms-20250101000000.xml", 6_000, seed=12)
    case_dir = tmp_path / "case"
    ce.Case.create(case_dir, examiner="J. Smith")
    procs = [subprocess.Popen(add_command(case_dir, p), stderr=subprocess.PIPE, text=True) for p in (chat, sms)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]

    report = ce.verify_case(case_dir)
    assert report.exit_code == 0 and not report.notes, [str(f) for f in report.findings]
    with ce.Case.open(case_dir) as case:
        entries = list(case.custody.entries())
        assert [e.seq for e in entries] == list(range(len(entries)))  # no repeated or missing seq
        blocks: dict[str, list[int]] = {}
        for e in entries:
            if e.action in ("acquire", "parse"):
                blocks.setdefault(e.subject, []).append(e.seq)
        assert len(blocks) == 2 and all(len(seqs) == 2 for seqs in blocks.values())
        first, second = sorted(blocks.values())
        assert first[1] < second[0], "the two writers' custody entries interleave: the lock did not serialise them"
        parses = {r["sha256"]: r["event_count"] for r in case.index.parses().values()}
        assert sorted(parses.values()) == [6_000, 8_000]
        platforms = {ev.platform for ev in case.timeline()}
        assert case.index.event_count() == 14_000
    assert {"whatsapp", "sms"} <= platforms


def test_reader_sees_only_whole_parses_while_a_writer_adds(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    files = [
        write_whatsapp_txt(inputs / "WhatsApp Chat with Mark Kell.txt", 7_000, seed=21),
        write_sms_xml(inputs / "sms-20250101000000.xml", 7_000, seed=22),
        write_whatsapp_txt(inputs / "WhatsApp Chat with Dana Okafor.txt", 7_000, seed=23, sender="Dana Okafor"),
    ]
    case_dir = tmp_path / "case"
    ce.Case.create(case_dir, examiner="J. Smith")
    done = tmp_path / "writer-done"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(case_dir), str(done)], stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)  # let the reader take a few "before" snapshots
    writer = subprocess.run(add_command(case_dir, *files), capture_output=True, text=True, timeout=300)
    assert writer.returncode == 0, writer.stderr[-2000:]
    done.touch()
    out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    reads = json.loads(out)

    with ce.Case.open(case_dir) as case:
        parsed = [e for e in case.custody.entries() if e.action == "parse"]
        per_file = {e.subject: int(e.details["events"]) for e in parsed}
    assert sorted(per_file.values()) == [7_000] * 3
    allowed = [0, *accumulate(per_file[e.subject] for e in parsed)]  # before, and after each whole parse
    for r in reads:
        assert r["count"] in allowed, (r, allowed)
        for sha, n in r["per_source"].items():
            assert n == per_file[sha], f"a read saw {n} of {per_file[sha]} events of one file: a partial parse"
    counts = [r["count"] for r in reads]
    assert counts == sorted(counts)  # snapshots only move forward
    assert counts[0] == 0 and counts[-1] == allowed[-1]
    assert len(set(counts)) >= 2


def test_opening_for_reading_does_not_wait_for_a_writers_transaction(tmp_path: Path) -> None:
    """A reader's ``Case.open(...).timeline()`` while a parse transaction is open returns at once.

    (It used to write the schema on every open, so it queued behind the writer's transaction and
    failed with "database is locked" after SQLite's 5 s busy timeout.)
    """
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(write_sms_xml(tmp_path / "sms-20250101000000.xml", 50, seed=31))
    case.close()
    writer = Index(tmp_path / "case" / "index.sqlite")
    writer.db.execute("BEGIN IMMEDIATE")
    writer.db.execute("DELETE FROM events")  # uncommitted: the reader must not see it
    try:
        t0 = time.monotonic()
        with ce.Case.open(tmp_path / "case") as reader:
            assert sum(1 for _ in reader.timeline()) == 50
        assert time.monotonic() - t0 < 2.0
    finally:
        writer.db.rollback()
        writer.close()
