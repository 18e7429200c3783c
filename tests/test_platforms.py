"""Every platform a parser can emit has a display name and a CASE/UCO application, declared once.

Found three ways: each built-in ``ParserInfo.platform``; a scan of ``src/cyberevidence/parsers``
for ``platform="..."`` keywords and assignments, module constants whose name holds ``PLATFORM``,
and the values of ``SERVICES`` tables (iMessage's service -> platform); and (in
``tests/test_kinds.py``) every event of every fixture.
"""

from __future__ import annotations

import ast
from pathlib import Path

from cyberevidence.exporters.case_uco import APPLICATIONS
from cyberevidence.parsers import builtin_parsers
from cyberevidence.platforms import Platform, application_name, display_name

PARSERS = Path(__file__).resolve().parents[1] / "src" / "cyberevidence" / "parsers"


def _constants(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Dict):
        return [s for v in node.values for s in _constants(v)]
    return []


def scanned_platforms() -> dict[str, str]:
    """platform -> the first place (``file:line``) that writes it."""
    found: dict[str, str] = {}
    for path in sorted(PARSERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values: list[str] = []
            if isinstance(node, ast.keyword) and node.arg == "platform":
                values = _constants(node.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if any(n == "platform" or "PLATFORM" in n or n == "SERVICES" for n in names):
                    values = _constants(node.value)
            for value in values:
                found.setdefault(value, f"{path.name}:{getattr(node, 'lineno', 0)}")
    return found


def test_the_scan_finds_every_parsers_platforms() -> None:
    found = scanned_platforms()
    assert {"hangouts", "google_chat", "sms", "phone", "imessage", "diary", "marker"} <= set(found)
    assert {p.platform for p in builtin_parsers()} <= set(found)


def test_every_platform_a_parser_emits_is_declared() -> None:
    emitted = set(scanned_platforms()) | {p.platform for p in builtin_parsers()}
    missing = sorted(emitted - set(Platform._value2member_map_))
    assert not missing, f"platforms emitted but not declared in cyberevidence/platforms.py: {missing}"


def test_every_platform_has_a_display_name_and_an_application() -> None:
    for p in Platform:
        assert p.display and p.application
        assert display_name(p) == p.display and application_name(p) == p.application
        assert APPLICATIONS[p] == p.application


def test_hangouts_has_its_own_application() -> None:
    assert APPLICATIONS["hangouts"] == "Google Hangouts" != APPLICATIONS["google_chat"]


def test_an_undeclared_platform_is_shown_as_written() -> None:
    assert display_name("myplugin") == "myplugin" == application_name("myplugin")


def test_a_hangouts_export_names_its_application_in_case_uco(tmp_path: Path) -> None:
    import cyberevidence as ce
    from cyberevidence.exporters.case_uco import case_uco_document

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "google_takeout" / "Hangouts.json"
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith")
    case.add(fixture, timezone="Europe/London")
    graph = case_uco_document(case)["@graph"]
    apps = {n["uco-core:name"] for n in graph if n.get("@type") == "uco-observable:Application"}
    assert "Google Hangouts" in apps and "hangouts" not in apps
