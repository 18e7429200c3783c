"""A case: the folder that holds the evidence, its custody log, index and manifest (DESIGN.md §2).

``Case`` is the public entry point for scripts; the CLI is a thin layer over it::

    case = Case.create("case-001", examiner="J. Smith", timezone="Europe/London")
    case.add("WhatsApp Chat - Mark.zip", note="exported by victim, 5 Nov")
    case.load_people("people.toml")
    for event in case.timeline(person="Mark Kell"): ...
    report = case.verify()
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cyberevidence._version import __version__
from cyberevidence.analysis.conduct import ConductOptions, ConductSummary, course_of_conduct, course_of_conduct_indexed
from cyberevidence.analysis.contacts import (
    ContactRow,
    HourWeekdayMatrix,
    Period,
    contact_frequency,
    contact_frequency_indexed,
    hour_weekday_indexed,
    hour_weekday_matrix,
)
from cyberevidence.analysis.identities import IdentityLink, IdentitySuggestion, link_handles, suggest
from cyberevidence.analysis.links import URL_HINTS, LinkSeen, find_links
from cyberevidence.analysis.markers import MarkerEffect, marker_effects, marker_effects_indexed
from cyberevidence.analysis.places import Place, find_places
from cyberevidence.analysis.resolve import Resolver
from cyberevidence.archive import ArchiveLimits
from cyberevidence.case_warnings import CaseWarning
from cyberevidence.dateargs import DateArgumentError, index_bound, parse_instant
from cyberevidence.errors import (
    CaseExistsError,
    CustodyDamagedError,
    CyberEvidenceError,
    IndexMismatchError,
    NotACaseError,
    PeopleFileError,
    Setting,
    StorageFullError,
    as_storage_full,
)
from cyberevidence.events import Event
from cyberevidence.exporters.diary_csv import EDITABLE, read_diary_csv
from cyberevidence.hashing.digests import SUPPORTED_ALGORITHMS, open_readonly
from cyberevidence.intel.near_dupes import DEFAULT_MAX_DISTANCE, NearDuplicate, near_duplicates
from cyberevidence.limitations import limitations_for_manifest
from cyberevidence.parsers import ParserRegistry, default_registry
from cyberevidence.parsers.base import DateOrder, ParseOptions, SourceFile
from cyberevidence.people import People, Person, load_people, people_from_data, people_to_toml
from cyberevidence.records import (
    BOUNDARY_TYPES,
    DiaryEntry,
    Marker,
    RecordError,
    RecordType,
    StoredRecord,
    edit_diary_entry,
    make_diary_entry,
    make_marker,
    record_bytes,
    record_from_json,
)
from cyberevidence.store.atomic import atomic_write_bytes
from cyberevidence.store.custody import (
    ARTEFACT_ACTIONS,
    GENESIS,
    CustodyEntry,
    CustodyLog,
    MalformedEntryError,
    complete_pending,
    next_link,
    parse_entry,
    utc_now,
)
from cyberevidence.store.index import Index
from cyberevidence.store.index_digest import digests_of
from cyberevidence.store.index_digest import owners as index_owners
from cyberevidence.store.ingest import (
    AddReport,
    FolderSiblings,
    Ingest,
    ProgressFn,
    SkippedInput,
    expand_inputs,
    host_details,
)
from cyberevidence.store.lock import CaseLock
from cyberevidence.store.manifest import MANIFEST, SUMS, build_manifest, manifest_bytes, manifest_head_seq, write_manifest
from cyberevidence.store.objects import EvidenceStore
from cyberevidence.store.seal import commit_archive, load_signer, settle_partial_archives, stage_archive
from cyberevidence.store.state import CustodyState
from cyberevidence.store.verify import VerifyReport, verify_case, verify_index
from cyberevidence.store.verify.chain import CASE_SETTINGS
from cyberevidence.timeutil import zone

CASE_FILE = "case.json"


class Case:
    """An open case folder. Holds no global state; two ``Case`` objects may be open at once."""

    def __init__(self, root: Path, info: dict[str, Any], *, registry: ParserRegistry | None = None) -> None:
        self.root = root
        self.info = info
        self.store = EvidenceStore(root / "evidence")
        self.custody = CustodyLog(root / "custody.jsonl")
        self.lock = CaseLock(root)
        self.registry = registry or default_registry()
        self._index: Index | None = None
        self._facts: tuple[tuple[int, int], CustodyState] | None = None
        self._index_ok: tuple[tuple[int, int], ...] | None = None

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        examiner: str,
        timezone: str = "Europe/London",
        title: str = "",
        region: str = "GB",
        hash_algorithms: Sequence[str] = ("sha256",),
        case_id: str = "",
    ) -> Case:
        """Make a new case folder; refuses a folder that already has files in it."""
        root = Path(path)
        if root.exists() and any(root.iterdir()):
            raise CaseExistsError(f"{root}: the folder exists and is not empty")
        if not examiner.strip():
            raise CyberEvidenceError("an examiner name is needed", hint="Give the examiner's name: the person doing this work.",
                                     setting=Setting.EXAMINER)
        zone(timezone)
        algos = tuple(dict.fromkeys(("sha256", *(a.lower() for a in hash_algorithms))))
        bad = [a for a in algos if a not in SUPPORTED_ALGORITHMS]
        if bad:
            raise CyberEvidenceError(f"unsupported hash algorithm(s): {', '.join(bad)}")
        root.mkdir(parents=True, exist_ok=True)
        (root / "evidence" / "sha256").mkdir(parents=True)
        info: dict[str, Any] = {
            "case_id": case_id or str(uuid.uuid4()),
            "title": title,
            "examiner": examiner.strip(),
            "timezone": timezone,
            "region": region.upper(),
            "created": utc_now(),
            "tool_version": __version__,
            "hash_algorithms": list(algos),
        }
        atomic_write_bytes(root / CASE_FILE, (json.dumps(info, indent=2, ensure_ascii=False) + "\n").encode())
        case = cls(root, info)
        with case.lock:
            case.custody.append(info["examiner"], "create", "", {**info, **host_details()})
            case._refresh_manifest()
        return case

    @classmethod
    def open(cls, path: str | Path, *, registry: ParserRegistry | None = None) -> Case:
        root = Path(path)
        try:
            info = json.loads((root / CASE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotACaseError(f"{root}: not a cyberevidence case (no {CASE_FILE})", path=root) from None
        except (OSError, ValueError) as exc:
            raise NotACaseError(f"{root}: {CASE_FILE} cannot be read ({exc})", path=root) from None
        if not isinstance(info, dict) or "examiner" not in info or "timezone" not in info:
            raise NotACaseError(f"{root}: {CASE_FILE} is not a case description", path=root)
        return cls(root, {**info, **_created_settings(CustodyLog(root / "custody.jsonl"))}, registry=registry)

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.root / "index.sqlite")
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def writing(self, actor: str | None = None) -> Iterator[None]:
        """Hold the case's write lock; the outermost holder first repairs what an interrupted writer left."""
        outermost = not self.lock.held
        with self.lock:
            if outermost:
                self._recover(actor or self.info["examiner"])
            yield

    def _recover(self, actor: str) -> None:
        """Put right what an interrupted writer left, and log each repair (see docs/verification.md).

        * temporary files of interrupted copies are removed;
        * an incomplete last custody line is completed (only its newline was lost), or cut when it
          is an interrupted write: never when the manifest shows it was committed;
        * a parse entry the index kept but the log never got is appended, byte for byte;
        * staged copies custody logged move into the store; other leftovers of copies are removed;
        * a seal cut after its entry was logged is put in place in ``seals/``; one cut before, removed;
        * index rows for every artefact custody records are restored.
        """
        repairs: dict[str, Any] = {}
        torn = self.custody.torn_tail()
        pending = self.index.pending_custody()
        if torn:
            repairs.update(self._repair_torn_tail(torn, pending))
        if pending:
            appended = complete_pending(self.custody, pending)
            with self.index.transaction():
                self.index.clear_pending_custody()
            if appended is not None:
                repairs["appended_pending_entry"] = {"seq": appended.seq, "action": appended.action}
        entries = list(self.custody.entries())
        moved, _removed = self.store.recover_staged({e.subject for e in entries if e.action in ARTEFACT_ACTIONS})
        if moved:
            repairs["moved_into_store"] = moved  # logged before the writer stopped, not yet moved in
        settled = settle_partial_archives(self.root, {e.seq for e in entries if e.action == "seal"})
        if settled["completed"]:
            repairs["seals_put_in_place"] = [f"seals/{n}" for n in settled["completed"]]
        if settled["removed"]:
            repairs["unlogged_seals_removed"] = [f"seals/.{n}.partial" for n in settled["removed"]]
        if repairs:
            self.custody.append(actor, "recover", "", {**repairs, **host_details()})
        self._sync_index()

    def _repair_torn_tail(self, torn: bytes, pending: bytes) -> dict[str, Any]:
        from cyberevidence.hashing import hash_bytes

        head = self.custody.head()
        last_seq = head.seq if head else -1
        if next_link(torn, last_seq, head.hash if head else GENESIS) is not None:
            self.custody.complete_torn_tail()
            return {"completed_last_line": "the last entry was whole but lacked its newline; the newline was added"}
        interrupted_write = bool(pending) and pending.startswith(torn)
        covered = manifest_head_seq(self.root)
        if covered > last_seq and not interrupted_write:
            raise CustodyDamagedError(
                f"{self.custody.path}: its last entry (seq {covered}, recorded in manifest.json) was cut short; "
                "it was committed, so it is not repaired"
            )
        self.custody.cut_torn_tail(torn)
        return {
            "removed_incomplete_line": {
                "reason": "an interrupted write left an incomplete custody line; it was removed",
                "bytes": len(torn),
                "sha256": hash_bytes(torn)["sha256"],
                "was_pending_entry": interrupted_write,
            }
        }

    def _sync_index(self) -> None:
        """Make sure every artefact the custody log records is in the index (the log is the truth)."""
        with self.index.transaction():
            for e in self.custody.entries():
                if e.action not in ARTEFACT_ACTIONS or not e.subject:
                    continue
                d = e.details
                size = int(d.get("size", d.get("original_size", 0)))
                role = {"people": "case-material", "record": "case-record"}.get(e.action, "evidence")
                self.index.add_artefact(e.subject, size, str(d.get("media_type", "")), dict(d.get("digests", {})), role)
                self.index.add_provenance(e.subject, e.action, d, acquired_at=e.time, actor=e.actor, custody_seq=e.seq)

    def rebuild(self, progress: ProgressFn | None = None, actor: str | None = None) -> None:
        """Recreate ``index.sqlite`` from the store and the custody log alone, re-running recorded parses.

        A ``rebuild`` custody entry records the digest of every artefact's new rows, which is what
        ``verify`` compares the index with from then on.
        """
        who = actor or self.info["examiner"]
        with self.writing(who):
            self.close()
            for suffix in ("", "-wal", "-shm"):
                (self.root / f"index.sqlite{suffix}").unlink(missing_ok=True)
            self._sync_index()
            latest: dict[str, dict[str, Any]] = {}
            for e in self.custody.entries():
                if e.action == "parse":
                    latest[e.subject] = dict(e.details)
            ingest = Ingest(self, self.registry, self.info["examiner"], progress)
            names = {p["sha256"]: p["original_name"] for p in self.index.provenance()}
            for sha, d in latest.items():
                opts = d.get("options", {})
                options = ParseOptions(
                    timezone=zone(opts.get("timezone", self.info["timezone"])),
                    timezone_assumed=opts.get("timezone_assumed") == "true",
                    date_order=opts.get("date_order") or None,
                    archive_limits=ArchiveLimits.from_text(opts.get("archive_limits", "")),
                )
                path = self.store.path_for(sha)
                siblings = {name: self._stored_source(s, name) for name, s in d.get("siblings_used", {}).items()}
                source = SourceFile(path, sha, names.get(sha, sha), path.stat().st_size, self.index.media_type(sha), siblings)
                ingest.parse(source, options, d.get("parser"), log=False, switched=d.get("detection_switch"))
            db = self.index.db
            self.custody.append(who, "rebuild", "", {"index_digests": digests_of(db, index_owners(db)), **host_details()})
            self._refresh_manifest()

    def _stored_source(self, sha: str, name: str) -> SourceFile:
        path = self.store.path_for(sha)
        return SourceFile(path, sha, name, path.stat().st_size, self.index.media_type(sha))

    def add(
        self,
        *paths: str | Path,
        timezone: str | None = None,
        format: str | None = None,
        note: str = "",
        date_order: DateOrder | None = None,
        actor: str | None = None,
        progress: ProgressFn | None = None,
        archive_limits: ArchiveLimits | None = None,
    ) -> AddReport:
        """Acquire files or folders (hash, store read-only, log), then parse what is recognised.

        ``archive_limits`` changes the zip-bomb and size limits (recorded in custody when not the defaults).

        Re-running the same ``add`` finishes interrupted work and duplicates nothing.
        """
        who = actor or self.info["examiner"]
        options = ParseOptions(
            timezone=zone(timezone or self.info["timezone"]),
            timezone_assumed=timezone is None,
            date_order=date_order,
            archive_limits=archive_limits or ArchiveLimits(),
        )
        skipped: list[SkippedInput] = []  # links, FIFOs, devices in the folders: listed and logged, not acquired
        inputs = list(expand_inputs([Path(p) for p in paths], skipped))
        report = AddReport(skipped=skipped)
        with self._stoppable(who, "add"):
            ingest = Ingest(self, self.registry, who, progress)
            ingest.log_skipped(skipped)
            batches: dict[Path, dict[str, SourceFile]] = {}
            acquired: list[tuple[SourceFile, Path, str]] = []
            for original, root in inputs:
                source = ingest.acquire(original, note)
                rel = original.relative_to(root).as_posix()
                batches.setdefault(root, {})[rel] = source
                acquired.append((source, root, rel))
            for source, root, rel in acquired:
                siblings = FolderSiblings(batches[root], rel)
                with_siblings = SourceFile(source.path, source.sha256, source.name, source.size, source.media_type, siblings)
                try:
                    report.files.append(ingest.parse(with_siblings, options, format))
                except StorageFullError:
                    raise
                except CyberEvidenceError as exc:
                    report.files.append(ingest.failed(source, exc, options.archive_limits))  # logged as parse_failed
            self._refresh_manifest()
        return report

    @contextlib.contextmanager
    def _stoppable(self, actor: str, command: str) -> Iterator[None]:
        """:meth:`writing` for a long command that Ctrl-C, an error or a full disk may stop anywhere,
        recovery and the final manifest included: the stop is logged under the lock before it is
        released (:meth:`_log_interruption`), and a full disk is raised as a
        :class:`~cyberevidence.errors.StorageFullError` naming the file.
        """
        outermost = not self.lock.held
        with self.lock:
            try:
                if outermost:
                    self._recover(actor)
                yield
            except BaseException as exc:
                error = as_storage_full(exc, self.root)
                self._log_interruption(actor, command, error)
                if error is exc:
                    raise
                raise error from exc

    def _log_interruption(self, actor: str, command: str, exc: BaseException) -> None:
        """After Ctrl-C, a full disk or any error mid-write: complete a parse entry the index kept,
        bring the index in line with custody, say in custody that the command stopped, and rewrite
        the manifest, so the case verifies.

        Best effort, and it never raises: the caller re-raises ``exc``. A step is skipped when one
        it depends on failed (the disk is still full); the next writer's recovery then does it.
        A Ctrl-C pressed during this clean-up is held back, so it cannot cut the clean-up short.
        """
        held: list[int] = []
        previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
        if previous is not None:
            signal.signal(signal.SIGINT, lambda signum, _frame: held.append(signum))
        try:
            try:
                # A parse entry the index committed but the log never got comes first: it takes the next seq.
                complete_pending(self.custody, self.index.pending_custody())
            except Exception:
                return  # nothing may be appended before that entry; the next writer completes it
            try:
                self._sync_index()
                synced = True
            except Exception:
                synced = False  # a manifest from an index behind custody would leave artefacts out
            reason = "stopped by the user (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {exc}"
            with contextlib.suppress(Exception):
                self.custody.append(
                    actor,
                    "interrupted",
                    "",
                    {"command": command, "reason": reason[:2000], "to_finish": "run the same command again", **host_details()},
                )
            if synced:
                with contextlib.suppress(Exception):
                    self._refresh_manifest()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def load_people(self, path: str | Path, actor: str | None = None, *, force: bool = False) -> People:
        """Store a people file as case material, log it, and use it from now on.

        Loading the same file again when it is already the one in force logs nothing new. A file
        that lists no one never replaces one that lists people, unless ``force``.
        """
        p = Path(path)
        people = load_people(p, self.info.get("region", "GB"))
        if not people.persons and not force:
            in_force = len(self.people().persons)
            if in_force:
                raise PeopleFileError(
                    f"{p}: lists no one, and would replace the people file in force, which lists {in_force} person(s)",
                    hint="Check that each person is a [[person]] table. To clear the people file on purpose, load it with force.",
                )
        who = actor or self.info["examiner"]
        with self.writing(who):
            with open_readonly(p) as fh:
                stored = self.store.put_stream(fh, self.info["hash_algorithms"])
            if self._people_sha() == stored.sha256:
                self.store.discard(stored)
                return people
            details = {
                "original_name": p.name,
                "original_path": str(p.resolve()),
                "digests": stored.digests,
                "persons": len(people.persons),
                "size": stored.size,
                "media_type": "application/toml",
                **host_details(),
            }
            entry = self.custody.append(who, "people", stored.sha256, details)
            self.store.commit(stored)
            with self.index.transaction():
                self.index.add_artefact(stored.sha256, stored.size, "application/toml", stored.digests, role="case-material")
                self.index.add_provenance(
                    stored.sha256, "people", details, acquired_at=entry.time, actor=who, custody_seq=entry.seq
                )
            self._refresh_manifest()
        return people

    def _people_sha(self) -> str:
        """The people file in force: the last one custody says was loaded (never the index's say)."""
        return self._custody_facts().people

    def people(self) -> People:
        """The people file currently in force (the last one loaded), or an empty one."""
        import tomllib

        sha = self._people_sha()
        region = self.info.get("region", "GB")
        if not sha:
            return People([], region)
        data = tomllib.loads(self.store.path_for(sha).read_text(encoding="utf-8"))
        return people_from_data(data, region, "stored people file", strict=False)  # stored before the strict rules too

    def refresh_manifest(self) -> dict[str, Any]:
        """Regenerate manifest.json and SHA256SUMS now (under the lock) and return the manifest."""
        with self.writing():
            return self._refresh_manifest()

    def _refresh_manifest(self) -> dict[str, Any]:
        manifest = build_manifest(
            self.info, self.index, self.store, self.custody.head(), __version__, limitations_for_manifest(self)
        )
        # write_manifest replaces SHA256SUMS, then manifest.json: if it stops between the two (a
        # full disk, Ctrl-C), the previous SHA256SUMS goes back, so the two on disk still agree.
        # It is kept as a hard link in the store's scratch folder, so it comes back by a rename that
        # needs no room on a full disk (the next writer's recovery removes a link left by a crash);
        # where links cannot be made, its bytes are kept instead.
        sums = self.root / SUMS
        keep = self.store.tmp / f"{SUMS}.previous"
        kept, previous = False, None
        try:
            self.store.tmp.mkdir(parents=True, exist_ok=True)
            keep.unlink(missing_ok=True)
            os.link(sums, keep)
            kept = True
        except OSError:
            with contextlib.suppress(OSError):
                previous = sums.read_bytes()
        try:
            data = write_manifest(self.root, manifest, self.store)
        except BaseException:
            with contextlib.suppress(Exception):
                if (self.root / MANIFEST).read_bytes() != manifest_bytes(manifest):
                    if kept:
                        os.replace(keep, sums)
                    elif previous is not None and sums.read_bytes() != previous:
                        atomic_write_bytes(sums, previous)
            raise
        finally:
            if kept:
                with contextlib.suppress(OSError):
                    keep.unlink(missing_ok=True)
        self.index.set_manifest_written(hashlib.sha256(data).hexdigest())
        return manifest

    def seal(self, sign_key: Path, actor: str | None = None) -> dict[str, Any]:
        """Regenerate the manifest and sign it with an Ed25519 key; keep the seal for good.

        The ``seal`` custody entry records the key's fingerprint (SHA-256 of its DER public key)
        and is the sealed manifest's custody head. The manifest, its signature and the public key
        are kept read-only in ``seals/<seq>/`` (``seq``: that entry), put in place whole by one
        rename, and are also written at the top of the case as ``manifest.json.sig`` and
        ``signer.pub.pem`` until the next write replaces the manifest. A key that cannot be
        loaded is refused before anything is logged.
        """
        who = actor or self.info["examiner"]
        signer = load_signer(sign_key)
        with self.writing(who):  # the outermost writer has already settled interrupted seals (_recover)
            details: dict[str, Any] = {"key_file": str(sign_key), "public_key_sha256": signer.fingerprint}
            prepared = self.custody.prepare(who, "seal", "", {**details, **host_details()})
            manifest = build_manifest(
                self.info, self.index, self.store, prepared.entry, __version__, limitations_for_manifest(self)
            )
            data = manifest_bytes(manifest)
            signature = signer.sign(data)
            staged = stage_archive(self.root, prepared.entry.seq, data, signature, signer.public_pem)
            self.custody.write(prepared)
            commit_archive(self.root, staged, prepared.entry.seq)
            write_manifest(self.root, manifest, self.store, seal=(signature, signer.public_pem))
            return manifest

    def receive(self, receiver: str, released_by: str, purpose: str = "") -> VerifyReport:
        """A handover: the receiving party verifies the case and logs that they received it.

        The entry names both parties and carries the verification outcome; the receiver then
        seals with their own key (:meth:`seal`), since a signer could have rewritten the whole log.
        """
        report = self.verify()
        with self.writing(receiver):
            self.custody.append(
                receiver,
                "receive",
                "",
                {
                    "released_by": released_by,
                    "received_by": receiver,
                    "purpose": purpose,
                    "verified_intact": report.ok,
                    "problems": [str(p) for p in report.problems],
                    "head_before": report.head_hash,
                    **host_details(),
                },
            )
            self._refresh_manifest()
        return report

    def record_export(self, what: str, target: str, actor: str | None = None, **details: Any) -> None:
        """Log that something was exported from the case (a timeline, a report ...)."""
        who = actor or self.info["examiner"]
        with self.writing(who):
            before = self.custody.head()
            entry = self.custody.append(who, "export", "", {"what": what, "target": target, **details, **host_details()})
            if not self._advance_manifest_head(before, entry):
                self._refresh_manifest()

    def _advance_manifest_head(self, before: CustodyEntry | None, entry: CustodyEntry) -> bool:
        """After an export entry, move only the manifest's custody head (and generated_at) on.

        An export changes no artefact, parse, warning or event, so the manifest rebuilt in full
        would differ from the one on disk only in those two fields. That shortcut is taken only
        when the manifest on disk is byte for byte the one this tool last wrote (its SHA-256 kept
        in the index), was written at the custody entry just before ``entry`` and by this
        version; otherwise (returns False) the caller rebuilds it (docs/verification.md §3).
        """
        known = self.index.manifest_written()
        try:
            raw = (self.root / MANIFEST).read_bytes()
        except OSError:
            return False
        if not known or before is None or hashlib.sha256(raw).hexdigest() != known:
            return False
        manifest = json.loads(raw)
        if manifest.get("custody_head") != {"seq": before.seq, "hash": before.hash} or manifest.get("tool") != {
            "name": "cyberevidence",
            "version": __version__,
        }:
            return False
        manifest["custody_head"] = {"seq": entry.seq, "hash": entry.hash}
        manifest["generated_at"] = utc_now()
        data = write_manifest(self.root, manifest, self.store)
        self.index.set_manifest_written(hashlib.sha256(data).hexdigest())
        return True

    # ------------------------------------------------------------------ the victim's record
    def _write_record(self, record: DiaryEntry | Marker, actor: str) -> StoredRecord:
        """Store one record version as evidence, log it, and put it on the timeline."""
        data = record_bytes(record)
        kind: RecordType = "diary" if isinstance(record, DiaryEntry) else "marker"
        record_id = record.entry_id if isinstance(record, DiaryEntry) else record.marker_id
        name = f"{kind}-{record_id}-v{record.version}.json"
        with self.writing(actor):
            stored = self.store.put_stream(io.BytesIO(data), self.info["hash_algorithms"])
            details = {
                "record_type": kind,
                "record_id": record_id,
                "version": record.version,
                "supersedes": record.supersedes,
                "original_name": name,
                "digests": stored.digests,
                "size": stored.size,
                "media_type": "application/json",
                **host_details(),
            }
            entry = self.custody.append(actor, "record", stored.sha256, details)
            self.store.commit(stored)
            with self.index.transaction():
                self.index.add_artefact(stored.sha256, stored.size, "application/json", stored.digests, role="case-record")
                self.index.add_provenance(
                    stored.sha256, "record", details, acquired_at=entry.time, actor=actor, custody_seq=entry.seq
                )
            source = SourceFile(stored.path, stored.sha256, name, stored.size, "application/json")
            options = ParseOptions(timezone=zone(self.info["timezone"]), timezone_assumed=False)
            Ingest(self, self.registry, actor, None).parse(source, options, "case_record")
            self._refresh_manifest()
        return StoredRecord(kind, stored.sha256, record)

    def _records(self, kind: RecordType) -> list[StoredRecord]:
        """Every version of every record of ``kind``, in custody order."""
        out = []
        for e in self.custody.entries():
            if e.action == "record" and e.details.get("record_type") == kind:
                data = json.loads(self.store.path_for(e.subject).read_bytes())
                out.append(StoredRecord(kind, e.subject, record_from_json(data)))
        return out

    def _latest(self, kind: RecordType) -> dict[str, StoredRecord]:
        latest: dict[str, StoredRecord] = {}
        for r in self._records(kind):
            rid = r.record.entry_id if isinstance(r.record, DiaryEntry) else r.record.marker_id
            latest[rid] = r
        return latest

    def _superseded_records(self) -> set[str]:
        """Record versions that a later version replaced: each edit names the one it supersedes."""
        return self._custody_facts().superseded

    def _custody_facts(self) -> CustodyState:
        """What custody says (people file, superseded records ...), re-read when the log changes."""
        st = self.custody.path.stat()
        key = (st.st_size, st.st_mtime_ns)
        if self._facts is None or self._facts[0] != key:
            self._facts = (key, CustodyState.load(self.custody))
        return self._facts[1]

    def _require_index(self) -> None:
        """Readers refuse an index that does not match custody (edited rows, a planted people file ...)."""
        key = tuple(_stat_key(self.root / name) for name in ("custody.jsonl", "case.json", "index.sqlite", "index.sqlite-wal"))
        if self._index_ok == key:
            return
        report = verify_index(self.root)
        if report.problems:
            listed = "; ".join(str(p) for p in report.problems[:5])
            more = f" (and {len(report.problems) - 5} more)" if len(report.problems) > 5 else ""
            raise IndexMismatchError(f"{self.root}: the index does not match the custody log: {listed}{more}")
        self._index_ok = key

    def diary_add(
        self, happened_at: str, what_happened: str, *, actor: str | None = None, marker_type: str = "",
        marker_platform: str = "", marker_account: str = "", **details: str,
    ) -> DiaryEntry:
        """Record an incident in the victim's words; ``written_at`` is captured now.

        With ``marker_type`` (e.g. ``blocked``) the entry also sets a dated marker at the same time.
        """
        who = actor or self.info["examiner"]
        if details.get("person"):
            self.people().named(details["person"])  # before anything is written
        entry = make_diary_entry(happened_at, what_happened, zone(self.info["timezone"]), written_by=who, **details)
        self._write_record(entry, who)
        if marker_type:
            self.add_marker(marker_type, happened_at, person=entry.person, platform=marker_platform, account=marker_account,
                            note=what_happened, source=f"diary:{entry.entry_id}", actor=who)
        return entry

    def diary_edit(self, entry_id: str, *, actor: str | None = None, **changes: str) -> DiaryEntry:
        """A new version of an entry; the earlier versions stay in the case and in custody."""
        who = actor or self.info["examiner"]
        current = self._latest("diary").get(entry_id)
        if current is None or not isinstance(current.record, DiaryEntry):
            raise RecordError(f"there is no diary entry {entry_id!r}",
                              hint=f"List entries with 'cyberevidence diary list {self.root}'.")
        entry = edit_diary_entry(current.record, current.sha256, zone(self.info["timezone"]), who, **changes)
        self._write_record(entry, who)
        return entry

    def diary(self) -> list[DiaryEntry]:
        """The latest version of each diary entry, in the order they happened."""
        entries = [r.record for r in self._latest("diary").values() if isinstance(r.record, DiaryEntry)]
        return sorted(entries, key=lambda e: (e.happened_at_utc, e.entry_id))

    def diary_history(self, entry_id: str) -> list[StoredRecord]:
        """Every version of one entry, oldest first, with the SHA-256 of each stored version."""
        return [r for r in self._records("diary") if isinstance(r.record, DiaryEntry) and r.record.entry_id == entry_id]

    def diary_import_csv(self, path: str | Path, *, actor: str | None = None) -> tuple[int, int]:
        """Import a spreadsheet diary: (entries added, entries edited). Unchanged rows are skipped."""
        added = edited = 0
        current = {e.entry_id: e for e in self.diary()}
        for line, row in read_diary_csv(Path(path)):
            fields = {k: row.get(k, "") for k in EDITABLE if k != "happened_at" and k != "what_happened"}
            fields = {k: v for k, v in fields.items() if v}
            known = current.get(row.get("entry_id", ""))
            try:
                if known is None:
                    self.diary_add(row["happened_at"], row["what_happened"], actor=actor, **fields)
                    added += 1
                else:
                    changes = {k: row[k] for k in EDITABLE if k in row and row[k] != getattr(known, k)}
                    if changes:
                        self.diary_edit(known.entry_id, actor=actor, **changes)
                        edited += 1
            except RecordError as exc:
                raise RecordError(f"{Path(path).name} line {line}: {exc}") from None
        return added, edited

    def add_marker(
        self, marker_type: str, at: str, *, person: str = "", platform: str = "", account: str = "", note: str = "",
        source: str = "api", actor: str | None = None,
    ) -> Marker:
        """A dated boundary: stop_request, blocked, police_warning, report_made, order_served, court_date, other."""
        who = actor or self.info["examiner"]
        if person:
            self.people().named(person)  # UnknownPersonError, with a did-you-mean
        marker = make_marker(marker_type, at, zone(self.info["timezone"]), recorded_by=who, source=source, person=person,
                             platform=platform, account=account, note=note)
        self._write_record(marker, who)
        return marker

    def markers(self) -> list[Marker]:
        """The latest version of each marker, in time order."""
        found = [r.record for r in self._latest("marker").values() if isinstance(r.record, Marker)]
        return sorted(found, key=lambda m: (m.at_utc, m.marker_id))

    # ------------------------------------------------------------------ reading
    def manifest(self) -> dict[str, Any]:
        """The manifest as it would be written now (not written)."""
        self._require_index()
        return build_manifest(self.info, self.index, self.store, self.custody.head(), __version__, limitations_for_manifest(self))

    def timeline(
        self,
        *,
        person: str | None = None,
        since: str | None = None,
        until: str | None = None,
        platforms: Sequence[str] = (),
        kinds: Sequence[str] = (),
        record_contains: Sequence[str] = (),
    ) -> Iterator[Event]:
        """Events across all sources in time order, with ``person`` and ``direction`` resolved.

        ``since``/``until`` are dates or times read by :func:`cyberevidence.dateargs.parse_instant`
        (a bare date or a time without offset is in the case's timezone; ``until`` is exclusive);
        events are compared with them as instants. A bad date raises
        :class:`~cyberevidence.dateargs.DateArgumentError`, a ``person`` the people file does not
        list :class:`~cyberevidence.people.UnknownPersonError`, both before anything is read.
        ``record_contains``: only events whose stored record holds one of these strings (ASCII
        letters in any case), a prefilter for a reader that needs no other event.
        """
        self._require_index()
        people = self.people()
        if person:
            people.named(person)
        tz = zone(self.info["timezone"])
        lo, hi = _bound("since", since, tz), _bound("until", until, tz)
        exact = bool(lo and lo.microsecond) or bool(hi and hi.microsecond)
        sql_until = index_bound(hi + timedelta(seconds=1) if hi.microsecond else hi) if hi else ""
        resolver = Resolver(people, self.index.threads())
        superseded = self._superseded_records()
        for ev in self.index.iter_events(since=index_bound(lo) if lo else "", until=sql_until, platforms=platforms,
                                         record_contains=record_contains):
            if exact and (ev.timestamp is None or (lo and ev.timestamp < lo) or (hi and ev.timestamp >= hi)):
                continue
            if kinds and ev.kind not in kinds:
                continue
            if superseded and ev.source.sha256 in superseded:
                continue
            resolver.resolve(ev)
            if person and ev.person != person:
                continue
            yield ev

    def contacts(self, by: Period = "day", *, person: str | None = None) -> list[ContactRow]:
        """Contact counts per person, period (in the case's timezone) and platform.

        Counted by SQLite over the index (:func:`contact_frequency_indexed`): the same rows as
        ``contact_frequency(self.timeline(person=person), ...)``, which counts instead where the
        index holds a timestamp the SQL count does not take.
        """
        tz = zone(self.info["timezone"])
        self._require_index()
        people = self.people()
        if person:
            people.named(person)
        resolver = Resolver(people, self.index.threads())
        superseded = self._superseded_records()
        rows = contact_frequency_indexed(self.index, resolver, by, tz, person=person, superseded=superseded)
        return contact_frequency(self.timeline(person=person), by, tz) if rows is None else rows

    def _marker_stops(self) -> dict[str, tuple[str, ...]]:
        """Boundary markers (stop request, block, warning, order) as stop dates per person."""
        subjects = [p.name for p in self.people().persons if p.role == "subject"]
        stops: dict[str, tuple[str, ...]] = {}
        for m in self.markers():
            if m.marker_type in BOUNDARY_TYPES:
                for name in [m.person] if m.person else subjects:
                    stops[name] = (*stops.get(name, ()), m.at_utc)
        return stops

    def conduct(self, options: ConductOptions | None = None) -> list[ConductSummary]:
        """The course-of-conduct summary for each subject in the people file (see analysis.conduct).

        Stop dates come from the people file, from boundary markers, and from ``options``.
        """
        opts = replace(options or ConductOptions(), marker_dates=self._marker_stops())
        self._require_index()
        people, tz = self.people(), zone(self.info["timezone"])
        resolver = Resolver(people, self.index.threads())
        found = course_of_conduct_indexed(self.index, resolver, people, tz, opts, superseded=self._superseded_records())
        return course_of_conduct(self.timeline(), people, tz, opts) if found is None else found

    def marker_effects(self) -> list[MarkerEffect]:
        """Contacts before and after each marker, and potential breaches after boundaries."""
        self._require_index()
        people = self.people()
        subjects = [p.name for p in people.persons if p.role == "subject"]
        markers, suggestions = self.markers(), self.suggestions()
        found = marker_effects_indexed(self.index, Resolver(people, self.index.threads()), markers, subjects, suggestions,
                                       superseded=self._superseded_records())
        return marker_effects(markers, self.timeline(), subjects, suggestions) if found is None else found

    def identities(self) -> list[IdentityLink]:
        """Every account seen in the case that a certain rule links to a person, with the rule."""
        self._require_index()
        return link_handles(self.people(), self.index.first_seen().keys())

    def suggestions(self) -> list[IdentitySuggestion]:
        """Probable links (same display name, same last digits, new account after a stop), never applied."""
        self._require_index()
        return suggest(
            self.people(), self.index.first_seen(), self.info["timezone"], self._marker_stops(), self.index.contact_names()
        )

    def accept_suggestion(self, suggestion_id: str, actor: str | None = None) -> People:
        """Add a suggested handle to its person: a new people file, stored and logged with the evidence."""
        found = next((s for s in self.suggestions() if s.id == suggestion_id), None)
        if found is None:
            raise CyberEvidenceError(
                f"no current suggestion has the id {suggestion_id!r}",
                hint="List the current suggestions and use one of their ids.",
            )
        current = self.people()
        handle = f"{found.platform}:{found.handle}"
        persons = [
            Person(p.name, p.role, p.phones, p.emails, (*p.handles, handle), p.stop_dates) if p.name == found.person else p
            for p in current.persons
        ]
        header = f"Accepted suggestion {found.id}: {handle} is {found.person}. Evidence: {found.evidence}"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"people-accepted-{found.id}.toml"
            path.write_text(people_to_toml(People(persons, current.region), header), encoding="utf-8")
            return self.load_people(path, actor=actor)

    def _images(self) -> list[tuple[str, list[str], Path]]:
        return [
            (row["sha256"], sorted({p["path_in_parent"] or p["original_name"] for p in self.index.provenance(row["sha256"])}),
             self.store.path_for(row["sha256"]))
            for row in self.index.artefacts()
            if str(row["media_type"]).startswith("image/")
        ]

    def places(self) -> list[Place]:
        """Photos in the case with GPS positions, linked to the events that carry them.

        A place whose photo the victim sent is a safety finding (``Place.sent_by_victim``).
        """
        return find_places(self._images(), self.timeline(kinds=()))

    def near_duplicate_images(self, max_distance: int = DEFAULT_MAX_DISTANCE) -> tuple[list[NearDuplicate], list[str]]:
        """Suggested near-duplicate pictures (re-encoded or resized copies), with their distance. Never merged."""
        return near_duplicates(self._images(), max_distance)

    def links(self, *, person: str | None = None) -> Iterator[LinkSeen]:
        """Every URL in the case's messages, with its registered domain and any curated flag."""
        return find_links(self.timeline(person=person, record_contains=URL_HINTS))

    def hour_weekday(self, *, person: str = "", direction: str = "incoming") -> HourWeekdayMatrix:
        """Contacts per local weekday and hour (7 x 24), for the heat map."""
        self._require_index()
        people, tz = self.people(), zone(self.info["timezone"])
        if person:
            people.named(person)
        resolver = Resolver(people, self.index.threads())
        found = hour_weekday_indexed(self.index, resolver, tz, person=person, direction=direction,
                                     superseded=self._superseded_records())
        return hour_weekday_matrix(self.timeline(person=person or None), tz, person=person,
                                   direction=direction) if found is None else found

    def timeline_frame(
        self,
        *,
        person: str | None = None,
        since: str | None = None,
        until: str | None = None,
        platforms: Sequence[str] = (),
        kinds: Sequence[str] = (),
    ) -> Any:
        """:meth:`timeline` (same filters) as a ``pandas.DataFrame`` with real dtypes (docs/events.md, "DataFrame").

        Needs the optional extra ``pandas``; without it raises
        :class:`~cyberevidence.exporters.optional.MissingExtraError` before reading anything.
        """
        from cyberevidence.exporters.frame import timeline_frame
        from cyberevidence.exporters.optional import require

        require("pandas", "pandas", "A timeline DataFrame")
        return timeline_frame(self.timeline(person=person, since=since, until=until, platforms=platforms, kinds=kinds))

    def warnings(self) -> list[CaseWarning]:
        """Every warning the parsers and the ingest gave, in the order they were recorded, as typed records."""
        self._require_index()
        return [CaseWarning.from_row(r) for r in self.index.warnings()]

    def verify(self, *, trusted_keys: Sequence[str] = ()) -> VerifyReport:
        """Re-hash every stored file, re-check custody, the index, the manifest and the seals. Never raises."""
        return verify_case(self.root, trusted_keys=trusted_keys)


def _created_settings(custody: CustodyLog) -> dict[str, Any]:
    """The settings custody's ``create`` entry records: they, not an edited ``case.json``, are in force.

    (``verify`` names any difference; a damaged first line leaves ``case.json``'s settings.)
    """
    for _n, raw in custody.iter_raw():
        try:
            first = parse_entry(raw)
        except MalformedEntryError:
            return {}
        if first["action"] != "create" or first["seq"] != 0:
            return {}
        return {k: first["details"][k] for k in CASE_SETTINGS if k in first["details"]}
    return {}


def _stat_key(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _bound(name: str, value: str | None, tz: ZoneInfo) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_instant(value, tz)
    except DateArgumentError as exc:
        raise DateArgumentError(f"{name}: {exc}", hint=exc.hint) from None


def _plain(exc: CyberEvidenceError) -> str:
    return f"{exc} {exc.hint}".strip()
