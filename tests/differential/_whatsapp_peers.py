"""WhatsApp text exports: our parser and three independent ones, reduced to the facts compared.

Peers (none is imported by the library):

* ``chatminer``: chat-miner (PyPI ``chat-miner``, MIT), ``WhatsAppParser(path).parse_file()``;
* ``whatstk``: whatstk (PyPI, GPL-3.0: tests and benchmarks only), ``WhatsAppChat.from_source`` with
  its own header detection (``auto_header``);
* ``node``: the npm package ``whatsapp-chat-parser`` (MIT) through Node (``wa_chat_parser.cjs``),
  installed by ``scripts/_node_deps.sh`` into ``$CYBEREVIDENCE_NODE_DIR`` (default
  ``~/.cache/cyberevidence-node``).

Each side gives a list of :class:`Msg` in file order: the messages a *person* wrote (ours: events of
kind ``message`` or ``call``; a peer: rows with an author). Compared per sample: ``count``; then,
when the counts agree, message by message: ``sender`` (direction marks and the iOS ``~ `` removed,
NFKC), ``instant`` (the wall-clock minute: ours is read with the case zone UTC, the peers' naive
times are the same wall clock), ``text`` (NFKC, direction marks removed, whitespace collapsed:
chat-miner joins continuation lines with spaces) and, for the peer that reads them (``node``),
``attachments`` (the peer's file name must be one of ours).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tests.differential._tally import Tally

from cyberevidence.errors import CyberEvidenceError
from cyberevidence.parsers.base import DateOrder
from cyberevidence.standalone import parse

PEERS = ("chatminer", "whatstk", "node")
NODE_SCRIPT = Path(__file__).with_name("wa_chat_parser.cjs")
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Msg:
    sender: str
    instant: str  # "YYYY-MM-DD HH:MM", wall clock
    text: str
    attachments: tuple[str, ...] = ()


@dataclass
class Reading:
    """One side's reading of one sample: its messages, or why it has none."""

    messages: list[Msg] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Disagreement:
    sample: str
    index: int  # -1 for the count
    field: str
    peer: str
    ours: str
    theirs: str


def norm_sender(name: str) -> str:
    name = unicodedata.normalize("NFKC", _MARKS.sub("", name)).strip()
    if name.startswith("~"):
        name = name[1:].strip()
    return name


def norm_text(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", _MARKS.sub("", text))).strip()


def minute(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


# -- availability -------------------------------------------------------------------------------


def node_dir() -> Path:
    return Path(os.environ.get("CYBEREVIDENCE_NODE_DIR", Path.home() / ".cache" / "cyberevidence-node"))


def unavailable(peer: str) -> str:
    """Why ``peer`` cannot run here ('' when it can)."""
    if peer == "chatminer" and importlib.util.find_spec("chatminer") is None:
        return "chat-miner is not installed (pip install chat-miner; it is in the 'test' extra)"
    if peer == "whatstk" and importlib.util.find_spec("whatstk") is None:
        return "whatstk is not installed (pip install whatstk; GPL-3.0, in the 'test' extra for tests only)"
    if peer == "node":
        if shutil.which("node") is None:
            return "node is not installed (Debian: apt-get install nodejs; scripts/_node_deps.sh)"
        if not (node_dir() / "node_modules" / "whatsapp-chat-parser").is_dir():
            return f"the npm package whatsapp-chat-parser is not installed in {node_dir()} (run scripts/_node_deps.sh)"
    return ""


# -- the readings ---------------------------------------------------------------------------------


def ours(path: Path, date_order: DateOrder | None = None) -> Reading:
    try:
        events = list(parse(path, timezone="UTC", date_order=date_order, format="whatsapp", warnings=[]))
    except CyberEvidenceError as exc:
        return Reading(error=f"refused: {type(exc).__name__}")
    return Reading(
        [
            Msg(norm_sender(e.sender), minute(e.timestamp), norm_text(e.text), tuple(a.name for a in e.attachments))
            for e in events
            if e.kind in ("message", "call") and e.timestamp is not None
        ]
    )


def chatminer(path: Path) -> Reading:
    os.environ["TQDM_DISABLE"] = "1"
    logging.disable(logging.WARNING)
    from chatminer.chatparsers import WhatsAppParser

    try:
        parser = WhatsAppParser(str(path))
        parser.parse_file()
        rows = parser.parsed_messages.get_df().to_dicts()
    except Exception as exc:  # a peer's failure is a fact to compare, not a test error
        return Reading(error=f"failed: {type(exc).__name__}")
    finally:
        logging.disable(logging.NOTSET)
    rows.reverse()  # it reads the file from the end
    return Reading([Msg(norm_sender(r["author"]), minute(r["timestamp"]), norm_text(r["message"] or "")) for r in rows])


def whatstk(path: Path) -> Reading:
    from whatstk.whatsapp.objects import WhatsAppChat

    try:
        df = WhatsAppChat.from_source(filepath=str(path)).df
    except Exception as exc:
        return Reading(error=f"failed: {type(exc).__name__}")
    return Reading(
        [
            Msg(norm_sender(str(u)), minute(d.to_pydatetime()), norm_text(str(m)))
            for d, u, m in zip(df["date"], df["username"], df["message"], strict=True)
        ]
    )


def node_batch(paths: list[Path]) -> dict[Path, Reading]:
    env = {**os.environ, "TZ": "UTC", "WA_PARSER_DIR": str(node_dir())}
    done = subprocess.run(
        ["node", str(NODE_SCRIPT), *map(str, paths)], capture_output=True, text=True, env=env, timeout=300, check=True
    )
    raw = json.loads(done.stdout)
    result: dict[Path, Reading] = {}
    for p in paths:
        rows = raw[str(p)]
        if isinstance(rows, dict):
            result[p] = Reading(error=f"failed: {rows['error'][:80]}")
            continue
        result[p] = Reading(
            [
                Msg(
                    norm_sender(r["author"]),
                    r["date"][:16].replace("T", " ") if r["date"] else "invalid",
                    norm_text(r["message"]),
                    (r["attachment"],) if r["attachment"] else (),
                )
                for r in rows
                if r["author"] is not None
            ]
        )
    return result


def _only(x: list[Msg], y: list[Msg]) -> list[str]:
    """Messages of ``x`` (sender, minute, start of text) with no equal in ``y``: what a count difference is made of."""
    rest = Counter((m.sender, m.instant, m.text) for m in y)
    out = []
    for m in x:
        k = (m.sender, m.instant, m.text)
        if rest[k]:
            rest[k] -= 1
        else:
            out.append(f"[{m.sender}|{m.instant}|{m.text[:40]}]")
    return out[:4]


# -- comparing ------------------------------------------------------------------------------------


def compare(label: str, peer: str, a: Reading, b: Reading) -> Tally:
    t = Tally()

    def check(index: int, name: str, mine: object, theirs: object, same: bool) -> None:
        t.compared += 1
        if same:
            t.agreed += 1
        else:
            t.disagreements.append(Disagreement(label, index, name, peer, str(mine)[:200], str(theirs)[:200]))

    if a.error or b.error or len(a.messages) != len(b.messages):
        mine = a.error or len(a.messages)
        theirs = b.error or len(b.messages)
        only_a, only_b = _only(a.messages, b.messages), _only(b.messages, a.messages)
        check(-1, "count", f"{mine} {only_a}" if only_a else mine, f"{theirs} {only_b}" if only_b else theirs, False)
        return t
    check(-1, "count", len(a.messages), len(b.messages), True)
    for i, (x, y) in enumerate(zip(a.messages, b.messages, strict=True)):
        check(i, "sender", x.sender, y.sender, x.sender == y.sender)
        check(i, "instant", x.instant, y.instant, x.instant == y.instant)
        check(i, "text", x.text, y.text, x.text == y.text)
        if peer == "node" and y.attachments:
            check(i, "attachments", x.attachments, y.attachments, set(y.attachments) <= set(x.attachments))
    return t
