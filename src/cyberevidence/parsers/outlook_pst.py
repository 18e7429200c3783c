"""Outlook data files (``.pst``/``.ost``), through the optional ``libpff-python`` (LGPL-3.0).

``pip install cyberevidence[pst]`` installs it; it is imported only when such a file is parsed.
Without it, parsing raises :class:`ParseError` with that instruction (sniffing still works: it
reads the ``!BDN`` magic itself).

Every folder is walked depth-first in stored order; every item in it becomes one event by the
MAPI rules of :mod:`._email_mapi` (the same as ``.msg``): its properties are read from libpff's
record sets, recipients from the recipients table, attachments with ``read_buffer``. Items
that are not e-mail (appointments, contacts, distribution lists ...) become ``system`` events
with ``extra["message_class"]``. ``extra["folder"]`` is the folder path.

An attachment that is an embedded message (attach method 5) cannot be read as a message
through libpff-python's bindings: its bytes as libpff returns them are stored, and an
``pst_embedded_not_expanded`` warning says so.

Locators: ``<folder path>/message[i]`` (i counts items within that folder from 0); attachments
are stored as ``message[N]/attachment[i]/<name>`` with N counting items over the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._email_mapi import MapiAttachment, MapiItem, Props, int32, item_event
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile

PST_MAGIC: Final = b"!BDN"
INSTALL_HINT: Final = "Install the optional PST support: pip install 'cyberevidence[pst]' (libpff-python, LGPL-3.0)."


def sniff(source: SourceFile, head: bytes) -> bool:
    """``!BDN`` then the ``SM`` (PST) or ``SO`` (OST) client magic."""
    try:
        return len(head) >= 10 and head[:4] == PST_MAGIC and head[8:10] in (b"SM", b"SO")
    except Exception:
        return False


def load_pypff() -> Any:
    try:
        import pypff
    except ImportError:
        return None
    return pypff


def _props(record_sets: Any) -> Props:
    props: Props = {}
    for rs in record_sets:
        for entry in rs.entries:
            try:
                data = entry.data
            except Exception:
                data = None
            if data is None:
                continue
            pid = int(entry.entry_type)
            if pid not in props:
                props[pid] = (int(entry.value_type), bytes(data))
    return props


def _record_sets(obj: Any) -> list[Any]:
    try:
        return list(obj.record_sets)
    except Exception:
        return []


def _item(message: Any, warn: Any, where: str) -> MapiItem:
    item = MapiItem(_props(_record_sets(message)))
    try:
        recips = message.recipients
    except Exception:
        recips = None
    if recips is not None:
        item.recipients = [_props([rs]) for rs in _record_sets(recips)]
    try:
        count = message.number_of_attachments
    except Exception:
        count = 0
    for i in range(count):
        try:
            att = message.get_attachment(i)
        except Exception as exc:
            warn("pst_unreadable_attachment", f"{where} attachment[{i}]: {exc}")
            continue
        a = MapiAttachment(_props(_record_sets(att)))
        try:
            size = att.size or 0
            a.data = att.read_buffer(size) if size else b""
        except Exception as exc:
            warn("pst_unreadable_attachment", f"{where} attachment[{i}]: data could not be read ({exc})")
            a.data = b""
        if int32(a.props, 0x3705) == 5:
            warn(
                "pst_embedded_not_expanded",
                f"{where} attachment[{i}]: an embedded message; its bytes are stored as libpff returns them, "
                "not read as a message",
            )
        item.attachments.append(a)
    return item


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    pypff = load_pypff()
    if pypff is None:
        raise ParseError(
            "this is an Outlook data file (.pst/.ost) and PST support is not installed", file=source.name, hint=INSTALL_HINT
        )
    pst = pypff.file()
    try:
        pst.open(str(source.path))
    except Exception as exc:
        raise ParseError(
            f"libpff could not open the file: {exc}",
            file=source.name,
            hint="Check that the file is a complete .pst/.ost; a damaged file may need scanpst first (on a copy).",
        ) from None
    counter = [0]
    try:
        try:
            root = pst.root_folder
        except (MemoryError, OSError) as exc:  # pypff reports a damaged folder tree as MemoryError or IOError
            raise ParseError(f"libpff could not read the folder tree: {exc}", file=source.name, locator="/") from None
        yield from _walk(root, "", source, ctx, counter)
    finally:
        pst.close()
    if counter[0] == 0:
        yield ParseWarning("no_messages", "the Outlook data file holds no items", file=source.name)


def _walk(folder: Any, path: str, source: SourceFile, ctx: ParseContext, counter: list[int]) -> Iterator[Event | ParseWarning]:
    try:
        n_items = folder.number_of_sub_messages
    except Exception:
        n_items = 0
    for i in range(n_items):
        where = f"{path or '/'}/message[{i}]".replace("//", "/")
        warnings: list[ParseWarning] = []

        def warn(code: str, message: str, where: str = where, sink: list[ParseWarning] = warnings) -> None:
            sink.append(ParseWarning(code, message, locator=where, file=source.name))

        try:
            message = folder.get_sub_message(i)
            item = _item(message, warn, where)
            n = counter[0]
            counter[0] += 1
            event = item_event(
                item,
                source=source,
                ctx=ctx,
                locator=where,
                member_prefix=f"message[{n}]",
                warn=warn,
                extra={"folder": path or "/"},
            )
        except Exception as exc:
            warn("pst_unreadable_item", f"item could not be read: {type(exc).__name__}: {exc}")
            yield from warnings
            continue
        yield from warnings
        yield event
    try:
        n_folders = folder.number_of_sub_folders
    except Exception:
        n_folders = 0
    for j in range(n_folders):
        try:
            sub = folder.get_sub_folder(j)
            name = sub.name or f"folder[{j}]"
        except Exception as exc:
            yield ParseWarning(
                "pst_unreadable_folder", f"folder could not be read: {exc}", locator=f"{path}/folder[{j}]", file=source.name
            )
            continue
        yield from _walk(sub, f"{path}/{name}", source, ctx, counter)


PARSER = ParserInfo(
    name="outlook_pst",
    platform="email",
    description="Outlook data file (.pst/.ost) via the optional libpff-python: every item in every folder",
    formats=(".pst", ".ost"),
    sniff=sniff,
    parse=parse,
    media_types=("application/vnd.ms-outlook-pst",),
    limits="Needs the optional extra: pip install 'cyberevidence[pst]'. Embedded messages in attachments are stored, "
    "not expanded. Deleted/orphan items are not recovered.",
    references=("[MS-PST]", "https://github.com/libyal/libpff"),
    corpus_seeds=("email/pst/*.pst",),
)
