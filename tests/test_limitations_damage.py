"""The "damaged" limitation is decided by warning category, whichever parser wrote the warning.

Issue 16: a Facebook download with a truncated thread (``malformed_json``) got no "damaged"
limitation while an X download with the same damage (``damaged_json``) did. Both are built here.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence import limitations as lim
from cyberevidence.warning_codes import WarningCategory, WarningCode, codes_in

THREAD = {
    "participants": [{"name": "Mark Kell"}, {"name": "Sarah Jones"}],
    "messages": [
        {"sender_name": "Mark Kell", "timestamp_ms": 1760468472000, "content": "I know where you are"},
        {"sender_name": "Sarah Jones", "timestamp_ms": 1760468532000, "content": "Leave me alone"},
    ],
    "title": "Mark Kell",
    "thread_path": "inbox/markkell_xyz",
}
PROFILE = "personal_information/profile_information/profile_information.json"
GOOD_DM = (
    '{"dmConversation": {"conversationId": "1-2", "messages": '
    '[{"messageCreate": {"senderId": "1", "text": "a", "createdAt": "2024-01-01T00:00:00.000Z"}}]}}'
)


def truncated(text: str) -> str:
    """The file cut off part-way, as an interrupted download leaves it."""
    return text[: len(text) * 2 // 3]


def facebook_download(tmp_path: Path) -> Path:
    """A Facebook download: one whole thread and one truncated thread."""
    return facebook_zip(tmp_path, truncated(json.dumps(THREAD)))


def facebook_zip(tmp_path: Path, second_thread: str | None = None) -> Path:
    """A Facebook download as the fixtures lay it out (tests/parsers/test_facebook.py)."""
    path = tmp_path / "facebook-sarahjones.zip"
    root = "facebook-sarahjones-2025-11-05"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{root}/{PROFILE}", json.dumps({"profile_v2": {"name": {"full_name": "Sarah Jones"}}}))
        zf.writestr(f"{root}/your_facebook_activity/messages/inbox/markkell_xyz/message_1.json", json.dumps(THREAD))
        if second_thread is not None:
            zf.writestr(f"{root}/your_facebook_activity/messages/inbox/other_abc/message_1.json", second_thread)
    return path


def x_download(tmp_path: Path) -> Path:
    """An X archive whose direct-messages file is cut off after its first conversation."""
    path = tmp_path / "twitter-sarah.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/direct-messages.js", f'window.YTD.direct_messages.part0 = [{GOOD_DM}, {{"dmConversation": {{"conv')
    return path


def damaged(case: ce.Case, name: str) -> list[lim.Limitation]:
    return [x for x in ce.source_limitations(case) if x.source == name and x.code == "damaged"]


@pytest.mark.parametrize(("build", "parser", "code"), [
    (facebook_download, "facebook", WarningCode.MALFORMED_JSON),
    (x_download, "twitter", WarningCode.DAMAGED_JSON),
])
def test_a_truncated_download_is_damaged(tmp_path: Path, build: object, parser: str, code: WarningCode) -> None:
    assert callable(build)
    path = build(tmp_path)
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(path, timezone="Europe/London")
    (found,) = damaged(case, path.name)
    assert found.parser == parser
    assert found.text.startswith(f"The file is damaged or incomplete ({code}, 1 warning(s)): ")
    assert case.timeline(), "what was readable before the damage is still read"


def test_a_whole_download_is_not_damaged(tmp_path: Path) -> None:
    path = facebook_zip(tmp_path)
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(path, timezone="Europe/London")
    assert not damaged(case, path.name)


def test_damage_codes_are_the_damage_category() -> None:
    assert set(lim.DAMAGE_CODES) == codes_in(WarningCategory.DAMAGE)
    assert {"count_mismatch", "xml_damaged", "damaged_json", "malformed_json", "unreadable_json"} <= set(lim.DAMAGE_CODES)
    assert len(lim.DAMAGE_CODES) == len(set(lim.DAMAGE_CODES))
