"""One RFC 5322/MIME message (bytes) to an event: bodies, attachments, defects as warnings.

Rules (also in ``docs/formats/email_message.md``):

* Parsed with :class:`email.parser.BytesParser` and the ``compat32`` policy, which never raises
  on header access and keeps raw header bytes; headers are then decoded by the stated rules of
  :mod:`._email_headers`. Every MIME defect the parser reports (missing boundary, bad base64,
  malformed header ...) becomes a ``mime_defect`` warning naming the part.
* **Body**: every *inline* ``text/plain`` part (no ``attachment`` disposition, no file name),
  joined by a blank line; when there is none, the inline ``text/html`` parts converted to text
  (BeautifulSoup with lxml: scripts and styles dropped, nothing executed, nothing fetched). A
  multipart whose boundary is missing is read as one text part, with its defect warned.
  ``extra["has_html"]`` says an HTML body exists.
* **Attachments**: every other leaf part (a file name or ``attachment`` disposition, or any
  non-text type such as inline images), and every attached message (``message/rfc822``, stored as
  the re-serialised bytes of the enclosed message; its subject, sender and date are summarised in
  ``extra["attached_messages"]``). Each is passed to ``ctx.derive`` as
  ``message[N]/attachment[i]/<file name>`` and listed on the event with the name as written
  (RFC 2231/2047 decoded; a Windows path is kept as the name, only its last part names the
  stored member). A part without a name is called ``part<k><ext>`` (``extra["unnamed_parts"]``).
* **TNEF** (``application/ms-tnef``, ``winmail.dat``): no permissively licensed TNEF reader is
  available (tnefparse is LGPL), so winmail.dat is kept and stored as an attachment, unexpanded;
  a ``tnef_not_expanded`` warning says so.
* ``extra["mime_parts"]`` = the number of parts :meth:`email.message.Message.walk` visits.
"""

from __future__ import annotations

import io
import mimetypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._email_event import Built, HeaderFacts, build_event, read_headers
from cyberevidence.parsers._email_headers import decode_bytes, decode_header_value, raw_to_str
from cyberevidence.parsers.base import ParseContext, SourceFile

_PARSER = BytesParser(policy=policy.compat32)
_BLANKS = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")


def html_to_text(html: str) -> str:
    """Visible text of an HTML body; nothing is executed or fetched."""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:
        soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta", "noscript"]):
        tag.decompose()
    text = soup.get_text("\n")
    lines = [line.strip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def safe_member_name(name: str) -> str:
    """The last path component of an attachment name, without control characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base or "unnamed"


def part_filename(part: Message, what: str, warn: Callable[[str, str], None]) -> str:
    """The file name (Content-Disposition ``filename``, else Content-Type ``name``), raw 8-bit and RFC 2047/2231 decoded."""
    probe = Message()
    for key, value in part.raw_items():
        if key.lower() in ("content-disposition", "content-type"):
            probe[key] = raw_to_str(str(value), f"header {key} of {what}", warn)
    try:
        raw = probe.get_filename()
    except Exception:
        raw = None
    if raw is None:
        return ""
    return decode_header_value(str(raw), f"header filename of {what}", warn)


@dataclass(slots=True)
class MimeWalk:
    """What :func:`walk_message` found in a message tree."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    leaves: list[tuple[int, Message, str]] = field(default_factory=list)  # (part no, part, name)
    nested: list[tuple[int, Message, str]] = field(default_factory=list)  # attached messages


def walk_message(msg: Message, warn: Callable[[str, str], None]) -> MimeWalk:
    found = MimeWalk()
    counter = [0]

    def visit(part: Message) -> None:
        k = counter[0]
        counter[0] += 1
        ctype = part.get_content_type()
        what = f"part[{k}] ({ctype})"
        for defect in part.defects:
            doc = (type(defect).__doc__ or "").strip().splitlines()[0] if type(defect).__doc__ else ""
            warn("mime_defect", f"{what}: {type(defect).__name__}" + (f" ({doc})" if doc else ""))
        payload = part.get_payload()
        maintype = part.get_content_maintype()
        if isinstance(payload, list):
            if maintype == "message":
                name = part_filename(part, what, warn)
                if ctype in ("message/rfc822", "message/global"):
                    found.nested.append((k, part, name))
                else:  # message/delivery-status and the like: header blocks, kept as a file
                    found.leaves.append((k, part, name))
                _count_rest(part, counter)
                return
            for sub in payload:
                if isinstance(sub, Message):
                    visit(sub)
            return
        disposition = (part.get_content_disposition() or "").lower()
        name = part_filename(part, what, warn)
        is_body = maintype in ("text", "multipart") and disposition != "attachment" and not name
        if is_body and ctype == "text/html":
            found.html.append(_text_of(part, what, warn))
        elif is_body and (ctype == "text/plain" or maintype == "multipart"):
            found.plain.append(_text_of(part, what, warn))
        else:
            found.leaves.append((k, part, name))

    visit(msg)
    return found


def _count_rest(part: Message, counter: list[int]) -> None:
    """Advance the part counter over an attached message's inner parts (walk() visits them)."""
    for sub in part.walk():
        if sub is not part:
            counter[0] += 1


def _text_of(part: Message, what: str, warn: Callable[[str, str], None]) -> str:
    data = payload_bytes(part)
    charset = part.get_param("charset")
    cs = str(charset) if isinstance(charset, str) else None
    return decode_bytes(data, cs, f"body {what}", warn).replace("\r\n", "\n")


def payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("ascii", "surrogateescape")
    if isinstance(raw, list):
        chunks = []
        for sub in raw:
            if not isinstance(sub, Message):
                continue
            try:
                chunks.append(sub.as_bytes(policy=policy.compat32))
            except Exception:
                chunks.append(str(sub).encode("utf-8", "surrogateescape"))
        return b"\n".join(chunks)
    return b""


def nested_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner and isinstance(inner[0], Message):
        try:
            return inner[0].as_bytes(policy=policy.compat32)
        except Exception:
            return inner[0].as_string(policy=policy.compat32).encode("utf-8", "surrogateescape")
    return payload_bytes(part)


def _summary(inner: Message, tzwarn: Callable[[str, str], None]) -> dict[str, Any]:
    return {
        "subject": decode_header_value(inner.get("subject", "") and str(inner.get("subject")), "header Subject", tzwarn),
        "from": decode_header_value(str(inner.get("from", "")), "header From", tzwarn),
        "date": decode_header_value(str(inner.get("date", "")), "header Date", tzwarn),
    }


def _derive(ctx: ParseContext, source: SourceFile, data: bytes, path: str) -> str:
    return ctx.derive(io.BytesIO(data), parent=source, path_in_parent=path).sha256


def parse_message(
    data: bytes,
    *,
    source: SourceFile,
    ctx: ParseContext,
    locator: str,
    member_prefix: str,
    fallback_time: tuple[datetime, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Iterator[Event | ParseWarning]:
    """Parse one message's bytes; yields its warnings (at ``locator``) and then its event."""
    warnings: list[ParseWarning] = []

    def warn(code: str, message: str) -> None:
        warnings.append(ParseWarning(code, message, locator=locator, file=source.name))

    try:
        msg = _PARSER.parsebytes(data)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        warn("unparsed_message", f"the message could not be read as MIME ({type(exc).__name__}); kept as text")
        msg = Message()
        msg.set_payload(data.decode("utf-8", "replace"))
    facts = read_headers([(k, str(v)) for k, v in msg.raw_items()], ctx.options.timezone, warn)
    built = Built(fallback_time=fallback_time)
    fill_from_mime(msg, facts, built, source=source, ctx=ctx, member_prefix=member_prefix, warn=warn)
    if extra:
        built.extra.update(extra)
    event = build_event(facts, built, source=SourceRef(source.sha256, locator), tz=ctx.options.timezone, warn=warn)
    yield from warnings
    yield event


def fill_from_mime(
    msg: Message,
    facts: HeaderFacts,
    built: Built,
    *,
    source: SourceFile,
    ctx: ParseContext,
    member_prefix: str,
    warn: Callable[[str, str], None],
) -> None:
    """Bodies and attachments of ``msg`` into ``built`` (attachments derived under ``member_prefix``)."""
    walk = walk_message(msg, warn)
    built.extra["mime_parts"] = sum(1 for _ in msg.walk())
    if walk.plain:
        built.text = "\n\n".join(t.strip("\n") for t in walk.plain if t.strip())
    if walk.html:
        built.extra["has_html"] = True
        if not built.text:
            built.text = "\n\n".join(html_to_text(h) for h in walk.html)
            built.extra["text_from_html"] = True
    attachments: list[Attachment] = []
    unnamed: list[int] = []
    items: list[tuple[int, str, str, bytes]] = []  # (part no, name, media type, bytes)
    for k, part, name in sorted([*walk.leaves, *walk.nested], key=lambda t: t[0]):
        ctype = part.get_content_type()
        is_nested = ctype in ("message/rfc822", "message/global") and isinstance(part.get_payload(), list)
        if is_nested:
            body = nested_bytes(part)
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                built.extra.setdefault("attached_messages", []).append(_summary(inner, warn))
            if not name:
                name = f"part{k}.eml"
                unnamed.append(k)
        else:
            body = payload_bytes(part)
            if not name:
                ext = mimetypes.guess_extension(ctype) or ".bin"
                name = f"part{k}{ext}"
                unnamed.append(k)
        items.append((k, name, ctype, body))
        if ctype == "application/ms-tnef" or name.lower() == "winmail.dat":
            built.extra["tnef"] = True
            warn("tnef_not_expanded", f"part[{k}] {name}: Outlook TNEF (winmail.dat) is kept as one attachment, not expanded")
    for i, (_k, name, ctype, body) in enumerate(items):
        digest = _derive(ctx, source, body, f"{member_prefix}/attachment[{i}]/{safe_member_name(name)}")
        attachments.append(Attachment(name=name, sha256=digest, media_type=ctype))
    built.attachments.extend(attachments)
    if unnamed:
        built.extra["unnamed_parts"] = unnamed
