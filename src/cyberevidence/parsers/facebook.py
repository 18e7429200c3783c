"""Facebook "Download Your Information" (JSON and HTML) and the end-to-end-encrypted Messenger export.

This module states the rules it applies; ``docs/formats/facebook.md`` says the same for readers
who do not read code. The readers themselves are shared with Instagram (``_meta_common.py``).

Inputs
------
* The download **zip** as it came, or **one file** of the unpacked folder (each file is acquired
  and sniffed on its own). Zip members are found by case-insensitive path patterns, wherever the
  layout puts them (old root layout, ``your_activity_across_facebook/``, ``your_facebook_activity/``,
  any leading folder): Messenger threads ``messages/{inbox,archived_threads,filtered_threads,
  message_requests,e2ee_cutover}/<thread>/message_N.json|html`` (``message_N`` in numeric order,
  so 10 after 9), the legacy ``messages.htm``, ``profile_information.json``,
  ``friend_requests_received.json``/``received_friend_requests.json``, ``blocked_people.json``,
  ``comments.json``, posts by others on the owner's timeline (``*your_timeline*.json``), and JSON
  files at the zip's root (the end-to-end-encrypted export's ``<Name>_<n>.json``).
  Members are refused, derived and located as ``_download.py`` states; events point at the zip
  with ``<member path>:$.messages[17]``; from a single file the locator is ``$.messages[17]``.
  One member is read at a time; nothing holds the whole download.
* Malformed JSON is a ``malformed_json`` warning with its member, and reading goes on with the
  next member. HTML is parsed as text (BeautifulSoup + lxml); nothing is fetched or executed.

Messenger JSON (``message_N.json``)
-----------------------------------
``timestamp_ms`` is UTC. ``sender_name`` → ``sender``; the other ``participants`` →
``recipients``; ``content`` → ``text``; ``title`` → ``thread`` (``thread_path`` kept in ``extra``).
``photos``/``videos``/``audio_files``/``files``/``gifs``/``sticker`` ``uri``s are relative to the
download root: inside a zip each is linked by sha256 to that member (derived when first linked;
any leading folder of the zip is allowed); a file not in the zip, or any uri given with a single
file, is an attachment with empty sha256, ``media_omitted`` and a ``missing_attachment`` warning.
``is_unsent`` → ``deleted``; ``call_duration`` (or ``type`` Call) → ``kind="call"`` with
``duration_s``; ``type`` Subscribe/Unsubscribe → ``kind="system"`` (the actor kept as
``extra["shown_sender"]``, not as a sender); Generic/Share stay messages, ``share`` kept in
``extra``. **Reactions** stay on the message they react to as ``extra["reactions"]`` (list of
``{reaction, actor}``): the download gives them no time of their own, so they are not events.
Every other key of a message is kept in ``extra`` unchanged.

The E2EE export (``<Name>_<n>.json``: ``participants`` as strings, ``threadName``, ``messages[]`` of
``senderName``, ``timestamp`` (ms, UTC), ``text``, ``type``, ``media[].uri`` relative to the file's
folder, ``reactions``, ``isUnsent``) is read the same way with ``extra["e2ee"] = True``; the
thread is ``threadName`` without its ``_<n>`` suffix.

Mojibake
--------
Every string of a JSON file is repaired only where ``s.encode("latin-1").decode("utf-8")``
succeeds (see ``_meta_mojibake.py``), so a correct file is left alone; the number of repaired
values is recorded per file in a ``mojibake_repaired`` warning.

Owner and direction
-------------------
The owner is the name in ``profile_information.json`` (``profile_v2.name.full_name``; the
legacy ``profile``), or the ``<h1>`` of the legacy ``messages.htm``. In a zip the profile is read
before everything else. **Only when the owner is known**, a message or call whose sender is the
owner is ``outgoing`` and one from anyone else ``incoming``; otherwise directions stay
``unknown`` (an ``owner_unknown`` warning names the one participant of every thread, as a hint
only). Friend requests received and others' posts on the timeline are ``incoming`` and blocking
is ``outgoing`` whatever the owner, because the file itself says so.

Other records
-------------
* friend requests received (``received_requests*``: ``name``, ``timestamp`` in seconds) →
  ``kind="friend_request"``, sender = the requester, thread "Friend requests received";
* blocked people (``blocked_people*``) → ``kind="system"``, recipients = the blocked person,
  ``extra["action"] = "blocked"``, thread "Blocked people";
* comments (``comments*``: ``data[].comment.{comment, author, timestamp}``) → ``kind="comment"``,
  ``extra["title"]`` = Facebook's description (what was commented on);
* posts others made on the owner's timeline (``wall_posts_sent_to_you*``, or a list whose titles
  say "... your timeline") → ``kind="post"``; the author is the text of ``title`` before
  " wrote on"/" posted on"/" shared" (else empty), the text is ``data[].post``.

HTML
----
The legacy single-page ``messages.htm`` (``div.thread`` / ``div.message`` / ``span.user`` /
``span.meta`` + ``<p>``): times like "Friday, October 4, 2013 at 10:05pm PDT" are converted with
the stated abbreviation's fixed offset (PDT = UTC−7, even in December) or ``UTC±hh``; an unknown
zone is a ``bad_timestamp`` warning. The modern per-thread ``message_N.html`` (one
``div.uiBoxWhite``/``div._a6-g`` block per message: sender, content, time) shows local times
without a zone: they are read in the case's zone (``assumed_timezone`` warning when it is the
default); the ``<title>`` is the thread. English month names only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from cyberevidence.archive import SafeZip, is_zip
from cyberevidence.errors import UnsafeArchiveError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers._meta_common import Spec, Target, html_kind, parse_download, set_owner
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile
from cyberevidence.parsers.kit.epochs import epoch_plausible
from cyberevidence.parsers.kit.inputs import MemberPatterns, zip_has

PLATFORM: Final = "facebook"

_FOLDERS: Final = ("inbox", "archived_threads", "filtered_threads", "message_requests", "e2ee_cutover")
THREADS: Final = MemberPatterns(tuple(f"**/messages/{f}/*/message_*.{ext}" for f in _FOLDERS for ext in ("json", "html")))
PROFILE: Final = MemberPatterns(("**/profile_information.json",))
OTHER: Final = MemberPatterns(
    (
        "**/messages.htm",
        "**/friend_requests_received.json",
        "**/received_friend_requests.json",
        "**/blocked_people.json",
        "**/comments.json",
        "**/*your_timeline*.json",
    )
)
#: Members that show a zip is a Facebook download (not Instagram's, whose inbox looks the same).
FACEBOOK_MARKERS: Final = MemberPatterns(
    (
        "**/your_facebook_activity/*",
        "**/your_activity_across_facebook/*",
        "**/profile_information/*",
        "**/friends/*",
        "**/friends_and_followers/*",
        "**/messages/stickers_used/*",
        "**/messages/e2ee_cutover/*",
        "**/messages.htm",
    )
)


class _Wanted(MemberPatterns):
    """The patterns above, plus JSON files at the zip's root (the E2EE export's threads)."""

    def matches(self, path: str) -> bool:
        p = path.replace("\\", "/")
        return super().matches(p) or ("/" not in p and p.lower().endswith(".json"))


WANTED: Final = _Wanted(THREADS.patterns + PROFILE.patterns + OTHER.patterns)

# -- sniffing -------------------------------------------------------------------------------

_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')
_DYI_FIELDS = (re.compile(rb'"sender_name"\s*:'), re.compile(rb'"timestamp_ms"\s*:'))
_E2EE_FIELDS = (re.compile(rb'"senderName"\s*:'), re.compile(rb'"timestamp"\s*:\s*\d'))
_E2EE_EXTRA = re.compile(rb'"(?:threadName|isUnsent)"\s*:')
_FB_KEYS = re.compile(
    rb'^\s*\{\s*"(?:profile_v2|received_requests(?:_v2)?|blocked_people(?:_v2)?|comments_v2|wall_posts_sent_to_you\w*)"\s*:'
)
_FB_PROFILE_V1 = re.compile(rb'^\s*\{\s*"profile"\s*:\s*\{[^{}]{0,2000}"(?:name|registration_timestamp)"\s*:')
_TIMELINE_LIST = re.compile(rb'^\s*\[\s*\{[^\]]{0,4000}"title"\s*:\s*"[^"]{0,300}your timeline')
INSTAGRAM_HINT = re.compile(rb"instagram", re.IGNORECASE)


def looks_like_meta_thread(body: bytes) -> bool:
    """A DYI message thread (``messages`` + ``sender_name`` + ``timestamp_ms``) or an E2EE thread."""
    if not _MESSAGES.search(body):
        return False
    if all(rx.search(body) for rx in _DYI_FIELDS):
        return True
    return all(rx.search(body) for rx in _E2EE_FIELDS) and bool(_E2EE_EXTRA.search(body))


def _strip(head: bytes) -> bytes:
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def _sniff_file(head: bytes) -> bool:
    body = _strip(head)
    start = body.lstrip()[:1]
    if start == b"<":
        return bool(html_kind(body)) and not INSTAGRAM_HINT.search(body)
    if start == b"{":
        if looks_like_meta_thread(body):
            return not INSTAGRAM_HINT.search(body)
        return bool(_FB_KEYS.search(body) or _FB_PROFILE_V1.search(body))
    if start == b"[":
        return bool(_TIMELINE_LIST.search(body))
    return False


def _zip_e2ee(source: SourceFile) -> bool:
    """A zip whose root JSON files are E2EE Messenger threads (reads at most 3 small heads)."""
    try:
        with SafeZip(source.path) as zf:
            roots = [m for m in zf.members if "/" not in m.path and m.path.lower().endswith(".json")][:3]
            for m in roots:
                with zf.open(m) as fh:
                    if looks_like_meta_thread(_strip(fh.read(16384))):
                        return True
    except (UnsafeArchiveError, OSError):
        return False
    return False


def sniff(source: SourceFile, head: bytes) -> bool:
    """Content-based: a Meta thread/record without Instagram marks, or a Facebook download zip. Never raises."""
    try:
        if is_zip(head):
            if zip_has(source, head, FACEBOOK_MARKERS):
                return zip_has(source, head, MemberPatterns(THREADS.patterns + PROFILE.patterns + OTHER.patterns))
            return _zip_e2ee(source)
        return bool(head) and _sniff_file(head)
    except Exception:  # a sniffer must never break detection
        return False


# -- records other than message threads -----------------------------------------------------


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict) and isinstance(value.get("activity_log_data"), list):
        return list(value["activity_log_data"])
    return list(value) if isinstance(value, list) else []


def _profile(profile: dict[str, Any], key: str, target: Target) -> Iterator[ParseWarning]:
    name = profile.get("name")
    full = _str(name.get("full_name")) if isinstance(name, dict) else _str(name)
    if not full:
        yield from target.warn("unrecognised_member", "the profile does not state a name", f"$.{key}")
        return
    yield from set_owner(target, full, f"$.{key}.name")


def _people_list(value: Any, key: str, target: Target, *, blocked: bool) -> Iterator[Event | ParseWarning]:
    for i, item in enumerate(_items(value)):
        loc = f"$.{key}[{i}]"
        when = epoch_plausible(item.get("timestamp"), millis=False) if isinstance(item, dict) else None
        name = _str(item.get("name")) if isinstance(item, dict) else ""
        if when is None:
            yield from target.warn("bad_timestamp", "this entry has no readable timestamp; skipped", loc)
            continue
        extra = {k: v for k, v in item.items() if k not in ("name", "timestamp")}
        if blocked:
            extra["action"] = "blocked"
            yield Event(
                timestamp=when, platform=PLATFORM, kind="system", source=target.ref(loc), recipients=[name] if name else [],
                thread="Blocked people", direction="outgoing", extra=extra,
            )  # fmt: skip
        else:
            yield Event(
                timestamp=when, platform=PLATFORM, kind="friend_request", source=target.ref(loc), sender=name,
                thread="Friend requests received", direction="incoming", extra=extra,
            )  # fmt: skip


def _comments(value: Any, key: str, target: Target) -> Iterator[Event | ParseWarning]:
    for i, item in enumerate(_items(value)):
        loc = f"$.{key}[{i}]"
        if not isinstance(item, dict):
            continue
        for j, d in enumerate(item.get("data") or []):
            c = d.get("comment") if isinstance(d, dict) else None
            if not isinstance(c, dict):
                continue
            when = epoch_plausible(c.get("timestamp", item.get("timestamp")), millis=False)
            if when is None:
                yield from target.warn("bad_timestamp", "this comment has no readable timestamp; skipped", f"{loc}.data[{j}]")
                continue
            author = _str(c.get("author"))
            extra = {"title": _str(item.get("title"))} if item.get("title") else {}
            if c.get("group"):
                extra["group"] = c["group"]
            yield Event(
                timestamp=when, platform=PLATFORM, kind="comment", source=target.ref(f"{loc}.data[{j}]"), sender=author,
                text=_str(c.get("comment")), thread="Comments", direction=target.owner.direction(author), extra=extra,
            )  # fmt: skip


_POST_AUTHOR = re.compile(r"^(.+?) (?:wrote on|posted on|posted to|shared .+ (?:on|to)) your timeline", re.IGNORECASE)


def _timeline_posts(value: Any, key: str, target: Target) -> Iterator[Event | ParseWarning]:
    for i, item in enumerate(_items(value)):
        loc = f"$.{key}[{i}]" if key else f"$[{i}]"
        if not isinstance(item, dict):
            continue
        when = epoch_plausible(item.get("timestamp"), millis=False)
        if when is None:
            yield from target.warn("bad_timestamp", "this post has no readable timestamp; skipped", loc)
            continue
        title = _str(item.get("title"))
        m = _POST_AUTHOR.match(title)
        texts = [_str(d.get("post")) for d in item.get("data") or [] if isinstance(d, dict) and d.get("post")]
        event = Event(
            timestamp=when, platform=PLATFORM, kind="post", source=target.ref(loc), sender=m.group(1) if m else "",
            text="\n".join(texts), thread="Posts on your timeline", direction="incoming", extra={"title": title} if title else {},
        )  # fmt: skip
        for a in item.get("attachments") or []:
            for d in a.get("data") or [] if isinstance(a, dict) else []:
                media = d.get("media") if isinstance(d, dict) else None
                if isinstance(media, dict) and isinstance(media.get("uri"), str):
                    yield from target.attach(media["uri"], event, loc)
        yield event


def read_other(doc: Any, target: Target) -> Iterator[Event | ParseWarning] | None:
    """Facebook records that are not message threads, chosen by their top-level key."""
    if isinstance(doc, list):
        first = next((x for x in doc if isinstance(x, dict)), None)
        if first is not None and "your timeline" in _str(first.get("title")):
            return _timeline_posts(doc, "", target)
        return None
    if not isinstance(doc, dict):
        return None
    for key in ("profile_v2", "profile"):
        if isinstance(doc.get(key), dict):
            return _profile(doc[key], key, target)
    for key, value in doc.items():
        if key.startswith("received_requests"):
            return _people_list(value, key, target, blocked=False)
        if key.startswith("blocked_people"):
            return _people_list(value, key, target, blocked=True)
        if key.startswith("comments"):
            return _comments(value, key, target)
        if key.startswith("wall_posts_sent_to_you"):
            return _timeline_posts(value, key, target)
    return None


SPEC: Final = Spec(platform=PLATFORM, wanted=WANTED, first=PROFILE, other=read_other)


def parse(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    """Parse a Facebook download zip, one file of it, or an E2EE Messenger thread."""
    yield from parse_download(source, ctx, SPEC)


PARSER = ParserInfo(
    name="facebook",
    platform=PLATFORM,
    description="Facebook 'Download Your Information' (Messenger JSON/HTML, profile, friend requests, blocks, "
    "comments, timeline posts) and the end-to-end-encrypted Messenger export",
    formats=(
        "Facebook download .zip (JSON or HTML; old root layout, your_activity_across_facebook/, your_facebook_activity/)",
        "Messenger message_N.json / message_N.html",
        "legacy messages.htm",
        "Messenger E2EE chats export <Name>_<n>.json",
        "profile_information.json, friend_requests_received.json, blocked_people.json, comments.json",
    ),
    sniff=sniff,
    parse=parse,
    media_types=("application/zip", "application/json", "text/html"),
    limits=(
        "A single message_N.json looks the same from Facebook and Instagram: without an Instagram mark in its first "
        "64 KiB it is read as Facebook (use --format instagram). Media are linked only from the zip. Reactions have "
        "no time of their own and stay on their message. HTML times: English month names; modern HTML times are "
        "local and read in the case's zone. Directions need the profile file (or the people file)."
    ),
    references=(
        "https://www.facebook.com/help/212802592074644",
        "timelinize/timelinize datasources/facebook (E2EE export field names)",
    ),
    one_sided=(
        "A Facebook download is one-sided: it holds only what this one account held when it was downloaded. Messages "
        "the other person unsent, or that were deleted before the download, are missing, and nothing from the other "
        "person's own account (their posts, other conversations, their devices) is in it."
    ),
    fixtures=("facebook/*.zip", "facebook/*.json", "facebook/*.html"),
    corpus_seeds=("facebook_messenger/*",),
)
