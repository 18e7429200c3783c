"""Streaming a chat text as blocks of decoded lines, with flat memory for any file size.

Why blocks: decoding a 1 MiB chunk and splitting it in C is several times faster than a
Python-level loop over a buffered reader, and it keeps memory flat for a 2 GB export.

Why split on LF only: WhatsApp writes CRLF or LF (some exports mix them, e.g. an LF-only POLL
block inside a CRLF file). A CR before an LF is a line ending; any other CR is content and kept.
UTF-8 is self-synchronising and LF is ASCII, so a multi-byte character never straddles a line
break: each line can be decoded on its own when a chunk holds invalid bytes, which is how the
line numbers of undecodable lines are found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cyberevidence.events import MAX_FIELD_CHARS
from cyberevidence.parsers._text import lf_line_ends

CHUNK = 1 << 20
BOM = "\ufeff"
#: A line longer than this keeps its first MAX_LINE_BYTES (cut at a character boundary); the rest
#: stays in the stored file and is counted in ``LineBlock.long``. WhatsApp itself limits a message
#: to 65,536 characters, so only a crafted or damaged file reaches this.
MAX_LINE_BYTES = MAX_FIELD_CHARS  # the one field bound (cyberevidence.events)


@dataclass(slots=True)
class TextBlock:
    """Consecutive lines as one string joined by LF (no final LF); ``first`` is the 1-based number
    of its first line. The parser matches headers over the whole string, so only the lines that
    need it are ever cut out; ``bad`` and ``long`` are as in :class:`LineBlock`.
    """

    first: int
    text: str
    bad: tuple[int, ...] = ()
    long: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Consecutive lines (without line endings); ``first`` is the 1-based number of ``lines[0]``.

    ``bad`` lists the numbers of lines that held invalid UTF-8 (decoded with U+FFFD).
    """

    first: int
    lines: list[str]
    bad: tuple[int, ...] = ()
    #: (line number, bytes not kept) for lines cut at :data:`MAX_LINE_BYTES`.
    long: tuple[tuple[int, int], ...] = ()


def _decode_block(block: bytes, first: int) -> TextBlock:
    """Decode a run of complete lines (no final LF); fall back per line only when needed."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_lines_one_by_one(block, first)
    if "\r" in text:
        text = lf_line_ends(text)
        if text.endswith("\r"):  # the block was cut just before an LF: this CR is a CRLF ending
            text = text[:-1]
    return TextBlock(first, text)


def _decode_lines_one_by_one(block: bytes, first: int) -> TextBlock:
    lines: list[str] = []
    bad: list[int] = []
    for offset, raw in enumerate(block.split(b"\n")):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", errors="replace"))
            bad.append(first + offset)
    return TextBlock(first, "\n".join(lines), tuple(bad))


def _utf8_prefix(data: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of ``data``, not cutting a UTF-8 character in two."""
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return data[:cut]


def iter_line_blocks(
    read: Callable[[int], bytes], chunk_size: int | None = None, max_line: int | None = None
) -> Iterator[LineBlock]:
    """Yield the stream's lines in blocks (:func:`iter_text_blocks`, each split at LF)."""
    for block in iter_text_blocks(read, chunk_size, max_line):
        yield LineBlock(block.first, block.text.split("\n"), block.bad, block.long)


def iter_text_blocks(
    read: Callable[[int], bytes], chunk_size: int | None = None, max_line: int | None = None
) -> Iterator[TextBlock]:
    """Yield the stream's lines in blocks of text; a leading UTF-8 byte-order mark is dropped.

    A file ending with a newline has no empty last line (as ``wc -l`` counts); a final line
    without a newline is still yielded. ``chunk_size`` defaults to :data:`CHUNK` and ``max_line``
    to :data:`MAX_LINE_BYTES` (read at call time). Memory stays bounded by both, whatever the input.
    """
    if chunk_size is None:
        chunk_size = CHUNK
    if max_line is None:
        max_line = MAX_LINE_BYTES
    carry = b""
    line_no = 1
    first_block = True
    kept = b""
    dropped = -1  # >= 0 while skipping the rest of an over-long line

    def emit(block: TextBlock) -> TextBlock:
        nonlocal first_block
        if first_block:
            _drop_bom(block)
            first_block = False
        return block

    while True:
        chunk = read(chunk_size)
        if not chunk:
            break
        if dropped >= 0:
            nl = chunk.find(b"\n")
            if nl < 0:
                dropped += len(chunk)
                continue
            tail = chunk[:nl]
            dropped += len(tail) - (1 if tail.endswith(b"\r") else 0)
            block = _decode_block(kept, line_no)
            yield emit(TextBlock(block.first, block.text, block.bad, ((line_no, dropped),)))
            line_no += 1
            kept, dropped = b"", -1
            chunk = chunk[nl + 1 :]
            if not chunk:
                continue
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n")
        if cut < 0:  # one very long line so far: keep reading until it ends, up to max_line
            if len(data) > max_line:
                kept = _utf8_prefix(data, max_line)
                dropped = len(data) - len(kept)
                carry = b""
            else:
                carry = data
            continue
        carry = data[cut + 1 :]
        block = _decode_block(data[:cut], line_no)
        yield emit(block)
        line_no += block.text.count("\n") + 1
    if dropped >= 0:
        block = _decode_block(kept, line_no)
        yield emit(TextBlock(block.first, block.text, block.bad, ((line_no, dropped),)))
    elif carry:
        yield emit(_decode_block(carry, line_no))


def _drop_bom(block: TextBlock) -> None:
    if block.text.startswith(BOM):
        block.text = block.text[1:]
