"""Instagram "Download Your Information" (JSON and HTML).

This module states the rules it applies; ``docs/formats/instagram.md`` says the same for readers
who do not read code. Message threads use the same JSON as Facebook Messenger and are read by
the shared readers in ``_meta_common.py`` with the same rules (see ``facebook.py``): UTC
``timestamp_ms``, ``sender_name``/``participants``/``content``/``title``, media ``uri``s linked by
sha256 inside the zip else ``media_omitted``, ``is_unsent`` → ``deleted``, reactions kept on
their message in ``extra["reactions"]`` (no time of their own), ``type`` Subscribe/Unsubscribe →
system, ``call_duration`` → call, every other key kept in ``extra``, the same mojibake rule.

Inputs
------
* The download **zip**, or **one file** of the unpacked folder. Members (case-insensitive, any
  leading folder; old root layout and ``your_instagram_activity/``):
  ``messages/inbox/<thread>/message_N.json|html`` and ``messages/message_requests/...`` (numeric
  order), ``personal_information.json``, ``follow_requests_you've_received.json``,
  ``blocked_accounts.json``/``blocked_profiles.json``, ``comments/*comments*.json``.
  Zip rules, locators (``<member>:$.messages[17]``; ``$.messages[17]`` for a single file),
  malformed JSON and HTML safety are as in ``_download.py``/``facebook.py``.
* A zip is Instagram's when it holds a message thread or profile file **and** a member only
  Instagram writes (``your_instagram_activity/``, ``followers_and_following/``,
  ``ads_and_topics/``, ``personal_information/personal_information.json``, ...). A single
  ``message_N.json`` is Instagram's only when its first 64 KiB mention "instagram" (a media path
  under ``your_instagram_activity/``, an instagram.com share link): otherwise it is
  indistinguishable from Messenger's and the Facebook parser takes it (``--format instagram``).

Owner and direction
-------------------
The owner is ``profile_user[0].string_map_data.Name.value`` of ``personal_information.json``
(the display name DMs show as ``sender_name``; the username is reported too). In a zip it is
read first. Only when the owner is known is a message from the owner ``outgoing`` and any
other ``incoming``; otherwise directions stay ``unknown`` and ``owner_unknown`` names the one
participant of every thread as a hint only.

Other records
-------------
* follow requests received (``relationships_follow_requests_received``:
  ``string_list_data[].{value, timestamp}``) → ``kind="friend_request"``, sender = the username,
  ``incoming``, thread "Follow requests received";
* blocked accounts (``relationships_blocked_users``: ``title`` = username) → ``kind="system"``,
  recipients = that account, ``extra["action"] = "blocked"``, ``outgoing``;
* comments the owner made (a list, or a ``comments_*`` key, of ``string_map_data`` with
  ``Comment``, ``Media Owner``, ``Time``) → ``kind="comment"``, ``outgoing``, sender = the owner
  when known, recipients = the media owner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from cyberevidence.archive import is_zip
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._meta_common import Spec, Target, html_kind, parse_download, set_owner
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.facebook import INSTAGRAM_HINT, looks_like_meta_thread
from cyberevidence.parsers.kit.epochs import epoch_plausible
from cyberevidence.parsers.kit.inputs import MemberPatterns, zip_has

PLATFORM: Final = "instagram"

THREADS: Final = MemberPatterns(
    tuple(f"**/messages/{f}/*/message_*.{ext}" for f in ("inbox", "message_requests") for ext in ("json", "html"))
)
PROFILE: Final = MemberPatterns(("**/personal_information/personal_information.json", "**/personal_information.json"))
OTHER: Final = MemberPatterns(
    (
        "**/follow_requests_you've_received.json",
        "**/blocked_accounts.json",
        "**/blocked_profiles.json",
        "**/comments/*comments*.json",
    )
)
WANTED: Final = MemberPatterns(THREADS.patterns + PROFILE.patterns + OTHER.patterns)
INSTAGRAM_MARKERS: Final = MemberPatterns(
    (
        "**/your_instagram_activity/*",
        "**/followers_and_following/*",
        "**/ads_and_topics/*",
        "**/personal_information/personal_information.json",
        "**/instagram_profile_information.json",
        "**/connections/followers_and_following/*",
    )
)

_IG_KEYS = re.compile(
    rb'"(?:profile_user|relationships_follow_requests_received|relationships_blocked_users|comments_media_comments'
    rb'|comments_reels_comments)"\s*:'
)
_IG_COMMENT_LIST = re.compile(rb'^\s*\[\s*\{\s*"(?:media_list_data|string_map_data)"[^\]]{0,4000}"Media Owner"')


def _sniff_file(head: bytes) -> bool:
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    start = body.lstrip()[:1]
    if start == b"<":
        return bool(html_kind(body)) and bool(INSTAGRAM_HINT.search(body))
    if start == b"{":
        if looks_like_meta_thread(body):
            return bool(INSTAGRAM_HINT.search(body))
        return bool(_IG_KEYS.search(body))
    if start == b"[":
        return bool(_IG_COMMENT_LIST.search(body))
    return False


def sniff(source: SourceFile, head: bytes) -> bool:
    """Content-based: an Instagram zip (threads + an Instagram-only member) or an Instagram record. Never raises."""
    try:
        if is_zip(head):
            return zip_has(source, head, INSTAGRAM_MARKERS) and zip_has(source, head, WANTED)
        return bool(head) and _sniff_file(head)
    except Exception:  # a sniffer must never break detection
        return False


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _smd(item: Any, field: str, sub: str = "value") -> Any:
    data = item.get("string_map_data") if isinstance(item, dict) else None
    cell = data.get(field) if isinstance(data, dict) else None
    return cell.get(sub) if isinstance(cell, dict) else None


def _profile(value: Any, target: Target) -> Iterator[ParseWarning]:
    first = value[0] if isinstance(value, list) and value else value
    name, user = _str(_smd(first, "Name")), _str(_smd(first, "Username"))
    if not (name or user):
        yield from target.warn("unrecognised_member", "the profile does not state a name", "$.profile_user[0]")
        return
    yield from set_owner(target, name or user, "$.profile_user[0].string_map_data.Name")
    if name and user:
        yield ParseWarning(
            "account_username", f"the account's username is {user!r}", locator=target.path or "$", file=target.file
        )


def _follow_requests(value: Any, key: str, target: Target) -> Iterator[Event | ParseWarning]:
    for i, item in enumerate(value if isinstance(value, list) else []):
        for j, d in enumerate(item.get("string_list_data") or [] if isinstance(item, dict) else []):
            loc = f"$.{key}[{i}].string_list_data[{j}]"
            when = epoch_plausible(d.get("timestamp"), millis=False) if isinstance(d, dict) else None
            if when is None:
                yield from target.warn("bad_timestamp", "this entry has no readable timestamp; skipped", loc)
                continue
            user = _str(d.get("value")) or _str(item.get("title"))
            extra = {"href": d["href"]} if isinstance(d.get("href"), str) else {}
            yield Event(
                timestamp=when, platform=PLATFORM, kind="friend_request", source=target.ref(loc), sender=user,
                thread="Follow requests received", direction="incoming", extra=extra,
            )  # fmt: skip


def _blocked(value: Any, key: str, target: Target) -> Iterator[Event | ParseWarning]:
    for i, item in enumerate(value if isinstance(value, list) else []):
        if not isinstance(item, dict):
            continue
        for j, d in enumerate(item.get("string_list_data") or []):
            loc = f"$.{key}[{i}].string_list_data[{j}]"
            when = epoch_plausible(d.get("timestamp"), millis=False) if isinstance(d, dict) else None
            if when is None:
                yield from target.warn("bad_timestamp", "this entry has no readable timestamp; skipped", loc)
                continue
            user = _str(item.get("title")) or _str(d.get("value"))
            extra: dict[str, Any] = {"action": "blocked"}
            if isinstance(d.get("href"), str):
                extra["href"] = d["href"]
            yield Event(
                timestamp=when, platform=PLATFORM, kind="system", source=target.ref(loc), recipients=[user] if user else [],
                thread="Blocked accounts", direction="outgoing", extra=extra,
            )  # fmt: skip


def _comments(value: Any, key: str, target: Target) -> Iterator[Event | ParseWarning]:
    for i, item in enumerate(value if isinstance(value, list) else []):
        loc = f"$.{key}[{i}]" if key else f"$[{i}]"
        when = epoch_plausible(_smd(item, "Time", "timestamp"), millis=False)
        if when is None:
            yield from target.warn("bad_timestamp", "this comment has no readable time; skipped", loc)
            continue
        owner_of_media = _str(_smd(item, "Media Owner"))
        yield Event(
            timestamp=when, platform=PLATFORM, kind="comment", source=target.ref(loc), sender=target.owner.name,
            recipients=[owner_of_media] if owner_of_media else [], text=_str(_smd(item, "Comment")), thread="Comments",
            direction="outgoing", extra={"author": "the account owner (this file lists the owner's own comments)"},
        )  # fmt: skip


def read_other(doc: Any, target: Target) -> Iterator[Event | ParseWarning] | None:
    """Instagram records that are not message threads, chosen by their top-level key."""
    if isinstance(doc, list):
        if any(_smd(x, "Comment") is not None for x in doc[:5]):
            return _comments(doc, "", target)
        return None
    if not isinstance(doc, dict):
        return None
    if "profile_user" in doc:
        return _profile(doc["profile_user"], target)
    for key, value in doc.items():
        if key == "relationships_follow_requests_received":
            return _follow_requests(value, key, target)
        if key == "relationships_blocked_users":
            return _blocked(value, key, target)
        if key.startswith("comments_"):
            return _comments(value, key, target)
    return None


SPEC: Final = Spec(platform=PLATFORM, wanted=WANTED, first=PROFILE, other=read_other)


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse an Instagram download zip or one file of it."""
    yield from parse_download(source, ctx, SPEC)


PARSER = ParserInfo(
    name="instagram",
    platform=PLATFORM,
    description="Instagram 'Download Your Information' (direct messages and requests in JSON/HTML, profile, "
    "follow requests, blocked accounts, comments)",
    formats=(
        "Instagram download .zip (old root layout and your_instagram_activity/)",
        "Instagram message_N.json / message_N.html",
        "personal_information.json, follow_requests_you've_received.json, blocked_accounts.json, post_comments_N.json",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "application/json", "text/html"),
    limits=(
        "A single message_N.json is recognised as Instagram only when it mentions instagram in its first 64 KiB; "
        "otherwise pass --format instagram. Media are linked only from the zip. Reactions stay on their message. "
        "HTML times are local (read in the case's zone), English month names only. Directions need the profile file."
    ),
    references=("https://help.instagram.com/181231772500920",),
    one_sided=(
        "An Instagram download is one-sided: it holds only what this one account held when it was downloaded. Messages "
        "unsent or deleted before the download are missing, and nothing from the other person's own account is in it."
    ),
    fixtures=("instagram/*.zip", "instagram/*.json"),
    corpus_seeds=("instagram/*.zip", "instagram/*message_1.json"),
)
