"""Google Takeout: Google Chat and Hangouts messages; Location History and My Activity recognised.

``docs/formats/google_takeout.md`` states the same rules for readers who do not read code.

Inputs
------
The Takeout zip as downloaded (``takeout-<date>-001.zip``), members found case-insensitively under
``Takeout/`` or wherever the layout puts them, each derived (hashed and kept) before it is read; or
one file of the unpacked Takeout (a ``messages.json``, ``Hangouts.json``, ``Location History.json``,
``Records.json`` or ``My Activity.json``). Folder names are matched in English only.

Google Chat (``Google Chat/Groups/<group>/messages.json``)
----------------------------------------------------------
``{"messages": [{creator{name, email, user_type}, created_date, text, annotations, attached_files
[{original_name, export_name}], topic_id, message_id, updated_date, message_state}]}``. One
``message`` event per entry, ``platform="google_chat"``: ``sender`` = creator name (e-mail in
``extra["sender_email"]``; the e-mail when there is no name), ``thread`` = the group folder name
(``DM abc…`` / ``Space abc…``). ``created_date`` is written ``Wednesday, 1 March 2023 at 10:00:00
UTC`` (also ``March 1, 2023 at 10:00:00 AM UTC``, an offset such as ``UTC+1``, or no zone, which
is then read as local time in the given zone with an ``assumed_timezone`` warning). A message with
``updated_date`` is ``edited``; ``message_state`` DELETED is ``deleted``. Attached files are linked
by their ``export_name`` to the file of that name in the same group folder of the zip (derived; an
attachment the download does not hold keeps an empty digest and gets a ``missing_attachment``
warning). The account holder's e-mail comes from ``Google Chat/Users/*/user_info.json``; with it,
direction is ``outgoing`` for their messages and ``incoming`` for the others'.

Hangouts (``Hangouts/Hangouts.json``)
-------------------------------------
``{"conversations": [{"conversation": {conversation_id, conversation: {participant_data,
self_conversation_state, name}}, "events": [...]}]}`` (and the older ``conversation_state``
spelling). Each event: ``timestamp`` (microseconds since 1970, unit decided by magnitude),
``sender_id.gaia_id``, ``event_type``: REGULAR_CHAT_MESSAGE → ``message`` whose text is the
``segment`` texts joined (LINE_BREAK → newline; attachments counted in ``extra`` and
``media_omitted`` when there is no text); HANGOUT_EVENT → ``call`` (duration when given); other
types (RENAME_CONVERSATION, ADD_USER …) → ``system``. ``platform="hangouts"``; sender names come
from ``participant_data[].fallback_name`` (else the gaia id); ``thread`` = the conversation name, or
the other participants' names. The account holder is ``self_conversation_state`` →
``self_read_state.participant_id``; direction follows.

Location History and My Activity: recognised, not evidence of contact
---------------------------------------------------------------------
``Location History.json`` / ``Records.json`` (``locations[]``), Semantic Location History
(``timelineObjects[]``) and ``My Activity/<product>/My Activity.json`` are the account holder's own
positions and activity (searches, videos watched …), not contact with anyone. They are recognised,
read only to count their records, kept in the case unchanged, and **not** turned into events: each
gives one ``not_contact_evidence`` warning naming the file and how many records it holds.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from cyberevidence.archive import SafeMember, SafeZip
from cyberevidence.errors import UnsafeArchiveError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._social_download_common import DownloadClock, get_key, text_of
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.epochs import epoch_any_unit
from cyberevidence.parsers.kit.inputs import Input, MemberPatterns, inputs, read_json, single_input, source_is_zip, zip_has

PLATFORM: Final = "google_chat"
HANGOUTS_PLATFORM: Final = "hangouts"
CHAT = MemberPatterns(("**/Google Chat/Groups/*/messages.json",))
CHAT_USER = MemberPatterns(("**/Google Chat/Users/*/user_info.json",))
HANGOUTS = MemberPatterns(("**/Hangouts/Hangouts.json",))
LOCATION = MemberPatterns(
    (
        "**/Location History/Location History.json",
        "**/Location History/Records.json",
        "**/Location History (Timeline)/Records.json",
        "**/Location History/Semantic Location History/*/*.json",
    )
)
ACTIVITY = MemberPatterns(("**/My Activity/*/My Activity.json", "**/My Activity/*/MyActivity.json"))
WANTED = MemberPatterns(CHAT.patterns + CHAT_USER.patterns + HANGOUTS.patterns + LOCATION.patterns + ACTIVITY.patterns)
SNIFF_ZIP = MemberPatterns(CHAT.patterns + HANGOUTS.patterns + LOCATION.patterns + ACTIVITY.patterns)

MONTHS: Final = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
            ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}  # fmt: skip
CHAT_DATE_RX = re.compile(
    r"^\s*(?:[^\W\d_]+,\s*)?"
    r"(?:(?P<d1>\d{1,2})\s+(?P<m1>[^\W\d_]+)\.?\s+(?P<y1>\d{4})|(?P<m2>[^\W\d_]+)\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))"
    r"\s+(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:[\s\u202f\u00a0]*(?P<ampm>[AaPp])\.?\s?[Mm]\.?)?"
    r"\s*(?P<zone>.*?)\s*$"
)
ZONE_RX = re.compile(r"^(?:UTC|GMT|Z)?(?:(?P<sign>[+-\u2212])(?P<zh>\d{1,2})(?::?(?P<zm>\d{2}))?)?$", re.IGNORECASE)


def parse_chat_date(text: str) -> tuple[datetime, bool] | None:
    """Google Chat's ``created_date`` as (datetime, zone given). Naive when the text names no zone."""
    m = CHAT_DATE_RX.match(text)
    if m is None:
        return None
    month = MONTHS.get((m["m1"] or m["m2"]).casefold())
    if month is None:
        return None
    day, year = int(m["d1"] or m["d2"]), int(m["y1"] or m["y2"])
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"] in "Pp" else 0)
    zone_text = m["zone"].strip()
    z = ZONE_RX.match(zone_text)
    if z is None:
        return None
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if not zone_text:
        return moment, False
    offset = timedelta(hours=int(z["zh"] or 0), minutes=int(z["zm"] or 0))
    if z["sign"] in ("-", "\u2212"):
        offset = -offset
    return moment.replace(tzinfo=timezone(offset)).astimezone(timezone.utc), True


def sniff(source: SourceFile, head: bytes) -> bool:
    """A Takeout zip with Chat, Hangouts, Location History or My Activity, or one of those JSON files."""
    try:
        if zip_has(source, head, SNIFF_ZIP):
            return True
        return bool(_file_kind(head))
    except Exception:
        return False


def _file_kind(head: bytes) -> str:
    """'chat', 'hangouts', 'location', 'activity' or '' from the first bytes of a single JSON file."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        if b'"messages"' in head and b'"creator"' in head and b'"created_date"' in head:
            return "chat"
        if (b'"conversations"' in head or b'"conversation_state"' in head) and (
            b'"participant_data"' in head or b'"conversation_id"' in head
        ):
            return "hangouts"
        if re.search(rb'"locations"\s*:\s*\[', head) and (b'"latitudeE7"' in head or b'"timestampMs"' in head):
            return "location"
        if re.search(rb'"timelineObjects"\s*:\s*\[', head):
            return "location"
    if start == b"[" and b'"header"' in head and b'"products"' in head and b'"time"' in head:
        return "activity"
    return ""


def _path(parts: list[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


class _Reader:
    def __init__(self, source: SourceFile, ctx: ParseContext, zf: SafeZip | None) -> None:
        self.source = source
        self.ctx = ctx
        self.zf = zf
        self.clock = DownloadClock(ctx, source.name, "Google Chat wrote some dates without a zone.")
        self.chat_owner = ""
        self._members: dict[str, SafeMember] = {m.path.casefold(): m for m in zf.members} if zf else {}

    def warn(self, code: str, message: str, locator: str = "") -> ParseWarning:
        return ParseWarning(code, message, locator=locator, file=self.source.name)

    # Google Chat --------------------------------------------------------------------------------

    def chat_user(self, item: Input) -> Iterator[ParseWarning]:
        data, problems = read_json(item, code="unreadable_json")
        yield from problems
        if data is None and problems:
            return
        email = text_of(get_key(get_key(data, "user"), "email")).strip()
        if email:
            self.chat_owner = email
            yield self.warn(
                "owner", f"the Google Chat account holder is {email!r} (from {item.path or item.name})", item.prefix + "$.user"
            )

    def chat(self, item: Input) -> Iterator[Event | ParseWarning]:
        data, problems = read_json(item, code="unreadable_json")
        yield from problems
        if data is None and problems:
            return
        messages = get_key(data, "messages")
        if not isinstance(messages, list):
            yield self.warn("unexpected_shape", "messages.json has no 'messages' list; nothing read", item.prefix + "$")
            return
        folder = posixpath.dirname(item.path) if item.path else ""
        thread = posixpath.basename(folder) if folder else item.name
        for i, msg in enumerate(messages):
            loc = item.prefix + _path(["messages", i])
            if not isinstance(msg, dict):
                yield self.warn("unreadable_message", "this message is not an object; skipped", loc)
                continue
            shown = text_of(get_key(msg, "created_date"))
            read = parse_chat_date(shown)
            if read is None:
                yield self.warn("unreadable_date", f"the created_date {shown!r} could not be read; skipped", loc)
                continue
            moment, zoned = read
            ambiguous, note = False, ""
            if not zoned:
                conv = self.clock.convert(moment, loc)
                moment, ambiguous, note = conv.utc, conv.ambiguous, conv.note
            creator = get_key(msg, "creator")
            name = text_of(get_key(creator, "name")).strip()
            email = text_of(get_key(creator, "email")).strip()
            extra: dict[str, Any] = {"shown_time": shown}
            if email:
                extra["sender_email"] = email
            for key in ("topic_id", "message_id", "updated_date", "message_state"):
                value = get_key(msg, key)
                if value:
                    extra[key] = text_of(value)
            annotations = get_key(msg, "annotations")
            if isinstance(annotations, list) and annotations:
                extra["annotations"] = len(annotations)
            event = Event(
                timestamp=moment,
                platform=PLATFORM,
                kind="message",
                source=SourceRef(self.source.sha256, loc),
                sender=name or email,
                text=text_of(get_key(msg, "text")),
                thread=thread,
                time_ambiguous=ambiguous,
                time_note=note,
                edited=bool(get_key(msg, "updated_date")),
                deleted=text_of(get_key(msg, "message_state")).upper() == "DELETED",
                extra=extra,
            )
            if self.chat_owner:
                event.direction = "outgoing" if email.casefold() == self.chat_owner.casefold() else "incoming"
            files = get_key(msg, "attached_files")
            if isinstance(files, list):
                for j, f in enumerate(files):
                    yield from self._attach(event, f, folder, f"{loc}.attached_files[{j}]")
            yield from self.clock.drain()
            yield event

    def _attach(self, event: Event, f: object, folder: str, loc: str) -> Iterator[ParseWarning]:
        export = text_of(get_key(f, "export_name")).strip()
        original = text_of(get_key(f, "original_name")).strip()
        name = export or original
        if not name:
            yield self.warn("unreadable_attachment", "this attached file has no name", loc)
            return
        if self.zf is None:
            sibling = self.source.siblings.get(export) if export else None
            if sibling is not None:
                event.attachments.append(Attachment(name, sibling.sha256, sibling.media_type))
                return
        member = self._members.get(posixpath.join(folder, export).casefold()) if (self.zf and export) else None
        if member is None or self.zf is None:
            where = "the download does not contain it" if self.zf else "no file of that name was added beside messages.json"
            yield self.warn("missing_attachment", f"the message names the attached file {name!r}; {where}", loc)
            event.attachments.append(Attachment(name))
            return
        try:
            with io.BufferedReader(self.zf.open(member)) as fh:
                ref = self.ctx.derive(fh, parent=self.source, path_in_parent=member.path)
        except UnsafeArchiveError as exc:
            yield self.warn("unreadable_member", f"zip member {member.path!r} could not be read safely: {exc}", member.path)
            event.attachments.append(Attachment(name))
            return
        event.attachments.append(Attachment(name, ref.sha256, ref.media_type))
        if original and original != name:
            event.extra.setdefault("attachment_original_names", []).append(original)

    # Hangouts -------------------------------------------------------------------------------------

    def hangouts(self, item: Input) -> Iterator[Event | ParseWarning]:
        data, problems = read_json(item, code="unreadable_json")
        yield from problems
        if data is None and problems:
            return
        convs = get_key(data, "conversations")
        key = "conversations"
        if convs is None:
            convs, key = get_key(data, "conversation_state"), "conversation_state"
        if not isinstance(convs, list):
            yield self.warn("unexpected_shape", "Hangouts.json has no 'conversations' list; nothing read", item.prefix + "$")
            return
        for i, conv in enumerate(convs):
            base = f"{item.prefix}$.{key}[{i}]"
            if not isinstance(conv, dict):
                yield self.warn("unreadable_conversation", "this conversation is not an object; skipped", base)
                continue
            yield from self._conversation(conv, base)

    def _conversation(self, conv: dict[str, Any], base: str) -> Iterator[Event | ParseWarning]:
        if "conversation_state" in conv:  # older layout: {conversation_id, conversation_state{conversation, event[]}}
            state = conv.get("conversation_state") or {}
            meta = get_key(state, "conversation") or {}
            events, events_path = get_key(state, "event"), f"{base}.conversation_state.event"
        else:
            meta = get_key(get_key(conv, "conversation"), "conversation") or {}
            events, events_path = get_key(conv, "events"), f"{base}.events"
        names: dict[str, str] = {}
        for p in get_key(meta, "participant_data") or []:
            gaia = text_of(get_key(get_key(p, "id"), "gaia_id"))
            if gaia:
                names[gaia] = text_of(get_key(p, "fallback_name")).strip() or gaia
        me = text_of(
            get_key(get_key(get_key(get_key(meta, "self_conversation_state"), "self_read_state"), "participant_id"), "gaia_id")
        )
        others = [n for g, n in names.items() if g != me]
        thread = text_of(get_key(meta, "name")).strip() or ", ".join(others) or text_of(get_key(get_key(meta, "id"), "id"))
        if not isinstance(events, list):
            yield self.warn("unexpected_shape", "this conversation has no list of events; skipped", base)
            return
        for j, ev in enumerate(events):
            loc = f"{events_path}[{j}]"
            if not isinstance(ev, dict):
                yield self.warn("unreadable_event", "this event is not an object; skipped", loc)
                continue
            read = epoch_any_unit(get_key(ev, "timestamp"))
            if read is None:
                yield self.warn(
                    "unreadable_date", f"this event's timestamp {get_key(ev, 'timestamp')!r} could not be read; skipped", loc
                )
                continue
            gaia = text_of(get_key(get_key(ev, "sender_id"), "gaia_id"))
            yield self._hangouts_event(ev, read, gaia, names, me, thread, others, loc)

    def _hangouts_event(
        self,
        ev: dict[str, Any],
        read: tuple[datetime, str],
        gaia: str,
        names: dict[str, str],
        me: str,
        thread: str,
        others: list[str],
        loc: str,
    ) -> Event:
        etype = text_of(get_key(ev, "event_type"))
        extra: dict[str, Any] = {"event_type": etype, "timestamp_unit": read[1]}
        event = Event(
            timestamp=read[0],
            platform=HANGOUTS_PLATFORM,
            kind="system",
            source=SourceRef(self.source.sha256, loc),
            sender=names.get(gaia, gaia),
            thread=thread,
            extra=extra,
        )
        if gaia:
            extra["sender_gaia_id"] = gaia
        if me:
            event.direction = "outgoing" if gaia == me else "incoming"
            if gaia == me and len(others) == 1:
                event.recipients = others[:]
        if etype == "REGULAR_CHAT_MESSAGE" or get_key(ev, "chat_message") is not None:
            event.kind = "message"
            content = get_key(get_key(ev, "chat_message"), "message_content")
            parts = []
            for seg in get_key(content, "segment") or []:
                stype = text_of(get_key(seg, "type"))
                parts.append("\n" if stype == "LINE_BREAK" else text_of(get_key(seg, "text")))
            event.text = "".join(parts)
            atts = get_key(content, "attachment")
            if isinstance(atts, list) and atts:
                extra["attachments"] = len(atts)
                event.media_omitted = not event.text
        elif etype == "HANGOUT_EVENT":
            event.kind = "call"
            hang = get_key(ev, "hangout_event") or {}
            sub = text_of(get_key(hang, "event_type"))
            extra["hangout_event"] = sub
            event.call_type = "video" if text_of(get_key(hang, "media_type")).upper() == "AUDIO_VIDEO" else "voice"
            duration = get_key(hang, "hangout_duration_secs")
            if isinstance(duration, int | str) and str(duration).isdigit():
                event.duration_s = int(duration)
            event.text = sub
        else:
            event.text = etype
        return event

    # recognised, not contact ---------------------------------------------------------------------

    def not_contact(self, item: Input, kind: str) -> Iterator[ParseWarning]:
        data, problems = read_json(item, code="unreadable_json")
        yield from problems
        if data is None and problems:
            return
        where = item.path or item.name
        if kind == "location":
            records = get_key(data, "locations")
            label = "location record(s)"
            if records is None:
                records, label = get_key(data, "timelineObjects"), "timeline object(s)"
            what = f"Google Takeout Location History ({where}) holds {_count(records)} {label}"
            own = "the account holder's own recorded positions"
        else:
            what = f"Google Takeout My Activity ({where}) holds {_count(data)} activity item(s)"
            own = "the account holder's own searches and activity"
        yield self.warn(
            "not_contact_evidence",
            f"{what}: {own}, not messages or contact with anyone. The file is kept in the case unchanged, "
            "but it is not turned into timeline events",
            item.prefix + "$",
        )


def _count(value: object) -> int:
    return len(value) if isinstance(value, list) else 0


def _route(path: str) -> str:
    if CHAT.matches(path):
        return "chat"
    if CHAT_USER.matches(path):
        return "user"
    if HANGOUTS.matches(path):
        return "hangouts"
    if LOCATION.matches(path):
        return "location"
    return "activity"


def _run(reader: _Reader, item: Input, kind: str) -> Iterator[Event | ParseWarning]:
    if kind == "chat":
        yield from reader.chat(item)
    elif kind == "user":
        yield from reader.chat_user(item)
    elif kind == "hangouts":
        yield from reader.hangouts(item)
    else:
        yield from reader.not_contact(item, kind)


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a Google Takeout zip, or one of its Chat / Hangouts / Location History / My Activity files."""
    if not source_is_zip(source):
        with open(source.path, "rb") as fh:
            kind = _file_kind(fh.read(65536))
        reader = _Reader(source, ctx, None)
        item = single_input(source)
        if not kind:
            kind = {"messages.json": "chat", "hangouts.json": "hangouts"}.get(source.name.casefold(), "")
        if not kind:
            yield reader.warn("unrecognised", "this file is not a Google Chat, Hangouts, Location History or My Activity file")
            return
        yield from _run(reader, item, kind)
        return
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        reader = _Reader(source, ctx, zf)
        items: list[Input] = []
        for got in inputs(source, ctx, WANTED, zf):
            if isinstance(got, ParseWarning):
                yield got
            else:
                items.append(got)
        items.sort(key=lambda i: _route(i.path) != "user")  # the owner first, so directions can be set
        for item in items:
            yield from _run(reader, item, _route(item.path))
        if not any(_route(i.path) in ("chat", "hangouts") for i in items):
            yield reader.warn("no_messages", "this Google Takeout holds no Google Chat or Hangouts messages")


PARSER = ParserInfo(
    name="google_takeout",
    platform=PLATFORM,
    description="Google Takeout: Google Chat and Hangouts messages (Location History and My Activity recognised, not events)",
    formats=(
        "Google Takeout .zip",
        "Google Chat Groups/*/messages.json",
        "Hangouts/Hangouts.json",
        "Location History / My Activity JSON (recognised; not evidence of contact)",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "application/json", "text/plain"),
    limits=(
        "Folder names are matched in English only. Google Chat dates in English wording only. Hangouts attachments are "
        "counted, not linked. Location History and My Activity give no events (a warning with their record count). "
        "Google Chat group_info.json (member list) and Google Voice are not read."
    ),
    platforms=(PLATFORM, HANGOUTS_PLATFORM),
    identity_keys=("sender_id",),
    fixtures=("google_takeout/*.zip", "google_takeout/*.json"),
    corpus_seeds=("google_takeout/*.json",),
)
