"""SMS Backup & Restore (Android app by SyncTech) XML backups: ``sms-*.xml`` and ``calls-*.xml``.

This module states the rules it applies; ``docs/formats/sms_backup.md`` says the same for readers
who do not read code.

Reading
-------
The file is streamed (1 MiB at a time) through defusedxml's SAX driver: memory stays flat
whatever the size of the backup (it grows only with the largest single message, e.g. an MMS
video). Entity declarations and external references are refused (:class:`ParseError`): the app
never writes them and they can make a small file expand without limit.

Android's XML writer puts a character outside the Basic Multilingual Plane (most emoji) as two
character references, one per UTF-16 half (``&#55357;&#56832;`` for 😀), which XML forbids.
Before the XML parser sees them, such pairs are rewritten into the one character they stand for
(no warning: nothing is lost). A half without its other half (a *lone surrogate*), and a
reference to a character XML does not allow (``&#1;``), becomes U+FFFD with a warning
(``lone_surrogate``, ``invalid_character``) located at its message. The rewrite is applied to
the raw bytes, so it would also apply inside a comment or CDATA section (the app writes neither).

Which elements
--------------
The root is ``<smses>`` (messages) or ``<calls>`` (call log); anything else is not this format
(:class:`ParseError`). Its direct children ``<sms>``, ``<mms>`` and ``<call>`` are records; any
other child is skipped with one ``unknown_element`` warning per name. The root's ``count`` is
compared with the records found (``count_mismatch`` warning when they differ).

Times
-----
``date`` is milliseconds since 1970-01-01 UTC and is the event time. ``readable_date`` is the
same instant rendered in the phone's locale and zone; it is ignored. A ``date`` that is missing,
not a whole number (``today``), or ``0``/negative/``null`` (no time recorded) keeps the record
**undated** (``timestamp`` ``None``, a ``time_note`` saying why, a ``missing_date`` warning naming
it): no 1970 date is ever invented. An element with no attributes at all holds nothing to keep and
gives a ``bad_date`` warning. A whole number too small to be milliseconds after 1992-12-03 (the first SMS) but
which, read as *seconds*, falls between then and 2100 is read as seconds (some converters and
old backups write seconds), with a ``date_in_seconds`` warning and ``extra["date_unit"] =
"seconds"``; any other date before 1992-12-03 is kept with an ``implausible_date`` warning.
The unit is also decided for the **whole file** before any record is read, by the magnitude of
every ``date`` value (one streaming pass, flat memory): only seconds-sized values make it a
seconds file, stated once in a ``date_unit`` warning (locator ``whole file``) instead of one
``date_in_seconds`` per record; both sizes make it mixed, stated in ``date_unit``, each record
then read by its own magnitude and each seconds one warned (``date_in_seconds``). No
time zone is assumed anywhere, so no ``assumed_timezone`` warning is given.

SMS (``<sms>``) → ``platform="sms"``, ``kind="message"``
--------------------------------------------------------
``type`` says which way the message went, so the parser sets ``direction``:

====  ==========  =========  ================================================
type  sms_type    direction  sender / recipients
====  ==========  =========  ================================================
1     received    incoming   sender = ``address``
2     sent        outgoing   recipients = [``address``]
3     draft       outgoing   recipients = [``address``] (never sent)
4     outbox      outgoing   recipients = [``address``] (not yet sent)
5     failed      outgoing   recipients = [``address``] (sending failed)
6     queued      outgoing   recipients = [``address``] (waiting to be sent)
====  ==========  =========  ================================================

Types 3–6 are messages the phone's owner wrote that had not been delivered when the backup was
made: ``extra["sms_type"]`` says which, so a reader can leave them out of contact counts. Any
other ``type`` gives ``direction="unknown"``, ``sms_type="unknown"`` and an ``unknown_type``
warning. ``body`` is the text, exactly as written (``&#10;`` is a line break). ``contact_name``
(the phone's address-book name, "(Unknown)" when none), ``subject`` and ``sub_id`` (the SIM of a
dual-SIM phone; ``-1`` = none) are kept in ``extra`` unless the app wrote ``null``;
``date_sent`` (the sender's clock, milliseconds; ``0`` = none) is kept as ``extra["date_sent"]``
in UTC; ``read`` as ``extra["read"]``.

The thread is the counterpart's ``address`` (for a group, the app joins the addresses with
``~``). For a phone number the thread drops spaces, dashes, dots and brackets and nothing else
(``07700 900-123`` → ``07700900123``; no country code is added, since the backup does not say
which country the phone was in); the raw form is kept in ``sender``/``recipients`` and, when it
differs, in ``extra["address"]``. Matching numbers written in different ways to one person is
the people file's job.

MMS (``<mms>``) → ``platform="sms"``, ``kind="message"``
--------------------------------------------------------
``msg_box`` gives the direction with the same table as SMS ``type`` (1 inbox → incoming, 2 sent
→ outgoing, 3 drafts, 4 outbox, 5 failed → outgoing), kept as ``extra["sms_type"]``.
``<addrs>``: ``type`` 137 is the sender (From), 151 To, 130 Cc, 129 Bcc. ``sender`` is the 137
address (Android's placeholder ``insert-address-token`` counts as none); ``recipients`` are the
151, 130 and 129 addresses in that order, without repeats and without the sender. In a
one-to-one conversation (``address`` is one number) the conversation's address decides when
``<addrs>`` disagree with the direction: an incoming MMS is from ``address`` (a different or
missing 137 address moves to the recipients), and an outgoing MMS whose 137 address *is*
``address`` was still sent by the owner (that address becomes the recipient). Either case gives
an ``address_conflict`` warning and ``extra["addr_note"]``. An outgoing MMS whose ``<addrs>``
name no recipient gets the ``~``-separated ``address``. Without
``<addrs>``, an incoming MMS's sender is ``address`` and an outgoing MMS's recipients are the
``~``-separated ``address``. Every address with its role is kept in ``extra["addrs"]``. ``sub``
(the MMS subject) is kept as ``extra["subject"]``.

``<parts>``, in order (``part[K]`` is the K-th ``<part>``, 1-based; ``seq`` is not used to name
parts because the app repeats it):

* ``application/smil`` parts are skipped: they only lay out the slides.
* ``text/plain`` parts are the message text (several are joined with a line break). A text part
  carried in ``data`` (base64) is decoded as UTF-8.
* every other part with ``data`` is base64-decoded and stored as a derived artefact of the backup
  with ``ctx.derive(..., path_in_parent="mms[N]/part[K]/<name>")`` (``name``, else ``cl``,
  else ``fn``, else ``part<K>``), and linked to the event as an :class:`Attachment` (digest,
  name, detected media type). A part that carries its content in ``text`` instead (a vCard) is
  stored the same way, UTF-8 encoded. The attachment's media type is the one detected from the
  content; when detection says nothing specific (``application/octet-stream``) the part's ``ct``.
  An empty ``data=""`` carries no content and is treated as absent (never stored as an empty file).
* ``data`` that is not valid base64 (whitespace is ignored, missing ``=`` padding is tolerated)
  gives a ``bad_base64`` warning; the message is kept, with an attachment of that name without a
  digest, and the part named in ``extra["undecodable_parts"]``. A non-text part with neither
  ``data`` nor ``text`` is an attachment without a digest, ``media_omitted`` and a
  ``missing_attachment`` warning.

Calls (``<call>``) → ``platform="phone"``, ``kind="call"``
----------------------------------------------------------
``type``: 1 answered, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7
answered_externally (``call_type``); direction incoming for all but 2 (outgoing). Any other
type gives ``call_type="unknown"``, ``direction="unknown"`` and an ``unknown_type`` warning.
``duration`` (seconds) is ``duration_s`` (``bad_duration`` warning when not a number).
``number`` is the sender of an incoming call and the recipient of an outgoing one; the thread is
the number, normalised as for SMS. When the caller withheld the number (``presentation`` 2, 3 or
4, or a number of ``-1``/``-2``/``-3`` or empty), sender and recipients are empty, the thread is
``withheld`` and ``extra["presentation"]`` says which (restricted, unknown, payphone).

Bounded fields
--------------
No attribute value is kept longer than ``events.MAX_FIELD_CHARS`` (1,048,576) bytes: a pass
between the file and the XML parser (``_sms_stream.FieldBound``) keeps the first part (cut at a
character and reference boundary) and drops the rest before the XML parser sees it, with a
``field_truncated`` warning located at the record (attribute, original size) and
``extra["truncated_fields"]``. So one 500 MB ``body`` costs no more memory than any message. A
start tag longer than four times that keeps its first attributes only, and an over-long comment
or processing instruction is cut (``field_truncated`` too). MMS content (``<part data=...>`` and
``<part text=...>``) is not cut: an over-long value goes whole to a temporary file, is decoded
from there and stored complete (``extra["spooled_parts"]``); a text part keeps the first
``MAX_FIELD_CHARS`` characters of its text. Line numbers in locators still count the lines of
the stored file.

Damage
------
A file cut off or broken part-way keeps every record before the damage. The record it broke
inside is kept too when its start tag was complete (``extra["incomplete"] = True``; e.g. an MMS
whose later parts are missing). One ``xml_damaged`` warning gives the line and column of the
damage, the XML parser's reason, and the last complete record. Nothing after the damage is read.
A file whose first element is not ``<smses>``/``<calls>``, an empty file, or one that is not XML
at all raises :class:`ParseError`.

Locators: ``smses/sms[N] (line L)``, ``smses/mms[N] (line L)``, ``calls/call[N] (line L)``: N
counts that element among the root's children (1-based), L is the line of its start tag.
Warnings about an MMS part add `` part[K]``.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

from cyberevidence.errors import ParseError, Setting
from cyberevidence.events import MAX_FIELD_CHARS, Attachment, Event, ParseWarning, SourceRef, format_utc, truncation_message
from cyberevidence.parsers._sms_fields import (
    ADDR_ROLES,
    BOXES,
    CALL_TYPES,
    FIRST_SMS,
    GENERIC_MEDIA_TYPES,
    NO_ADDRESS,
    PRESENTATION,
    WITHHELD_NUMBERS,
    DateUnit,
    b64decode,
    b64decode_stream,
    file_date_unit,
    given,
    instant,
    part_name,
    record_instant,
    thread_of,
)
from cyberevidence.parsers._sms_stream import (
    Broken,
    FieldCut,
    Issue,
    NotABackupError,
    Record,
    RefusedXmlError,
    Root,
    iter_backup,
)
from cyberevidence.parsers.base import DerivedRef, ParseContext, ParserInfo, SourceFile

PLATFORM_SMS: Final = "sms"
PLATFORM_CALLS: Final = "phone"
MAX_REPEATED_WARNINGS: Final = 1000
_SNIFF = re.compile(
    # atomic groups and a possessive repeat: a prolog of many '<?...?>' cannot backtrack exponentially
    rb"\A(?:\xef\xbb\xbf)?\s*(?>(?>(?><\?.*?\?>)|(?><!--.*?-->)|(?><!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>))\s*)*+<(?:smses|calls)[\s>/]",
    re.DOTALL,
)


# -- sniffing -------------------------------------------------------------------------------


def sniff(source: SourceFile, head: bytes) -> bool:
    """Content-based: the first element (after the XML declaration, comments, a doctype) is <smses> or <calls>."""
    try:
        return _SNIFF.match(head[:16384]) is not None
    except Exception:  # a sniffer must never break detection
        return False


# -- the parser -----------------------------------------------------------------------------


class BackupReader:
    """Records to events, with warnings capped per code."""

    def __init__(self, source: SourceFile, ctx: ParseContext) -> None:
        self.source = source
        self.ctx = ctx
        self.file = source.name
        self.root = ""
        self.counts: dict[str, int] = {}
        self.found = 0
        self.declared: str | None = None
        self.unit = DateUnit.MILLISECONDS

    # warnings ---------------------------------------------------------------------------

    def warn(self, out: list[ParseWarning], code: str, message: str, locator: str = "") -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n <= MAX_REPEATED_WARNINGS:
            out.append(ParseWarning(code, message, locator=locator, file=self.file))

    def _summaries(self) -> Iterator[ParseWarning]:
        for code, n in self.counts.items():
            if n > MAX_REPEATED_WARNINGS:
                extra = n - MAX_REPEATED_WARNINGS
                msg = f"{extra} more '{code}' warning(s) like the ones above were not listed one by one"
                yield ParseWarning(code, msg, file=self.file)

    def locator(self, rec: Record) -> str:
        return f"{self.root}/{rec.tag}[{rec.index}] (line {rec.line})"

    # the loop ---------------------------------------------------------------------------

    def _decide_unit(self) -> Iterator[ParseWarning]:
        """The whole file's ``date`` unit (rule in the module docstring), stated when it is not milliseconds."""
        with open(self.source.path, "rb") as fh:
            found = file_date_unit(fh)
        self.unit = found.unit
        counts = f"{found.seconds} seconds-sized and {found.milliseconds} milliseconds-sized date value(s)"
        if found.unit is DateUnit.SECONDS:
            yield ParseWarning(
                "date_unit",
                f"every dated record of this file is in seconds since 1970, not milliseconds ({counts}): the whole file "
                "is read in seconds",
                locator="whole file",
                file=self.file,
            )
        elif found.unit is DateUnit.MIXED:
            yield ParseWarning(
                "date_unit",
                f"the file mixes units ({counts}): each record is read by its own magnitude and each one read as "
                "seconds is warned (date_in_seconds)",
                locator="whole file",
                file=self.file,
            )

    def run(self) -> Iterator[Event | ParseWarning]:
        yield from self._decide_unit()
        try:
            stream = iter_backup(self.source.path)
            for item in stream:
                if isinstance(item, Record):
                    yield from self._record(item)
                elif isinstance(item, Issue):
                    out: list[ParseWarning] = []
                    self.warn(out, item.code, item.message, f"line {item.line}" if item.line else "")
                    yield from out
                elif isinstance(item, Root):
                    self.root = item.tag
                    self.declared = item.attrs.get("count")
                else:
                    yield from self._broken(item)
        except NotABackupError as exc:
            raise ParseError(
                f"{exc}; this is not an SMS Backup & Restore backup",
                file=self.file,
                hint="SMS Backup & Restore files start with <smses> (messages) or <calls> (call log); or name another parser.",
                setting=Setting.FORMAT,
            ) from None
        except RefusedXmlError as exc:
            raise ParseError(
                f"the XML declares entities or external references ({exc}), which are refused for safety; "
                "SMS Backup & Restore never writes them",
                file=self.file,
                hint="Keep the file as evidence and ask a digital forensic examiner to look at it.",
            ) from None
        yield from self._count_check()
        yield from self._summaries()

    def _record(self, rec: Record) -> Iterator[Event | ParseWarning]:
        self.found += 1
        out: list[ParseWarning] = []
        loc = self.locator(rec)
        if rec.tag == "sms":
            event = self._sms(rec, loc, out)
        elif rec.tag == "mms":
            event = self._mms(rec, loc, out)
        else:
            event = self._call(rec, loc, out)
        if event is not None:
            if rec.fixes:
                event.extra["replaced_characters"] = len(rec.fixes)
            if not rec.complete:
                event.extra["incomplete"] = True
        for fix in rec.fixes:
            self.warn(out, fix.code, fix.describe(), loc)
        truncated = []
        for label, cut in rec.cuts:
            if cut.spool is not None:
                cut.spool.close()  # read by _parts if it was MMS content; nothing else is spooled
                if label.startswith("part["):
                    continue
            truncated.append(f"{label + ' ' if label else ''}{cut.attribute or cut.element}")
            self.warn(out, "field_truncated", cut.describe(), f"{loc} {label}" if label else loc)
        if truncated and event is not None:
            event.extra["truncated_fields"] = truncated
        if event is not None:
            yield event
        yield from out

    def _count_check(self) -> Iterator[ParseWarning]:
        declared = self.declared
        if declared is None or not declared.strip().isdigit() or int(declared) == self.found:
            return
        what = "call(s)" if self.root == "calls" else "message(s)"
        yield ParseWarning(
            "count_mismatch",
            f'the backup says it holds {int(declared)} {what} (count="{declared}") but {self.found} were found',
            locator=self.root,
            file=self.file,
        )

    def _broken(self, b: Broken) -> Iterator[Event | ParseWarning]:
        if b.partial is not None:
            yield from self._record(b.partial)
            inside = f"; it broke inside {self.locator(b.partial)}, which is kept as far as it could be read"
        else:
            inside = ""
        last = f"the last complete record is {self.locator(b.last)}" if b.last is not None else "no record before it was complete"
        yield ParseWarning(
            "xml_damaged",
            f"the file is damaged or cut off at line {b.line}, column {b.column} ({b.reason}); {last}{inside}. "
            "Nothing after this point was read: check whether a complete copy of the backup exists",
            locator=f"line {b.line}, column {b.column}",
            file=self.file,
        )

    # records ----------------------------------------------------------------------------

    def _time(self, rec: Record, loc: str, out: list[ParseWarning], extra: dict[str, Any]) -> tuple[bool, datetime | None, str]:
        """(keep the record, its instant, why it is undated): a record with attributes but no usable ``date`` is
        kept **undated** (``missing_date``); one with no attributes at all holds nothing to keep (``bad_date``)."""
        raw = rec.attrs.get("date")
        moment, unit = record_instant(raw)
        if moment is None:
            if not rec.attrs:
                why = f"this <{rec.tag}> has no attributes at all (no date, address or text)"
                self.warn(out, "bad_date", f"{why}; nothing of it is in the timeline (check the original)", loc)
                return False, None, ""
            if raw is None:
                why = f"this <{rec.tag}> has no date attribute"
            elif raw.strip().lstrip("-").isdigit() or raw.strip() in ("", "null"):
                why = f"date={raw!r} means no time was recorded"
            else:
                why = f"date={raw!r} is not a time in milliseconds"
            self.warn(out, "missing_date", f"{why}; this {rec.tag} is kept as undated (no time is invented)", loc)
            return True, None, f"the backup gives no usable time: {why}"
        if unit == "s":
            extra["date_unit"] = "seconds"
        if unit == "s" and self.unit is not DateUnit.SECONDS:  # a seconds file is stated once, in date_unit
            self.warn(
                out,
                "date_in_seconds",
                f"date={raw!r} is too small for milliseconds (it would be before the first SMS); read as seconds since "
                f"1970: {format_utc(moment)}",
                loc,
            )
        elif moment < FIRST_SMS:
            self.warn(out, "implausible_date", f"date={raw!r} is {format_utc(moment)}, before the first SMS was sent", loc)
        return True, moment, ""

    def _base(
        self, rec: Record, moment: datetime | None, loc: str, platform: str, kind: str, extra: dict[str, Any], note: str = ""
    ) -> Event:
        ev = Event(timestamp=moment, platform=platform, kind=kind, source=SourceRef(self.source.sha256, loc))
        ev.time_note = note
        ev.extra.update(extra)
        return ev

    @staticmethod
    def _common_extra(rec: Record, extra: dict[str, Any]) -> None:
        contact = given(rec.attrs.get("contact_name"))
        if contact:
            extra["contact_name"] = contact
        sub_id = given(rec.attrs.get("sub_id")).strip()
        if sub_id and sub_id != "-1":
            extra["sub_id"] = sub_id  # which SIM (subscription) on a dual-SIM phone

    def _sms(self, rec: Record, loc: str, out: list[ParseWarning]) -> Event | None:
        pre: dict[str, Any] = {}
        keep, moment, note = self._time(rec, loc, out, pre)
        if not keep:
            return None
        a = rec.attrs
        ev = self._base(rec, moment, loc, PLATFORM_SMS, "message", pre, note)
        address = a.get("address", "")
        ev.thread = thread_of(address)
        ev.text = a.get("body", "")
        raw_type = a.get("type", "")
        box, direction = BOXES.get(raw_type.strip(), ("unknown", "unknown"))
        if box == "unknown":
            self.warn(out, "unknown_type", f"SMS type={raw_type!r} is not one the app documents; direction left unknown", loc)
        ev.direction = direction
        if direction == "incoming":
            ev.sender = address
        elif address:
            ev.recipients = [address]
        extra = ev.extra
        extra["sms_type"] = box
        if box == "unknown":
            extra["type"] = raw_type
        if ev.thread != address:
            extra["address"] = address
        self._common_extra(rec, extra)
        subject = given(a.get("subject"))
        if subject:
            extra["subject"] = subject
        raw_sent = a.get("date_sent", "0")
        if raw_sent != "0":
            sent = instant(raw_sent)
            if sent is not None:
                extra["date_sent"] = format_utc(sent)
        if "read" in a:
            extra["read"] = a["read"] == "1"
        return ev

    def _mms(self, rec: Record, loc: str, out: list[ParseWarning]) -> Event | None:
        pre: dict[str, Any] = {}
        keep, moment, note = self._time(rec, loc, out, pre)
        if not keep:
            return None
        a = rec.attrs
        ev = self._base(rec, moment, loc, PLATFORM_SMS, "message", pre, note)
        address = a.get("address", "")
        ev.thread = thread_of(address)
        raw_box = a.get("msg_box", "")
        box, direction = BOXES.get(raw_box.strip(), ("unknown", "unknown"))
        if box == "unknown":
            self.warn(out, "unknown_type", f"MMS msg_box={raw_box!r} is not one the app documents; direction left unknown", loc)
        ev.direction = direction
        extra = ev.extra
        extra["sms_type"] = box
        if ev.thread != address:
            extra["address"] = address
        self._addresses(rec, ev, address, loc, out)
        self._common_extra(rec, extra)
        subject = given(a.get("sub"))
        if subject:
            extra["subject"] = subject
        if "read" in a:
            extra["read"] = a["read"] == "1"
        self._parts(rec, ev, loc, out)
        return ev

    def _addresses(self, rec: Record, ev: Event, address: str, loc: str, out: list[ParseWarning]) -> None:
        roles: dict[str, list[str]] = {"from": [], "to": [], "cc": [], "bcc": []}
        listed = []
        for addr in rec.addrs:
            value, kind = addr.get("address", ""), addr.get("type", "")
            role = ADDR_ROLES.get(kind, kind)
            listed.append({"address": value, "role": role})
            if role in roles and value and value != NO_ADDRESS:
                roles[role].append(value)
        counterparts = [p for p in address.split("~") if p.strip() and p != NO_ADDRESS]
        if not listed:
            if ev.direction == "incoming":
                ev.sender = address
            elif address:
                ev.recipients = counterparts
            return
        ev.extra["addrs"] = listed
        sender = roles["from"][0] if roles["from"] else ""
        others = roles["to"] + roles["cc"] + roles["bcc"]
        one_to_one = len(counterparts) == 1 and "@" not in counterparts[0]
        same = thread_of(sender) == thread_of(counterparts[0]) if one_to_one and sender else False
        note = ""
        if ev.direction == "incoming" and one_to_one and not same:
            # In a one-to-one conversation the thread's address is the other person, and an
            # incoming message can only come from them.
            if sender:
                note = (
                    f"the From address {sender!r} is not the conversation's address {counterparts[0]!r}; "
                    "an incoming message in a one-to-one conversation is from the conversation's address, so that is "
                    "the sender (both addresses are kept in extra['addrs'])"
                )
                others = [sender, *others]
            sender = counterparts[0]
        elif ev.direction == "outgoing" and one_to_one and same:
            note = (
                f"the From address {sender!r} is the conversation's address, but the message was sent by the phone's "
                "owner; it is read as the recipient (both are kept in extra['addrs'])"
            )
            others = [sender, *others]
            sender = ""
        if ev.direction == "outgoing" and not any(v != sender for v in others):
            others = others + counterparts
        ev.sender = sender
        seen = {sender}
        for value in others:
            if value not in seen and value != NO_ADDRESS:
                seen.add(value)
                ev.recipients.append(value)
        if note:
            ev.extra["addr_note"] = note
            self.warn(out, "address_conflict", note, loc)

    def _parts(self, rec: Record, ev: Event, loc: str, out: list[ParseWarning]) -> None:
        texts: list[str] = []
        undecodable: list[str] = []
        spooled = {(label, cut.attribute): cut for label, cut in rec.cuts if cut.spool is not None}
        for k, part in enumerate(rec.parts, start=1):
            ct = given(part.get("ct")).strip().lower()
            if ct == "application/smil":
                continue
            name = part_name(part, k)
            where = f"{loc} part[{k}]"
            big_data, big_text = spooled.get((f"part[{k}]", "data")), spooled.get((f"part[{k}]", "text"))
            if big_data is not None or (big_text is not None and ct != "text/plain" and not part.get("data", "").strip()):
                spool = big_data or big_text
                self._spooled_part(rec, ev, k, name, ct, spool, big_data is not None, where, texts, undecodable, out)
                continue
            if big_text is not None and ct == "text/plain" and not part.get("data", "").strip():
                texts.append(self._spooled_text(big_text, where, out))
                continue
            data = part.get("data")
            if data is not None and not data.strip():
                data = None  # data="" carries nothing: judged by text= below, never stored as an empty file
            if ct == "text/plain":
                if data is None:
                    texts.append(part.get("text", ""))
                    continue
                decoded = b64decode(data)
                if decoded is None:
                    self.warn(out, "bad_base64", f"the text part {name!r} is not valid base64; its text is missing", where)
                    undecodable.append(name)
                else:
                    texts.append(decoded.decode("utf-8", errors="replace"))
                continue
            if data is not None:
                content = b64decode(data)
                if content is None:
                    self._undecodable_part(ev, name, ct, where, undecodable, out)
                    continue
            else:
                text = given(part.get("text"))
                if not text:
                    self.warn(out, "missing_attachment", f"part {name!r} ({ct or 'no type'}) has no content in the backup", where)
                    ev.attachments.append(Attachment(name, "", ct))
                    ev.media_omitted = True
                    continue
                content = text.encode("utf-8")
            ref = self.ctx.derive(io.BytesIO(content), parent=self.source, path_in_parent=f"mms[{rec.index}]/part[{k}]/{name}")
            _attach_stored(ev, name, ct, ref)
        ev.text = "\n".join(texts)
        if undecodable:
            ev.extra["undecodable_parts"] = undecodable

    def _spooled_text(self, cut: FieldCut, where: str, out: list[ParseWarning]) -> str:
        """The first MAX_FIELD_CHARS bytes of an over-long text part, as text (the warning says so)."""
        assert cut.spool is not None
        cut.spool.seek(0)
        head = cut.spool.read(MAX_FIELD_CHARS + 4)
        self.warn(out, "field_truncated", truncation_message(f"text of {where.rsplit(' ', 1)[-1]}", cut.size, "bytes"), where)
        return head.decode("utf-8", errors="ignore")[:MAX_FIELD_CHARS]

    def _spooled_part(
        self,
        rec: Record,
        ev: Event,
        k: int,
        name: str,
        ct: str,
        cut: FieldCut | None,
        is_base64: bool,
        where: str,
        texts: list[str],
        undecodable: list[str],
        out: list[ParseWarning],
    ) -> None:
        """A part whose content was too long for memory: decoded from its temporary copy into another, then stored."""
        assert cut is not None and cut.spool is not None
        cut.spool.seek(0)
        with tempfile.TemporaryFile() as content:
            if is_base64:
                ok = b64decode_stream(cut.spool, content)
            else:
                ok = True
                while block := cut.spool.read(1 << 20):
                    content.write(block)
            if not ok:
                self._undecodable_part(ev, name, ct, where, undecodable, out)
                return
            content.seek(0)
            if ct == "text/plain":
                head = content.read(MAX_FIELD_CHARS + 4)
                size = content.seek(0, io.SEEK_END)
                if size > MAX_FIELD_CHARS:
                    self.warn(out, "field_truncated", truncation_message(f"text of part[{k}]", size, "bytes"), where)
                texts.append(head.decode("utf-8", errors="replace")[:MAX_FIELD_CHARS])
                return
            ref = self.ctx.derive(content, parent=self.source, path_in_parent=f"mms[{rec.index}]/part[{k}]/{name}")
        _attach_stored(ev, name, ct, ref)
        ev.extra.setdefault("spooled_parts", []).append(name)

    def _undecodable_part(
        self, ev: Event, name: str, ct: str, where: str, undecodable: list[str], out: list[ParseWarning]
    ) -> None:
        """A part whose base64 content cannot be decoded: named, listed, kept as an attachment without content."""
        self.warn(
            out,
            "bad_base64",
            f"the content of part {name!r} ({ct or 'no type'}) is not valid base64 and could not be stored; "
            "the message is kept",
            where,
        )
        undecodable.append(name)
        ev.attachments.append(Attachment(name, "", ct))

    def _call(self, rec: Record, loc: str, out: list[ParseWarning]) -> Event | None:
        pre: dict[str, Any] = {}
        keep, moment, note = self._time(rec, loc, out, pre)
        if not keep:
            return None
        a = rec.attrs
        ev = self._base(rec, moment, loc, PLATFORM_CALLS, "call", pre, note)
        raw_type = a.get("type", "")
        call_type, direction = CALL_TYPES.get(raw_type.strip(), ("unknown", "unknown"))
        if call_type == "unknown":
            self.warn(out, "unknown_type", f"call type={raw_type!r} is not one the app documents; call_type 'unknown'", loc)
            ev.extra["type"] = raw_type
        ev.call_type, ev.direction = call_type, direction
        raw_duration = a.get("duration")
        if raw_duration is not None:
            try:
                ev.duration_s = int(raw_duration.strip())
            except ValueError:
                self.warn(out, "bad_duration", f"duration={raw_duration!r} is not a number of seconds", loc)
        number = a.get("number", "")
        presentation = PRESENTATION.get(a.get("presentation", "").strip(), "")
        if (presentation and presentation != "allowed") or number.strip() in WITHHELD_NUMBERS:
            ev.thread = "withheld"
            ev.extra["presentation"] = presentation or "unknown"
            if number:
                ev.extra["number"] = number
        else:
            ev.thread = thread_of(number)
            if direction == "outgoing":
                ev.recipients = [number]
            else:
                ev.sender = number
            if ev.thread != number:
                ev.extra["number"] = number
        self._common_extra(rec, ev.extra)
        return ev


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse an SMS Backup & Restore ``sms-*.xml`` or ``calls-*.xml`` backup, streaming."""
    yield from BackupReader(source, ctx).run()


PARSER = ParserInfo(
    name="sms_backup",
    platform=PLATFORM_SMS,
    description=(
        "SMS Backup & Restore (Android) XML backups: SMS and MMS (platform 'sms', MMS media stored) "
        "and call logs (platform 'phone')"
    ),
    formats=(
        "SMS Backup & Restore sms-*.xml (<smses>: <sms> and <mms> with parts and addresses)",
        "SMS Backup & Restore calls-*.xml (<calls>: <call>)",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("text/xml", "application/xml"),
    limits=(
        "Streams files of any size in flat memory (MMS media larger than 1 MiB goes through a temporary file); a "
        "field is kept to 1,048,576 bytes (field_truncated warning). Surrogate-pair character references "
        "are joined; lone ones become U+FFFD with a warning. A damaged or truncated file keeps every record before the "
        "damage and says where it broke; nothing after it is read. Only UTF-8 backups (what the app writes) get the "
        "character-reference repair. readable_date is ignored (date is UTC milliseconds)."
    ),
    references=("https://www.synctech.com.au/sms-backup-restore/fields-in-xml-backup-files/",),
    platforms=("sms", "phone"),
    fixtures=("sms_backup/*.xml",),
    corpus_seeds=("sms_backup_restore/*.xml",),
)


def _attach_stored(ev: Event, name: str, declared: str, ref: DerivedRef) -> None:
    """A stored part as an attachment: its detected type, unless detection found only a generic one."""
    detected = ref.media_type if ref.media_type not in GENERIC_MEDIA_TYPES else ""
    ev.attachments.append(Attachment(name, ref.sha256, detected or declared))
