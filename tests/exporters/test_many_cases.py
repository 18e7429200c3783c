"""docs/many-cases.md: the DuckDB query over many cases' Parquet files, run exactly as the doc prints it.

Two small cases are exported with the CLI into the doc's folder layout; the answer for each
handle is checked against the cases' own timelines, matched by ``phonenumbers`` (E.164, a
different rule from the query's last nine digits) and by the e-mail address.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import phonenumbers
import pytest

import cyberevidence as ce

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

DOC = Path(__file__).resolve().parents[2] / "docs" / "many-cases.md"


def _doc_query() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- cases-with-handle:.*?-->\s*```sql\n(.*?)```", text, re.S)
    assert found, "docs/many-cases.md lost its cases-with-handle query"
    return found.group(1)


def _same_handle(handle: str, wanted: str) -> bool:
    if "@" in wanted:
        return handle.strip().lower() == wanted.strip().lower()
    try:
        a, b = phonenumbers.parse(handle, "GB"), phonenumbers.parse(wanted, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.format_number(a, 0) == phonenumbers.format_number(b, 0)  # 0: E164


def _expected(cases: list[ce.Case], wanted: str) -> list[tuple[str, int, datetime | None, datetime | None, list[str]]]:
    out = []
    for case in cases:
        hits = [e for e in case.timeline() if any(_same_handle(h, wanted) for h in [e.sender, *e.recipients] if h)]
        if hits:
            stamps = [e.timestamp.replace(microsecond=e.timestamp.microsecond // 1000 * 1000) for e in hits if e.timestamp]
            out.append((case.info["case_id"], len({e.event_id for e in hits}), min(stamps, default=None),
                        max(stamps, default=None), sorted({e.platform for e in hits})))
    return sorted(out)


@pytest.fixture(scope="module")
def lake(built_case: Path, mixed_case: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ce.Case]]:
    base = tmp_path_factory.mktemp("lake")
    cases = []
    for source in (built_case, mixed_case):
        root = base / "cases" / source.parent.name
        shutil.copytree(source, root, symlinks=True)
        case = ce.Case.open(root)
        target = base / "lake" / "timelines" / f"case_id={case.info['case_id']}" / "timeline.parquet"
        done = subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", "timeline", str(root), "--format", "parquet",
                               "-o", str(target)], capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        cases.append(case)
    return base / "lake", cases


@pytest.mark.parametrize("handle", ["+44 7700 900456", "07700 900123", "+447700900999", "SENDER@example.net",
                                    "mark.kell@example.net",
                                    "+44 7700 900000", "victim@example.org"])
def test_cases_with_handle_query_matches_the_cases_own_timelines(lake: tuple[Path, list[ce.Case]], handle: str) -> None:
    folder, cases = lake
    con = duckdb.connect()
    rows = con.execute(_doc_query(), {"handle": handle, "timelines": str(folder / "timelines" / "*" / "timeline.parquet")})
    got = [(cid, n, first, last, platforms) for cid, n, first, last, platforms in rows.fetchall()]
    assert got == _expected(cases, handle)


def test_the_questions_are_worth_asking(lake: tuple[Path, list[ce.Case]]) -> None:
    """The handles above cover both cases, one case, and none, so the test can tell a wrong query."""
    _folder, cases = lake
    assert len(_expected(cases, "+44 7700 900456")) == 2
    assert len(_expected(cases, "07700 900123")) == 2  # the demo's SMS backup holds the victim's number too
    assert len(_expected(cases, "+447700900999")) == 1 and len(_expected(cases, "SENDER@example.net")) == 1
    assert len(_expected(cases, "mark.kell@example.net")) == 1
    assert _expected(cases, "+44 7700 900000") == []
