"""Which timeline rows the report shows at any size, by a stated rule that never hides the end.

The report's timeline is grouped by month (local to the case's zone; undated events last). When
the case has more events than the row budget (``max_rows``), rows are chosen in two passes over
the timeline:

1. the first pass counts, per month, the subjects' events (every event whose person is a subject
   in the people file, in either direction; every event when no subject is named) and the rest;
2. the budget goes first to the subjects' events, then to the rest, spread over the months by
   water-filling: each month gets the same share, a month needing less gives its surplus to the
   others, and a remainder goes to the latest months first;
3. within a month the **latest** events of each group are shown.

So the last month, with the latest contact, is always shown, and every month states how many of
its events the table shows and which lines of ``timeline.jsonl`` hold them all (the n-th event of
the timeline is line n of that export, whose SHA-256 the report gives). The print view takes the
latest ``print_rows`` subjects' events (of a chosen period, when one is given) by the same rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Group of the subjects' events, and of every other event.
SUBJECT, OTHER = 0, 1
UNDATED_KEY = "undated"


@dataclass
class Month:
    """One month of the timeline (``2025-03``, or ``undated``): where its events are and how many are shown."""

    key: str
    first_line: int
    last_line: int = 0
    counts: list[int] = field(default_factory=lambda: [0, 0])
    quota: list[int] = field(default_factory=lambda: [0, 0])
    platforms: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.counts[SUBJECT] + self.counts[OTHER]

    @property
    def shown(self) -> int:
        return self.quota[SUBJECT] + self.quota[OTHER]

    def shows(self, group: int, index: int) -> bool:
        """Whether the ``index``-th (from 0) event of ``group`` in this month is a row (the latest are)."""
        return index >= self.counts[group] - self.quota[group]


def water_fill(counts: Sequence[int], budget: int) -> list[int]:
    """Share ``budget`` over ``counts``: equal shares, never more than a count, the remainder to the last ones."""
    quota = [0] * len(counts)
    left = max(budget, 0)
    open_ = [i for i, c in enumerate(counts) if c > 0]
    while left and open_:
        share = left // len(open_)
        if share == 0:  # fewer rows left than months still wanting some: the latest months get them
            for i in reversed(open_[-left:]):
                quota[i] += 1
            break
        still = []
        for i in open_:
            give = min(share, counts[i] - quota[i])
            quota[i] += give
            left -= give
            if quota[i] < counts[i]:
                still.append(i)
        open_ = still
    return quota


def allocate(months: Sequence[Month], budget: int) -> None:
    """Set each month's quota: the subjects' events first, then the rest (see the module's rule)."""
    first = water_fill([m.counts[SUBJECT] for m in months], budget)
    left = budget - sum(first)
    second = water_fill([m.counts[OTHER] for m in months], left)
    for m, a, b in zip(months, first, second, strict=True):
        m.quota = [a, b]


def month_label(key: str) -> str:
    """``2025-03`` -> ``March 2025``; ``undated`` -> ``Undated events``."""
    from cyberevidence.analysis.conduct_words import MONTHS

    if key == UNDATED_KEY:
        return "Undated events"
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


__all__ = ["OTHER", "SUBJECT", "UNDATED_KEY", "Month", "allocate", "month_label", "water_fill"]
