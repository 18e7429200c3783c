"""Acquire, detect and parse: the write path of ``Case.add``.

Order of work for each input, chosen so that a ``kill -9`` anywhere leaves a case that
verifies and a re-run that finishes the job without duplicates:

1. copy into the store while hashing (temp file, fsync, re-hash the copy, rename);
2. append the ``acquire`` custody entry (skipped if this exact path and digest is logged);
3. index the artefact; detect its parser by content;
4. parse inside one index transaction (derived members are stored and logged as they come);
5. append the ``parse`` custody entry, which marks the work done.
"""

from __future__ import annotations

import enum
import itertools
import os
import platform
import posixpath
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cyberevidence._version import __version__
from cyberevidence.archive import ArchiveLimits, archive_scope
from cyberevidence.detect import Diagnosis, Problem, detect, diagnose, media_type_of
from cyberevidence.errors import (
    CyberEvidenceError,
    DamagedArchiveError,
    InputNotFoundError,
    ParseError,
    Setting,
    SpecialFileError,
    UnsafeArchiveError,
)
from cyberevidence.events import Event, ParseWarning, make_event_id
from cyberevidence.hashing.digests import open_readonly
from cyberevidence.intel.photos import read_photo_file
from cyberevidence.parsers import ParserRegistry
from cyberevidence.parsers.base import DerivedRef, ParseOptions, ParserInfo, SourceFile
from cyberevidence.parsers.kit.warncap import WarningCap, capped
from cyberevidence.plausibility import PLAUSIBILITY_CODES, PlausibilityCheck, checked
from cyberevidence.runner_up import Reading, Switch, find_switch
from cyberevidence.store.conversations import ConversationMatcher
from cyberevidence.store.idfilter import SeenIds
from cyberevidence.store.index_digest import digests_of
from cyberevidence.store.state import options_key

if TYPE_CHECKING:
    from cyberevidence.case import Case
    from cyberevidence.store.index import Index


#: What was done with a database's write-ahead log is stated in the parse entry itself (docs/formats).
WAL_CODES = ("wal_applied", "wal_frames_not_applied", "wal_not_applied")


class FolderSiblings(Mapping[str, SourceFile]):
    """The files acquired with a source in the same ``add`` (the folder tree it was given in).

    Parsers look files up by the path the export uses: relative to the source's own folder
    (``photos/photo_1.jpg`` beside Telegram's ``result.json``, ``IMG-...jpg`` beside a WhatsApp
    ``.txt``) or relative to the folder that was added (Facebook's ``messages/inbox/.../1.jpg``).
    Absolute paths and ``..`` never resolve. Iterating lists the files under the source's folder.

    Every file a parser looks at is noted in ``used`` (key -> SHA-256); the parse entry in custody
    lists them as ``siblings_used``, so a rebuild offers the parser exactly the same files.
    """

    def __init__(self, files: Mapping[str, SourceFile], own: str) -> None:
        self._files = files
        self._own = own
        self._dir = posixpath.dirname(own)
        self.used: dict[str, str] = {}

    def _resolve(self, key: str) -> SourceFile | None:
        norm = posixpath.normpath(key.replace("\\", "/"))
        if norm.startswith(("/", "../")) or norm in ("..", "."):
            return None
        for rel in (posixpath.join(self._dir, norm) if self._dir else norm, norm):
            if rel != self._own and rel in self._files:
                return self._files[rel]
        return None

    @property
    def own_path(self) -> str:
        """The source's own path relative to the folder that was added (``chat/result.json``).

        For a parser that must find a file elsewhere in the export's layout (Discord's
        ``account/user.json`` two folders above ``messages/c<id>/messages.json``): it looks that
        file up by its path relative to the added folder, so only files acquired in this ``add``
        are ever offered, and ``..`` still never resolves.
        """
        return self._own

    def __getitem__(self, key: str) -> SourceFile:
        found = self._resolve(key)
        if found is None:
            raise KeyError(key)
        self.used[key] = found.sha256
        return found

    def __iter__(self) -> Iterator[str]:
        prefix = self._dir + "/" if self._dir else ""
        for rel in self._files:
            if rel != self._own and rel.startswith(prefix):
                yield rel[len(prefix) :]

    def __len__(self) -> int:
        return sum(1 for _ in self)

@dataclass(frozen=True, slots=True)
class Progress:
    """A progress report: ``stage`` is ``hash`` or ``parse``; ``total`` is 0 when unknown."""

    stage: str
    name: str
    done: int
    total: int


ProgressFn = Callable[[Progress], None]


@dataclass
class FileOutcome:
    """What happened to one input file, for the summary an advocate reads.

    ``problem`` says why a preserved file was not read (encrypted, damaged, refused as unsafe); then
    ``error`` says what is wrong and what to do, and ``readable`` what could still be read from it.
    """

    original_path: str
    sha256: str
    parser: str = ""
    events: int = 0
    warnings: int = 0
    skipped: str = ""
    error: str = ""
    problem: Problem | None = None
    readable: str = ""
    #: The choice that would let the file be read (e.g. the date order), if one would.
    setting: Setting | None = None


class SkipReason(enum.Enum):
    """Why an entry inside an added folder was not acquired (``kind`` in the ``not_acquired`` custody entry)."""

    SYMLINK = "symbolic link"
    FIFO = "FIFO (named pipe)"
    SOCKET = "socket"
    CHAR_DEVICE = "character device"
    BLOCK_DEVICE = "block device"
    UNREADABLE = "cannot be read"
    OTHER = "not a regular file"


_SKIP_WHY = {
    SkipReason.SYMLINK: "a link to another place; the link is not followed, so what it points to is not kept",
    SkipReason.FIFO: "not opened: reading a pipe could wait for ever; it holds no stored data",
    SkipReason.SOCKET: "not opened: a socket holds no stored data",
    SkipReason.CHAR_DEVICE: "not opened: a device is not an exported file",
    SkipReason.BLOCK_DEVICE: "not opened: a device is not an exported file (image it with a forensic tool instead)",
    SkipReason.OTHER: "not opened: only regular files are kept",
}


@dataclass(frozen=True, slots=True)
class SkippedInput:
    """An entry in an added folder that was not acquired, and why (listed by ``add`` and kept in custody)."""

    path: str
    kind: SkipReason
    reason: str
    link_target: str = ""

    def to_json(self) -> dict[str, str]:
        d = {"path": self.path, "kind": self.kind.value, "reason": self.reason}
        return {**d, "link_target": self.link_target} if self.link_target else d


@dataclass
class AddReport:
    files: list[FileOutcome] = field(default_factory=list)
    #: Entries in added folders that were not acquired: links, FIFOs, sockets, devices, unreadable folders.
    skipped: list[SkippedInput] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(f.events for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def errors(self) -> list[FileOutcome]:
        return [f for f in self.files if f.error]


def host_details() -> dict[str, str]:
    return {
        "host": platform.node(),
        "tool": f"cyberevidence {__version__}",
        "python": platform.python_version(),
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else "",
    }


def iso_mtime(st: os.stat_result) -> str:
    return datetime.fromtimestamp(st.st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _kind(mode: int) -> SkipReason | None:
    """``None`` for a regular file or folder; else what the entry is."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return SkipReason.SYMLINK
    if stat.S_ISFIFO(mode):
        return SkipReason.FIFO
    if stat.S_ISSOCK(mode):
        return SkipReason.SOCKET
    if stat.S_ISCHR(mode):
        return SkipReason.CHAR_DEVICE
    if stat.S_ISBLK(mode):
        return SkipReason.BLOCK_DEVICE
    return SkipReason.OTHER


def _skipped(path: Path, kind: SkipReason, why: str = "") -> SkippedInput:
    target = ""
    if kind is SkipReason.SYMLINK:
        try:
            target = os.readlink(path)[:4096]
        except OSError:
            target = ""
    return SkippedInput(str(path), kind, why or _SKIP_WHY[kind], target)


def expand_inputs(paths: list[Path], skipped: list[SkippedInput] | None = None) -> Iterator[tuple[Path, Path]]:
    """Each file to acquire with the root of its batch: the folder that was given, or a file's own
    folder. Files of one batch are offered to each other's parsers.

    Nothing is followed or opened here: every entry is looked at with ``lstat``. A link, FIFO, socket
    or device given directly is refused with :class:`~cyberevidence.errors.SpecialFileError`; one
    inside a given folder, or a sub-folder that cannot be read, is appended to ``skipped``.
    """
    for p in paths:
        try:
            mode = os.lstat(p).st_mode
        except FileNotFoundError:
            raise InputNotFoundError(f"{p}: no such file or folder") from None
        except OSError as exc:
            raise InputNotFoundError(f"{p}: cannot be read ({exc.strerror})") from None
        kind = _kind(mode)
        if kind is SkipReason.SYMLINK:
            raise SpecialFileError(f"{p}: is a symbolic link; give the real file instead")
        if kind is not None:
            raise SpecialFileError(f"{p}: is a {kind.value}, not a regular file or folder; it was not opened")
        if stat.S_ISREG(mode):
            yield p, p.parent
            continue
        yield from ((f, p) for f in _walk(p, skipped))


def _walk(top: Path, skipped: list[SkippedInput] | None) -> Iterator[Path]:
    """Regular files under ``top``, a folder's own files (sorted) before its sub-folders (sorted), never
    following links; the rest go to ``skipped``. Iterative, so a folder nested very deep cannot overflow."""

    def skip(item: SkippedInput) -> None:
        if skipped is not None:
            skipped.append(item)

    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skip(_skipped(folder, SkipReason.UNREADABLE, f"folder not read: {exc.strerror}"))
            continue
        folders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                skip(_skipped(path, SkipReason.UNREADABLE, f"not read: {exc.strerror}"))
                continue
            kind = _kind(mode)
            if kind is not None:
                skip(_skipped(path, kind))
            elif stat.S_ISDIR(mode):
                folders.append(path)
            else:
                yield path
        stack.extend(reversed(folders))


class _ProgressReader:
    def __init__(self, raw: BinaryIO, progress: ProgressFn | None, name: str, total: int) -> None:
        self.raw, self.progress, self.name, self.total, self.done = raw, progress, name, total, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.done += len(data)
        if self.progress:
            self.progress(Progress("hash", self.name, self.done, self.total))
        return data


class CaseParseContext:
    """The :class:`ParseContext` a case gives parsers: derived members are stored and logged."""

    def __init__(self, ingest: Ingest, options: ParseOptions, parser: str) -> None:
        self.ingest = ingest
        self.options = options
        self.parser = parser
        #: Derived pictures whose EXIF states a GPS position: parsed as photos after the parent,
        #: so a position in a photo inside a chat export is an event on the timeline too.
        self.gps_photos: dict[str, SourceFile] = {}

    def derive(self, stream: BinaryIO, *, parent: SourceFile, path_in_parent: str) -> DerivedRef:
        case = self.ingest.case
        stored = case.store.put_stream(stream, case.info["hash_algorithms"])
        media = media_type_of(stored.readable)
        key = (parent.sha256, path_in_parent, stored.sha256)
        if key not in self.ingest.state.derived:
            details = {
                "parent_sha256": parent.sha256,
                "path_in_parent": path_in_parent,
                "size": stored.size,
                "media_type": media,
                "digests": stored.digests,
                "parser": self.parser,
                "original_name": Path(path_in_parent).name,
            }
            entry = case.custody.append(self.ingest.actor, "derive", stored.sha256, details)
            self.ingest.state.derived.add(key)
            seq, when = entry.seq, entry.time
        else:
            seq, when = -1, ""
        case.store.commit(stored)  # logged now (or earlier): it may enter the store
        case.index.add_artefact(stored.sha256, stored.size, media, stored.digests)
        if seq >= 0:
            case.index.add_provenance(
                stored.sha256,
                "derive",
                {"parent_sha256": parent.sha256, "path_in_parent": path_in_parent, "original_name": Path(path_in_parent).name},
                acquired_at=when,
                actor=self.ingest.actor,
                custody_seq=seq,
            )
        if media.startswith("image/") and stored.sha256 not in self.gps_photos:
            facts = read_photo_file(stored.path)
            if facts is not None and facts.has_gps and facts.taken_local:
                self.gps_photos[stored.sha256] = SourceFile(
                    stored.path, stored.sha256, Path(path_in_parent).name, stored.size, media
                )
        return DerivedRef(stored.sha256, stored.size, media)


class IndexedIdAssigner:
    """Event ids as :class:`~cyberevidence.events.EventIdAssigner` gives them, in bounded memory.

    The occurrence number of an identical event is found by asking the index whether this source
    already gave that id (the source's earlier events are cleared before a parse), plus a small
    set for the batch not yet written. The index is asked only when :class:`.SeenIds`, which holds
    every id of the batches already written, says "maybe": its "no" is certain, so the ids are
    exactly those of one query per event. Memory stays flat however many events a source holds.
    """

    def __init__(self, index: Index, sha256: str) -> None:
        self._index = index
        self._sha = sha256
        self._pending: set[str] = set()
        self._written = SeenIds()
        #: Ids held back by the conversation matcher: used by this source, not yet in the index.
        self.held: set[str] = set()

    def assign(self, event: Event) -> Event:
        digest = event.fingerprint_digest()
        n = 0
        while True:
            event_id = make_event_id(digest, n)
            if (
                event_id not in self._pending
                and event_id not in self.held
                and not (self._written.maybe(event_id) and self._index.has_event_source(event_id, self._sha))
            ):
                break
            n += 1
        self._pending.add(event_id)
        event.event_id = event_id
        return event

    def flushed(self, written: Iterable[Event]) -> None:
        """The pending batch is now in the index, as the events ``written``."""
        self._written.add_all(ev.event_id for ev in written)
        self._pending.clear()


class Ingest:
    """One ``add`` run over a set of inputs. The caller holds the case lock."""

    def __init__(self, case: Case, registry: ParserRegistry, actor: str, progress: ProgressFn | None) -> None:
        from cyberevidence.store.state import CustodyState

        self.case = case
        self.registry = registry
        self.actor = actor
        self.progress = progress
        self.state = CustodyState.load(case.custody)
        self._failed: dict[str, str] | None = None  # sha256 -> error of its latest parse_failed (read when needed)
        self._not_acquired: set[tuple[str, str]] | None = None  # (path, kind) already logged as not acquired

    def _logged_failures(self) -> dict[str, str]:
        if self._failed is None:
            self._failed = {}
            for e in self.case.custody.entries():
                if e.action == "parse_failed" and e.subject:
                    self._failed[e.subject] = str(e.details.get("error", ""))
                elif e.action == "parse":
                    self._failed.pop(e.subject, None)
        return self._failed

    def _log_failure(self, sha256: str, details: dict[str, object]) -> None:
        """A ``parse_failed`` entry, unless the latest one for this artefact already says the same (a re-run)."""
        logged = self._logged_failures()
        if logged.get(sha256) == details["error"]:
            return
        self.case.custody.append(self.actor, "parse_failed", sha256, {**details, **host_details()})
        logged[sha256] = str(details["error"])

    def failed(self, source: SourceFile, exc: CyberEvidenceError, limits: ArchiveLimits | None = None) -> FileOutcome:
        """Log and report a file whose parser stopped with ``exc``: damaged, encrypted or refused when the file
        says so (then with what could still be read from it), else a parse failure."""
        if isinstance(exc, DamagedArchiveError):
            problem = Problem.DAMAGED
        elif isinstance(exc, UnsafeArchiveError):
            problem = Problem.UNSAFE
        else:
            problem = Problem.PARSE_FAILED
        found = diagnose(source, limits)
        readable = ""
        if found is not None and found.problem in (Problem.DAMAGED, Problem.ENCRYPTED):
            problem, readable = found.problem, found.readable
        message = str(exc).replace(str(source.path), source.name)  # the original's name, not the store path
        details: dict[str, object] = {"error": message, "problem": problem.value}
        if readable:
            details["readable"] = readable
        self._log_failure(source.sha256, details)
        return FileOutcome(source.name, source.sha256, error=f"{message} {exc.hint}".strip(), problem=problem, readable=readable,
                           setting=exc.setting)

    def _diagnosed(self, source: SourceFile, outcome: FileOutcome, found_reason: str, diagnosis: Diagnosis) -> FileOutcome:
        """A file no parser read because of what is wrong with it: said in the outcome and in custody."""
        self._log_failure(
            source.sha256,
            {
                "error": diagnosis.message,
                "problem": diagnosis.problem.value,
                "readable": diagnosis.readable,
                "what_to_do": diagnosis.hint,
                "detection": found_reason,
            },
        )
        outcome.problem = diagnosis.problem
        outcome.error = f"{diagnosis.message} {diagnosis.hint}"
        outcome.readable = diagnosis.readable
        return outcome

    def log_skipped(self, skipped: list[SkippedInput]) -> None:
        """One ``not_acquired`` custody entry listing folder entries not acquired (those not logged before)."""
        if not skipped:
            return
        if self._not_acquired is None:
            self._not_acquired = {
                (str(item.get("path", "")), str(item.get("kind", "")))
                for e in self.case.custody.entries()
                if e.action == "not_acquired"
                for item in e.details.get("skipped", [])
                if isinstance(item, dict)
            }
        new = [s for s in skipped if (s.path, s.kind.value) not in self._not_acquired]
        if not new:
            return
        self.case.custody.append(self.actor, "not_acquired", "", {"skipped": [s.to_json() for s in new], **host_details()})
        self._not_acquired.update((s.path, s.kind.value) for s in new)

    def acquire(self, original: Path, note: str) -> SourceFile:
        """Copy and hash one original into the store; log it once."""
        case = self.case
        before = original.stat()
        with open_readonly(original) as raw:
            stored = case.store.put_stream(
                _ProgressReader(raw, self.progress, original.name, before.st_size),  # type: ignore[arg-type]
                case.info["hash_algorithms"],
            )
        after = original.stat()
        unchanged = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) == (stored.size, after.st_mtime_ns)
        media = media_type_of(stored.readable)
        abs_path = str(original.resolve())
        key = (stored.sha256, abs_path)
        if key not in self.state.acquired:
            details = {
                "original_name": original.name,
                "original_path": abs_path,
                "original_size": before.st_size,
                "original_mtime": iso_mtime(before),
                "original_mtime_ns": str(before.st_mtime_ns),
                "digests": stored.digests,
                "stored_copy_verified": True,
                "source_unchanged_during_copy": unchanged,
                "media_type": media,
                "note": note,
                **host_details(),
            }
            entry = case.custody.append(self.actor, "acquire", stored.sha256, details)
            self.state.acquired.add(key)
            case.store.commit(stored)
            with case.index.transaction():
                case.index.add_artefact(stored.sha256, stored.size, media, stored.digests)
                case.index.add_provenance(
                    stored.sha256, "acquire", details, acquired_at=entry.time, actor=self.actor, custody_seq=entry.seq
                )
        else:
            case.store.commit(stored)  # logged by an earlier run
            with case.index.transaction():
                case.index.add_artefact(stored.sha256, stored.size, media, stored.digests)
        if not unchanged:
            raise ParseError(
                "the file changed while it was being copied; the copy kept is what was read",
                file=original,
                hint="Close any program using the file and add it again.",
            )
        return SourceFile(path=stored.path, sha256=stored.sha256, name=original.name, size=stored.size, media_type=media)

    def parse(
        self,
        source: SourceFile,
        options: ParseOptions,
        forced: str | None,
        *,
        log: bool = True,
        switched: Mapping[str, object] | None = None,
    ) -> FileOutcome:
        """Parse one stored artefact into the index; ``log=False`` replays a logged parse (rebuild), and
        ``switched`` is that parse's ``detection_switch`` (its warning is given again)."""
        case = self.case
        found = detect(source, self.registry, forced)
        outcome = FileOutcome(original_path=source.name, sha256=source.sha256)
        if found.parser is None:
            diagnosis = diagnose(source, options.archive_limits) if log else None
            if diagnosis is not None:
                return self._diagnosed(source, outcome, found.reason, diagnosis)
            outcome.skipped = "stored as evidence; no parser reads this kind of file"
            return outcome
        info = found.parser
        opts = {
            "timezone": options.timezone.key,
            "timezone_assumed": str(options.timezone_assumed).lower(),
            "date_order": options.date_order or "",
            "format_forced": forced or "",
            **({"archive_limits": options.archive_limits.to_text()} if options.archive_limits != ArchiveLimits() else {}),
        }
        # A switched parse was logged under the runner-up's name: any candidate's name with these options is this parse.
        names = [info.name, *(c.parser for c in found.runners_up)]
        if log and self.state.parsed.get(source.sha256) in {options_key(n, opts) for n in names}:
            done = case.index.parses().get(source.sha256)
            if done is not None:
                outcome.parser = str(done["parser"])
                outcome.events, outcome.warnings = done["event_count"], done["warning_count"]
                outcome.skipped = "already parsed with the same options"
                return outcome
        replayed = Switch.from_json(switched) if switched else None
        with case.index.transaction():
            touched = case.index.clear_parse(source.sha256)
            run = self._stream(info, source, options, [replayed.warning(source.name)] if replayed else [])
            switch = None
            used = getattr(source.siblings, "used", None)  # the siblings each reading looked at (FolderSiblings)
            if not forced and run.reading.findings:
                kept = dict(used) if isinstance(used, dict) else {}
                runners = [self.registry.get(c.parser) for c in found.runners_up if c.parser in self.registry]
                switch = find_switch(run.reading, runners, source, options)
                if isinstance(used, dict):  # only the reading that is kept says which siblings it used
                    used.clear()
                    used.update({} if switch else kept)
            if switch is not None:
                touched |= case.index.clear_parse(source.sha256)  # forget the implausible reading
                info = self.registry.get(switch.adopted.parser)
                run = self._stream(info, source, options, [switch.warning(source.name)])
            warnings, events, conversations = run.warnings, run.events, run.conversations
            merged, merge_owners = case.index.reconcile(source.sha256)
            # A replayed parse (rebuild) has no custody entry of its own: its seq is -1.
            seq = case.custody.next_seq() if log else -1
            case.index.record_parse(source.sha256, info.name, opts, events, len(warnings), seq)
            details = {
                "parser": info.name,
                "detection": found.reason,
                "detection_candidates": found.candidates_json(),
                **({"detection_switch": switch.to_json()} if switch else {}),
                "options": opts,
                "events": events,
                "warnings": len(warnings),
                **({"warnings_not_stored": run.not_stored} if run.not_stored else {}),
                "merged_across_precision": merged,
                **({"conversation_match": matched} if (matched := conversations.report()) else {}),
                "siblings_used": dict(sorted(getattr(source.siblings, "used", {}).items())),
                "warning_codes": sorted({w.code for w in warnings}),
                "assumptions": [w.message for w in warnings if w.code in ("assumed_timezone", "date_order", "date_unit")],
                **({"write_ahead_logs": wal} if (wal := [w.message for w in warnings if w.code in WAL_CODES]) else {}),
                **host_details(),
            }
            if log:
                # The custody entry carries the digest of exactly the rows this parse left in the
                # index, for this artefact and any other whose rows it changed; the line itself is
                # kept in the same transaction, so an interruption before it reaches the log is
                # completed by the next writer (see ``Case._recover``).
                owners = touched | merge_owners | {source.sha256}
                details["index_digests"] = digests_of(case.index.db, owners)
                prepared = case.custody.prepare(self.actor, "parse", source.sha256, details)
                case.index.set_pending_custody(prepared.line)
        if log:
            case.custody.write(prepared)
            self.state.parsed[source.sha256] = options_key(info.name, opts)
        outcome.parser = info.name
        outcome.events, outcome.warnings = events, len(warnings)
        if log:  # a rebuild replays these from their own parse entries
            photo_parser = self.registry.photo_parser()  # the source that declares photo_facts
            for photo in run.ctx.gps_photos.values() if photo_parser else ():
                self.parse(photo, options, photo_parser)
        return outcome

    def _stream(self, info: ParserInfo, source: SourceFile, options: ParseOptions, first: list[ParseWarning]) -> _Run:
        """One reading of ``source`` by ``info`` into the open index transaction (``first`` warnings before its own),
        checked for plausibility as it streams."""
        case = self.case
        ctx = CaseParseContext(self, options, info.name)
        ids = IndexedIdAssigner(case.index, source.sha256)
        conversations = ConversationMatcher(case.index, source.sha256)
        ids.held = conversations.held
        warnings: list[ParseWarning] = []
        events = 0
        batch: list[Event] = []
        check = PlausibilityCheck(info.name, source.name, source.size)
        cap = WarningCap()
        with archive_scope(source.path, source.name):
            for item in capped(itertools.chain(first, checked(info.parse(source, ctx), check)), cap):
                if isinstance(item, ParseWarning):
                    warnings.append(item)
                    case.index.add_warning(source.sha256, info.name, item)
                    continue
                batch.extend(conversations.offer(ids.assign(item)))
                if len(batch) >= 2000:
                    events += case.index.add_events(batch)
                    ids.flushed(batch)
                    batch.clear()
                    if self.progress:
                        self.progress(Progress("parse", source.name, events, 0))
            batch.extend(conversations.finish())
            events += case.index.add_events(batch)
        findings = tuple(dict.fromkeys(w.code for w in warnings if w.code in PLAUSIBILITY_CODES))
        reading = Reading(info.name, events, len(warnings), findings)
        return _Run(ctx, conversations, warnings, events, reading, cap.not_stored)


@dataclass
class _Run:
    """One reading of a file into the index, before it is recorded."""

    ctx: CaseParseContext
    conversations: ConversationMatcher
    warnings: list[ParseWarning]
    events: int
    reading: Reading
    #: Warnings the host cap counted but did not store, by code.
    not_stored: int
