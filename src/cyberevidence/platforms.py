"""The platforms events come from (``event.platform``), each declared once with its names.

A :class:`Platform` has the name shown to people (``display``) and the name of the
``uco-observable:Application`` the CASE/UCO export gives it (``application``);
:mod:`cyberevidence.exporters.case_uco` reads its ``APPLICATIONS`` from here. It sits beside the
parser registry: a parser that emits a new platform declares it here in the same change, and
``tests/test_platforms.py`` fails for any platform a parser can emit (its ``ParserInfo.platform``,
a ``platform=`` it writes, a ``PLATFORM`` constant, or an event of a fixture) that is not declared.
A plug-in's platform that is not declared is shown as written.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """A platform, its display name and its CASE/UCO application name (``p.display``, ``p.application``)."""

    display: str
    application: str

    def __new__(cls, value: str, display: str = "", application: str = "") -> Platform:
        member = str.__new__(cls, value)
        member._value_ = value
        member.display = display
        member.application = application
        return member

    WHATSAPP = "whatsapp", "WhatsApp", "WhatsApp"
    SMS = "sms", "SMS", "SMS"
    PHONE = "phone", "Phone calls", "Phone (cellular)"
    TELEGRAM = "telegram", "Telegram", "Telegram"
    SIGNAL = "signal", "Signal", "Signal"
    IMESSAGE = "imessage", "iMessage", "iMessage"
    FACEBOOK = "facebook", "Facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram", "Instagram"
    TWITTER = "twitter", "X (Twitter)", "X (Twitter)"
    DISCORD = "discord", "Discord", "Discord"
    SNAPCHAT = "snapchat", "Snapchat", "Snapchat"
    TIKTOK = "tiktok", "TikTok", "TikTok"
    EMAIL = "email", "E-mail", "E-mail"
    GOOGLE_CHAT = "google_chat", "Google Chat", "Google Chat"
    HANGOUTS = "hangouts", "Google Hangouts", "Google Hangouts"
    LINKEDIN = "linkedin", "LinkedIn", "LinkedIn"
    PHOTO = "photo", "Photo", "Camera (photo metadata)"
    SCREENSHOT = "screenshot", "Screenshot", "Screenshot (image metadata)"
    DIARY = "diary", "Diary (case record)", "cyberevidence diary (case record)"
    MARKER = "marker", "Marker (case record)", "cyberevidence marker (case record)"


def display_name(platform: str) -> str:
    """The name shown to people; an undeclared (plug-in) platform as written."""
    member = Platform._value2member_map_.get(platform)
    return member.display if isinstance(member, Platform) else platform


def application_name(platform: str) -> str:
    """The CASE/UCO ``uco-observable:Application`` name; an undeclared (plug-in) platform as written."""
    member = Platform._value2member_map_.get(platform)
    return member.application if isinstance(member, Platform) else platform


__all__ = ["Platform", "application_name", "display_name"]
