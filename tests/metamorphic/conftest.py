"""Families of exports and the traits that decide which transformations apply (docs/dedupe.md).

A family is one parser's sample export (a file or a folder) with its declared traits. A new
parser is covered by adding one row here: every transformation in ``test_transformations.py``
is then applied to it, or skipped with the reason its traits give.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import cyberevidence as ce

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"

#: Why a transformation does not apply when a family lacks the trait it needs.
TRAIT_WHY = {
    "text": "the export is not a text file (SQLite database, zip, folder of binary files): "
    "it has no line endings or byte-order mark",
    "renamable": "the platform's own file name is how the export is recognised "
    "(a renamed file is not an export the platform writes)",
    "zip_readable": "the platform does not deliver this format in a zip, "
    "and a zip made by hand is stored as evidence but not opened",
    "zip_export": "the platform does not deliver this export as a zip, so there is no zip to unpack",
    "splittable": "no record splitter is declared: the export is one database or one document "
    "whose halves are not exports the platform writes",
    "media_pair": "the platform has no with-media and without-media variants of this export",
}


def _wa_split(data: bytes) -> tuple[bytes, bytes]:
    """Two overlapping WhatsApp text exports: cut at message header lines (a message's continuation lines stay with it)."""
    lines = data.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(rb"\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", line)]
    # The later export starts a quarter in; the earlier one ends before the last message: a real
    # pair overlaps by far more than the run the conversation rule needs.
    a, b = starts[len(starts) // 4], starts[-1]
    return b"".join(lines[:b]), b"".join(lines[a:])


def _mbox_split(data: bytes) -> tuple[bytes, bytes]:
    """Two overlapping mailboxes, cut only at envelope lines (``From <sender> <asctime date>``).

    A bare ``^From `` also matches a ``From `` line in a message body (small.mbox has one on
    purpose), and a cut there gives a "part" that starts in the middle of a message: no mail client
    writes such a file, it is not an mbox at all, and the parser rightly does not read it as one.
    """
    envelope = rb"(?m)^From \S+ +\w{3} +\w{3} +\d{1,2} +\d{1,2}:\d{2}(?::\d{2})? +(?:[+-]\d{4} +)?\d{4}[ \t]*\r?$"
    starts = [m.start() for m in re.finditer(envelope, data)]
    if len(starts) < 2:
        raise ValueError("too few messages to split")
    a, b = starts[len(starts) // 3], starts[max(1, (2 * len(starts)) // 3)]
    return data[:b], data[a:]


def _sms_split(data: bytes) -> tuple[bytes, bytes]:
    items = list(re.finditer(rb"<mms\b.*?</mms>|<(?:sms|call)\b[^>]*/>", data, re.S))
    head, tail = data[: items[0].start()], data[items[-1].end() :]
    n = len(items)
    first = [m.group(0) for m in items[: (2 * n) // 3]]
    second = [m.group(0) for m in items[n // 3 :]]
    return head + b"\n".join(first) + tail, head + b"\n".join(second) + tail


@dataclass(frozen=True)
class Family:
    """One parser family's sample: ``path`` (relative to ``root``) is a file or a folder."""

    name: str
    path: str
    traits: frozenset[str]
    root: str = "fixtures"
    timezone: str = "Europe/London"
    #: For a folder export, the file inside it that text transformations change.
    main: str = ""
    split: Callable[[bytes], tuple[bytes, bytes]] | None = None
    #: Builds the without-media variant of a with-media export (``media_pair``).
    without_media: Callable[[Path, Path], Path] | None = field(default=None, repr=False)


def _wa_without_media(src: Path, out: Path) -> Path:
    """An iOS/Android "without media" export of the same chat: the chat text alone, media lines as the phone words them."""
    import zipfile

    with zipfile.ZipFile(src) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".txt") and not n.startswith("__MACOSX"))
        text = zf.read(name).decode("utf-8")
    text = re.sub(r"\u200e?<attached: [^>]*PHOTO[^>]*>", "\u200eimage omitted", text)
    text = re.sub(r"(?m)^(.*?: )[^\n]* \(file attached\)$", r"\1<Media omitted>", text)
    path = out / "WhatsApp Chat - Mark Kell.txt"
    path.write_text(text, encoding="utf-8")
    return path


TEXT_FILE = frozenset({"text", "renamable"})

FAMILIES: tuple[Family, ...] = (
    Family("whatsapp_txt", "whatsapp/WhatsApp Chat with +44 7700 900123.txt", TEXT_FILE | {"zip_readable", "splittable"},
           split=_wa_split),
    Family("whatsapp_zip", "whatsapp/WhatsApp Chat - Mark Kell.zip", frozenset({"renamable", "zip_export", "media_pair"}),
           without_media=_wa_without_media),
    Family("whatsapp_ios_folder", "whatsapp/ios_folder", frozenset({"text", "renamable", "zip_readable"}), main="_chat.txt"),
    Family("telegram_json", "telegram/json_single", frozenset({"text", "renamable"}), main="result.json"),
    Family("telegram_html", "telegram/html_dst", frozenset({"text", "renamable"}), main="messages.html"),
    Family("mbox", "email/small.mbox", TEXT_FILE | {"splittable"}, split=_mbox_split),
    Family("eml", "email/no_zone_cyrillic.eml", TEXT_FILE),
    Family("sms_backup", "sms_backup/sms-20251104183000.xml", TEXT_FILE | {"splittable"}, split=_sms_split),
    Family("sms_backup_calls", "sms_backup/calls-20251104183000.xml", TEXT_FILE | {"splittable"}, split=_sms_split),
    Family("signal_export_md", "signal/chat.md", TEXT_FILE),
    Family("signal_export_json", "signal/data.json", TEXT_FILE),
    Family("whatsapp_android_db", "whatsapp_db/android_new", frozenset({"renamable"})),
    Family("whatsapp_ios_db", "whatsapp_db/ios", frozenset({"renamable"})),
    Family("discord_package", "discord/discord-package-new.zip", frozenset({"renamable", "zip_export"})),
    Family("facebook", "facebook/Mark Kell_3.json", TEXT_FILE),
    Family("instagram", "instagram/message_1.json", TEXT_FILE),
    Family("linkedin", "linkedin/messages.csv", TEXT_FILE),
    Family("snapchat", "snapchat/new_layout", frozenset({"text", "renamable"}), main="chat_history.json"),
    Family("google_takeout", "google_takeout/Hangouts.json", TEXT_FILE),
    Family("tiktok", "tiktok/TikTok_Data_1698868800.zip", frozenset({"renamable", "zip_export"})),
    Family("twitter", "twitter/x-archive-sarah.zip", frozenset({"renamable", "zip_export"})),
    # Public corpus samples (../shared/corpus), skipped cleanly when it is absent.
    Family("corpus_whatsapp_txt", "whatsapp/whatstk_lorem_merge_part1_yyyymmdd.txt", TEXT_FILE | {"splittable"},
           root="corpus", timezone="UTC", split=_wa_split),
    Family("corpus_telegram_json", "telegram", frozenset({"text", "renamable"}), root="corpus"),
    Family("corpus_sms_backup", "sms_backup_restore", frozenset({"text", "renamable"}), root="corpus"),
    Family("corpus_discord_dce", "discord/chatanalytics_dce_DM_2A_2M.json", TEXT_FILE, root="corpus"),
    Family("corpus_signal_export", "signal/chatminer_signal_export.txt", TEXT_FILE, root="corpus"),
)


def family_source(family: Family, request: pytest.FixtureRequest, tmp: Path) -> Path:
    """A private copy of the family's sample (the fixture tree is never written to)."""
    if family.root == "corpus":
        base: Path = request.getfixturevalue("corpus")
    else:
        base = FIXTURES
    src = base / family.path
    if not src.exists():
        pytest.skip(f"{src} is not available")
    tmp.mkdir(parents=True, exist_ok=True)
    dest = tmp / src.name
    if src.is_dir():
        if family.root == "corpus":  # a corpus folder: one file of it, the first the parser reads
            first = sorted(p for p in src.iterdir() if p.suffix in (".json", ".xml"))[0]
            dest = tmp / first.name
            shutil.copy2(first, dest)
        else:
            shutil.copytree(src, dest)
    else:
        shutil.copy2(src, dest)
    return dest


@dataclass
class Snapshot:
    """What must not change: event ids with instant, kind, person and direction; and the sightings."""

    events: dict[str, tuple[str, str, str, str]]
    seen: dict[str, frozenset[str]]
    count: int


def snapshot(case_dir: Path, inputs: list[Path], timezone: str, *, rebuild: bool = False) -> Snapshot:
    case = ce.Case.create(case_dir, examiner="Metamorphic Test")
    for item in inputs:
        case.add(item, timezone=timezone)
    if rebuild:
        case.rebuild()
    events = list(case.timeline())
    case.close()
    return Snapshot(
        {e.event_id: (e.timestamp_utc, e.kind, e.person, e.direction) for e in events},
        {e.event_id: frozenset(s.sha256 for s in e.seen_in) for e in events},
        len(events),
    )
