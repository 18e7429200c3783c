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
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

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

    def __init__(self, repair: CharRefRepair) -> None:
        super().__init__()  # forbid_entities and forbid_external are on by default
        self.setContentHandler(ContentHandler())
        self.repair = repair
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
        return int(p.CurrentByteIndex), int(p.CurrentLineNumber)

    def start_element(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        depth = self.depth
        if depth == 2:
            offset, line = self._where()
            if self.repair.fixes:
                self._loose_fixes(offset)
            if name in RECORD_TAGS:
                n = self.counters.get(name, 0) + 1
                self.counters[name] = n
                self.current = Record(name, n, line, attrs)
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
            if name == "part":
                self.current.parts.append(attrs)
            elif name == "addr":
                self.current.addrs.append(attrs)

    def end_element(self, name: str) -> None:
        if self.depth == 2 and self.current is not None:
            rec = self.current
            if self.repair.fixes:
                rec.fixes = self.repair.take_before(self._where()[0])
            rec.complete = True
            self.ready.append(rec)
            self.last, self.current = rec, None
        self.depth -= 1

    def _loose_fixes(self, offset: int) -> None:
        for fix in self.repair.take_before(offset):
            self.ready.append(Issue(fix.code, fix.describe(), fix.line))

    def drain(self) -> list[Record | Issue | Root]:
        out, self.ready = self.ready, []
        return out


def iter_backup(path: Path) -> Iterator[Record | Issue | Root | Broken]:
    """Stream ``path``: the root, then records and issues in file order, then a :class:`Broken` if it breaks.

    Raises :class:`NotABackupError` when the root element is missing or not a backup root, and
    :class:`RefusedXmlError` for entity declarations or external references.
    """
    repair = CharRefRepair()
    sax = handler = _BackupParser(repair)
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            final = not chunk
            data = repair.push(chunk, final)
            try:
                if data:
                    sax.feed(data)
                if final:
                    sax.close()
            except SAXParseException as exc:
                # expat counts columns from 0; people (and editors) count from 1
                line, column = exc.getLineNumber() or 0, (exc.getColumnNumber() or 0) + 1
                yield from handler.drain()
                if handler.root is None:
                    raise NotABackupError(
                        f"this is not well-formed XML with a root element ({exc.getMessage()} at line {line}, column {column})"
                    ) from None
                partial = handler.current if handler.depth >= 2 else None
                if partial is not None:
                    partial.fixes = list(repair.fixes)
                    repair.fixes.clear()
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
                return
