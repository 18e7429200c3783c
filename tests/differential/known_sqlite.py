"""Every known disagreement of the message-database parsers with direct SQL from the formats' schemas,
classified; ``docs/differential.md`` ("Message databases") states each in prose. A disagreement not
matched here fails the test, and an entry that matches nothing any more fails it too."""

from __future__ import annotations

from tests.differential._sqlite_peers import Disagreement
from tests.differential.known_email import Verdict

_SYSTEM = (
    "a system notice (group created, member added, security code changed): its from-me flag says whom the notice "
    "concerns, not who sent a message; docs/formats/whatsapp_android_db.md and whatsapp_ios_db.md give such rows "
    "direction 'unknown'"
)
_NO_TIME = (
    "docs/formats/whatsapp_android_db.md: a row whose timestamp is 0 cannot be placed on the timeline and is reported "
    "by row (no_timestamp), not given as an event"
)
_PLACEHOLDER = "WhatsApp's placeholder row (key_remote_jid / chat '-1') is not a message: reported as placeholder_row"
_STUBS = (
    "SOURCES.tsv: a scrubbed database whose only rows are the '-1' placeholder and status@broadcast stubs with "
    "timestamp 0 and no data: each reported by row (placeholder_row, no_timestamp), none is a message"
)

#: (sample label, record locator or table name, field) -> (verdict, reason)
KNOWN: dict[tuple[str, str, str], tuple[Verdict, str]] = {
    ("fixtures/whatsapp_db/android_new/msgstore.db", "message[_id=107]", "direction"): (Verdict.BY_DESIGN, _SYSTEM),
    ("fixtures/whatsapp_db/android_new/msgstore.db", "message", "count"): (Verdict.BY_DESIGN, _NO_TIME),
    ("fixtures/whatsapp_db/android_old/msgstore.db", "messages[_id=6]", "direction"): (Verdict.BY_DESIGN, _SYSTEM),
    ("fixtures/whatsapp_db/android_old/msgstore.db", "messages", "count"): (Verdict.BY_DESIGN, _PLACEHOLDER),
    ("fixtures/whatsapp_db/ios/ChatStorage.sqlite", "ZWAMESSAGE[Z_PK=7]", "direction"): (Verdict.BY_DESIGN, _SYSTEM),
    ("corpus/whatsapp_db/chm_android_2023-10_msgstore.sql", "message[_id=169]", "direction"): (Verdict.BY_DESIGN, _SYSTEM),
    ("corpus/whatsapp_db/wacrypttools_msgstore.db", "message", "count"): (Verdict.BY_DESIGN, _STUBS),
    ("corpus/whatsapp_db/wacrypttools_msgstore.db", "messages", "count"): (Verdict.BY_DESIGN, _STUBS),
}


def key_of(d: Disagreement) -> tuple[str, str, str] | None:
    key = (d.sample, d.record, d.field)
    return key if key in KNOWN else None
