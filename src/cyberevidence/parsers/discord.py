"""Discord's official data package ("Request all of my data"): the ``.zip``, or one channel file.

``docs/formats/discord.md`` says the same for readers who do not read code.

**The package holds only the requester's own messages.** What other people wrote to them is not
in it (use DiscordChatExporter, the ``discord_chat_exporter`` parser, for both sides). So every
event is ``direction="outgoing"``: the file itself says who wrote it, whatever the people file says.

Inputs
------
* The zip as downloaded. Members matched case-insensitively wherever the layout puts them:
  ``**/messages/index.json`` (channel id → name), ``**/messages/c<id>/channel.json`` (id, type,
  ``recipients`` for DMs, ``name`` and ``guild`` for server channels),
  ``**/messages/c<id>/messages.csv`` (old packages: ``ID,Timestamp,Contents,Attachments``) or
  ``**/messages/c<id>/messages.json`` (new packages: a list of ``{ID, Timestamp, Contents,
  Attachments}``), and ``**/account/user.json`` (the requester: ``id``, ``username``,
  ``global_name``). Every one of them is derived (hashed and kept with the zip) before it is read.
* One ``messages.csv`` / ``messages.json`` of an unpacked package: the ``channel.json`` acquired
  beside it (same folder, ``source.siblings``) supplies the channel; the package's
  ``messages/index.json`` and ``account/user.json`` acquired in the same ``add`` (looked up by
  their place in the layout relative to this file, :func:`_package_files`) supply the channel
  name and the owner, so an unpacked package gives the zip's events and ids. Without them the
  channel name is missing and ``sender`` is empty (``extra["sender_note"]`` says the author is
  the package's owner).

Events
------
``platform="discord"``, ``kind="message"``, ``direction="outgoing"``; ``sender`` = the owner's
``username`` (``user.json``), ``extra["sender_id"]`` their id; ``recipients`` = the DM's
``recipients`` ids other than the owner (server channels: none); ``thread`` = the channel id
(stable, so the same channel read from the zip or from a folder dedupes), its name in
``extra["channel_name"]`` (``index.json``, else ``channel.json`` name/guild).
``Attachments`` is a space-separated list of URLs: each becomes an attachment named after the
file (``sha256`` empty: the package has links, not files; nothing is downloaded) and the URLs are in
``extra["attachment_urls"]``; one ``missing_attachment`` warning per file counts them.

Ids and times
-------------
* ``ID``: a decimal id is kept in ``extra["message_id"]``. An id that a spreadsheet turned into
  ``7.73264E+18`` has lost its digits: it is **not trusted** – kept as written in
  ``extra["message_id_as_written"]`` with a ``mangled_id`` warning per row, plus one
  ``spreadsheet_edited`` warning for the file (other values may have been changed too).
* A valid id encodes its creation instant; if that differs from ``Timestamp`` by more than two
  seconds a ``timestamp_mismatch`` warning names both (the file may have been edited).
* ``Timestamp`` with an offset (``2020-05-21 22:31:32.584000+00:00``) is converted to UTC. A time
  without one (``2023-05-01 12:34:56``) is read in ``ctx.options.timezone`` – one
  ``assumed_timezone`` warning when that is the case default, so if the package is known to be
  UTC parse with ``--timezone UTC``. DST folds/gaps are flagged ``time_ambiguous``.
* An unreadable time or a row of the wrong shape is skipped with a located warning.

Locators: ``messages/c123/messages.csv:line 7`` (the row's first line; quoted contents may span
lines) and ``messages/c123/messages.json:$[6]``; without the zip, just ``line 7`` / ``$[6]``.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from cyberevidence.archive import SafeZip, is_zip
from cyberevidence.errors import ParseError, UnsafeArchiveError
from cyberevidence.events import Attachment, Event, ParseWarning, SourceRef
from cyberevidence.parsers._discord_common import (
    MANGLED,
    PLATFORM,
    SNOWFLAKE,
    id_text,
    parse_stamp,
    snowflake_time,
    url_name,
)
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.inputs import (
    Member,
    MemberPatterns,
    iter_zip_members,
    numeric_order,
    zip_has,
    zip_or_file,
)
from cyberevidence.parsers.kit.jsonread import load_json
from cyberevidence.parsers.kit.notes import assumed_timezone

SMALL_LIMIT: Final = 16 * 1024 * 1024
_LAYOUT: Final = re.compile(
    r"\A(?:.*/)?messages/(?:c\d+/(?:messages\.csv|messages\.json|channel\.json)|index\.json)\Z|\A(?:.*/)?account/user\.json\Z",
    re.IGNORECASE,
)
_MESSAGE_FILE: Final = re.compile(r"\A(?:.*/)?messages/c\d+/messages\.(?:csv|json)\Z", re.IGNORECASE)


class _Layout(MemberPatterns):
    """The package's members, with ``c<digits>`` exactly one folder deep (the shared glob's ``*`` crosses ``/``)."""

    def __init__(self, patterns: tuple[str, ...], rx: re.Pattern[str]) -> None:
        super().__init__(patterns)
        object.__setattr__(self, "_exact", rx)

    def matches(self, path: str) -> bool:
        exact: re.Pattern[str] = object.__getattribute__(self, "_exact")
        return super().matches(path) and exact.match(path.replace("\\", "/")) is not None


MESSAGES = _Layout(("**/messages/c*/messages.csv", "**/messages/c*/messages.json"), _MESSAGE_FILE)
WANTED = _Layout(
    (
        "**/messages/c*/messages.csv",
        "**/messages/c*/messages.json",
        "**/messages/c*/channel.json",
        "**/messages/index.json",
        "**/account/user.json",
    ),
    _LAYOUT,
)
CSV_HEADER: Final = ("id", "timestamp", "contents", "attachments")
_JSON_HEAD: Final = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\[\s*\{\s*"ID"\s*:', re.IGNORECASE)


# -- sniffing -------------------------------------------------------------------------------


def _csv_head(head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().lower()
    return tuple(c.strip().strip('"') for c in first.decode("utf-8", "replace").split(",")) == CSV_HEADER


def _json_head(head: bytes) -> bool:
    return _JSON_HEAD.match(head) is not None and b'"Timestamp"' in head[:4096] and b'"Contents"' in head[:4096]


def sniff(source: SourceFile, head: bytes) -> bool:
    """The package's messages.csv header, a messages.json list, or a zip holding them. Never raises."""
    try:
        if is_zip(head):
            return zip_has(source, head, MESSAGES)
        return bool(head) and (_csv_head(head) or _json_head(head))
    except Exception:
        return False


# -- the package's context ------------------------------------------------------------------


@dataclass
class _Owner:
    ident: str = ""
    username: str = ""
    display: str = ""


@dataclass
class _Channel:
    ident: str = ""
    name: str = ""
    kind: str = ""
    guild: str = ""
    recipients: list[str] = field(default_factory=list)


def _channel_from(data: Any, names: Mapping[str, str]) -> _Channel:
    ch = _Channel()
    if not isinstance(data, dict):
        return ch
    ch.ident = id_text(data.get("id"))
    ch.kind = id_text(data.get("type"))
    guild = data.get("guild")
    if isinstance(guild, dict):
        ch.guild = id_text(guild.get("name"))
    rec = data.get("recipients")
    if isinstance(rec, list):
        ch.recipients = [id_text(r) for r in rec if id_text(r)]
    own = id_text(data.get("name"))
    ch.name = names.get(ch.ident) or (f"{own} in {ch.guild}" if own and ch.guild else own)
    return ch


def _small_json(raw: bytes, file: str, path: str) -> tuple[Any, list[ParseWarning]]:
    """A package file read whole (``user.json``, ``index.json``, ``channel.json``): kit's ``load_json``."""
    if len(raw) > SMALL_LIMIT:
        return None, [ParseWarning("damaged_json", f"{path} is larger than {SMALL_LIMIT} bytes; not read", path, file)]
    return load_json(raw, file=file, path=path, prefix=f"{path}:", code="damaged_json", strict_utf8=True)


@dataclass
class _Reader:
    event_sha: str
    file: str
    ctx: ParseContext
    owner: _Owner = field(default_factory=_Owner)
    naive_seen: bool = False

    def warn(self, code: str, message: str, locator: str) -> Iterator[ParseWarning]:
        # Every warning is yielded; the host caps them (kit/warncap.py).
        yield ParseWarning(code, message, locator=locator, file=self.file)

    def summaries(self) -> Iterator[ParseWarning]:
        if self.naive_seen and self.ctx.options.timezone_assumed:
            yield assumed_timezone(self.ctx.options.timezone, file=self.file, what="times without an offset", whose="the package")

    def read(self, raw: bytes, is_csv: bool, prefix: str, channel: _Channel) -> Iterator[Event | ParseWarning]:
        rows = self._csv_rows(raw, prefix) if is_csv else self._json_rows(raw, prefix)
        mangled = 0
        links = 0
        for row in rows:
            if isinstance(row, ParseWarning):
                yield row
                continue
            loc, values = row
            for item in self._event(values, f"{prefix}{loc}", channel):
                if isinstance(item, Event):
                    mangled += "message_id_as_written" in item.extra
                    links += len(item.attachments)
                yield item
        label = prefix.rstrip(":") or self.file
        if mangled:
            yield ParseWarning(
                "spreadsheet_edited",
                f"{label}: {mangled} message id(s) are written like 7.73264E+18, which a spreadsheet program does when it "
                "opens and saves the file; the file is not as Discord made it, ids are not exact and other values may "
                "have been changed too. Ask for the original package",
                locator=prefix.rstrip(":"),
                file=self.file,
            )
        if links:
            yield ParseWarning(
                "missing_attachment",
                f"{label}: {links} attachment(s) are links only (the package does not contain the files); the URLs are "
                "kept in extra['attachment_urls'] and nothing was downloaded",
                locator=prefix.rstrip(":"),
                file=self.file,
            )

    def _csv_rows(self, raw: bytes, prefix: str) -> Iterator[tuple[str, dict[str, Any]] | ParseWarning]:
        text = raw.decode("utf-8-sig", errors="replace")
        if "\ufffd" in text and "\ufffd" not in raw.decode("utf-8-sig", errors="ignore"):
            yield ParseWarning(
                "invalid_utf8",
                "the file is not valid UTF-8; undecodable bytes were replaced by U+FFFD",
                prefix.rstrip(":"),
                self.file,
            )
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            return
        cols = [h.strip().lower() for h in header]
        if not {"id", "timestamp", "contents"} <= set(cols):
            yield ParseWarning(
                "unreadable_header",
                f"expected the columns ID,Timestamp,Contents,Attachments, found {header!r}",
                f"{prefix}line 1",
                self.file,
            )
            return
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield from self.warn(
                    "unparsed_line", f"this row could not be read as CSV ({exc}); skipped", f"{prefix}line {start}"
                )
                start = reader.line_num + 1
                continue
            line = start
            start = reader.line_num + 1
            if not row:
                continue
            if len(row) != len(cols):
                yield from self.warn(
                    "unparsed_line",
                    f"this row has {len(row)} fields, the header {len(cols)}; read by position",
                    f"{prefix}line {line}",
                )
            yield f"line {line}", {cols[i]: row[i] for i in range(min(len(row), len(cols)))}

    def _json_rows(self, raw: bytes, prefix: str) -> Iterator[tuple[str, dict[str, Any]] | ParseWarning]:
        where = {"file": self.file, "path": prefix.rstrip(":"), "prefix": prefix}
        data, notes = load_json(raw, **where, code="damaged_json", strict_utf8=True)
        yield from notes
        if data is None and any(w.code == "damaged_json" for w in notes):
            return
        if not isinstance(data, list):
            yield ParseWarning("unreadable_entry", "expected a list of messages", f"{prefix}$", self.file)
            return
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                yield from self.warn("unreadable_entry", "expected a message object", f"{prefix}$[{i}]")
                continue
            yield f"$[{i}]", {str(k).lower(): v for k, v in item.items()}

    def _event(self, values: dict[str, Any], loc: str, channel: _Channel) -> Iterator[Event | ParseWarning]:
        stamp = parse_stamp(values.get("timestamp"), self.ctx.options.timezone)
        if stamp is None:
            yield from self.warn(
                "unreadable_time", f"the Timestamp {values.get('timestamp')!r} could not be read; row skipped", loc
            )
            return
        contents = values.get("contents")
        ev = Event(
            timestamp=stamp.utc,
            platform=PLATFORM,
            kind="message",
            source=SourceRef(self.event_sha, loc),
            sender=self.owner.username,
            recipients=[r for r in channel.recipients if r != self.owner.ident],
            text=contents if isinstance(contents, str) else "" if contents is None else str(contents),
            thread=channel.ident,
            direction="outgoing",
        )
        if stamp.local:
            self.naive_seen = True
            ev.extra["shown_time"] = str(values.get("timestamp"))
        if stamp.ambiguous:
            ev.time_ambiguous, ev.time_note = True, stamp.note
        extra = ev.extra
        if self.owner.ident:
            extra["sender_id"] = self.owner.ident
        else:
            extra["sender_note"] = "the package's owner (account/user.json was not read with this file)"
        if channel.name:
            extra["channel_name"] = channel.name
        if channel.kind:
            extra["channel_type"] = channel.kind
        ident = id_text(values.get("id"))
        if SNOWFLAKE.match(ident):
            extra["message_id"] = ident
            made = snowflake_time(ident)
            if made is not None and abs(made - stamp.utc) > timedelta(seconds=2):
                yield from self.warn(
                    "timestamp_mismatch",
                    f"the message id {ident} was created at {made:%Y-%m-%dT%H:%M:%S}Z but the Timestamp says "
                    f"{ev.timestamp_utc}; the Timestamp is used. The file may have been edited",
                    loc,
                )
        elif MANGLED.match(ident):
            extra["message_id_as_written"] = ident
            yield from self.warn(
                "mangled_id",
                f"the message id is written {ident!r}: a spreadsheet has rounded it, so it does not identify the message; "
                "it is kept as written, not trusted",
                loc,
            )
        elif ident:
            extra["message_id_as_written"] = ident
            yield from self.warn("unreadable_id", f"the message id {ident!r} is not a Discord id; kept as written", loc)
        att = values.get("attachments")
        urls = [u for u in att.split() if u] if isinstance(att, str) else []
        if urls:
            ev.attachments = [Attachment(url_name(u)) for u in urls]
            extra["attachment_urls"] = urls
        yield ev


# -- the parser -----------------------------------------------------------------------------


def _order(path: str) -> tuple[object, ...]:
    base = posixpath.basename(path).lower()
    rank = {"user.json": 0, "index.json": 1, "channel.json": 2}.get(base, 3)
    return (rank, *numeric_order(path))


def _parse_zip(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    reader = _Reader(source.sha256, source.name, ctx)
    names: dict[str, str] = {}
    channels: dict[str, Any] = {}
    found = False
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        for item in iter_zip_members(zf, source, ctx, WANTED, order=_order):
            if isinstance(item, ParseWarning):
                yield item
                continue
            member: Member = item
            base = posixpath.basename(member.path).lower()
            folder = posixpath.dirname(member.path)
            try:
                raw = member.read_bytes()
            except UnsafeArchiveError as exc:
                yield ParseWarning(
                    "unreadable_member", f"zip member {member.path!r} could not be read safely: {exc}", member.path, source.name
                )
                continue
            if base in ("user.json", "index.json", "channel.json"):
                data, notes = _small_json(raw, source.name, member.path)
                yield from notes
                if data is None:
                    continue
                if base == "user.json" and isinstance(data, dict):
                    reader.owner = _Owner(
                        id_text(data.get("id")), id_text(data.get("username")), id_text(data.get("global_name"))
                    )
                    yield ParseWarning(
                        "archive_owner",
                        f"{member.path} names the package's owner: {reader.owner.username or '?'} "
                        f"(id {reader.owner.ident or '?'}); the package holds only their messages",
                        member.path,
                        source.name,
                    )
                elif base == "index.json" and isinstance(data, dict):
                    names = {str(k): id_text(v) for k, v in data.items() if v is not None}
                elif base == "channel.json":
                    channels[folder.lower()] = data
                continue
            found = True
            channel = _channel_from(channels.get(folder.lower()), names)
            if not channel.ident:
                channel.ident = _id_from_folder(folder)
                channel.name = channel.name or names.get(channel.ident, "")
                yield ParseWarning(
                    "no_channel_info",
                    f"{folder}/channel.json is missing or unreadable; the channel id is taken from the folder name",
                    member.path,
                    source.name,
                )
            yield from reader.read(raw, base.endswith(".csv"), f"{member.path}:", channel)
    if not found:
        raise ParseError(
            "this zip holds no Discord messages (messages/c<id>/messages.csv or messages.json)",
            file=source.name,
            hint="Check that this is the package from Discord's 'Request all of my data'.",
        )
    yield from reader.summaries()


def _id_from_folder(folder: str) -> str:
    base = posixpath.basename(folder)
    return base[1:] if base[:1].lower() == "c" and base[1:].isdigit() else ""


_OWN_MESSAGES: Final = re.compile(r"\A((?:.*/)?)(messages)/c\d+/messages\.(?:csv|json)\Z", re.IGNORECASE | re.DOTALL)
_USER_FILE: Final = re.compile(r"\A(?:.*/)?account/user\.json\Z", re.IGNORECASE | re.DOTALL)
_INDEX_FILE: Final = re.compile(r"\A(?:.*/)?messages/index\.json\Z", re.IGNORECASE | re.DOTALL)


def _package_files(siblings: Mapping[str, SourceFile]) -> dict[str, tuple[str, SourceFile]]:
    """``user.json`` and ``index.json`` of the unpacked package this messages file was acquired in.

    They are not beside the file (``account/user.json`` is two folders up), so they are looked up
    by their path relative to the folder that was added, built from this file's own path there
    (``<prefix>messages/c<id>/messages.json`` -> ``<prefix>account/user.json``); the ``account``
    folder is tried in the case style of ``messages`` first, then the others. On a rebuild the
    siblings are exactly the files used before, found by their layout. Only files acquired in the
    same ``add`` are ever offered (never a path outside it). Returns ``{"user.json"|"index.json":
    (key, file)}``.
    """
    found: dict[str, tuple[str, SourceFile]] = {}
    own = getattr(siblings, "own_path", None)
    m = _OWN_MESSAGES.match(own.replace("\\", "/")) if isinstance(own, str) else None
    if m is not None:
        prefix, messages = m.group(1), m.group(2)
        styles = ["Account" if messages.istitle() else "ACCOUNT" if messages.isupper() else "account"]
        styles += [a for a in ("account", "Account", "ACCOUNT") if a not in styles]
        for name, keys in (
            ("user.json", [f"{prefix}{a}/user.json" for a in styles]),
            ("index.json", [f"{prefix}{messages}/index.json"]),
        ):
            for key in keys:
                hit = siblings.get(key)
                if hit is not None:
                    found[name] = (key, hit)
                    break
    else:  # a plain mapping (a rebuild offers the files used before, by the keys used then)
        for key in list(siblings):
            for name, rx in (("user.json", _USER_FILE), ("index.json", _INDEX_FILE)):
                if name not in found and rx.match(key.replace("\\", "/")):
                    found[name] = (key, siblings[key])
    return found


def _parse_file(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    reader = _Reader(source.sha256, source.name, ctx)
    raw = source.path.read_bytes()
    names: dict[str, str] = {}
    for name, (key, file) in sorted(_package_files(source.siblings).items(), reverse=True):
        try:
            data, found = _small_json(file.path.read_bytes(), source.name, key)
        except OSError as exc:
            data, found = None, [ParseWarning("damaged_json", f"{key} could not be read ({exc})", key, source.name)]
        yield from found
        if data is None:
            continue
        if name == "user.json" and isinstance(data, dict):
            reader.owner = _Owner(id_text(data.get("id")), id_text(data.get("username")), id_text(data.get("global_name")))
            yield ParseWarning(
                "archive_owner",
                f"{key} (acquired with this file) names the package's owner: {reader.owner.username or '?'} "
                f"(id {reader.owner.ident or '?'}); the package holds only their messages",
                key,
                source.name,
            )
        elif name == "index.json" and isinstance(data, dict):
            names = {str(k): id_text(v) for k, v in data.items() if v is not None}
    sib = {n.lower(): s for n, s in source.siblings.items()}.get("channel.json")
    channel = _Channel()
    if sib is not None:
        try:
            data, notes = _small_json(sib.path.read_bytes(), sib.name, "channel.json")
        except OSError as exc:
            message = f"channel.json beside this file could not be read ({exc})"
            data, notes = None, [ParseWarning("damaged_json", message, "", source.name)]
        yield from notes
        if data is not None:
            channel = _channel_from(data, names)
    if not channel.ident:
        yield ParseWarning(
            "no_channel_info",
            "no channel.json was acquired beside this file, so the channel is not known (thread left empty); "
            "add the whole package zip or the channel's folder",
            "",
            source.name,
        )
    yield from reader.read(raw, _csv_head(raw[:4096]), "", channel)
    yield from reader.summaries()


#: Parse a Discord data package zip, or one ``messages.csv`` / ``messages.json`` from it.
parse = zip_or_file(_parse_zip, _parse_file)


PARSER = ParserInfo(
    name="discord",
    platform=PLATFORM,
    description="Discord's official data package (Request all of my data): the requester's own messages",
    formats=(
        "Discord data package .zip",
        "Discord data package messages/c<id>/messages.csv (older packages)",
        "Discord data package messages/c<id>/messages.json (newer packages)",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "text/csv", "text/plain", "application/json"),
    limits=(
        "The package holds ONLY the requester's own messages: nothing other people sent is in it, so every event is "
        "outgoing (use a DiscordChatExporter export for both sides). Attachments are links, not files. Ids rounded by a "
        "spreadsheet (7.73264E+18) are kept as written and not trusted. Times without an offset are read in the given "
        "or assumed zone. A messages file added without the rest of its unpacked package (account/user.json, "
        "messages/index.json) has no owner (empty sender) and no channel name."
    ),
    references=("https://support.discord.com/hc/en-us/articles/360004957991-Your-Discord-Data-Package",),
    one_sided=(
        "A Discord data package holds ONLY the messages the account holder sent. Nothing the other person wrote is "
        "in it: it cannot show what was said to the victim, only what she said."
    ),
    own_messages_only=True,
    identity_keys=("sender_id",),
    fixtures=("discord/*.zip", "discord/package-old/messages/*/messages.csv"),
    corpus_seeds=("discord/langchain_fake_discord_package/messages/*/*",),
)
