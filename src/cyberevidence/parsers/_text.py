"""Small text rules shared by the parsers.

Line endings are an artefact of the tool or platform that wrote a file, not content: a message
text read from a CRLF file and the same text from an LF file must be the same string (and so get
the same event id). A CR directly before an LF is a line ending; any other CR is kept as content
(as a WhatsApp export can hold one inside a message).
"""

from __future__ import annotations


def lf_line_ends(text: str) -> str:
    """``text`` with every CRLF line ending as LF; a lone CR is content and kept."""
    return text.replace("\r\n", "\n") if "\r" in text else text
