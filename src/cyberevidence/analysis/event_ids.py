"""The event ids behind a figure, held compactly and read on demand.

A subject with 700,000 contacts puts most of them behind several figures at once (total,
weekly counts, longest run, unanswered); a Python string per id and a tuple per figure cost
over 100 MiB at that scale. :class:`IdColumn` keeps each id once, 16 bytes when it is 32
lowercase hex digits (every id this tool makes, see ``make_event_id``) and as text otherwise;
:class:`EventIds` is a read-only sequence of positions in one column, equal to the tuple of the
same ids, so a figure compares, iterates and serialises as before.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

_WIDTH = 16
_LOWER_HEX = re.compile("[0-9a-f]*")


class IdColumn:
    """Event ids appended in order; ``column[i]`` is the i-th id appended."""

    __slots__ = ("_odd", "_packed", "_size")

    def __init__(self) -> None:
        self._packed = bytearray()
        self._odd: dict[int, str] = {}
        self._size = 0

    def append(self, event_id: str) -> int:
        """Keep ``event_id``; returns its position."""
        at = self._size
        packed = None
        if len(event_id) == 2 * _WIDTH:
            try:
                packed = bytes.fromhex(event_id)
            except ValueError:
                packed = None
            if packed is not None and packed.hex() != event_id:  # upper case or spaces: kept as text
                packed = None
        if packed is None:
            self._odd[at] = event_id
            packed = bytes(_WIDTH)
        self._packed += packed
        self._size = at + 1
        return at

    def extend(self, event_ids: Sequence[str]) -> None:
        """Keep ``event_ids`` in order: when all are 32 lowercase hex digits, in one conversion."""
        if set(map(len, event_ids)) == {2 * _WIDTH}:
            joined = "".join(event_ids)
            if _LOWER_HEX.fullmatch(joined):
                self._packed += bytes.fromhex(joined)
                self._size += len(event_ids)
                return
        for event_id in event_ids:
            self.append(event_id)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, at: int) -> str:
        if not 0 <= at < self._size:
            raise IndexError(at)
        odd = self._odd.get(at)
        if odd is not None:
            return odd
        return self._packed[at * _WIDTH : (at + 1) * _WIDTH].hex()


def positions(rows: Sequence[int] | None = None) -> array[int]:
    """An unsigned array of positions (4 bytes each), optionally filled from ``rows``."""
    out = array("I")
    if rows:
        out.extend(rows)
    return out


class EventIds(Sequence[str]):
    """The ids at ``rows`` (a range or an array of positions) of ``column``, in that order."""

    __slots__ = ("_column", "_rows")

    def __init__(self, column: IdColumn, rows: range | array[int]) -> None:
        self._column = column
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            column = self._column
            return tuple(column[r] for r in self._rows[index])
        return self._column[self._rows[index]]

    def __iter__(self) -> Iterator[str]:
        column = self._column
        return (column[r] for r in self._rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Sequence[str]) -> tuple[str, ...]:
        return (*self, *other)

    def __radd__(self, other: Sequence[str]) -> tuple[str, ...]:
        return (*other, *self)

    def __repr__(self) -> str:
        return f"EventIds({len(self)} ids)"
