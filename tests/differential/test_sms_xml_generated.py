"""Generated SMS Backup & Restore backups: SMS and call records built by hypothesis (international and
national numbers, short codes, incoming and outgoing types, bodies with XML specials, emoji, newlines and
non-Latin text, dates across 1995-2035 in milliseconds), written as the app writes them (attributes
escaped by lxml), read by us and by the lxml peer: every field must agree. Only well-formed input is
generated, so the peer is authoritative here and nothing is classified."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.differential._sms_xml_peer import compare

_MS = st.integers(min_value=788_918_400_000, max_value=2_051_222_400_000)  # 1995-01-01 .. 2035-01-01
_NUMBER = st.one_of(
    st.from_regex(r"\+44 ?7700 ?900[0-9]{3}", fullmatch=True),
    st.from_regex(r"07700 ?900[0-9]{3}", fullmatch=True),
    st.from_regex(r"[0-9]{5}", fullmatch=True),  # a short code
)
_BODY = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\u2028\u2029")
    | st.sampled_from(["\n", "&", "<", ">", '"', "'", "😀", "ü", "д"]),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() == t and t != "null")


@st.composite
def record(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    if draw(st.booleans()):
        return "sms", {
            "protocol": "0",
            "address": draw(_NUMBER),
            "date": str(draw(_MS)),
            "type": draw(st.sampled_from(["1", "2"])),
            "body": draw(_BODY),
            "read": "1",
        }
    return "call", {
        "number": draw(_NUMBER),
        "duration": str(draw(st.integers(0, 3600))),
        "date": str(draw(_MS)),
        "type": draw(st.sampled_from(["1", "2", "3"])),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record(), min_size=1, max_size=6), st.booleans())
def test_generated_backups_agree(records: list[tuple[str, dict[str, str]]], calls_root: bool) -> None:
    tag = "calls" if calls_root else "smses"
    kept = [(t, a) for t, a in records if (t == "call") == calls_root] or [records[0]]
    root = etree.Element(tag, count=str(len(kept)))
    for t, attrs in kept:
        etree.SubElement(root, t, attrs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{tag}-20251104183000.xml"
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
        tally = compare(path, "generated")
    assert tally.disagreements == [], tally.disagreements
