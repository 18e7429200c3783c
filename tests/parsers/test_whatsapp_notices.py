"""System notices in exports without U+200E: the author's own name opening a whole notice phrase
(docs/formats/whatsapp.md); near misses stay messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberevidence.parsers._whatsapp_text import BodySplitter
from cyberevidence.standalone import parse


def test_fixture_notices_and_near_misses(fixtures_dir: Path) -> None:
    events = list(parse(fixtures_dir / "detection" / "whatsapp_notices_no_lrm.txt", timezone="UTC"))
    got = [(e.kind, e.sender, e.extra.get("shown_sender", ""), e.text) for e in events]
    assert got == [
        ("system", "", "Alice Smith", 'Alice Smith created group "Book club"'),
        ("system", "", "Alice Smith", "Alice Smith added you"),
        ("system", "", "Alice Smith", 'Alice Smith changed the subject to "Readers"'),
        ("message", "Bob Jones", "", "I left"),
        ("message", "Bob Jones", "", "You left"),
        ("message", "Bob Jones", "", "Alice Smith left"),
        ("message", "Bob Jones", "", "Bob Jones left early, sorry"),
        ("message", "Bob Jones", "", "Bob Jones added milk to the list"),
        ("system", "", "Alice Smith", "Alice Smith left"),
    ]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Alice: Alice left", "system"),
        ("alice: Alice left", "system"),  # names compared without case
        ("~\u202fAlice: Alice left", "system"),  # iOS non-contact prefix removed first
        ("Alice: Alice changed the subject from \u201cA\u201d to \u201cB\u201d", "system"),
        ("Alice: Alice changed this group's icon", "system"),
        ("Alice: Alice joined using this group's invite link", "system"),
        ("Alice: Alice removed you", "system"),
        ("Alice: I left", "message"),
        ("Alice: left", "message"),
        ("Alice: Alice left.", "message"),
        ("Alice: Alicia left", "message"),
        ("Alice: Alice created group chats are annoying", "message"),
        ("Alice: Alice added you to my list of enemies", "message"),
        ("Alice: Bob added you", "message"),
    ],
)
def test_named_notice_rule(body: str, kind: str) -> None:
    assert BodySplitter().split(body)[0] == kind
