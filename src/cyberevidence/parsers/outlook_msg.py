"""Outlook ``.msg`` files (OLE compound files, [MS-OXMSG]), read with ``olefile`` (BSD).

extract-msg is GPL-3.0, so the OLE streams are read here directly:

* ``__properties_version1.0`` holds fixed-size properties (16-byte entries after a header of
  32 bytes for the message, 24 for an embedded message, 8 for a recipient or attachment);
* ``__substg1.0_IIIITTTT`` streams hold variable-size ones (``II..`` the property id, ``TT..``
  the type: ``001F`` UTF-16LE, ``001E`` 8-bit, ``0102`` binary, ``000D`` an embedded object);
* ``__recip_version1.0_#XXXXXXXX`` and ``__attach_version1.0_#XXXXXXXX`` storages are recipients
  and attachments; an attachment with a ``__substg1.0_3701000D`` storage is an embedded message,
  read recursively.

The property rules (code page, sender, recipients, time, bodies, kind) are those of
:mod:`._email_mapi`. An attachment's data (``0x3701``) is stored as
``message[0]/attachment[i]/<long file name>``. An embedded message cannot be cut out as a
``.msg`` file of its own without rewriting the OLE container, so it is stored as
``<name>.streams.json``: every stream of its storage, by relative path, base64-encoded (no byte
lost; its own attachments are inside). Its subject, sender and attachment names are summarised in
``extra["attached_messages"]``; it does not become an event of its own (it was not sent
separately).

Locators are ``$`` (the root storage) and ``$/<storage>/...`` for warnings about one storage.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from typing import Any, Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._email_mapi import PT_OBJECT, MapiAttachment, MapiItem, Props, item_event
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PROPS: Final = "__properties_version1.0"
MAX_DEPTH: Final = 16
_FIXED_TYPES: Final = frozenset({0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x000A, 0x000B, 0x0014, 0x0040, 0x0048})


def sniff(source: SourceFile, head: bytes) -> bool:
    """An OLE compound file whose root holds the ``__properties_version1.0`` stream of a message."""
    try:
        if not head.startswith(OLE_MAGIC):
            return False
        import olefile

        with olefile.OleFileIO(str(source.path)) as ole:
            return bool(ole.exists(PROPS)) and any(e[0].startswith("__substg1.0_") for e in ole.listdir())
    except Exception:
        return False


class _Reader:
    def __init__(self, ole: Any, warn: Any) -> None:
        self.ole = ole
        self.paths: list[list[str]] = ole.listdir(streams=True, storages=True)
        self.warn = warn

    def children(self, prefix: list[str]) -> list[list[str]]:
        n = len(prefix)
        return [p for p in self.paths if len(p) == n + 1 and p[:n] == prefix]

    def read(self, path: list[str]) -> bytes:
        try:
            data: bytes = self.ole.openstream(path).read()
        except OSError:
            raise
        except (ValueError, IndexError, OverflowError, struct.error, EOFError) as exc:
            # olefile reports damaged sector chains and FAT/MiniFAT tables with these
            raise OSError(f"damaged OLE stream: {exc}") from None
        return data

    def props(self, prefix: list[str], header: int) -> Props:
        props: Props = {}
        where = "$/" + "/".join(prefix) if prefix else "$"
        path = [*prefix, PROPS]
        if path in self.paths:
            raw = self.read(path)
            for off in range(header, len(raw) - 15, 16):
                tag, _flags = struct.unpack_from("<II", raw, off)
                ptype, pid = tag & 0xFFFF, tag >> 16
                if ptype in _FIXED_TYPES:
                    props[pid] = (ptype, raw[off + 8 : off + 16])
        else:
            self.warn("msg_missing_properties", f"{where}: no {PROPS} stream; times and code page unknown", where)
        for child in self.children(prefix):
            name = child[-1]
            if not name.startswith("__substg1.0_") or len(name) < 20:
                continue
            try:
                pid, ptype = int(name[12:16], 16), int(name[16:20], 16)
            except ValueError:
                continue
            if ptype & 0x1000 or ptype == PT_OBJECT:  # multi-valued; embedded objects are read as items
                continue
            try:
                props[pid] = (ptype, self.read(child))
            except OSError as exc:
                self.warn("msg_unreadable_stream", f"$/{'/'.join(child)}: {exc}", where)
        return props

    def item(self, prefix: list[str], header: int, depth: int = 0) -> MapiItem:
        item = MapiItem(self.props(prefix, header))
        kids = sorted(self.children(prefix))
        for child in kids:
            name = child[-1]
            if name.startswith("__recip_version1.0_"):
                item.recipients.append(self.props(child, 8))
            elif name.startswith("__attach_version1.0_"):
                att = MapiAttachment(self.props(child, 8))
                data = att.props.get(0x3701)
                if data is not None:
                    att.data = data[1]
                sub = [*child, "__substg1.0_3701000D"]
                if sub in self.paths:
                    if depth >= MAX_DEPTH:
                        self.warn("msg_too_deep", f"$/{'/'.join(sub)}: embedded messages nested too deep; not read", "$")
                    else:
                        att.embedded = self.item(sub, 24, depth + 1)
                        att.stored = self.dump(sub)
                        att.stored_suffix = ".streams.json"
                item.attachments.append(att)
        return item

    def dump(self, prefix: list[str]) -> bytes:
        n = len(prefix)
        streams = {
            "/".join(p[n:]): base64.b64encode(self.read(p)).decode("ascii")
            for p in sorted(self.paths)
            if len(p) > n and p[:n] == prefix and self.ole.get_type(p) == 2  # STGTY_STREAM
        }
        doc = {
            "format": "cyberevidence embedded Outlook message: OLE streams, base64",
            "storage": "/".join(prefix),
            "streams": streams,
        }
        return json.dumps(doc, sort_keys=True, indent=1).encode("utf-8")


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        raise ParseError("olefile is not installed", file=source.name, hint="pip install olefile") from None
    warnings: list[ParseWarning] = []

    def warn(code: str, message: str, locator: str = "$") -> None:
        warnings.append(ParseWarning(code, message, locator=locator, file=source.name))

    try:
        ole = olefile.OleFileIO(str(source.path))
    except Exception as exc:
        raise ParseError(
            f"not a readable Outlook .msg (OLE) file: {exc}",
            file=source.name,
            hint="Check that the file is a complete .msg saved from Outlook.",
        ) from None
    with ole:
        reader = _Reader(ole, warn)
        try:
            item = reader.item([], 32)
        except OSError as exc:
            raise ParseError(f"the .msg file is damaged: {exc}", file=source.name, locator="$") from None
        event = item_event(
            item,
            source=source,
            ctx=ctx,
            locator="$",
            member_prefix="message[0]",
            warn=lambda code, message: warn(code, message, "$"),
        )
    yield from warnings
    yield event


PARSER = ParserInfo(
    name="outlook_msg",
    platform="email",
    description="Outlook .msg message (OLE): properties, transport headers, recipients, attachments, embedded messages",
    formats=(".msg",),
    sniff=sniff,
    parse=parse,
    media_types=("application/vnd.ms-outlook", "application/x-ole-storage", "application/CDFV2"),
    limits="Compressed RTF bodies are not decoded (plain text or HTML is used). Embedded messages are stored as a JSON "
    "rendering of their OLE streams.",
    references=("[MS-OXMSG]", "[MS-OXPROPS]", "[MS-OXCMAIL]"),
    corpus_seeds=("email/msg/msgreader_s*.msg", "email/msg/msgreader_attach_and_inline.msg", "email/msg/rubymsg_*.msg"),
)
