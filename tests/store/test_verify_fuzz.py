"""``verify_case`` never crashes or hangs on a damaged case, and names what was damaged (issue 13, item 6).

One small real case (a WhatsApp export and a binary file: create, acquire, parse entries; index
rows) and a sealed copy of it are built once per module. Each example copies one of them, damages
one file, and runs ``verify_case``. Always: it returns, within a time limit and bounded memory,
with exit 0 or 1 (2 only when both ``case.json`` and ``custody.jsonl`` are gone). Then, per file,
the strongest property that honestly holds:

* ``custody.jsonl``: its lines are canonical bytes, so any change is exit 1 naming custody
  (one changed line is named by its number); the one exception is a lost final newline, which
  is an interrupted write that the next writer completes (a note, exit 0);
* ``SHA256SUMS``: written exactly by the tool, so any change is exit 1 naming it;
* ``case.json``: any change to its JSON value (read strictly: UTF-8, no repeated keys, no NaN)
  is exit 1 naming it; a change of layout only (spaces, escapes) is exit 0;
* ``manifest.json``: sealed, any change is exit 1. Unsealed, any change that is not canonical
  JSON, or that changes a field ``verify`` can check against custody and the store, is exit 1
  naming it; only the fields nothing else records (see ``_UNCHECKED_*``) can change unseen;
* ``index.sqlite``: any damage is exit 1 naming it, unless what the index vouches for (the rows
  custody's digests cover, the provenance rows, the artefact list) still reads identically;
* the seal files (top and ``seals/<seq>/``): any change to a signature or a manifest is exit 1;
  a key file only has to give a verdict (its PEM text may change without changing the key).

The CI run (``_CI``) is derandomised and a few hundred examples; the long run
(``CYBEREVIDENCE_LONG_TESTS=1``, marked ``long``) is more than 10,000.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import signal
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cyberevidence as ce
from cyberevidence.store.verify import VerifyReport, verify_case

CUSTODY, MANIFEST, SUMS, CASE, INDEX = "custody.jsonl", "manifest.json", "SHA256SUMS", "case.json", "index.sqlite"
SIGNATURE, PUBLIC_KEY = "manifest.json.sig", "signer.pub.pem"
#: Fields of the manifest that nothing else in the case records: without a seal they can change unseen.
_UNCHECKED_TOP = frozenset({"manifest_version", "generated_at", "tool", "totals"})
_UNCHECKED_ARTEFACT = frozenset({"media_type", "role", "warning_count", "type_mismatch", "limitations"})
#: What the index vouches for: the rows custody's digests cover, provenance as custody has it, the artefact list.
_VOUCHED = (
    "SELECT * FROM events ORDER BY event_id",
    "SELECT * FROM event_sources ORDER BY 1, 2, 3",
    "SELECT * FROM event_merges ORDER BY 1",
    "SELECT sha256, parser, code, message, locator, file FROM warnings ORDER BY 1, 2, 3, 4, 5, 6",
    "SELECT sha256, parser, options, event_count, warning_count FROM parses ORDER BY 1",
    "SELECT sha256, custody_seq, how, original_name, original_path, original_mtime, parent_sha256, path_in_parent,"
    " acquired_at, actor, note FROM provenance ORDER BY 1, 2",
    "SELECT sha256 FROM artefacts ORDER BY 1",
)

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
_CI = settings(max_examples=40, derandomize=True, **_COMMON)
_SLOW = settings(max_examples=1700, **_COMMON)


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Base:
    """A case built once; ``files`` are its original bytes, ``vouched`` what its index vouches for."""

    root: Path
    sealed: bool
    files: dict[str, bytes]
    vouched: list[list[tuple[Any, ...]]]
    parsed: frozenset[str]

    def __repr__(self) -> str:
        return f"Base({'sealed' if self.sealed else 'plain'} case)"


@dataclass(frozen=True)
class Bases:
    plain: Base
    sealed: Base

    def __repr__(self) -> str:
        return "Bases(plain, sealed)"


def _base(root: Path, sealed: bool) -> Base:
    names = [CUSTODY, MANIFEST, SUMS, CASE, INDEX]
    names += [str(p.relative_to(root)) for p in sorted((root / "seals").rglob("*")) if p.is_file()]
    names += [n for n in (SIGNATURE, PUBLIC_KEY) if (root / n).exists()]
    manifest = json.loads((root / MANIFEST).read_bytes())
    parsed = frozenset(a["sha256"] for a in manifest["artefacts"] if a["parser"])
    vouched = _vouched(root / INDEX)
    assert vouched is not None
    return Base(root, sealed, {n: (root / n).read_bytes() for n in names}, vouched, parsed)


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Bases:
    tmp = tmp_path_factory.mktemp("verify-fuzz")
    originals = tmp / "in"
    originals.mkdir()
    (originals / "WhatsApp Chat with Mark Kell.txt").write_bytes(b"14/03/2025, 19:02 - Mark Kell: hello\n")
    (originals / "notes.bin").write_bytes(bytes(range(256)) * 4)
    case = ce.Case.create(tmp / "plain", examiner="J. Smith")
    case.add(originals)
    case.close()
    shutil.copytree(tmp / "plain", tmp / "sealed", symlinks=True)
    key = tmp / "examiner.pem"
    ce.generate_key(key)
    sealed = ce.Case.open(tmp / "sealed")
    sealed.seal(key)
    sealed.close()
    for root in (tmp / "plain", tmp / "sealed"):
        report = verify_case(root)
        assert report.exit_code == 0, [str(f) for f in report.findings]
    plain = _base(tmp / "plain", sealed=False)
    actions = [json.loads(line)["action"] for line in plain.files[CUSTODY].splitlines()]
    assert actions[:4] == ["create", "acquire", "acquire", "parse"] and len(plain.parsed) == 1
    return Bases(plain, _base(tmp / "sealed", sealed=True))


def _vouched(path: Path) -> list[list[tuple[Any, ...]]] | None:
    """The rows the index vouches for, read by plain table scans (None: SQLite cannot read them)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return [list(db.execute(q)) for q in _VOUCHED]
    except sqlite3.Error:
        return None
    finally:
        db.close()


# ---------------------------------------------------------------- damage


@dataclass(frozen=True)
class Damage:
    """One file's new bytes, or a new kind of file in its place (``dir``, ``fifo``, ``devzero``, ``gone``)."""

    name: str
    data: bytes | None = None
    kind: str = "bytes"
    line: int = 0  # 1-based custody line that was changed alone (0: not one line)

    def __repr__(self) -> str:
        data = "" if self.data is None else f", {len(self.data)} bytes: {self.data[:1500]!r}"
        return f"Damage({self.name!r}, {self.kind}{data}{f', line {self.line}' if self.line else ''})"

    def apply(self, root: Path) -> None:
        path = root / self.name
        if self.kind == "bytes":
            assert self.data is not None
            path.unlink()
            path.write_bytes(self.data)
            return
        if self.name == f"{CASE}+{CUSTODY}":
            (root / CASE).unlink()
            (root / CUSTODY).unlink()
            return
        path.unlink()
        if self.kind == "dir":
            path.mkdir()
            (path / "x").write_bytes(b"x")
        elif self.kind == "fifo":
            os.mkfifo(path)
        elif self.kind == "devzero":
            path.symlink_to("/dev/zero")
        elif self.kind == "devnull":
            path.symlink_to("/dev/null")
        else:
            assert self.kind == "gone"


#: JSON texts no well-formed field holds: other types, numbers JSON cannot carry, broken text, deep nesting.
HOSTILE = (
    b"null", b"true", b"false", b"0", b"-1", b"1", b"1.0", b"-0", b"0.5", b"1e308", b"1e999", b"-1e999",
    b"NaN", b"Infinity", b"-Infinity", str(2**53).encode(), str(2**64).encode(), str(2**70).encode(),
    b"9" * 5000, b'""', b'"1"', b'"\\ud800"', b'"x\\udc00"', b'"\\ud83d\\ude00"', b'"\xff"', b'"\xc3"',
    b'"\x00"', b'"\\u0000"', b"[]", b"{}", b"[[[]]]", b'{"a":1,"a":2}', b"[" * 65 + b"]" * 65,
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 2000 + b"1" + b"}" * 2000, b'"' + b"a" * 100_000 + b'"',
    b'"[/]"', b'"\\u001b[31m"', b"[1,", b"}",
)
_SENTINEL = "\x00ce-fuzz\x00"
_SENTINEL_TEXT = json.dumps(_SENTINEL).encode()

json_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
json_values = st.recursive(
    json_leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6
)
raw_values = st.one_of(st.sampled_from(HOSTILE), json_values.map(lambda v: json.dumps(v).encode()))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _render(value: Any, token: bytes = b"") -> bytes:
    """``value`` as compact JSON, with the sentinel string replaced by the raw ``token``."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return text.replace(_SENTINEL_TEXT, token)


@st.composite
def json_damage(draw: st.DrawFn, raw: bytes) -> bytes:
    """Replace, delete, add or repeat one field of the JSON text ``raw`` (any depth), as raw text."""
    doc = json.loads(raw)
    path = draw(st.sampled_from(list(_paths(doc))))
    op = draw(st.sampled_from(["replace", "replace", "delete", "add", "repeat"]))
    token = draw(raw_values)
    if not path:
        return token if op == "replace" else _render(doc) + b"\n" + token
    *parent_path, last = path
    parent = doc
    for step in parent_path:
        parent = parent[step]
    if op == "replace":
        parent[last] = _SENTINEL
    elif op == "delete":
        del parent[last]
    elif op == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from([*parent, "x", "hash ", ""]))] = _SENTINEL  # may replace an existing key
    elif op == "add":
        parent.insert(draw(st.integers(0, len(parent))), _SENTINEL)
    elif isinstance(parent, dict):  # repeat a key: the raw text holds it twice
        text = _render(doc)
        first = json.dumps(last, ensure_ascii=False).encode()
        return text.replace(first + b":", first + b":" + token + b"," + first + b":", 1)
    else:
        parent[last] = _SENTINEL
    return _render(doc, token)


@st.composite
def byte_damage(draw: st.DrawFn, raw: bytes, hot: int = 0) -> bytes:
    """One to three byte edits: flip a bit, set a byte, insert, delete, truncate, append.

    ``hot``: edits land in the first ``hot`` bytes half the time (the SQLite header).
    """
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 3))):
        size = len(data)
        if size and hot and draw(st.booleans()):
            pos = draw(st.integers(0, min(hot, size) - 1))
        else:
            pos = draw(st.integers(0, max(size - 1, 0)))
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "append"]))
        if op == "flip" and size:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and size:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b"\n", b" ", b"\xff", b"\r"]))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[pos:]
        else:
            data += draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b"\n", b"\n\n", b" ", b"{}\n"]))
    return bytes(data)


@st.composite
def custody_damage(draw: st.DrawFn, raw: bytes) -> Damage:
    lines = raw.splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["field", "field", "field", "line bytes", "file bytes", "lines"]))
    if how == "field":
        lines[i] = draw(json_damage(lines[i])).replace(b"\n", b" ") + b"\n"
        return Damage(CUSTODY, b"".join(lines), line=i + 1)
    if how == "line bytes":
        body = draw(byte_damage(lines[i][:-1]))
        if b"\n" not in body:
            lines[i] = body + b"\n"
            return Damage(CUSTODY, b"".join(lines), line=i + 1)
        lines[i] = body + b"\n"
        return Damage(CUSTODY, b"".join(lines))
    if how == "file bytes":
        return Damage(CUSTODY, draw(byte_damage(raw)))
    op = draw(st.sampled_from(["delete", "repeat", "swap", "blank", "join", "reverse"]))
    j = draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        del lines[i]
    elif op == "repeat":
        lines.insert(j, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "blank":
        lines.insert(j, draw(st.sampled_from([b"\n", b" \n", b"\r\n", b"{}\n"])))
    elif op == "join":
        lines[i] = lines[i].rstrip(b"\n")
    else:
        lines.reverse()
    return Damage(CUSTODY, b"".join(lines))


def content_damage(name: str, raw: bytes) -> st.SearchStrategy[Damage]:
    """New bytes for a JSON file (field-aware or bytes) or any other file (bytes; SQLite's header is hot)."""
    if name == CUSTODY:
        return custody_damage(raw)
    text: list[st.SearchStrategy[bytes]] = [byte_damage(raw, hot=100 if name.endswith(".sqlite") else 0)]
    if name.endswith(".json"):
        text += [json_damage(raw), json_damage(raw)]
        text.append(st.sampled_from([b"\xef\xbb\xbf" + raw, raw.replace(b",", b", "), raw + b"\n", raw.replace(b"\n", b"\r\n")]))
    if name == SUMS:
        text.append(st.sampled_from([b"abc  ../../etc/passwd\n", raw.replace(b"\n", b"\r\n"), raw + raw, raw.rstrip(b"\n")]))
        text.append(st.just(b"".join(reversed(raw.splitlines(keepends=True)))))
    return st.one_of(text).map(lambda data: Damage(name, data))


def damage(base: Base, names: list[str]) -> st.SearchStrategy[Damage]:
    """Damage to one of ``names``: new content most of the time, else another kind of file in its place."""
    kinds = ["dir", "fifo", "devzero", "devnull", "gone"]
    structural = st.builds(Damage, st.sampled_from(names), st.none(), st.sampled_from(kinds))
    content = st.sampled_from(names).flatmap(lambda n: content_damage(n, base.files[n]))
    both_gone = st.just(Damage(f"{CASE}+{CUSTODY}", kind="gone"))
    return st.one_of(content, content, content, structural, both_gone)


# ---------------------------------------------------------------- judging


class VerifyHungError(Exception):
    pass


@contextmanager
def bounded(seconds: int = 60, memory: int = 2 << 30) -> Iterator[None]:
    """Fail (rather than hang or exhaust the machine) when verify runs long or reads without limit."""

    def hung(signum: int, frame: object) -> None:
        raise VerifyHungError(f"verify_case did not return within {seconds} s")

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = used + memory if hard == resource.RLIM_INFINITY else min(used + memory, hard)
    previous = signal.signal(signal.SIGALRM, hung)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, previous)


def run_damaged(base: Base, dmg: Damage) -> tuple[VerifyReport, Path]:
    work = Path(tempfile.mkdtemp(prefix="verify-fuzz-"))
    root = work / "case"
    shutil.copytree(base.root, root, symlinks=True)
    dmg.apply(root)
    with bounded():
        report = verify_case(root)
    return report, work


def names_file(report: VerifyReport, name: str) -> bool:
    return any(f.where == name or f.where.startswith(f"{name} ") for f in report.problems)


def strict_json(raw: bytes) -> object:
    """A JSON text read strictly, as verify must (UTF-8; no repeated keys, NaN, Infinity, numbers too large,
    lone surrogates, or nesting deeper than 64); raises ValueError."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in pairs}) < len(pairs):
            raise ValueError("repeated key")
        return dict(pairs)

    def refuse(name: str) -> None:
        raise ValueError(name)

    def finite(text: str) -> float:
        if math.isinf(value := float(text)):
            raise ValueError(text)
        return value

    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=unique, parse_constant=refuse, parse_float=finite)
    except RecursionError:
        raise ValueError("deep") from None
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate cannot be encoded
    if _depth(value) > 64:
        raise ValueError("deep")
    return value


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def same_value(a: object, b: object) -> bool:
    """JSON values equal, types included (Python says ``True == 1``)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def manifest_view(m: object, parsed: frozenset[str]) -> object:
    """What verify checks of a manifest: every field is there (the format requires them), but the values
    of the fields nothing else records do not count (``limitations`` is optional)."""
    if not isinstance(m, dict):
        return m
    view = {k: "*" if k in _UNCHECKED_TOP else v for k, v in m.items()}
    if isinstance(view.get("artefacts"), list):
        view["artefacts"] = [_artefact_view(a, parsed) for a in view["artefacts"]]
    return view


def _artefact_view(a: object, parsed: frozenset[str]) -> object:
    if not isinstance(a, dict):
        return a
    sha = a.get("sha256")
    unchecked = _UNCHECKED_ARTEFACT | (set() if isinstance(sha, str) and sha in parsed else {"parser", "event_count"})
    return {"limitations": "*"} | {k: "*" if k in unchecked else v for k, v in a.items()}


def changed_at(old: bytes, new: bytes | None) -> str:
    """Where two versions of a file first differ, with context (for a failure message)."""
    if new is None:
        return "replaced"
    i = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    shorter = min(len(old), len(new))
    j = next((j for j, (a, b) in enumerate(zip(old[::-1], new[::-1], strict=False)) if a != b or j >= shorter - i), 0)
    return f"at byte {i}: {old[max(i - 40, 0) : len(old) - j + 1][:300]!r} -> {new[max(i - 40, 0) : len(new) - j + 1][:300]!r}"


def judge(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    """The property of the damaged file (module docstring); the report is shown when it fails."""
    found = [str(f) for f in report.findings]
    if dmg.name in base.files:
        found.append(changed_at(base.files[dmg.name], dmg.data))
    if dmg.name == f"{CASE}+{CUSTODY}":
        assert report.exit_code == 2, found
        return
    assert report.exit_code in (0, 1), found
    if dmg.kind == "bytes" and dmg.data == base.files[dmg.name]:
        assert report.exit_code == 0, found
        return
    rule = _RULES.get(dmg.name) or (_seal_rule if base.sealed else _never_crashes)
    rule(base, dmg, report, root)


def _custody_rule(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    found = [str(f) for f in report.findings] + [changed_at(base.files[CUSTODY], dmg.data)]
    if dmg.data is not None and dmg.data + b"\n" == base.files[CUSTODY]:
        assert report.exit_code == 0 and any("final newline" in n.message for n in report.notes), found
        return
    assert report.exit_code == 1 and names_file(report, CUSTODY), found
    if dmg.line:
        assert any(f.where == f"{CUSTODY} line {dmg.line}" for f in report.problems), found


def _sums_rule(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    why = [*map(str, report.findings), changed_at(base.files[SUMS], dmg.data)]
    assert report.exit_code == 1 and names_file(report, SUMS), why


def _case_rule(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    found = [str(f) for f in report.findings] + [changed_at(base.files[CASE], dmg.data)]
    try:
        same = dmg.data is not None and same_value(strict_json(dmg.data), strict_json(base.files[CASE]))
    except ValueError:
        same = False
    if same:
        assert report.exit_code == 0, found
    else:
        assert report.exit_code == 1 and names_file(report, CASE), found


def _manifest_rule(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    found = [str(f) for f in report.findings] + [changed_at(base.files[MANIFEST], dmg.data)]
    if base.sealed:
        assert report.exit_code == 1, found
        return
    try:
        value = strict_json(dmg.data) if dmg.data is not None else None
        canonical = dmg.data == rfc8785.dumps(value)
    except ValueError:
        value, canonical = None, False
    if canonical and same_value(manifest_view(value, base.parsed), manifest_view(json.loads(base.files[MANIFEST]), base.parsed)):
        assert report.exit_code == 0, found
    else:
        assert report.exit_code == 1 and names_file(report, MANIFEST), found


def _index_rule(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    found = [str(f) for f in report.findings]
    if dmg.kind == "gone":  # derived data: a missing index is a note (rebuild recreates it)
        assert report.exit_code == 0, found
        return
    if report.exit_code == 1:
        assert names_file(report, INDEX), found
    elif dmg.kind == "bytes":
        assert _vouched(root / INDEX) == base.vouched, f"exit 0 but the index reads differently: {found}"
    else:
        pytest.fail(f"{dmg.kind} in place of the index passed: {found}")


def _seal_rule(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    """A key file's PEM text may change without changing the key; any other change is an edit."""
    if dmg.kind != "bytes" or not dmg.name.endswith(".pem"):
        assert report.exit_code == 1, [str(f) for f in report.findings]


def _never_crashes(base: Base, dmg: Damage, report: VerifyReport, root: Path) -> None:
    return None


_RULES: dict[str, Callable[[Base, Damage, VerifyReport, Path], None]] = {
    CUSTODY: _custody_rule,
    SUMS: _sums_rule,
    CASE: _case_rule,
    MANIFEST: _manifest_rule,
    INDEX: _index_rule,
}


def check_one(bases: Bases, data: st.DataObject, target: str) -> None:
    base = bases.sealed if target == "seals" else bases.plain
    names = [n for n in base.files if n not in (CUSTODY, MANIFEST, SUMS, CASE, INDEX)] if target == "seals" else [target]
    if target == "seals":
        names.append(MANIFEST)
    dmg = data.draw(damage(base, names), label="damage")
    report, work = run_damaged(base, dmg)
    try:
        judge(base, dmg, report, work / "case")
    finally:
        shutil.rmtree(work, ignore_errors=True)


TARGETS = [CUSTODY, MANIFEST, SUMS, CASE, INDEX, "seals"]


@pytest.mark.parametrize("target", TARGETS)
@_CI
@given(data=st.data())
def test_damage_never_crashes_and_is_named(bases: Bases, target: str, data: st.DataObject) -> None:
    check_one(bases, data, target)


@pytest.mark.long
@pytest.mark.parametrize("target", TARGETS)
@_SLOW
@given(data=st.data())
def test_damage_never_crashes_and_is_named_long(bases: Bases, target: str, data: st.DataObject) -> None:
    check_one(bases, data, target)
