"""The photo parser: EXIF time and GPS become a media_metadata event; no EXIF, a warning."""

from __future__ import annotations

from pathlib import Path

import cyberevidence as ce
from cyberevidence.events import ParseWarning
from cyberevidence.standalone import parse


def test_heic_with_offset_gives_an_exact_event(corpus: Path) -> None:
    (ev,) = list(parse(corpus / "images" / "exifsamples_iphone11promax_IMG_5195.HEIC", timezone="Europe/London"))
    assert (ev.kind, ev.platform, ev.timestamp_utc, ev.time_ambiguous) == (
        "media_metadata",
        "photo",
        "2021-04-11T20:47:53Z",
        False,
    )
    assert ev.extra["latitude"] == 39.051344 and ev.extra["longitude"] == -94.288772
    assert "39.051344, -94.288772" in ev.text and "iPhone 11 Pro Max" in ev.text


def test_camera_clock_without_offset_is_read_in_the_given_zone_and_flagged(corpus: Path) -> None:
    (ev,) = list(parse(corpus / "images" / "exifsamples_gps_DSCN0010.jpg", timezone="Europe/Rome"))
    assert ev.timestamp_utc == "2008-10-22T14:28:39Z"  # 16:28:39 CEST (UTC+2)
    assert ev.time_ambiguous and "Europe/Rome" in ev.time_note


def test_picture_without_exif_gives_a_warning_not_a_silent_skip(corpus: Path) -> None:
    warnings: list[ParseWarning] = []
    assert list(parse(corpus / "images" / "exifsamples_no_exif.jpg", warnings=warnings)) == []
    assert "no_photo_time" in [w.code for w in warnings]


def test_photos_in_a_case_become_places(corpus: Path, tmp_path: Path) -> None:
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(corpus / "images" / "exifsamples_gps_DSCN0012.jpg")
    case.add(corpus / "images" / "exifsamples_Canon_40D.jpg")
    places = case.places()
    assert [(p.facts.latitude, p.facts.longitude) for p in places] == [(43.467157, 11.885395)]
    assert places[0].names == ["exifsamples_gps_DSCN0012.jpg"]
    assert case.verify().exit_code == 0
