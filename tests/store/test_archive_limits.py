"""Zip-bomb limits can be set per add, are recorded in custody, and are reused by rebuild."""

from __future__ import annotations

import zipfile
from pathlib import Path

import cyberevidence as ce
from cyberevidence.archive import ArchiveLimits


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "WhatsApp Chat - Mark.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", "01/03/2025, 10:00 - Mark: IMG-1.jpg (file attached)\n")
        zf.writestr("IMG-1.jpg", b"\x00" * 2_000_000)  # compresses about 1000:1
    return path


def test_tighter_limits_refuse_the_bomb_and_are_logged(tmp_path: Path) -> None:
    strict = ArchiveLimits(max_ratio=50.0, ratio_floor_bytes=1024)
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(_export(tmp_path), timezone="Europe/London", date_order="dmy", archive_limits=strict)
    codes = [w.code for w in case.warnings()]
    assert "unreadable_member" in codes  # the media member broke the ratio limit; the chat was still read
    assert [e.text for e in case.timeline()] == ["IMG-1.jpg (file attached)"]
    parse = next(e for e in case.custody.entries() if e.action == "parse")
    assert parse.details["options"]["archive_limits"] == strict.to_text()
    assert ArchiveLimits.from_text(strict.to_text()) == strict
    case.rebuild()
    assert "unreadable_member" in [w.code for w in case.warnings()]
    assert case.verify().exit_code == 0


def test_default_limits_accept_it_and_are_not_logged(tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(_export(tmp_path), timezone="Europe/London", date_order="dmy")
    assert "unreadable_member" not in [w.code for w in case.warnings()]
    parse = next(e for e in case.custody.entries() if e.action == "parse")
    assert "archive_limits" not in parse.details["options"]
