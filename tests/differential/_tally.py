"""One running count for every differential comparison: fields compared, fields agreed, and each
disagreement (of the family's own ``Disagreement`` type) kept for classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

D = TypeVar("D")


@dataclass
class Tally(Generic[D]):
    compared: int = 0
    agreed: int = 0
    disagreements: list[D] = field(default_factory=list)


__all__ = ["Tally"]
