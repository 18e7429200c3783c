"""The parser registry, and the rule that each source is one module with its metadata, docs and tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cyberevidence.errors import UnknownFormatError
from cyberevidence.events import Event, ParseWarning
from cyberevidence.parsers import ParserRegistry, builtin_parsers, default_registry
from cyberevidence.parsers.base import ParseContext, ParserInfo, SourceFile, Strength

REPO = Path(__file__).resolve().parents[1]


def _never(source: SourceFile, head: bytes) -> bool:
    return False


def _nothing(source: SourceFile, ctx: ParseContext) -> Iterator[Event | ParseWarning]:
    return iter(())


def test_builtin_parsers_are_found_without_a_list() -> None:
    names = {p.name for p in builtin_parsers()}
    assert "whatsapp" in names


@pytest.mark.parametrize("info", builtin_parsers(), ids=lambda p: p.name)
def test_each_parser_has_metadata_docs_and_tests(info: ParserInfo) -> None:
    assert info.name and info.platform and info.description and info.formats
    assert callable(info.sniff) and callable(info.parse)
    assert (REPO / "docs" / "formats" / f"{info.name}.md").is_file(), "document the format and its rules"
    assert list((REPO / "tests" / "parsers").glob(f"test_{info.name}*.py")), "each parser has its own tests"
    assert info.sniff(SourceFile(Path("/dev/null"), "0" * 64, "empty", 0), b"") is False


def test_registry_rejects_duplicate_names_and_unknown_lookups() -> None:
    a = ParserInfo("x", "p", "d", ("f",), _never, _nothing)
    reg = ParserRegistry([a])
    with pytest.raises(ValueError, match="both named"):
        reg.register(a)
    with pytest.raises(UnknownFormatError, match="no parser called 'y'"):
        reg.get("y")


def test_registries_are_independent() -> None:
    one, two = default_registry(), default_registry()
    one.register(ParserInfo("extra", "p", "d", ("f",), _never, _nothing))
    assert "extra" in one and "extra" not in two


def test_sniff_order_follows_strength_then_name() -> None:
    strong = ParserInfo("b-strong", "p", "d", ("f",), _never, _nothing, strength=Strength.OWN_STRUCTURE)
    weak = ParserInfo("a-weak", "p", "d", ("f",), _never, _nothing, strength=Strength.MEDIA_TYPE)
    same = ParserInfo("a-same", "p", "d", ("f",), _never, _nothing, strength=Strength.OWN_STRUCTURE)
    assert [p.name for p in ParserRegistry([weak, strong, same]).all()] == ["a-same", "b-strong", "a-weak"]


# -- sources declare themselves (issue 16) ------------------------------------------------


def test_declarations_default_to_nothing_but_the_platform() -> None:
    info = ParserInfo("x", "p", "d", ("f",), _never, _nothing)
    assert info.platforms == ("p",) and not info.one_sided and info.source_limits is None
    assert info.identity_keys == () and not info.photo_facts and not info.case_records and info.fixtures == ()
    both = ParserInfo("y", "p", "d", ("f",), _never, _nothing, platforms=("q",))
    assert both.platforms == ("p", "q")  # the main platform always first


def test_the_registry_answers_from_the_declarations() -> None:
    a = ParserInfo("a", "p", "d", ("f",), _never, _nothing, identity_keys=("user_id", "jid"))
    b = ParserInfo("b", "p", "d", ("f",), _never, _nothing, identity_keys=("jid", "handle"), photo_facts=True)
    reg = ParserRegistry([a, b])
    assert reg.identity_keys() == ("user_id", "jid", "handle")
    assert reg.photo_parser() == "b" and ParserRegistry([a]).photo_parser() is None


def test_the_builtin_declarations_are_what_the_readers_used_to_list() -> None:
    """The facts that lived in limitations.py, resolve.py and ingest.py, now declared by each source."""
    reg = default_registry(include_plugins=False)
    assert set(reg.identity_keys()) == {"from_id", "sender_id", "sender_jid", "sender_username", "author_id", "sender_service_id"}
    assert {p.name for p in reg.all() if p.one_sided} == {"discord", "facebook", "instagram"}
    assert [p.name for p in reg.all() if p.own_messages_only] == ["discord"]
    assert [p.name for p in reg.all() if p.source_limits] == ["whatsapp"]
    assert reg.photo_parser() == "photo" and [p.name for p in reg.all() if p.case_records] == ["case_record"]
    assert reg.get("google_takeout").platforms == ("google_chat", "hangouts")
    assert reg.get("sms_backup").platforms == ("sms", "phone")
