"""What a photo says about itself: camera, time taken and GPS position (EXIF, via exifread).

exifread reads JPEG, TIFF, HEIC/HEIF and others without decoding the picture, and never
executes anything. A broken or hostile file gives ``None`` or partial facts, never an
exception: a photo is evidence even when its metadata is damaged.

Time taken is ``DateTimeOriginal`` (else ``DateTimeDigitized``, else ``DateTime``), a local
clock time. With ``OffsetTimeOriginal`` (EXIF 2.31) it becomes an exact instant; without it,
it stays local and ``taken_utc`` is empty: we do not guess the camera's zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import exifread

from cyberevidence.events import format_utc

#: exifread logs every malformed tag at WARNING; hostile files would flood the user's terminal.
logging.getLogger("exifread").setLevel(logging.CRITICAL)

_TIME_TAGS = ("EXIF DateTimeOriginal", "EXIF DateTimeDigitized", "Image DateTime")
_OFFSET_TAGS = ("EXIF OffsetTimeOriginal", "EXIF OffsetTimeDigitized", "EXIF OffsetTime")


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    make: str = ""
    model: str = ""
    #: As the camera wrote it, ``YYYY:MM:DD HH:MM:SS`` (local clock time).
    taken_local: str = ""
    #: ``+01:00`` style, when the file states it.
    offset: str = ""
    #: ISO UTC instant when time and offset are both known, else "".
    taken_utc: str = ""
    latitude: float | None = None
    longitude: float | None = None
    altitude_m: float | None = None
    tag_count: int = 0

    @property
    def has_gps(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in ("", None)}
        return out


def _text(tags: dict[str, Any], name: str) -> str:
    value = tags.get(name)
    return str(value.printable).strip().strip("\x00").strip() if value is not None else ""


def _ratio(value: Any) -> float:
    return float(Fraction(value.num, value.den)) if hasattr(value, "num") else float(value)


def _coordinate(tags: dict[str, Any], key: str, ref_key: str) -> float | None:
    tag, ref = tags.get(key), _text(tags, ref_key).upper()
    if tag is None or not isinstance(tag.values, list) or len(tag.values) != 3:
        return None
    try:
        d, m, s = (_ratio(v) for v in tag.values)
    except (ZeroDivisionError, ValueError, TypeError):
        return None
    value = d + m / 60 + s / 3600
    if ref in ("S", "W"):
        value = -value
    limit = 90 if "Latitude" in key else 180
    return round(value, 6) if abs(value) <= limit else None


def _altitude(tags: dict[str, Any]) -> float | None:
    tag = tags.get("GPS GPSAltitude")
    if tag is None or not tag.values:
        return None
    try:
        value = _ratio(tag.values[0])
    except (ZeroDivisionError, ValueError, TypeError):
        return None
    below = tags.get("GPS GPSAltitudeRef")
    if below is not None and below.values and below.values[0] == 1:
        value = -value
    return round(value, 1)


def _instant(local: str, offset: str) -> str:
    if not local or not offset:
        return ""
    try:
        naive = datetime.strptime(local[:19], "%Y:%m:%d %H:%M:%S")
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = offset.lstrip("+-").split(":")
        tz = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except (ValueError, TypeError):
        return ""
    return format_utc(naive.replace(tzinfo=tz))


def read_photo_facts(stream: BinaryIO) -> PhotoFacts | None:
    """EXIF facts of an image stream, or ``None`` when it carries no readable EXIF."""
    try:
        tags: dict[str, Any] = exifread.process_file(stream, details=False, extract_thumbnail=False)
    except Exception:
        return None
    if not tags:
        return None
    local = next((t for t in (_text(tags, n) for n in _TIME_TAGS) if t), "")
    offset = next((t for t in (_text(tags, n) for n in _OFFSET_TAGS) if t), "")
    return PhotoFacts(
        make=_text(tags, "Image Make"),
        model=_text(tags, "Image Model"),
        taken_local=local,
        offset=offset,
        taken_utc=_instant(local, offset),
        latitude=_coordinate(tags, "GPS GPSLatitude", "GPS GPSLatitudeRef"),
        longitude=_coordinate(tags, "GPS GPSLongitude", "GPS GPSLongitudeRef"),
        altitude_m=_altitude(tags),
        tag_count=len(tags),
    )


def read_photo_file(path: Path) -> PhotoFacts | None:
    with open(path, "rb") as fh:
        return read_photo_facts(fh)
