"""What the Facebook and Instagram parsers share: Meta's "Download Your Information" formats.

Both platforms write the same message-thread JSON (``participants``, ``messages[]`` with
``sender_name``, ``timestamp_ms``, ``content`` ...), the same mojibake and the same HTML
templates. The rules are stated in ``facebook.py``/``instagram.py`` and ``docs/formats/``;
this module implements the readers:

* :func:`read_thread`: a DYI ``message_N.json`` (already parsed and repaired);
* :func:`read_e2ee`: the separately downloaded end-to-end-encrypted Messenger chats (camelCase);
* :func:`read_legacy_html`: the 2010s single-page ``messages.htm``;
* :func:`read_modern_html`: the per-thread ``message_N.html`` of current downloads;
* :func:`parse_download`: the zip/single-file driver, member by member, bounded memory.

Nothing in an HTML file is fetched or executed: it is parsed as text with BeautifulSoup/lxml and
only element text and attribute *values* are read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from datetime import timezone as dt_timezone
from typing import Any, Final

from cyberevidence.archive import SafeZip, is_zip
from cyberevidence.errors import UnsafeArchiveError
from cyberevidence.events import Attachment, Direction, Event, ParseWarning, SourceRef
from cyberevidence.parsers._meta_mojibake import Repairer
from cyberevidence.parsers.base import ParseContext, SourceFile
from cyberevidence.parsers.kit.clock import convert_local
from cyberevidence.parsers.kit.epochs import epoch_plausible
from cyberevidence.parsers.kit.inputs import Member, MemberPatterns, iter_zip_members, numeric_order
from cyberevidence.parsers.kit.jsonread import load_json
from cyberevidence.parsers.kit.media import NoMedia, ZipMedia
from cyberevidence.parsers.kit.notes import assumed_timezone

#: Largest single JSON/HTML file read whole (Meta pages threads at about 10k messages per file).
MAX_DOC_BYTES: Final = 256 * 1024 * 1024

#: Message keys with a field of their own; every other key is kept in ``extra`` as it is.
_THREAD_KEYS: Final = frozenset(
    {
        "sender_name", "timestamp_ms", "content", "photos", "videos", "audio_files", "files", "gifs", "sticker",
        "reactions", "is_unsent", "call_duration", "type", "share", "users",
    }
)  # fmt: skip
_MEDIA_LISTS: Final = ("photos", "videos", "audio_files", "files", "gifs")
_SYSTEM_TYPES: Final = frozenset({"subscribe", "unsubscribe"})


# -- time -----------------------------------------------------------------------------------


# -- the owner ------------------------------------------------------------------------------


@dataclass(slots=True)
class Owner:
    """The account owner's name as the download states it (profile file), and where it came from."""

    name: str = ""
    found_in: str = ""
    #: Participants of each thread read, to suggest the owner when no profile names one.
    threads: list[frozenset[str]] = field(default_factory=list)

    def likely(self) -> str:
        """The one name taking part in every thread (two threads or more), else "". A hint, never applied."""
        if len(self.threads) < 2:
            return ""
        common = frozenset.intersection(*self.threads)
        return next(iter(common)) if len(common) == 1 else ""

    def direction(self, sender: str) -> Direction:
        """``outgoing`` if ``sender`` is the owner, ``incoming`` for anyone else; only when the owner is known."""
        if not self.name or not sender:
            return "unknown"
        return "outgoing" if sender == self.name else "incoming"


# -- the target of one document -------------------------------------------------------------


@dataclass(slots=True)
class Target:
    """Where one document's events point and what they are told."""

    platform: str
    event_sha: str
    file: str
    owner: Owner
    media: NoMedia | ZipMedia
    prefix: str = ""  # "<member path>:" inside a zip
    path: str = ""  # the member path inside a zip ("" for a single file)

    def ref(self, locator: str) -> SourceRef:
        return SourceRef(self.event_sha, f"{self.prefix}{locator}")

    def warn(self, code: str, message: str, locator: str = "") -> Iterator[ParseWarning]:
        # Every warning is yielded; the host caps them (kit/warncap.py).
        yield ParseWarning(code, message, locator=f"{self.prefix}{locator}" if locator else self.path, file=self.file)

    def attach(self, uri: str, event: Event, locator: str, base_dir: str = "") -> Iterator[ParseWarning]:
        """Add the attachment ``uri`` to ``event``: linked by sha256 when the file is here, else omitted."""
        ref, problems = self.media.find(uri, base_dir)
        yield from problems
        if ref is not None:
            event.attachments.append(Attachment(uri, ref.sha256, ref.media_type))
            return
        event.attachments.append(Attachment(uri))
        event.media_omitted = True
        if self.media.supplied:
            yield from self.warn(
                "missing_attachment", f"the message names the file {uri!r} but the download does not contain it", locator
            )
        else:
            yield from self.warn(
                "missing_attachment",
                f"the message names the file {uri!r}; only this file was given, so media cannot be linked "
                "(add the whole download zip to link photos, videos and voice notes)",
                locator,
            )


# -- JSON -----------------------------------------------------------------------------------


def load_meta_json(data: bytes, target: Target) -> tuple[Any, list[ParseWarning]]:
    """:func:`~cyberevidence.parsers.kit.jsonread.load_json` (strict UTF-8, ``malformed_json``), then
    Meta's mojibake repaired (:mod:`cyberevidence.parsers._meta_mojibake`)."""
    where = {"file": target.file, "path": target.path, "prefix": target.prefix}
    doc, warnings = load_json(data, **where, code="malformed_json", strict_utf8=True)
    if doc is None:
        return None, warnings
    fix = Repairer()
    try:
        doc = fix(doc)  # recursive: a document nested nearly to json's own limit overflows here
    except RecursionError:
        msg = f"{target.path or target.file} is nested too deeply to read; nothing in it was read"
        return None, list(target.warn("malformed_json", msg, "$"))
    if fix.count:
        warnings.append(
            ParseWarning(
                "mojibake_repaired",
                f"{fix.count} text value(s) were stored by Meta as UTF-8 read as Latin-1 and were repaired "
                "(e.g. 'Ã©' back to 'é'); text that was already correct was left unchanged",
                locator=target.path or "$",
                file=target.file,
            )
        )
    return doc, warnings


def is_thread(doc: Any) -> bool:
    """A DYI message thread: ``messages`` list whose entries carry ``sender_name``/``timestamp_ms``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        return False
    first = next((m for m in doc["messages"] if isinstance(m, dict)), None)
    if first is None:
        return "participants" in doc
    return "timestamp_ms" in first or "sender_name" in first


def is_e2ee(doc: Any) -> bool:
    """The E2EE Messenger export: ``threadName`` or camelCase ``senderName``/``timestamp`` messages."""
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        return False
    first = next((m for m in doc["messages"] if isinstance(m, dict)), None)
    if first is None:
        return "threadName" in doc
    return "senderName" in first and "timestamp" in first


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _names(participants: Any) -> list[str]:
    out: list[str] = []
    for p in participants if isinstance(participants, list) else []:
        name = p.get("name") if isinstance(p, dict) else p
        if isinstance(name, str) and name:
            out.append(name)
    return out


def _uris(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [i["uri"] for i in items if isinstance(i, dict) and isinstance(i.get("uri"), str) and i["uri"]]


def read_thread(doc: Mapping[str, Any], target: Target) -> Iterator[Event | ParseWarning]:
    """Events from one DYI ``message_N.json`` (file order; locators ``$.messages[i]``)."""
    participants = _names(doc.get("participants"))
    if participants:
        target.owner.threads.append(frozenset(participants))
    thread_path = _s(doc.get("thread_path"))
    title = _s(doc.get("title"))
    thread = (
        title or (posixpath.basename(thread_path) if thread_path else "") or posixpath.basename(posixpath.dirname(target.path))
    )
    thread = thread or target.file
    for i, msg in enumerate(doc["messages"]):
        loc = f"$.messages[{i}]"
        if not isinstance(msg, dict):
            yield from target.warn("unparsed_message", "this entry of messages[] is not an object; skipped", loc)
            continue
        when = epoch_plausible(msg.get("timestamp_ms"), millis=True)
        if when is None:
            yield from target.warn(
                "bad_timestamp", f"timestamp_ms {msg.get('timestamp_ms')!r} is missing or not a time; message skipped", loc
            )
            continue
        sender = _s(msg.get("sender_name"))
        content = _s(msg.get("content"))
        mtype = _s(msg.get("type"))
        extra: dict[str, Any] = {k: v for k, v in msg.items() if k not in _THREAD_KEYS}
        if thread_path:
            extra["thread_path"] = thread_path
        if mtype:
            extra["type"] = mtype
        event = Event(
            timestamp=when, platform=target.platform, kind="message", source=target.ref(loc), sender=sender,
            recipients=[p for p in participants if p != sender], text=content, thread=thread,
        )  # fmt: skip
        if mtype.casefold() in _SYSTEM_TYPES:
            event.kind = "system"
            event.sender = ""
            extra["shown_sender"] = sender
            if isinstance(msg.get("users"), list):
                extra["users"] = _names(msg["users"])
        elif "call_duration" in msg or mtype.casefold() == "call":
            event.kind = "call"
            dur = msg.get("call_duration")
            event.duration_s = dur if isinstance(dur, int) and not isinstance(dur, bool) else None
        if msg.get("is_unsent") is True:
            event.deleted = True
        if isinstance(msg.get("reactions"), list):
            extra["reactions"] = [r for r in msg["reactions"] if isinstance(r, dict)]
        if isinstance(msg.get("share"), dict):
            extra["share"] = msg["share"]
        event.extra = extra
        for key in _MEDIA_LISTS:
            for uri in _uris(msg.get(key)):
                yield from target.attach(uri, event, loc)
        for uri in _uris(msg.get("sticker")):
            extra["sticker"] = True
            yield from target.attach(uri, event, loc)
        if event.kind != "system":
            event.direction = target.owner.direction(sender)
        yield event


def read_e2ee(doc: Mapping[str, Any], target: Target) -> Iterator[Event | ParseWarning]:
    """Events from one thread of the end-to-end-encrypted Messenger export (camelCase fields).

    ``media[].uri`` is relative to the thread file's folder (``./media/<uuid>.jpeg``); the literal
    ``"Failed to download media"`` (no folder) means Meta could not include the file.
    """
    participants = _names(doc.get("participants"))
    name = _s(doc.get("threadName"))
    thread = re.sub(r"_\d+$", "", name) or posixpath.splitext(posixpath.basename(target.path or target.file))[0]
    base_dir = posixpath.dirname(target.path)
    for i, msg in enumerate(doc["messages"]):
        loc = f"$.messages[{i}]"
        if not isinstance(msg, dict):
            yield from target.warn("unparsed_message", "this entry of messages[] is not an object; skipped", loc)
            continue
        when = epoch_plausible(msg.get("timestamp"), millis=True)
        if when is None:
            yield from target.warn(
                "bad_timestamp", f"timestamp {msg.get('timestamp')!r} is missing or not a time; message skipped", loc
            )
            continue
        sender = _s(msg.get("senderName"))
        text = _s(msg.get("text"))
        known = {"senderName", "timestamp", "text", "media", "reactions", "isUnsent"}
        extra: dict[str, Any] = {k: v for k, v in msg.items() if k not in known}
        extra["e2ee"] = True
        if name:
            extra["thread_name"] = name
        if isinstance(msg.get("reactions"), list):
            extra["reactions"] = [r for r in msg["reactions"] if isinstance(r, dict)]
        event = Event(
            timestamp=when, platform=target.platform, kind="message", source=target.ref(loc), sender=sender,
            recipients=[p for p in participants if p != sender], text=text, thread=thread, extra=extra,
            deleted=msg.get("isUnsent") is True,
        )  # fmt: skip
        for uri in _uris(msg.get("media")):
            if "/" not in uri and " " in uri:  # Meta's note, e.g. "Failed to download media": no file exists
                event.attachments.append(Attachment(uri))
                event.media_omitted = True
                yield from target.warn("media_not_exported", f"Meta's export says {uri!r} instead of naming a file", loc)
                continue
            yield from target.attach(uri, event, loc, base_dir)
        event.direction = target.owner.direction(sender)
        yield event


# -- HTML -----------------------------------------------------------------------------------

#: Offsets of the zone abbreviations the legacy ``messages.htm`` writes after the time.
ZONE_ABBREVIATIONS: Final = {
    "UTC": 0, "GMT": 0, "BST": 60, "IST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AKST": -540, "AKDT": -480, "HST": -600, "AEST": 600, "AEDT": 660,
}  # fmt: skip
_LEGACY_TIME = re.compile(
    r"(?:[A-Za-z]+,\s*)?([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})\s+at\s+(\d{1,2}):(\d{2})\s*([ap]m)\s*"
    r"(?:(UTC|GMT)\s*([+-]\d{1,2})(?::?(\d{2}))?|([A-Z]{2,5}))?\s*$",
    re.IGNORECASE,
)
_MODERN_FORMATS: Final = (
    "%b %d %Y %I:%M:%S %p", "%b %d %Y %I:%M %p", "%B %d %Y %I:%M:%S %p", "%B %d %Y %I:%M %p",
    "%b %d %Y %H:%M:%S", "%b %d %Y %H:%M", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
)  # fmt: skip


def _soup(data: bytes) -> Any:
    from bs4 import BeautifulSoup  # lxml's HTML parser: no network, no scripts, no entity expansion from outside

    return BeautifulSoup(data, "lxml")


def parse_legacy_time(text: str) -> tuple[datetime, str] | None:
    """``Friday, October 4, 2013 at 10:05pm PDT`` → (UTC instant, the offset rule used), or ``None``."""
    m = _LEGACY_TIME.match(text.strip())
    if m is None:
        return None
    month_name, day, year, hour, minute, ampm, utc_word, off_h, off_m, abbrev = m.groups()
    try:
        month = datetime.strptime(month_name[:3], "%b").month
        h = int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
        naive = datetime(int(year), month, int(day), h, int(minute))
    except ValueError:
        return None
    if utc_word:
        minutes = int(off_h) * 60 + (int(off_m or 0) if not off_h.startswith("-") else -int(off_m or 0))
        note = f"{utc_word}{off_h}{(':' + off_m) if off_m else ''} as written"
    elif abbrev and abbrev.upper() in ZONE_ABBREVIATIONS:
        minutes = ZONE_ABBREVIATIONS[abbrev.upper()]
        note = f"{abbrev.upper()} as written (UTC{minutes // 60:+03d}:{abs(minutes) % 60:02d})"
    else:
        return None
    return (naive.replace(tzinfo=dt_timezone(timedelta(minutes=minutes)))).astimezone(timezone.utc), note


def read_legacy_html(data: bytes, target: Target) -> Iterator[Event | ParseWarning]:
    """The legacy single-page ``messages.htm``: ``div.thread`` holding ``div.message`` + ``<p>`` pairs.

    The page's ``<h1>`` is the account owner's name (the page header of that export); a thread's
    leading text lists its participants and is the thread's name. Times carry a zone abbreviation
    or ``UTC±hh`` and are converted with that offset; an unknown zone is a located warning.
    """
    soup = _soup(data)
    h1 = soup.find("h1")
    if h1 is not None:
        yield from set_owner(target, h1.get_text(" ", strip=True), "h1")
    for ti, thread_div in enumerate(soup.select("div.thread")):
        lead = "".join(s for s in thread_div.find_all(string=True, recursive=False)).strip()
        participants = [p.strip() for p in lead.split(",") if p.strip()]
        thread = lead or f"thread {ti + 1}"
        mi = -1
        for msg in thread_div.find_all("div", class_="message", recursive=False):
            mi += 1
            loc = f"div.thread[{ti}] div.message[{mi}]"
            user = msg.find("span", class_="user")
            meta = msg.find("span", class_="meta")
            sender = user.get_text(" ", strip=True) if user is not None else ""
            shown = meta.get_text(" ", strip=True) if meta is not None else ""
            parts: list[str] = []
            for sib in msg.find_next_siblings():
                if sib.name == "div" and "message" in (sib.get("class") or []):
                    break
                if sib.name == "p":
                    parts.append(sib.get_text("\n", strip=False).strip())
            found = parse_legacy_time(shown)
            if found is None:
                yield from target.warn("bad_timestamp", f"the time {shown!r} could not be read; message skipped", loc)
                continue
            when, note = found
            event = Event(
                timestamp=when, platform=target.platform, kind="message", source=target.ref(loc), sender=sender,
                recipients=[p for p in participants if p != sender], text="\n".join(parts), thread=thread,
                extra={"shown_time": shown, "time_rule": note},
            )  # fmt: skip
            event.direction = target.owner.direction(sender)
            yield event


def _is_block(tag: Any) -> bool:
    classes = tag.get("class") or []
    return tag.name == "div" and ("uiBoxWhite" in classes or "_a6-g" in classes)


def read_modern_html(data: bytes, target: Target, tz: Any, tz_assumed: bool) -> Iterator[Event | ParseWarning]:
    """Per-thread ``message_N.html``: one block per message (``div.uiBoxWhite``/``div._a6-g``).

    A block's first child ``div`` is the sender, its last the time, the ones between the content.
    Times are local wall-clock times without a zone: they are read in ``tz`` (the case's zone
    or ``--timezone``); a DST fold takes the earlier instant and is flagged.
    """
    soup = _soup(data)
    title_tag = soup.find("title")
    thread = title_tag.get_text(" ", strip=True) if title_tag is not None else ""
    thread = thread or posixpath.basename(posixpath.dirname(target.path)) or target.file
    if tz_assumed:
        yield assumed_timezone(
            tz, file=target.file, locator=target.path, whose="the account",
            why="The HTML download shows local times without a zone.",
        )  # fmt: skip
    base_dir = posixpath.dirname(target.path)
    for bi, block in enumerate(b for b in soup.find_all(_is_block)):
        loc = f"message block {bi}"
        cells = block.find_all("div", recursive=False)
        if len(cells) < 2:
            continue  # headers and participant lists use the same box without sender/time cells
        sender = cells[0].get_text(" ", strip=True)
        shown = cells[-1].get_text(" ", strip=True)
        content = cells[1:-1]
        naive = _modern_time(shown)
        if naive is None:
            yield from target.warn("bad_timestamp", f"the time {shown!r} could not be read; message skipped", loc)
            continue
        local = convert_local(naive, tz)
        lines = [s for c in content for s in c.get_text("\n").split("\n") if s.strip()]
        event = Event(
            timestamp=local.utc, platform=target.platform, kind="message", source=target.ref(loc), sender=sender,
            text="\n".join(s.strip() for s in lines), thread=thread, extra={"shown_time": shown},
        )  # fmt: skip
        if local.ambiguous:
            event.time_ambiguous, event.time_note = True, local.note
        links: list[str] = []
        for c in content:
            for tag in c.find_all(["img", "video", "audio", "a"]):
                uri = tag.get("src") or tag.get("href") or ""
                if not isinstance(uri, str) or not uri:
                    continue
                if "://" in uri or uri.startswith("mailto:"):
                    links.append(uri)
                    continue
                yield from target.attach(uri, event, loc, "" if not uri.startswith("./") else base_dir)
        if links:
            event.extra["links"] = links
        event.direction = target.owner.direction(sender)
        yield event


def _modern_time(shown: str) -> datetime | None:
    text = re.sub(r"\s+", " ", shown.replace(",", " ").replace(" at ", " ")).strip()
    for fmt in _MODERN_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def html_kind(head: bytes) -> str:
    """``legacy``, ``modern`` or ``""`` from the first bytes of an HTML document."""
    low = head[:65536].lower()
    if b"<html" not in low and b"<!doctype html" not in low:
        return ""
    if b'class="thread"' in low and b'class="message_header"' in low:
        return "legacy"
    if b"uibox" in low or b"_a6-g" in low:
        return "modern"
    return ""


# -- the driver -----------------------------------------------------------------------------


OtherReader = Callable[[Any, Target], Iterator[Event | ParseWarning] | None]


@dataclass(frozen=True, slots=True)
class Spec:
    """What a platform module supplies to :func:`parse_download`."""

    platform: str
    wanted: MemberPatterns
    #: Members read before all others (the owner's profile), so directions can be set.
    first: MemberPatterns
    #: Reads a JSON document that is not a message thread (profile, requests ...); ``None`` if not its own.
    other: OtherReader


def _docs(data: bytes, target: Target, spec: Spec, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    kind = html_kind(data[:65536]) if data.lstrip()[:1] == b"<" else ""
    if kind == "legacy":
        yield from read_legacy_html(data, target)
    elif kind == "modern":
        yield from read_modern_html(data, target, ctx.options.timezone, ctx.options.timezone_assumed)
    else:
        doc, problems = load_meta_json(data, target)
        yield from problems
        if doc is None:
            return
        if is_thread(doc):
            yield from read_thread(doc, target)
        elif is_e2ee(doc):
            yield from read_e2ee(doc, target)
        else:
            found = spec.other(doc, target)
            if found is None:
                yield from target.warn(
                    "unrecognised_member", "this file's content is not one the parser reads; it was kept but not read"
                )
            else:
                yield from found


def parse_download(source: SourceFile, ctx: ParseContext, spec: Spec) -> Iterator[Event | ParseWarning]:
    """A download zip (member by member) or one file of an unpacked download."""
    with open(source.path, "rb") as fh:
        head = fh.read(4)
    owner = Owner()
    if not is_zip(head):
        target = Target(spec.platform, source.sha256, source.name, owner, NoMedia())
        with open(source.path, "rb") as fh:
            data = fh.read(MAX_DOC_BYTES + 1)
        if len(data) > MAX_DOC_BYTES:
            yield ParseWarning("too_large", f"the file is larger than {MAX_DOC_BYTES} bytes and was not read", file=source.name)
            return
        yield from _docs(data, target, spec, ctx)
        return

    def order(path: str) -> tuple[object, ...]:
        return (0 if spec.first.matches(path) else 1, *numeric_order(path))

    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        media = ZipMedia(zf, source, ctx)
        used = 0
        for item in iter_zip_members(zf, source, ctx, spec.wanted, order=order):
            if isinstance(item, ParseWarning):
                yield item
                continue
            used += 1
            yield from _member(item, source, ctx, spec, owner, media)
        if used == 0:
            yield ParseWarning("nothing_found", "no member of this zip is one the parser reads", file=source.name)
        if not owner.name:
            likely = owner.likely()
            hint = f" ({likely!r} takes part in every thread and is probably the owner)" if likely else ""
            yield ParseWarning(
                "owner_unknown",
                f"the download holds no profile file naming the account owner{hint}, so directions are left 'unknown'; "
                "name the victim's account in the people file to set them",
                file=source.name,
            )


def _member(
    member: Member, source: SourceFile, ctx: ParseContext, spec: Spec, owner: Owner, media: ZipMedia
) -> Iterator[Event | ParseWarning]:
    target = Target(spec.platform, source.sha256, source.name, owner, media, f"{member.path}:", member.path)
    try:
        data = member.read_bytes(MAX_DOC_BYTES)
    except UnsafeArchiveError as exc:
        yield ParseWarning(
            "unreadable_member", f"zip member {member.path!r} could not be read: {exc}", locator=member.path, file=source.name
        )
        return
    yield from _docs(data, target, spec, ctx)


def set_owner(target: Target, name: str, where: str) -> Iterator[ParseWarning]:
    """Record the owner named by a profile file (the first one found wins), with an info warning."""
    if not name:
        return
    if target.owner.name and target.owner.name != name:
        yield from target.warn(
            "owner_conflict", f"this profile names {name!r} but {target.owner.name!r} was already taken as the owner", where
        )
        return
    target.owner.name, target.owner.found_in = name, f"{target.prefix}{where}"
    yield ParseWarning(
        "account_owner",
        f"the account owner is {name!r} (from {target.prefix}{where}); messages they sent are 'outgoing', all others 'incoming'",
        locator=f"{target.prefix}{where}",
        file=target.file,
    )
