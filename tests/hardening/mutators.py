"""Mutations of seed inputs, driven by a ``random.Random`` (hypothesis' ``st.randoms()`` in the
test suite, a seeded generator in ``fuzz/run_fuzz.py``).

Byte-level: flips, truncation, insertion, deletion, splicing, invalid UTF-8, huge numbers.
Structure-aware: lines (duplicate, drop, swap, lengthen), JSON (retype values, huge numbers, deep
nesting, drop keys, duplicate list items), XML (attribute values, duplicated elements, entity
declarations), zip (mutate a member and re-pack; add hostile members), SQLite (write odd values
into random cells of a copy).
"""

from __future__ import annotations

import io
import json
import random
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

Mutator = Callable[[bytes, random.Random], bytes]

INTERESTING_BYTES = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\r", b"\n", "\u2028".encode(), b"\x1b"]
INTERESTING_TEXT = [
    "",
    "\x00",
    "\ud800",
    "9" * 400,
    "-9" + "9" * 30,
    "1e400",
    "NaN",
    "-1",
    "0",
    "18446744073709551616",
    "2147483648",
    "99999999999999999",
    "1970-01-01",
    "9999-12-31T23:59:59Z",
    "0000-00-00 00:00:00",
    "31/02/2025, 25:61",
    "<",
    "&amp;",
    "]]>",
    "%s%n",
    "\u202e",
    "\ufeff",
    "A" * 5000,
]
HUGE_NUMBERS = [b"99999999999999999999999999999999", b"-1", b"0", b"1e309", b"-0", b"2147483648", b"18446744073709551616", b"NaN"]


def _pos(data: bytes, rnd: random.Random) -> int:
    return rnd.randrange(len(data) + 1)


# -- byte level ---------------------------------------------------------------------------------


def flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return bytes([rnd.randrange(256)])
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        i = rnd.randrange(len(buf))
        buf[i] = rnd.randrange(256) if rnd.random() < 0.5 else buf[i] ^ (1 << rnd.randrange(8))
    return bytes(buf)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: _pos(data, rnd)]


def insert_bytes(data: bytes, rnd: random.Random) -> bytes:
    i = _pos(data, rnd)
    blob = rnd.choice([*INTERESTING_BYTES, rnd.randbytes(rnd.randint(1, 64))])
    return data[:i] + blob * rnd.randint(1, 4) + data[i:]


def delete_span(data: bytes, rnd: random.Random) -> bytes:
    i = _pos(data, rnd)
    return data[:i] + data[i + rnd.randint(1, 256) :]


def duplicate_span(data: bytes, rnd: random.Random) -> bytes:
    i = _pos(data, rnd)
    j = min(len(data), i + rnd.randint(1, 512))
    return data[:j] + data[i:j] * rnd.randint(1, 3) + data[j:]


def invalid_utf8(data: bytes, rnd: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        i = _pos(bytes(buf), rnd)
        buf[i:i] = rnd.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80"])
    return bytes(buf)


def huge_numbers(data: bytes, rnd: random.Random) -> bytes:
    spans = [m.span() for m in re.finditer(rb"\d+", data[:200_000])]
    if not spans:
        return insert_bytes(data, rnd)
    for _ in range(rnd.randint(1, 4)):
        a, b = rnd.choice(spans)
        data = data[:a] + rnd.choice(HUGE_NUMBERS) + data[b:]
        spans = [m.span() for m in re.finditer(rb"\d+", data[:200_000])]
        if not spans:
            break
    return data


# -- lines ----------------------------------------------------------------------------------------


def mutate_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data + b"\n" * rnd.randint(1, 3)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(6)
        i = rnd.randrange(len(lines))
        if op == 0:
            lines[i:i] = [lines[i]] * rnd.randint(1, 5)
        elif op == 1 and len(lines) > 1:
            del lines[i]
        elif op == 2:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = lines[i].rstrip(b"\r\n") * rnd.randint(2, 50) + b"\n"
        elif op == 4:
            cut = rnd.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + rnd.choice(INTERESTING_TEXT).encode("utf-8", "surrogatepass") + lines[i][cut:]
        else:
            lines[i] = lines[i].replace(b"\n", rnd.choice([b"\r", b"\r\n", "\u2028".encode(), b""]))
        if not lines:
            break
    return b"".join(lines)


# -- JSON -----------------------------------------------------------------------------------------


def _odd_value(rnd: random.Random, depth: int = 0) -> Any:
    choice = rnd.randrange(10)
    if choice == 0:
        return None
    if choice == 1:
        return rnd.choice([10**40, -(10**40), -1, 0, 2**63, 1.5, float("1e300")])
    if choice == 2:
        return rnd.choice(INTERESTING_TEXT)
    if choice == 3:
        return []
    if choice == 4:
        return {}
    if choice == 5:
        return rnd.choice([True, False])
    if choice == 6 and depth < 2:
        return [_odd_value(rnd, depth + 1) for _ in range(rnd.randint(1, 3))]
    if choice == 7 and depth < 2:
        return {rnd.choice(["", "text", "timestamp", "id", "name", "type"]): _odd_value(rnd, depth + 1)}
    if choice == 8:
        return "".join(rnd.choice("aé\u202e\x00😀") for _ in range(rnd.randint(0, 12)))
    return rnd.choice(["2025-10-05T22:10:00", "2025-10-05 22:10:00", "1696543800", "not a date", "-62135596800000"])


def _nodes(value: Any) -> list[tuple[Any, ...]]:
    """Paths to the nodes of a JSON document (iteratively; nesting deeper than 100 is not entered)."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack and len(out) < 20_000:
        node, path = stack.pop()
        out.append(path)
        if len(path) >= 100:
            continue
        if isinstance(node, dict):
            stack += [(v, (*path, k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, (*path, i)) for i, v in enumerate(node)]
    return out


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        value = value[p]
    return value


def _mutate_json_value(doc: Any, rnd: random.Random) -> Any:
    for _ in range(rnd.randint(1, 5)):
        nodes = _nodes(doc)
        path = rnd.choice(nodes)
        if not path:
            doc = _odd_value(rnd) if rnd.random() < 0.1 else doc
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        op = rnd.randrange(5)
        if op == 0:
            parent[key] = _odd_value(rnd)
        elif op == 1:
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif op == 2 and isinstance(parent, list):
            parent[key:key] = [json.loads(json.dumps(parent[key]))] * rnd.randint(1, 3)
        elif op == 3:
            deep: Any = parent[key]
            for _ in range(rnd.choice([50, 400, 3000])):
                deep = [deep] if rnd.random() < 0.5 else {"a": deep}
            parent[key] = deep
        else:
            v = parent[key]
            parent[key] = str(v) if not isinstance(v, str) else (int(v) if v.isdigit() else [v])
    return doc


def _json_prefix(data: bytes) -> tuple[bytes, bytes, bytes]:
    """Split a JS-wrapped JSON (``window.YTD.x.part0 = [...]``) into prefix, JSON and suffix."""
    text = data
    starts = [i for i in (text.find(b"{"), text.find(b"[")) if i >= 0]
    if not starts:
        return b"", data, b""
    i = min(starts)
    return text[:i], text[i:], b""


def mutate_json(data: bytes, rnd: random.Random) -> bytes:
    prefix, body, suffix = _json_prefix(data)
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        # JSON Lines: mutate one line
        lines = data.splitlines(keepends=True)
        if len(lines) > 1:
            i = rnd.randrange(len(lines))
            lines[i] = mutate_json(lines[i], rnd).rstrip(b"\n") + b"\n"
            return b"".join(lines)
        return mutate_lines(data, rnd)
    doc = _mutate_json_value(doc, rnd)
    try:
        out = json.dumps(doc, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):
        return data
    return prefix + out + suffix


# -- XML / HTML -------------------------------------------------------------------------------------


_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_ELEMENT = re.compile(rb"<(\w+)\b[^<>]*?/>|<(\w+)\b[^<>]*>[^<]*</\2>")


def mutate_markup(data: bytes, rnd: random.Random) -> bytes:
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(5)
        if op == 0:
            attrs = list(_ATTR.finditer(data[:300_000]))
            if attrs:
                m = rnd.choice(attrs)
                val = rnd.choice([*INTERESTING_TEXT, "null", ""]).encode("utf-8", "surrogatepass")
                data = data[: m.start(2)] + val.replace(b'"', b"") + data[m.end(2) :]
        elif op == 1:
            attrs = list(_ATTR.finditer(data[:300_000]))
            if attrs:
                m = rnd.choice(attrs)
                data = data[: m.start()] + data[m.end() :]
        elif op == 2:
            els = list(_ELEMENT.finditer(data[:300_000]))
            if els:
                m = rnd.choice(els)
                data = data[: m.end()] + data[m.start() : m.end()] * rnd.randint(1, 4) + data[m.end() :]
        elif op == 3:
            els = list(_ELEMENT.finditer(data[:300_000]))
            if els:
                m = rnd.choice(els)
                data = data[: m.start()] + data[m.end() :]
        else:
            i = _pos(data, rnd)
            data = (
                data[:i]
                + rnd.choice([b"<", b">", b"&", b"&#0;", b"&#xD800;", b"<!--", b"]]>", b"<a>", b"</a>", b"&lol;"])
                + data[i:]
            )
    return data


# -- zip --------------------------------------------------------------------------------------------


def _content_mutator(name: str, data: bytes, rnd: random.Random) -> bytes:
    lower = name.lower()
    if lower.endswith((".json", ".js")):
        structured: list[Mutator] = [mutate_json]
    elif lower.endswith((".html", ".htm", ".xml")):
        structured = [mutate_markup]
    elif lower.endswith((".txt", ".csv", ".md")):
        structured = [mutate_lines]
    else:
        structured = []
    choices = structured * 3 + BYTE_MUTATORS
    return rnd.choice(choices)(data, rnd)


def mutate_zip(data: bytes, rnd: random.Random) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(info, zf.read(info)) for info in zf.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, RuntimeError):
        return flip_bytes(data, rnd)
    op = rnd.randrange(10)
    if members and op < 7:
        i = rnd.randrange(len(members))
        info, content = members[i]
        members[i] = (info, _content_mutator(info.filename, content, rnd))
    elif members and op == 7:
        i = rnd.randrange(len(members))
        info, content = members[i]
        clone = zipfile.ZipInfo(
            rnd.choice([info.filename, info.filename.upper(), "../" + info.filename, "/abs/" + info.filename])
        )
        members.append((clone, content))
    elif members and op == 8:
        del members[rnd.randrange(len(members))]
    else:
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as nz:
            nz.writestr("_chat.txt", b"05/10/2025, 22:10 - Mark: nested\n")
        members.append((zipfile.ZipInfo(rnd.choice(["nested.zip", "messages/inbox/x/nested.zip"])), inner.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as nz:
        seen: set[str] = set()
        for info, content in members:
            name = info.filename
            if name in seen:
                name = name + "~"
            seen.add(name)
            nz.writestr(name, content)
    result = out.getvalue()
    return flip_bytes(result, rnd) if rnd.random() < 0.1 else result


# -- SQLite -----------------------------------------------------------------------------------------

_SQL_VALUES: list[Any] = [
    None,
    -1,
    0,
    2**63 - 1,
    -(2**63),
    1e308,
    "",
    "\x00",
    "garbage",
    b"\xff\xfe\x00",
    "A" * 3000,
    "not json {",
    3.5,
]


def mutate_sqlite(data: bytes, rnd: random.Random) -> bytes:
    if not data.startswith(b"SQLite format 3\x00") or rnd.random() < 0.15:
        return rnd.choice(BYTE_MUTATORS)(data, rnd)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite"
        path.write_bytes(data)
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA journal_mode=DELETE")
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            ]
            for _ in range(rnd.randint(1, 6)):
                if not tables:
                    break
                table = rnd.choice(tables)
                cols = [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{table}")') if r[6] == 0]
                rowids = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" LIMIT 200')]
                if not cols:
                    continue
                op = rnd.randrange(4)
                try:
                    if op == 0 and rowids:
                        conn.execute(f'DELETE FROM "{table}" WHERE rowid=?', (rnd.choice(rowids),))
                    elif op == 1 and rowids:
                        conn.execute(
                            f'INSERT INTO "{table}" SELECT * FROM "{table}" WHERE rowid=?',
                            (rnd.choice(rowids),),
                        )
                    elif rowids:
                        col = rnd.choice(cols)
                        conn.execute(
                            f'UPDATE "{table}" SET "{col}"=? WHERE rowid=?', (rnd.choice(_SQL_VALUES), rnd.choice(rowids))
                        )
                    elif rnd.random() < 0.5:
                        conn.execute(f'DROP TABLE "{table}"')
                        tables.remove(table)
                except sqlite3.Error:
                    continue
            conn.commit()
        finally:
            conn.close()
        return path.read_bytes()


def mutate_sql_dump(data: bytes, rnd: random.Random) -> bytes:
    """A SQL text dump: mutate its INSERT lines (values) or its statements."""
    lines = data.splitlines(keepends=True)
    inserts = [i for i, line in enumerate(lines) if line.startswith(b"INSERT")]
    if inserts and rnd.random() < 0.7:
        for _ in range(rnd.randint(1, 4)):
            i = rnd.choice(inserts)
            line = lines[i]
            vals = list(re.finditer(rb"(?<=[(,])('(?:[^']|'')*'|-?\d+(?:\.\d+)?|NULL|X'[0-9a-fA-F]*')(?=[,)])", line))
            if vals:
                m = rnd.choice(vals)
                new = rnd.choice([b"NULL", b"-1", b"0", b"9223372036854775807", b"''", b"'garbage'", b"X'FFFE00'", b"1e308"])
                lines[i] = line[: m.start()] + new + line[m.end() :]
        return b"".join(lines)
    return mutate_lines(data, rnd)


BYTE_MUTATORS: list[Mutator] = [flip_bytes, truncate, insert_bytes, delete_span, duplicate_span, invalid_utf8, huge_numbers]


def mutators_for(path: Path, data: bytes) -> list[Mutator]:
    """Mutators suited to a seed: structure-aware ones weighted above the byte-level ones."""
    name = path.name.lower()
    if data.startswith(b"PK"):
        return [mutate_zip] * 6 + BYTE_MUTATORS
    if data.startswith(b"SQLite format 3\x00"):
        return [mutate_sqlite] * 6 + BYTE_MUTATORS
    if name.endswith(".sql"):
        return [mutate_sql_dump] * 4 + BYTE_MUTATORS
    if name.endswith((".json", ".js")):
        return [mutate_json] * 4 + [mutate_lines] + BYTE_MUTATORS
    if name.endswith((".xml", ".html", ".htm")):
        return [mutate_markup] * 4 + [mutate_lines] + BYTE_MUTATORS
    if name.endswith((".txt", ".md", ".csv", ".eml", ".mbox", ".mht")) or b"\x00" not in data[:4096]:
        return [mutate_lines] * 3 + BYTE_MUTATORS
    return BYTE_MUTATORS


def mutate(path: Path, data: bytes, rnd: random.Random, rounds: int | None = None) -> bytes:
    """Apply one to three mutations suited to the seed."""
    choices = mutators_for(path, data)
    for _ in range(rounds or rnd.randint(1, 3)):
        try:
            data = rnd.choice(choices)(data, rnd)
        except Exception:  # a mutator tripping over an input it cannot handle (deep nesting, a broken db): skip it
            continue
    return data
