"""The warning vocabulary: every code the library emits is a declared :class:`WarningCode`.

The scan reads the source (no parser is run), so a new code fails here the moment it is written,
whichever file it is in. It finds a code wherever one is made:

* the ``code`` argument of ``ParseWarning(...)`` and of every warning helper: any call named
  ``make``, ``Issue``, ``_Fix``, ``_marker`` or with ``warn`` in its name (the code is its first
  string argument among the first two, so ``warn(out, "bad_date", ...)`` counts);
* ``code=`` keywords, ``code = "..."`` assignments and ``.append(("code", ...))`` notes;
* a module constant passed instead (``ParseWarning(FIELD_TRUNCATED, ...)``), and both arms of
  ``"a" if gap else "b"``.

``tests/test_kinds.py`` checks the same at run time, on every warning the fixtures give.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from cyberevidence.warning_codes import (
    WarningCategory,
    WarningCode,
    category_of,
    codes_in,
    markdown_table,
)

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "cyberevidence"
DOC = REPO / "docs" / "warnings.md"
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
#: Calls whose first string argument is a warning code, besides any name containing "warn".
HELPERS = frozenset({"ParseWarning", "make", "Issue", "_Fix", "_marker"})


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _strings(node: ast.expr, constants: dict[str, str]) -> Iterator[str]:
    """The slug strings an expression can be: a constant, a module constant, either arm of an ``if``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and SLUG.match(node.value):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body, constants)
        yield from _strings(node.orelse, constants)
    elif isinstance(node, ast.Name) and node.id in constants:
        yield constants[node.id]


def _module_constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Upper-case module-level string constants of the package (``FIELD_TRUNCATED = "field_truncated"``)."""
    found: dict[str, str] = {}
    for tree in trees.values():
        for stmt in tree.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
            if isinstance(stmt, ast.AnnAssign):
                target = stmt.target
            value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
            if isinstance(target, ast.Name) and target.id.isupper() and isinstance(value, ast.Constant):
                found.update((target.id, v) for v in [value.value] if isinstance(v, str) and SLUG.match(v))
    return found


def _code_argument(call: ast.Call) -> ast.expr | None:
    name = _name(call.func)
    if name not in HELPERS and "warn" not in name.lower():
        return None
    first_two = call.args[:2]
    for arg in first_two:
        if isinstance(arg, ast.Constant | ast.IfExp) or (isinstance(arg, ast.Name) and arg.id.isupper()):
            return arg
    return None


@cache
def emitted_codes() -> dict[str, list[str]]:
    """Every warning code written in ``src/cyberevidence``, with the places (``file:line``) that write it."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SRC.rglob("*.py"))}
    constants = _module_constants(trees)
    found: dict[str, list[str]] = {}
    for path, tree in trees.items():
        where = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            exprs: list[ast.expr] = []
            if isinstance(node, ast.Call):
                arg = _code_argument(node)
                exprs += [arg] if arg is not None else []
                exprs += [k.value for k in node.keywords if k.arg == "code"]
                if _name(node.func) == "append" and node.args and isinstance(node.args[0], ast.Tuple):
                    owner = node.func.value if isinstance(node.func, ast.Attribute) else None
                    if owner is not None and "note" in ast.unparse(owner).lower() and node.args[0].elts:
                        exprs.append(node.args[0].elts[0])
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
                exprs.append(node.value)
            for expr in exprs:
                for code in _strings(expr, constants):
                    found.setdefault(code, []).append(f"{where}:{getattr(node, 'lineno', 0)}")
    return found


def test_the_scan_finds_the_codes_made_every_way() -> None:
    found = emitted_codes()
    assert len(found) > 100
    assert "field_truncated" in found  # a module constant (events.FIELD_TRUNCATED)
    assert {"nonexistent_time", "ambiguous_time"} <= set(found)  # the arms of an ``if`` expression
    assert "lone_surrogate" in found and "invalid_character" in found  # ``code = ... if ... else ...``
    assert "bad_date" in found  # warn(out, "bad_date", ...)
    assert "duplicate_key" in found  # notes.append(("duplicate_key", ...))


def test_every_emitted_code_is_declared() -> None:
    undeclared = {code: places for code, places in emitted_codes().items() if code not in WarningCode.__members__.values()}
    assert not undeclared, (
        f"warning codes emitted but not declared in cyberevidence/warning_codes.py: {undeclared}; "
        "add each to WarningCode with its category and meaning (then regenerate docs/warnings.md)"
    )


def test_every_declared_code_is_emitted() -> None:
    """No dead vocabulary: a code nobody emits any more is removed (or the scan learns where it is made)."""
    unused = sorted(str(c) for c in WarningCode if str(c) not in emitted_codes())
    assert not unused, f"declared in WarningCode but emitted nowhere: {unused}"


def test_every_code_has_a_category_and_a_one_line_meaning() -> None:
    for code in WarningCode:
        assert isinstance(code.category, WarningCategory)
        assert code.meaning and "\n" not in code.meaning and code.meaning[0].isupper() and code.meaning.endswith((".", "?"))
        assert str(code) == code.value and SLUG.match(code.value)


@pytest.mark.parametrize(
    ("codes", "category"),
    [
        (("count_mismatch", "xml_damaged", "damaged_json", "malformed_json", "unreadable_json"), WarningCategory.DAMAGE),
        (("bad_timestamp", "unreadable_date", "no_timestamp", "no_time", "unreadable_time", "missing_date"),
         WarningCategory.SKIPPED),
        (("assumed_timezone", "date_order", "codepage_assumed", "ambiguous_time"), WarningCategory.ASSUMPTION),
        (("field_truncated", "too_large", "message_too_large", "long_line"), WarningCategory.LIMIT),
    ],
)
def test_near_synonyms_share_a_category(codes: tuple[str, ...], category: WarningCategory) -> None:
    assert {category_of(c) for c in codes} == {category}
    assert set(codes) <= codes_in(category)


def test_an_unknown_code_has_no_category() -> None:
    """A plug-in's own code, or one from a case made by an older version, is never guessed at."""
    assert category_of("some_plugin_code") is None


def test_the_doc_matches_the_enum() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert markdown_table() in text, (
        "docs/warnings.md is out of date: regenerate its table with "
        "python -c 'from cyberevidence.warning_codes import markdown_table; print(markdown_table())'"
    )


# -- the caseless parse gives its warnings back (issue 16: ``parse.last_warnings`` was promised, never set)


def test_parse_without_a_list_keeps_its_warnings_on_last_warnings(tmp_path: Path) -> None:
    import cyberevidence as ce

    chat = tmp_path / "WhatsApp Chat with Mark Kell.txt"
    chat.write_text("14/10/2025, 20:01 - Mark Kell: hi\n14/10/2025, 20:02 - Sarah Jones: stop\n", encoding="utf-8")
    events = list(ce.parse(chat))  # no timezone: the assumption is a warning
    assert len(events) == 2
    codes = [w.code for w in ce.parse.last_warnings]  # type: ignore[attr-defined]
    assert WarningCode.ASSUMED_TIMEZONE in codes

    given: list[object] = []
    list(ce.parse(chat, timezone="Europe/London", warnings=given))  # type: ignore[arg-type]
    assert ce.parse.last_warnings is given  # type: ignore[attr-defined]
    assert WarningCode.ASSUMED_TIMEZONE not in [w.code for w in ce.parse.last_warnings]  # type: ignore[attr-defined]
