"""The report's pictures: photos and screenshots as small thumbnails embedded in the file, with their EXIF facts.

* The bytes are read from the store and re-hashed: a thumbnail is made only when they still have
  the SHA-256 the file is stored under (the verified store), never from the original on disk.
* Thumbnails are made with Pillow (the ``images`` extra) and embedded as ``data:image/jpeg``
  URIs, which the report's Content-Security-Policy allows (``img-src data:``): nothing is loaded.
* Bounded, so a hostile or huge picture cannot crash or stall the report: at most
  :data:`MAX_THUMBNAILS` pictures, each at most :data:`MAX_SOURCE_BYTES` and :data:`MAX_PIXELS`
  (checked from the header, before any pixel is decoded), :data:`MAX_TOTAL_BYTES` read in all;
  a truncated or unreadable file is listed with the reason, never guessed at.
* EXIF (:mod:`cyberevidence.intel.photos`): the time taken in ISO form (``2008-10-22 16:28:39``,
  in the case's zone when the file states its offset, else the camera's clock, said so), the
  camera, and the GPS position, also drawn on an offline plot (:func:`cyberevidence.report.charts.position_plot`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cyberevidence.analysis.conduct_words import local_time
from cyberevidence.intel.photos import PhotoFacts, read_photo_facts

#: Longest side of a thumbnail, in pixels.
THUMBNAIL_PX = 160
#: Pictures shown as thumbnails; the others are listed by exhibit and name.
MAX_THUMBNAILS = 200
#: A stored picture larger than this is not decoded (it is listed).
MAX_SOURCE_BYTES = 40 << 20
#: A picture whose header claims more pixels than this is not decoded (a decompression bomb).
MAX_PIXELS = 50_000_000
#: Bytes of pictures read for one report, in all.
MAX_TOTAL_BYTES = 400 << 20


@dataclass(frozen=True, slots=True)
class Picture:
    """One stored picture as the report shows it: a thumbnail (data URI) or why there is none, and its facts."""

    sha256: str
    name: str
    media_type: str
    size: int
    data_uri: str = ""
    width: int = 0
    height: int = 0
    reason: str = ""  # why there is no thumbnail
    facts: PhotoFacts | None = None

    @property
    def shown(self) -> bool:
        return bool(self.data_uri)


def exif_time(facts: PhotoFacts, tz: ZoneInfo) -> str:
    """The time taken in ISO form: in the case's zone when the offset is known, else the camera's clock."""
    if facts.taken_utc:
        return local_time(facts.taken_utc, tz)
    raw = facts.taken_local
    if len(raw) >= 19 and raw[4] == ":" and raw[7] == ":":
        return f"{raw[:4]}-{raw[5:7]}-{raw[8:10]} {raw[11:19]} (camera clock, zone not stated)"
    return raw


def thumbnail(data: bytes) -> tuple[str, int, int]:
    """A JPEG thumbnail of ``data`` as a data URI, with its size; raises ``ValueError`` saying why there is none."""
    try:
        from PIL import Image
    except ImportError as exc:  # the images extra is not installed
        raise ValueError("Pillow is not installed (pip install 'cyberevidence[images]')") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Any = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValueError(f"{width} × {height} pixels, more than the {MAX_PIXELS:,} decoded for a thumbnail")
            img.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))  # JPEG: decode at a reduced scale
            img.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            if img.mode not in ("RGB", "L"):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, "white")
                img.paste(rgba, mask=rgba.getchannel("A"))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=75)
        except ValueError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"refused as a decompression bomb ({exc})") from exc
        except Exception as exc:
            raise ValueError(f"not readable as a picture ({type(exc).__name__}: {exc})") from exc
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii"), img.size[0], img.size[1]


def pictures(stored: Sequence[tuple[str, str, str, int, Path]]) -> tuple[list[Picture], int]:
    """Pictures for ``(sha256, name, media type, size, stored path)`` in order; the number left unshown by the limits."""
    out: list[Picture] = []
    read = 0
    for sha, name, media_type, size, path in stored:
        base = Picture(sha, name, media_type, size)
        if len(out) >= MAX_THUMBNAILS:
            break
        if size > MAX_SOURCE_BYTES:
            out.append(_with(base, reason=f"{size:,} bytes, more than the {MAX_SOURCE_BYTES:,} read for a thumbnail"))
            continue
        if read + size > MAX_TOTAL_BYTES:
            out.append(_with(base, reason=f"the report's budget of {MAX_TOTAL_BYTES:,} bytes of pictures is used up"))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.append(_with(base, reason=f"could not be read from the store ({exc.strerror})"))
            continue
        read += len(data)
        if hashlib.sha256(data).hexdigest() != sha:
            out.append(_with(base, reason="its stored bytes no longer match its SHA-256: not shown (run verify)"))
            continue
        try:
            facts = read_photo_facts(io.BytesIO(data))
        except Exception:
            facts = None
        try:
            uri, w, h = thumbnail(data)
        except ValueError as exc:
            out.append(_with(base, reason=str(exc), facts=facts))
            continue
        out.append(_with(base, data_uri=uri, width=w, height=h, facts=facts))
    return out, max(len(stored) - len(out), 0)


def _with(p: Picture, **changes: Any) -> Picture:
    return replace(p, **changes)


def stored_pictures(
    artefacts: Sequence[Mapping[str, Any]], store_path: Callable[[str], Path], order: Callable[[str], Any]
) -> list[tuple[str, str, str, int, Path]]:
    """The pictures among the manifest's ``artefacts`` (media type ``image/…``), in exhibit order."""
    found = [a for a in artefacts if str(a.get("media_type", "")).startswith("image/")]
    found.sort(key=lambda a: order(str(a["sha256"])))
    return [(str(a["sha256"]), str(a.get("path_in_parent") or a.get("original_name", "")), str(a["media_type"]),
             int(a.get("size", 0)), store_path(str(a["sha256"]))) for a in found]


__all__ = ["MAX_PIXELS", "MAX_SOURCE_BYTES", "MAX_THUMBNAILS", "MAX_TOTAL_BYTES", "THUMBNAIL_PX", "Picture",
           "exif_time", "pictures", "stored_pictures", "thumbnail"]
