"""Every known disagreement of ``sms_backup`` with the lxml reading written from the app's field list,
classified; ``docs/differential.md`` ("SMS Backup & Restore XML") states each in prose. A disagreement
not matched here fails the test, and an entry that matches nothing any more fails it too."""

from __future__ import annotations

from tests.differential._sms_xml_peer import Disagreement
from tests.differential.known_email import Verdict

_WITHHELD = (
    "the app writes -1/-2/-3 as the number of a private, withheld or unknown caller (docs/formats/sms_backup.md, "
    "WITHHELD_NUMBERS): not a number, so no address; the presentation is kept in extra"
)
_MMS_PARTIES = (
    "an MMS's @address lists every party joined by '~' (or names an RCS group); docs/formats/sms_backup.md reads each "
    "party's role from addrs/addr (137 from, 151 to, 130 cc, 129 bcc): the counterpart compared is the sender (incoming) "
    "or the first recipient (outgoing), and @address stays the thread"
)
_EMPTY = "an <sms/> with no attributes at all: no date, no address, no body; left out with a bad_date warning"
_DAMAGED = (
    "the file is not well-formed there; we stop at the damage with an xml_damaged warning (nothing after it read), "
    "while lxml's recover mode guesses where the broken element ends"
)
_ENTITIES = (
    "the file declares XML entities: refused whole as hostile input (no entity is ever expanded); lxml, told not to "
    "resolve them, still lists the element"
)
_EMPTY_DATA = (
    'a part whose @data is "" holds no content: we say so (missing_attachment) instead of inventing a 0-byte file; '
    "the peer decodes it as empty bytes"
)

#: (sample label, record locator or "" for the count, field) -> (verdict, reason)
KNOWN: dict[tuple[str, str, str], tuple[Verdict, str]] = {
    ("fixtures/sms_backup/calls-20251104183000.xml", "calls/call[8]", "address"): (Verdict.BY_DESIGN, _WITHHELD),
    ("corpus/sms_backup_restore/memacs_calls_old_format.xml", "calls/call[3]", "address"): (Verdict.BY_DESIGN, _WITHHELD),
    ("fixtures/sms_backup/sms-20251104183000.xml", "smses/mms[2]", "address"): (Verdict.BY_DESIGN, _MMS_PARTIES),
    ("fixtures/sms_backup/sms-entities.xml", "", "count"): (Verdict.BY_DESIGN, _ENTITIES),
    ("fixtures/sms_backup/sms-entities.xml", "smses/sms[1]", "record"): (Verdict.BY_DESIGN, _ENTITIES),
    ("fixtures/sms_backup/sms-truncated.xml", "", "count"): (Verdict.BY_DESIGN, _DAMAGED),
    ("fixtures/sms_backup/sms-truncated.xml", "smses/sms[4]", "record"): (Verdict.BY_DESIGN, _DAMAGED),
    ("corpus/sms_backup_restore/sbm_invalid_empty_sms_element.xml", "", "count"): (Verdict.BY_DESIGN, _EMPTY),
    ("corpus/sms_backup_restore/sbm_invalid_empty_sms_element.xml", "smses/sms[2]", "record"): (Verdict.BY_DESIGN, _EMPTY),
    ("corpus/sms_backup_restore/sbm_sms_and_mms_with_comment.xml", "smses/mms[1]", "parts"): (Verdict.BY_DESIGN, _EMPTY_DATA),
    ("corpus/sms_backup_restore/sbm_sms_and_mms_with_comment.xml", "smses/mms[2]", "address"): (
        Verdict.BY_DESIGN,
        _MMS_PARTIES,
    ),
    ("corpus/sms_backup_restore/sbr2_sms_and_mms.xml", "smses/mms[3]", "address"): (Verdict.BY_DESIGN, _MMS_PARTIES),
    ("corpus/sms_backup_restore/sbr2_sms_and_mms.xml", "smses/mms[4]", "address"): (Verdict.BY_DESIGN, _MMS_PARTIES),
    ("corpus/sms_backup_restore/sbr2_sms_and_mms.xml", "smses/mms[5]", "address"): (Verdict.BY_DESIGN, _MMS_PARTIES),
    ("corpus/sms_backup_restore/sbr2_sms_and_mms.xml", "smses/mms[9]", "address"): (Verdict.BY_DESIGN, _MMS_PARTIES),
    ("corpus/sms_backup_restore/sbrparser_malformed.xml", "", "count"): (Verdict.BY_DESIGN, _DAMAGED),
    ("corpus/sms_backup_restore/sbrparser_malformed.xml", "smses/sms[1]", "record"): (Verdict.BY_DESIGN, _DAMAGED),
}


def key_of(d: Disagreement) -> tuple[str, str, str] | None:
    key = (d.sample, d.record, d.field)
    return key if key in KNOWN else None
