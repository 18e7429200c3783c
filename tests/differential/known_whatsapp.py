"""Every known disagreement of the WhatsApp text family with a peer, classified; ``docs/differential.md``
("WhatsApp text") states each in prose. A disagreement not matched here fails the differential
tests, and an entry that no longer matches anything fails them too (so the table cannot go stale)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from tests.differential._whatsapp_peers import Disagreement, Reading, Tally, chatminer, compare, node_batch, ours, whatstk
from tests.differential._whatsapp_samples import STATED_ORDER


class Verdict(Enum):
    OURS_RIGHT = "ours_right"  # the peer is wrong; the reference is in the reason
    FIXED = "fixed"  # we were wrong; fixed here, with a test
    BY_DESIGN = "by_design"  # we record something else on purpose (the rule is cited)


_TIMER = (
    "docs/formats/whatsapp.md, 'Who said it' (b): 'X: X updated the message timer' is a notice nobody types, "
    "so it is a system notice (shown_sender X), not a message from X; the peer counts it as X's message"
)
_E2E_NAME = (
    "'Who said it' (a): iOS writes the chat's name before the end-to-end-encryption notice; it is WhatsApp's "
    "notice, not a message from the chat's name; the peer counts it as one"
)
_LRM_NOTICES = (
    "'Who said it' (a) and (c): 'Person 1: \u200eMessages and calls are end-to-end encrypted' and "
    "'Person 1: \u200ePerson 2 changed their phone number' start with WhatsApp's own U+200E mark: notices, "
    "not messages (SOURCES.tsv: Person 1 8 messages); the peer counts them"
)
_REFUSE = (
    "docs/formats/whatsapp.md 'Date order': every date reads both ways and nothing in the file decides, so we "
    "refuse (DateOrderAmbiguousError: 'pass --date-order dmy or mdy') instead of guessing; the peer guesses silently"
)
_NOT_A_CHAT = (
    "no WhatsApp header at all (or an empty file): we refuse with a ParseError that says so; the peer reads nothing or fails"
)
_FAILS = "the peer cannot read this export at all (it raises); our reading matches the sample's ground truth in SOURCES.tsv"
_INVALID_UTF8 = (
    "the peer raises on invalid UTF-8; we keep every line, replacing the bad bytes with U+FFFD and an invalid_utf8 "
    "warning (docs/formats/whatsapp.md 'Inputs')"
)
_PM_IGNORED = "the peer ignores the 'p. m.'/'p.m.' marker of a 12-hour clock; SOURCES.tsv gives the afternoon time we read"
_ISO = (
    "ISO 8601: yyyy-mm-dd is year, month, day ('Header lines': a 4-digit first field is the year); the peer reads year-day-month"
)
_CHRONOLOGY = (
    "'Date order' tier 2: only the month-first reading keeps the messages in time order (SOURCES.tsv: 'only the m/d "
    "reading (Jun 3, Aug 5, Sep 4) is chronological'); the peer assumes day-first"
)
_12_HOURS_MISSED = (
    "the peer does not recognise the headers with a 12-hour clock written 'a. m.'/'p. m.' and glues those messages "
    "onto the one before; we read each as a message (SOURCES.tsv counts them)"
)

KNOWN: dict[tuple[str, int | str, str, str], tuple[Verdict, str]] = {
    # -- fixtures
    ("fixtures/WhatsApp Chat with +44 7700 900123.txt", -1, "count", "*"): (Verdict.OURS_RIGHT, _TIMER),
    ("fixtures/ambiguous_order.txt", -1, "count", "*"): (Verdict.BY_DESIGN, _REFUSE),
    ("fixtures/invalid_utf8.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _INVALID_UTF8),
    ("fixtures/invalid_utf8.txt", -1, "count", "whatstk"): (Verdict.OURS_RIGHT, _INVALID_UTF8),
    ("fixtures/ios_de_brackets_seconds.txt", -1, "count", "*"): (Verdict.OURS_RIGHT, _E2E_NAME),
    ("fixtures/ymd_android.txt", "*", "instant", "chatminer"): (Verdict.OURS_RIGHT, _ISO),
    ("fixtures/ymd_android.txt", "*", "instant", "whatstk"): (Verdict.OURS_RIGHT, _ISO),
    ("fixtures/es_android_ddmmyyyy_ampm.txt", -1, "count", "whatstk"): (Verdict.OURS_RIGHT, _12_HOURS_MISSED),
    ("fixtures/preamble_lines.txt", -1, "count", "whatstk"): (
        Verdict.OURS_RIGHT,
        "lines before the first header: we keep them as unparsed_line warnings and read the messages; the peer raises",
    ),
    # -- corpus
    ("corpus/whatsapp/chatistics_android_dmyy_24h_tricky_names.txt", -1, "count", "whatstk"): (
        Verdict.OURS_RIGHT,
        "SOURCES.tsv: 9 person messages (John Doe 4 incl. one empty); the peer loses John Doe's '👍👍👍👍👍👍!'",
    ),
    ("corpus/whatsapp/chatistics_android_dmyy_24h_tricky_names.txt", -1, "count", "node"): (
        Verdict.OURS_RIGHT,
        "SOURCES.tsv: 9 person messages (John Doe 4 incl. one empty); the peer loses John Doe's '👍👍👍👍👍👍!'",
    ),
    ("corpus/whatsapp/chatistics_ios_de_ddmmyy_brackets_lrm.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/chatistics_ios_de_ddmmyy_brackets_lrm.txt", -1, "count", "node"): (
        Verdict.OURS_RIGHT,
        "'2/11/19, 14:48 Alice Placeholder: …' inside John Doe's message has no brackets and no ' - ': not a header "
        "in this iOS export (SOURCES.tsv: 23 header lines); we keep it as text with a header_lookalike warning",
    ),
    ("corpus/whatsapp/chatistics_us_12h_endash.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/chatistics_us_12h_endash.txt", -1, "count", "whatstk"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/chatistics_us_12h_endash.txt", "*", "sender", "node"): (
        Verdict.OURS_RIGHT,
        "the separator after the time is an en dash ('Header lines'); the peer keeps '– ' as part of the name",
    ),
    ("corpus/whatsapp/chatminer_android_mmddyyyy_12h_es_ampm.txt", -1, "count", "whatstk"): (
        Verdict.OURS_RIGHT,
        _12_HOURS_MISSED,
    ),
    ("corpus/whatsapp/chatminer_hist_bracket_ddmmyy_24h_with_pm.txt", 0, "instant", "whatstk"): (Verdict.OURS_RIGHT, _PM_IGNORED),
    ("corpus/whatsapp/chatminer_hist_bracket_ddmmyy_24h_with_pm.txt", "*", "instant", "node"): (
        Verdict.BY_DESIGN,
        "'13:37:00 p.m.' is an hour above 12 with a 12-hour marker: we read the 24-hour time it shows, flag the event "
        "time_ambiguous and warn clock_conflict ('Header lines'); the peer adds 12 hours (01:37 the next day)",
    ),
    ("corpus/whatsapp/chatminer_hist_es_nbsp_in_pm.txt", "*", "instant", "whatstk"): (Verdict.OURS_RIGHT, _PM_IGNORED),
    ("corpus/whatsapp/chatminer_hist_mdyyyy_12h_pm_dots_no_comma.txt", "*", "instant", "whatstk"): (
        Verdict.OURS_RIGHT,
        _PM_IGNORED,
    ),
    ("corpus/whatsapp/chatminer_hist_yyyymmdd_time_trailing_dot.txt", -1, "count", "node"): (
        Verdict.OURS_RIGHT,
        "headers with a '.' after the time ('13:34. - ', 'Header lines'); the peer finds no message",
    ),
    ("corpus/whatsapp/chm_android_WhatsApp Chat with +123 45 6789.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _TIMER),
    ("corpus/whatsapp/chm_android_WhatsApp Chat with +123 45 6789.txt", -1, "count", "whatstk"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/chm_android_WhatsApp Chat with +123 45 6789.txt", -1, "count", "node"): (
        Verdict.OURS_RIGHT,
        _TIMER + "; it also reads 6/30/23 as 2025-06-06 (SOURCES.tsv: 2023-06-30)",
    ),
    ("corpus/whatsapp/langchain_ios_us_12h_lrm_image_omitted.txt", -1, "count", "*"): (Verdict.OURS_RIGHT, _E2E_NAME),
    ("corpus/whatsapp/langchain_mixed_variants_nnbsp.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/langchain_mixed_variants_nnbsp.txt", -1, "count", "whatstk"): (
        Verdict.OURS_RIGHT,
        "the file mixes header styles (bracketed and dashed, U+202F and '_' before AM); the peer fixes one style "
        "and reads one message holding all the rest",
    ),
    ("corpus/whatsapp/langchain_mixed_variants_nnbsp.txt", -1, "count", "node"): (
        Verdict.OURS_RIGHT,
        "'1/23/23, 3:22_AM - User 1: …' is a header ('Header lines': '_' may stand before AM); "
        "the peer glues it to the message before",
    ),
    ("corpus/whatsapp/pustur_parser_not_a_whatsapp_chat.txt", -1, "count", "*"): (Verdict.BY_DESIGN, _NOT_A_CHAT),
    ("corpus/whatsapp/pustur_parser_short_chat_ambiguous_dmy.txt", "*", "instant", "*"): (Verdict.OURS_RIGHT, _CHRONOLOGY),
    ("corpus/whatsapp/skowalak_empty_WhatsApp Chat with Andrew Ryan.txt", -1, "count", "*"): (Verdict.BY_DESIGN, _NOT_A_CHAT),
    ("corpus/whatsapp/timelinize_ios_export/_chat.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/timelinize_ios_export/_chat.txt", -1, "count", "whatstk"): (
        Verdict.OURS_RIGHT,
        _LRM_NOTICES + "; it also fixes one date style and glues the messages in the others onto the one before",
    ),
    ("corpus/whatsapp/timelinize_ios_export/_chat.txt", -1, "count", "node"): (Verdict.OURS_RIGHT, _LRM_NOTICES),
    ("corpus/whatsapp/waparserrb_mixed_android_ios_sample.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/waparserrb_mixed_android_ios_sample.txt", -1, "count", "whatstk"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/waparserrb_mixed_android_ios_sample.txt", -1, "count", "node"): (
        Verdict.OURS_RIGHT,
        "'15/12/2025, 10:34:00 AM Charlie: …' has no brackets and no ' - ' (SOURCES.tsv: 'no brackets, no dash'): "
        "text of the message before, with a header_lookalike warning; the peer makes it a message, and reads "
        "12/15/25 as 2026-03-12 (SOURCES.tsv: all 2025-12-15)",
    ),
    ("corpus/whatsapp/whatstk_hist_bracket_yyyymmdd_no_comma.txt", -1, "count", "chatminer"): (Verdict.OURS_RIGHT, _FAILS),
    ("corpus/whatsapp/whatstk_hist_iso_12h_lowercase_pm_dots.txt", "*", "instant", "whatstk"): (Verdict.OURS_RIGHT, _PM_IGNORED),
    ("corpus/whatsapp/whatstk_pokemon_de_ddmmyyyy_24h.txt", -1, "count", "*"): (Verdict.OURS_RIGHT, _E2E_NAME),
}


#: Entries exempt from the staleness check: the peer's answer changes from run to run. whatstk's
#: header detection (``auto_header``) reads this file in some runs and raises in others (it depends
#: on Python's string-hash seed); when it reads it, it agrees with us.
UNSTABLE: frozenset[tuple[str, int | str, str, str]] = frozenset({("fixtures/preamble_lines.txt", -1, "count", "whatstk")})


def key_of(d: Disagreement) -> tuple[str, int | str, str, str] | None:
    for key in ((d.sample, d.index, d.field, d.peer), (d.sample, d.index, d.field, "*"),
                (d.sample, "*", d.field, d.peer), (d.sample, "*", d.field, "*")):  # fmt: skip
        if key in KNOWN:
            return key
    return None


def run_peer(peer: str, samples: list[tuple[str, Path]]) -> Tally:
    """Ours against ``peer`` on every sample; one tally for all."""
    total = Tally()
    theirs: dict[Path, Reading]
    if peer == "node":
        theirs = node_batch([p for _, p in samples])
    else:
        read = chatminer if peer == "chatminer" else whatstk
        theirs = {p: read(p) for _, p in samples}
    for label, path in samples:
        t = compare(label, peer, ours(path, STATED_ORDER.get(label)), theirs[path])
        total.compared += t.compared
        total.agreed += t.agreed
        total.disagreements.extend(t.disagreements)
    return total
