"""JSON reading for every JSON parser: one :func:`load_json`, duplicate keys, odd values, long strings.

Three things a crafted (or merely odd) JSON export does that plain ``json.loads``/``ijson``
handle badly, and what is done instead:

* **Duplicate keys** (``"from": "Mark Kell", "from": "Innocent Person"``): the JSON spec leaves the
  meaning open and every reader silently keeps one value. Here the last value is kept (what
  ``json.loads`` does, so nothing changes for a clean file) and a ``duplicate_key`` warning names
  the key, where it is (a JSON path) and every value it was given.
* **Values the streaming reader cannot hold**: ijson's C backend (yajl) stops the whole file at an
  integer beyond 64 bits or a float beyond double range, and turns a lone surrogate escape
  (``"\\ud800"``) into ``?``. :class:`JsonGuard` rewrites such tokens in the byte stream before
  yajl sees them into in-band markers (keyed by a random per-file token, so a file cannot forge
  one), and :meth:`JsonGuard.resolve` turns each marker back into a value with a warning located
  at its message: a huge number is kept as its digits (text, ``huge_number``), a lone surrogate
  becomes U+FFFD (``lone_surrogate``). Reading continues with the next value.
* **Over-long strings**: yajl holds a whole string token in memory (and Python then a copy).
  :class:`JsonGuard` keeps the first :data:`~cyberevidence.events.MAX_FIELD_CHARS` bytes of any
  string and drops the rest before yajl sees it (``field_truncated``, with the original size),
  so memory stays flat whatever one field holds.

The guard is cheap on ordinary files: raw line breaks are always outside JSON strings, so it works
on whole lines, and a block of lines with no suspicious token (a run of 19 digits, a 3-digit
exponent, a surrogate escape) and no over-long line passes through after one regex search.

:func:`load_json` is the one whole-document reader a parser calls: a document, or ``None`` and a
located damage warning, never an exception.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Protocol

from cyberevidence.events import FIELD_TRUNCATED, MAX_FIELD_CHARS, ParseWarning

#: Bytes read from the file at a time (what ijson itself reads).
CHUNK: Final = 1 << 16
#: The most characters of one value quoted in a warning.
QUOTE_CHARS: Final = 80
_BOM: Final = b"\xef\xbb\xbf"
_CANDIDATE = re.compile(rb"\\u[dD][89a-fA-F]|\d{19}|[eE][+-]?\d{3}")
_STR_BODY = re.compile(rb'(?:[^"\\]++|\\.)*+', re.S)
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_ESCAPE = re.compile(
    rb"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|u([dD][89a-fA-F][0-9a-fA-F]{2})|.)", re.S
)
_SAFE_TOKENS = re.compile(rb"(?:[^\\]++|\\u[0-9a-fA-F]{4}|\\[^u])*+", re.S)
_NUM_TAIL = re.compile(rb"[-+.\deE]+\Z")
_OUT, _STR = 0, 1


def quote(value: Any) -> str:
    """A value as it would be written in JSON, cut to :data:`QUOTE_CHARS` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def _huge(token: bytes) -> bool:
    """Would yajl refuse this number token (integer beyond 64 bits, float beyond double range)?"""
    if len(token) > 64:
        return True
    if b"." in token or b"e" in token or b"E" in token:
        try:
            value = float(token)
        except ValueError:
            return True
        return value in (float("inf"), float("-inf"))
    return not (-(1 << 63) <= int(token) < (1 << 63))


@dataclass(frozen=True, slots=True)
class _Fix:
    code: str  # "huge_number" | "lone_surrogate" | "field_truncated"
    detail: str  # the number's digits (cut), the escape, or the original size


class JsonGuard:
    """Rewrites the JSON byte stream fed in chunks (see the module docstring); ``resolve`` undoes the markers."""

    def __init__(self, limit: int = MAX_FIELD_CHARS) -> None:
        self.limit = limit
        self.token = secrets.token_hex(4)
        self._marker_re = re.compile("\x00ce" + self.token + r":(\d+)\x00")
        self.fixes: dict[int, _Fix] = {}
        self._n = 0
        self._carry = b""
        self._state = _OUT
        self._str: list[bytes] = []
        self._str_len = 0
        self._dropping = False

    @property
    def outstanding(self) -> bool:
        """True while a marker has been written that :meth:`resolve` has not yet met."""
        return bool(self.fixes)

    def _marker(self, code: str, detail: str) -> bytes:
        self._n += 1
        self.fixes[self._n] = _Fix(code, detail)
        return b"\\u0000ce" + self.token.encode() + b":" + str(self._n).encode() + b"\\u0000"

    # the byte stream -----------------------------------------------------------------------

    def push(self, chunk: bytes, final: bool = False) -> bytes:
        buf = self._carry + chunk if self._carry else chunk
        self._carry = b""
        if not buf:
            return b""
        if self._state == _OUT and not final:
            first, last = buf.find(b"\n"), buf.rfind(b"\n")
            if first >= 0 and first <= self.limit and len(buf) - last <= self.limit:
                self._carry = buf[last + 1 :]
                return self._lines(buf[: last + 1])
        out: list[bytes] = []
        self._slow(buf, 0, len(buf), out, final)
        return b"".join(out)

    def _lines(self, region: bytes) -> bytes:
        """Complete lines (each starts outside a string): only the lines holding a candidate are rewritten."""
        m = _CANDIDATE.search(region)
        if m is None:
            return region
        out: list[bytes] = []
        pos = 0
        while m is not None:
            start = region.rfind(b"\n", 0, m.start()) + 1
            end = region.find(b"\n", m.end())
            end = len(region) if end < 0 else end + 1
            out.append(region[pos:start])
            self._slow(region, start, end, out, True)
            self._state = _OUT
            pos = end
            m = _CANDIDATE.search(region, end)
        out.append(region[pos:])
        return b"".join(out)

    def _slow(self, buf: bytes, i: int, n: int, out: list[bytes], final: bool) -> None:
        while i < n:
            if self._state == _OUT:
                j = buf.find(b'"', i, n)
                end = n if j < 0 else j
                seg = buf[i:end]
                if j < 0 and not final:
                    tail = _NUM_TAIL.search(seg)
                    if tail is not None:  # a number may continue in the next chunk
                        self._carry = seg[tail.start() :]
                        seg = seg[: tail.start()]
                out.append(self._numbers(seg) if _CANDIDATE.search(seg) else seg)
                if j < 0:
                    return
                out.append(b'"')
                self._state, self._str, self._str_len, self._dropping = _STR, [], 0, False
                i = j + 1
                continue
            m = _STR_BODY.match(buf, i, n)
            e = m.end() if m else i
            self._string_piece(buf[i:e])
            if e < n and buf[e : e + 1] == b'"':
                out.append(self._string_end())
                out.append(b'"')
                self._state = _OUT
                i = e + 1
                continue
            if e < n:  # a backslash at the very end: its escape continues in the next chunk
                if final:
                    self._string_piece(buf[e:n])
                else:
                    self._carry = buf[e:n] + self._carry
                return
            i = n
        if final and self._state == _STR:
            out.append(self._string_end())  # unterminated: yajl reports the damage
            self._state = _OUT

    def _numbers(self, seg: bytes) -> bytes:
        def fix(m: re.Match[bytes]) -> bytes:
            token = m.group(0)
            if not _huge(token):
                return token
            digits = token[:QUOTE_CHARS].decode("ascii") + ("…" if len(token) > QUOTE_CHARS else "")
            return b'"' + self._marker("huge_number", f"{digits} ({len(token)} characters)") + b'"'

        return _NUMBER.sub(fix, seg)

    def _string_piece(self, piece: bytes) -> None:
        self._str_len += len(piece)
        if self._dropping:
            return
        self._str.append(piece)
        if self._str_len > self.limit:
            whole = b"".join(self._str)
            keep = _SAFE_TOKENS.match(whole, 0, self.limit)
            cut = keep.end() if keep else 0
            while cut > 0 and (whole[cut] & 0xC0) == 0x80:
                cut -= 1
            self._str, self._dropping = [whole[:cut]], True

    def _string_end(self) -> bytes:
        body = b"".join(self._str)
        self._str = []
        if b"\\u" in body and _CANDIDATE.search(body):
            body = _ESCAPE.sub(self._escape, body)
        if self._dropping:
            body += self._marker(FIELD_TRUNCATED, f"{self._str_len:,} bytes")
        return body

    def _escape(self, m: re.Match[bytes]) -> bytes:
        if m.group(3) is not None:
            return self._marker("lone_surrogate", "\\u" + m.group(3).decode("ascii"))
        return m.group(0)

    # markers back into values --------------------------------------------------------------

    def resolve_str(self, value: str, where: str, notes: list[tuple[str, str, str]]) -> str:
        """``value`` with this guard's markers undone; one note (code, message, path) per marker."""
        if "\x00ce" not in value:
            return value
        whole = self._marker_re.fullmatch(value)
        if whole is not None:
            fix = self.fixes.pop(int(whole.group(1)), None)
            if fix is not None and fix.code == "huge_number":
                notes.append((fix.code, _huge_message(fix.detail), where))
                return fix.detail.split(" (", 1)[0]

        def undo(m: re.Match[str]) -> str:
            fix = self.fixes.pop(int(m.group(1)), None)
            if fix is None:
                return m.group(0)
            if fix.code == "lone_surrogate":
                notes.append((fix.code, _surrogate_message(fix.detail), where))
                return "\ufffd"
            if fix.code == FIELD_TRUNCATED:
                notes.append((fix.code, _truncated_message(fix.detail, self.limit), where))
                return ""
            notes.append((fix.code, _huge_message(fix.detail), where))
            return fix.detail

        return self._marker_re.sub(undo, value)

    def resolve(self, value: Any, where: str, notes: list[tuple[str, str, str]]) -> Any:
        """:meth:`resolve_str` for every string (and key) inside a built value."""
        if not self.fixes:
            return value
        if isinstance(value, str):
            return self.resolve_str(value, where, notes)
        if isinstance(value, dict):
            if not any(isinstance(k, str) and "\x00" in k for k in value):
                for k, v in value.items():
                    if isinstance(v, (str, dict, list)):
                        value[k] = self.resolve(v, f"{where}.{k}", notes)
                return value
            return {self.resolve_str(k, where, notes): self.resolve(v, f"{where}.{k}", notes) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, f"{where}[{i}]", notes) for i, v in enumerate(value)]
        return value


def _huge_message(detail: str) -> str:
    return f"the number {detail} is too large to read as a number; it is kept as text"


def _surrogate_message(detail: str) -> str:
    return (
        f"the escape {detail} is half of a UTF-16 surrogate pair without its other half (it encodes no character); "
        "it was replaced by U+FFFD"
    )


def _truncated_message(detail: str, limit: int) -> str:
    return (
        f"this string holds {detail}, more than the {limit:,} kept for one field; its first {limit:,} bytes are kept "
        "and the rest is only in the stored file"
    )


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class GuardedReader:
    """A read-only binary file whose bytes pass through a :class:`JsonGuard` (what ijson is given).

    A UTF-8 byte-order mark at the start of the stream is an encoding artefact, not JSON: it is
    dropped (ijson would otherwise stop at it), as :func:`load_document` does for a whole document.
    """

    def __init__(self, fh: Readable, guard: JsonGuard | None = None, head: bytes = b"") -> None:
        self.fh = fh
        self.guard = guard or JsonGuard()
        self._buf = self.guard.push(head) if head else b""
        self._pos = 0
        self._done = False
        self._at_start = True  # the leading byte-order mark has not been looked for yet

    def read(self, size: int = -1) -> bytes:
        want = CHUNK if size is None or size < 0 else size
        while (len(self._buf) - self._pos < want or self._at_start) and not self._done:
            chunk = self.fh.read(CHUNK)
            more = self.guard.push(chunk) if chunk else self.guard.push(b"", final=True)
            self._done = not chunk
            self._buf = self._buf[self._pos :] + more
            self._pos = 0
            if self._at_start and (len(self._buf) >= len(_BOM) or self._done):
                self._buf, self._at_start = self._buf.removeprefix(_BOM), False
        end = len(self._buf) if size is None or size < 0 else self._pos + size
        out = self._buf[self._pos : end]
        self._pos += len(out)
        return out


# -- duplicate keys ------------------------------------------------------------------------------


def duplicate_message(key: str, values: list[Any]) -> str:
    shown = ", then ".join(quote(v) for v in values)
    return (
        f"the key {quote(key)} appears {len(values)} times in one object ({shown}); the last value is used. "
        "A JSON export never repeats a key: check the original"
    )


class Builder:
    """ijson's ``ObjectBuilder`` that also records duplicate keys: ``duplicates`` holds (path, key, values)."""

    __slots__ = ("_keys", "_paths", "_stack", "duplicates", "root", "value")

    def __init__(self, root: str = "$") -> None:
        self.value: Any = None
        self._stack: list[Any] = []
        self._keys: list[str | None] = []
        self._paths: list[str] = []
        self.duplicates: list[tuple[str, str, list[Any]]] = []
        self.root = root

    def _put(self, value: Any) -> None:
        if not self._stack:
            self.value = value
            return
        top = self._stack[-1]
        if isinstance(top, list):
            top.append(value)
            return
        key = self._keys[-1]
        assert key is not None
        if key in top:
            self._dup(key, top[key], value)
        top[key] = value

    def _dup(self, key: str, old: Any, new: Any) -> None:
        where = self._paths[-1]
        for path, k, values in self.duplicates:
            if path == where and k == key:
                values.append(new)
                return
        self.duplicates.append((where, key, [old, new]))

    def _path(self) -> str:
        if not self._stack:
            return self.root
        top = self._stack[-1]
        if isinstance(top, list):
            return f"{self._paths[-1]}[{len(top)}]"
        return f"{self._paths[-1]}.{self._keys[-1]}"

    def event(self, event: str, value: Any) -> None:
        if event == "map_key":
            self._keys[-1] = value
        elif event == "start_map" or event == "start_array":
            container: Any = {} if event == "start_map" else []
            path = self._path()
            self._put(container)
            self._stack.append(container)
            self._keys.append(None)
            self._paths.append(path)
        elif event == "end_map" or event == "end_array":
            self._stack.pop()
            self._keys.pop()
            self._paths.pop()
        else:
            self._put(value)


def loads(
    text: str | bytes,
    *,
    warn: Callable[[str, str, str], None] | None = None,
) -> Any:
    """``json.loads`` that reports duplicate keys and keeps integers too long for Python as text.

    ``warn(code, message, json_path)`` gets one ``duplicate_key`` per repeated key and one
    ``huge_number`` per integer of more than 4,300 digits. Raises what ``json.loads`` raises.
    """
    dups: dict[int, tuple[dict[str, Any], list[tuple[str, list[Any]]]]] = {}
    huge: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(items)
        if len(d) != len(items):
            seen: dict[str, list[Any]] = {}
            for k, v in items:
                seen.setdefault(k, []).append(v)
            dups[id(d)] = (d, [(k, vs) for k, vs in seen.items() if len(vs) > 1])
        return d

    def big_int(digits: str) -> Any:
        try:
            return int(digits)
        except ValueError:  # beyond sys.get_int_max_str_digits()
            kept = _HugeNumber(digits)
            huge.append(kept)
            return kept

    doc = json.loads(text, object_pairs_hook=pairs, parse_int=big_int)
    if (dups or huge) and warn is not None:
        for path, node in _walk(doc, "$"):
            if isinstance(node, dict) and id(node) in dups and dups[id(node)][0] is node:
                for key, values in dups[id(node)][1]:
                    warn("duplicate_key", duplicate_message(key, values), f"{path}.{key}")
            elif isinstance(node, _HugeNumber):
                warn("huge_number", _huge_message(f"{node[:QUOTE_CHARS]}… ({len(node)} characters)"), path)
    return doc


class _HugeNumber(str):
    """An integer literal too long for ``int()``, kept as its digits."""

    __slots__ = ()


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend((f"{path}.{k}", v) for k, v in node.items() if isinstance(v, (dict, list, str)))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(node) if isinstance(v, (dict, list, str)))


def warnings_from(notes: list[tuple[str, str, str]], file: str, locator: str = "") -> list[ParseWarning]:
    """Guard notes as warnings located at ``locator`` (the message), the JSON path added."""
    return [ParseWarning(code, f"{msg} (at {path})" if path else msg, locator or path, file) for code, msg, path in notes]


def load(raw: bytes | str, file: str = "", prefix: str = "") -> tuple[Any, list[ParseWarning]]:
    """The one whole-document JSON reader: :func:`loads` (UTF-8, BOM allowed) with its notes as warnings.

    Each warning is located at ``prefix`` + its JSON path (``member.json:$.messages[3].from``).
    Raises ``ValueError`` (``json.JSONDecodeError``, ``UnicodeDecodeError``) or ``RecursionError``.
    """
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    found: list[ParseWarning] = []
    doc = loads(text, warn=lambda code, message, path: found.append(ParseWarning(code, message, f"{prefix}{path}", file)))
    return doc, found


def without_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates (from ``"\\ud800"`` escapes in hostile JSON) replaced by U+FFFD.

    ``json.loads`` accepts such escapes, but the text cannot be encoded as UTF-8, so it could never
    be hashed, indexed or exported. Dicts and lists are walked; other values are returned as they are.
    """
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    return value


def may_hold_surrogates(raw: bytes | str) -> bool:
    """Cheap test: could ``json.loads(raw)`` produce a lone surrogate (an escaped ``\\uD800``-``\\uDFFF``)?"""
    probe = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return _SURROGATE_ESCAPE.search(probe) is not None


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def load_json(
    raw: bytes,
    *,
    file: str,
    path: str = "",
    prefix: str = "",
    code: str,
    strict_utf8: bool = False,
) -> tuple[Any, list[ParseWarning]]:
    """A whole JSON document: ``(document, warnings)``, or ``(None, [a located warning])``.

    ``file`` is the artefact, ``path`` the member inside it ("" for the file itself), ``prefix``
    what locators start with (``"<member>:"``). The warnings of a readable document are its
    ``duplicate_key`` / ``huge_number`` notes, located at their JSON paths; lone surrogates become
    U+FFFD. Damage gives ``code`` (each format keeps its stable code: ``unreadable_json``,
    ``malformed_json``) located at the line and column where reading stopped. Undecodable bytes
    are replaced by U+FFFD, unless ``strict_utf8`` (the format promises UTF-8), when they are damage.
    """
    what = path or file
    try:
        text = raw.decode("utf-8-sig", errors="strict" if strict_utf8 else "replace")
        doc, notes = load(text, file, prefix)
    except json.JSONDecodeError as exc:
        where = f"{prefix}line {exc.lineno} column {exc.colno}"
        return None, [ParseWarning(code, f"{what} is not valid JSON ({exc.msg}); nothing in it could be read", where, file)]
    except UnicodeDecodeError as exc:
        where = f"{prefix}byte {exc.start}"
        message = f"{what} is not valid UTF-8 JSON ({exc.reason}); nothing in it could be read"
        return None, [ParseWarning(code, message, where, file)]
    except (RecursionError, ValueError) as exc:
        why = "is nested too deeply to read" if isinstance(exc, RecursionError) else f"is not valid JSON ({exc})"
        return None, [ParseWarning(code, f"{what} {why}", f"{prefix}$", file)]
    return (without_surrogates(doc) if may_hold_surrogates(raw) else doc), notes
