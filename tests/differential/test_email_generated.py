"""Generated variants: RFC 5322 header blocks built by hypothesis (display names plain, quoted with a
comma, quoted and shaped like an address, RFC 2047-encoded; groups; every zone offset, ``-0000``,
trailing comments), read by us and by each peer; sender, recipients and instant must agree. Only
well-formed input is generated, so the peers are authoritative here and nothing is classified."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from email.header import Header
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.differential._email_peers import FIELDS, Sample, agree, message_blobs, ours
from tests.differential._email_peers import PEERS as PEER_FUNCS

_local = st.from_regex(r"[a-z][a-z0-9]{0,7}(\.[a-z0-9]{1,5})?", fullmatch=True)
_domain = st.from_regex(r"[a-z]{1,8}\.(org|net|com)", fullmatch=True)
_word = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@st.composite
def mailbox(draw: st.DrawFn) -> tuple[str, str]:
    """(header text, expected lower-case address)."""
    addr = f"{draw(_local)}@{draw(_domain)}"
    shown = addr if draw(st.booleans()) else addr.upper()
    style = draw(st.sampled_from(["bare", "atoms", "quoted_comma", "quoted_address", "encoded", "comment"]))
    if style == "bare":
        return shown, addr
    if style == "comment":
        return f"{shown} ({draw(_word)})", addr
    first, last = draw(_word), draw(_word)
    if style == "atoms":
        return f"{first} {last} <{shown}>", addr
    if style == "quoted_comma":
        return f'"{last}, {first}" <{shown}>', addr
    if style == "quoted_address":
        return f'"{draw(_local)}@{draw(_domain)}" <{shown}>', addr
    encoded = Header(f"{last}, {first} ü", "utf-8").encode()
    return f"{encoded} <{shown}>", addr


@st.composite
def header_block(draw: st.DrawFn) -> bytes:
    sender, _ = draw(mailbox())
    boxes = draw(st.lists(mailbox(), min_size=1, max_size=4))
    texts = [t for t, _ in boxes]
    if len(texts) > 1 and draw(st.booleans()):  # a named group around some of them
        cut = draw(st.integers(1, len(texts)))
        to = f"{draw(_word)}: {', '.join(texts[:cut])};" + (", " + ", ".join(texts[cut:]) if texts[cut:] else "")
    else:
        to = ", ".join(texts)
    cc = ", ".join(t for t, _ in draw(st.lists(mailbox(), max_size=2)))
    when = datetime(1995, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=draw(st.integers(0, 40 * 365 * 86400)))
    minutes = draw(st.sampled_from([None, *range(-12 * 60, 14 * 60 + 1, 15)]))
    if minutes is None:
        zone = "-0000"
        local = when
    else:
        zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        local = when + timedelta(minutes=minutes)
    date = local.strftime("%a, %d %b %Y %H:%M:%S ") + zone + (" (zone)" if draw(st.booleans()) else "")
    lines = [f"From: {sender}", f"To: {to}"] + ([f"Cc: {cc}"] if cc else []) + [
        f"Date: {date}",
        "Subject: generated",
        "Message-ID: <gen@example.org>",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "generated body",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header_block())
def test_generated_headers_agree_with_every_peer(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.eml"
        path.write_bytes(raw)
        sample = Sample(path, "eml")
        mine = ours(sample, tz="America/New_York").ours  # every generated Date states its zone: the case zone must not matter
        assert len(mine) == 1
        for peer, fn in PEER_FUNCS.items():
            if peer == "mailparser":
                try:
                    import mailparser  # noqa: F401
                except ImportError:
                    continue
            theirs = fn(message_blobs(sample)[0])
            for name in FIELDS:
                if name in ("sender", "recipients", "instant"):
                    got, want = getattr(mine[0], name), getattr(theirs, name)
                    assert agree(name, mine[0], theirs) is not False, (peer, name, raw.decode(), got, want)
