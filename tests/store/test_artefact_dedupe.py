"""Artefacts: one copy per SHA-256 with every provenance; names that lie about the content are flagged."""

from __future__ import annotations

import zipfile
from email.message import EmailMessage
from pathlib import Path

import cyberevidence as ce
from cyberevidence.hashing import hash_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 4 + b"\xff\xd9"


def test_the_same_photo_in_a_whatsapp_zip_and_an_email_is_stored_once(tmp_path: Path) -> None:
    wa = tmp_path / "WhatsApp Chat - Mark Kell.zip"
    with zipfile.ZipFile(wa, "w") as zf:
        zf.writestr("_chat.txt", "14/03/2025, 19:05 - Mark Kell: IMG-20250314-WA0001.jpg (file attached)\n")
        zf.writestr("IMG-20250314-WA0001.jpg", JPEG)
    msg = EmailMessage()
    msg["From"] = "Mark Kell <mark.kell@example.net>"
    msg["To"] = "sarah.jones@example.org"
    msg["Subject"] = "remember this?"
    msg["Date"] = "Fri, 14 Mar 2025 20:00:00 +0000"
    msg["Message-ID"] = "<a1@example.net>"
    msg.set_content("see attached")
    msg.add_attachment(JPEG, maintype="image", subtype="jpeg", filename="station.jpg")
    eml = tmp_path / "remember.eml"
    eml.write_bytes(bytes(msg))

    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(wa, timezone="Europe/London", date_order="dmy")
    case.add(eml)
    sha = hash_bytes(JPEG)["sha256"]
    assert len(list((case.root / "evidence").rglob(sha))) == 1
    (art,) = [a for a in case.manifest()["artefacts"] if a["sha256"] == sha]
    paths = sorted(p["path_in_parent"] for p in art["provenance"])
    assert len(paths) == 2 and paths[0] == "IMG-20250314-WA0001.jpg" and paths[1].endswith("station.jpg")
    parents = {p["parent_sha256"] for p in art["provenance"]}
    assert parents == {hash_bytes(wa.read_bytes())["sha256"], hash_bytes(eml.read_bytes())["sha256"]}
    linked = [e for e in case.timeline() if any(a.sha256 == sha for a in e.attachments)]
    assert {e.platform for e in linked} == {"whatsapp", "email"}
    assert case.verify().exit_code == 0


def test_a_renamed_zip_is_flagged_in_the_manifest(tmp_path: Path) -> None:
    fake = tmp_path / "holiday.jpg"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("notes.txt", "not a photo")
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(fake)
    (art,) = case.manifest()["artefacts"]
    assert art["media_type"] == "application/zip"
    assert art["type_mismatch"] == ["holiday.jpg: named .jpg but the content is application/zip"]
    assert case.manifest()["totals"]["type_mismatches"] == 1
