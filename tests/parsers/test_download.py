"""The shared data-download machinery: layout patterns, safe member iteration, numeric order."""

from __future__ import annotations

import zipfile
from pathlib import Path

from cyberevidence.archive import SafeZip
from cyberevidence.events import ParseWarning
from cyberevidence.hashing import hash_bytes
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.kit.inputs import Member, MemberPatterns, iter_zip_members, numeric_order, zip_has
from cyberevidence.standalone import HashOnlyContext, source_file_for

INBOX = MemberPatterns(("**/messages/inbox/*/message_*.json",))


def test_patterns_match_old_and_new_layouts_case_insensitively() -> None:
    assert INBOX.matches("messages/inbox/mark_abc/message_1.json")
    assert INBOX.matches("your_activity_across_facebook/messages/inbox/mark_abc/message_2.json")
    assert INBOX.matches("Your_Facebook_Activity/Messages/Inbox/Mark_abc/Message_10.JSON")
    assert not INBOX.matches("messages/inbox/mark_abc/photos/message_1.json.jpg")
    assert not INBOX.matches("messages/archived_threads/mark_abc/message_1.json")


def test_numeric_order_puts_10_after_9() -> None:
    paths = ["t/message_10.json", "t/message_2.json", "t/message_1.json"]
    assert sorted(paths, key=numeric_order) == ["t/message_1.json", "t/message_2.json", "t/message_10.json"]


def test_members_are_derived_in_order_and_hostile_ones_refused(tmp_path: Path) -> None:
    path = tmp_path / "facebook-sarah.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("messages/inbox/mark/message_10.json", b'{"n": 10}')
        zf.writestr("messages/inbox/mark/message_9.json", b'{"n": 9}')
        zf.writestr("../messages/inbox/evil/message_1.json", b"{}")
        zf.writestr("profile_information/profile_information.json", b"{}")
    source = source_file_for(path)
    assert zip_has(source, path.read_bytes()[:4], INBOX, at_least=2)
    ctx = HashOnlyContext(ParseOptions())
    with SafeZip(path) as zf:
        items = list(iter_zip_members(zf, source, ctx, INBOX))
        members = [i for i in items if isinstance(i, Member)]
        assert [m.path for m in members] == ["messages/inbox/mark/message_9.json", "messages/inbox/mark/message_10.json"]
        assert members[1].read_bytes() == b'{"n": 10}'
        assert members[1].ref.sha256 == hash_bytes(b'{"n": 10}')["sha256"]
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    assert [w.code for w in warnings] == ["rejected_member"] and ".." in warnings[0].message
    assert [d[1] for d in ctx.derived] == [m.path for m in members]


def test_a_star_stays_within_one_folder() -> None:
    pats = MemberPatterns(("*.js", "**/messages/c*/messages.json"))
    assert pats.matches("account.js") and not pats.matches("assets/js/x.js")
    assert pats.matches("package/messages/c123/messages.json")
    assert not pats.matches("messages/c1/x/messages.json")
