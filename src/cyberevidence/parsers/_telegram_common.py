"""Rules shared by the Telegram Desktop JSON and HTML parsers.

* local wall-clock times to UTC, with DST folds resolved by message order and gaps flagged;
* the export's placeholders for media that was not downloaded;
* linking a media path named by the export to a file acquired beside it;
* readable text for service messages (``action``) and calls.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from cyberevidence.events import Attachment
from cyberevidence.parsers.base import SourceFile
from cyberevidence.timeutil import localize

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


def normalise_rel(path: str) -> str:
    """An export-relative path in one spelling: forward slashes, no ``./``, no leading ``/``."""
    p = path.replace("\\", "/").strip()
    while p.startswith("./"):
        p = p[2:]
    return p.lstrip("/")


@dataclass(slots=True)
class MediaLinker:
    """Finds the stored copy of a file the export names, among ``source.siblings``.

    Siblings are looked up by the export's relative path exactly (``photos/photo_1@....jpg``);
    a bare file name is looked up as a name. A path with ``..`` or an absolute path is never
    followed. Nothing is read or re-hashed: the siblings were already acquired and stored.
    """

    siblings: Mapping[str, SourceFile]
    by_rel: dict[str, SourceFile] = field(init=False)

    def __post_init__(self) -> None:
        self.by_rel = {normalise_rel(name): sib for name, sib in self.siblings.items()}

    @property
    def supplied(self) -> bool:
        return bool(self.by_rel)

    def find(self, path: str) -> SourceFile | None:
        if path.strip().startswith(("/", "\\")):
            return None
        rel = normalise_rel(path)
        if not rel or ".." in rel.split("/") or ":" in rel.split("/")[0]:
            return None
        return self.by_rel.get(rel)

    def attachment(self, path: str) -> Attachment:
        found = self.find(path)
        name = normalise_rel(path)
        if found is None:
            return Attachment(name)
        return Attachment(name, found.sha256, found.media_type)


def basename(path: str) -> str:
    return posixpath.basename(normalise_rel(path))


# -- time -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Converted:
    """A UTC instant for a local time, with what had to be decided to get it."""

    utc: datetime
    ambiguous: bool = False
    note: str = ""
    gap: bool = False
    fold: bool = False


def describe_offset(offset: timedelta | None) -> str:
    if offset is None:
        return "UTC"
    total = int(offset.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"UTC{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


class LocalClock:
    """Local wall-clock times of one chat (in file order) to UTC in ``tz``.

    Fold (the repeated hour when clocks go back): the first pass is assumed unless an earlier
    message of the same chat is already later than that instant, which can only happen on the
    second pass ("resolved by message order"). Gap (the skipped hour): converted with the offset
    in force before the change, flagged.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.last_utc: datetime | None = None

    def reset(self) -> None:
        self.last_utc = None

    def convert(self, naive: datetime) -> Converted:
        first = localize(naive, self.tz, fold=0)
        shown = f"{naive:%Y-%m-%d %H:%M:%S}"
        zone = self.tz.key
        if first.in_gap:
            off = naive.replace(tzinfo=self.tz, fold=0).utcoffset()
            note = (
                f"local time {shown} does not exist in {zone} (the clocks went forward); "
                f"converted with the offset in force before the change ({describe_offset(off)})"
            )
            out = Converted(first.utc, True, note, gap=True)
        elif first.in_fold:
            second = localize(naive, self.tz, fold=1)
            where = f"local time {shown} occurred twice in {zone} (the clocks went back)"
            if self.last_utc is not None and self.last_utc > first.utc:
                off = naive.replace(tzinfo=self.tz, fold=1).utcoffset()
                note = (
                    f"{where}; read as the second occurrence ({describe_offset(off)}), resolved by message order: "
                    "an earlier message of this chat is already later than the first occurrence"
                )
                out = Converted(second.utc, True, note, fold=True)
            else:
                off = naive.replace(tzinfo=self.tz, fold=0).utcoffset()
                note = f"{where}; unresolved: earlier instant assumed ({describe_offset(off)})"
                out = Converted(first.utc, True, note, fold=True)
        else:
            out = Converted(first.utc)
        self.note_instant(out.utc)
        return out

    def note_instant(self, utc: datetime) -> None:
        """Remember an instant of this chat (also those stated in UTC) for fold decisions."""
        if self.last_utc is None or utc > self.last_utc:
            self.last_utc = utc


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
