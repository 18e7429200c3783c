"""The warning vocabulary: every code a parser or the ingest gives a :class:`~cyberevidence.events.ParseWarning`.

Each :class:`WarningCode` has a :class:`WarningCategory` and a one-line meaning. Readers decide by
category, never by a literal list of codes: :mod:`cyberevidence.limitations` reports every
``DAMAGE`` warning as a "damaged" limitation, whichever parser wrote it (a Facebook
``malformed_json`` as an X ``damaged_json``). Near-synonyms written by different parsers
(``bad_timestamp``, ``unreadable_date``, ``no_timestamp`` ...) keep their codes, which are stable
in custody and in existing cases, and share a category.

``tests/test_warning_codes.py`` scans the source and fails when a code is emitted that is not
declared here; ``docs/warnings.md`` holds the table :func:`markdown_table` makes (a test keeps
them equal). A plug-in parser's own code has no category (:func:`category_of` gives ``None``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class WarningCategory(StrEnum):
    """What kind of thing a warning says, for whoever weighs the evidence."""

    #: The file, or a part of it, is cut off, malformed or contradicts itself: some of what it held may be missing.
    DAMAGE = "damage"
    #: Something was read under an assumption (a zone, a date order, a code page) that a person should check.
    ASSUMPTION = "assumption"
    #: A record, member or part was not read, or is not on the timeline (it stays in the stored file).
    SKIPPED = "skipped"
    #: A size or depth limit cut or refused something (the stored file keeps it whole).
    LIMIT = "limit"
    #: A fact about how the file was read (an owner found, a repair made); nothing is missing because of it.
    INFO = "info"


_D: Final = WarningCategory.DAMAGE
_A: Final = WarningCategory.ASSUMPTION
_S: Final = WarningCategory.SKIPPED
_L: Final = WarningCategory.LIMIT
_I: Final = WarningCategory.INFO


class WarningCode(StrEnum):
    """A warning code, its category and its meaning (``code.category``, ``code.meaning``)."""

    category: WarningCategory
    meaning: str

    def __new__(cls, value: str, category: WarningCategory = _I, meaning: str = "") -> WarningCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.category = category
        member.meaning = meaning
        return member

    # -- damage: the file or a part of it is cut off, malformed or inconsistent
    COUNT_MISMATCH = "count_mismatch", _D, "The file states how many records it holds and a different number was found."
    XML_DAMAGED = "xml_damaged", _D, "The XML file is damaged or cut off; nothing after that point was read."
    DAMAGED_JSON = "damaged_json", _D, "The JSON file is damaged or cut off; records before the damage were read."
    MALFORMED_JSON = "malformed_json", _D, "A Meta (Facebook, Instagram) JSON file is not valid JSON; nothing in it was read."
    UNREADABLE_JSON = "unreadable_json", _D, "A download's JSON file is not valid JSON (or too deep); nothing in it was read."
    INVALID_UTF8 = "invalid_utf8", _D, "The file is not valid UTF-8; the undecodable bytes were replaced by U+FFFD."
    MIME_DEFECT = "mime_defect", _D, "The e-mail's MIME structure is malformed (e.g. no boundary); read as far as possible."
    MIME_BOUNDARY_REUSED = "mime_boundary_reused", _D, "A nested multipart reuses the outer boundary; the body was re-split flat."
    MIME_PART_UNRECOVERED = "mime_part_unrecovered", _D, "Bytes outside every MIME part look like a part; not read as one."
    PST_UNREADABLE_FOLDER = "pst_unreadable_folder", _D, "A folder of the Outlook PST could not be read."
    PST_UNREADABLE_ITEM = "pst_unreadable_item", _D, "An item of the Outlook PST could not be read."
    PST_UNREADABLE_ATTACHMENT = "pst_unreadable_attachment", _D, "An attachment in the Outlook PST could not be read."
    MSG_UNREADABLE_STREAM = "msg_unreadable_stream", _D, "A stream inside the Outlook .msg file could not be read."
    SPREADSHEET_EDITED = "spreadsheet_edited", _D, "Message ids are written as a spreadsheet writes them: the file was edited."
    MANGLED_ID = "mangled_id", _A, "A message id was rounded by a spreadsheet, so it does not identify the message."
    LONE_SURROGATE = "lone_surrogate", _D, "Half of a UTF-16 surrogate pair without its other half; replaced by U+FFFD."
    INVALID_CHARACTER = "invalid_character", _D, "A character reference XML does not allow; replaced by U+FFFD."

    # -- assumption: read under an assumption a person should check
    ASSUMED_TIMEZONE = "assumed_timezone", _A, "Local times were read in the default zone because nobody stated the zone."
    LOCAL_TIMES = "local_times", _A, "Some times are only local times of the exporting computer; read in the zone given."
    HTML_TIME_RULE = "html_time_rule", _A, "Some times on the HTML page carry no UTC offset; read in the zone given."
    TIMEZONE_MISMATCH = "timezone_mismatch", _A, "The zone used for local times disagrees with the offsets the file states."
    AMBIGUOUS_TIME = "ambiguous_time", _A, "A local time falls in a clock-change fold (it happened twice); one was chosen."
    NONEXISTENT_TIME = "nonexistent_time", _A, "A local time falls in a clock-change gap (it never happened); it was shifted."
    DATE_ORDER = "date_order", _A, "How the date order (day or month first) was decided."
    MIXED_DATE_ORDER = "mixed_date_order", _A, "Lines of the export disagree about the date order."
    DATE_WITHOUT_ZONE = "date_without_zone", _A, "The e-mail's Date header states no zone; read in the zone given."
    DATE_IN_SECONDS = "date_in_seconds", _A, "A time too small for milliseconds was read as seconds since 1970."
    DATE_UNIT = "date_unit", _A, "The file's time unit (seconds, or mixed) was decided by magnitude for the whole file."
    CREATED_UNIT = "created_unit", _A, "A time field's unit (milliseconds or microseconds) was decided by its magnitude."
    CODEPAGE_ASSUMED = "codepage_assumed", _A, "Text in 8 bits without a code page was read as windows-1252."
    UNKNOWN_SERVICE = "unknown_service", _A, "An iMessage row names a service other than iMessage/SMS/MMS/RCS; read as iMessage."
    UNKNOWN_TYPE = "unknown_type", _A, "A record type the app does not document; its direction or call type is left unknown."
    UNKNOWN_HANDLE = "unknown_handle", _A, "A message's handle is not in the handle table; the other party may be unknown."
    TEXT_KEY = "text_key", _A, "Messages carry their text under another key than the documented one; read as text."
    TEXT_MISMATCH = "text_mismatch", _A, "The text column and the attributed body disagree; the text column is shown."
    TIMESTAMP_MISMATCH = "timestamp_mismatch", _A, "A message id's time and its Timestamp disagree; the Timestamp is used."
    TIME_MISMATCH = "time_mismatch", _A, "Two time fields of a record disagree; the one stated is used."
    CLOCK_SKEW = "clock_skew", _A, "The sender's clock and the server's differ by more than an hour; the sender's time is shown."
    CLOCK_CONFLICT = "clock_conflict", _A, "A header's 12-hour and 24-hour readings conflict; the stated rule was applied."
    STYLE_CHANGE = "style_change", _A, "A header writes its date in another style and is dated earlier: it may be pasted text."
    HEADER_LOOKALIKE = "header_lookalike", _A, "A line starts with a date but not in a header layout; kept as message text."
    INVALID_HEADER = "invalid_header", _A, "A header-shaped line has an impossible date or time; kept as message text."
    INVALID_DATE = "invalid_date", _A, "A header-shaped line has an impossible date or time; kept as text."
    UNPARSED_LINE = "unparsed_line", _A, "A line or row was not in the expected layout; it was read by position or as text."
    MBOX_FROM_IN_BODY = "mbox_from_in_body", _A, "A line begins 'From ' inside a message; kept as body text."
    MBOX_MISSING_BLANK_LINE = "mbox_missing_blank_line", _A, "An envelope line not after a blank line was read as a new message."
    MBOX_LEADING_BLANK_LINES = "mbox_leading_blank_lines", _A, "Blank lines before the first envelope line were skipped."
    FEW_HEADERS = "few_headers", _A, "Few usual e-mail headers; read as a message because the file name says it is one."
    MBOX_NO_ENVELOPE = "mbox_no_envelope", _A, "The mbox does not start with a 'From ' line; its start is read as a message."
    DISPLAY_NAME_SPOOF = "display_name_spoof", _A, "The From display name is shaped like another address; the real one sent it."
    ODD_ADDRESS = "odd_address", _A, "An e-mail address is not well formed; kept as written."
    UNPARSED_ADDRESS = "unparsed_address", _A, "Addresses could not be read from a header; kept as written."
    HEADER_CHARSET = "header_charset", _A, "A malformed encoded word in a header; kept as written."
    BODY_CHARSET = "body_charset", _A, "A body part's character set is malformed or unknown; kept as written."
    UNPARSED_MESSAGE = "unparsed_message", _A, "A message could not be read as MIME (or as the expected record); kept as text."
    UNPARSED_ATTACHMENT = "unparsed_attachment", _A, "Declared multipart but holds no MIME parts; kept whole."
    IMPLAUSIBLE_DATE = "implausible_date", _A, "A stated date is impossible for this message; not used as its time."
    IMPLAUSIBLE_TIMESTAMP = "implausible_timestamp", _A, "A stored time is outside the app's lifetime; kept as stored."
    IMPLAUSIBLE_TIME_BEFORE_1990 = "implausible_time_before_1990", _A, "Events dated before 1990: the file may be misread."
    IMPLAUSIBLE_TIME_IN_FUTURE = "implausible_time_in_future", _A, "Events dated after tomorrow: the file may be misread."
    IMPLAUSIBLE_ONE_EVENT_HOLDS_FILE = (
        "implausible_one_event_holds_file",
        _A,
        "One event holds most of a file of many records: several may have been read as one.",
    )
    IMPLAUSIBLE_MOSTLY_WARNINGS = "implausible_mostly_warnings", _A, "Nearly every record gave a warning; check the parser."
    PARSER_SWITCHED = (
        "parser_switched",
        _A,
        "The chosen parser read the file implausibly and a runner-up plausibly; the runner-up was used.",
    )
    ADDRESS_CONFLICT = "address_conflict", _A, "A record's address fields disagree; which one was used is stated."
    UNREADABLE_ID = "unreadable_id", _A, "A message id is not an id of this platform; kept as written."
    DUPLICATE_MESSAGE_ID = "duplicate_message_id", _A, "A message id appears more than once; every copy is kept."
    DUPLICATE_KEY = "duplicate_key", _A, "A JSON object repeats a key; the last value is used and the others are listed."
    OWNER_CONFLICT = "owner_conflict", _A, "Two files name different account owners; the first was kept."
    OWNER_UNKNOWN = "owner_unknown", _A, "The export does not say whose it is; directions or the owner's handle are not set."
    NO_OWNER = "no_owner", _A, "No account owner was found, so message directions are not set."
    OWNER_AFTER_MESSAGES = "owner_after_messages", _A, "The owner is named after the messages, so their directions were not set."
    NO_CHANNEL_INFO = "no_channel_info", _A, "No channel file was acquired beside this one, so the channel is not known."
    UNKNOWN_CHAT = "unknown_chat", _A, "A message points at a chat that is not in the chat table."
    UNKNOWN_CONVERSATION = "unknown_conversation", _A, "A message's conversation is not in the conversations table."
    UNKNOWN_PARTY = "unknown_party", _A, "A call's other party is not recorded."
    UNKNOWN_SENDER = "unknown_sender", _A, "An incoming message names no sender."

    # -- skipped: not read, or not on the timeline (the stored file keeps it)
    BAD_TIMESTAMP = "bad_timestamp", _S, "An entry has no readable timestamp; skipped."
    UNREADABLE_DATE = "unreadable_date", _S, "A record's date could not be read; skipped."
    UNREADABLE_TIME = "unreadable_time", _S, "A record's time could not be read; skipped."
    NO_TIMESTAMP = "no_timestamp", _S, "A database row has no usable time; not on the timeline."
    NO_TIME = "no_time", _S, "A message has no readable date; skipped."
    NO_DATE = "no_date", _S, "A message has no usable date and no other recorded time; kept as undated (no time is invented)."
    MISSING_DATE = "missing_date", _S, "A message has no usable date; kept as undated (no time is invented)."
    UNPARSED_DATE = "unparsed_date", _S, "The Date header could not be read."
    BAD_DATE = "bad_date", _S, "A record's date could not be read; it is not on the timeline."
    BAD_DURATION = "bad_duration", _S, "A call's duration is not a number of seconds; left out."
    BAD_PHOTO_TIME = "bad_photo_time", _S, "The photo's stated time could not be read; it is not on the timeline."
    NO_PHOTO_TIME = "no_photo_time", _S, "The photo states no time; it is preserved but not on the timeline."
    NO_SCREENSHOT_TIME = "no_screenshot_time", _S, "The screenshot states no time; it is preserved but not on the timeline."
    UNDATED_RECORDS = "undated_records", _S, "Records the archive gives no date for are listed here, not on the timeline."
    UNTIMED_SERVICE = "untimed_service", _S, "A service notice without a time; not on the timeline."
    BAD_BASE64 = "bad_base64", _S, "A part's content is not valid base64 and could not be stored; the message is kept."
    MISSING_ATTACHMENT = "missing_attachment", _S, "A message names an attachment the export does not hold."
    MEDIA_NOT_EXPORTED = "media_not_exported", _S, "The export names a placeholder instead of a media file."
    UNREADABLE_ATTACHMENT = "unreadable_attachment", _S, "An attachment could not be read (e.g. it has no name)."
    UNDECODABLE_BODY = "undecodable_body", _S, "A message's text could not be decoded from any column."
    CALL_DETAILS_MISSING = "call_details_missing", _S, "A call has no history row or details."
    PLACEHOLDER_ROW = "placeholder_row", _S, "The app's placeholder row is not a message; skipped."
    UNKNOWN_MESSAGE_TYPE = "unknown_message_type", _S, "An unknown message type with nothing readable in the row; kept empty."
    UNKNOWN_ELEMENT = "unknown_element", _S, "An XML element the app does not write; not read."
    UNREADABLE_ENTRY = "unreadable_entry", _S, "An entry is not in the expected shape; skipped."
    UNREADABLE_ROW = "unreadable_row", _S, "A row's quoting is broken; skipped."
    UNREADABLE_HEADER = "unreadable_header", _S, "A CSV file's header is not the expected one; it was not read."
    UNREADABLE_CSV = "unreadable_csv", _S, "No expected header was found in a CSV file; nothing in it was read."
    UNREADABLE_BLOCK = "unreadable_block", _S, "A block-list entry has no readable date or name; skipped."
    UNREADABLE_CHAT = "unreadable_chat", _S, "An entry of the chat list is not an object; skipped."
    UNREADABLE_COMMENT = "unreadable_comment", _S, "A comment is not an object; skipped."
    UNREADABLE_CONVERSATION = "unreadable_conversation", _S, "A conversation is not an object; skipped."
    UNREADABLE_EVENT = "unreadable_event", _S, "An event is not an object; skipped."
    UNREADABLE_MESSAGE = "unreadable_message", _S, "A message entry is not an object or not readable; skipped."
    UNREADABLE_MEMBER = "unreadable_member", _S, "A zip member could not be read safely; skipped."
    REJECTED_MEMBER = "rejected_member", _S, "A zip member was refused (a path outside the archive, a link); not read."
    UNRECOGNISED_MEMBER = "unrecognised_member", _S, "A member or entry is not one the parser reads; not read."
    UNRECOGNISED = "unrecognised", _S, "A file of the download is not one the parser reads; not read."
    UNEXPECTED_SHAPE = "unexpected_shape", _S, "A file is not in the shape the format documents; nothing in it was read."
    NOT_READ = "not_read", _S, "Files of the download that are not evidence of contact were not read."
    NOT_CONTACT_EVIDENCE = "not_contact_evidence", _S, "A file is kept but holds no contact with anyone; not on the timeline."
    NO_NAME = "no_name", _S, "A connection has no name; skipped."
    SKIPPED_NOTES = "skipped_notes", _S, "Lines of notes before a CSV header were skipped; they hold no records."
    EXTRA_CELLS = "extra_cells", _S, "A row has more cells than its header; the extra cells are listed."
    LEGACY_TABLE_NOT_READ = "legacy_table_not_read", _S, "The old message table holds rows that could not be read."
    SCHEMA = "schema", _S, "Tables or columns are missing, so some details are not available."
    ENCRYPTED_BACKUP = "encrypted_backup", _S, "An encrypted backup: nothing can be read without the key; the file is kept."
    NO_CHAT_HISTORY = "no_chat_history", _S, "The download holds no chat history file; nothing read."
    NO_USER_DATA = "no_user_data", _S, "The download holds no user data file; nothing read."
    NO_MESSAGES = "no_messages", _S, "The file or download holds no messages."
    NOTHING_FOUND = "nothing_found", _S, "No member of the archive is one the parser reads."
    EMPTY_MESSAGE = "empty_message", _S, "An envelope line with no message after it."
    PST_EMBEDDED_NOT_EXPANDED = "pst_embedded_not_expanded", _S, "An embedded PST message is kept as bytes, not read as one."
    TNEF_NOT_EXPANDED = "tnef_not_expanded", _S, "An Outlook TNEF part (winmail.dat) is kept as one attachment, not expanded."
    MSG_MISSING_PROPERTIES = "msg_missing_properties", _S, "A .msg part has no properties stream; times and code page unknown."
    OCR_UNAVAILABLE = "ocr_unavailable", _S, "OCR was not run, so the screenshot's words are not searchable."
    OCR_FAILED = "ocr_failed", _S, "OCR could not read the picture."
    WAL_NOT_APPLIED = "wal_not_applied", _S, "A SQLite write-ahead log beside the database was not applied."
    WAL_FRAMES_NOT_APPLIED = "wal_frames_not_applied", _S, "Frames of a SQLite write-ahead log were not applied."

    # -- limit: a size or depth limit cut or refused something
    FIELD_TRUNCATED = "field_truncated", _L, "A field longer than the bound was cut in the event; the stored file keeps it whole."
    TOO_LARGE = "too_large", _L, "The file is larger than the parser reads; not read."
    MESSAGE_TOO_LARGE = "message_too_large", _L, "The message is larger than one message can be here; not read."
    LONG_LINE = "long_line", _L, "A line longer than the app allows; its start is in the event, the rest only in the stored file."
    MSG_TOO_DEEP = "msg_too_deep", _L, "Embedded messages nested too deep; the deeper ones were not read."
    HUGE_NUMBER = "huge_number", _L, "A number too long to convert was kept as its digits (cut)."

    # -- info: how the file was read; nothing is missing because of it
    ACCOUNT_OWNER = "account_owner", _I, "The account owner, from the download; their messages are outgoing."
    ACCOUNT_USERNAME = "account_username", _I, "The account's username, from the download."
    ARCHIVE_OWNER = "archive_owner", _I, "The archive names its owner; their messages are outgoing."
    OWNER = "owner", _I, "The account holder, from the download."
    CONTACT_NAMES = "contact_names", _I, "Contact names were taken from a file acquired beside this one."
    LEGACY_ROWS_READ = "legacy_rows_read", _I, "Rows only in the old message table were read from it."
    LAYOUT = "layout", _I, "Which layout of the format the file is in."
    MOJIBAKE_REPAIRED = "mojibake_repaired", _I, "Text stored as UTF-8 read as Latin-1 was repaired; correct text was left alone."
    WAL_APPLIED = "wal_applied", _I, "A SQLite write-ahead log acquired beside the database was applied."
    WAL_COUNT_DIFFERS = "wal_count_differs", _I, "SQLite read a different number of log frames than the check counted."


def category_of(code: str) -> WarningCategory | None:
    """The category of a code, or ``None`` for a code this version does not declare (a plug-in's own)."""
    member = WarningCode._value2member_map_.get(code)
    return member.category if isinstance(member, WarningCode) else None


def codes_in(category: WarningCategory) -> frozenset[str]:
    """Every declared code of one category."""
    return frozenset(str(c) for c in WarningCode if c.category is category)


def markdown_table() -> str:
    """The table ``docs/warnings.md`` holds: one row per code (code, category, meaning), by category."""
    order = list(WarningCategory)
    rows = ["| Code | Category | Meaning |", "| --- | --- | --- |"]
    for code in sorted(WarningCode, key=lambda c: (order.index(c.category), c.value)):
        rows.append(f"| `{code.value}` | {code.category.value} | {code.meaning} |")
    return "\n".join(rows)


__all__ = ["WarningCategory", "WarningCode", "category_of", "codes_in", "markdown_table"]
