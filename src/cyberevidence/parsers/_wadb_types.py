"""WhatsApp for Android's ``message.message_type`` codes, and where each keeps its text.

WhatsApp publishes no list of these codes. The names below are those forensic tools and
examiners report and that the databases read here bear out; ``docs/formats/whatsapp_android_db.md``
gives the same table. A code not in :class:`MessageType` is *unknown*: its row is still an
event, its code is kept in ``extra["message_type"]``, and when nothing in the database gives it
any text, media, location or contact card the parser says so (``unknown_message_type``, located
by row) rather than yield a silent empty message.
"""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import Final


class TextPlace(Enum):
    """Where a message type keeps what it says (read in this order by the parser)."""

    #: ``message.text_data`` (also the caption of a photo, video or document).
    TEXT_DATA = "text_data"
    #: ``message_media.media_caption`` when ``text_data`` is empty.
    MEDIA_CAPTION = "message_media.media_caption"
    #: ``message_location`` (coordinates, place name, address): kept in ``extra["location"]``.
    LOCATION = "message_location"
    #: ``message_vcard.vcard``: the contact card(s), kept in ``extra["vcards"]``; text is the cards' ``FN`` names.
    VCARD = "message_vcard.vcard"
    #: ``message_ui_elements.description`` of the message's rows (buttons, lists, templates).
    UI_ELEMENTS = "message_ui_elements.description"
    #: No text: the database stores a code (``message_system.action_type``), not the wording.
    SYSTEM_CODE = "message_system.action_type"
    #: No text: the message was deleted for everyone (``message_revoked``).
    NONE_REVOKED = "message_revoked"


class MessageType(IntEnum):
    """The ``message_type`` codes the parser names (others are kept as numbers and warned when empty)."""

    TEXT = 0
    IMAGE = 1
    AUDIO = 2
    VIDEO = 3
    CONTACT = 4
    LOCATION = 5
    SYSTEM = 7
    DOCUMENT = 9
    GIF = 13
    CONTACTS = 14
    REVOKED = 15
    LIVE_LOCATION = 16
    STICKER = 20
    VIEW_ONCE_IMAGE = 42
    VIEW_ONCE_VIDEO = 43
    POLL = 66
    INTERACTIVE = 85


_MEDIA: Final = (TextPlace.TEXT_DATA, TextPlace.MEDIA_CAPTION)
#: Where each known type keeps its text; every type also falls back to UI elements when it has rows there.
TEXT_PLACES: Final[dict[MessageType, tuple[TextPlace, ...]]] = {
    MessageType.TEXT: (TextPlace.TEXT_DATA,),
    MessageType.IMAGE: _MEDIA,
    MessageType.AUDIO: _MEDIA,
    MessageType.VIDEO: _MEDIA,
    MessageType.CONTACT: (TextPlace.VCARD, TextPlace.TEXT_DATA),
    MessageType.LOCATION: (TextPlace.LOCATION, TextPlace.TEXT_DATA),
    MessageType.SYSTEM: (TextPlace.SYSTEM_CODE,),
    MessageType.DOCUMENT: _MEDIA,
    MessageType.GIF: _MEDIA,
    MessageType.CONTACTS: (TextPlace.VCARD, TextPlace.TEXT_DATA),
    MessageType.REVOKED: (TextPlace.NONE_REVOKED,),
    MessageType.LIVE_LOCATION: (TextPlace.LOCATION, TextPlace.TEXT_DATA),
    MessageType.STICKER: (TextPlace.MEDIA_CAPTION,),
    MessageType.VIEW_ONCE_IMAGE: _MEDIA,
    MessageType.VIEW_ONCE_VIDEO: _MEDIA,
    MessageType.POLL: (TextPlace.TEXT_DATA,),
    MessageType.INTERACTIVE: (TextPlace.UI_ELEMENTS, TextPlace.TEXT_DATA),
}


def type_name(code: int | None) -> str:
    """``"interactive"`` for 85, ``""`` for a code not in :class:`MessageType` (or none)."""
    if code is None:
        return ""
    try:
        return MessageType(code).name.lower()
    except ValueError:
        return ""


def vcard_names(vcard: str) -> list[str]:
    """The ``FN:`` (formatted name) lines of a vCard, as written."""
    names = []
    for line in vcard.splitlines():
        head, sep, value = line.partition(":")
        if sep and head.split(";", 1)[0].strip().upper() == "FN" and value.strip():
            names.append(value.strip())
    return names
