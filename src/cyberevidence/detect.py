"""Choosing a parser by content: libmagic for the media type, then each parser's ``sniff``.

File names never decide alone; a parser's sniff may use the name only to break ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cyberevidence.errors import UnknownFormatError
from cyberevidence.parsers import ParserRegistry
from cyberevidence.parsers.base import ParserInfo, SourceFile

SNIFF_BYTES = 64 * 1024


def media_type_of(path: Path) -> str:
    """The libmagic MIME type of a file (``application/octet-stream`` if libmagic cannot tell)."""
    import magic  # imported lazily: libmagic is a system library and loading it costs time

    try:
        return str(magic.from_file(str(path), mime=True))
    except (OSError, magic.MagicException):
        return "application/octet-stream"


def media_type_of_bytes(data: bytes) -> str:
    import magic

    try:
        return str(magic.from_buffer(data, mime=True))
    except magic.MagicException:
        return "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Detection:
    """Which parser was chosen and why; recorded in the custody log."""

    parser: ParserInfo | None
    reason: str


def read_head(path: Path, n: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def detect(source: SourceFile, registry: ParserRegistry, forced: str | None = None) -> Detection:
    """Pick the parser for ``source``; ``forced`` (``--format``) overrides sniffing."""
    if forced:
        info = registry.get(forced)
        return Detection(info, f"format {forced!r} given by the user")
    head = read_head(source.path)
    for info in registry.all():
        try:
            if info.sniff(source, head):
                return Detection(info, f"content recognised by {info.name} (media type {source.media_type or 'unknown'})")
        except Exception:  # a sniffer must never break detection; treat as "not mine"
            continue
    return Detection(None, f"no parser recognised this content (media type {source.media_type or 'unknown'})")


def require_parser(source: SourceFile, registry: ParserRegistry, forced: str | None = None) -> ParserInfo:
    found = detect(source, registry, forced)
    if found.parser is None:
        raise UnknownFormatError(f"{source.name}: {found.reason}")
    return found.parser
