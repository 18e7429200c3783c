"""Rules shared by the Telegram Desktop JSON and HTML parsers.

* the export's placeholders for media that was not downloaded;
* readable text for service messages (``action``) and calls.

Local times go through kit/clock.py with ``FoldPolicy.BY_ORDER``; media paths are linked to the
files acquired beside the export by kit/media.py's ``SiblingMedia``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from cyberevidence.parsers.kit.media import normalise_rel

PLATFORM: Final = "telegram"

#: Values Telegram Desktop writes in place of a media path when the file was not exported.
OMITTED_PREFIXES: Final = (
    "(File not included.",
    "(File exceeds maximum size.",
    "(File unavailable,",
)


def is_placeholder(path: str) -> bool:
    """True for Telegram's "(File not included. ...)" style texts (any wording in brackets)."""
    p = path.strip()
    return p.startswith(OMITTED_PREFIXES) or (p.startswith("(") and p.endswith(")"))


def basename(path: str) -> str:
    return posixpath.basename(normalise_rel(path))


def parse_iso(value: Any) -> datetime | None:
    """``2016-11-09T00:26:24`` (naive local) or with ``Z``/offset (aware); None if unreadable."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None


# -- service messages and calls -------------------------------------------------------------

CALL_ACTIONS: Final = {"phone_call": "call", "group_call": "group_call"}


def _names(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    names = [str(v) if v is not None else "a deleted account" for v in value]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def call_text(action: str, discard_reason: str, duration: int | None) -> str:
    what = "Group call" if action == "group_call" else "Call"
    if discard_reason == "missed":
        return f"Missed {what.lower()}"
    if discard_reason == "busy":
        return f"{what} declined (busy)"
    parts = [what]
    if duration is not None:
        parts.append(f"{duration} s")
    if discard_reason and discard_reason != "hangup":
        parts.append(discard_reason)
    return ", ".join(parts)


def service_text(msg: Mapping[str, Any], actor: str) -> str:
    """A readable sentence for a service entry; unknown actions keep their name."""
    action = str(msg.get("action") or "")
    who = actor or "Someone"
    title = msg.get("title")
    members = _names(msg.get("members"))
    fixed: dict[str, str] = {
        "create_group": f"{who} created group «{title}»" + (f" with members {members}" if members else ""),
        "create_channel": f"Channel «{title}» created",
        "edit_group_title": f"{who} changed group title to «{title}»",
        "edit_group_photo": f"{who} changed group photo",
        "delete_group_photo": f"{who} removed group photo",
        "invite_members": f"{who} invited {members}",
        "remove_members": f"{who} removed {members}",
        "join_group_by_link": f"{who} joined group by link" + (f" from {msg.get('inviter')}" if msg.get("inviter") else ""),
        "join_group_by_request": f"{who} joined group by request",
        "migrate_to_supergroup": f"{who} converted this group to a supergroup",
        "migrate_from_group": f"{who} converted a basic group to this supergroup «{title}»",
        "pin_message": f"{who} pinned a message" + (f" (id {msg.get('message_id')})" if msg.get("message_id") else ""),
        "clear_history": "History cleared",
        "joined_telegram": f"{who} joined Telegram",
        "take_screenshot": f"{who} took a screenshot",
        "invite_to_group_call": f"{who} invited {members} to the voice chat",
        "set_messages_ttl": f"{who} set messages to auto-delete after {msg.get('period')} s"
        if msg.get("period")
        else f"{who} set messages not to auto-delete",
        "suggest_profile_photo": f"{who} suggests to use this photo",
        "requested_phone_number": f"{who} requested your phone number",
        "boost_apply": f"{who} boosted the group" + (f" ({msg.get('boosts')} boosts)" if msg.get("boosts") else ""),
    }
    text = fixed.get(action)
    if text is None:
        text = f"{who}: {action.replace('_', ' ')}" if action else f"{who}: service message"
    return text
