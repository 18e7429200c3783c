"""Parsing without a case: ``cyberevidence.parse(path)`` for scripts and quick looks.

Members and attachments are hashed but not stored anywhere; nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cyberevidence.detect import media_type_of, media_type_of_bytes, require_parser
from cyberevidence.errors import InputNotFoundError
from cyberevidence.events import Event, EventIdAssigner, ParseWarning
from cyberevidence.hashing import hash_file, hash_stream
from cyberevidence.parsers import ParserRegistry, default_registry
from cyberevidence.parsers.base import DateOrder, DerivedRef, ParseOptions, SourceFile
from cyberevidence.parsers.kit.warncap import capped
from cyberevidence.plausibility import PlausibilityCheck, checked
from cyberevidence.timeutil import zone


@dataclass
class HashOnlyContext:
    """A :class:`~cyberevidence.parsers.base.ParseContext` that hashes derived members and keeps a list."""

    options: ParseOptions
    derived: list[tuple[str, str, DerivedRef]] = field(default_factory=list)

    def derive(self, stream: BinaryIO, *, parent: SourceFile, path_in_parent: str) -> DerivedRef:
        head = stream.read(8192)
        rest = hash_stream(stream, ("sha256",), prefix=head)
        ref = DerivedRef(sha256=rest.digests["sha256"], size=rest.size, media_type=media_type_of_bytes(head))
        self.derived.append((parent.sha256, path_in_parent, ref))
        return ref


def source_file_for(path: Path, siblings: Mapping[str, SourceFile] | None = None) -> SourceFile:
    digest = hash_file(path)["sha256"]
    return SourceFile(
        path=path,
        sha256=digest,
        name=path.name,
        size=path.stat().st_size,
        media_type=media_type_of(path),
        siblings=siblings or {},
    )


def parse(
    path: str | Path,
    *,
    timezone: str | None = None,
    date_order: DateOrder | None = None,
    format: str | None = None,
    registry: ParserRegistry | None = None,
    warnings: list[ParseWarning] | None = None,
) -> Iterator[Event]:
    """Parse one export without a case, yielding events in file order.

    Warnings are appended to ``warnings`` if given; they are never silently dropped (past the
    first 1,000 of one code for one file, one summary warning says how many more): whether or
    not a list is given, ``parse.last_warnings`` is the list of the latest parse's
    ``ParseWarning`` records (set when its iteration starts, filled as it goes).
    ``timezone`` is the zone of local times in the export; without it, Europe/London is
    assumed and a warning says so.
    """
    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(f"{p}: no such file")
    siblings: Mapping[str, SourceFile] = _LazySiblings(p) if _has_media_dir_hint(p) else {}
    source = source_file_for(p, siblings)
    reg = registry or default_registry()
    info = require_parser(source, reg, format)
    options = ParseOptions(timezone=zone(timezone or "Europe/London"), timezone_assumed=timezone is None, date_order=date_order)
    ctx = HashOnlyContext(options)
    ids = EventIdAssigner()
    sink = warnings if warnings is not None else []
    parse.last_warnings = sink  # type: ignore[attr-defined]
    # The one warning cap (per file and code) of every host: docs/warnings.md "The cap".
    for item in capped(checked(info.parse(source, ctx), PlausibilityCheck(info.name, source.name, source.size))):
        if isinstance(item, ParseWarning):
            sink.append(item)
        else:
            yield ids.assign(item)


parse.last_warnings = []  # type: ignore[attr-defined]


class _LazySiblings(Mapping[str, SourceFile]):
    """Files beside the input, hashed only when a parser asks for one (an attachment it links).

    Listing the names costs nothing; a 2 GB video in the same folder is read only if a message
    refers to it.
    """

    def __init__(self, path: Path) -> None:
        self._paths = {s.name: s for s in path.parent.iterdir() if s != path and s.is_file()}
        self._done: dict[str, SourceFile] = {}

    def __getitem__(self, name: str) -> SourceFile:
        if name not in self._done:
            self._done[name] = source_file_for(self._paths[name])
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _has_media_dir_hint(path: Path) -> bool:
    """Sibling files are offered only for small folders (an unpacked chat export), not e.g. ~/Downloads."""
    try:
        return sum(1 for _ in path.parent.iterdir()) <= 5000
    except OSError:
        return False
