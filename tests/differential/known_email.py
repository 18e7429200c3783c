"""Every known disagreement of the e-mail family with a peer, classified; ``docs/differential.md``
states each in prose. A disagreement not matched here fails the differential tests, and an entry
that no longer matches anything fails them too (so the table cannot go stale)."""

from __future__ import annotations

from enum import Enum

from tests.differential._email_peers import Disagreement


class Verdict(Enum):
    OURS_RIGHT = "ours_right"  # the peer is wrong; the reference is in the reason
    UNDECIDABLE = "undecidable"  # the bytes do not settle it; our reading is the stated rule
    BY_DESIGN = "by_design"  # we record a different thing on purpose (the rule is cited)


#: (sample label, message index or -1 for the count, field, peer or "*") -> (verdict, reason)
KNOWN: dict[tuple[str, int, str, str], tuple[Verdict, str]] = {
    ("fixtures/email/display_name_spoof.eml", 0, "sender", "stdlib"): (
        Verdict.OURS_RIGHT,
        "RFC 5322 §3.4: in name-addr the address is the angle-addr; policy.default's recovery of the invalid "
        "phrase 'alice@example.com' takes the display name as the address (mail-parser agrees with us)",
    ),
    ("fixtures/email/small.mbox", -1, "count", "*"): (
        Verdict.OURS_RIGHT,
        "RFC 4155 and docs/formats/mbox.md: 'From here on ...' in a body is not shaped like an envelope line; "
        "mailbox.mbox splits at every line starting 'From '",
    ),
    ("corpus/email/mbox/mimekit_unmunged_from_bom.mbox.txt", -1, "count", "*"): (
        Verdict.OURS_RIGHT,
        "SOURCES.tsv ground truth: 2 messages; mailbox.mbox splits on the body line 'From Russia with love'",
    ),
    ("corpus/email/eml/cpython_msg_36.eml", 0, "text", "*"): (
        Verdict.BY_DESIGN,
        "RFC 2046 §5.2.3: the 'body' of message/external-body is access metadata, not message text; we keep the part",
    ),
    ("corpus/email/eml/flanker_disposition-notification.eml", 0, "instant", "stdlib"): (
        Verdict.OURS_RIGHT,
        "RFC 5322 §3.3 allows CFWS between time and zone: '00:19:00 (EDT) -0400' is 04:19Z; "
        "parsedate_to_datetime drops the zone after the comment",
    ),
    ("corpus/email/eml/flanker_malformed-headers.eml", 0, "recipients", "stdlib"): (
        Verdict.UNDECIDABLE,
        "a raw 8-bit byte 0xB4 in To: not valid UTF-8; we read it as windows-1252 with a header_charset warning "
        "(stated rule); the stdlib leaves a lone surrogate, which is not a character",
    ),
    ("corpus/email/eml/flanker_outlook-express.eml", 0, "instant", "*"): (
        Verdict.BY_DESIGN,
        "the Date (2015) is a year after the last Received time (2014): implausible_date warning, the first "
        "Received hop is used (docs/formats/email_message.md); the peers take the Date as written",
    ),
    ("corpus/email/eml/rubymail_bad_time.eml", 0, "instant", "*"): (
        Verdict.BY_DESIGN,
        "Date in year 3609: implausible_date, the Received time is used; the peers take the Date as written",
    ),
    ("corpus/email/eml/hunnysoft_m1005_netscape47_mixed.eml", 0, "attachments", "stdlib"): (
        Verdict.OURS_RIGHT,
        "SOURCES.tsv ground truth names 'C:\\TEMP\\nsmailEG.png': Netscape wrote Windows paths unescaped in a "
        "quoted-string; the stdlib reads each backslash as a quoted-pair and drops it",
    ),
    ("corpus/email/eml/langchain_example.mht", 0, "sender", "stdlib"): (
        Verdict.BY_DESIGN,
        "From: <Saved by Blink> is no address; we keep it as written (lower-cased), the stdlib quotes the local part",
    ),
    ("corpus/email/eml/rubymail_rfc6532_utf8_headers.eml", 0, "sender", "stdlib"): (
        Verdict.OURS_RIGHT,
        "RFC 6532 allows UTF-8 in headers; the stdlib leaves the bytes as surrogate escapes",
    ),
    ("corpus/email/eml/rubymail_rfc6532_utf8_headers.eml", 0, "recipients", "stdlib"): (
        Verdict.OURS_RIGHT,
        "RFC 6532 allows UTF-8 in headers; the stdlib leaves the bytes as surrogate escapes",
    ),
    ("corpus/email/mbox/mimekit_content-length.mbox.txt", 4, "attachments", "*"): (
        Verdict.BY_DESIGN,
        "the TIFF is inside an attached message/rfc822; we store the attached message as one .eml attachment "
        "(its own attachments are inside it) and the peers list the inner part",
    ),
    ("corpus/email/mbox/mimekit_content-length.mbox.txt", 6, "recipients", "*"): (
        Verdict.BY_DESIGN,
        "a UUCP bang path 'sblab!att!thumper.bellcore.com!nsb' is kept as written with an odd_address warning "
        "(nothing silently dropped); the peers drop it",
    ),
    ("corpus/email/mbox/mimekit_content-length.mbox.txt", 15, "text", "*"): (
        Verdict.UNDECIDABLE,
        "the attached message starts with an mbox-quoted '>From -' line, then headers: we read them as its "
        "headers (its body is S/MIME, no text); the peers read the whole attached message as plain text",
    ),
    ("corpus/email/mbox/mimekit_content-length.mbox.txt", 16, "text", "*"): (
        Verdict.UNDECIDABLE,
        "the same attached message as message 15 (a '>From -' line before its headers)",
    ),
    ("corpus/email/eml/flanker_signed.eml", 0, "text", "mailparser"): (
        Verdict.BY_DESIGN,
        "the signed content is declared application/plain, not text/*: we keep it as a file; mail-parser shows it as text",
    ),
    ("corpus/email/eml/hunnysoft_m1011_netscape47_utf7_raw_subject.eml", 0, "text", "mailparser"): (
        Verdict.OURS_RIGHT,
        "the body declares charset=UTF-7 (RFC 2152) and we decode it; mail-parser leaves the UTF-7 undecoded",
    ),
    ("corpus/email/eml/rubymail_japanese_iso-2022-jp.eml", 0, "text", "mailparser"): (
        Verdict.OURS_RIGHT,
        "the body declares charset=ISO-2022-JP (RFC 1468) and we decode it; mail-parser leaves the escape sequences",
    ),
}


def key_of(d: Disagreement) -> tuple[str, int, str, str] | None:
    """The table key that classifies ``d`` (peer-specific first, then ``*``), or None."""
    for key in ((d.sample, d.index, d.field, d.peer), (d.sample, d.index, d.field, "*")):
        if key in KNOWN:
            return key
    return None


def classify(d: Disagreement) -> Verdict | None:
    key = key_of(d)
    return KNOWN[key][0] if key is not None else None
