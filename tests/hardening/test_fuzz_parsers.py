"""Fuzzing every registered parser and every sniffer (issue "Hardening", item 1).

Each example mutates a real seed (the project's fixtures, generated databases, and with the
``corpus`` fixture the shared corpus, read in place) or builds an input from a grammar, writes it
to a temporary file, and runs it through every sniffer, ``detect`` and
``cyberevidence.parse(path, format=NAME, warnings=[...])``. The only acceptable failure is a
``CyberEvidenceError`` naming the file; see ``harness.py``. The long run is
``fuzz/run_fuzz.py``; numbers and the crashes found are in docs/hardening.md.

Sized for CI: ``FUZZ_EXAMPLES`` examples per parser (default 40) with fixture seeds, fewer with
corpus seeds; the whole file runs in well under 90 s on two cores.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import check, registry
from .mutators import mutate
from .seeds import CORPUS_GLOBS, seed_files

PARSERS = [p.name for p in registry().all()]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CORPUS_EXAMPLES = max(EXAMPLES // 2, 10)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fixture_seeds(workdir: Path) -> dict[str, list[tuple[Path, bytes]]]:
    return {name: [(p, p.read_bytes()) for p in seed_files(name, workdir / "seeds" / name, corpus=False)] for name in PARSERS}


def _write(workdir: Path, name: str, data: bytes) -> Path:
    """A fresh folder per example (parsers look at siblings), keeping the seed's file name."""
    folder = workdir / "inputs" / str(next(_counter))
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _assert_clean(path: Path, parser: str) -> None:
    outcome = check(path, parser, seconds=20)
    assert outcome.ok, f"{outcome.where}: {outcome.crash}\n(input kept at {path})"


def _fuzz(seeds: list[tuple[Path, bytes]], parser: str, workdir: Path, data: st.DataObject) -> None:
    seed_path, seed = data.draw(st.sampled_from(seeds), label="seed")
    rnd = data.draw(st.randoms(use_true_random=False), label="rnd")
    mutated = mutate(seed_path, seed, rnd)
    _assert_clean(_write(workdir, seed_path.name, mutated), parser)


# -- mutation of real seeds -------------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
@SETTINGS
@given(data=st.data())
def test_mutated_fixture_seeds(
    parser: str, fixture_seeds: dict[str, list[tuple[Path, bytes]]], workdir: Path, data: st.DataObject
) -> None:
    seeds = fixture_seeds[parser]
    if not seeds:
        pytest.skip(f"no fixture seeds for {parser} (outlook_msg and outlook_pst are fuzzed from the corpus)")
    _fuzz(seeds, parser, workdir, data)


@pytest.fixture(scope="module")
def corpus_seeds(workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[tuple[Path, bytes]]]]:
    from .seeds import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not available")
    out: dict[str, list[tuple[Path, bytes]]] = {}
    for name in PARSERS:
        paths = [p for p in seed_files(name, workdir / "cseeds" / name) if CORPUS in p.parents]
        out[name] = [(p, p.read_bytes()) for p in paths]
    yield out


@pytest.mark.corpus
@pytest.mark.parametrize("parser", [p for p in PARSERS if p in CORPUS_GLOBS])
@settings(SETTINGS, max_examples=CORPUS_EXAMPLES)
@given(data=st.data())
def test_mutated_corpus_seeds(
    parser: str, corpus_seeds: dict[str, list[tuple[Path, bytes]]], workdir: Path, data: st.DataObject
) -> None:
    seeds = corpus_seeds[parser]
    if not seeds:
        pytest.skip(f"no corpus seeds for {parser}")
    _fuzz(seeds, parser, workdir, data)


# -- structure-aware generators -----------------------------------------------------------------

_weird_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], min_codepoint=0, max_codepoint=0x1F9FF), max_size=40
) | st.sampled_from(["", " ", "\u200e", "\u202f", "\ufeff", "<Media omitted>", "null", "9" * 60, "A" * 3000])
_int_text = st.integers(min_value=-(10**25), max_value=10**25).map(str)


@st.composite
def whatsapp_chat(draw: st.DrawFn) -> bytes:
    """Lines shaped like Android/iOS exports, with every piece drawn (dates, times, names, text)."""
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        d, m, y = draw(st.integers(0, 40)), draw(st.integers(0, 14)), draw(st.integers(0, 10000))
        h, mi, s = draw(st.integers(0, 30)), draw(st.integers(0, 70)), draw(st.integers(0, 70))
        date = draw(st.sampled_from([f"{d}/{m}/{y}", f"{m}/{d}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}"]))
        time = draw(
            st.sampled_from([f"{h}:{mi:02d}", f"{h}:{mi:02d}:{s:02d}", f"{h}:{mi:02d}\u202fpm", f"{h}:{mi:02d} a.\u00a0m."])
        )
        who, text = draw(_weird_text), draw(_weird_text)
        shape = draw(
            st.sampled_from(
                [
                    "{date}, {time} - {who}: {text}",
                    "[{date}, {time}] {who}: {text}",
                    "{text}",
                    "\u200e[{date} {time}] {who}: {text}",
                ]
            )
        )
        lines.append(shape.format(date=date, time=time, who=who, text=text))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines).encode("utf-8")


_json_leaf = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | _weird_text
_json = st.recursive(
    _json_leaf, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(_weird_text, kids, max_size=4), max_leaves=25
)
_KEYS = [
    "messages", "participants", "sender_name", "timestamp_ms", "content", "name", "type", "id", "chats", "list", "date",
    "date_unixtime", "from", "from_id", "text", "text_entities", "guild", "channel", "author", "timestamp", "Timestamp",
    "Contents", "Received Saved Chat History", "Sent Saved Chat History", "From", "Created", "Media Type", "format", "record",
    "Direct Messages", "ChatHistory", "dmConversation", "conversationId", "createdAt", "senderId", "body", "attachments",
]  # fmt: skip


@st.composite
def shaped_json(draw: st.DrawFn) -> Any:
    """JSON whose keys are the ones the parsers look for, with values of any type and nesting."""

    def obj(depth: int) -> Any:
        if depth > 3 or draw(st.integers(0, 3)) == 0:
            return draw(_json)
        keys = draw(st.lists(st.sampled_from(_KEYS), max_size=6, unique=True))
        out = {k: obj(depth + 1) for k in keys}
        if draw(st.booleans()):
            out["messages"] = [obj(depth + 1) for _ in range(draw(st.integers(0, 3)))]
        return out

    return obj(0)


JSON_PARSERS = [
    p for p in PARSERS if any(mt in ("application/json", "application/javascript") for mt in registry().get(p).media_types)
]


@pytest.mark.parametrize("parser", JSON_PARSERS)
@settings(SETTINGS, max_examples=max(EXAMPLES // 2, 10))
@given(
    doc=shaped_json(),
    wrap=st.sampled_from(["", "window.YTD.direct_messages.part0 = ", "\ufeff"]),
    name=st.sampled_from(
        [
            "result.json",
            "message_1.json",
            "chat_history.json",
            "messages.json",
            "direct-messages.js",
            "user_data.json",
            "Hangouts.json",
        ]
    ),
)
def test_shaped_json(parser: str, workdir: Path, doc: object, wrap: str, name: str) -> None:
    data = (wrap + json.dumps(doc, ensure_ascii=False)).encode("utf-8")
    _assert_clean(_write(workdir, name, data), parser)


@settings(SETTINGS, max_examples=EXAMPLES)
@given(chat=whatsapp_chat(), name=st.sampled_from(["_chat.txt", "WhatsApp Chat with Mark.txt", "chat.md"]))
def test_whatsapp_and_signal_text_grammar(workdir: Path, chat: bytes, name: str) -> None:
    path = _write(workdir, name, chat)
    for parser in ("whatsapp", "signal_export"):
        _assert_clean(path, parser)


_attr = _weird_text.map(lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")) | _int_text


@st.composite
def sms_xml(draw: st.DrawFn) -> bytes:
    """SMS Backup & Restore XML with every attribute value drawn; sms, mms (with parts) and calls."""
    root = draw(st.sampled_from(["smses", "calls"]))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        names = ["address", "date", "type", "body", "contact_name", "readable_date", "number", "duration", "date_sent", "m_type"]
        attrs = {k: draw(_attr) for k in draw(st.lists(st.sampled_from(names), unique=True))}
        text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
        tag = draw(st.sampled_from(["sms", "mms", "call"]))
        if tag == "mms" and draw(st.booleans()):
            ct = draw(st.sampled_from(["text/plain", "image/jpeg", "application/smil"]))
            data = draw(st.sampled_from(["", "AAAA", "!!!!", "/9j/"]))
            part = f'<part seq="{draw(_int_text)}" ct="{ct}" text="{draw(_attr)}" data="{data}" />'
            rows.append(
                f'<mms {text}><parts>{part}</parts><addrs><addr address="{draw(_attr)}" type="{draw(_int_text)}" /></addrs></mms>'
            )
        else:
            rows.append(f"<{tag} {text} />")
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} count="{draw(_int_text)}">\n' + "\n".join(rows) + f"\n</{root}>\n"
    return body.encode("utf-8")


@settings(SETTINGS, max_examples=EXAMPLES)
@given(doc=sms_xml())
def test_sms_backup_grammar(workdir: Path, doc: bytes) -> None:
    _assert_clean(_write(workdir, "sms-20251104183000.xml", doc), "sms_backup")


@st.composite
def email_message(draw: st.DrawFn) -> bytes:
    """A header block with drawn values (raw 8-bit bytes, encoded-words, odd dates) and a body."""

    def value() -> bytes:
        base = draw(_weird_text).encode("utf-8")
        return draw(st.sampled_from([
            base,
            b"=?" + draw(st.sampled_from([b"utf-8", b"iso-8859-1", b"x-unknown", b"\xff\xfe", b"utf-7"])) + b"?"
            + draw(st.sampled_from([b"Q", b"B", b"X"])) + b"?" + base.replace(b"?", b"") + b"?=",
            base + draw(st.binary(max_size=8)),
        ]))  # fmt: skip

    names = [b"From", b"To", b"Cc", b"Subject", b"Date", b"Message-ID", b"References", b"In-Reply-To", b"Received",
             b"X-GM-THRID", b"Content-Type", b"Content-Transfer-Encoding", b"Authentication-Results"]  # fmt: skip
    lines = [draw(st.sampled_from(names)) + b": " + value() for _ in range(draw(st.integers(1, 12)))]
    body = draw(st.binary(max_size=200))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@settings(SETTINGS, max_examples=EXAMPLES)
@given(msg=email_message())
def test_email_grammar(workdir: Path, msg: bytes) -> None:
    _assert_clean(_write(workdir, "message.eml", msg), "email_message")
    _assert_clean(_write(workdir, "mail.mbox", b"From sender@example.com Sat Oct  4 22:10:00 2025\n" + msg), "mbox")


@settings(SETTINGS, max_examples=EXAMPLES)
@given(blob=st.binary(max_size=4096), name=st.sampled_from(["x.bin", "chat.db", "a.zip", "result.json", "msgstore.db", "x.msg"]))
def test_random_bytes_through_every_sniffer_and_parser(workdir: Path, blob: bytes, name: str) -> None:
    path = _write(workdir, name, blob)
    rnd = random.Random(blob)
    for parser in rnd.sample(PARSERS, 4):
        _assert_clean(path, parser)
