"""The event kinds: what an :class:`~cyberevidence.events.Event` is (``event.kind``).

``Kind`` is the one list; ``events.KINDS`` names the same values. ``tests/test_kinds.py`` parses
every fixture and checks that each event's kind is a ``Kind``. A third-party parser that needs a
new kind adds it here (and to the format doc), so every exporter and report knows it.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """An event's kind; the string value is what is stored in ``events.kind`` and in every export."""

    #: A chat or text message (WhatsApp, SMS, Signal, a direct message ...).
    MESSAGE = "message"
    #: A voice or video call, answered or not.
    CALL = "call"
    #: An e-mail.
    EMAIL = "email"
    #: A post (on a timeline, a tweet).
    POST = "post"
    #: A comment on a post or a video.
    COMMENT = "comment"
    #: A reaction (like, emoji) to a message or a post.
    REACTION = "reaction"
    #: A friend or follow request.
    FRIEND_REQUEST = "friend_request"
    #: A connection made (a LinkedIn connection, a friend added).
    CONNECTION = "connection"
    #: A notice written by the app or the platform (joined, left, blocked, changed the subject ...).
    SYSTEM = "system"
    #: What a photo or screenshot's own metadata says (when it was taken, where).
    MEDIA_METADATA = "media_metadata"
    #: An entry of the victim's own diary (a case record).
    DIARY = "diary"
    #: A marker a person put on the timeline (a case record).
    MARKER = "marker"


def is_kind(value: str) -> bool:
    """Whether ``value`` is a declared kind."""
    return value in Kind._value2member_map_


__all__ = ["Kind", "is_kind"]
