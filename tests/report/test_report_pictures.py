"""Pictures in the report: thumbnails from the verified store, EXIF in ISO form, positions plotted, hostile files survive.

The EXIF is written with Pillow and read back by the report through exifread (an independent reader).
"""

from __future__ import annotations

import base64
import io
import re
import struct
import time
import zlib
from pathlib import Path

import pytest

import cyberevidence as ce

from .conftest import make_case

Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed: pip install -e '.[images]'")

WHEN = "2008:10:22 16:28:39"
LAT, LON = 43.467082, 11.884538


def _gps_jpeg() -> bytes:
    """A 640 × 480 JPEG with the camera, the time taken and a GPS position in its EXIF."""
    img = Image.new("RGB", (640, 480), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "NIKON", "COOLPIX P6000"  # Make, Model
    exif.get_ifd(0x8769)[0x9003] = WHEN  # DateTimeOriginal

    def dms(value: float) -> tuple[float, float, float]:
        d = int(value)
        m = int((value - d) * 60)
        return (float(d), float(m), round(((value - d) * 60 - m) * 60, 4))

    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", dms(LAT), "E", dms(LON)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png_bomb() -> bytes:
    """A PNG whose header claims 100,000 × 100,000 pixels (a few hundred bytes on disk)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 4096)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def picture_case(tmp_path_factory: pytest.TempPathFactory) -> ce.Case:
    root = tmp_path_factory.mktemp("pictures")
    case = make_case(root)
    folder = root / "photos"
    folder.mkdir()
    good = _gps_jpeg()
    (folder / "IMG_0001.jpg").write_bytes(good)
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (folder / "bomb.png").write_bytes(_png_bomb())
    (folder / "noise.jpg").write_bytes(bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + bytes(range(256)) * 64)
    case.add(folder, timezone="Europe/London", note="photos")
    return case


def test_thumbnails_are_embedded_with_iso_exif_time_camera_and_position(picture_case: ce.Case) -> None:
    t0 = time.perf_counter()
    html = ce.build_report(picture_case, generated_at="2026-01-01T00:00:00Z")
    assert time.perf_counter() - t0 < 120  # hostile pictures do not stall it
    section = html[html.index('<section id="pictures"') : html.index('<section id="places"')]
    imgs = re.findall(r'<img src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"', section)
    # The good JPEG and the demo's PNG get a thumbnail; the truncated file, the bomb and the noise do not.
    assert len(imgs) == 2
    for data, w, h in imgs:
        thumb = Image.open(io.BytesIO(base64.b64decode(data)))
        assert thumb.format == "JPEG" and thumb.size == (int(w), int(h)) and max(thumb.size) <= 160
    sizes = {(int(w), int(h)) for _, w, h in imgs}
    assert (160, 120) in sizes  # 640 × 480 kept in proportion
    card = re.search(r'<figure class="picture"[^>]*>(?:(?!</figure>).)*IMG_0001\.jpg.*?</figure>', section, re.S)
    assert card is not None
    text = card.group(0)
    assert "2008-10-22 16:28:39" in text and WHEN not in text
    assert "NIKON COOLPIX P6000" in text
    pos = re.search(r'<a href="#places">(-?[\d.]+), (-?[\d.]+)</a>', text)
    assert pos is not None and abs(float(pos[1]) - LAT) < 1e-5 and abs(float(pos[2]) - LON) < 1e-5
    for name in ("truncated.jpg", "bomb.png", "noise.jpg"):
        other = re.search(rf'<figure class="picture"[^>]*>(?:(?!</figure>).)*{re.escape(name)}.*?</figure>', section, re.S)
        assert other is not None and "No thumbnail:" in other.group(0), name
    assert "decompression bomb" in section or "100000 × 100000" in section
    # The position is plotted on an offline SVG: no tiles, no external reference.
    places = html[html.index('<section id="places"') : html.index('<section id="links"')]
    assert '<svg id="chart-places"' in places and "<circle" in places
    assert "http" not in places.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_changed_store_file_gets_no_thumbnail(picture_case: ce.Case, tmp_path: Path) -> None:
    from cyberevidence.report.pictures import pictures

    good = _gps_jpeg()
    path = tmp_path / "stored"
    path.write_bytes(good)
    (pic,), left = pictures([("0" * 64, "x.jpg", "image/jpeg", len(good), path)])
    assert left == 0 and not pic.shown and "no longer match its SHA-256" in pic.reason


def test_thumbnails_render_in_chromium_with_nothing_loaded(browser: object, picture_case: ce.Case, tmp_path: Path) -> None:
    import os

    from ._chromium import available

    if not available():
        pytest.skip("no Chromium")
    target = tmp_path / "report.html"
    ce.write_report(picture_case, target, record=False, generated_at="2026-01-01T00:00:00Z")
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(target.resolve().as_uri(), wait_until="load")
        assert requests == [target.resolve().as_uri()]  # the thumbnails are in the file
        drawn = page.evaluate("Array.from(document.querySelectorAll('#pictures img')).map(i => i.naturalWidth)")
        assert len(drawn) == 2 and all(w > 0 for w in drawn)
        out = Path(os.environ.get("CYBEREVIDENCE_SCREENSHOTS") or tmp_path)
        out.mkdir(parents=True, exist_ok=True)
        shot = out / "report-pictures.png"
        page.locator("#pictures").screenshot(path=str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        page.close()
