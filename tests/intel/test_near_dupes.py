"""Near-duplicate pictures are suggested with their distance, never merged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import cyberevidence as ce

Image = pytest.importorskip("PIL.Image")
pytest.importorskip("imagehash")


def _picture(seed: int, size: tuple[int, int] = (256, 192)) -> object:
    from PIL import ImageDraw

    img = Image.new("RGB", size, (200, 220, 255))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x = (seed * 37 + i * 53) % size[0]
        y = (seed * 91 + i * 29) % size[1]
        draw.rectangle([x, y, x + 40, y + 30], fill=((i * 40) % 255, (seed * 70) % 255, (i * 90) % 255))
    return img


def _jpeg(img: object, quality: int, size: tuple[int, int] | None = None) -> bytes:
    out = io.BytesIO()
    pic = img.resize(size) if size else img  # type: ignore[attr-defined]
    pic.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def test_a_resized_recompressed_copy_is_suggested_and_a_different_picture_is_not(tmp_path: Path) -> None:
    original = _picture(1)
    export = tmp_path / "WhatsApp Chat - Mark.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr(
            "_chat.txt",
            "01/03/2025, 10:00 - Mark: IMG-1.jpg (file attached)\n01/03/2025, 10:01 - Mark: IMG-2.jpg (file attached)\n",
        )
        zf.writestr("IMG-1.jpg", _jpeg(original, 95))
        zf.writestr("IMG-2.jpg", _jpeg(_picture(7), 95))
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "resent.jpg").write_bytes(_jpeg(original, 40, (128, 96)))
    case = ce.Case.create(tmp_path / "case", examiner="Test Examiner")
    case.add(export, timezone="Europe/London", date_order="dmy")
    case.add(tmp_path / "mail" / "resent.jpg")
    pairs, notes = case.near_duplicate_images()
    assert notes == []
    assert len(pairs) == 1
    (pair,) = pairs
    assert {*pair.names_a, *pair.names_b} == {"IMG-1.jpg", "resent.jpg"}
    assert 0 <= pair.distance <= 8 and pair.sha256_a != pair.sha256_b
    assert len([a for a in case.manifest()["artefacts"] if a["media_type"] == "image/jpeg"]) == 3  # nothing merged
