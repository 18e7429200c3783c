"""Repairing the mojibake in Facebook and Instagram JSON downloads.

Meta writes UTF-8 text as if each byte were a Latin-1 character, escaped: ``é`` appears as
``\\u00c3\\u00a9`` and 😀 as ``\\u00f0\\u009f\\u0098\\u0080``. After ``json.loads`` such a string holds
only characters below U+0100 whose byte values form valid UTF-8.

The rule, applied to each string on its own: a string is replaced by
``s.encode("latin-1").decode("utf-8")`` **only when that succeeds** (every character is below
U+0100 *and* the bytes are valid UTF-8) and changes something. A correctly encoded file is left
alone: ``café`` is ``caf\\xe9``, whose single byte 0xE9 is not valid UTF-8, so it stays ``café``;
any character at or above U+0100 (``—``, ``€``, an emoji) proves the string was not mis-decoded.
The one theoretical false repair is a correct string made only of Latin-1 characters that
happen to spell valid UTF-8 (``Ã©``), which real text practically never contains.
"""

from __future__ import annotations

from typing import Any


def repair_text(s: str) -> str | None:
    """The repaired string, or ``None`` when the rule does not apply (nothing to change)."""
    if s.isascii():
        return None
    try:
        fixed = s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return fixed if fixed != s else None


class Repairer:
    """Repairs every string value in a parsed JSON document and counts the strings changed."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def text(self, s: str) -> str:
        if not s.isascii():
            try:
                s.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: not text, cannot be stored
                s = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s)
        fixed = repair_text(s)
        if fixed is None:
            return s
        self.count += 1
        return fixed

    def __call__(self, value: Any) -> Any:
        """A repaired copy of ``value`` (dicts, lists and strings; other values unchanged)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value
