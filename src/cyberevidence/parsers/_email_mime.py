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
* **Report and attached-message parts are readable**: the text of every ``message/delivery-status``
  and ``text/rfc822-headers`` part, and the body of every attached ``message/rfc822`` message, is
  appended to the event text after the message's own body, each after a line
  ``--- part[k] <media type> ---`` (so "5.1.1 user unknown" is searchable); the part is still kept
  as an attachment too. A delivery-status part's per-recipient fields are in
  ``extra["delivery_status"]`` (``final_recipient``, ``action``, ``status``, ``diagnostic_code``,
  ``remote_mta``, with the message-level ``reporting_mta`` and ``arrival_date``).
* **A nested multipart reusing its parent's boundary** (RFC 2046 §5.1.1 forbids it; the stdlib
  parser then drops every part after the inner close delimiter): when the top-level multipart's
  boundary is reused below it, its body is re-split flat at that boundary's delimiter lines,
  every segment read as one part (a segment that only declares a multipart with that same
  boundary is a container and skipped), with a ``mime_boundary_reused`` warning.
* **Text outside every part**: a non-blank preamble or epilogue that holds a delimiter-like line
  (``--...``) or a ``Content-`` header line is content no part holds; a ``mime_part_unrecovered``
  warning names it and its byte range in the message (``bytes a-b``, 0-based, end exclusive).
* ``extra["mime_parts"]`` = the number of parts :meth:`email.message.Message.walk` visits.
"""

from __future__ import annotations

import io
import itertools
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
from cyberevidence.parsers._text import lf_line_ends
from cyberevidence.parsers.base import ParseContext, SourceFile

#: A leading UTF-8 byte-order mark, dropped before the header block is read.
UTF8_BOM = b"\xef\xbb\xbf"
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
    #: (part no, media type, text) of report and attached-message parts, appended to the event text
    readable: list[tuple[int, str, str]] = field(default_factory=list)
    delivery_status: list[dict[str, str]] = field(default_factory=list)


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
                    inner = payload[0] if payload and isinstance(payload[0], Message) else None
                    if inner is not None:
                        _readable_nested(k, ctype, inner, found, warn)
                else:  # message/delivery-status and the like: header blocks, kept as a file
                    found.leaves.append((k, part, name))
                    if ctype in ("message/delivery-status", "message/global-delivery-status"):
                        _readable_report(k, ctype, payload, found, warn)
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
            if ctype in ("text/rfc822-headers", "message/delivery-status", "message/global-headers"):
                found.readable.append((k, ctype, _text_of(part, what, warn)))

    visit(msg)
    return found


_DSN_FIELDS = {
    "final-recipient": "final_recipient",
    "original-recipient": "original_recipient",
    "action": "action",
    "status": "status",
    "diagnostic-code": "diagnostic_code",
    "remote-mta": "remote_mta",
}


def _readable_report(k: int, ctype: str, blocks: list[Any], found: MimeWalk, warn: Callable[[str, str], None]) -> None:
    """A delivery-status part (RFC 3464): its field blocks as text and per-recipient details."""
    texts: list[str] = []
    common: dict[str, str] = {}
    for i, block in enumerate(b for b in blocks if isinstance(b, Message)):
        lines: list[str] = []
        row: dict[str, str] = {}
        for key, value in block.raw_items():
            text = decode_header_value(str(value), f"part[{k}] {key}", warn)
            lines.append(f"{key}: {text}")
            name = key.strip().lower()
            if i == 0 and name in ("reporting-mta", "arrival-date"):
                common[name.replace("-", "_")] = text
            elif name in _DSN_FIELDS:
                row[_DSN_FIELDS[name]] = text
        texts.append("\n".join(lines))
        if row:
            found.delivery_status.append({**common, **row})
    found.readable.append((k, ctype, "\n\n".join(t for t in texts if t)))


def _readable_nested(k: int, ctype: str, inner: Message, found: MimeWalk, warn: Callable[[str, str], None]) -> None:
    """An attached message's sender, date, subject and body, as text."""
    sub = walk_message(inner, lambda code, message: None)  # its own defects are the attachment's, not this message's
    body = "\n\n".join(t.strip("\n") for t in sub.plain if t.strip()) or "\n\n".join(html_to_text(h) for h in sub.html)
    head = [
        f"{label}: {decode_header_value(str(inner.get(label.lower(), '')), f'part[{k}] {label}', warn)}"
        for label in ("From", "Date", "Subject")
        if inner.get(label.lower()) is not None
    ]
    found.readable.append((k, ctype, "\n".join([*head, "", body]).strip()))
    for sk, sctype, stext in sub.readable:
        found.readable.append((k, f"{ctype} > {sctype} (inner part[{sk}])", stext))


def _count_rest(part: Message, counter: list[int]) -> None:
    """Advance the part counter over an attached message's inner parts (walk() visits them)."""
    for sub in part.walk():
        if sub is not part:
            counter[0] += 1


def _text_of(part: Message, what: str, warn: Callable[[str, str], None]) -> str:
    data = payload_bytes(part)
    charset = part.get_param("charset")
    cs = str(charset) if isinstance(charset, str) else None
    return lf_line_ends(decode_bytes(data, cs, f"body {what}", warn))


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
    """Parse one message's bytes; yields its warnings (at ``locator``) and then its event.

    A leading UTF-8 byte-order mark is an encoding artefact, not part of the first header: dropped.
    """
    data = data.removeprefix(UTF8_BOM)
    warnings: list[ParseWarning] = []

    def warn(code: str, message: str) -> None:
        warnings.append(ParseWarning(code, message, locator=locator, file=source.name))

    try:
        msg = _PARSER.parsebytes(data)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        warn("unparsed_message", f"the message could not be read as MIME ({type(exc).__name__}); kept as text")
        msg = Message()
        msg.set_payload(data.decode("utf-8", "replace"))
    msg = recover_mime(msg, data, warn)
    facts = read_headers([(k, str(v)) for k, v in msg.raw_items()], ctx.options.timezone, warn)
    built = Built(fallback_time=fallback_time)
    fill_from_mime(msg, facts, built, source=source, ctx=ctx, member_prefix=member_prefix, warn=warn)
    if extra:
        built.extra.update(extra)
    event = build_event(facts, built, source=SourceRef(source.sha256, locator), tz=ctx.options.timezone, warn=warn)
    yield from warnings
    yield event


def _boundary(part: Message) -> str | None:
    try:
        b = part.get_boundary()
    except Exception:
        return None
    return str(b) if b else None


def _reused_boundary(msg: Message) -> bool:
    """True when a multipart below the top level declares the top-level multipart's boundary."""
    top = _boundary(msg) if msg.is_multipart() else None
    return top is not None and any(
        p is not msg and p.get_content_maintype() == "multipart" and _boundary(p) == top for p in msg.walk()
    )


def _split_at_boundary(body: bytes, boundary: str) -> list[bytes]:
    """The segments between the delimiter lines ``--boundary`` (and ``--boundary--``) of ``body``,
    ignoring the preamble and anything after the last delimiter line."""
    delim = re.compile(rb"^--" + re.escape(boundary.encode("ascii", "replace")) + rb"(--)?[ \t]*\r?$", re.MULTILINE)
    marks = list(delim.finditer(body))
    segments: list[bytes] = []
    for a, b in itertools.pairwise(marks):
        if a.group(1):  # a close delimiter: what follows up to the next delimiter is outside every part
            continue
        start = a.end() + (1 if body[a.end() : a.end() + 1] == b"\n" else 0)
        end = b.start()
        seg = body[start:end]
        if seg.endswith(b"\r\n"):
            seg = seg[:-2]
        elif seg.endswith(b"\n"):
            seg = seg[:-1]
        segments.append(seg)
    return segments


def _leaves(msg: Message) -> int:
    """Non-empty leaf parts of a tree (a multipart whose parts were lost counts as none)."""
    return sum(1 for p in msg.walk() if p.get_content_maintype() != "multipart" and payload_bytes(p).strip())


def _header_end(data: bytes) -> int:
    m = re.search(rb"\r?\n\r?\n", data)
    return m.end() if m else len(data)


def recover_mime(msg: Message, data: bytes, warn: Callable[[str, str], None]) -> Message:
    """Re-read a top-level multipart whose boundary is reused by a nested multipart (flat split;
    rule in the module docstring), then warn about content left outside every part."""
    if _reused_boundary(msg):
        boundary = _boundary(msg) or ""
        body_at = _header_end(data)
        parts: list[Message | str] = []
        for seg in _split_at_boundary(data[body_at:], boundary):
            try:
                sub = _PARSER.parsebytes(seg)
            except Exception:
                continue
            if sub.get_content_maintype() == "multipart" and _boundary(sub) == boundary:
                continue  # declares the reused boundary: a container; its parts are the next segments
            parts.append(sub)
        before = _leaves(msg)
        rebuilt = _PARSER.parsebytes(data[:body_at])
        rebuilt.set_payload(parts)
        rebuilt.defects = list(msg.defects)  # the header-only re-read's own defects are artefacts
        after = _leaves(rebuilt)
        kept = "the flat reading is used" if after > before else "the nested reading is kept (the flat one found no more)"
        warn(
            "mime_boundary_reused",
            f"a nested multipart reuses the top-level boundary {boundary[:80]!r} (RFC 2046 §5.1.1); re-split flat at "
            f"that boundary: {after} non-empty parts against {before} in the nested reading; {kept}",
        )
        if after > before:
            msg = rebuilt
    for k, part in enumerate(msg.walk()):
        if not part.is_multipart():
            continue
        for where in ("preamble", "epilogue"):
            text = getattr(part, where, None)
            if not isinstance(text, str) or not re.search(r"(?m)^(--\S|Content-[A-Za-z-]+:)", text):
                continue
            raw = text.encode("ascii", "surrogateescape") if text.isascii() else text.encode("utf-8", "surrogateescape")
            at = data.find(raw.strip()) if raw.strip() else -1
            span = f"bytes {at}-{at + len(raw.strip())}" if at >= 0 else "byte range not found"
            warn(
                "mime_part_unrecovered",
                f"part[{k}] ({part.get_content_type()}) {where}: {len(raw)} bytes outside every MIME part "
                f"({span}) look like a part but are not read as one; they stay in the original file",
            )
    return msg


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
    sections = [f"--- part[{k}] {ctype} ---\n{text.strip()}" for k, ctype, text in walk.readable if text.strip()]
    if sections:
        built.text = "\n\n".join([built.text, *sections]) if built.text else "\n\n".join(sections)
    if walk.delivery_status:
        built.extra["delivery_status"] = walk.delivery_status
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
