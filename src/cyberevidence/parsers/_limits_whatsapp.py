"""What a WhatsApp "Export chat" cannot show, declared by the ``whatsapp`` parser (``source_limits``).

A chat export holds at most about 40,000 of the latest messages (10,000 with media; WhatsApp
FAQ) and leaves out reactions, poll votes, deleted messages' content and view-once media. Stated
rule for "may start mid-conversation": the export's first line is not the encryption notice or a
"created group" notice **and** its line count is within 10% of the cap (``NEAR_CAP``).
"""

from __future__ import annotations

from collections.abc import Iterator

from cyberevidence.events import Event
from cyberevidence.parsers.base import ArtefactFacts

#: A WhatsApp "Export chat" holds at most this many of the latest messages (WhatsApp FAQ).
WHATSAPP_CAP_WITHOUT_MEDIA = 40_000
WHATSAPP_CAP_WITH_MEDIA = 10_000
#: "Close to the cap": at least this share of it.
NEAR_CAP = 0.9


def _opens_chat(ev: Event | None) -> bool:
    """Whether the first line is the encryption notice or a "created group" notice."""
    from cyberevidence.parsers._whatsapp_text import E2E_RE, GROUP_EVENT_IN_SENDER_RE

    if ev is None:
        return False
    text = ev.text.replace("\u200e", "")
    return bool(E2E_RE.search(text) or GROUP_EVENT_IN_SENDER_RE.search(f" {text}") or "created group" in text.lower())


def whatsapp_export_limits(facts: ArtefactFacts) -> Iterator[tuple[str, str]]:
    """The export cap, what an export leaves out, and a start that may be mid-conversation."""
    with_media = facts.media_type == "application/zip" or bool(facts.parse_details.get("siblings_used"))
    cap = WHATSAPP_CAP_WITH_MEDIA if with_media else WHATSAPP_CAP_WITHOUT_MEDIA
    yield (
        "whatsapp_export_cap",
        f"WhatsApp's 'Export chat' keeps only about the latest {WHATSAPP_CAP_WITHOUT_MEDIA:,} messages "
        f"({WHATSAPP_CAP_WITH_MEDIA:,} when media are included); this export "
        f"{'includes' if with_media else 'does not include'} media, so its cap is about {cap:,}. "
        f"It holds {facts.events:,} line(s).",
    )
    yield (
        "whatsapp_omits",
        "A WhatsApp export leaves out reactions, poll votes, the content of deleted messages "
        "('This message was deleted'), view-once media and disappearing messages that had already gone.",
    )
    if facts.events >= NEAR_CAP * cap and not _opens_chat(facts.first_event()):
        yield (
            "may_start_mid_conversation",
            f"This export may start part-way through the conversation: it holds {facts.events:,} lines, close to "
            f"the cap of about {cap:,}, and its first line is not WhatsApp's encryption notice or a 'created "
            "group' notice. Earlier messages are probably missing; the phone itself may still hold them.",
        )
