"""Resolution keys: each event names the key person resolution reads, the key is digested with
the event (so editing it is caught), a rolled-back parse leaves no stale key behind, and an index
of the former schema keeps its own digest rule."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.events import Event, EventIdAssigner, SourceRef
from cyberevidence.store.index import Index
from cyberevidence.store.index_digest import UNKEYED_EVENTS_QUERY, artefact_digest, queries_for

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("keys") / "case"
    case = ce.Case.create(root, examiner="J. Smith", timezone="Europe/London")
    case.add(DEMO / "exports")
    case.load_people(DEMO / "people.toml")
    case.close()
    return root


@pytest.fixture
def case_dir(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "case", symlinks=True)
    return tmp_path / "case"


def test_every_event_names_a_key_that_repeats_its_columns(case_dir: Path) -> None:
    db = sqlite3.connect(case_dir / "index.sqlite")
    rows = db.execute(
        "SELECT e.platform = k.platform AND e.kind = k.kind AND e.sender = k.sender AND e.thread = k.thread"
        " AND e.source_sha256 = k.source_sha256, json_extract(k.facts, '$[0]') = json_extract(e.record, '$.direction')"
        " FROM events e LEFT JOIN resolution_keys k ON k.id = e.rkey"
    ).fetchall()
    assert rows and all(same == 1 and direction == 1 for same, direction in rows)
    assert db.execute("SELECT COUNT(*) FROM resolution_keys").fetchone()[0] < len(rows)  # shared, not one per event


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE events SET rkey = (SELECT MAX(id) FROM resolution_keys) WHERE rowid = (SELECT MIN(rowid) FROM events"
        " WHERE rkey != (SELECT MAX(id) FROM resolution_keys))",
        "UPDATE resolution_keys SET facts = json_set(facts, '$[0]', 'incoming') WHERE id = (SELECT rkey FROM events LIMIT 1)",
        "UPDATE events SET rkey = NULL WHERE rowid = (SELECT MIN(rowid) FROM events)",
    ],
)
def test_an_edited_key_is_caught(case_dir: Path, edit: str) -> None:
    db = sqlite3.connect(case_dir / "index.sqlite")
    with db:
        assert db.execute(edit).rowcount > 0
    db.close()
    report = ce.verify_case(case_dir)
    assert report.exit_code == 1 and any("index.sqlite" in str(p) for p in report.problems)
    with ce.Case.open(case_dir) as case:
        case.rebuild()
    assert ce.verify_case(case_dir).exit_code == 0


def test_a_rolled_back_parse_forgets_the_keys_it_made(tmp_path: Path) -> None:
    index = Index(tmp_path / "index.sqlite")
    ids = EventIdAssigner()

    def event(sender: str) -> Event:
        return ids.assign(Event(timestamp=datetime(2025, 1, 1, tzinfo=timezone.utc), platform="sms", kind="message",
                                source=SourceRef("a" * 64, sender), sender=sender, text="hi"))

    with pytest.raises(RuntimeError), index.transaction():
        index.add_events([event("Mark")])
        raise RuntimeError("interrupted")
    with index.transaction():
        index.add_events([event("Dana"), event("Mark")])
    keys = dict(index.db.execute("SELECT sender, id FROM resolution_keys").fetchall())
    named = dict(index.db.execute("SELECT sender, rkey FROM events").fetchall())
    assert keys == named and set(keys) == {"Dana", "Mark"}


def test_an_index_of_the_former_schema_keeps_its_rule(case_dir: Path) -> None:
    db = sqlite3.connect(case_dir / "index.sqlite")
    sha = db.execute("SELECT source_sha256 FROM events LIMIT 1").fetchone()[0]
    keyed = artefact_digest(db, sha)
    with db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert queries_for(db)[0] == UNKEYED_EVENTS_QUERY
    assert artefact_digest(db, sha) != keyed and artefact_digest(db, sha).rows == keyed.rows
    db.close()
    assert not Index(case_dir / "index.sqlite", readonly=True).keyed
