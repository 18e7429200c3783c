"""Outlook .pst through the optional libpff-python: real parsing when installed, a clear error when not.

SOURCES.md does not verify the .pst contents (no PST library was installed there); the items
asserted here were read with libpff (the same library) and match the .msg twins from the same
upstream projects (msgreader_attach_and_inline.msg, msgreader_msg_in_msg.msg).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberevidence.errors import ParseError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import outlook_pst
from cyberevidence.parsers.base import ParseOptions
from cyberevidence.parsers.outlook_pst import PARSER
from cyberevidence.standalone import HashOnlyContext, parse, source_file_for

HAVE_PYPFF = outlook_pst.load_pypff() is not None


def listed(corpus: Path, folder: str) -> list[str]:
    """The file names SOURCES.tsv lists under ``email/<folder>/``."""
    with open(corpus / "SOURCES.tsv", encoding="utf-8") as fh:
        paths = [line.split("\t", 1)[0] for line in fh]
    return sorted(p.rsplit("/", 1)[1] for p in paths if p.startswith(f"email/{folder}/"))


@pytest.fixture
def psts(corpus: Path) -> Path:
    return corpus / "email" / "pst"


def run(path: Path) -> tuple[list[Event], list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    return list(parse(path, timezone="UTC", warnings=warnings)), warnings


def test_every_corpus_pst_is_sniffed(corpus: Path, psts: Path) -> None:
    files = sorted(psts.iterdir())
    assert files and [p.name for p in files] == listed(corpus, "pst")  # every file listed, every listed file there
    for path in files:
        assert PARSER.sniff(source_file_for(path), path.read_bytes()[:65536]), path.name
        if HAVE_PYPFF:
            events, warnings = run(path)
            assert events and all(e.platform == "email" for e in events), path.name
            assert all(w.locator for w in warnings), path.name


def test_without_libpff_the_error_says_what_to_install(psts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outlook_pst, "load_pypff", lambda: None)
    path = psts / "rubymsg_msgInMsg.pst"
    with pytest.raises(ParseError) as info:
        list(PARSER.parse(source_file_for(path), HashOnlyContext(ParseOptions())))
    assert "cyberevidence[pst]" in info.value.hint and "not installed" in str(info.value)


@pytest.mark.skipif(not HAVE_PYPFF, reason="libpff-python is not installed (pip install 'cyberevidence[pst]')")
def test_attach_and_inline_pst(psts: Path) -> None:
    events, warnings = run(psts / "rubymsg_attachAndInline.pst")
    assert len(events) == 1
    e = events[0]
    assert e.extra["subject"] == "Attach and inline" and e.kind == "email"
    assert [a.name for a in e.attachments] == ["attach.png", "image001.png"]
    assert e.recipients == ["xmailuser@xmailserver.test"]
    assert e.source.locator == "/Outlook データ ファイルのトップ/message[0]"
    assert e.timestamp_utc == "2021-07-27T22:19:50.992Z"  # same as the .msg twin
    assert warnings == []


@pytest.mark.skipif(not HAVE_PYPFF, reason="libpff-python is not installed (pip install 'cyberevidence[pst]')")
def test_msg_in_msg_pst(psts: Path) -> None:
    events, warnings = run(psts / "rubymsg_msgInMsg.pst")
    assert [e.extra["subject"] for e in events] == ["I have attachments!"]
    assert [a.name for a in events[0].attachments] == ["Microsoft Outlook テスト メッセージ", "green.png"]
    assert [w.code for w in warnings] == ["pst_embedded_not_expanded"]


@pytest.mark.skipif(not HAVE_PYPFF, reason="libpff-python is not installed (pip install 'cyberevidence[pst]')")
def test_dist_list_pst(psts: Path) -> None:
    events, _ = run(psts / "javalibpst_dist-list.pst")
    got = [(e.extra.get("folder"), e.extra.get("message_class"), e.extra.get("subject"), e.kind) for e in events]
    assert got == [
        ("/Top of Personal Folders/Calendar", "IPM.Appointment", "Test appointment", "system"),
        ("/Top of Personal Folders/Contacts", "IPM.DistList", "test dist list", "system"),
        ("/Top of Personal Folders/Contacts", "IPM.Contact", "contact name 1", "system"),
        ("/Freebusy Data", "IPM.Microsoft.ScheduleData.FreeBusy", "LocalFreebusy", "system"),
    ]
