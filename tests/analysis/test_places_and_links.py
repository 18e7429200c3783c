"""Places from photos inside exports (a safety finding when the victim sent one) and links in messages."""

from __future__ import annotations

import zipfile
from pathlib import Path

import cyberevidence as ce

PEOPLE = """
[[person]]
name = "Sarah Jones"
role = "victim"
handles = ["whatsapp:Sarah Jones"]

[[person]]
name = "Mark Kell"
role = "subject"
handles = ["whatsapp:Mark Kell"]
"""


def _zip_with_photo(tmp_path: Path, photo: bytes) -> Path:
    chat = (
        "14/03/2025, 19:02 - Mark Kell: where are you? https://grabify.link/ZX81AB\n"
        "14/03/2025, 19:05 - Sarah Jones: IMG-20250314-WA0001.jpg (file attached)\n"
        "14/03/2025, 19:06 - Mark Kell: nice. I know that street. bit.ly links next time www.example.org\n"
    )
    path = tmp_path / "WhatsApp Chat - Mark Kell.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", chat)
        zf.writestr("IMG-20250314-WA0001.jpg", photo)
    return path


def test_a_gps_photo_the_victim_sent_is_a_safety_finding(corpus: Path, tmp_path: Path) -> None:
    photo = (corpus / "images" / "exifsamples_gps_DSCN0021.jpg").read_bytes()
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    people = tmp_path / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    case.load_people(people)
    case.add(_zip_with_photo(tmp_path, photo), timezone="Europe/London")
    (place,) = case.places()
    assert (place.facts.latitude, place.facts.longitude) == (43.467082, 11.884538)
    assert place.names == ["IMG-20250314-WA0001.jpg"]
    assert place.sent_by_victim
    assert place.to_dict()["safety_finding"] is True
    (photo,) = [e for e in case.timeline() if e.kind == "media_metadata"]  # the position is on the timeline too
    assert photo.source.sha256 == place.sha256 and "43.467082, 11.884538" in photo.text
    assert case.verify().exit_code == 0
    before = [(e.event_id, e.kind) for e in case.timeline()]
    case.rebuild()
    assert [(e.event_id, e.kind) for e in case.timeline()] == before

    links = list(case.links())
    assert [(link.link.registered_domain, link.person, link.direction) for link in links] == [
        ("grabify.link", "Mark Kell", "incoming"),
        ("example.org", "Mark Kell", "incoming"),
    ]
    assert links[0].link.flag is not None and links[0].link.flag.category == "ip_logger"
