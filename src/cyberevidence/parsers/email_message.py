"""A single e-mail message: ``.eml`` (RFC 5322/MIME) and ``.mht``/``.mhtml`` (a saved web page in MIME).

The shared rules live in :mod:`._email_headers` (decoding, addresses, dates, Received chain,
authentication results), :mod:`._email_event` (sender, recipients, thread, timestamp) and
:mod:`._email_mime` (bodies, attachments, defects); ``docs/formats/email_message.md`` states
them in prose.

Sniffing: the file starts with a header line (``Name: value``; a UTF-8 byte-order mark and blank
lines before it are skipped; a leading ``From `` envelope line only when the name ends ``.eml``/``.mht``, else it is an mbox),
and the header block (up to the first blank line, within the first 64 KiB) holds at least two
different headers from: From, To, Subject, Date, Message-ID, Received, Return-Path,
MIME-Version, Content-Type, Delivered-To, Sender, Reply-To, X-Mailer, In-Reply-To, References.
A file named ``.eml``/``.mht``/``.mhtml`` whose head is an RFC 5322 header block needs only one
header line (of any name); when it has fewer than two of those headers a ``few_headers`` warning
says so (it is read as a message because its name says it is one). A head that, after blank lines,
starts with a ``From `` envelope line is an mbox unless the name says message.

Events: one ``kind="email"`` event at locator ``message[0]``; its attachments are stored as
``message[0]/attachment[i]/<name>``. Warnings carry the same locator and name the header or the
MIME part (``part[k]``, numbered in :meth:`email.message.Message.walk` order).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._email_mime import parse_message
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength

PLATFORM: Final = "email"
MAX_MESSAGE_BYTES: Final = 512 * 1024 * 1024
MESSAGE_SUFFIXES: Final = (".eml", ".mht", ".mhtml", ".msg.txt")

_HEADER_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_KNOWN = frozenset(
    b"from to subject date message-id received return-path mime-version content-type delivered-to sender "
    b"reply-to x-mailer in-reply-to references".split()
)


def header_names(head: bytes) -> list[bytes] | None:
    """Lower-cased header names of the header block at the top of ``head``; None when it is not one."""
    lines = head.lstrip(b"\xef\xbb\xbf").splitlines()
    while lines and not lines[0].strip() and len(lines) > 1:  # some exports start with a blank line
        lines.pop(0)
    if lines and lines[0].startswith(b"From "):  # an mbox-style envelope line before the headers
        lines.pop(0)
    names: list[bytes] = []
    for i, line in enumerate(lines):
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            if i == 0:
                return None
            continue
        m = _HEADER_LINE.match(line)
        if m is None:
            return None if i == 0 else names
        names.append(m.group(1).lower())
    return names


def looks_like_message(head: bytes, name: str = "") -> bool:
    """Header block test; a leading ``From `` envelope line is accepted only for a ``.eml``/``.mht`` name
    (the one tie the file name breaks: otherwise it is a one-message mbox)."""
    named = name.lower().endswith(MESSAGE_SUFFIXES)
    if not head or (head.lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n\t ").startswith(b"From ") and not named):
        return False
    names = header_names(head[:65536]) or []
    return bool(names) and (named or len(known_headers(names)) >= 2)


def known_headers(names: list[bytes]) -> set[bytes]:
    """The distinct sniffing headers among ``names``."""
    return {n for n in names if n in _KNOWN}


def sniff(source: SourceFile, head: bytes) -> bool | Strength:
    """An RFC 5322 head (``SHARED_SHAPE``); a head with fewer than two usual headers only under an
    ``.eml``/``.mht`` name, which is then all that says so (``NAME_HINT``: any content signature wins)."""
    try:
        if not looks_like_message(head, source.name):
            return False
        return True if len(known_headers(header_names(head[:65536]) or [])) >= 2 else Strength.NAME_HINT
    except Exception:
        return False


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    if source.size > MAX_MESSAGE_BYTES:
        yield ParseWarning(
            "message_too_large",
            f"{source.size} bytes is larger than one message can be here; not read",
            locator="message[0]",
            file=source.name,
        )
        return
    data = source.path.read_bytes()
    names = header_names(data[:65536]) or []
    if len(known_headers(names)) < 2:
        yield ParseWarning(
            "few_headers",
            f"the header block has {len(names)} header line(s) ({', '.join(n.decode('ascii', 'replace') for n in names[:10])}) "
            "and fewer than two of the usual e-mail headers; read as a message because the file name says it is one",
            locator="message[0]",
            file=source.name,
        )
    yield from parse_message(data, source=source, ctx=ctx, locator="message[0]", member_prefix="message[0]")


PARSER = ParserInfo(
    name="email_message",
    platform=PLATFORM,
    description="A single e-mail message (.eml) or saved MIME web page (.mht): headers, Received chain, "
    "authentication results, bodies and attachments",
    formats=(".eml", ".mht", ".mhtml"),
    sniff=sniff,
    parse=parse,
    media_types=("message/rfc822", "multipart/related"),
    limits="One message per file. TNEF winmail.dat is kept as an attachment, not expanded. "
    "Attached messages are stored re-serialised, not byte-for-byte.",
    strength=Strength.SHARED_SHAPE,
    references=("RFC 5322", "RFC 2045-2049", "RFC 2047", "RFC 2231", "RFC 8601"),
    fixtures=("email/*.eml",),
    corpus_seeds=("email/eml/flanker_*.eml", "email/eml/hunnysoft_*.eml", "email/eml/*.mht"),
)
