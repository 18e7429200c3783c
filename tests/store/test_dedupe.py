"""Exact dedupe across exports, and the stated rule that merges a txt export with its database twin."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import cyberevidence as ce
from cyberevidence.events import Event, EventIdAssigner, SourceRef
from cyberevidence.store.index import Index

LINES = [
    f"{d:02d}/03/2025, {h:02d}:{m:02d} - Mark Kell: message number {d}-{h}-{m}"
    for d in range(1, 11)
    for h, m in ((9, 5), (21, 40))
]


def _export(folder: Path, lines: list[str]) -> Path:
    folder.mkdir(parents=True)
    path = folder / "WhatsApp Chat with Mark Kell.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_overlapping_exports_give_the_union_without_duplicates(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    first = _export(tmp_path / "week1", LINES[:14])
    second = _export(tmp_path / "week2", LINES[6:])
    case.add(first, timezone="Europe/London", date_order="dmy")
    case.add(second, timezone="Europe/London", date_order="dmy")
    events = list(case.timeline())
    assert len(events) == len(LINES) == 20
    assert len({e.event_id for e in events}) == 20
    both = [e for e in events if len({s.sha256 for s in e.seen_in}) == 2]
    assert len(both) == 8  # lines 6..13 are in both exports
    assert case.verify().exit_code == 0


def test_the_same_words_sent_twice_stay_two_events(tmp_path: Path) -> None:
    lines = [
        "01/03/2025, 09:05 - Sarah Jones: Please stop.",
        "01/03/2025, 09:05 - Sarah Jones: Please stop.",
        "02/03/2025, 10:00 - Sarah Jones: Please stop.",
    ]
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    path = _export(tmp_path / "x", lines)
    case.add(path, timezone="Europe/London", date_order="dmy")
    case.add(path, timezone="Europe/London", date_order="dmy")  # the same file again changes nothing
    events = list(case.timeline())
    assert [e.text for e in events] == ["Please stop."] * 3
    assert len({e.event_id for e in events}) == 3


def test_corpus_merge_pair_gives_its_union(corpus: Path, tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    for part in ("part1", "part2"):
        case.add(corpus / "whatsapp" / f"whatstk_lorem_merge_{part}_yyyymmdd.txt", timezone="UTC")
    events = list(case.timeline())
    assert len(events) == 600  # 300 + 300, no overlap (SOURCES.md)
    assert events[0].timestamp_utc.startswith("2019-10-20T10:16")
    assert events[-1].timestamp_utc.startswith("2020-09-10T00:00")


# -- the txt/database rule, at the index level ----------------------------------------------

TXT, DB = "a" * 64, "b" * 64


def _ev(sha: str, when: datetime, text: str, thread: str, precision: str, n: int) -> Event:
    extra = {"time_precision": precision} if precision != "exact" else {}
    return Event(
        timestamp=when,
        platform="whatsapp",
        kind="message",
        source=SourceRef(sha, f"line {n}"),
        sender="Mark Kell" if sha == TXT else "447700900123@s.whatsapp.net",
        text=text,
        thread=thread,
        extra=extra,
    )


def _utc(h: int, m: int, s: int = 0, ms: int = 0) -> datetime:
    return datetime(2025, 3, 14, h, m, s, ms * 1000, tzinfo=timezone.utc)


def test_txt_and_database_twins_merge_by_the_stated_rule(tmp_path: Path) -> None:
    index = Index(tmp_path / "index.sqlite")
    ids = EventIdAssigner()
    txt = [
        _ev(TXT, _utc(19, 2), "See you at the station tonight", "Mark Kell", "minute", 1),
        _ev(TXT, _utc(19, 3), "ok", "Mark Kell", "minute", 2),
        _ev(TXT, _utc(19, 4), "Please stop.", "Mark Kell", "minute", 3),
        _ev(TXT, _utc(19, 4), "Please stop.", "Mark Kell", "minute", 4),
    ]
    db = [
        _ev(DB, _utc(19, 2, 37, 412), "See you at the  station tonight", "+44 7700 900123", "exact", 10),
        _ev(DB, _utc(19, 3, 5), "ok", "+44 7700 900123", "exact", 11),
        _ev(DB, _utc(19, 4, 1), "Please stop.", "+44 7700 900123", "exact", 12),
    ]
    with index.transaction():
        index.add_events([ids.assign(e) for e in txt])
        assert index.reconcile(TXT)[0] == 0
        index.add_events([EventIdAssigner().assign(e) for e in db])
        merged, _owners = index.reconcile(DB)
    assert merged == 1  # only the long text: "ok" differs in thread; 2 vs 1 "Please stop." is never guessed
    events = list(index.iter_events())
    assert len(events) == 6
    station = next(e for e in events if e.text.startswith("See you"))
    assert station.timestamp_utc == "2025-03-14T19:02:37.412Z"  # the precise twin is kept
    assert {s.sha256 for s in station.seen_in} == {TXT, DB}
    assert index.event_count() == 6


def test_short_text_merges_when_threads_agree(tmp_path: Path) -> None:
    index = Index(tmp_path / "index.sqlite")
    with index.transaction():
        index.add_events([EventIdAssigner().assign(_ev(TXT, _utc(19, 3), "ok", "+44 7700 900123", "minute", 1))])
        index.add_events([EventIdAssigner().assign(_ev(DB, _utc(19, 3, 5), "ok", "447700900123@s.whatsapp.net", "exact", 2))])
        assert index.reconcile(DB)[0] == 1
    assert [len(e.seen_in) for e in index.iter_events()] == [2]


def test_a_txt_export_and_the_phone_database_of_one_chat_merge(fixtures_dir: Path, tmp_path: Path) -> None:
    """The victim's txt export (minute, local time) and msgstore.db (ms, UTC) give each message once."""
    import shutil
    import sqlite3

    db_dir = tmp_path / "phone"
    shutil.copytree(fixtures_dir / "whatsapp_db" / "android_new", db_dir)
    with sqlite3.connect(db_dir / "msgstore.db") as conn:  # our own copy: give the messages seconds
        conn.execute("UPDATE message SET timestamp = timestamp + 37412 WHERE timestamp > 0")
    txt = _export(
        tmp_path / "export",
        [
            "14/10/2025, 20:01 - Mark Kell: Why aren't you answering?",
            "14/10/2025, 20:05 - Sarah Jones: Please stop contacting me.",
            "16/10/2025, 08:30 - Mark Kell: I know where you were today",
        ],
    )
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(db_dir / "msgstore.db", db_dir / "wa.db")
    before = len(list(case.timeline()))
    case.add(txt, timezone="Europe/London", date_order="dmy")
    events = list(case.timeline())
    assert len(events) == before  # nothing new: all three lines were already known from the database
    merged = [e for e in events if len({s.sha256 for s in e.seen_in}) == 2]
    assert [(e.timestamp_utc, e.text) for e in merged] == [
        ("2025-10-14T19:01:37.412Z", "Why aren't you answering?"),
        ("2025-10-14T19:05:37.412Z", "Please stop contacting me."),
        ("2025-10-16T07:30:37.412Z", "I know where you were today"),
    ]
    parse_entries = [e for e in case.custody.entries() if e.action == "parse"]
    assert parse_entries[-1].details["merged_across_precision"] == 3
    assert case.verify().exit_code == 0


def test_case_ids_equal_standalone_ids_with_repeats(tmp_path: Path) -> None:
    """The case assigns occurrence numbers through the index (flat memory) exactly as parse() does in memory."""
    lines = ["01/03/2025, 09:05 - Sarah Jones: Please stop."] * 3 + ["01/03/2025, 09:06 - Mark Kell: no"]
    path = _export(tmp_path / "x", lines * 2)
    standalone = sorted(e.event_id for e in ce.parse(path, timezone="Europe/London", date_order="dmy"))
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(path, timezone="Europe/London", date_order="dmy")
    assert sorted(e.event_id for e in case.timeline()) == standalone
    assert len(set(standalone)) == 8


def test_a_lone_surrogate_is_replaced_not_a_crash(tmp_path: Path) -> None:
    """A hostile "\\ud800" escape can't be stored as UTF-8: it becomes U+FFFD and the event says so."""
    from datetime import datetime, timezone

    ev = Event(
        timestamp=datetime(2025, 1, 1, tzinfo=timezone.utc),
        platform="telegram",
        kind="message",
        source=SourceRef(TXT, "$.messages[0]"),
        text="hi \ud800 there",
        extra={"k": ["\udc00"]},
    )
    EventIdAssigner().assign(ev)
    assert ev.text == "hi \ufffd there" and ev.extra == {"k": ["\ufffd"], "invalid_characters_replaced": True}
    index = Index(tmp_path / "index.sqlite")
    with index.transaction():
        index.add_events([ev])
    assert [e.text for e in index.iter_events()] == ["hi \ufffd there"]
