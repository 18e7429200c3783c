"""A rebuilt index says exactly what the original did: same events, ids, links and names."""

from __future__ import annotations

import shutil
from pathlib import Path

import cyberevidence as ce


def _snapshot(case: ce.Case) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    return [(e.event_id, e.timestamp_utc, e.sender, e.thread, tuple(a.sha256 for a in e.attachments)) for e in case.timeline()]


def test_rebuild_reproduces_sibling_links_and_names(fixtures_dir: Path, tmp_path: Path) -> None:
    phone = tmp_path / "phone"
    shutil.copytree(fixtures_dir / "whatsapp_db" / "android_new", phone)
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(phone)  # msgstore.db with wa.db (names) and a photo beside it
    before = _snapshot(case)
    assert any(sender == "Mark Kell" for _, _, sender, _, _ in before)  # the name came from wa.db
    assert any(any(atts) for *_, atts in before)  # the photo was linked
    parse = next(e for e in case.custody.entries() if e.action == "parse" and e.details["parser"] == "whatsapp_android_db")
    assert set(parse.details["siblings_used"]) >= {"wa.db", "IMG-20251016-WA0003.jpg"}
    case.rebuild()
    assert _snapshot(case) == before
    assert case.verify().exit_code == 0


def test_media_in_subfolders_are_offered_by_relative_path(tmp_path: Path) -> None:
    export = tmp_path / "export"
    from cyberevidence.parsers.base import SourceFile
    from cyberevidence.store.ingest import FolderSiblings

    fake = {
        rel: SourceFile(export / rel, rel.replace("/", "_"), Path(rel).name, 1)
        for rel in ("chat/result.json", "chat/photos/a.jpg", "other/x.jpg", "top.jpg")
    }
    sib = FolderSiblings(fake, "chat/result.json")
    assert sib["photos/a.jpg"].sha256 == "chat_photos_a.jpg"  # relative to the source's folder
    assert sib["other/x.jpg"].sha256 == "other_x.jpg"  # relative to the folder that was added
    assert "../other/x.jpg" not in sib and "/top.jpg" not in sib and "result.json" not in sib
    assert sorted(sib) == ["photos/a.jpg"]
    assert sib.used == {"photos/a.jpg": "chat_photos_a.jpg", "other/x.jpg": "other_x.jpg"}
