"""The index digest: the rule in docs/verification.md is the code's rule, an expert can recompute
it with the sqlite3 shell, and it does not depend on the order rows were written."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.store.index_digest import DIGEST_QUERIES, artefact_digest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "verification.md"
DEMO = REPO / "fixtures" / "demo" / "exports"


def documented_script() -> str:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- index-digest-script -->\n```sh\n(.*?)```\n<!-- /index-digest-script -->", text, re.S)
    assert block, "docs/verification.md lost its index-digest script"
    return block.group(1)


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("digest") / "case"
    case = ce.Case.create(root, examiner="J. Smith")
    case.add(DEMO)
    case.close()
    return root


def parsed(case_dir: Path) -> list[str]:
    with ce.Case.open(case_dir) as case:
        return [e.subject for e in case.custody.entries() if e.action == "parse" and e.details.get("events")]


def test_every_query_is_in_the_docs_word_for_word() -> None:
    script = documented_script()
    for query in DIGEST_QUERIES:
        assert query.replace("?1", "'$sha'") in script, query


def test_the_documented_shell_commands_give_custody_s_digest(case_dir: Path, tmp_path: Path) -> None:
    if not (shutil.which("sqlite3") and shutil.which("jq") and shutil.which("bash")):
        pytest.skip("the sqlite3 shell, jq or bash is not installed")
    work = tmp_path / "copy"
    shutil.copytree(case_dir, work)
    for sha in parsed(work):
        script = documented_script().replace("sha=ab12…", f"sha={sha}", 1)
        run = subprocess.run(["bash", "-c", script], cwd=work, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        computed, recorded = run.stdout.split()
        assert computed == recorded and re.fullmatch(r"\d+:[0-9a-f]{64}", computed)


def test_digest_does_not_depend_on_insertion_order(case_dir: Path, tmp_path: Path) -> None:
    """The same rows written in reverse order (a different rowid order) digest the same."""
    src = sqlite3.connect(case_dir / "index.sqlite")
    schema = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")]
    tables = ("meta", "resolution_keys", "events", "event_sources", "event_merges", "warnings", "parses")
    rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    reversed_db = sqlite3.connect(tmp_path / "reversed.sqlite")
    for sql in schema:
        reversed_db.execute(sql)
    for t in tables:
        for row in reversed(rows[t]):
            values = list(row)
            if t == "warnings":
                values[0] = None  # a new id, in the new order
            reversed_db.execute(f"INSERT INTO {t} VALUES({','.join('?' * len(values))})", values)
    reversed_db.commit()
    for sha in parsed(case_dir):
        assert artefact_digest(src, sha) == artefact_digest(reversed_db, sha)
        assert artefact_digest(src, sha).rows > 0


def test_rebuild_records_fresh_digests_and_verifies(case_dir: Path, tmp_path: Path) -> None:
    work = tmp_path / "copy"
    shutil.copytree(case_dir, work)
    with ce.Case.open(work) as case:
        before = [e.text for e in case.timeline()]
        case.rebuild()
        rebuilt = [e for e in case.custody.entries() if e.action == "rebuild"]
        assert len(rebuilt) == 1 and set(parsed(work)) <= set(rebuilt[0].details["index_digests"])
        assert [e.text for e in case.timeline()] == before
    assert ce.verify_case(work).exit_code == 0
