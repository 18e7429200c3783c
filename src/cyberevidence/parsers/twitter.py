"""X/Twitter "Download an archive of your data": the ``.zip`` as downloaded, or one ``data/*.js`` file.

``docs/formats/twitter.md`` says the same for readers who do not read code.

Inputs
------
* Every data file is ``window.YTD.<name>.partN = <JSON>``. The prefix is matched, never run; the
  JSON after it is streamed record by record. **The file kind comes from ``<name>`` in the
  prefix**, not from the file name, so a renamed file is still read correctly.
* A zip: members ``**/data/*.js`` and (2019 layout) ``*.js`` at the root, matched
  case-insensitively. Each one is derived (hashed and kept with the zip as parent) before it is
  read; members whose head is not a ``window.YTD`` prefix (the archive viewer's own scripts) are
  derived but not read. ``account.js`` and ``manifest.js`` are read first (they name the owner);
  the rest in path order with part numbers compared as numbers
  (``direct-messages-part2.js`` after ``-part1.js``), so multi-part files are all read.
* One data file of an unpacked archive: read on its own. The owner is taken from an
  ``account.js`` (else ``manifest.js``) acquired beside it (``source.siblings``).
* Media: a DM's ``mediaUrls`` and a tweet's ``entities.media``/``extended_entities.media`` are
  linked to the zip member ``**/data/*_media/<message or tweet id>-<last part of the URL>``
  (derived on first use). Unmatched media become attachments with an empty ``sha256``, counted
  in one ``missing_attachment`` warning. URLs are never fetched.

Whose archive, which way
------------------------
The owner is ``account.js`` (``accountId``, ``username``, ``accountDisplayName``), else
``manifest.js`` ``userInfo``; an ``archive_owner`` warning (informational) names them. With an
owner, a DM or reaction whose ``senderId`` is the owner's id is ``outgoing``, any other
``incoming``; tweets are ``outgoing`` (``tweets.js`` holds only the owner's tweets). Without one
(a lone ``direct-messages.js``), direction stays ``unknown`` and an ``owner_unknown`` warning says
so; the owner is never guessed from the messages.

Handles
-------
The DM files carry only numeric account ids, so ``sender`` and ``recipients`` are ids as written
(``"1234567"``). A people file links them with ``handles = ["twitter:1234567"]`` (add
``"twitter:screen_name"`` too for tweets that mention by name). The owner's user name is kept in
``extra["sender_username"]`` on their events.

What each record becomes
------------------------
* ``direct_messages`` / ``direct_messages_group`` (and the 2019 ``direct_message*`` names):
  ``dmConversation`` → ``thread`` = ``conversationId``; each entry of ``messages``:

  - ``messageCreate`` → ``kind="message"``: ``senderId``, ``recipientId`` (absent in groups),
    ``text`` as written (t.co links stay), ``createdAt``; ``urls`` → ``extra["urls"]`` (expanded),
    ``id`` → ``extra["message_id"]``, ``editHistory`` kept in ``extra``; each entry of its
    ``reactions`` → a ``kind="reaction"`` event of its own (sender, ``reactionKey`` as text, its
    own ``createdAt``, ``extra["reacted_to"]``).
  - ``reactionCreate`` (older archives) → ``kind="reaction"`` likewise.
  - ``joinConversation``, ``participantsJoin``, ``participantsLeave``, ``conversationNameUpdate``
    → ``kind="system"`` with a plain sentence; the ids are in ``extra``; ``sender`` is the
    initiating user where the record names one.
  - anything else → ``unreadable_entry`` warning (located); nothing is dropped silently.
* ``*_headers`` DM files repeat the DMs without text: not read (``not_read`` warning).
* ``tweets`` / ``tweet`` / ``deleted_tweets`` (entries with or without a ``tweet`` wrapper):
  ``kind="post"``, ``created_at`` (``Wed Oct 10 20:19:24 +0000 2018``) → UTC, ``full_text``
  (else ``text``); ``recipients`` = the replied-to user (id, else screen name) and each
  ``entities.user_mentions`` entry (id, else screen name); ``extra`` keeps ``tweet_id``,
  ``in_reply_to_status_id``, ``in_reply_to_screen_name``, ``mentions`` (screen names), ``urls``,
  ``retweet`` (text starts ``RT @``); deleted tweets get ``deleted=True`` and ``extra["deleted_at"]``.
* **Undated lists** – ``block``, ``mute``, ``follower``, ``following``, ``like``: the archive
  gives no date for these, so **no event is made** (a time would be invented). One
  ``undated_records`` warning per file states the fact and lists every id (blocked and muted
  accounts, followers, liked tweet ids), so it is in the record and in ``warnings``.
* ``account``/``manifest`` → ``archive_owner``; every other data file → one ``not_read`` warning
  with its record count.

Times and locators
------------------
``createdAt`` is ISO 8601 UTC (``Z``); a time without an offset is read as UTC (X writes archive
times in UTC) and flagged ``time_ambiguous`` with a note. An unreadable time skips that record
with an ``unreadable_time`` warning. Locators are JSON paths inside the member:
``data/direct-messages.js:$[3].dmConversation.messages[17]`` (zip) or
``$[3].dmConversation.messages[17]`` (single file). A damaged file yields every record before
the damage and one ``damaged_json`` warning naming the position.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Final
from urllib.parse import urlsplit

from cyberevidence.archive import CHUNK, SafeMember, SafeZip, is_zip
from cyberevidence.errors import ParseError, UnsafeArchiveError
from cyberevidence.events import Attachment, Direction, Event, ParseWarning, SourceRef
from cyberevidence.parsers._twitter_ytd import (
    Damaged,
    parse_iso_utc,
    parse_tweet_time,
    read_small,
    stream_records,
    ytd_name,
)
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.inputs import Member, MemberPatterns, iter_zip_members, zip_has, zip_or_file

PLATFORM: Final = "twitter"


class _DataFiles(MemberPatterns):
    """``**/data/*.js`` or ``*.js`` at the root, where ``*`` stays within one folder.

    (The shared glob's ``*`` also crosses ``/``, which would take ``assets/js/*.js`` too.)
    """

    def matches(self, path: str) -> bool:
        p = path.replace("\\", "/")
        folder = posixpath.dirname(p)
        return p.lower().endswith(".js") and (folder == "" or posixpath.basename(folder).lower() == "data")


DATA_FILES = _DataFiles(("**/*.js",))
SNIFF_ZIP = MemberPatterns(
    (
        "**/data/account.js",
        "**/data/manifest.js",
        "**/data/direct-message*.js",
        "**/data/tweet*.js",
        "account.js",
        "tweet.js",
        "direct-message*.js",
    )
)
MEDIA = MemberPatterns(("**/data/*_media/*",))

_UNDATED: Final = {
    "block": ("blocking", "accountId", "blocked account(s)"),
    "mute": ("muting", "accountId", "muted account(s)"),
    "follower": ("follower", "accountId", "follower(s)"),
    "following": ("following", "accountId", "followed account(s)"),
    "like": ("like", "tweetId", "liked tweet(s)"),
}
_TWEETS: Final = frozenset({"tweets", "tweet", "deleted_tweets", "deleted_tweet"})


def _is_dm(name: str) -> bool:
    return name.startswith("direct_message") and "header" not in name


# -- sniffing -------------------------------------------------------------------------------


def sniff(source: SourceFile, head: bytes) -> bool:
    """A ``window.YTD.<name>.partN =`` prefix, or a zip holding archive data files. Never raises."""
    try:
        if is_zip(head):
            return zip_has(source, head, SNIFF_ZIP)
        return ytd_name(head[:4096]) is not None
    except Exception:
        return False


# -- the owner ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owner:
    account_id: str
    username: str = ""
    display_name: str = ""
    found_in: str = ""

    def describe(self) -> str:
        name = f" (@{self.username}" + (f", {self.display_name})" if self.display_name else ")") if self.username else ""
        return f"account {self.account_id}{name}"


def _owner_from(name: str, value: Any, found_in: str) -> Owner | None:
    if name == "account" and isinstance(value, list):
        for item in value:
            acc = item.get("account") if isinstance(item, dict) else None
            if isinstance(acc, dict) and _s(acc.get("accountId")):
                return Owner(_s(acc["accountId"]), _s(acc.get("username")), _s(acc.get("accountDisplayName")), found_in)
    if name == "manifest" and isinstance(value, dict):
        info = value.get("userInfo")
        if isinstance(info, dict) and _s(info.get("accountId")):
            return Owner(_s(info["accountId"]), _s(info.get("userName")), _s(info.get("displayName")), found_in)
    return None


def _s(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


# -- reading one data file ------------------------------------------------------------------


Opener = Callable[[], BinaryIO]


@dataclass
class _Reader:
    """State shared by the data files of one archive (owner, media, what is missing)."""

    event_sha: str
    file: str
    ctx: ParseContext
    owner: Owner | None = None
    owner_kind: str = ""
    media: Callable[[str], Attachment | None] = lambda key: None
    media_missing: int = 0
    dm_files: int = 0

    def warn(self, code: str, message: str, locator: str = "") -> Iterator[ParseWarning]:
        # Every warning is yielded; the host caps them (kit/warncap.py).
        yield ParseWarning(code, message, locator=locator, file=self.file)

    def summaries(self) -> Iterator[ParseWarning]:
        if self.dm_files and self.owner is None:
            yield ParseWarning(
                "owner_unknown",
                "the archive's owner is not known (no account.js or manifest.js was read with these messages), so "
                "direction is left unknown; add the whole archive zip, or list the owner as the victim in the people file",
                file=self.file,
            )
        if self.media_missing:
            yield ParseWarning(
                "missing_attachment",
                f"{self.media_missing} media file(s) named by messages or tweets are not in what was read "
                "(their URLs are kept in the attachments; nothing was downloaded)",
                file=self.file,
            )

    # one file -----------------------------------------------------------------------------

    def read(self, opener: Opener, prefix: str) -> Iterator[Event | ParseWarning]:
        with opener() as fh:
            found = ytd_name(fh.read(4096))
        if found is None:
            return
        name = found[0].lower()
        label = prefix.rstrip(":") or self.file
        if name in ("account", "manifest"):
            yield from self._owner_file(opener, name, label, prefix)
            return
        if "header" in name:
            count = yield from self._count(opener, prefix)
            yield ParseWarning(
                "not_read",
                f"{label}: {count} record(s) of '{name}' (DM headers without text, repeating the direct-message "
                "files) kept as evidence but not read",
                locator=prefix.rstrip(":"),
                file=self.file,
            )
            return
        if name in _UNDATED:
            yield from self._undated(opener, name, label, prefix)
            return
        if _is_dm(name):
            self.dm_files += 1
            handler: Callable[[int, Any, str, str], Iterator[Event | ParseWarning]] = self._conversation
        elif name in _TWEETS:
            handler = self._tweet
        else:
            count = yield from self._count(opener, prefix)
            yield ParseWarning(
                "not_read",
                f"{label}: {count} record(s) of '{name}' kept as evidence but not read (no messages or dated events)",
                locator=prefix.rstrip(":"),
                file=self.file,
            )
            return
        notes: list[ParseWarning] = []
        with opener() as fh:
            for item in stream_records(fh, notes, self.file, prefix):
                if notes:
                    yield from notes
                    notes.clear()
                if isinstance(item, Damaged):
                    yield from self._damaged(item, prefix)
                    break
                i, record = item
                yield from handler(i, record, prefix, name)

    def _damaged(self, item: Damaged, prefix: str) -> Iterator[ParseWarning]:
        yield ParseWarning(
            "damaged_json",
            f"the data file is damaged after {item.index} complete record(s) ({item.reason}); the records before it were read",
            locator=f"{prefix}$[{item.index}]",
            file=self.file,
        )

    def _count(self, opener: Opener, prefix: str) -> Generator[ParseWarning, None, int]:
        n = 0
        with opener() as fh:
            for item in stream_records(fh):
                if isinstance(item, Damaged):
                    yield from self._damaged(item, prefix)
                    break
                n += 1
        return n

    def _owner_file(self, opener: Opener, name: str, label: str, prefix: str) -> Iterator[ParseWarning]:
        notes: list[ParseWarning] = []
        try:
            with opener() as fh:
                value = read_small(fh, notes)
            for note in notes:
                yield ParseWarning(note.code, note.message, f"{prefix}{note.locator}", self.file)
        except (ValueError, UnicodeDecodeError, UnsafeArchiveError) as exc:
            yield ParseWarning("damaged_json", f"{label} could not be read: {exc}", locator=prefix.rstrip(":"), file=self.file)
            return
        owner = _owner_from(name, value, label)
        if owner is None:
            yield ParseWarning(
                "not_read", f"{label}: no account id found in '{name}'", locator=prefix.rstrip(":"), file=self.file
            )
            return
        if self.owner is None or (name == "account" and self.owner_kind != "account"):
            self.owner, self.owner_kind = owner, name
        yield ParseWarning(
            "archive_owner",
            f"{label} names the archive's owner: {owner.describe()}; their messages are marked outgoing",
            locator=prefix.rstrip(":"),
            file=self.file,
        )

    def _undated(self, opener: Opener, name: str, label: str, prefix: str) -> Iterator[ParseWarning]:
        wrapper, key, what = _UNDATED[name]
        ids: list[str] = []
        notes: list[ParseWarning] = []
        with opener() as fh:
            for item in stream_records(fh, notes, self.file, prefix):
                if notes:
                    yield from notes
                    notes.clear()
                if isinstance(item, Damaged):
                    yield from self._damaged(item, prefix)
                    break
                i, record = item
                inner = record.get(wrapper) if isinstance(record, dict) else None
                value = _s(inner.get(key)) if isinstance(inner, dict) else ""
                if not value:
                    yield from self.warn("unreadable_entry", f"entry has no {wrapper}.{key}", f"{prefix}$[{i}]")
                    continue
                ids.append(value)
        listed = ", ".join(ids) if ids else "none"
        yield ParseWarning(
            "undated_records",
            f"{label}: {len(ids)} {what}: {listed}. The archive gives no date for these, so they are recorded here "
            "and not placed on the timeline",
            locator=prefix.rstrip(":"),
            file=self.file,
        )

    # DMs ----------------------------------------------------------------------------------

    def _direction(self, sender: str) -> Direction:
        if self.owner is None or not sender:
            return "unknown"
        return "outgoing" if sender == self.owner.account_id else "incoming"

    def _time(self, value: Any, locator: str) -> tuple[datetime, str] | None:
        got = parse_iso_utc(value)
        if got is None:
            return None
        moment, naive = got
        return moment, ("time written without an offset; read as UTC, as X writes archive times" if naive else "")

    def _event(self, moment: tuple[datetime, str], kind: str, locator: str, **kw: Any) -> Event:
        ev = Event(timestamp=moment[0], platform=PLATFORM, kind=kind, source=SourceRef(self.event_sha, locator), **kw)
        if moment[1]:
            ev.time_ambiguous, ev.time_note = True, moment[1]
        if ev.sender and self.owner is not None and ev.sender == self.owner.account_id and self.owner.username:
            ev.extra["sender_username"] = self.owner.username
        return ev

    def _conversation(self, i: int, record: Any, prefix: str, name: str) -> Iterator[Event | ParseWarning]:
        conv = record.get("dmConversation") if isinstance(record, dict) else None
        here = f"{prefix}$[{i}]"
        if not isinstance(conv, dict) or not isinstance(conv.get("messages"), list):
            yield from self.warn("unreadable_entry", "expected a dmConversation with a messages list", here)
            return
        cid = _s(conv.get("conversationId"))
        group = "group" in name
        for j, entry in enumerate(conv["messages"]):
            loc = f"{here}.dmConversation.messages[{j}]"
            if not isinstance(entry, dict) or len(entry) != 1:
                yield from self.warn("unreadable_entry", "expected one record (messageCreate, reactionCreate ...)", loc)
                continue
            ((etype, body),) = entry.items()
            if not isinstance(body, dict):
                yield from self.warn("unreadable_entry", f"{etype} is not an object", loc)
                continue
            moment = self._time(body.get("createdAt"), loc)
            if moment is None:
                yield from self.warn(
                    "unreadable_time", f"{etype} has no readable createdAt ({body.get('createdAt')!r}); skipped", loc
                )
                continue
            if etype == "messageCreate":
                yield from self._message(body, moment, loc, cid, group)
            elif etype == "reactionCreate":
                yield self._reaction(body, moment, loc, cid, group)
            elif etype in ("joinConversation", "participantsJoin", "participantsLeave", "conversationNameUpdate"):
                yield self._system(etype, body, moment, loc, cid, group)
            else:
                yield from self.warn("unreadable_entry", f"unknown DM record type {etype!r}; not read", loc)

    def _message(
        self, body: dict[str, Any], moment: tuple[datetime, str], loc: str, cid: str, group: bool
    ) -> Iterator[Event | ParseWarning]:
        sender = _s(body.get("senderId"))
        recipient = _s(body.get("recipientId"))
        text = body.get("text")
        ev = self._event(
            moment,
            "message",
            loc,
            sender=sender,
            recipients=[recipient] if recipient else [],
            text=text if isinstance(text, str) else "",
            thread=cid,
            direction=self._direction(sender),
        )
        mid = _s(body.get("id"))
        if mid:
            ev.extra["message_id"] = mid
        if group:
            ev.extra["group"] = True
        urls = [_s(u.get("expanded") or u.get("url")) for u in body.get("urls") or [] if isinstance(u, dict)]
        if any(urls):
            ev.extra["urls"] = [u for u in urls if u]
        if body.get("editHistory"):
            ev.extra["edit_history"] = body["editHistory"]
            ev.edited = True
        media = [u for u in body.get("mediaUrls") or [] if isinstance(u, str)]
        if media:
            ev.attachments = [self._attach(mid, u) for u in media]
            ev.extra["media_urls"] = media
        yield ev
        for k, reaction in enumerate(body.get("reactions") or []):
            rloc = f"{loc}.messageCreate.reactions[{k}]"
            if not isinstance(reaction, dict):
                yield from self.warn("unreadable_entry", "reaction is not an object", rloc)
                continue
            rmoment = self._time(reaction.get("createdAt"), rloc)
            if rmoment is None:
                yield from self.warn("unreadable_time", "reaction has no readable createdAt; skipped", rloc)
                continue
            yield self._reaction({**reaction, "messageId": mid}, rmoment, rloc, cid, group)

    def _reaction(self, body: dict[str, Any], moment: tuple[datetime, str], loc: str, cid: str, group: bool) -> Event:
        sender = _s(body.get("senderId"))
        ev = self._event(
            moment,
            "reaction",
            loc,
            sender=sender,
            text=_s(body.get("reactionKey") or body.get("emoji")),
            thread=cid,
            direction=self._direction(sender),
        )
        target = _s(body.get("messageId") or body.get("eventId"))
        if target:
            ev.extra["reacted_to"] = target
        if group:
            ev.extra["group"] = True
        return ev

    def _system(self, etype: str, body: dict[str, Any], moment: tuple[datetime, str], loc: str, cid: str, group: bool) -> Event:
        actor = _s(body.get("initiatingUserId"))
        users = [_s(u) for u in body.get("userIds") or body.get("participantsSnapshot") or [] if _s(u)]
        who = ", ".join(users) or "(not listed)"
        if etype == "joinConversation":
            text = f"the archive's owner joined the conversation (added by {actor or 'unknown'}); participants then: {who}"
        elif etype == "participantsJoin":
            text = f"{actor or 'someone'} added {who}"
        elif etype == "participantsLeave":
            text = f"{who} left the conversation"
        else:
            text = f"{actor or 'someone'} renamed the conversation to {_s(body.get('name'))!r}"
        ev = self._event(moment, "system", loc, sender=actor, text=text, thread=cid)
        ev.extra["entry_type"] = etype
        if users:
            ev.extra["user_ids"] = users
        if group:
            ev.extra["group"] = True
        return ev

    def _attach(self, item_id: str, url: str) -> Attachment:
        base = posixpath.basename(urlsplit(url).path)
        found = self.media(f"{item_id}-{base}".lower()) if item_id and base else None
        if found is not None:
            return found
        self.media_missing += 1
        return Attachment(base or url)

    # tweets -------------------------------------------------------------------------------

    def _tweet(self, i: int, record: Any, prefix: str, name: str) -> Iterator[Event | ParseWarning]:
        loc = f"{prefix}$[{i}]"
        tweet = record.get("tweet", record) if isinstance(record, dict) else None
        if isinstance(record, dict) and "tweet" in record:
            loc += ".tweet"
        if not isinstance(tweet, dict):
            yield from self.warn("unreadable_entry", "expected a tweet object", loc)
            return
        moment = parse_tweet_time(tweet.get("created_at"))
        if moment is None:
            yield from self.warn(
                "unreadable_time", f"tweet has no readable created_at ({tweet.get('created_at')!r}); skipped", loc
            )
            return
        text = tweet.get("full_text", tweet.get("text"))
        entities: dict[str, Any] = tweet["entities"] if isinstance(tweet.get("entities"), dict) else {}
        mentions = [m for m in entities.get("user_mentions") or [] if isinstance(m, dict)]
        recipients: list[str] = []
        reply_to = _s(tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_screen_name"))
        if reply_to:
            recipients.append(reply_to)
        for m in mentions:
            handle = _s(m.get("id_str") or m.get("screen_name"))
            if handle and handle not in recipients:
                recipients.append(handle)
        owner_id = self.owner.account_id if self.owner else ""
        ev = self._event(
            (moment, ""),
            "post",
            loc,
            sender=owner_id,
            recipients=recipients,
            text=text if isinstance(text, str) else "",
            direction="outgoing",
        )
        tid = _s(tweet.get("id_str") or tweet.get("id"))
        extra = ev.extra
        if tid:
            extra["tweet_id"] = tid
        for key, out in (
            ("in_reply_to_status_id_str", "in_reply_to_status_id"),
            ("in_reply_to_screen_name", "in_reply_to_screen_name"),
            ("in_reply_to_user_id_str", "in_reply_to_user_id"),
        ):
            if _s(tweet.get(key)):
                extra[out] = _s(tweet[key])
        if mentions:
            extra["mentions"] = [_s(m.get("screen_name")) for m in mentions]
        urls = [_s(u.get("expanded_url") or u.get("url")) for u in entities.get("urls") or [] if isinstance(u, dict)]
        if any(urls):
            extra["urls"] = [u for u in urls if u]
        if ev.text.startswith("RT @"):
            extra["retweet"] = True
        if not owner_id:
            extra["author"] = "the archive's owner"
        if name.startswith("deleted"):
            ev.deleted = True
            if tweet.get("deleted_at"):
                extra["deleted_at"] = _s(tweet["deleted_at"])
        ext = tweet.get("extended_entities") if isinstance(tweet.get("extended_entities"), dict) else entities
        media = [m for m in (ext or {}).get("media") or [] if isinstance(m, dict)]
        urls_m = [_s(m.get("media_url_https") or m.get("media_url")) for m in media]
        if any(urls_m):
            ev.attachments = [self._attach(tid, u) for u in urls_m if u]
            extra["media_urls"] = [u for u in urls_m if u]
        yield ev


# -- the parser -----------------------------------------------------------------------------


def _file_opener(path: Any) -> Opener:
    def open_it() -> BinaryIO:
        return open(path, "rb", buffering=CHUNK)

    return open_it


_PART = re.compile(r"\A(.*?)(?:-part(\d+))?\.js\Z", re.IGNORECASE)


def _member_order(path: str) -> tuple[object, ...]:
    """account.js, manifest.js, then by folder and data name, parts in number order (part0 has no suffix)."""
    folder, base = posixpath.split(path.lower())
    rank = 0 if base == "account.js" else 1 if base == "manifest.js" else 2
    m = _PART.match(base)
    stem, part = (m.group(1), int(m.group(2) or 0)) if m else (base, 0)
    return (rank, folder, stem, part)


def _parse_zip(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    with SafeZip(source.path, ctx.options.archive_limits) as zf:
        reader = _Reader(source.sha256, source.name, ctx)
        media_members: dict[str, SafeMember] = {}
        for m in zf.members:
            if MEDIA.matches(m.path):
                media_members.setdefault(posixpath.basename(m.path).lower(), m)
        linked: dict[str, Attachment] = {}
        pending: list[ParseWarning] = []

        def find_media(key: str) -> Attachment | None:
            if key in linked:
                return linked[key]
            member = media_members.get(key)
            if member is None:
                return None
            try:
                with io.BufferedReader(zf.open(member), CHUNK) as fh:
                    ref = ctx.derive(fh, parent=source, path_in_parent=member.path)
            except UnsafeArchiveError as exc:
                pending.append(
                    ParseWarning(
                        "unreadable_member",
                        f"zip member {member.path!r} could not be read safely: {exc}",
                        member.path,
                        source.name,
                    )
                )
                return None
            linked[key] = Attachment(posixpath.basename(member.path), ref.sha256, ref.media_type)
            return linked[key]

        reader.media = find_media
        read_any = False
        for item in iter_zip_members(zf, source, ctx, DATA_FILES, order=_member_order):
            if isinstance(item, ParseWarning):
                yield item
                continue
            member: Member = item
            read_any = True
            try:
                for out in reader.read(member.open, f"{member.path}:"):
                    yield out
                    yield from pending
                    pending.clear()
            except UnsafeArchiveError as exc:
                yield ParseWarning(
                    "unreadable_member", f"zip member {member.path!r} could not be read safely: {exc}", member.path, source.name
                )
        if not read_any:
            raise ParseError(
                "this zip holds no X/Twitter archive data files (data/*.js)",
                file=source.name,
                hint="Check that this is the archive from X's 'Download an archive of your data'.",
            )
        yield from pending
        yield from reader.summaries()


def _sibling_owner(siblings: Mapping[str, SourceFile]) -> Owner | None:
    by_name = {n.lower(): s for n, s in siblings.items()}
    for wanted, name in (("account.js", "account"), ("manifest.js", "manifest")):
        sib = by_name.get(wanted)
        if sib is None:
            continue
        try:
            with open(sib.path, "rb") as fh:
                owner = _owner_from(name, read_small(fh), sib.name)
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if owner is not None:
            return owner
    return None


def _parse_file(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    with open(source.path, "rb") as fh:
        if ytd_name(fh.read(4096)) is None:
            raise ParseError(
                "this file does not start with 'window.YTD.<name>.partN =' (an X/Twitter archive data file)",
                file=source.name,
                hint="Add the archive zip or one of its data/*.js files.",
            )
    reader = _Reader(source.sha256, source.name, ctx)
    reader.owner = _sibling_owner(source.siblings)
    if reader.owner is not None:
        yield ParseWarning(
            "archive_owner",
            f"{reader.owner.found_in} (acquired beside this file) names the archive's owner: {reader.owner.describe()}; "
            "their messages are marked outgoing",
            file=source.name,
        )
    yield from reader.read(_file_opener(source.path), "")
    yield from reader.summaries()


#: Parse an X/Twitter archive zip or one of its ``window.YTD`` data files.
parse = zip_or_file(_parse_zip, _parse_file)


PARSER = ParserInfo(
    name="twitter",
    platform=PLATFORM,
    description="X/Twitter 'Download an archive of your data': direct messages (1:1 and group), tweets, blocks and mutes",
    formats=(
        "X/Twitter archive .zip",
        "X/Twitter archive data file (window.YTD.*.js: direct-messages, direct-messages-group, tweets, account, block, mute ...)",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "application/javascript", "text/javascript", "text/plain"),
    limits=(
        "Blocks, mutes, followers, following and likes have no date in the archive: they are listed in an "
        "'undated_records' warning, not placed on the timeline. Direction needs account.js or manifest.js (in the zip or "
        "beside the file); without it direction stays unknown. The DM files name people by numeric id only. "
        "DM header files (no text) and data files other than DMs and tweets are kept but not read."
    ),
    references=("https://help.x.com/en/managing-your-account/how-to-download-your-x-archive",),
    identity_keys=("sender_username",),
    fixtures=("twitter/*.zip",),
    corpus_seeds=("twitter/xf_*.js", "twitter/twitter2sqlite_account.js"),
)
