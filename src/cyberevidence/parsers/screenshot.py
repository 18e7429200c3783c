"""Screenshots (PNG, and JPEG named like a screenshot): often all a victim still has.

A screenshot becomes one ``kind="media_metadata"`` event on the ``screenshot`` platform, linked
to the image itself (an attachment with its SHA-256). It is *never* presented as a parsed
message: the event text is ``Screenshot: <file name>`` (plus the capture note), and any words
read from the picture by OCR are kept apart in ``extra["ocr_text"]`` with ``extra["ocr"] = True``.

**Which files.** Any PNG. A JPEG only when its file name looks like a screenshot
(``Screenshot…``, ``Screen Shot…``, ``Bildschirmfoto…``, ``Captura de pantalla…``) *and* it
carries no camera make or model in EXIF: a camera JPEG stays with the ``photo`` parser (this
parser's strength ``NARROW_SHAPE`` beats ``photo``'s ``MEDIA_TYPE``, and it declines camera JPEGs).

**Time, by these rules in this order, never from the file's modification time:**

1. EXIF ``DateTimeOriginal`` (else ``DateTimeDigitized``, else ``DateTime``); with an
   ``OffsetTimeOriginal`` it is exact, otherwise local;
2. the file name: Android ``Screenshot_20250314-190512…``, ``Screenshot_20250314_190512…``,
   ``Screenshot_2025-03-14-19-05-12…``; macOS ``Screenshot 2025-03-14 at 19.05.12`` (and the
   older ``Screen Shot 2025-03-14 at 7.05.12 PM``); Windows ``Screenshot 2025-03-14 190512``;
3. a ``taken: 2025-03-14 19:05`` (or ``captured:``) line in the capture note (a person's statement).

A local time is read in the given zone (``--timezone``, else the case's) and always flagged
``time_ambiguous``, with a ``time_note`` naming the rule: a phone's clock and zone are not
known from a picture. Without any of these, a ``no_screenshot_time`` warning is given and the
picture is preserved but not put on the timeline.

**Capture note.** ``add --note`` is kept in the artefact's provenance (custody and manifest). A
text file beside the picture named ``<name>.note.txt`` (e.g. ``Screenshot_1.png.note.txt``) or
``<stem>.note.txt`` is read as well and goes in ``extra["capture_note"]`` (and the event text),
with its own SHA-256.

**OCR (optional).** With the ``ocr`` extra (``pip install 'cyberevidence[ocr]'``, i.e.
pytesseract) and the ``tesseract`` program (Debian: ``apt-get install tesseract-ocr``), the
picture's words are read and stored in ``extra["ocr_text"]`` with the engine version. OCR text
is machine-read and may be wrong; read the picture itself. Without OCR an ``ocr_unavailable``
warning says so.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.intel.photos import PhotoFacts, read_photo_facts, read_photo_file
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength
from cyberevidence.timeutil import localize

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
NOTE_LIMIT = 64 * 1024
OCR_TIMEOUT_S = 120

_SCREENSHOT_WORDS = re.compile(r"screen[ _-]?shot|bildschirmfoto|captura de pantalla|capture d.écran", re.IGNORECASE)

#: (rule, pattern) in order; each gives y, m, d, H, M, S (and optionally ampm).
_NAME_TIMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Android/Windows 'Screenshot_YYYYMMDD-HHMMSS'",
        re.compile(
            r"screen[ _]?shot[_ -](?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})[-_ ](?P<H>\d{2})-?(?P<M>\d{2})-?(?P<S>\d{2})",
            re.IGNORECASE,
        ),
    ),
    (
        "macOS 'Screenshot YYYY-MM-DD at HH.MM.SS'",
        re.compile(
            r"(?:screen ?shot|bildschirmfoto|captura de pantalla) (?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
            r" (?:at|um|a las?) (?P<H>\d{1,2})\.(?P<M>\d{2})\.(?P<S>\d{2})(?:\s?(?P<ampm>[AaPp]\.?[Mm]\.?))?",
            re.IGNORECASE,
        ),
    ),
)
_NOTE_TIME = re.compile(
    r"^\s*(?:taken|captured|time)\s*:\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?",
    re.IGNORECASE | re.MULTILINE,
)
#: Android adds the app in front of the screen: Screenshot_20250314-190512_WhatsApp.jpg
_APP_SUFFIX = re.compile(r"(?:\d{6}|\d{2})(?:-\d{3})?_(?P<app>[A-Za-z][\w. ]{1,60})$")


def looks_like_screenshot_name(name: str) -> bool:
    """A file name a phone or computer gives a screenshot (iOS's ``IMG_1234.PNG`` is a PNG, sniffed as such)."""
    return bool(_SCREENSHOT_WORDS.search(PurePosixPath(name).name))


def _camera(facts: PhotoFacts | None) -> bool:
    return facts is not None and bool(facts.make or facts.model)


def sniff(source: SourceFile, head: bytes) -> bool:
    if head.startswith(PNG_MAGIC):
        return True
    if head.startswith(JPEG_MAGIC) and looks_like_screenshot_name(source.name):
        return not _camera(read_photo_facts(io.BytesIO(head)))
    return False


@dataclass(frozen=True, slots=True)
class _Time:
    naive: datetime
    utc: datetime | None
    rule: str
    locator: str


def time_from_name(name: str) -> tuple[datetime, str] | None:
    """The local time a screenshot's file name states, with the rule that read it."""
    stem = PurePosixPath(name).name
    for rule, pattern in _NAME_TIMES:
        m = pattern.search(stem)
        if not m:
            continue
        hour = int(m["H"])
        ampm = (m.groupdict().get("ampm") or "").replace(".", "").upper()
        if ampm:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if ampm == "PM" else 0)
        try:
            return datetime(int(m["y"]), int(m["m"]), int(m["d"]), hour, int(m["M"]), int(m["S"])), rule
        except ValueError:
            continue
    return None


def _time_from_note(note: str) -> datetime | None:
    m = _NOTE_TIME.search(note)
    if not m:
        return None
    try:
        return datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError:
        return None


def _find_time(source: SourceFile, facts: PhotoFacts | None, note: str) -> _Time | None:
    if facts is not None and facts.taken_local:
        try:
            naive = datetime.strptime(facts.taken_local[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            naive = None
        if naive is not None:
            utc = datetime.fromisoformat(facts.taken_utc.replace("Z", "+00:00")) if facts.taken_utc else None
            return _Time(naive, utc, "EXIF (DateTimeOriginal, else DateTimeDigitized, else DateTime)", "EXIF")
    named = time_from_name(source.name)
    if named is not None:
        return _Time(named[0], None, f"file name ({named[1]})", "file name")
    stated = _time_from_note(note) if note else None
    if stated is not None:
        return _Time(stated, None, "the capture note's 'taken:' line", "capture note")
    return None


def _capture_note(source: SourceFile) -> tuple[str, str]:
    """(note text, its SHA-256) from a ``<name>.note.txt`` or ``<stem>.note.txt`` beside the picture."""
    name = PurePosixPath(source.name)
    for key in (f"{name.name}.note.txt", f"{name.stem}.note.txt"):
        sib = source.siblings.get(key)
        if sib is not None:
            with open(sib.path, "rb") as fh:
                return fh.read(NOTE_LIMIT).decode("utf-8", errors="replace").strip(), sib.sha256
    return "", ""


def _png_size(path: Any) -> tuple[int, int] | None:
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head.startswith(PNG_MAGIC) and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return int(width), int(height)
    return None


def ocr_available() -> bool:
    """Whether pytesseract is importable and the ``tesseract`` program is on the PATH."""
    return importlib.util.find_spec("pytesseract") is not None and shutil.which("tesseract") is not None


def run_ocr(path: Any) -> tuple[str, str]:
    """(text, engine) read from the picture by Tesseract. Raises on any failure."""
    import pytesseract
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        text = str(pytesseract.image_to_string(img, timeout=OCR_TIMEOUT_S))
    return text.strip(), f"tesseract {pytesseract.get_tesseract_version()}"


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    facts = read_photo_file(source.path)
    note, note_sha = _capture_note(source)
    found = _find_time(source, facts, note)
    if found is None:
        yield ParseWarning(
            "no_screenshot_time",
            "this screenshot states no time (no EXIF date, no date in its file name, no 'taken:' line in a "
            f"{source.name}.note.txt beside it); it is preserved but not on the timeline. The file's modification "
            "time is never used: it changes when a file is copied.",
            file=source.name,
        )
        return
    if found.utc is not None:
        moment, ambiguous, time_note = found.utc, False, f"time from {found.rule} with its UTC offset"
    else:
        zone = ctx.options.timezone
        moment = localize(found.naive, zone).utc
        ambiguous = True
        time_note = (
            f"time from {found.rule}, a local clock time read as {zone.key}; the phone's zone and clock are not known "
            "from a picture"
        )
    extra: dict[str, Any] = {"screenshot": True, "time_rule": found.rule, "ocr": False}
    if facts is not None and facts.taken_local:
        extra["exif"] = facts.to_dict()
    size = _png_size(source.path)
    if size:
        extra["width"], extra["height"] = size
    app = _APP_SUFFIX.search(PurePosixPath(source.name).stem)
    if app and looks_like_screenshot_name(source.name):
        extra["app_in_file_name"] = app["app"]
    if note:
        extra["capture_note"] = note
        extra["capture_note_sha256"] = note_sha
    if ocr_available():
        try:
            text, engine = run_ocr(source.path)
        except Exception as exc:  # a damaged or hostile picture must not stop the parse
            yield ParseWarning("ocr_failed", f"OCR could not read this picture ({type(exc).__name__}: {exc})", file=source.name)
        else:
            extra.update({"ocr": True, "ocr_text": text, "ocr_engine": engine,
                          "ocr_notice": "machine-read text from the picture; it may be wrong and is not a parsed message"})
    else:
        yield ParseWarning(
            "ocr_unavailable",
            "OCR was not run, so the words in this screenshot are not searchable; install the 'ocr' extra "
            "(pip install 'cyberevidence[ocr]') and the tesseract program (Debian: apt-get install tesseract-ocr), "
            "then run 'cyberevidence rebuild'",
            file=source.name,
        )
    text = f"Screenshot: {source.name}" + (f" (note: {note.splitlines()[0][:200]})" if note else "")
    yield Event(
        timestamp=moment,
        platform="screenshot",
        kind="media_metadata",
        source=SourceRef(source.sha256, found.locator),
        text=text,
        thread=source.name,  # a display label; the picture's own digest is its identity
        conversation=source.sha256,
        identity_text="screenshot",  # the shown text names the file
        attachments=[Attachment(source.name, source.sha256, source.media_type or "image/png")],
        time_ambiguous=ambiguous,
        time_note=time_note,
        extra=extra,
    )


PARSER = ParserInfo(
    name="screenshot",
    platform="screenshot",
    description="Screenshots (PNG; JPEG named like a screenshot): time from EXIF or the file name, capture note, optional OCR",
    formats=(
        "PNG screenshot (Android, iPhone, macOS, Windows)",
        "JPEG screenshot without camera EXIF (e.g. Screenshot_20250314-190512_WhatsApp.jpg)",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("image/png", "image/jpeg"),
    limits=(
        "A screenshot shows one screen at one moment: not the messages before or after it, and not the sender's number "
        "or account id unless they are on screen. It can be cropped or edited, and it carries no proof of where it came "
        "from; the original messages, if still on a phone or account, are better evidence. Its time comes from EXIF or "
        "the file name (a local clock time, flagged), never the file's modification time. OCR text is machine-read, may "
        "be wrong, and is kept apart from message text. HEIC screenshots are read by the photo parser."
    ),
    fixtures=("whatsapp/ios_folder/*-PHOTO-*.png", "whatsapp_db/*/*.jpg"),
    strength=Strength.NARROW_SHAPE,
)
