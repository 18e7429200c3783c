"""CSV cells that a spreadsheet would run as a formula are defused.

The stalker wrote the text. A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with an apostrophe (OWASP's advice against CSV injection). Only CSV output
does this; JSONL keeps the text exactly as the source had it.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text
