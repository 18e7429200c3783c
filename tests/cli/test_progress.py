"""Progress under a real terminal (a pseudo-terminal), and what Ctrl-C prints.

The command runs with its stderr on a pty, so Rich draws its live bars as it would for a person;
the test reads everything the terminal received. The bars count real totals: bytes when a file
is preserved, events when the exports are written (the case's event count).
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from tests.cli._run import ENV

import cyberevidence as ce

STOPPED = "Stopped. Nothing is lost; run the same command again to finish."
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def big_chat(path: Path, n: int) -> Path:
    lines = [f"{1 + (i // 600) % 28:02d}/10/2025, {(i // 60) % 24:02d}:{i % 60:02d} - Mark Kell: message number {i}"
             for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_in_pty(argv: list[str], *, interrupt_when: str | None = None, timeout: float = 240) -> tuple[int, str]:
    """Run ``argv`` with stderr (and stdin) on a pseudo-terminal; then SIGINT once ``interrupt_when`` (a regex) shows."""
    master, slave = pty.openpty()
    env = {**ENV, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "40"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(argv, stdin=slave, stdout=subprocess.DEVNULL, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    sent = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if interrupt_when and not sent and re.search(interrupt_when, ANSI.sub("", seen.decode("utf-8", "replace"))):
                proc.send_signal(signal.SIGINT)
                sent = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, ANSI.sub("", seen.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def big_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    base = tmp_path_factory.mktemp("progress")
    chat = big_chat(base / "WhatsApp Chat with Mark Kell.txt", 20_000)
    case = ce.Case.create(base / "case", examiner="J. Smith", timezone="Europe/London")
    case.add(chat)
    total = case.index.event_count()
    case.close()
    return base / "case", total


def test_collect_under_a_terminal_shows_bytes_events_and_what_was_written(tmp_path: Path) -> None:
    chat = big_chat(tmp_path / "WhatsApp Chat with Mark Kell.txt", 20_000)
    code, screen = run_in_pty([sys.executable, "-m", "cyberevidence_cli.main", "collect", str(chat),
                               "--case", str(tmp_path / "case"), "--examiner", "J. Smith"])
    assert code == 0, screen
    total = ce.Case.open(tmp_path / "case").index.event_count()
    assert total == 20_000
    # the read counts events as it goes; the exports count against the case's real total
    assert re.search(r"Reading WhatsApp Chat with Mark Kell\.txt.*\d[\d,]* events found", screen), screen
    assert re.search(rf"Writing timeline\.jsonl.*[\d,]+ of {total:,} events", screen), screen
    assert "0/? bytes" not in screen
    # after the last bar, the line that says what was written, then the check of the case
    written = screen.rfind(f"Exports written to {tmp_path / 'case'}/exports: timeline.jsonl, timeline.csv")
    assert written > screen.rfind("Writing report.html") > 0, screen[-2000:]
    last = screen.rstrip().splitlines()
    assert last[-2].startswith("Case intact:") and last[-1].startswith("Exhibits JS/1 to JS/1 (1)"), last[-3:]


_SLOW = textwrap.dedent(
    """
    import sys, time
    import cyberevidence.exporters.case_exports as cx
    real = cx.write_timeline_csv
    def slow(events, fh, **kw):
        def paced():
            for i, ev in enumerate(events):
                if i == 3000:
                    time.sleep(120)
                yield ev
        return real(paced(), fh, **kw)
    cx.write_timeline_csv = slow
    from cyberevidence_cli.main import run
    sys.argv = ["cyberevidence", "exports", sys.argv[1]]
    run()
    """
)


def test_ctrl_c_leaves_a_line_for_the_bar_and_says_nothing_is_lost(big_case: tuple[Path, int], tmp_path: Path) -> None:
    import shutil

    case = shutil.copytree(big_case[0], tmp_path / "case")
    total = big_case[1]
    # the timeline CSV stops after 3,000 events; the stop comes once its bar shows that count
    when = rf"Writing timeline\.csv[^\n]*3,000 of {total:,} events"
    code, screen = run_in_pty([sys.executable, "-c", _SLOW, str(case)], interrupt_when=when)
    assert code == 130, screen
    assert f"stopped while: Writing timeline.csv (3,000 of {total:,} events)" in screen, screen
    tail = [ln.strip() for ln in screen.splitlines() if ln.strip()]
    assert tail[-1] == STOPPED
    assert "Traceback" not in screen
    assert ce.Case.open(case).verify().exit_code == 0
    # run again: it finishes
    again = subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", "exports", str(case)],
                           capture_output=True, text=True, env=ENV, timeout=240)
    assert again.returncode == 0, again.stderr
    assert (case / "exports" / "timeline.csv").read_text(encoding="utf-8").count("\n") == total + 1


def test_ctrl_c_without_a_terminal_exits_130_with_the_same_line(big_case: tuple[Path, int], tmp_path: Path) -> None:
    import shutil

    case = shutil.copytree(big_case[0], tmp_path / "case")
    paused = _SLOW.replace("time.sleep(120)", "print('PAUSED', flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", paused, str(case)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "PAUSED"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == STOPPED


def test_preserving_counts_bytes_against_the_size_and_reading_counts_events() -> None:
    """The bars' own text, drawn on a terminal console: MB of MB while hashing, events while reading."""
    import io

    from rich.console import Console

    from cyberevidence_cli.progress import RichProgress

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=150, color_system=None)
    with RichProgress(console) as bars:
        bars(ce.Progress("hash", "chat.zip", 1_500_000, 3_000_000))
        bars(ce.Progress("parse", "chat.zip", 12_345, 0))
        bars._progress.refresh()
        drawn = screen.getvalue()
    assert "Preserving chat.zip" in drawn and "1.5 MB of 3.0 MB" in drawn
    assert "Reading chat.zip" in drawn and "12,345 events found" in drawn
    assert "/? bytes" not in drawn
