"""Issue 19 item 1: CASE/exports/ is derived and never passed off as current.

Every change to the case makes the exports stale (computed from custody, written down in
exports/OUT-OF-DATE.txt by the CLI); ``cyberevidence exports`` refreshes them, each file atomically;
a bundle refuses a stale report; Ctrl-C while an export is written leaves the previous good copy.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests.cli._run import DEMO, ENV, cli, copy_case, lines

import cyberevidence as ce
from cyberevidence.exporters.case_exports import (
    NOTICE_FILE,
    ExportStatus,
    StaleExportsError,
    export_status,
    stale_exports,
)

EXPORTED = ["conduct.txt", "contacts-by-day.csv", "contacts-by-week.csv", "report.html", "timeline.csv", "timeline.jsonl"]
PASSWORD = "violet anchor mosquito harp"


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = tmp_path_factory.mktemp("collected") / "case"
    done = cli("collect", DEMO / "exports", "--case", case, "--examiner", "J. Smith", "--people", DEMO / "people.toml")
    assert done.returncode == 0, done.stderr
    return case


def test_collect_writes_current_exports(collected: Path) -> None:
    case = ce.Case.open(collected)
    assert stale_exports(case) == []
    assert not (collected / "exports" / NOTICE_FILE).exists()
    assert sorted(p.name for p in (collected / "exports").iterdir()) == sorted([*EXPORTED, "exports-state.json"])


@pytest.mark.parametrize(
    "change",
    [
        ["marker", "add", "{case}", "blocked", "--when", "2025-10-01 21:00", "--person", "Mark Kell"],
        ["diary", "add", "{case}", "--when", "2025-10-02 08:10", "--what", "He was outside my work"],
        ["people", "{case}", str(DEMO / "people-changed.toml")],
        ["add", "{case}", "{extra}"],
    ],
    ids=["marker", "diary", "people", "add"],
)
def test_every_change_marks_the_exports_stale_and_names_the_refresh(
    collected: Path, tmp_path: Path, change: list[str]
) -> None:
    case = copy_case(collected, tmp_path / "case")
    changed_people = tmp_path / "people-changed.toml"
    changed_people.write_text((DEMO / "people.toml").read_text() + '\n[[person]]\nname = "Amy Lee"\nrole = "witness"\n')
    extra = tmp_path / "WhatsApp Chat with Amy.txt"
    extra.write_text("14/10/2025, 10:00 - Amy: hello\n14/10/2025, 10:01 - Amy: are you ok?\n", encoding="utf-8")
    args = [a.format(case=case, extra=extra).replace(str(DEMO / "people-changed.toml"), str(changed_people)) for a in change]
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert (
        f"Note: 6 file(s) in {case}/exports no longer show the case as it is now (listed in OUT-OF-DATE.txt there). "
        f"Refresh them with: cyberevidence exports {case}"
    ) in lines(done.stderr)
    notice = (case / "exports" / NOTICE_FILE).read_text()
    assert f"cyberevidence exports {case}" in notice and all(f"  {n} (stale)" in notice for n in EXPORTED)
    assert {s for _n, s in stale_exports(ce.Case.open(case))} == {ExportStatus.STALE}

    refreshed = cli("exports", case)
    assert refreshed.returncode == 0, refreshed.stderr
    assert stale_exports(ce.Case.open(case)) == []
    assert not (case / "exports" / NOTICE_FILE).exists()
    assert not [p for p in (case / "exports").iterdir() if p.name.startswith(".")]


def test_refreshed_timeline_holds_every_event(collected: Path, tmp_path: Path) -> None:
    case = copy_case(collected, tmp_path / "case")
    before = len((case / "exports" / "timeline.jsonl").read_text().splitlines())
    assert cli("diary", "add", case, "--when", "2025-10-02 08:10", "--what", "He was outside my work").returncode == 0
    assert cli("exports", case).returncode == 0
    after = (case / "exports" / "timeline.jsonl").read_text().splitlines()
    assert len(after) == before + 1 == sum(1 for _ in ce.Case.open(case).timeline())
    assert "He was outside my work" in (case / "exports" / "report.html").read_text(encoding="utf-8")


def test_a_bundle_never_carries_a_stale_report(collected: Path, tmp_path: Path) -> None:
    case = copy_case(collected, tmp_path / "case")
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    assert cli("marker", "add", case, "blocked", "--when", "2025-10-01 21:00").returncode == 0
    refused = cli("bundle", case, "-o", tmp_path / "b.zip", "--password-file", pw)
    assert refused.returncode == 2
    assert lines(refused.stderr) == [
        f"Error: {case}/exports/report.html was made before the case last changed, so it cannot go out as part of the case",
        f"What to do: Refresh the exports first: cyberevidence exports {case}",
    ]
    assert not (tmp_path / "b.zip").exists()
    with pytest.raises(StaleExportsError):
        ce.make_bundle(ce.Case.open(case), tmp_path / "b.zip", PASSWORD)
    assert cli("report", case).returncode == 0  # the report alone, into CASE/exports/
    assert cli("bundle", case, "-o", tmp_path / "b.zip", "--password-file", pw).returncode == 0


def test_a_report_edited_by_hand_is_not_current(collected: Path, tmp_path: Path) -> None:
    case = copy_case(collected, tmp_path / "case")
    report = case / "exports" / "report.html"
    report.write_text(report.read_text(encoding="utf-8").replace("Mark Kell", "Someone Else"), encoding="utf-8")
    assert export_status(ce.Case.open(case), "report.html") is ExportStatus.CHANGED


def test_seals_exports_and_handover_do_not_make_exports_stale(collected: Path, tmp_path: Path) -> None:
    case = copy_case(collected, tmp_path / "case")
    assert cli("timeline", case, "-o", tmp_path / "t.jsonl").returncode == 0  # an export entry
    assert cli("receive", case, "--by", "DC A. Patel", "--from", "J. Smith").returncode == 0
    assert stale_exports(ce.Case.open(case)) == []


def test_report_without_output_writes_into_the_exports_folder(collected: Path, tmp_path: Path) -> None:
    case = copy_case(collected, tmp_path / "case")
    (case / "exports" / "report.html").unlink()
    done = cli("report", case)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert lines(done.stderr)[-1].startswith(f"Report written to {case}/exports/report.html (")
    assert export_status(ce.Case.open(case), "report.html") is ExportStatus.CURRENT


_SLOW_EXPORT = textwrap.dedent(
    """
    import sys, time
    import cyberevidence.exporters.case_exports as cx
    real = cx.write_contacts_csv
    def slow(rows, fh):
        n = real(rows, fh)
        fh.write("half a row")
        fh.flush()
        print("WRITING", flush=True)
        time.sleep(60)
        return n
    cx.write_contacts_csv = slow
    from cyberevidence_cli.main import run
    sys.argv = ["cyberevidence", "exports", sys.argv[1]]
    run()
    """
)


def test_ctrl_c_while_exports_are_written_keeps_the_previous_good_copy(collected: Path, tmp_path: Path) -> None:
    case = copy_case(collected, tmp_path / "case")
    exports = case / "exports"
    assert cli("marker", "add", case, "blocked", "--when", "2025-10-01 21:00").returncode == 0
    before = {n: (exports / n).read_bytes() for n in EXPORTED}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_EXPORT, str(case)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "WRITING"  # contacts-by-day.csv is half written, in a temporary file
    assert [p.name for p in exports.iterdir() if p.name.startswith(".contacts-by-day.csv.")]
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Stopped." in err and "Traceback" not in err
    for name in EXPORTED:
        if name.startswith("timeline"):  # written before the stop: the new, complete copy
            assert (exports / name).read_bytes().endswith(b"\n")
        else:  # not reached, or stopped while written: the previous good copy, byte for byte
            assert (exports / name).read_bytes() == before[name], name
    assert not [p.name for p in exports.iterdir() if p.name.startswith(".")]  # no temporary file left
    c = ce.Case.open(case)
    assert export_status(c, "contacts-by-day.csv") is ExportStatus.UNTRACKED
    assert export_status(c, "report.html") is ExportStatus.UNTRACKED
    assert export_status(c, "timeline.jsonl") is ExportStatus.CURRENT
    again = cli("exports", case)  # the same command again finishes the work
    assert again.returncode == 0, again.stderr
    assert stale_exports(c) == []
