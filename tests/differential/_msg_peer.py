"""The Outlook ``.msg`` differential: our ``outlook_msg`` parser against ``extract-msg``, reduced to the same facts.

Peer: PyPI ``extract-msg`` (GPL-3.0, in the ``test`` extra only; never imported by the library),
``extract_msg.openMsg``. Fields compared (``docs/differential.md``, "Outlook .msg"):

* ``sender``: the peer's ``sender`` header value parsed as an address (addr-spec, lower-case);
* ``recipients``: the peer's recipient storages (``recipients``: To, then Cc, then Bcc, each in storage
  order), addr-specs lower-cased, duplicates dropped;
* ``instant``: the peer's ``date`` as UTC;
* ``subject``: exactly;
* ``text``: the peer's plain ``body``, whitespace collapsed, must be inside our text;
* ``attachments``: each attachment of the peer as (name, SHA-256 of its data) must be among ours;
  an embedded message (its data is a message, not bytes) by name only.

A field the peer cannot tell (missing, or it raised) is ``None`` and not compared.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from tests.differential._tally import Tally

from cyberevidence.standalone import parse

FIELDS = ("sender", "recipients", "instant", "subject", "text", "attachments")
_WS = re.compile(r"\s+")


def have_extract_msg() -> bool:
    try:
        import extract_msg  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Facts:
    """What one parser says about one .msg; ``None`` = this parser cannot tell."""

    sender: str | None = None
    recipients: tuple[str, ...] | None = None
    instant: datetime | None = None
    subject: str | None = None
    text: str | None = None
    attachments: frozenset[tuple[str, str]] | None = None  # (name, sha256 or "" when only the name is comparable)


def norm(text: str) -> str:
    return _WS.sub(" ", text.replace("\ufeff", "").replace("\x00", "")).strip()


def _dedupe(addrs: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for a in addrs:
        if a and a not in out:
            out.append(a)
    return tuple(out)


def ours(path: Path) -> Facts | None:
    """Our reading, the parser chosen by detection (never forced); ``None`` when it gives no single message."""
    try:
        events = list(parse(path, timezone="UTC"))
    except Exception:
        return None
    if len(events) != 1:
        return None
    e = events[0]
    return Facts(
        sender=(e.sender or "").lower() or None,
        recipients=_dedupe([r.lower() for r in e.recipients]),
        instant=e.timestamp,
        subject=str(e.extra.get("subject", "")),
        text=norm(e.text),
        attachments=frozenset((a.name, a.sha256) for a in e.attachments),
    )


def _addr(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    found = [a.strip().lower() for _, a in getaddresses([value]) if a.strip()]
    return found[0] if found else None


def peer(path: Path) -> Facts:
    """extract-msg's reading of ``path``."""
    import extract_msg

    msg = extract_msg.openMsg(str(path))
    try:
        return _facts(msg)
    finally:
        msg.close()


def _try(fn: Any) -> Any:
    try:
        return fn()
    except Exception:
        return None


def _facts(msg: Any) -> Facts:
    sender = _try(lambda: _addr(msg.sender))
    recipients: tuple[str, ...] | None = None
    rows = _try(lambda: list(msg.recipients))
    if rows is not None:
        typed = sorted(enumerate(rows), key=lambda ir: (int(getattr(ir[1], "type", 1) or 1), ir[0]))
        recipients = _dedupe([str(r.email or "").strip().lower() for _, r in typed])
    when = _try(lambda: msg.date)
    instant = when.astimezone(UTC) if isinstance(when, datetime) and when.tzinfo else None
    subject = _try(lambda: msg.subject)
    body = _try(lambda: msg.body)
    atts: set[tuple[str, str]] | None = set()
    for a in _try(lambda: list(msg.attachments)) or []:
        name = _try(lambda a=a: a.longFilename or a.shortFilename or a.name) or ""
        data = _try(lambda a=a: a.data)
        if isinstance(data, bytes):
            atts.add((str(name), hashlib.sha256(data).hexdigest()))  # type: ignore[union-attr]
        elif name:
            atts.add((str(name), ""))  # type: ignore[union-attr]
    return Facts(
        sender=sender,
        recipients=recipients,
        instant=instant,
        subject=subject if isinstance(subject, str) else None,
        text=norm(body) if isinstance(body, str) and norm(body) else None,
        attachments=frozenset(atts) if atts is not None else None,
    )


def agree(name: str, mine: Facts, theirs: Facts) -> bool | None:
    """True/False, or ``None`` when the peer cannot tell."""
    want, got = getattr(theirs, name), getattr(mine, name)
    if want is None:
        return None
    if name == "attachments":
        pairs = set(got or ())
        names = {n for n, _ in pairs}
        return all((n, h) in pairs if h else n in names for n, h in want)
    if name == "text":
        return got is not None and want in got
    if name == "recipients" and not want:
        return True  # the peer found none; ours may keep more
    return bool(got == want)


@dataclass(frozen=True)
class Disagreement:
    sample: str
    field: str
    ours: str
    theirs: str


def compare(path: Path, label: str) -> Tally:
    tally = Tally()
    mine = ours(path)
    try:
        theirs = peer(path)
    except Exception:  # a peer crash is not our disagreement: it cannot tell
        theirs = Facts()
    tally.compared += 1
    if mine is None:
        tally.disagreements.append(Disagreement(label, "count", "not one message", "1"))
        return tally
    tally.agreed += 1
    for name in FIELDS:
        verdict = agree(name, mine, theirs)
        if verdict is None:
            continue
        tally.compared += 1
        if verdict:
            tally.agreed += 1
        else:
            tally.disagreements.append(
                Disagreement(label, name, repr(getattr(mine, name))[:300], repr(getattr(theirs, name))[:300])
            )
    return tally


def corpus_samples(corpus: Path) -> list[tuple[Path, str]]:
    """Every ``.msg`` the corpus lists (``email/msg/``), with its label ``corpus/<path>``."""
    folder = corpus / "email" / "msg"
    return [(p, f"corpus/{p.relative_to(corpus).as_posix()}") for p in sorted(folder.glob("*.msg"))] if folder.is_dir() else []
