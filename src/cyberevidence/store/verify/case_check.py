"""``case.json`` compared with the custody ``create`` entry: the settings every output uses.

The time zone, region and examiner in ``case.json`` shape every local time and name in the
report, so a silent edit would move every time. Custody's ``create`` entry is the record of
what the case was created with; ``case.json`` (and the manifest's ``case``) must repeat it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cyberevidence.store.custody import MalformedEntryError, json_kind, load_json_strict, shown
from cyberevidence.store.verify.chain import CASE_SETTINGS, ChainFacts, same_json
from cyberevidence.store.verify.files import read_case_file
from cyberevidence.store.verify.report import VerifyReport

CASE_FILE = "case.json"


def read_case_json(root: Path, report: VerifyReport) -> dict[str, Any] | None:
    """``case.json`` as an object, or None with the reason named (it is hostile input like any file)."""
    raw = read_case_file(root, CASE_FILE, report)
    if raw is None:
        return None
    try:
        info = load_json_strict(raw)
    except MalformedEntryError as exc:
        report.problem(CASE_FILE, str(exc))
        return None
    if not isinstance(info, dict):
        report.problem(CASE_FILE, f"is {json_kind(info)}, not an object")
        return None
    return info


def settings_of(create: dict[str, Any]) -> dict[str, Any]:
    return {k: create[k] for k in CASE_SETTINGS if k in create}


def check_case_settings(info: dict[str, Any] | None, manifest_case: object, chain: ChainFacts, report: VerifyReport) -> None:
    """Name every setting where case.json or the manifest differs from the ``create`` entry."""
    first = chain.entries[0] if chain.entries else None
    if first is None or first["seq"] != 0 or first["action"] != "create":
        report.problem("custody.jsonl", "does not begin with the case's 'create' entry")
        return
    want = settings_of(first["details"])
    if info is not None:
        _compare(CASE_FILE, info, want, report)
    if isinstance(manifest_case, dict):
        _compare("manifest.json case", manifest_case, want, report)
    elif manifest_case is not None:
        report.problem("manifest.json", "its 'case' is not an object")


def _compare(where: str, got: dict[str, Any], want: dict[str, Any], report: VerifyReport) -> None:
    for key in sorted(set(got) | set(want)):
        if key not in want:
            report.problem(where, f"has a setting {shown(key)} that the case was not created with")
        elif key not in got:
            report.problem(where, f"lacks the setting {key!r} (custody: {shown(want[key])})")
        elif not same_json(got[key], want[key]):
            report.problem(
                where, f"{key} is {shown(got[key])}, but the case was created with {shown(want[key])} (custody seq 0)"
            )
