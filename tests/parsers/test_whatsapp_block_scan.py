"""The reader's shortcuts give what the per-line rules give: the whole-block header search finds
exactly the lines, and the matches, of the per-line rule; the marker shortcut skips only texts
in which no marker or call can be found.

The reader runs ``LINE_START_RE.finditer("\\n" + block)``; the line-by-line rule it replaced was
"first character in HEADER_START, then ``HEADER_RE.match(line)``, else ``LOOKALIKE_RE.match(line)``".
Checked on generated lines built from the characters headers are made of, so near-misses
(a missing bracket, a U+200E in a new place, an en dash, a trailing dot) are common.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cyberevidence.parsers._whatsapp_dates import HEADER_RE, HEADER_START, LINE_START_RE, LOOKALIKE_RE
from cyberevidence.parsers._whatsapp_text import may_have_markers, read_call, read_markers

_PIECES = st.sampled_from(
    ["1", "12", "2024", "09", "31", "/", ".", "-", ",", " ", ":", "[", "]", " - ", " \u2013 ", "\u200e", "\u200f",
     "\u202f", "\u00a0", "AM", "p. m.", "pm", "_", "Name: ", "text", "\r", "\u0663", "x"]
)  # fmt: skip
_LINE = st.lists(_PIECES, max_size=14).map("".join)


def _per_line(line: str) -> tuple[str, tuple[str | None, ...], int] | None:
    if line[:1] not in HEADER_START:
        return None
    m = HEADER_RE.match(line)
    if m is not None:
        return ("header", m.groups(), m.end())
    look = LOOKALIKE_RE.match(line)
    return ("look", (), look.end()) if look is not None else None


@settings(max_examples=2000, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=8))
@example(lines=["12/09/2020, 23:55 - Bob: hi", "more", "\u200e[1.2.20, 10:00:00] A: b", "15/12/2025, 10:34:00 AM C: x", ""])
@example(lines=["", "2023-5-4 3:22\u202fp.\u00a0m. \u2013 A: b", "9/24/2019 11:30 p.m. - J: x", "32/13/2020, 25:61 - N: z"])
def test_block_search_equals_the_per_line_rule(lines: list[str]) -> None:
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    expected = {s: r for s, line in zip(starts, lines, strict=True) if (r := _per_line(line)) is not None}
    found = {}
    for m in LINE_START_RE.finditer("\n" + text):
        start = m.start()
        if m.group("look") is not None:
            found[start] = ("look", (), m.end() - 1 - start)
        else:
            found[start] = ("header", m.group(1, 2, 3, 4), m.end() - 1 - start)
    assert found == expected


def test_a_non_ascii_digit_cannot_start_a_header() -> None:
    # "\d" matches U+0663 ARABIC-INDIC DIGIT THREE, but HEADER_START is ASCII: the line is text.
    line = "\u0663/10/2024, 10:00 - A: b"
    assert _per_line(line) is None
    assert list(LINE_START_RE.finditer("\n" + line)) == []


_TEXT_PIECES = st.sampled_from(
    ["<Media omitted>", "<attached: a.jpg>", "IMG-1.jpg (file attached)", "image omitted", "document omitted", "POLL:",
     "Missed voice call", "Video call, 5 min", "<This message was edited>", "This message was deleted", " ", "word ", "é",
     "x" * 30, ")", "<", "D", "s", "\n"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(text=st.lists(_TEXT_PIECES, max_size=8).map("".join))
def test_the_marker_shortcut_never_skips_a_marker(text: str) -> None:
    """``may_have_markers`` lets the reader skip the marker and call checks: only where both find nothing."""
    if not may_have_markers(text):
        assert read_markers(text) is None
        assert read_call(text) is None
