"""Warnings with a cap per code: the first ``MAX_REPEATED_WARNINGS`` of a code are kept with their
locators, the rest are counted and summarised at the end. Nothing is silently dropped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from cyberevidence.events import ParseWarning

MAX_REPEATED_WARNINGS: Final = 1000


class CappedWarnings:
    """``make(code, message, locator)`` gives a warning, or ``None`` once the code's cap is reached;
    ``summaries()`` gives one "N more" warning per capped code."""

    def __init__(self, file: str, cap: int = MAX_REPEATED_WARNINGS) -> None:
        self.file = file
        self.cap = cap
        self.counts: dict[str, int] = {}

    def make(self, code: str, message: str, locator: str = "") -> ParseWarning | None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n > self.cap:
            return None
        return ParseWarning(code, message, locator=locator, file=self.file)

    __call__ = make

    def summaries(self) -> Iterator[ParseWarning]:
        for code, n in self.counts.items():
            if n > self.cap:
                msg = f"{n - self.cap} more '{code}' warning(s) like the ones above were not listed one by one"
                yield ParseWarning(code, msg, file=self.file)
