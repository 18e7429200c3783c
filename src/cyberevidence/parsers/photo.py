"""Photos (JPEG, TIFF, HEIC/HEIF, PNG/WebP with EXIF): when and where a picture was taken.

A photo added to a case becomes one ``kind="media_metadata"`` event when its EXIF gives a
time taken. The rules:

* time: ``DateTimeOriginal`` (else ``DateTimeDigitized``, else ``DateTime``). With an
  ``OffsetTimeOriginal`` it is an exact instant. Without one it is the camera's local clock: it
  is read in the case's (or ``--timezone``) zone, ``time_ambiguous`` is set and the note says so,
  because cameras are often set to the wrong zone;
* GPS latitude/longitude (decimal degrees, south and west negative) and altitude go in
  ``extra``, with camera make and model; the event's text says "Photo taken at lat, lon" so the
  position shows in the timeline;
* a photo without EXIF, or with no time taken, gives no event but a ``no_photo_time`` warning, so
  nothing is silently dropped; the file is still preserved and hashed.

Photos inside other exports (a WhatsApp zip, an e-mail attachment) whose EXIF states a GPS position
and a time are parsed as photos right after their parent, so the position is on the timeline; every
stored picture is also read by
:meth:`cyberevidence.Case.places`, which links each position to the messages carrying the photo.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from cyberevidence.events import Event, ParseWarning, SourceRef
from cyberevidence.intel.photos import PhotoFacts, read_photo_file
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.timeutil import localize

_HEADS = (b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def sniff(source: SourceFile, head: bytes) -> bool:
    if head.startswith(_HEADS):
        return True
    # ISO base media (HEIC/HEIF): 'ftyp' box with an image brand
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc", b"avif")


def _event(source: SourceFile, facts: PhotoFacts, ctx: ParseContext) -> Event:
    naive = datetime.strptime(facts.taken_local[:19], "%Y:%m:%d %H:%M:%S")
    extra = facts.to_dict()
    if facts.taken_utc:
        moment = datetime.fromisoformat(facts.taken_utc.replace("Z", "+00:00"))
        ambiguous, note = False, ""
    else:
        zone = ctx.options.timezone
        moment = localize(naive, zone).utc
        ambiguous = True
        note = f"the photo states no UTC offset; its camera clock time was read as {zone.key}"
    where = f" at {facts.latitude:.6f}, {facts.longitude:.6f}" if facts.has_gps else ""
    camera = " ".join(x for x in (facts.make, facts.model) if x)
    text = f"Photo taken{where}" + (f" ({camera})" if camera else "")
    return Event(
        timestamp=moment,
        platform="photo",
        kind="media_metadata",
        source=SourceRef(source.sha256, "EXIF"),
        text=text,
        thread=source.name,  # a display label; the picture's own digest is its identity
        conversation=source.sha256,
        time_ambiguous=ambiguous,
        time_note=note,
        extra=extra,
    )


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    facts = read_photo_file(source.path)
    if facts is None or not facts.taken_local:
        message = "this picture states no time taken (no readable EXIF date); it is preserved but not on the timeline"
        yield ParseWarning("no_photo_time", message, file=source.name)
        return
    try:
        yield _event(source, facts, ctx)
    except ValueError:
        message = f"the picture's time taken {facts.taken_local!r} is not a valid date"
        yield ParseWarning("bad_photo_time", message, locator="EXIF", file=source.name)


PARSER = ParserInfo(
    name="photo",
    platform="photo",
    description="Photos (JPEG, TIFF, HEIC/HEIF): time taken, camera and GPS position from EXIF",
    formats=("JPEG with EXIF", "TIFF", "HEIC/HEIF (iPhone, Android)"),
    sniff=sniff,
    parse=parse,
    media_types=("image/jpeg", "image/tiff", "image/heic", "image/heif"),
    limits="Reads EXIF only (no XMP, no video metadata). A camera time without an offset is read in the case's zone and flagged.",
    photo_facts=True,
    fixtures=("telegram/*/photos/*.jpg", "whatsapp_db/*/*.jpg"),
    corpus_seeds=("images/exifsamples_gps_DSCN0010.jpg", "images/exifsamples_no_exif.jpg", "images/*.HEIC"),
    strength=Strength.MEDIA_TYPE,
)
