"""``CASE/exports/``: the standard exports, derived from the case and never passed off as current.

The contract (``docs/case-folder.md``, "exports/"):

* Every file is written atomically (a temporary file in ``exports/``, fsync, rename, fsync the
  folder): a reader, a bundle or a Ctrl-C sees the previous good copy or the new one, never a
  half-written file.
* ``exports/exports-state.json`` says, for each file, which state of the case it was made from:
  the custody entry (seq and hash) of the last change to the case's content, and the file's
  SHA-256. Changes are every custody entry except those that only record what was done with the
  case (``export``, ``seal``, ``receive``, ``interrupted``). A file is *current* only when the
  state names it, its SHA-256 still matches, and no change has been logged since.
* Commands that change the case do not rewrite the exports (that can take minutes on a large
  case): the exports become *stale*, which is computed from the custody log, so no way of
  changing the case can forget to say so. The CLI then writes ``exports/OUT-OF-DATE.txt`` naming
  the command that refreshes them; a bundle refuses to carry a stale report.
* A refresh first withdraws the state of every file it will write, so a refresh stopped half-way
  leaves the files it did not reach marked stale, never current.
"""

from __future__ import annotations

import enum
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cyberevidence.errors import CyberEvidenceError
from cyberevidence.exporters.contacts import write_contacts_csv
from cyberevidence.exporters.timeline import write_timeline_csv, write_timeline_jsonl
from cyberevidence.hashing import hash_file
from cyberevidence.store.atomic import atomic_write_bytes, atomic_writer
from cyberevidence.timeutil import zone

if TYPE_CHECKING:
    from cyberevidence.case import Case

EXPORTS_DIR = "exports"
STATE_FILE = "exports-state.json"
NOTICE_FILE = "OUT-OF-DATE.txt"
REPORT_FILE = "report.html"
#: Custody actions that record what was done *with* the case, not a change *to* it.
RECORD_ONLY_ACTIONS = frozenset({"export", "seal", "receive", "interrupted"})


class ExportStatus(enum.Enum):
    CURRENT = "current"
    STALE = "stale"  # made before the case last changed
    CHANGED = "changed"  # the file is not the one the tool wrote
    UNTRACKED = "untracked"  # no state for it (written by hand, or a refresh stopped half-way)
    MISSING = "missing"


class StaleExportsError(CyberEvidenceError):
    """An export in ``CASE/exports/`` was made before the case last changed (or was altered)."""


@dataclass(frozen=True, slots=True)
class CaseState:
    """The last change to the case's content, as custody records it."""

    seq: int
    hash: str
    action: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "action": self.action}


@dataclass(frozen=True, slots=True)
class ExportedFile:
    name: str
    path: Path
    items: int
    sha256: str


def exports_dir(case: Case) -> Path:
    return case.root / EXPORTS_DIR


def case_state(case: Case) -> CaseState:
    """The custody entry of the last change to the case (export, seal and handover entries are not changes)."""
    last: CaseState | None = None
    for e in case.custody.entries():
        if e.action not in RECORD_ONLY_ACTIONS:
            last = CaseState(e.seq, e.hash, e.action)
    if last is None:  # pragma: no cover - every case starts with a create entry
        raise CyberEvidenceError(f"{case.root}: the custody log has no entries")
    return last


def _read_state(case: Case) -> dict[str, dict[str, Any]]:
    path = exports_dir(case) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}


def _write_state(case: Case, files: dict[str, dict[str, Any]]) -> None:
    body = {"about": "Which state of the case each export was made from (docs/case-folder.md).", "files": files}
    atomic_write_bytes(exports_dir(case) / STATE_FILE, (json.dumps(body, indent=2, sort_keys=True) + "\n").encode())


def export_status(case: Case, name: str, *, state: CaseState | None = None) -> ExportStatus:
    """Whether ``exports/NAME`` is the file the tool made from the case as it is now."""
    path = exports_dir(case) / name
    if not path.is_file():
        return ExportStatus.MISSING
    entry = _read_state(case).get(name)
    if entry is None:
        return ExportStatus.UNTRACKED
    now = state or case_state(case)
    made_from = entry.get("case_state", {})
    if made_from.get("seq") != now.seq or made_from.get("hash") != now.hash:
        return ExportStatus.STALE  # decided without reading the file
    if hash_file(path)["sha256"] != entry.get("sha256"):
        return ExportStatus.CHANGED
    return ExportStatus.CURRENT


def stale_exports(case: Case) -> list[tuple[str, ExportStatus]]:
    """Every file in ``exports/`` (except the state and notice files) that is not current."""
    folder = exports_dir(case)
    if not folder.is_dir():
        return []
    now = case_state(case)
    out: list[tuple[str, ExportStatus]] = []
    for path in sorted(folder.iterdir()):
        if path.name in (STATE_FILE, NOTICE_FILE) or path.name.startswith(".") or not path.is_file():
            continue
        status = export_status(case, path.name, state=now)
        if status is not ExportStatus.CURRENT:
            out.append((path.name, status))
    return out


def refresh_command(case: Case) -> str:
    return f"cyberevidence exports {case.root}"


def require_current_export(case: Case, name: str) -> None:
    """Raise :class:`StaleExportsError` unless ``exports/NAME`` is absent or current."""
    status = export_status(case, name)
    if status in (ExportStatus.CURRENT, ExportStatus.MISSING):
        return
    why = {
        ExportStatus.STALE: "was made before the case last changed",
        ExportStatus.CHANGED: "is not the file the tool wrote (it was changed since)",
        ExportStatus.UNTRACKED: "was not written by a complete export run",
    }[status]
    raise StaleExportsError(
        f"{exports_dir(case) / name} {why}, so it cannot go out as part of the case",
        hint=f"Refresh the exports first: {refresh_command(case)}",
    )


def write_notice(case: Case) -> list[tuple[str, ExportStatus]]:
    """Write (or remove) ``exports/OUT-OF-DATE.txt``; the files that are not current."""
    folder = exports_dir(case)
    if not folder.is_dir():
        return []
    stale = stale_exports(case)
    notice = folder / NOTICE_FILE
    if not stale:
        notice.unlink(missing_ok=True)
        return []
    text = (
        "These files in this folder were made before the case last changed, or were changed since,\n"
        "so they do not show the case as it is now:\n\n"
        + "".join(f"  {name} ({status.value})\n" for name, status in stale)
        + f"\nTo refresh them, run:\n\n  {refresh_command(case)}\n"
    )
    atomic_write_bytes(notice, text.encode("utf-8"))
    return stale


TextWriter = Callable[[TextIO], int]


def standard_outputs(case: Case) -> dict[str, TextWriter]:
    """The data exports every case gets (the report is added by :func:`refresh_exports`)."""
    tz = zone(case.info["timezone"])
    return {
        "timeline.jsonl": lambda fh: write_timeline_jsonl(case.timeline(), fh),
        "timeline.csv": lambda fh: write_timeline_csv(case.timeline(), fh, tz=tz),
        "contacts-by-day.csv": lambda fh: write_contacts_csv(case.contacts("day"), fh),
        "contacts-by-week.csv": lambda fh: write_contacts_csv(case.contacts("week"), fh),
    }


def write_text_export(case: Case, name: str, writer: TextWriter) -> ExportedFile:
    """Write one file of ``exports/`` atomically through ``writer`` (a text stream, newline as written)."""
    target = exports_dir(case) / name
    with atomic_writer(target) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        n = writer(text)
        text.flush()
        text.detach()
    return ExportedFile(name, target, n, hash_file(target)["sha256"])


def mark_written(case: Case, made: Iterable[ExportedFile], state: CaseState) -> None:
    """Record that ``made`` show the case as it was at ``state``."""
    files = _read_state(case)
    for f in made:
        files[f.name] = {"case_state": state.to_dict(), "sha256": f.sha256, "items": f.items}
    _write_state(case, files)


def _withdraw(case: Case, names: Iterable[str]) -> None:
    files = _read_state(case)
    if any(n in files for n in names):
        _write_state(case, {k: v for k, v in files.items() if k not in names})


def refresh_exports(
    case: Case,
    outputs: Mapping[str, TextWriter] | None = None,
    *,
    on_file: Callable[[str], None] | None = None,
    actor: str | None = None,
) -> list[ExportedFile]:
    """(Re)write ``outputs`` (default :func:`standard_outputs`) and ``report.html`` in ``CASE/exports/``.

    Each file is written atomically, logged in custody (an ``export`` entry with its SHA-256)
    and then recorded in ``exports-state.json`` as made from the case's current state.
    ``on_file(name)`` is called before each file is written (for progress).
    """
    from cyberevidence.report import write_report

    writers = dict(standard_outputs(case) if outputs is None else outputs)
    names = [*writers, REPORT_FILE]
    state = case_state(case)
    exports_dir(case).mkdir(exist_ok=True)
    _withdraw(case, names)
    made: list[ExportedFile] = []
    for name in names:
        if on_file is not None:
            on_file(name)
        if name == REPORT_FILE:
            result = write_report(case, exports_dir(case) / name, actor=actor)
            made.append(ExportedFile(name, result.path, 0, result.sha256))  # items: 0 for the report
        else:
            f = write_text_export(case, name, writers[name])
            case.record_export(name, str(f.path.resolve()), actor=actor, items=f.items, output_sha256=f.sha256)
            made.append(f)
        mark_written(case, made[-1:], state)
    write_notice(case)
    return made


__all__ = [
    "EXPORTS_DIR",
    "NOTICE_FILE",
    "RECORD_ONLY_ACTIONS",
    "REPORT_FILE",
    "STATE_FILE",
    "CaseState",
    "ExportStatus",
    "ExportedFile",
    "StaleExportsError",
    "case_state",
    "export_status",
    "mark_written",
    "refresh_command",
    "refresh_exports",
    "require_current_export",
    "stale_exports",
    "standard_outputs",
    "write_notice",
    "write_text_export",
]
