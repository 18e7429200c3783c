"""Discord data-package parser: the public messages.csv, new and old synthetic packages, a real case."""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import cyberevidence
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.discord import PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for

from ._helpers import of, parse_fixture

CORPUS_CSV = "discord/langchain_fake_discord_package/messages/c105765859191975936/messages.csv"
OLD_DIR = "messages/c105765859191975999"


run = partial(parse_fixture, fmt="discord", tz="UTC")


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=timezone.utc)  # type: ignore[misc]


def test_corpus_messages_csv(corpus: Path) -> None:
    path = corpus / CORPUS_CSV
    assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    events, warnings = run(path)
    assert len(events) == 25
    assert {e.timestamp for e in events} == {utc(2023, 4, 19, 15, 14, 45, 904819)}
    assert {e.direction for e in events} == {"outgoing"} and {e.kind for e in events} == {"message"}
    assert events[0].text == "laocgfgbxyqfigvtyyygjzypxininrybgqopjhkyocn fxizft"
    assert events[0].source.locator == "line 2" and events[24].source.locator == "line 26"
    assert all(not e.attachments for e in events)
    # every id was rounded by a spreadsheet: kept as written, never trusted
    assert events[0].extra["message_id_as_written"] == "7.73264E+18" and "message_id" not in events[0].extra
    assert len(of(warnings, "mangled_id")) == 25 and len(of(warnings, "spreadsheet_edited")) == 1
    assert len(of(warnings, "no_channel_info")) == 1


def test_new_package_zip_messages_json(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "discord" / "discord-package-new.zip")
    assert len(events) == 3 and {e.direction for e in events} == {"outgoing"} and {e.sender for e in events} == {"sarah.j"}
    first, photo, guild = events
    assert (first.text, first.timestamp, first.thread) == ("Stop contacting me.", utc(2024, 3, 1, 21, 20), "1200000000000000900")
    assert first.recipients == ["80000000000000002"] and first.extra["channel_name"] == "Direct Message with mark.k"
    assert first.source.locator == "package/Messages/c1200000000000000900/messages.json:$[0]"
    assert photo.attachments[0].name == "screenshot.png" and photo.attachments[0].sha256 == ""
    assert guild.extra["channel_name"] == "general in Book Club" and guild.recipients == []
    assert not of(warnings, "timestamp_mismatch") and not of(warnings, "assumed_timezone")
    assert len(of(warnings, "missing_attachment")) == 1


def test_naive_times_use_the_zone_and_say_so(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "discord" / "discord-package-new.zip", tz=None)
    assert events[0].timestamp == utc(2024, 3, 1, 21, 20)  # Europe/London is GMT in March before the change
    assert len(of(warnings, "assumed_timezone")) == 1
    # ids encode the UTC instant, so a zone that shifts times is caught
    warnings = []
    events = list(parse(fixtures_dir / "discord" / "discord-package-new.zip", timezone="Europe/Berlin", warnings=warnings))
    assert events[0].timestamp == utc(2024, 3, 1, 20, 20) and len(of(warnings, "timestamp_mismatch")) == 3


def test_old_package_zip_with_mangled_id(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "discord" / "discord-package-old.zip")
    assert [e.text for e in events] == ["I have blocked you on every app", "Line one\nline two", "time edited by hand"]
    assert [e.source.locator for e in events] == [f"{OLD_DIR}/messages.csv:line {n}" for n in (2, 3, 6)]
    assert events[0].timestamp == utc(2020, 5, 21, 22, 31, 32, 584000)
    assert events[1].timestamp == utc(2020, 5, 22, 6, 5)  # +01:00 → UTC
    assert events[0].extra["message_id"] == "713157058584641536"  # (1590100292584 ms - Discord epoch) << 22
    assert events[1].extra["message_id_as_written"] == "7.73264E+18"
    assert of(warnings, "mangled_id")[0].locator == f"{OLD_DIR}/messages.csv:line 3"
    assert of(warnings, "unreadable_time")[0].locator == f"{OLD_DIR}/messages.csv:line 5"
    assert of(warnings, "timestamp_mismatch")[0].locator == f"{OLD_DIR}/messages.csv:line 6"
    assert len(of(warnings, "spreadsheet_edited")) == 1
    assert events[1].attachments[0].name == "photo.jpg"
    assert events[1].extra["attachment_urls"] == ["https://cdn.discordapp.com/attachments/1/2/photo.jpg"]


def test_members_are_derived(fixtures_dir: Path) -> None:
    path = fixtures_dir / "discord" / "discord-package-old.zip"
    ctx = HashOnlyContext(ParseOptions())
    list(PARSER.parse(source_file_for(path), ctx))
    assert [d[1] for d in ctx.derived] == [
        "account/user.json",
        "messages/index.json",
        f"{OLD_DIR}/channel.json",
        f"{OLD_DIR}/messages.csv",
    ]


def test_unpacked_messages_csv_uses_channel_json_beside_it(fixtures_dir: Path) -> None:
    events, warnings = run(fixtures_dir / "discord" / "package-old" / OLD_DIR / "messages.csv")
    assert len(events) == 3 and {e.thread for e in events} == {"105765859191975999"}
    assert events[0].sender == "" and "owner" in events[0].extra["sender_note"]
    assert events[0].source.locator == "line 2" and not of(warnings, "no_channel_info")


def test_sniff(fixtures_dir: Path, tmp_path: Path) -> None:
    for name in ("discord-package-new.zip", "discord-package-old.zip"):
        path = fixtures_dir / "discord" / name
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536])
    other = tmp_path / "messages.csv"
    other.write_text("Date,Amount\n2024-01-01,3\n", encoding="utf-8")
    assert not PARSER.sniff(source_file_for(other), other.read_bytes())
    deep = tmp_path / "deep.zip"
    with zipfile.ZipFile(deep, "w") as zf:
        zf.writestr("messages/c1/extra/messages.json", b"[]")
    assert not PARSER.sniff(source_file_for(deep), deep.read_bytes()[:65536])


def test_through_a_case(tmp_path: Path, fixtures_dir: Path) -> None:
    case = cyberevidence.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="UTC")
    try:
        report = case.add(fixtures_dir / "discord" / "discord-package-old.zip")
        assert [f.parser for f in report.files] == ["discord"] and report.files[0].events == 3
        assert case.verify().exit_code == 0
        assert next(e.text for e in case.timeline()) == "I have blocked you on every app"
        assert f"{OLD_DIR}/messages.csv" in repr(case.manifest())
    finally:
        case.close()


def test_unpacked_folder_through_a_case(tmp_path: Path, fixtures_dir: Path) -> None:
    folder = tmp_path / "package"
    shutil.copytree(fixtures_dir / "discord" / "package-old", folder)
    case = cyberevidence.Case.create(tmp_path / "case", examiner="Test Examiner", timezone="UTC")
    try:
        report = case.add(folder)
        parsed = {f.original_path: f.parser for f in report.files}
        assert parsed["messages.csv"] == "discord"
        assert {e.thread for e in case.timeline()} == {"105765859191975999"}
        assert case.verify().exit_code == 0
    finally:
        case.close()


def _timeline(case_dir: Path, inputs: list[Path], *, rebuild: bool = False) -> list[tuple[str, str, str, str, str]]:
    case = cyberevidence.Case.create(case_dir, examiner="Test Examiner", timezone="UTC")
    try:
        for item in inputs:
            case.add(item)
        if rebuild:
            case.rebuild()
        return sorted((e.event_id, e.sender, e.person, e.extra.get("channel_name", ""), e.thread) for e in case.timeline())
    finally:
        case.close()


def test_unpacked_package_gives_the_zips_events(tmp_path: Path, fixtures_dir: Path) -> None:
    """The owner (account/user.json) and channel names (messages/index.json) of an unpacked package
    are found from the messages file's place in the layout, wherever the package was unpacked to:
    the same sender, recipients and ids as the zip, also after a rebuild."""
    for name in ("discord-package-new.zip", "discord-package-old.zip"):
        zipped = fixtures_dir / "discord" / name
        folder = tmp_path / name / "somewhere else" / "unpacked"
        with zipfile.ZipFile(zipped) as zf:
            zf.extractall(folder)
        base = _timeline(tmp_path / name / "zip", [zipped])
        assert base and all(sender for _, sender, _, _, _ in base)
        assert _timeline(tmp_path / name / "folder", [folder.parent.parent]) == base
        assert _timeline(tmp_path / name / "rebuilt", [folder], rebuild=True) == base
