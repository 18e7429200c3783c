"""The outcome of ``verify``: every finding named, with its place; a typed severity."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """A *problem* makes the case not intact (exit 1); a *note* is said but changes nothing."""

    PROBLEM = "problem"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class SealSeen:
    """One ``seal`` custody entry as ``verify`` found it.

    ``status``: ``valid``; ``invalid`` (its copy is damaged or does not match custody);
    ``missing`` (its copy is gone); ``unchecked`` (the ``cryptography`` package is missing);
    ``unarchived`` (made before seals were archived, and no longer checkable).
    ``fingerprint`` is the SHA-256 of the key's DER public key ("" if unknown); ``trusted`` is
    None when no trusted key was given.
    """

    seq: int
    time: str
    actor: str
    fingerprint: str
    status: str
    trusted: bool | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "public_key_sha256": self.fingerprint,
            "status": self.status,
            "trusted": self.trusted,
        }


@dataclass
class VerifyReport:
    """The outcome. ``exit_code`` is 0 intact, 1 problems found, 2 not a case."""

    case_dir: str
    is_case: bool = True
    findings: list[Finding] = field(default_factory=list)
    objects_checked: int = 0
    custody_entries: int = 0
    head_hash: str = ""
    #: ``absent`` (never sealed), ``valid``, ``invalid``, ``missing`` (sealed once, seal gone),
    #: ``untrusted`` (valid, but not by a key the checker pinned) or ``unchecked``.
    signature: str = "absent"
    #: SHA-256 fingerprints of the public keys of the seals found valid, latest last.
    seal_fingerprints: list[str] = field(default_factory=list)
    #: Every ``seal`` custody entry, in order, with what was found.
    seals: list[SealSeen] = field(default_factory=list)
    #: Trusted keys were given: the last seal had to be made with one of them.
    trusted_keys_checked: bool = False
    #: Artefacts whose index rows were checked against the digests in custody.
    index_artefacts_checked: int = 0

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.PROBLEM]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.NOTE]

    @property
    def ok(self) -> bool:
        return self.is_case and not self.problems

    @property
    def exit_code(self) -> int:
        return 2 if not self.is_case else (1 if self.problems else 0)

    def problem(self, where: str, message: str) -> None:
        self.findings.append(Finding(Severity.PROBLEM, where, message))

    def note(self, where: str, message: str) -> None:
        self.findings.append(Finding(Severity.NOTE, where, message))

    def to_dict(self) -> dict[str, object]:
        return {
            "case": self.case_dir,
            "intact": self.ok,
            "exit_code": self.exit_code,
            "objects_checked": self.objects_checked,
            "custody_entries": self.custody_entries,
            "custody_head": self.head_hash,
            "signature": self.signature,
            "seal_fingerprints": list(self.seal_fingerprints),
            "seals": [s.to_dict() for s in self.seals],
            "trusted_keys_checked": self.trusted_keys_checked,
            "index_artefacts_checked": self.index_artefacts_checked,
            "problems": [str(f) for f in self.problems],
            "notes": [str(f) for f in self.notes],
        }
