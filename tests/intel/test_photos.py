"""EXIF facts from the corpus photos, against the values in SOURCES.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberevidence.intel.photos import read_photo_file

GPS = {
    "exifsamples_android_nokia83_gps.jpg": (60.146706, 24.906772),
    "exifsamples_android_nokia83_hdr_gps.heif": (40.662993, -3.763741),
    "exifsamples_gps_DSCN0010.jpg": (43.467448, 11.885127),
    "exifsamples_gps_DSCN0012.jpg": (43.467157, 11.885395),
    "exifsamples_gps_DSCN0021.jpg": (43.467082, 11.884538),
    "exifsamples_iphone11promax_IMG_5195.HEIC": (39.051344, -94.288772),
    "exifsamples_iphone6_hdr_gps.jpg": (40.446972, -3.724753),
}


@pytest.mark.parametrize("name", sorted(GPS))
def test_gps_matches_sources(corpus: Path, name: str) -> None:
    facts = read_photo_file(corpus / "images" / name)
    assert facts is not None and facts.has_gps
    assert (facts.latitude, facts.longitude) == pytest.approx(GPS[name], abs=1e-6)


@pytest.mark.parametrize(
    ("name", "make", "model", "taken"),
    [
        ("exifsamples_Canon_40D.jpg", "Canon", "Canon EOS 40D", "2008:05:30 15:56:01"),
        ("exifsamples_Nikon_D70.jpg", "NIKON CORPORATION", "NIKON D70", "2008:03:15 09:52:01"),
        ("exifsamples_iphone11promax_IMG_5195.HEIC", "Apple", "iPhone 11 Pro Max", "2021:04:11 15:47:53"),
        ("exifsamples_tests_45-gps_ifd_empty.jpg", "Polyphony Digital Inc.", "Gran Turismo 5", "2012:06:23 06:55:49"),
    ],
)
def test_camera_and_time(corpus: Path, name: str, make: str, model: str, taken: str) -> None:
    facts = read_photo_file(corpus / "images" / name)
    assert facts is not None
    assert (facts.make, facts.model, facts.taken_local) == (make, model, taken)
    assert not facts.has_gps or name.endswith(".HEIC")


def test_offset_time_gives_an_instant_and_none_is_guessed(corpus: Path) -> None:
    iphone = read_photo_file(corpus / "images" / "exifsamples_iphone11promax_IMG_5195.HEIC")
    assert iphone is not None and (iphone.offset, iphone.taken_utc) == ("-05:00", "2021-04-11T20:47:53Z")
    nikon = read_photo_file(corpus / "images" / "exifsamples_gps_DSCN0010.jpg")
    assert nikon is not None and nikon.offset == "" and nikon.taken_utc == ""


@pytest.mark.parametrize("name", ["exifsamples_invalid_image01137.jpg", "exifsamples_no_exif.jpg"])
def test_broken_or_bare_photos_give_no_facts_and_no_crash(corpus: Path, name: str) -> None:
    assert read_photo_file(corpus / "images" / name) is None


def test_hostile_bytes_never_raise(tmp_path: Path) -> None:
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08" + b"\xff" * 64)
    facts = read_photo_file(bad)
    assert facts is None or not facts.has_gps
