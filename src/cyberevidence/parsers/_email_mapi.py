"""Outlook (MAPI) items to events; shared by the ``.msg`` (OLE) and ``.pst`` (libpff) readers.

Rules (also in ``docs/formats/outlook_msg.md``):

* String properties of type ``001F`` are UTF-16LE; type ``001E`` are 8-bit in the message code
  page: ``0x3FFD`` PR_MESSAGE_CODEPAGE, else ``0x3FDE`` PR_INTERNET_CPID, else windows-1252 with a
  ``codepage_assumed`` warning. A 7-bit Internet code page (ISO-2022-JP 50220-50222, ISO-2022-KR
  50225, HZ 52936, UTF-7 65000) cannot be the encoding of 8-bit strings: its Windows code page
  is used instead (932, 949, 936, 1252), as Outlook does.
* When the item has transport headers (``0x007D``) they are read exactly like an ``.eml`` header
  block (Received chain, authentication results, Message-ID, Date ...). The MAPI properties
  then fill in what the headers lack, and the MAPI subject (``0x0037``) wins when both exist.
* Sender: ``0x5D01`` PR_SENDER_SMTP_ADDRESS, else ``0x0C1F`` when ``0x0C1E`` says SMTP (or it
  contains ``@``), else ``0x0065``/``0x5D02`` (sent-representing); the name is ``0x0C1A``.
  An Exchange ``/O=...`` address is kept in ``extra["sender_exchange_dn"]``.
* Recipients: each recipient's ``0x39FE`` PR_SMTP_ADDRESS, else ``0x3003`` when it has an ``@``,
  else its display name ``0x3001``; ``0x0C15`` says To (1), Cc (2) or Bcc (3).
  ``0x0E04`` (display To) is kept in ``extra["display_to"]``.
* Time, when the transport headers give no Date: ``0x0039`` client submit time, else ``0x0E06``
  delivery time, else ``0x3007`` creation time (named in ``time_note``). These are UTC FILETIMEs.
* An attachment that is a multipart MIME entity (``0x370E``, e.g. the ``multipart/signed`` body
  of an ``IPM.Note.SMIME.MultipartSigned`` item) is stored whole (``attachment<i>.eml`` when it
  has no name) and its leaf parts are listed after it (``extra["expanded_attachments"]``).
* Bodies: ``0x1000`` plain text, else ``0x1013`` HTML converted to text (``extra["has_html"]``).
  Compressed RTF (``0x1009``) is not decoded (``extra["has_rtf"]``).
* ``kind`` is ``email`` for ``IPM.Note*``, ``IPM.Schedule*`` and ``REPORT.*`` items (and items
  with no class); other items (appointments, contacts, tasks ...) are kept as ``system`` events
  with their class in ``extra["message_class"]``.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from cyberevidence.events import Attachment, Event, SourceRef
from cyberevidence.parsers._email_event import Built, HeaderFacts, build_event, read_headers
from cyberevidence.parsers._email_headers import Address
from cyberevidence.parsers._email_mime import html_to_text, safe_member_name
from cyberevidence.parsers._text import lf_line_ends
from cyberevidence.parsers.base import ParseContext, SourceFile

Props = dict[int, tuple[int, bytes]]  # property id -> (property type, raw bytes)
Warn = Callable[[str, str], None]

PT_STRING8, PT_UNICODE, PT_BINARY, PT_SYSTIME, PT_LONG, PT_OBJECT = 0x001E, 0x001F, 0x0102, 0x0040, 0x0003, 0x000D
_CPID = {
    65001: "utf-8",
    65000: "utf-7",
    1200: "utf-16-le",
    20127: "ascii",
    50220: "iso2022_jp",
    50221: "iso2022_jp",
    50222: "iso2022_jp",
    51932: "euc_jp",
    20932: "euc_jp",
    20866: "koi8_r",
    21866: "koi8_u",
    52936: "hz",
    936: "gbk",
}
#: 7-bit Internet code pages cannot hold 8-bit strings; Outlook then stores them in this Windows code page.
_ANSI_FOR_7BIT = {50220: 932, 50221: 932, 50222: 932, 50225: 949, 52936: 936, 65000: 1252, 20127: 1252}
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


@dataclass(slots=True)
class MapiAttachment:
    props: Props
    data: bytes | None = None
    embedded: MapiItem | None = None
    #: the bytes stored for this attachment (the data, or a rendering of an embedded item)
    stored: bytes = b""
    stored_suffix: str = ""


@dataclass(slots=True)
class MapiItem:
    props: Props
    recipients: list[Props] = field(default_factory=list)
    attachments: list[MapiAttachment] = field(default_factory=list)


def codec_for_cpid(cpid: int) -> str | None:
    name = _CPID.get(cpid) or (f"iso8859_{cpid - 28590}" if 28591 <= cpid <= 28606 else f"cp{cpid}")
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


@dataclass(slots=True)
class Strings:
    """Decodes string properties of one item by the code-page rule."""

    props: Props
    warn: Warn
    _codec: str | None = None
    _warned: bool = False

    def codec(self) -> str:
        if self._codec is None:
            for pid in (0x3FFD, 0x3FDE):
                value = self.props.get(pid)
                if value and len(value[1]) >= 4:
                    cpid = struct.unpack_from("<i", value[1])[0]
                    found = codec_for_cpid(_ANSI_FOR_7BIT.get(cpid, cpid))
                    if found:
                        self._codec = found
                        return found
            self._codec = "cp1252"
        return self._codec

    def get(self, pid: int, props: Props | None = None) -> str:
        value = (props if props is not None else self.props).get(pid)
        if value is None:
            return ""
        ptype, raw = value
        if ptype == PT_UNICODE:
            return raw.decode("utf-16-le", errors="replace").rstrip("\x00")
        if ptype == PT_STRING8:
            codec = self.codec()
            if (
                codec == "cp1252"
                and 0x3FDE not in self.props
                and 0x3FFD not in self.props
                and not self._warned
                and not raw.isascii()
            ):
                self._warned = True
                self.warn("codepage_assumed", "8-bit (001E) text without a code page property; read as windows-1252")
            return raw.decode(codec, errors="replace").rstrip("\x00")
        return ""

    def binary_text(self, pid: int) -> str:
        value = self.props.get(pid)
        if value is None:
            return ""
        if value[0] == PT_BINARY:
            return value[1].decode(self.codec(), errors="replace")
        return self.get(pid)


def filetime(props: Props, pid: int) -> datetime | None:
    value = props.get(pid)
    if value is None or len(value[1]) < 8:
        return None
    ticks = struct.unpack_from("<Q", value[1])[0]
    if ticks == 0 or ticks >= 0x7FFFFFFFFFFFFFFF:
        return None
    try:
        return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        return None


def int32(props: Props, pid: int) -> int | None:
    value = props.get(pid)
    if value is None or len(value[1]) < 4:
        return None
    return int(struct.unpack_from("<i", value[1])[0])


def _addr(text: str) -> str:
    return text.strip().strip("<>").lower() if "@" in text else ""


def item_event(
    item: MapiItem,
    *,
    source: SourceFile,
    ctx: ParseContext,
    locator: str,
    member_prefix: str,
    warn: Warn,
    extra: dict[str, Any] | None = None,
) -> Event:
    """One event for an Outlook item by the rules in the module docstring."""
    s = Strings(item.props, warn)
    tz = ctx.options.timezone
    headers_text = s.get(0x007D)
    facts = HeaderFacts()
    if headers_text.strip():
        from email.parser import HeaderParser
        from email.policy import compat32

        block = HeaderParser(policy=compat32).parsestr(headers_text.replace("\r\n", "\n").strip("\n") + "\n\n")
        facts = read_headers([(k, str(v)) for k, v in block.raw_items()], tz, warn)
    built = Built()
    ex = built.extra
    mclass = s.get(0x001A)
    if mclass:
        ex["message_class"] = mclass
    if headers_text.strip():
        ex["transport_headers"] = True
    subject = s.get(0x0037)
    if subject.startswith("\x01") and len(subject) >= 2:  # PST subject-prefix marker (0x01 + prefix length)
        subject = subject[2:]
    if subject:
        facts.subject = subject
    sender_name = s.get(0x0C1A) or s.get(0x0042)
    addr_type = s.get(0x0C1E).upper()
    email_prop = s.get(0x0C1F)
    sender = _addr(s.get(0x5D01))
    if not sender and (addr_type == "SMTP" or "@" in email_prop):
        sender = _addr(email_prop)
    if not sender:
        sender = _addr(s.get(0x0065)) or _addr(s.get(0x5D02))
    if email_prop and not _addr(email_prop):
        ex["sender_exchange_dn"] = email_prop
    if not facts.from_ and (sender or sender_name):
        facts.from_ = [Address(sender_name, sender)]
    elif facts.from_ and sender_name and not facts.from_[0].name:
        facts.from_ = [Address(sender_name, facts.from_[0].addr), *facts.from_[1:]]
    if not (facts.to or facts.cc or facts.bcc):
        for rp in item.recipients:
            name = s.get(0x3001, rp)
            address = _addr(s.get(0x39FE, rp)) or _addr(s.get(0x3003, rp)) or _addr(s.get(0x39FF, rp))
            kind = int32(rp, 0x0C15) or 1
            target = {2: facts.cc, 3: facts.bcc}.get(kind & 0x0F, facts.to)
            target.append(Address(name, address or name))
    display_to = s.get(0x0E04)
    if display_to:
        ex["display_to"] = display_to
    ex["recipient_storages"] = len(item.recipients)
    body = s.get(0x1000)
    html = s.binary_text(0x1013)
    if html.strip():
        ex["has_html"] = True
    if 0x1009 in item.props:
        ex["has_rtf"] = True
    if body.strip():
        built.text = lf_line_ends(body).strip("\n")
    elif html.strip():
        built.text = html_to_text(html)
        ex["text_from_html"] = True
    for pid, what in (
        (0x0039, "Outlook client submit time (0x0039)"),
        (0x0E06, "Outlook delivery time (0x0E06)"),
        (0x3007, "Outlook creation time (0x3007)"),
    ):
        moment = filetime(item.props, pid)
        if moment is not None:
            built.fallback_time = (moment, what)
            break
    for pid, key in ((0x0039, "client_submit_time"), (0x0E06, "delivery_time")):
        moment = filetime(item.props, pid)
        if moment is not None:
            ex[key] = moment.isoformat().replace("+00:00", "Z")
    if mclass and not mclass.upper().startswith(("IPM.NOTE", "IPM.SCHEDULE", "REPORT.")):
        built.kind = "system"
    for i, att in enumerate(item.attachments):
        built.attachments.append(_store_attachment(att, i, s, source=source, ctx=ctx, prefix=member_prefix, built=built))
        _expand_mime_attachment(att, i, s, source=source, ctx=ctx, prefix=member_prefix, built=built)
    if extra:
        ex.update(extra)
    return build_event(facts, built, source=SourceRef(source.sha256, locator), tz=tz, warn=warn)


def _store_attachment(
    att: MapiAttachment, i: int, s: Strings, *, source: SourceFile, ctx: ParseContext, prefix: str, built: Built
) -> Attachment:
    name = s.get(0x3707, att.props) or s.get(0x3704, att.props) or s.get(0x3001, att.props)
    mime = s.get(0x370E, att.props)
    if att.embedded is not None:
        es = Strings(att.embedded.props, s.warn)
        summary: dict[str, Any] = {
            "subject": es.get(0x0037),
            "from": es.get(0x0C1A),
            "message_class": es.get(0x001A),
            "attachments": [es.get(0x3707, a.props) or es.get(0x3001, a.props) for a in att.embedded.attachments],
        }
        built.extra.setdefault("attached_messages", []).append(summary)
        name = name or (summary["subject"] or f"attachment{i}") + ".msg"
        mime = mime or "application/vnd.ms-outlook"
    if not name and mime.lower().startswith(("multipart/", "message/rfc822")):
        name = f"attachment{i}.eml"  # a MIME entity (e.g. the multipart/signed body of an S/MIME message)
    name = name or f"attachment{i}.bin"
    payload = att.stored if att.stored else (att.data or b"")
    member = f"{prefix}/attachment[{i}]/{safe_member_name(name)}{att.stored_suffix}"
    ref = ctx.derive(io.BytesIO(payload), parent=source, path_in_parent=member)
    return Attachment(name=name, sha256=ref.sha256, media_type=mime or ref.media_type)


def _expand_mime_attachment(
    att: MapiAttachment, i: int, s: Strings, *, source: SourceFile, ctx: ParseContext, prefix: str, built: Built
) -> None:
    """An attachment that is a multipart MIME entity (S/MIME clear-signed Outlook messages keep
    their whole signed body so): its leaf parts are listed too, stored under
    ``<prefix>/attachment[i]/attachment[j]/<name>``; its text is the body when the item has none."""
    mime = s.get(0x370E, att.props).strip().lower()
    data = att.data or b""
    if att.embedded is not None or not mime.startswith("multipart/") or not data:
        return
    from email.parser import BytesParser
    from email.policy import compat32

    from cyberevidence.parsers._email_mime import fill_from_mime

    def warn(code: str, message: str) -> None:
        s.warn(code, f"attachment[{i}] ({mime}): {message}")

    try:
        msg = BytesParser(policy=compat32).parsebytes(data)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        warn("unparsed_attachment", f"could not be read as MIME ({type(exc).__name__}); kept whole")
        return
    if not msg.is_multipart():
        warn("unparsed_attachment", "declared multipart but holds no MIME parts; kept whole")
        return
    sub = Built()
    fill_from_mime(msg, HeaderFacts(), sub, source=source, ctx=ctx, member_prefix=f"{prefix}/attachment[{i}]", warn=warn)
    built.attachments.extend(sub.attachments)
    built.extra.setdefault("expanded_attachments", []).append(
        {"attachment": i, "media_type": mime, "parts": [a.name for a in sub.attachments]}
    )
    if not built.text and sub.text:
        built.text = sub.text
        built.extra["text_from_attachment"] = i
