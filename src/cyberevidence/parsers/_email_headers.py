"""E-mail header reading shared by the e-mail parsers: decoding, addresses, dates, provenance.

Rules (``docs/formats/email_message.md`` says the same in prose):

* **Raw 8-bit bytes** in a header (not allowed by RFC 5322, common in practice) are read as
  UTF-8 when they are valid UTF-8 (or UTF-8 with exactly one invalid sequence, e.g. a name cut short,
  among other valid non-ASCII characters: that sequence becomes U+FFFD), else as windows-1252,
  each fallback with a ``header_charset`` warning.
* **RFC 2047 encoded-words** (``=?charset?B|Q?...?=``) are decoded by this module, not by the
  standard library, so that every fallback is stated: adjacent encoded-words in the same charset
  are joined before decoding (a multibyte character may be split across two), whitespace between
  encoded-words is dropped; an unknown charset is tried as UTF-8 then windows-1252, and bytes that
  do not fit the declared charset are replaced (U+FFFD) — each with a ``header_charset`` warning.
  UTF-7 is a known charset. Text that is not an encoded-word is kept as written (so a raw UTF-7
  subject such as ``Fr+APY-sche`` stays literally so: nothing declared it UTF-7).
* **Addresses**: the raw header is read as an RFC 5322 address list by the standard library's
  parser (:func:`email._header_value_parser.get_address_list`, the one behind ``policy.default``'s
  ``headerregistry``), with each encoded-word held as an opaque atom while it splits (so a comma
  inside an encoded display name does not split it, and the decoding below states every
  fallback); a group's members are its addresses. Only when that parser cannot consume the whole
  value is it split by hand at top-level commas (outside quotes, comments and angle brackets).
  Each display name is then decoded. The address is lower-cased and stripped of
  angle brackets; the display name is kept separately. In each element the last ``<...>`` is the
  address and the text before it the display name, so an unquoted display name shaped like an
  address (``bogus@acme.com <real@domain>``) is never taken as the address. An element the
  standard parser cannot read (``a!b@c@d``, an unbracketed source route) is kept as written, with
  an ``odd_address`` warning; an obsolete source route ``@host:`` is dropped.
* **Date**: RFC 5322 date parsed with :func:`email.utils.parsedate_tz`, comments removed first
  (RFC 5322 allows CFWS between the parts: ``00:19:00 (EDT) -0400`` is at -0400). ``-0000`` (RFC 5322
  §3.3: the time *is* UTC, the sender's local zone is not stated) is read as UTC and
  ``ParsedDate.local_zone_unknown`` is set (the instant is certain; the sender's zone is not). A
  date with no zone at all is read as local time in the case time zone and flagged
  ``time_ambiguous`` with a ``time_note``.
* **Received** headers become hops in header order (the first hop is the top-most, i.e. the
  last server; the *bottom-most* is the first server the message reached). Each hop keeps
  ``from``, ``by``, ``with``, ``id``, ``for``, the IP addresses found in the ``from`` clause and
  the time after the last ``;``.
* **Originating IP**: ``X-Originating-IP``, else ``X-Sender-IP``, else the first IP in the
  ``from`` clause of the bottom-most hop that has one. Whether it is a private/reserved address
  is recorded too (a private address only says which LAN the sender was on).
* **Authentication-Results** (every instance) yield ``spf``/``dkim``/``dmarc``/``arc`` results; the
  results of the top-most header come first (it was added by the receiving server).
"""

from __future__ import annotations

import binascii
import codecs
import ipaddress
import quopri
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email._header_value_parser import get_address_list
from email.utils import getaddresses, parsedate_tz
from typing import Any
from zoneinfo import ZoneInfo

from cyberevidence.timeutil import localize

#: Called with (code, message) for every problem found while decoding.
Warn = Callable[[str, str], None]

_ENCODED_WORD = re.compile(r"=\?([^?\s]+?)\?([QqBb])\?([^?\s]*?)\?=")
_FALLBACK = "windows-1252"


def _no_warn(code: str, message: str) -> None:
    return None


def codec_for(charset: str) -> str | None:
    """The Python codec for a MIME charset name, or None when unknown."""
    name = charset.strip().strip('"').lower().split("*", 1)[0]  # RFC 2231 language suffix
    if not name:
        return None
    aliases = {"utf7": "utf-7", "unicode-1-1-utf-7": "utf-7", "x-unknown": "", "unknown-8bit": "", "x-user-defined": ""}
    name = aliases.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a charset name holding undecodable bytes (surrogates)
        return None


def decode_bytes(data: bytes, charset: str | None, what: str, warn: Warn) -> str:
    """Decode ``data`` declared as ``charset`` by the rules above (unknown → UTF-8 → windows-1252)."""
    code = "header_charset" if what.startswith("header") else "body_charset"
    codec = codec_for(charset) if charset else None
    if charset and codec is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            warn(code, f"{what}: unknown charset {charset!r}; read as windows-1252")
            return data.decode(_FALLBACK, errors="replace")
        warn(code, f"{what}: unknown charset {charset!r}; read as UTF-8")
        return text
    codec = codec or "ascii"
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    if codec != "ascii":
        warn(code, f"{what}: bytes invalid in declared charset {charset!r}; invalid bytes replaced (U+FFFD)")
        return data.decode(codec, errors="replace")
    # undeclared 8-bit bytes
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") == 1 and any(ord(ch) > 127 and ch != "\ufffd" for ch in text):
        warn(code, f"{what}: undeclared 8-bit UTF-8 with one invalid sequence (e.g. cut short); it is replaced (U+FFFD)")
        return text
    warn(code, f"{what}: undeclared 8-bit bytes are not UTF-8; read as windows-1252")
    return data.decode(_FALLBACK, errors="replace")


def raw_to_str(value: str, what: str, warn: Warn) -> str:
    """Undo the surrogate-escaped 8-bit bytes that the compat32 parser leaves in header values."""
    if value.isascii():
        return value
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value  # already real text (e.g. from an Outlook UTF-16 header block)
    return decode_bytes(data, None, what, warn)


def unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


def _raw_bytes(text: str) -> bytes:
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _word_bytes(enc: str, payload: str) -> bytes | None:
    """The bytes of an encoded-word; raw 8-bit bytes inside it are kept (and read in its charset)."""
    try:
        if enc in "Bb":
            pad = "=" * (-len(payload) % 4)
            return binascii.a2b_base64(_raw_bytes(payload + pad))
        return quopri.decodestring(_raw_bytes(payload.replace("_", " ")), header=True)
    except (binascii.Error, ValueError):
        return None


def decode_header_value(value: str | None, what: str = "header", warn: Warn = _no_warn) -> str:
    """A header value as text: unfolded, 8-bit bytes and RFC 2047 encoded-words decoded."""
    if not value:
        return ""
    text = unfold(str(value))
    if "=?" not in text:
        return raw_to_str(text, what, warn).strip()
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []  # adjacent encoded-words (charset, bytes)
    pos = 0

    def flush() -> None:
        if pending:
            merged: list[tuple[str, bytearray]] = []
            for cs, b in pending:
                if merged and merged[-1][0].lower() == cs.lower():
                    merged[-1][1].extend(b)
                else:
                    merged.append((cs, bytearray(b)))
            out.extend(decode_bytes(bytes(b), cs, what, warn) for cs, b in merged)
            pending.clear()

    for m in _ENCODED_WORD.finditer(text):
        between = text[pos : m.start()]
        if between and not (pending and between.isspace()):
            flush()
            out.append(raw_to_str(between, what, warn))
        data = _word_bytes(m.group(2), m.group(3))
        if data is None:
            flush()
            warn("header_charset", f"{what}: malformed encoded-word {m.group(0)!r} kept as written")
            out.append(raw_to_str(m.group(0), what, warn))
        else:
            pending.append((m.group(1), data))
        pos = m.end()
    flush()
    out.append(raw_to_str(text[pos:], what, warn))
    return "".join(out).strip()


# -- addresses ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    addr: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "address": self.addr}


def _split_elements(text: str) -> list[str]:
    """Top-level address elements of a header value: split at commas (and group ``;``) outside
    quotes, comments, angle brackets and encoded-words; a group's ``name:`` prefix is dropped."""
    out: list[str] = []
    cur: list[str] = []
    in_quote, comment, in_angle = False, 0, False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if in_quote or comment:
            cur.append(ch)
            if ch == "\\" and i + 1 < n:
                cur.append(text[i + 1])
                i += 2
                continue
            if in_quote and ch == '"':
                in_quote = False
            elif comment and ch == "(":
                comment += 1
            elif comment and ch == ")":
                comment -= 1
        elif ch == "=" and text.startswith("=?", i) and (m := _ENCODED_WORD.match(text, i)):
            cur.append(m.group(0))
            i = m.end()
            continue
        elif ch == '"':
            in_quote = True
            cur.append(ch)
        elif ch == "(":
            comment = 1
            cur.append(ch)
        elif ch == "<":
            in_angle = True
            cur.append(ch)
        elif ch == ">":
            in_angle = False
            cur.append(ch)
        elif ch in ",;" and not in_angle:
            out.append("".join(cur))
            cur = []
        elif ch == ":" and not in_angle and "@" not in "".join(cur) and "<" not in "".join(cur):
            cur = []  # ``group-name:`` (e.g. ``undisclosed-recipients:``) starts a group
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return [e.strip() for e in out if e.strip()]


def _last_angle(element: str) -> tuple[int, int] | None:
    """(start, end) of the last ``<...>`` outside quotes and comments, or None."""
    found: tuple[int, int] | None = None
    in_quote, comment, opened = False, 0, -1
    i = 0
    while i < len(element):
        ch = element[i]
        if ch == "\\" and (in_quote or comment):
            i += 2
            continue
        if in_quote:
            in_quote = ch != '"'
        elif comment:
            comment += {"(": 1, ")": -1}.get(ch, 0)
        elif ch == '"':
            in_quote = True
        elif ch == "(":
            comment = 1
        elif ch == "<":
            opened = i
        elif ch == ">" and opened >= 0:
            found, opened = (opened, i), -1
        i += 1
    return found


def _without_comments(text: str) -> str:
    out: list[str] = []
    depth, in_quote = 0, False
    for ch in text:
        if depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            continue
        if ch == '"':
            in_quote = not in_quote
        elif ch == "(" and not in_quote:
            depth = 1
            continue
        out.append(ch)
    return "".join(out)


_ROUTE = re.compile(r"^\s*@[^:<>\s]*(?:\s*,\s*@[^:<>\s]*)*\s*:")  # obsolete source route ``@a,@b:``


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return name


def looks_like_address(text: str) -> bool:
    """True when ``text`` (e.g. a display name) is itself shaped like an e-mail address."""
    return bool(_ADDRESS_SHAPE.search(text))


_ADDRESS_SHAPE = re.compile(r"[^\s@<>\"()]+@[^\s@<>\"()]+\.[^\s@<>\"()]+")


def _one_address(element: str, what: str, warn: Warn) -> Address | None:
    """One address element by the rule: the last ``<...>`` is the address and the text before it
    the display name (so an unquoted display name that looks like an address is never taken as
    the address); else the element without comments is the address, kept as written when the
    standard parser cannot read it (e.g. two ``@``)."""
    try:
        pairs = [(nm, ad) for nm, ad in getaddresses([element]) if nm or ad]
    except Exception:  # a hostile header must not stop the message
        pairs = []
    angle = _last_angle(element)
    if angle is not None:
        addr = _ROUTE.sub("", element[angle[0] + 1 : angle[1]]).strip()
        same = len(pairs) == 1 and pairs[0][1].strip().lower() == addr.lower()
        name = pairs[0][0] if same else _unquote(element[: angle[0]])
    else:
        bare = _ROUTE.sub("", _without_comments(element)).strip()
        if not bare:
            return None
        if len(pairs) == 1 and re.sub(r"\s+", "", pairs[0][1]).lower() == re.sub(r"\s+", "", bare).lower():
            name, addr = pairs[0]
        else:
            name, addr = "", re.sub(r"\s+", "", bare) if "@" in bare else bare
            warn("odd_address", f"{what}: {element[:200]!r} is not a well-formed address; kept as written")
    addr = addr.strip().strip("<>").strip().lower()
    if addr and "=?" in addr:  # an encoded-word where the address should be
        addr = decode_header_value(addr, what, warn).lower()
    return Address(decode_header_value(name, what, warn), addr)


def _stdlib_elements(text: str) -> list[str] | None:
    """The address elements of ``text`` as the standard library's RFC 5322 address-list parser
    splits it (group members flattened, empty groups dropped); None when it cannot read it all."""
    words: list[str] = []

    def hold(m: re.Match[str]) -> str:
        words.append(m.group(0))
        return f"EWx{len(words) - 1}x9q"

    if "EWx" in text:
        return None
    masked = _ENCODED_WORD.sub(hold, text)
    try:
        parsed, rest = get_address_list(masked)
    except Exception:  # a hostile header must not stop the message: fall back to the hand split
        return None
    if rest.strip():
        return None
    elements: list[str] = []
    for token in parsed.addresses:
        inner = token[0] if len(token) else token
        kind = getattr(inner, "token_type", "")
        if kind == "group":
            elements.extend(str(m) for m in getattr(inner, "all_mailboxes", []))
        elif kind == "invalid-mailbox" and re.search(r":.*;", str(token)):
            return None  # a group it could not read (e.g. ``name:; (comment)``): the hand split knows groups
        else:
            elements.append(str(token))
    out = [re.sub(r"EWx(\d+)x9q", lambda m: words[int(m.group(1))], e).strip() for e in elements]
    return [e for e in out if e]


def parse_addresses(values: list[str], what: str, warn: Warn) -> list[Address]:
    """Addresses of one or more header instances (display names decoded, addresses lower-cased)."""
    found: list[Address] = []
    for value in values:
        raw = raw_to_str(unfold(str(value)), what, warn)
        if not raw.strip():
            continue
        elements = _stdlib_elements(raw)
        if elements is None:
            elements = _split_elements(raw)
        got = [a for a in (_one_address(e, what, warn) for e in elements) if a is not None]
        got = [a for a in got if a.name or a.addr]
        if not got:
            if ":" in raw and ";" in raw:  # only empty groups (``undisclosed-recipients:;``): no address, by design
                found.append(Address(decode_header_value(raw, what, warn), ""))
                continue
            warn("unparsed_address", f"{what}: could not read addresses from {raw[:200]!r}; kept as written")
            found.append(Address(decode_header_value(raw, what, warn), ""))
            continue
        found.extend(got)
    return found


# -- dates ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedDate:
    utc: datetime
    #: False when the instant itself is uncertain (no zone: read in the case zone)
    zone_known: bool
    note: str = ""
    #: ``-0000``: the instant is UTC, the sender's own local zone is not stated (RFC 5322 §3.3)
    local_zone_unknown: bool = False


_MINUS_ZERO = re.compile(r"-0000\s*(\(.*\))?\s*$")
#: a zone after the time: a numeric offset or a zone name (``GMT``, ``EST`` ...)
_HAS_ZONE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})\b")


def parse_date(raw: str, tz: ZoneInfo) -> ParsedDate | None:
    """An RFC 5322 date; ``-0000`` is UTC with the sender's zone unknown; without a zone it is read in ``tz``."""
    value = unfold(raw).strip()
    if "(" in value:  # RFC 5322 CFWS: a comment may stand anywhere, e.g. ``00:19:00 (EDT) -0400``
        value = re.sub(r"\s+", " ", _without_comments(value)).strip()
    if not value:
        return None
    try:
        t = parsedate_tz(value)
    except Exception:
        t = None
    if t is None:
        return None
    try:
        naive = datetime(t[0], t[1], t[2], t[3], t[4], t[5])
    except (ValueError, TypeError, OverflowError):
        return None
    offset = t[9]
    zone_stated = _HAS_ZONE.search(value) is not None  # parsedate_tz gives offset 0 for "no zone"
    if offset is not None and zone_stated:
        minus_zero = offset == 0 and _MINUS_ZERO.search(value) is not None
        note = f"Date {value!r} has -0000: the time is UTC, the sender's local time zone is not stated" if minus_zero else ""
        try:
            return ParsedDate((naive - timedelta(seconds=offset)).replace(tzinfo=timezone.utc), True, note, minus_zero)
        except OverflowError:
            return None
    local = localize(naive, tz)
    return ParsedDate(local.utc, False, f"Date {value!r} has no time zone; read as local time in {tz.key}")


# -- Received chain -------------------------------------------------------------------------

_IP4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
_IP6 = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:]*:[0-9A-Fa-f:.]+)\]")
_CLAUSE = re.compile(r"(?:^|\s)(from|by|via|with|id|for)\s", re.IGNORECASE)


def _ips(text: str) -> list[str]:
    found: list[str] = []
    for rx in (_IP6, _IP4):
        for m in rx.finditer(text):
            try:
                ip = str(ipaddress.ip_address(m.group(1)))
            except ValueError:
                continue
            if ip not in found:
                found.append(ip)
    return found


def parse_received(raw: str, tz: ZoneInfo) -> dict[str, Any]:
    """One Received header as a hop: from, by, with, id, for, ips (from the ``from`` clause), time."""
    value = unfold(raw).strip()
    hop: dict[str, Any] = {"raw": value}
    head, sep, when = value.rpartition(";")
    if not sep:
        head, when = value, ""
    positions = [(m.start(1), m.group(1).lower()) for m in _CLAUSE.finditer(" " + head)]
    for i, (start, name) in enumerate(positions):
        end = positions[i + 1][0] if i + 1 < len(positions) else len(head) + 1
        text = (" " + head)[start + len(name) : end].strip()
        if name not in hop and text:
            hop[name] = text
    hop["ips"] = _ips(str(hop.get("from", "")))
    parsed = parse_date(when, tz) if when.strip() else None
    if parsed is not None:
        hop["time"] = parsed.utc.isoformat().replace("+00:00", "Z")
        hop["_utc"] = parsed.utc
        if not parsed.zone_known:
            hop["time_zone_unknown"] = True
    elif when.strip():
        hop["time_unparsed"] = when.strip()
    return hop


def originating_ip(headers: dict[str, list[str]], hops: list[dict[str, Any]]) -> dict[str, Any]:
    """The originating IP by the rule in the module docstring, with its source."""
    for name in ("x-originating-ip", "x-sender-ip"):
        for value in headers.get(name, []):
            ips = _ips(value)
            if ips:
                return _ip_record(ips[0], name)
    for index in range(len(hops) - 1, -1, -1):
        if hops[index].get("ips"):
            return _ip_record(hops[index]["ips"][0], f"received[{index}]")
    return {}


def _ip_record(ip: str, where: str) -> dict[str, Any]:
    addr = ipaddress.ip_address(ip)
    return {"originating_ip": ip, "originating_ip_source": where, "originating_ip_private": not addr.is_global}


# -- authentication results -----------------------------------------------------------------

_AUTH = re.compile(r"\b(spf|dkim|dmarc|arc|compauth)\s*=\s*([A-Za-z]+)", re.IGNORECASE)


def parse_auth_results(values: list[str], received_spf: list[str]) -> dict[str, Any]:
    """``{"spf": [...], "dkim": [...], "dmarc": [...]}`` results in header order."""
    results: dict[str, list[str]] = {}
    for value in values:
        for m in _AUTH.finditer(unfold(value)):
            results.setdefault(m.group(1).lower(), []).append(m.group(2).lower())
    for value in received_spf:
        word = unfold(value).strip().split(" ", 1)[0].lower()
        if word:
            results.setdefault("received_spf", []).append(word)
    return dict(results)


@dataclass(slots=True)
class Provenance:
    hops: list[dict[str, Any]] = field(default_factory=list)
    auth: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, Any] = field(default_factory=dict)
