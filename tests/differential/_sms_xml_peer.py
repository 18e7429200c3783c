"""The SMS Backup & Restore differential: our ``sms_backup`` parser against direct ``lxml`` XPath queries
written from the app's own description of its files (SyncTech, "Fields in XML Backup Files").

The peer reads the file with lxml (no entities, no network, ``recover`` for a cut-off file) and takes,
for every ``sms``, ``mms`` and ``call`` element under the root, in document order:

* ``count``: the number of such elements (per file);
* ``instant``: ``@date``, milliseconds since 1970-01-01 UTC (``None`` when it is not a whole number);
* ``direction``: ``sms/@type`` and ``mms/@msg_box`` 1 = received, 2 = sent; ``call/@type`` 1 incoming,
  2 outgoing, 3 missed (incoming); other values are not compared;
* ``address``: ``sms/@address``, ``mms/@address``, ``call/@number``, as written;
* ``body``: ``sms/@body``; for an MMS the ``@text`` of each ``parts/part[@ct='text/plain']`` (each must be
  inside our text);
* ``parts``: for an MMS, the SHA-256 of the base64 ``@data`` of each part that is neither SMIL nor
  ``text/plain`` (each must be among our attachments).

Records are matched with ours by position: our locator is ``<root>/<tag>[n]`` (XPath's own index among
the siblings of that tag), so a record we leave out does not shift the others. A field the peer
cannot tell is ``None`` and not compared.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree
from tests.differential._tally import Tally

from cyberevidence.events import Event
from cyberevidence.standalone import parse

FIELDS = ("instant", "direction", "address", "body", "parts")
_LOCATOR = re.compile(r"^(\w+/\w+\[\d+\])")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SMS_DIRECTION = {"1": "incoming", "2": "outgoing"}
_CALL_DIRECTION = {"1": "incoming", "2": "outgoing", "3": "incoming"}


@dataclass(frozen=True)
class Facts:
    instant: datetime | None = None
    direction: str | None = None
    address: str | None = None
    body: tuple[str, ...] | None = None  # ours: one string; the peer: the texts that must be inside it
    parts: frozenset[str] | None = None


def _instant(raw: str | None) -> datetime | None:
    if raw is None or not raw.strip().isdigit():
        return None
    return _EPOCH + timedelta(milliseconds=int(raw))


def _given(value: str | None) -> str | None:
    return None if value is None or value == "null" else value


def _get(el: etree._Element, name: str) -> str | None:
    """An attribute, or ``None`` when lxml cannot decode it (an encoded lone surrogate): the peer cannot tell."""
    try:
        value = el.get(name)
    except UnicodeDecodeError:
        return None
    return None if value is None else str(value)


def peer(path: Path) -> dict[str, Facts]:
    """Locator -> facts, for every record element of the file (document order)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False)
    tree = etree.parse(str(path), parser)
    root = tree.getroot()
    out: dict[str, Facts] = {}
    if root is None:
        return out
    seen: dict[str, int] = {}
    for el in root.xpath("./sms | ./mms | ./call"):
        seen[el.tag] = seen.get(el.tag, 0) + 1
        key = f"{root.tag}/{el.tag}[{seen[el.tag]}]"
        if el.tag == "call":
            out[key] = Facts(
                instant=_instant(_get(el, "date")),
                direction=_CALL_DIRECTION.get(_get(el, "type") or ""),
                address=_given(_get(el, "number")),
            )
        elif el.tag == "sms":
            out[key] = Facts(
                instant=_instant(_get(el, "date")),
                direction=_SMS_DIRECTION.get(_get(el, "type") or ""),
                address=_given(_get(el, "address")),
                body=(body,) if (body := _given(_get(el, "body"))) is not None else None,
            )
        else:
            try:
                texts: tuple[str, ...] | None = tuple(
                    str(t) for t in el.xpath("./parts/part[@ct='text/plain']/@text") if t and t != "null"
                )
            except UnicodeDecodeError:
                texts = None
            shas: set[str] = set()
            for part in el.xpath("./parts/part[@data and @ct!='application/smil' and @ct!='text/plain']"):
                try:
                    data = base64.b64decode("".join(str(_get(part, "data")).split()), validate=True)
                except (binascii.Error, ValueError):
                    continue  # not base64: the peer cannot tell this part's content
                shas.add(hashlib.sha256(data).hexdigest())
            out[key] = Facts(
                instant=_instant(_get(el, "date")),
                direction=_SMS_DIRECTION.get(_get(el, "msg_box") or ""),
                address=_given(_get(el, "address")),
                body=texts,
                parts=frozenset(shas),
            )
    return out


def _party(e: Event) -> str:
    raw = e.extra.get("address")
    if isinstance(raw, str) and raw:
        return raw
    return str(e.sender if e.direction == "incoming" else (e.recipients[0] if e.recipients else e.sender or e.thread))


def ours(path: Path) -> dict[str, Facts]:
    """Locator -> facts of our reading (detection chooses the parser, case zone UTC)."""
    out: dict[str, Facts] = {}
    try:
        events = list(parse(path, timezone="UTC"))
    except Exception:
        return out
    for e in events:
        m = _LOCATOR.match(e.source.locator)
        if not m:
            continue
        out[m.group(1)] = Facts(
            instant=e.timestamp,
            direction=e.direction,
            address=_party(e),
            body=(e.text,),
            parts=frozenset(a.sha256 for a in e.attachments if a.sha256),
        )
    return out


def agree(name: str, mine: Facts, theirs: Facts) -> bool | None:
    want, got = getattr(theirs, name), getattr(mine, name)
    if want is None:
        return None
    if name == "body":
        return got is not None and all(str(t) in str(got[0]) for t in want)
    if name == "parts":
        return bool(want <= (got or frozenset()))
    return bool(got == want)


@dataclass(frozen=True)
class Disagreement:
    sample: str
    record: str  # the locator, or "" for the count
    field: str
    ours: str
    theirs: str


def compare(path: Path, label: str) -> Tally:
    tally = Tally()
    theirs, mine = peer(path), ours(path)
    tally.compared += 1
    if len(theirs) == len(mine):
        tally.agreed += 1
    else:
        tally.disagreements.append(Disagreement(label, "", "count", str(len(mine)), str(len(theirs))))
    for key, facts in theirs.items():
        got = mine.get(key)
        if got is None:
            tally.disagreements.append(Disagreement(label, key, "record", "missing", "present"))
            tally.compared += 1
            continue
        for name in FIELDS:
            verdict = agree(name, got, facts)
            if verdict is None:
                continue
            tally.compared += 1
            if verdict:
                tally.agreed += 1
            else:
                tally.disagreements.append(
                    Disagreement(label, key, name, repr(getattr(got, name))[:200], repr(getattr(facts, name))[:200])
                )
    return tally


def samples(fixtures: Path, corpus: Path | None) -> list[tuple[Path, str]]:
    """Every SMS Backup & Restore fixture and corpus sample, labelled ``fixtures/...`` / ``corpus/...``."""
    out = [(p, f"fixtures/{p.relative_to(fixtures).as_posix()}") for p in sorted((fixtures / "sms_backup").glob("*.xml"))]
    if corpus is not None and (corpus / "sms_backup_restore").is_dir():
        for p in sorted((corpus / "sms_backup_restore").iterdir()):
            if p.is_file() and p.name != "memacs_superbackup_calls.xml":  # not SMS Backup & Restore (SOURCES.tsv)
                out.append((p, f"corpus/{p.relative_to(corpus).as_posix()}"))
    return out
