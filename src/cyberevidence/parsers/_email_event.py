"""From e-mail headers (and bodies, attachments) to one :class:`Event`; shared by every e-mail parser.

Rules (also in ``docs/formats/email_message.md``):

* ``sender`` = the bare, lower-cased address of ``From`` (else ``Sender``); the display name is in
  ``extra["from_name"]``. ``recipients`` = the addresses of ``To``, ``Cc`` and ``Bcc`` in that
  order; each header is also kept in ``extra`` as ``[{"name", "address"}]``, with ``Reply-To``.
* ``thread`` = ``X-GM-THRID`` (Gmail) when present, as ``gmail:<id>``; else the first (root)
  Message-ID of ``References``; else ``In-Reply-To``; else the message's own ``Message-ID``;
  else empty.
* ``timestamp``: the ``Date`` header. Without a usable Date, the time of the bottom-most
  Received hop (when the first server took the message), with ``time_note``; else the caller's
  fallback (Outlook submit/delivery time, the mbox ``From `` line time); else the message is
  **undated**: ``timestamp`` is ``None`` (no instant is invented), with a ``time_note`` and a
  ``no_date`` warning; it is kept, listed as undated and left out of time-based figures
  (docs/events.md "Undated events").
* An **implausible Date** (more than a day after the last Received time, or without Received
  times after the time of parsing, e.g. year 3609) gets an ``implausible_date`` warning and is
  not used when another time exists (the Received hop, then the caller's fallback); otherwise it
  is kept, flagged ``time_ambiguous``. ``date_header`` keeps it as written.
* A From display name shaped like an address that is not the address (``"bogus@acme.com"
  <bogus@domain.com>``) is never the sender: ``extra["display_name_spoof"]`` and a
  ``display_name_spoof`` warning (listed in the report's warnings) say so.
* A ``-0000`` Date is UTC (the instant is certain, not ``time_ambiguous``); the sender's local zone
  is recorded as unknown: ``extra["date_local_zone_unknown"] = True`` and ``time_note`` says so.
* ``extra["date_received_gap_s"]`` = (bottom-most Received hop time) − (Date), in seconds: a large
  or negative gap hints at a wrong sender clock or a forged Date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from cyberevidence.events import Attachment, Event, SourceRef
from cyberevidence.parsers._email_headers import (
    Address,
    Warn,
    decode_header_value,
    looks_like_address,
    originating_ip,
    parse_addresses,
    parse_auth_results,
    parse_date,
    parse_received,
    raw_to_str,
)

PLATFORM = "email"
#: a Date later than the last Received time (or, without Received times, than now) by more than this is implausible
PLAUSIBLE_SLACK = timedelta(days=1)
_MSGID_SPLIT = "<"


def msg_ids(value: str) -> list[str]:
    """Message-IDs in a References/In-Reply-To value, without angle brackets, in order."""
    ids: list[str] = []
    text = value.replace("\r", " ").replace("\n", " ")
    if "<" in text:
        for chunk in text.split(_MSGID_SPLIT)[1:]:
            mid = chunk.split(">", 1)[0].strip()
            if mid:
                ids.append(mid)
    else:
        ids = [w.strip() for w in text.split() if w.strip()]
    return ids


@dataclass(slots=True)
class HeaderFacts:
    """What the header block of one message says."""

    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> raw values
    subject: str = ""
    from_: list[Address] = field(default_factory=list)
    sender_hdr: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)
    date_raw: str = ""
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    hops: list[dict[str, Any]] = field(default_factory=list)


def read_headers(pairs: list[tuple[str, str]], tz: ZoneInfo, warn: Warn) -> HeaderFacts:
    """Decode the facts of a header block (``pairs`` in file order, raw values)."""
    hdrs: dict[str, list[str]] = {}
    for name, value in pairs:
        hdrs.setdefault(str(name).strip().lower(), []).append(str(value))
    f = HeaderFacts(headers=hdrs)

    def first(name: str) -> str:
        vals = hdrs.get(name)
        return vals[0] if vals else ""

    def text(name: str) -> str:
        """An identifier header (Message-ID, X-GM-THRID ...) with any 8-bit bytes decoded, never left escaped."""
        return raw_to_str(first(name), f"header {name}", warn)

    def addrs(name: str, label: str) -> list[Address]:
        return parse_addresses(hdrs.get(name, []), f"header {label}", warn)

    f.subject = decode_header_value(first("subject"), "header Subject", warn)
    f.from_ = addrs("from", "From")
    f.sender_hdr = addrs("sender", "Sender")
    f.to = addrs("to", "To")
    f.cc = addrs("cc", "Cc")
    f.bcc = addrs("bcc", "Bcc")
    f.reply_to = addrs("reply-to", "Reply-To")
    f.date_raw = decode_header_value(first("date"), "header Date", warn)
    ids = msg_ids(text("message-id"))
    f.message_id = ids[0] if ids else ""
    f.in_reply_to = msg_ids(text("in-reply-to"))
    f.references = msg_ids(" ".join(raw_to_str(v, "header references", warn) for v in hdrs.get("references", [])))
    # trace headers go into ``extra`` as written: 8-bit bytes in them are decoded, never left as surrogate escapes
    traced = {
        k: [raw_to_str(v, f"header {k}", warn) for v in vals]
        for k, vals in hdrs.items()
        if k in ("received", "authentication-results", "received-spf") or k.startswith("x-")
    }
    f.hops = [parse_received(v, tz) for v in traced.get("received", [])]
    extra = f.extra
    thrid = text("x-gm-thrid").strip()
    if thrid:
        extra["gmail_thread_id"] = thrid
    labels = first("x-gmail-labels")
    if labels:
        extra["gmail_labels"] = [
            lbl.strip() for lbl in decode_header_value(labels, "header X-Gmail-Labels", warn).split(",") if lbl.strip()
        ]
    auth = parse_auth_results(traced.get("authentication-results", []), traced.get("received-spf", []))
    if auth:
        extra["auth_results"] = auth
    dkim = hdrs.get("dkim-signature", [])
    if dkim:
        extra["dkim_signatures"] = len(dkim)
    extra.update(originating_ip({**hdrs, **traced}, f.hops))
    return f


@dataclass(slots=True)
class Built:
    """Parts of an event the caller supplies besides the header facts."""

    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: (utc, what) used when the Date header is missing or unreadable, after the Received hop.
    fallback_time: tuple[datetime, str] | None = None
    kind: str = "email"


def _addr_list(addrs: list[Address]) -> list[dict[str, str]]:
    return [a.to_dict() for a in addrs]


def build_event(
    facts: HeaderFacts,
    built: Built,
    *,
    source: SourceRef,
    tz: ZoneInfo,
    warn: Warn,
    warn_at: Callable[[str, str, str], None] | None = None,
) -> Event:
    """One e-mail event by the rules in the module docstring."""
    extra: dict[str, Any] = {}
    if facts.subject:
        extra["subject"] = facts.subject
    who = facts.from_ or facts.sender_hdr
    sender = next((a.addr for a in who if a.addr), "")
    if who:
        extra["from"] = _addr_list(who)
        if who[0].name:
            extra["from_name"] = who[0].name
            if looks_like_address(who[0].name) and who[0].name.strip().strip("<>").lower() != who[0].addr:
                extra["display_name_spoof"] = True
                warn(
                    "display_name_spoof",
                    f"the From display name {who[0].name[:200]!r} is itself shaped like an address but the address "
                    f"is {who[0].addr!r}; the address is the sender (the display name may be meant to mislead)",
                )
    if facts.sender_hdr and facts.from_:
        extra["sender_header"] = _addr_list(facts.sender_hdr)
    for key, addrs in (("to", facts.to), ("cc", facts.cc), ("bcc", facts.bcc), ("reply_to", facts.reply_to)):
        if addrs:
            extra[key] = _addr_list(addrs)
    recipients: list[str] = []
    for a in (*facts.to, *facts.cc, *facts.bcc):
        if a.addr and a.addr not in recipients:
            recipients.append(a.addr)
    if facts.message_id:
        extra["message_id"] = facts.message_id
    if facts.in_reply_to:
        extra["in_reply_to"] = facts.in_reply_to[0]
    if facts.references:
        extra["references"] = facts.references
    if facts.date_raw:
        extra["date_header"] = facts.date_raw
    hops = facts.hops
    if hops:
        extra["received"] = [{k: v for k, v in h.items() if not k.startswith("_")} for h in hops]
    extra.update(facts.extra)

    thread = ""
    if facts.extra.get("gmail_thread_id"):
        thread = f"gmail:{facts.extra['gmail_thread_id']}"
    elif facts.references:
        thread = facts.references[0]
    elif facts.in_reply_to:
        thread = facts.in_reply_to[0]
    elif facts.message_id:
        thread = facts.message_id

    first_hop = next((h["_utc"] for h in reversed(hops) if "_utc" in h), None)
    last_hop = max((h["_utc"] for h in hops if "_utc" in h), default=None)
    ambiguous, note = False, ""
    parsed = parse_date(facts.date_raw, tz) if facts.date_raw else None
    implausible = ""
    if parsed is not None:
        limit = (last_hop if last_hop is not None else datetime.now(timezone.utc)) + PLAUSIBLE_SLACK
        if parsed.utc > limit:
            implausible = (
                f"Date header {facts.date_raw[:100]!r} is after the last Received time"
                if last_hop is not None
                else f"Date header {facts.date_raw[:100]!r} is in the future"
            )
            if first_hop is not None:
                extra["date_received_gap_s"] = round((first_hop - parsed.utc).total_seconds())
            if first_hop is not None or built.fallback_time is not None:
                warn("implausible_date", f"{implausible}; not used as the message time")
                parsed = None
            else:
                warn("implausible_date", f"{implausible}; kept (no other time is recorded) and flagged")
    moment: datetime | None
    if parsed is not None:
        moment = parsed.utc
        if parsed.local_zone_unknown:
            extra["date_local_zone_unknown"] = True
            note = parsed.note
        if not parsed.zone_known:
            ambiguous, note = True, parsed.note
            warn("date_without_zone", parsed.note)
        if implausible:
            ambiguous, note = True, f"{implausible}; kept because no other time is recorded"
        if first_hop is not None:
            extra["date_received_gap_s"] = round((first_hop - moment).total_seconds())
    else:
        if facts.date_raw and not implausible:
            warn("unparsed_date", f"Date header {facts.date_raw[:100]!r} could not be read")
        why = f"{implausible}, so" if implausible else "no usable Date header;"
        if first_hop is not None:
            moment = first_hop
            note = f"{why} time of the bottom-most Received hop (first server) used"
        elif built.fallback_time is not None:
            moment, what = built.fallback_time
            note = f"{why} {what} used"
        else:
            moment = None
            note = f"{why} no Received time or other recorded time: the message is undated"
            warn("no_date", "message has no usable date and no other recorded time; kept as undated (no time is invented)")
    extra.update(built.extra)
    return Event(
        timestamp=moment,
        platform=PLATFORM,
        kind=built.kind,
        source=source,
        sender=sender,
        recipients=recipients,
        text=built.text,
        thread=thread,
        attachments=built.attachments,
        time_ambiguous=ambiguous,
        time_note=note,
        extra=extra,
    )
