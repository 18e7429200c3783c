"""The screenshot parser: sniffing beside ``photo``, the time rules, the capture note and optional OCR."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import cyberevidence as ce
from cyberevidence.detect import detect, media_type_of
from cyberevidence.events import ParseWarning
from cyberevidence.parsers import default_registry
from cyberevidence.parsers import screenshot as ss
from cyberevidence.parsers.base import SourceFile
from cyberevidence.standalone import parse

TEXT = "I know where you live"


def tiny_png(path: Path, width: int = 4, height: int = 3) -> Path:
    """A valid white RGB PNG written by hand (no Pillow needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(ss.PNG_MAGIC + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def text_image(path: Path, *, exif: dict[int, str] | None = None) -> Path:
    """A picture with words on it, drawn with Pillow (skips the test when Pillow is missing)."""
    pil = pytest.importorskip("PIL")
    from PIL import Image, ImageDraw, ImageFont

    assert pil
    img = Image.new("RGB", (900, 160), "white")
    try:
        font = ImageFont.load_default(size=48)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    ImageDraw.Draw(img).text((20, 50), TEXT, fill="black", font=font)
    kwargs: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        for tag, value in exif.items():
            data[tag] = value
        kwargs["exif"] = data
    img.save(path, **kwargs)
    return path


def source(path: Path) -> SourceFile:
    return SourceFile(path, "0" * 64, path.name, path.stat().st_size, media_type_of(path))


def parser_of(path: Path) -> str:
    found = detect(source(path), default_registry()).parser
    return found.name if found else ""


# ----------------------------------------------------------------------------- sniffing
def test_any_png_is_a_screenshot(tmp_path: Path) -> None:
    assert parser_of(tiny_png(tmp_path / "IMG_1234.PNG")) == "screenshot"


def test_screenshot_named_jpeg_without_camera_exif_is_a_screenshot(tmp_path: Path) -> None:
    jpg = text_image(tmp_path / "Screenshot_20250314-190512_WhatsApp.jpg")
    assert parser_of(jpg) == "screenshot"


def test_camera_jpeg_stays_a_photo_whatever_its_name(tmp_path: Path) -> None:
    camera = {0x010F: "Canon", 0x0110: "Canon EOS 40D", 0x0132: "2025:03:14 19:05:12"}
    assert parser_of(text_image(tmp_path / "Screenshot_20250314-190512.jpg", exif=camera)) == "photo"
    assert parser_of(text_image(tmp_path / "holiday.jpg")) == "photo"  # no screenshot name: photo's, as before


def test_screenshot_sniffs_before_photo() -> None:
    order = [p.name for p in default_registry().all()]
    assert order.index("screenshot") < order.index("photo")


# ----------------------------------------------------------------------------- time rules
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Screenshot_20250314-190512.png", datetime(2025, 3, 14, 19, 5, 12)),
        ("Screenshot_20250314-190512_WhatsApp.jpg", datetime(2025, 3, 14, 19, 5, 12)),
        ("Screenshot_20250314_190512_Instagram.jpg", datetime(2025, 3, 14, 19, 5, 12)),
        ("Screenshot_2025-03-14-19-05-12-123_com.whatsapp.jpg", datetime(2025, 3, 14, 19, 5, 12)),
        ("Screenshot 2025-03-14 at 19.05.12.png", datetime(2025, 3, 14, 19, 5, 12)),
        ("Screen Shot 2025-03-14 at 7.05.12 PM.png", datetime(2025, 3, 14, 19, 5, 12)),
        ("Screen Shot 2025-03-14 at 12.05.12\u202fAM.png", datetime(2025, 3, 14, 0, 5, 12)),
        ("Screenshot 2025-03-14 190512.png", datetime(2025, 3, 14, 19, 5, 12)),
        ("Bildschirmfoto 2025-03-14 um 19.05.12.png", datetime(2025, 3, 14, 19, 5, 12)),
        ("IMG_1234.PNG", None),
        ("Screenshot_20251314-190512.png", None),  # month 13: not a date
        ("Screenshot (12).png", None),
    ],
)
def test_time_from_file_name(name: str, expected: datetime | None) -> None:
    found = ss.time_from_name(name)
    assert (found[0] if found else None) == expected


def test_file_name_time_is_local_in_the_given_zone_and_flagged(tmp_path: Path) -> None:
    png = tiny_png(tmp_path / "Screenshot_20250714-190512.png")
    (ev,) = list(parse(png, timezone="Europe/London"))
    assert ev.timestamp_utc == "2025-07-14T18:05:12Z"  # 19:05 BST
    assert ev.time_ambiguous and "Europe/London" in ev.time_note and "file name" in ev.time_note
    assert (ev.platform, ev.kind, ev.source.locator) == ("screenshot", "media_metadata", "file name")
    assert ev.extra["screenshot"] is True and ev.extra["width"] == 4 and ev.extra["height"] == 3
    assert [a.sha256 for a in ev.attachments] == [ce.hash_file(png)["sha256"]]


def test_exif_time_comes_first(tmp_path: Path) -> None:
    png = text_image(tmp_path / "Screenshot_20250314-190512.png", exif={0x0132: "2025:03:10 08:00:00"})
    (ev,) = list(parse(png, timezone="UTC"))
    assert ev.timestamp_utc == "2025-03-10T08:00:00Z" and ev.source.locator == "EXIF"


def test_no_time_is_a_warning_and_never_the_file_mtime(tmp_path: Path) -> None:
    warnings: list[ParseWarning] = []
    assert list(parse(tiny_png(tmp_path / "IMG_1234.PNG"), warnings=warnings)) == []
    assert "no_screenshot_time" in [w.code for w in warnings]


# ----------------------------------------------------------------------------- OCR
def test_without_ocr_the_event_says_so_and_a_warning_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ss, "ocr_available", lambda: False)
    warnings: list[ParseWarning] = []
    (ev,) = list(parse(tiny_png(tmp_path / "Screenshot_20250314-190512.png"), warnings=warnings))
    assert ev.extra["ocr"] is False and "ocr_text" not in ev.extra
    assert "ocr_unavailable" in [w.code for w in warnings]


def test_ocr_text_is_attached_apart_from_the_event_text(tmp_path: Path) -> None:
    if not ss.ocr_available():
        pytest.skip("OCR needs pytesseract and the tesseract program (apt-get install tesseract-ocr)")
    png = text_image(tmp_path / "Screenshot_20250314-190512.png")
    (ev,) = list(parse(png))
    assert ev.extra["ocr"] is True and ev.extra["ocr_engine"].startswith("tesseract")
    assert "know where you live" in ev.extra["ocr_text"]
    assert "know" not in ev.text and ev.text == "Screenshot: Screenshot_20250314-190512.png"


# ----------------------------------------------------------------------------- in a case
def test_screenshot_in_a_case_with_note_and_sidecar(tmp_path: Path) -> None:
    folder = tmp_path / "from-phone"
    folder.mkdir()
    png = tiny_png(folder / "IMG_1234.PNG")
    (folder / "IMG_1234.PNG.note.txt").write_text("taken: 2025-03-14 19:05\nMessage from Mark's new Instagram account\n")
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="Europe/London")
    report = case.add(folder, note="screenshots the victim took, handed over 5 Nov")
    assert [f.parser for f in report.files if f.original_path == "IMG_1234.PNG"] == ["screenshot"]
    (ev,) = list(case.timeline(platforms=["screenshot"]))
    assert ev.timestamp_utc == "2025-03-14T19:05:00Z" and ev.time_ambiguous and ev.source.locator == "capture note"
    assert "Mark's new Instagram account" in ev.extra["capture_note"]
    assert ev.extra["capture_note_sha256"] == ce.hash_file(folder / "IMG_1234.PNG.note.txt")["sha256"]
    sha = ce.hash_file(png)["sha256"]
    assert ev.attachments[0].sha256 == sha == ev.source.sha256
    (art,) = [a for a in case.manifest()["artefacts"] if a["sha256"] == sha]
    assert art["parser"] == "screenshot" and art["provenance"][0]["note"].startswith("screenshots the victim took")
    case.rebuild()
    (again,) = list(case.timeline(platforms=["screenshot"]))
    assert again.event_id == ev.event_id and again.extra["capture_note"] == ev.extra["capture_note"]
    assert case.verify().exit_code == 0
