"""Streaming machinery for the SMS Backup & Restore parser (see ``sms_backup.py`` for the rules).

Two pieces, both O(1) memory in the size of the file:

* :class:`CharRefRepair` rewrites the character references Android's XML writer gets wrong,
  before expat sees them: a UTF-16 surrogate pair written as two references
  (``&#55357;&#56832;``) becomes one reference to the real code point (😀); a lone surrogate, or
  a reference to a character XML forbids (``&#1;``), becomes U+FFFD and is reported. A surrogate
  rewrite keeps the byte length (the new reference is zero-padded), so expat's byte offsets,
  lines and columns still point into the stored file.
* :func:`iter_backup` feeds the repaired bytes to defusedxml's SAX driver (entity declarations
  and external references are refused) and hands over one top-level record (``<sms>``,
  ``<mms>`` with its parts and addresses, ``<call>``) at a time, then forgets it.
"""

from __future__ import annotations

import re
import tempfile
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from cyberevidence.events import MAX_FIELD_CHARS

#: Bytes read (and fed to expat) at a time.
CHUNK: Final = 1 << 20
#: Bytes kept back at the end of a chunk so a reference (or a pair) is never split.
HOLD_BACK: Final = 64
ROOTS: Final = frozenset({"smses", "calls"})
RECORD_TAGS: Final = frozenset({"sms", "mms", "call"})

# Character references that may need repair: surrogates (decimal 55xxx-57xxx, hex Dxxx), C0
# controls other than tab/LF/CR, U+FFFE/U+FFFF. A superset; the exact value is checked after.
_SUSPECT = re.compile(
    rb"&#0*([0-8]|1[124-9]|2[0-9]|3[01]|5[5-7][0-9]{3}|6553[45]);"
    rb"|&#x0*([0-8]|[bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]);"
)
_REF_AT_END = re.compile(rb"&#x?[0-9a-fA-F]{1,16};\Z")
REPLACEMENT: Final = 0xFFFD


def _is_allowed(cp: int) -> bool:
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or cp >= 0x10000


def _ref(cp: int, width: int) -> bytes:
    """A decimal reference to ``cp``, zero-padded to ``width`` bytes when it fits."""
    digits = str(cp)
    pad = max(0, width - len(digits) - 3)
    return b"&#" + b"0" * pad + digits.encode("ascii") + b";"


@dataclass(frozen=True, slots=True)
class CharFix:
    """One repaired reference: where (in the repaired stream) and what it was."""

    offset: int
    line: int
    original: str
    code: str  # "lone_surrogate" | "invalid_character"

    def describe(self) -> str:
        if self.code == "lone_surrogate":
            return (
                f"the character reference {self.original} is half of a UTF-16 surrogate pair without its other half "
                "(the app wrote a character it could not encode); it was replaced by U+FFFD"
            )
        return f"the character reference {self.original} names a character XML does not allow; it was replaced by U+FFFD"


class CharRefRepair:
    """Rewrites bad character references in a byte stream fed in chunks (see the module docstring)."""

    def __init__(self) -> None:
        self._carry = b""
        self._offset = 0  # bytes emitted so far
        self._lines = 0  # newlines emitted so far
        self.fixes: deque[CharFix] = deque()

    def push(self, chunk: bytes, final: bool = False) -> bytes:
        buf = self._carry + chunk if self._carry else chunk
        cut = len(buf) if final else self._safe_cut(buf)
        self._carry = buf[cut:]
        out = self._repair(buf, cut) if b"&#" in buf else buf[:cut]
        self._lines += out.count(b"\n")
        self._offset += len(out)
        return out

    @staticmethod
    def _safe_cut(buf: bytes) -> int:
        amp = buf.rfind(b"&", max(0, len(buf) - HOLD_BACK))
        if amp < 0:
            return len(buf)
        before = _REF_AT_END.search(buf, max(0, amp - 24), amp)
        return before.start() if before else amp

    def _repair(self, buf: bytes, cut: int) -> bytes:
        found = [(m.start(), m.end(), self._value(m)) for m in _SUSPECT.finditer(buf, 0, cut)]
        bad = [f for f in found if not _is_allowed(f[2])]
        if not bad:
            return buf[:cut]
        pieces: list[bytes] = []
        pos, i, shift = 0, 0, 0
        while i < len(bad):
            start, end, cp = bad[i]
            pieces.append(buf[pos:start])
            if 0xD800 <= cp <= 0xDBFF and i + 1 < len(bad) and bad[i + 1][0] == end and 0xDC00 <= bad[i + 1][2] <= 0xDFFF:
                low_end, low = bad[i + 1][1], bad[i + 1][2]
                pieces.append(_ref(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00), low_end - start))
                pos, i = low_end, i + 2
                continue
            new = _ref(REPLACEMENT, end - start)
            code = "lone_surrogate" if 0xD800 <= cp <= 0xDFFF else "invalid_character"
            line = self._lines + buf.count(b"\n", 0, start) + 1
            self.fixes.append(CharFix(self._offset + start + shift, line, buf[start:end].decode("ascii"), code))
            shift += len(new) - (end - start)
            pieces.append(new)
            pos, i = end, i + 1
        pieces.append(buf[pos:cut])
        return b"".join(pieces)

    @staticmethod
    def _value(m: re.Match[bytes]) -> int:
        dec, hexa = m.group(1), m.group(2)
        return int(dec) if dec is not None else int(hexa, 16)

    def take_before(self, offset: int) -> list[CharFix]:
        """The fixes (oldest first) at byte offsets before ``offset`` of the repaired stream."""
        taken: list[CharFix] = []
        while self.fixes and self.fixes[0].offset < offset:
            taken.append(self.fixes.popleft())
        return taken


@dataclass(slots=True)
class Record:
    """One top-level element with what was read inside it."""

    tag: str
    index: int  # 1-based among the root's children with the same tag
    line: int
    attrs: dict[str, str]
    parts: list[dict[str, str]] = field(default_factory=list)
    addrs: list[dict[str, str]] = field(default_factory=list)
    fixes: list[CharFix] = field(default_factory=list)
    complete: bool = False
    #: Over-long attributes cut (or spooled) in this record: ("" for the record's own tag, or
    #: "part[K]" / "addr[K]", 1-based), with the cut.
    cuts: list[tuple[str, FieldCut]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Issue:
    """Something about the file outside any record (an unknown element, a repair between records)."""

    code: str
    message: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Broken:
    """Where the XML stopped being readable. ``partial`` is the record it broke inside, if any."""

    reason: str
    line: int
    column: int
    last: Record | None
    partial: Record | None


@dataclass(frozen=True, slots=True)
class Root:
    """The root element, reported once before any record."""

    tag: str
    attrs: dict[str, str]


class NotABackupError(Exception):
    """The file is not an SMS Backup & Restore backup (message says why)."""


class RefusedXmlError(Exception):
    """defusedxml refused a construct (entity declaration, external reference)."""


class _BackupParser(DefusedExpatParser):  # type: ignore[misc]  # defusedxml has no type hints
    """defusedxml's SAX driver with its expat element callbacks taken over, so a record costs one dict.

    ``start_element``/``end_element`` are the methods the driver installs as expat's handlers;
    overriding them skips SAX's per-element wrapper objects. The defused handlers (entity
    declarations, external references) are installed by the base class as usual.
    """

    def __init__(self, repair: CharRefRepair, bound: FieldBound | None = None) -> None:
        super().__init__()  # forbid_entities and forbid_external are on by default
        self.setContentHandler(ContentHandler())
        self.repair = repair
        self.bound = bound or FieldBound()
        self.depth = 0
        self.root: Root | None = None
        self.current: Record | None = None
        self.last: Record | None = None
        self.counters: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.ready: list[Record | Issue | Root] = []

    def reset(self) -> None:
        super().reset()
        self._parser.CharacterDataHandler = None  # text between elements carries nothing here

    def _where(self) -> tuple[int, int]:
        p = self._parser
        offset = int(p.CurrentByteIndex)
        line = int(p.CurrentLineNumber)
        if self.bound._breaks:
            line += self.bound.lines_before(offset)
        return offset, line

    def start_element(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        depth = self.depth
        bound = self.bound
        if depth == 2:
            offset, line = self._where()
            if self.repair.fixes or bound.cuts:
                self._loose_fixes(offset)
            if name in RECORD_TAGS:
                n = self.counters.get(name, 0) + 1
                self.counters[name] = n
                self.current = Record(name, n, line, attrs)
                if bound.cuts:
                    self.current.cuts.extend(("", c) for c in bound.take_at(offset))
            else:
                self.current = None
                seen = self.unknown.get(name, 0) + 1
                self.unknown[name] = seen
                if seen == 1:
                    msg = f"<{name}> is not an element of SMS Backup & Restore backups; its content was not read"
                    self.ready.append(Issue("unknown_element", msg, line))
        elif depth == 1:
            if name not in ROOTS:
                raise NotABackupError(f"the XML root element is <{name}>, not <smses> or <calls>")
            self.root = Root(name, attrs)
            self.ready.append(self.root)
        elif self.current is not None:
            rec = self.current
            if name == "part":
                rec.parts.append(attrs)
                label = f"part[{len(rec.parts)}]"
            elif name == "addr":
                rec.addrs.append(attrs)
                label = f"addr[{len(rec.addrs)}]"
            else:
                label = name
            if bound.cuts:
                offset = self._where()[0]
                rec.cuts.extend(("", c) for c in bound.take_before(offset))
                rec.cuts.extend((label, c) for c in bound.take_at(offset))

    def end_element(self, name: str) -> None:
        if self.depth == 2 and self.current is not None:
            rec = self.current
            if self.repair.fixes or self.bound.cuts:
                offset = self._where()[0]
                rec.fixes = self.repair.take_before(self.bound.to_input(offset))
                rec.cuts.extend(("", c) for c in self.bound.take_before(offset))
            rec.complete = True
            self.ready.append(rec)
            self.last, self.current = rec, None
        self.depth -= 1

    def _loose_fixes(self, offset: int) -> None:
        for fix in self.repair.take_before(self.bound.to_input(offset)):
            self.ready.append(Issue(fix.code, fix.describe(), fix.line))
        for cut in self.bound.take_before(offset):
            self.ready.append(Issue("field_truncated", cut.describe(), cut.line))

    def drain(self) -> list[Record | Issue | Root]:
        out, self.ready = self.ready, []
        return out


def iter_backup(path: Path) -> Iterator[Record | Issue | Root | Broken]:
    """Stream ``path``: the root, then records and issues in file order, then a :class:`Broken` if it breaks.

    Raises :class:`NotABackupError` when the root element is missing or not a backup root, and
    :class:`RefusedXmlError` for entity declarations or external references.
    """
    repair = CharRefRepair()
    bound = FieldBound()
    sax = handler = _BackupParser(repair, bound)
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            final = not chunk
            data = bound.push(repair.push(chunk, final), final)
            try:
                if data:
                    sax.feed(data)
                if final:
                    sax.close()
            except SAXParseException as exc:
                # expat counts columns from 0; people (and editors) count from 1
                line, column = exc.getLineNumber() or 0, (exc.getColumnNumber() or 0) + 1
                line += bound.lines_before(int(handler._parser.CurrentByteIndex)) if bound._breaks else 0
                yield from handler.drain()
                if handler.root is None:
                    raise NotABackupError(
                        f"this is not well-formed XML with a root element ({exc.getMessage()} at line {line}, column {column})"
                    ) from None
                partial = handler.current if handler.depth >= 2 else None
                if partial is not None:
                    partial.fixes = list(repair.fixes)
                    repair.fixes.clear()
                    partial.cuts.extend(("", c) for c in bound.cuts)
                    bound.cuts.clear()
                yield Broken(exc.getMessage(), line, column, handler.last, partial)
                return
            except DefusedXmlException as exc:
                raise RefusedXmlError(str(exc)) from None
            except LookupError as exc:  # expat asks Python for the codec the XML declaration names
                raise NotABackupError(f"the XML declaration names an unknown encoding ({exc})") from None
            yield from handler.drain()
            if final:
                if handler.root is None:  # an empty file: expat was never started
                    raise NotABackupError("the file is empty")
                for fix in repair.take_before(1 << 62):
                    yield Issue(fix.code, fix.describe(), fix.line)
                for cut in bound.take_before(1 << 62):
                    yield Issue("field_truncated", cut.describe(), cut.line)
                return


# -- bounded fields ----------------------------------------------------------------------------

#: Attribute values longer than :data:`MAX_FIELD_CHARS` bytes are cut (or, for these
#: ``(element, attribute)`` pairs that carry MMS content, moved whole to a temporary file).
SPOOLED: Final = frozenset({("part", "data"), ("part", "text")})
#: A whole start tag (names and values together) is kept up to this many bytes; later attributes are dropped.
MAX_TAG_BYTES: Final = 4 * MAX_FIELD_CHARS
_TAG_STOP = re.compile(rb"[\"'>]")
_ATTR_NAME = re.compile(rb"([^\s=\"'<>/]+)\s*=\s*\Z")
_ELEMENT_NAME = re.compile(rb"<[/!?]?([^\s/>\"'=]*)")
_TEXT, _TAG, _VALUE, _SKIP_TAG, _MARKUP = range(5)
_MARKUPS: Final = (
    (b"<!--", b"-->", "comment"),
    (b"<![CDATA[", b"]]>", "CDATA section"),
    (b"<?", b"?>", "processing instruction"),
)


@dataclass(slots=True)
class FieldCut:
    """An over-long attribute value (or start tag, comment ...) cut in the stream before expat sees it.

    ``tag_offset`` is the offset of the element's ``<`` in the bounded stream (what expat reports
    for its start tag); ``size`` the original size in bytes; ``spool`` holds the whole value when
    the attribute is one of :data:`SPOOLED` (its value in the stream is then empty).
    """

    tag_offset: int
    line: int
    element: str
    attribute: str
    size: int
    kind: str = "attribute"  # "attribute" | "attributes" (rest of a tag dropped) | "markup"
    spool: BinaryIO | None = None
    complete: bool = True

    def describe(self) -> str:
        if self.kind == "attributes":
            return (
                f"the start tag <{self.element}> is longer than {MAX_TAG_BYTES:,} bytes; the attributes after its first "
                f"{MAX_TAG_BYTES:,} bytes ({self.size:,} bytes) are only in the stored file"
            )
        if self.kind == "markup":
            return (
                f"a {self.element} of {self.size:,} bytes is longer than {MAX_TAG_BYTES:,} bytes; it was cut (the app "
                "writes no such thing; the full text is in the stored file)"
            )
        size = f"{'at least ' if not self.complete else ''}{self.size:,} bytes"
        if self.spool is not None:
            return f"the attribute {self.attribute} of <{self.element}> holds {size}; it was read from a temporary copy"
        return (
            f"the attribute {self.attribute} of <{self.element}> holds {size}, more than the {MAX_FIELD_CHARS:,} kept for "
            f"one field; its first {MAX_FIELD_CHARS:,} bytes are in the event and the rest is only in the stored file"
        )


class FieldBound:
    """Cuts over-long attribute values, start tags and comments in a byte stream fed in chunks.

    expat keeps a whole start tag in memory and builds each attribute value whole, so one 500 MB
    ``body`` costs gigabytes. This pass sits between the file and expat and keeps every value to
    :data:`MAX_FIELD_CHARS` bytes (cut at a character and reference boundary), so the stream expat
    sees stays well-formed and memory stays flat. A start tag holds no ``<`` inside it (XML
    forbids ``<`` in attribute values), so a chunk whose ``<`` are never more than
    ``MAX_FIELD_CHARS`` apart, and which has no comment or processing instruction, cannot hold an
    over-long value: it passes through untouched (the fast path, two ``find`` calls a chunk).
    Everything else goes through a small state machine.

    Offsets: :attr:`cuts` are located in the bounded stream (expat's coordinates);
    :meth:`to_input` maps such an offset back to the input stream and :meth:`lines_before` gives
    the line breaks dropped before it, so locators still point into the stored file.
    """

    def __init__(self, limit: int = MAX_FIELD_CHARS) -> None:
        self.limit = limit
        self.tag_limit = max(4 * limit, 1 << 16)
        self.cuts: deque[FieldCut] = deque()
        self._carry = b""
        self._mode = _TEXT
        self._out_offset = 0
        self._in_offset = 0
        self._lines = 0  # newlines emitted
        self._breaks: list[tuple[int, int, int]] = []  # (output offset, bytes dropped, newlines dropped) so far
        self._dropped = 0
        self._dropped_lines = 0
        # the tag being read
        self._tag_offset = 0
        self._tag_line = 0
        self._tag_len = 0
        self._tag_head = b""
        self._attr = ""
        self._skip_len = 0
        self._pending = b""  # names between the last value and the next one, not yet emitted
        self._quote = b""
        self._value: list[bytes] = []
        self._value_len = 0
        self._cut: FieldCut | None = None
        self._last_sig = b""
        self._term = b""
        self._markup_len = 0

    # bookkeeping -------------------------------------------------------------------------

    def to_input(self, offset: int) -> int:
        """The input-stream offset of bounded-stream ``offset``."""
        return offset + self._shift(offset)[0]

    def lines_before(self, offset: int) -> int:
        """Line breaks of the input dropped before bounded-stream ``offset``."""
        return self._shift(offset)[1]

    def _shift(self, offset: int) -> tuple[int, int]:
        b = self._breaks
        if not b or offset < b[0][0]:
            return 0, 0
        i = bisect_right(b, (offset, 1 << 62, 1 << 62)) - 1
        return b[i][1], b[i][2]

    def _drop(self, data: bytes, emitted_after: int) -> None:
        """``data`` was read and not emitted; the next byte emitted is at ``emitted_after``."""
        self._dropped += len(data)
        self._dropped_lines += data.count(b"\n")
        entry = (emitted_after, self._dropped, self._dropped_lines)
        if self._breaks and self._breaks[-1][0] == emitted_after:
            self._breaks[-1] = entry
        else:
            self._breaks.append(entry)

    def take_before(self, offset: int) -> list[FieldCut]:
        taken: list[FieldCut] = []
        while self.cuts and self.cuts[0].tag_offset < offset:
            taken.append(self.cuts.popleft())
        return taken

    def take_at(self, offset: int) -> list[FieldCut]:
        taken: list[FieldCut] = []
        while self.cuts and self.cuts[0].tag_offset == offset:
            taken.append(self.cuts.popleft())
        return taken

    # the stream --------------------------------------------------------------------------

    def push(self, chunk: bytes, final: bool = False) -> bytes:
        buf = self._carry + chunk if self._carry else chunk
        self._carry = b""
        out: list[bytes] = []
        if self._mode == _TEXT and not final and b"<!" not in buf and b"<?" not in buf:
            last = buf.rfind(b"<")
            first_gap = max(0, buf.find(b"<", 1)) if buf[:1] == b"<" else 0
            if last < 0 or (first_gap <= self.limit and len(buf) - last <= self.limit):
                cut = len(buf) if last < 0 else last
                self._carry = buf[cut:]
                self._emit(out, buf[:cut])
                return out[0] if out else b""
        self._slow(buf, out, final)
        return b"".join(out)

    def _emit(self, out: list[bytes], data: bytes) -> None:
        if data:
            out.append(data)
            self._out_offset += len(data)
            self._lines += data.count(b"\n")

    def _slow(self, buf: bytes, out: list[bytes], final: bool) -> None:
        i, n = 0, len(buf)
        while i < n:
            mode = self._mode
            if mode == _TEXT:
                j = buf.find(b"<", i)
                if j < 0:
                    self._emit(out, buf[i:])
                    return
                self._emit(out, buf[i:j])
                head = buf[j : j + 9]
                if len(head) < 9 and not final and n - j < 9:
                    self._carry = buf[j:]
                    return
                self._tag_offset, self._tag_line = self._out_offset, self._lines + self._dropped_lines + 1
                for opener, term, what in _MARKUPS:
                    if head.startswith(opener):
                        self._emit(out, opener)
                        self._mode, self._term, self._markup_len, self._tag_head = _MARKUP, term, 0, what.encode()
                        i = j + len(opener)
                        break
                else:
                    self._mode, self._tag_len, self._tag_head, self._pending = _TAG, 0, b"", b""
                    i = j
            elif mode == _TAG:
                m = _TAG_STOP.search(buf, i)
                j = m.start() if m else n
                piece = buf[i:j]
                if len(self._tag_head) < 256:
                    self._tag_head += piece[: 256 - len(self._tag_head)]
                self._pending += piece
                self._tag_len += len(piece)
                if self._tag_len > self.tag_limit or len(self._pending) > self.limit:
                    self._start_skip(out)
                    i = j
                    continue
                if m is None:
                    i = n
                    continue
                stop = buf[j : j + 1]
                if stop == b">":
                    self._emit(out, self._pending + stop)
                    self._pending, self._mode = b"", _TEXT
                else:
                    name = _ATTR_NAME.search(self._pending)
                    self._emit(out, self._pending + stop)
                    self._pending, self._quote, self._mode = b"", stop, _VALUE
                    self._value, self._value_len, self._cut = [], 0, None
                    self._attr = name.group(1).decode("utf-8", "replace") if name else ""
                self._tag_len += 1
                i = j + 1
            elif mode == _VALUE:
                j = buf.find(self._quote, i)
                end = n if j < 0 else j
                self._value_piece(buf[i:end], out)
                if j < 0:
                    i = n
                    continue
                self._value_end(out)
                i = j + 1
            elif mode == _SKIP_TAG:
                i = self._skip(buf, i, out)
            else:
                i = self._markup(buf, i, out, final)
        if final:
            self._finish(out)

    # values ------------------------------------------------------------------------------

    def _element(self) -> str:
        m = _ELEMENT_NAME.match(self._tag_head)
        return m.group(1).decode("utf-8", "replace") if m else ""

    def _value_piece(self, piece: bytes, out: list[bytes]) -> None:
        self._value_len += len(piece)
        cut = self._cut
        if cut is None:
            self._value.append(piece)
            self._tag_len += len(piece)
            if self._value_len <= self.limit:
                return
            whole = b"".join(self._value)
            self._value = []
            element = self._element()
            cut = self._cut = FieldCut(self._tag_offset, self._tag_line, element, self._attr, 0)
            if (element, self._attr) in SPOOLED:
                cut.spool = tempfile.TemporaryFile()  # noqa: SIM115  # closed by the reader once the record is read
                cut.spool.write(whole)
                self._drop(whole, self._out_offset)
            else:
                keep = _safe_prefix(whole, self.limit)
                self._emit(out, keep)
                self._drop(whole[len(keep) :], self._out_offset)
            self._tag_len = self._tag_len - len(whole) + self.limit
            return
        if cut.spool is not None:
            cut.spool.write(piece)
        self._drop(piece, self._out_offset)

    def _value_end(self, out: list[bytes]) -> None:
        cut = self._cut
        if cut is None:
            self._emit(out, b"".join(self._value) + self._quote)
        else:
            cut.size = self._value_len
            if cut.spool is not None:
                cut.spool.seek(0)
            self._emit(out, self._quote)
            self.cuts.append(cut)
        self._value, self._cut, self._mode = [], None, _TAG
        self._tag_len += 1

    # over-long tags and markup -------------------------------------------------------------

    def _start_skip(self, out: list[bytes]) -> None:
        self._drop(self._pending, self._out_offset)
        self._skip_len = len(self._pending)
        self._last_sig = self._pending.rstrip()[-1:]
        self._pending, self._mode, self._quote = b"", _SKIP_TAG, b""

    def _skip(self, buf: bytes, i: int, out: list[bytes]) -> int:
        n = len(buf)
        while i < n:
            if self._quote:
                j = buf.find(self._quote, i)
                if j < 0:
                    self._skip_drop(buf[i:])
                    return n
                self._skip_drop(buf[i : j + 1])
                self._quote, self._last_sig, i = b"", b'"', j + 1
                continue
            m = _TAG_STOP.search(buf, i)
            if m is None:
                self._skip_drop(buf[i:])
                tail = buf[i:].rstrip()
                self._last_sig = tail[-1:] or self._last_sig
                return n
            j = m.start()
            tail = buf[i:j].rstrip()
            self._last_sig = tail[-1:] or self._last_sig
            if buf[j : j + 1] == b">":
                self._skip_drop(buf[i:j])
                closing = b"/>" if self._last_sig == b"/" else b">"
                self._emit(out, closing)
                self._drop(b"", self._out_offset)
                self._dropped -= len(closing)
                self._breaks[-1] = (self._out_offset, self._dropped, self._dropped_lines)
                self.cuts.append(FieldCut(self._tag_offset, self._tag_line, self._element(), "", self._skip_len, "attributes"))
                self._mode = _TEXT
                return j + 1
            self._quote = buf[j : j + 1]
            self._skip_drop(buf[i : j + 1])
            i = j + 1
        return i

    def _skip_drop(self, data: bytes) -> None:
        self._skip_len += len(data)
        self._drop(data, self._out_offset)

    def _markup(self, buf: bytes, i: int, out: list[bytes], final: bool) -> int:
        term = self._term
        j = buf.find(term, i)
        if j < 0:
            keep = len(buf) if final else max(i, len(buf) - len(term) + 1)
            piece, self._carry = buf[i:keep], buf[keep:]
            self._markup_piece(piece, out)
            return len(buf)
        self._markup_piece(buf[i:j], out)
        if self._markup_len > self.tag_limit:
            self.cuts.append(FieldCut(self._tag_offset, self._tag_line, self._tag_head.decode(), "", self._markup_len, "markup"))
        self._emit(out, term)
        self._mode = _TEXT
        return j + len(term)

    def _markup_piece(self, piece: bytes, out: list[bytes]) -> None:
        before = self._markup_len
        self._markup_len += len(piece)
        if self._markup_len <= self.tag_limit:
            self._emit(out, piece)
            return
        room = max(0, self.tag_limit - before)
        keep = _safe_prefix(piece, room).rstrip(b"-]?") if room else b""
        self._emit(out, keep)
        self._drop(piece[len(keep) :], self._out_offset)

    def _finish(self, out: list[bytes]) -> None:
        """End of input inside a value: emit what was kept (expat then reports the damage)."""
        if self._mode == _VALUE:
            if self._cut is None:
                self._emit(out, b"".join(self._value))
            else:
                self._cut.size, self._cut.complete = self._value_len, False
                if self._cut.spool is not None:
                    self._cut.spool.seek(0)
                self.cuts.append(self._cut)
            self._value, self._cut = [], None
        elif self._mode == _TAG:
            self._emit(out, self._pending)
            self._pending = b""
        self._mode = _TEXT


def _safe_prefix(data: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of ``data``, cut neither inside a UTF-8 character nor inside a ``&...;`` reference."""
    if len(data) <= limit:
        return data
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    amp = data.rfind(b"&", max(0, cut - 16), cut)
    if amp >= 0 and data.find(b";", amp, cut) < 0:
        cut = amp
    return data[:cut]
