"""Every known disagreement of ``outlook_msg`` with extract-msg, classified; ``docs/differential.md``
("Outlook .msg") states each in prose. A disagreement not matched here fails the differential test,
and an entry that no longer matches anything fails it too (so the table cannot go stale)."""

from __future__ import annotations

from tests.differential._msg_peer import Disagreement
from tests.differential.known_email import Verdict

_NAME_ONLY = (
    "extract-msg's sender is its own header built from PidTagSenderName when the message has no transport headers "
    "('xmailuser'); PidTagSenderEmailAddress (0x0C1F, [MS-OXOMSG]) holds xmailuser@xmailserver.test, "
    "which we give"
)
_EXCHANGE_ONLY = (
    "the message stores no SMTP address for its sender: PidTagSenderEmailAddress is an Exchange X.500 DN (kept in "
    "extra.sender_exchange_dn) and the display name is kept in extra.from_name; a display name is not an address, "
    "so the sender address stays empty (extract-msg gives the name)"
)
_EMBEDDED = (
    "an embedded message has no file name, only its display name (PidTagDisplayName, [MS-OXCMSG]), which we use; extract-msg "
    "appends '.msg' to name the file it would save"
)
_NUL = (
    "the string property ends with a U+0000 terminator that the 'new Outlook' wrote; a terminator is not part of the "
    "value (a MAPI string is its characters, [MS-OXMSG]), and we drop it"
)
_CP932 = (
    "a non-Unicode (PtypString8) message is in its own code page, 932 (Shift_JIS) in PR_MESSAGE_CODEPAGE (0x3FFD) / "
    "PR_INTERNET_CPID (0x3FDE) ([MS-OXCMSG]); extract-msg decodes the bytes as windows-1252"
)
_SMIME = (
    "IPM.Note.SMIME: the body is inside the encrypted smime.p7m attachment and cannot be read without the key; "
    "extract-msg shows the encrypted DER bytes as if they were text, we keep no body text (the p7m is kept whole)"
)

#: (sample label, field) -> (verdict, reason)
KNOWN: dict[tuple[str, str], tuple[Verdict, str]] = {
    ("corpus/email/msg/msgreader_sent.msg", "sender"): (Verdict.OURS_RIGHT, _NAME_ONLY),
    ("corpus/email/msg/msgreader_contact_unicode.msg", "sender"): (Verdict.OURS_RIGHT, _NAME_ONLY),
    ("corpus/email/msg/msgreader_appointment_schedule.msg", "sender"): (Verdict.BY_DESIGN, _EXCHANGE_ONLY),
    ("corpus/email/msg/outlookmsgparser_chinese_garbled.msg", "sender"): (Verdict.BY_DESIGN, _EXCHANGE_ONLY),
    ("corpus/email/msg/outlookmsgparser_client_submit_time.msg", "sender"): (Verdict.BY_DESIGN, _EXCHANGE_ONLY),
    ("corpus/email/msg/msgreader_attach_eml_received.msg", "attachments"): (Verdict.BY_DESIGN, _EMBEDDED),
    ("corpus/email/msg/msgreader_msg_in_msg.msg", "attachments"): (Verdict.BY_DESIGN, _EMBEDDED),
    ("corpus/email/msg/msgreader_msg_in_msg_in_msg.msg", "attachments"): (Verdict.BY_DESIGN, _EMBEDDED),
    ("corpus/email/msg/msgreader_new_outlook_test.msg", "recipients"): (Verdict.OURS_RIGHT, _NUL),
    ("corpus/email/msg/msgreader_new_outlook_test.msg", "subject"): (Verdict.OURS_RIGHT, _NUL),
    ("corpus/email/msg/msgreader_nonunicode_cp932.msg", "subject"): (Verdict.OURS_RIGHT, _CP932),
    ("corpus/email/msg/msgreader_nonunicode_cp932.msg", "text"): (Verdict.OURS_RIGHT, _CP932),
    ("corpus/email/msg/outlookmsgparser_smime_encrypted.msg", "text"): (Verdict.BY_DESIGN, _SMIME),
    ("corpus/email/msg/outlookmsgparser_smime_signed_and_encrypted.msg", "text"): (Verdict.BY_DESIGN, _SMIME),
}


def key_of(d: Disagreement) -> tuple[str, str] | None:
    key = (d.sample, d.field)
    return key if key in KNOWN else None
