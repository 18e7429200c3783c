"""Hostile text made safe to *show*: invisible and control characters become visible.

The names, texts and file names in a case were written by the other side. A right-to-left
override (U+202E) makes ``Mark⟨U+202E⟩exe.gnp`` display as "Markpng.exe"; an ESC sequence in a
file name clears the examiner's terminal or changes its title. Everything the tool *shows* (the
HTML report, the evidence pack's HTML and text files, conduct.txt and every terminal message)
passes through :func:`visible`; the stored evidence (the store, the index, JSONL and CSV data
exports) keeps every character exactly as it was.

The rule (also in docs/report.md, "Invisible and control characters"):

1. Every character of Unicode category Cc (C0 controls, DEL, C1 controls: ESC, BEL, CR ...),
   Cf (format characters: the bidi marks U+200E, U+200F, U+061C, embeddings and overrides
   U+202A–U+202E, isolates U+2066–U+2069, zero-width U+200B–U+200D, U+2060, U+FEFF, soft
   hyphen, tags ...), Cs (lone surrogates), Zl and Zp (U+2028, U+2029) is shown as
   ``⟨U+202E⟩`` instead of being applied. WhatsApp's own U+200E marks are shown too (the
   parsers already drop the ones WhatsApp puts at the start of its notices and in names).
2. Kept, because they are part of ordinary writing and cannot reorder or hide text:

   a. U+200D ZERO WIDTH JOINER between emoji: after a pictographic symbol (category So), a
      skin-tone modifier (U+1F3FB–U+1F3FF) or the emoji variation selector U+FE0F, and
      before a pictographic symbol (👨‍👩‍👧, 🏳️‍🌈, 👩🏽‍💻);
   b. U+200C ZERO WIDTH NON-JOINER and U+200D between two letters or marks of the scripts
      that need them for shaping, U+0590–U+1FFF (Hebrew, Arabic and Persian, the Indic
      scripts, Sinhala, Thai, Khmer ...), e.g. Persian "می‌خواهم"; between Latin letters
      they are shown (``Mark⟨U+200C⟩ Kell`` is not "Mark Kell");
   c. the tag characters of a subdivision flag (U+1F3F4, tags U+E0020–U+E007E, U+E007F:
      🏴󠁧󠁢󠁥󠁮󠁧󠁿 England, Scotland, Wales);
   d. in multi-line text shown with its line breaks (message texts in the report's timeline),
      LF and TAB (CR LF is shown as LF; a lone CR is shown as ``⟨U+000D⟩``).

:func:`escaped` gives the code-point form (``Mark\\u202eexe.gnp``) for findings, and
:func:`bidi_overrides` the overrides a name holds (see :mod:`cyberevidence.limitations`).
"""

from __future__ import annotations

import re
import unicodedata
from html import escape as _html_escape
from typing import Final

#: How a hidden character is shown.
MARK_FORMAT: Final = "⟨U+{:04X}⟩"
#: Unicode categories shown as ``⟨U+XXXX⟩``.
SHOWN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ZWNJ: Final = "\u200c"
ZWJ: Final = "\u200d"
#: The direction overrides: everything after one is drawn in the forced direction.
BIDI_OVERRIDES: Final = {"\u202e": "right-to-left override", "\u202d": "left-to-right override"}
_BLACK_FLAG: Final = "\U0001f3f4"
_FLAG_TAGS_RE: Final = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


#: Candidates: a superset of every code point in :data:`SHOWN_CATEGORIES` (Unicode 14 to 16; a test
#: checks it against this Python's ``unicodedata``). Each match is checked by category again.
_HIDDEN_RE: Final = re.compile(
    r"[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    r"\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001345f"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)


def _is_pictograph(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def _joins_emoji(before: str, after: str) -> bool:
    if not before or not after or not _is_pictograph(after):
        return False
    return _is_pictograph(before) or before == "\ufe0f" or "\U0001f3fb" <= before <= "\U0001f3ff"


def _joins_script(before: str, after: str) -> bool:
    def shaped(ch: str) -> bool:
        return "\u0590" <= ch <= "\u1fff" and unicodedata.category(ch)[0] in "LM"

    return bool(before) and bool(after) and shaped(before) and shaped(after)


def mark(ch: str) -> str:
    """One character's visible form, e.g. ``⟨U+202E⟩``."""
    return MARK_FORMAT.format(ord(ch))


def visible(value: object, *, multiline: bool = False) -> str:
    """``value`` as text with every hidden or control character shown as ``⟨U+XXXX⟩`` (rule above).

    ``multiline=True`` keeps LF and TAB, for text shown with its line breaks. ``None`` is "".
    """
    text = "" if value is None else str(value)
    if _HIDDEN_RE.search(text) is None:
        return text
    if multiline and "\r\n" in text:
        text = text.replace("\r\n", "\n")
    flags: set[int] = set()
    if _BLACK_FLAG in text:
        for m in _FLAG_TAGS_RE.finditer(text):
            flags.update(range(m.start() + 1, m.end()))

    def show(m: re.Match[str]) -> str:
        ch, at = m.group(), m.start()
        if (multiline and ch in "\n\t") or unicodedata.category(ch) not in SHOWN_CATEGORIES:
            return ch
        if ch in (ZWJ, ZWNJ):
            before = text[at - 1] if at else ""
            after = text[at + 1] if at + 1 < len(text) else ""
            if (ch == ZWJ and _joins_emoji(before, after)) or _joins_script(before, after):
                return ch
        if at in flags:
            return ch
        return mark(ch)

    return _HIDDEN_RE.sub(show, text)


def html_text(value: object, *, multiline: bool = False) -> str:
    """:func:`visible`, then escaped for HTML text or a quoted attribute."""
    return _html_escape(visible(value, multiline=multiline), quote=True)


def has_hidden(value: object) -> bool:
    """Whether :func:`visible` would change anything in ``value`` (single-line rule)."""
    text = "" if value is None else str(value)
    return visible(text) != text


def escaped(value: object) -> str:
    """The code-point form: printable ASCII as is, ``\\`` doubled, everything else ``\\xHH``, ``\\uHHHH`` or ``\\UHHHHHHHH``."""
    out: list[str] = []
    for ch in "" if value is None else str(value):
        cp = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp <= 0xFF:
            out.append(f"\\x{cp:02x}")
        elif cp <= 0xFFFF:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    return "".join(out)


def bidi_overrides(value: object) -> list[str]:
    """The direction overrides (U+202D, U+202E) in ``value``, each once, in order of first use."""
    text = "" if value is None else str(value)
    return [ch for ch in dict.fromkeys(text) if ch in BIDI_OVERRIDES]


__all__ = [
    "BIDI_OVERRIDES",
    "MARK_FORMAT",
    "SHOWN_CATEGORIES",
    "bidi_overrides",
    "escaped",
    "has_hidden",
    "html_text",
    "mark",
    "visible",
]
