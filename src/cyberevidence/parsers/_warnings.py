"""A warning factory for the database parsers (``_msgdb_common``, ``_wadb_common``).

The cap is no longer here: the host applies one cap per (file, code) around every parser's
stream (:mod:`cyberevidence.parsers.kit.warncap`), so ``make`` always gives the warning and
``summaries`` has nothing to add. Kept so those modules' imports stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from cyberevidence.events import ParseWarning
from cyberevidence.parsers.kit.warncap import WARNING_CAP as MAX_REPEATED_WARNINGS


class CappedWarnings:
    """``make(code, message, locator)`` gives a warning for ``file``; the host caps the stream."""

    def __init__(self, file: str, cap: int = MAX_REPEATED_WARNINGS) -> None:
        self.file = file
        self.cap = cap

    def make(self, code: str, message: str, locator: str = "") -> ParseWarning | None:
        return ParseWarning(code, message, locator=locator, file=self.file)

    __call__ = make

    def summaries(self) -> Iterator[ParseWarning]:
        """Nothing: the host's cap writes the "N more" summaries."""
        return iter(())


__all__ = ["MAX_REPEATED_WARNINGS", "CappedWarnings"]
