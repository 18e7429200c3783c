"""The event kinds: what an :class:`~cyberevidence.events.Event` is (``event.kind``).

``Kind`` is the one list; ``events.KINDS`` names the same values, and an ``Event`` whose kind is
not one of them is refused when it is made (:class:`UnknownKindError`), so no exporter or report
ever meets a kind it does not know. A parser (built-in or plug-in) that needs a new kind adds it
here and to its format doc in the same change.
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


class UnknownKindError(ValueError):
    """An event was made with a kind that is not a :class:`Kind` (a parser bug, never user input)."""

    def __init__(self, kind: object) -> None:
        known = ", ".join(k.value for k in Kind)
        super().__init__(f"{kind!r} is not an event kind (known: {known}); declare it in cyberevidence.kinds.Kind")
        self.kind = kind


def is_kind(value: str) -> bool:
    """Whether ``value`` is a declared kind."""
    return value in Kind._value2member_map_


__all__ = ["Kind", "UnknownKindError", "is_kind"]
