"""The e-mail family's differential harness: our parsers and two independent peers, reduced to the
same comparable facts.

Peers (never imported by the library):

* ``stdlib``: Python's :mod:`email` with ``policy.default`` (``headerregistry`` address lists,
  :func:`email.utils.parsedate_to_datetime`), and :class:`mailbox.mbox` to split a mailbox;
* ``mailparser``: PyPI ``mail-parser`` (Apache-2.0), fed each message's bytes (it has no mbox reader,
  so a mailbox is split by :class:`mailbox.mbox` for it too).

Fields compared per message (``docs/differential.md``): ``count`` (per sample), ``sender``,
``recipients`` (To, Cc, Bcc addresses in order, lower-cased, duplicates dropped), ``instant`` (the
Date header as UTC; a zone-less date is read in the test's case zone, UTC), ``attachments`` (the
peer's named attachments as (name, SHA-256): each must be among ours), ``text`` (each of the
peer's ``text/plain`` parts, whitespace collapsed, must be inside our text). A peer that cannot
tell (no Date, no plain body, an exception) gives ``None`` and the field is not compared for it.
When the counts differ, the messages of that sample are not compared one by one (they no
longer line up); only the count disagreement is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import mailbox
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from tests.differential._tally import Tally

from cyberevidence.events import Event, ParseWarning
from cyberevidence.standalone import parse

#: mail-parser's invented name for an unnamed text/RTF part (``random_string()`` + ``.txt``/``.rtf``)
_INVENTED = re.compile(r"^[a-z]{10}\.(?:txt|rtf)$")
FIELDS = ("sender", "recipients", "instant", "attachments", "text")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Facts:
    """What one parser says about one message; ``None`` = this parser cannot tell."""

    sender: str | None = None
    recipients: tuple[str, ...] | None = None
    instant: datetime | None = None
    attachments: frozenset[tuple[str, str]] | None = None  # (name, sha256 or "" when only the name is comparable)
    text: tuple[str, ...] | None = None  # ours: one string; a peer: its text/plain parts


@dataclass
class Sample:
    path: Path
    family: str  # "eml" or "mbox"
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.path.name


@dataclass
class Outcome:
    ours: list[Facts] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def norm_text(text: str) -> str:
    return _WS.sub(" ", text.replace("\ufeff", "")).strip()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dedupe(addrs: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for a in addrs:
        if a and a not in out:
            out.append(a)
    return tuple(out)


# -- ours -----------------------------------------------------------------------------------


def ours(sample: Sample, tz: str = "UTC") -> Outcome:
    """Our reading, with the parser chosen by detection (as a user gets it), never forced."""
    warnings: list[ParseWarning] = []
    try:
        events = list(parse(sample.path, timezone=tz, warnings=warnings))
    except Exception:  # no parser claims it (or one crashed): zero messages, which the count shows
        events = []
    out = Outcome(warnings=warnings, events=events)
    for e in events:
        unnamed = {f"part{k}" for k in e.extra.get("unnamed_parts", [])}
        atts = frozenset((a.name, a.sha256) for a in e.attachments if a.name.rsplit(".", 1)[0] not in unnamed)
        out.ours.append(
            Facts(
                sender=e.sender,
                recipients=tuple(e.recipients),
                instant=e.timestamp,
                attachments=atts,
                text=(norm_text(e.text),),
            )
        )
    return out


# -- splitting a mailbox (both peers) -------------------------------------------------------


def message_blobs(sample: Sample) -> list[bytes]:
    if sample.family == "eml":
        return [sample.path.read_bytes()]
    box = mailbox.mbox(str(sample.path), create=False)
    try:
        return [box.get_bytes(key) for key in box.iterkeys()]
    finally:
        box.close()


# -- peer 1: the standard library with policy.default --------------------------------------


def _addr_specs(msg: EmailMessage, name: str) -> list[str]:
    out: list[str] = []
    for header in msg.get_all(name, []) or []:
        try:
            addresses = header.addresses
        except Exception:
            continue
        out.extend(a.addr_spec.lower() for a in addresses if a.addr_spec and a.addr_spec != "<>")
    return out


def _instant(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # zone-less (and, in Python 3.11, -0000): the case zone is UTC here
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def stdlib_facts(data: bytes) -> Facts:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(msg, EmailMessage)
    try:
        senders = _addr_specs(msg, "from") or _addr_specs(msg, "sender")
        sender: str | None = senders[0] if senders else None
    except Exception:
        sender = None
    try:
        recipients: tuple[str, ...] | None = _dedupe([*_addr_specs(msg, "to"), *_addr_specs(msg, "cc"), *_addr_specs(msg, "bcc")])
    except Exception:
        recipients = None
    try:
        raw_date = msg.get("date")
        instant = _instant(str(raw_date) if raw_date is not None else None)
    except Exception:
        instant = None
    atts: set[tuple[str, str]] = set()
    plain: list[str] = []
    try:
        for part in msg.walk():
            if part.is_multipart():
                continue
            name = part.get_filename()
            if name:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    atts.add((str(name), sha(payload)))
                continue
            if part.get_content_type() == "text/plain" and part.get_content_disposition() != "attachment":
                try:
                    plain.append(str(part.get_content()))
                except Exception:
                    continue
        attachments: frozenset[tuple[str, str]] | None = frozenset(atts)
    except Exception:
        attachments = None
    text = tuple(t for t in (norm_text(x) for x in plain) if t)
    return Facts(sender=sender, recipients=recipients, instant=instant, attachments=attachments, text=text or None)


# -- peer 2: mail-parser --------------------------------------------------------------------


def have_mailparser() -> bool:
    try:
        import mailparser  # noqa: F401
    except ImportError:
        return False
    return True


def _mp_addrs(value: Any) -> list[str]:
    out: list[str] = []
    for item in value or []:
        if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[1], str):
            out.append(item[1].strip().lower())
    return out


def mailparser_facts(data: bytes) -> Facts:
    import mailparser

    mail = mailparser.parse_from_bytes(data)
    senders = _mp_addrs(mail.from_)
    recipients = _dedupe([*_mp_addrs(mail.to), *_mp_addrs(mail.cc), *_mp_addrs(getattr(mail, "bcc", []))])
    instant = mail.date if isinstance(mail.date, datetime) else None
    if instant is not None:  # mail-parser gives naive UTC (the offset is kept apart, in .timezone)
        instant = instant.replace(tzinfo=timezone.utc)
    atts: set[tuple[str, str]] = set()
    for a in mail.attachments or []:
        name = a.get("filename")
        if not name or (_INVENTED.match(str(name)) and str(name).encode() not in data):
            continue  # mail-parser names an unnamed text part with 10 random letters: not the message's name
        if a.get("binary"):
            try:
                atts.add((str(name), sha(base64.b64decode(a.get("payload", "")))))
            except (ValueError, TypeError):
                atts.add((str(name), ""))
        else:  # a text attachment's payload is decoded text: only its name can be compared
            atts.add((str(name), ""))
    plain = [t for t in (mail.text_plain or []) if isinstance(t, str)]
    text = tuple(t for t in (norm_text(x) for x in plain) if t)
    return Facts(
        sender=senders[0] if senders else None,
        recipients=recipients,
        instant=instant,
        attachments=frozenset(atts),
        text=text or None,
    )


PEERS = {"stdlib": stdlib_facts, "mailparser": mailparser_facts}


# -- comparing -------------------------------------------------------------------------------


def agree(field_name: str, mine: Facts, theirs: Facts) -> bool | None:
    """True/False, or None when the peer cannot tell."""
    want = getattr(theirs, field_name)
    got = getattr(mine, field_name)
    if want is None:
        return None
    if field_name == "attachments":
        mine_named = {n for n, _ in got or ()}
        mine_pairs = set(got or ())
        return all((n, h) in mine_pairs if h else n in mine_named for n, h in want)
    if field_name == "text":
        return got is not None and all(part in got[0] for part in want)
    if field_name == "recipients" and not want:
        return True  # the peer found none; ours may keep more (e.g. an odd address kept as written)
    return bool(got == want)


@dataclass(frozen=True)
class Disagreement:
    sample: str
    peer: str
    index: int  # message index; -1 for the count
    field: str
    ours: str
    theirs: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.sample, self.peer, self.field)


def compare(sample: Sample, peer: str) -> Tally:
    tally = Tally()
    mine = ours(sample)
    blobs = message_blobs(sample)
    tally.compared += 1
    if len(mine.ours) == len(blobs):
        tally.agreed += 1
    else:
        tally.disagreements.append(Disagreement(sample.label, peer, -1, "count", str(len(mine.ours)), str(len(blobs))))
        return tally
    fn = PEERS[peer]
    for i, (facts, blob) in enumerate(zip(mine.ours, blobs, strict=False)):
        try:
            theirs = fn(blob)
        except Exception as exc:  # a peer crash is not our disagreement; it is recorded as "cannot tell"
            theirs = Facts()
            del exc
        for name in FIELDS:
            verdict = agree(name, facts, theirs)
            if verdict is None:
                continue
            tally.compared += 1
            if verdict:
                tally.agreed += 1
            else:
                tally.disagreements.append(
                    Disagreement(sample.label, peer, i, name, repr(getattr(facts, name))[:300], repr(getattr(theirs, name))[:300])
                )
    return tally


def message_of(data: bytes) -> Message:
    return BytesParser(policy=policy.compat32).parsebytes(data)
