"""The seals: every ``seal`` custody entry's kept copy in ``seals/<seq>/``, and the seal files at the top.

For each ``seal`` entry, ``seals/<seq>/`` must hold exactly ``manifest.json``, ``manifest.json.sig``
and ``signer.pub.pem``, all regular files; the key must be one Ed25519 key whose fingerprint is
the one the entry records; the kept manifest's custody head must be that entry; the signature must
verify. ``manifest.json.sig`` and ``signer.pub.pem`` at the top of the case, when present, must
verify over ``manifest.json`` and repeat the last kept seal; absent while ``manifest.json`` is
still the sealed manifest, they were removed. Anything else in ``seals/`` is a problem. Given
trusted keys (key files or fingerprints), the last seal must have been made with one of them.

Seal entries written before seals were kept (no ``public_key_sha256``) can only be checked while
their seal files are still at the top of the case.

Nothing here follows a symbolic link or opens anything but a regular file, and nothing raises.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cyberevidence.store.custody import MalformedEntryError, load_json_strict
from cyberevidence.store.manifest import MANIFEST
from cyberevidence.store.seal import (
    ARCHIVE_FILES,
    PUBLIC_KEY,
    SEALS,
    SIGNATURE,
    KeyFormatError,
    archive_dir,
    crypto_available,
    is_fingerprint,
    key_fingerprint,
    normalise_fingerprint,
    partial_seq,
    public_key_der,
    verify_der,
)
from cyberevidence.store.verify.chain import ChainFacts
from cyberevidence.store.verify.files import kind_of
from cyberevidence.store.verify.report import SealSeen, VerifyReport

#: A key or signature file larger than this is not one (an Ed25519 public key PEM is 113 bytes).
_SMALL_FILE = 64 * 1024
_SEQ_NAME = re.compile(r"0|[1-9][0-9]*")
_ARCHIVED_MANIFEST, _, _ = ARCHIVE_FILES
_INSTALL = "pip install 'cyberevidence[signing]'"


class UnreadableError(Exception):
    """A file that cannot be used; the message says why, in plain words."""


def read_regular(path: Path, *, follow: bool = False, limit: int | None = None) -> tuple[bytes, int]:
    """The bytes and mode of a regular file, opened without blocking (and without following a link
    unless ``follow``); raises :class:`UnreadableError` for anything else."""
    try:
        st = os.stat(path, follow_symlinks=follow)
    except FileNotFoundError:
        raise UnreadableError("missing") from None
    except OSError as exc:
        raise UnreadableError(f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableError(f"is {kind_of(st.st_mode)}, not a regular file")
    if limit is not None and st.st_size > limit:
        raise UnreadableError(f"is {st.st_size:,} bytes, far too large to be what it should be")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableError(f"cannot be read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableError(f"is {kind_of(st.st_mode)}, not a regular file")
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise UnreadableError(f"is more than {limit:,} bytes, far too large to be what it should be")
        return b"".join(chunks), st.st_mode
    except OSError as exc:
        raise UnreadableError(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class _Kept:
    """The three files of one seal, read."""

    manifest: bytes
    signature: bytes
    public_pem: bytes


@dataclass
class _Seal:
    entry: dict[str, Any]
    seen: SealSeen
    kept: _Kept | None = None

    @property
    def seq(self) -> int:
        return int(self.entry["seq"])


def check_seals(
    root: Path, chain: ChainFacts, manifest_raw: bytes, report: VerifyReport, trusted_keys: Sequence[str] = ()
) -> None:
    """Check every seal custody records (see the module text); findings and the outcome go into ``report``."""
    trusted = _trusted_fingerprints(trusted_keys, report) if trusted_keys else None
    crypto = crypto_available()
    seals_ok = _seals_folder_ok(root)
    entries = chain.of_action("seal")
    seal_seqs = {int(e["seq"]) for e in entries}
    if seals_ok:
        _unexplained_in_seals(root, seal_seqs, report)
    seals = [_check_kept(root, e, seals_ok, crypto, report) for e in entries]
    overall = _check_top_files(root, manifest_raw, seals, crypto, report)
    _note_unarchived(seals, report)
    if seals and not crypto:
        report.note(SEALS, f"the seals could not be checked: the optional 'cryptography' package is missing ({_INSTALL})")
    if trusted is not None:
        report.trusted_keys_checked = True
        seals = [_with(s, trusted=s.seen.fingerprint in trusted) for s in seals]
    report.seals = [s.seen for s in seals]
    report.seal_fingerprints = [s.seen.fingerprint for s in seals if s.seen.status == "valid"]
    report.signature = overall or _overall(seals)
    if trusted is not None:
        _judge_trust(seals, trusted, crypto, report)
    _note_after_last_seal(chain, seals, report)


def _with(seal: _Seal, **changes: Any) -> _Seal:
    return _Seal(seal.entry, replace(seal.seen, **changes), seal.kept)


# ---------------------------------------------------------------------------- trusted keys
def _trusted_fingerprints(items: Sequence[str | os.PathLike[str]], report: VerifyReport) -> set[str]:
    """Each item a public key file (PEM) or a fingerprint (64 hex digits; any case, colons allowed)."""
    found: set[str] = set()
    for item in items:
        text = os.fspath(item)
        fp = normalise_fingerprint(text)
        if fp is not None and not os.path.lexists(text):
            found.add(fp)
            continue
        where = f"trusted key {text!r}"
        try:
            data, _mode = read_regular(Path(text), follow=True, limit=_SMALL_FILE)
        except UnreadableError as exc:
            why = "the file is missing, and it is not a fingerprint (64 hex digits) either" if str(exc) == "missing" else str(exc)
            report.problem(where, f"cannot be used: {why}")
            continue
        except (ValueError, TypeError) as exc:  # an embedded NUL in the name and the like
            report.problem(where, f"cannot be used ({exc})")
            continue
        try:
            found.add(key_fingerprint(data))
        except KeyFormatError as exc:
            report.problem(where, f"cannot be used: the file {exc}")
    return found


def _judge_trust(seals: list[_Seal], trusted: set[str], crypto: bool, report: VerifyReport) -> None:
    if not seals:
        report.problem(SEALS, "not sealed by a trusted key: the case has never been sealed")
        return
    last = seals[-1]
    seen = last.seen
    where = f"{SEALS}/{last.seq}/"
    said = f"the last seal (custody seq {seen.seq}, by {seen.actor}, {seen.time})"
    if seen.status == "valid" and seen.fingerprint in trusted:
        return
    if seen.status == "valid":
        report.problem(
            where,
            f"not sealed by a trusted key: {said} was made with key {seen.fingerprint}, which is none of the trusted keys "
            "given (the case may have been rewritten and sealed again by someone else)",
        )
        report.signature = "untrusted"
    elif seen.status == "unchecked" or not crypto:
        report.problem(where, f"not confirmed as sealed by a trusted key: checking {said} needs the 'cryptography' package "
                       f"({_INSTALL})")
    else:
        report.problem(where, f"not sealed by a trusted key: {said} is {seen.status}, so it shows nothing")


# ---------------------------------------------------------------------------- seals/
def _seals_folder_ok(root: Path) -> bool:
    """``seals/`` is a real folder (anything else there is named by the check of the case's top level)."""
    try:
        return stat.S_ISDIR(os.lstat(root / SEALS).st_mode)
    except OSError:
        return False


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _unexplained_in_seals(root: Path, seal_seqs: set[int], report: VerifyReport) -> None:
    """Everything in ``seals/`` that is not the kept copy of a custody seal entry is named."""
    try:
        with os.scandir(root / SEALS) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        report.problem(f"{SEALS}/", f"cannot be read ({exc.strerror or exc})")
        return
    for entry in entries:
        name = entry.name
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if _SEQ_NAME.fullmatch(name) and int(name) in seal_seqs:
            continue  # checked with its entry
        partial = partial_seq(name)
        if partial is not None and stat.S_ISDIR(mode):
            if partial in seal_seqs and not os.path.lexists(archive_dir(root, partial)):
                continue  # named with its entry: an interrupted seal whose copy was not put in place
            report.note(f"{SEALS}/{name}", "left by an interrupted seal whose custody entry was never written "
                        "(not part of the case; the next command that writes to the case removes it)")
            continue
        report.problem(f"{SEALS}/{name}", f"is {kind_of(mode)} that is not the kept copy of any seal in the custody log")


def _check_kept(root: Path, entry: dict[str, Any], seals_ok: bool, crypto: bool, report: VerifyReport) -> _Seal:
    """One seal entry against its kept copy ``seals/<seq>/``."""
    seq, details = int(entry["seq"]), entry["details"]
    recorded = details.get("public_key_sha256")
    folder = archive_dir(root, seq)
    where = f"{SEALS}/{seq}/"
    seen = SealSeen(seq, str(entry["time"]), str(entry["actor"]), recorded if is_fingerprint(recorded) else "", "invalid")
    try:
        mode: int | None = os.lstat(folder).st_mode if seals_ok else None
    except OSError:
        mode = None
    if "public_key_sha256" not in details:
        if mode is None:
            return _Seal(entry, replace(seen, status="unarchived"))
        report.problem(where, f"is here, but the custody seal entry seq {seq} records no key fingerprint: this tool did not "
                       "write it")
        return _Seal(entry, seen)
    if not is_fingerprint(recorded):
        report.problem(f"custody seal entry seq {seq}", "its public_key_sha256 is not 64 lowercase hex digits")
        return _Seal(entry, seen)
    said = f"the seal of custody seq {seq} (by {seen.actor}, {seen.time})"
    staged = root / SEALS / f".{seq}.partial"
    if mode is None and seals_ok and _is_real_dir(staged):
        # Cut between logging the entry and the rename: the staged copy is checked where it is.
        report.note(where, f"{said} was interrupted before its copy was put in place; it is checked in "
                    f"seals/.{seq}.partial/, and the next command that writes to the case puts it in place")
        folder, where, mode = staged, f"{SEALS}/.{seq}.partial/", os.lstat(staged).st_mode
    if mode is None:
        report.problem(where, f"missing: {said} has no kept copy: it was removed")
        return _Seal(entry, replace(seen, status="missing"))
    if not stat.S_ISDIR(mode):
        report.problem(where, f"is {kind_of(mode)}, not a folder holding {said}")
        return _Seal(entry, seen)
    bad = _unexpected_in_archive(folder, where, report)
    files: dict[str, bytes] = {}
    for name in ARCHIVE_FILES:
        try:
            data, file_mode = read_regular(folder / name, limit=None if name == _ARCHIVED_MANIFEST else _SMALL_FILE)
        except UnreadableError as exc:
            report.problem(f"{where}{name}", str(exc))
            bad = True
            continue
        if file_mode & 0o222:
            report.note(f"{where}{name}", "is writable; kept seals should be read-only")
        files[name] = data
    if len(files) < len(ARCHIVE_FILES):
        return _Seal(entry, seen)
    kept = _Kept(files[_ARCHIVED_MANIFEST], files[SIGNATURE], files[PUBLIC_KEY])
    try:
        der: bytes | None = public_key_der(kept.public_pem)
    except KeyFormatError as exc:
        report.problem(f"{where}{PUBLIC_KEY}", str(exc))
        der, bad = None, True
    if der is not None and (actual := hashlib.sha256(der).hexdigest()) != recorded:
        report.problem(
            f"{where}{PUBLIC_KEY}",
            f"is key {actual}, but custody records that {said} was made with key {recorded}: the key was replaced",
        )
        bad = True
    head_problem = _head_problem(kept.manifest, seq, str(entry["hash"]))
    if head_problem:
        report.problem(f"{where}{_ARCHIVED_MANIFEST}", head_problem)
        bad = True
    if der is not None and crypto and not verify_der(kept.manifest, kept.signature, der):
        report.problem(f"{where}{SIGNATURE}", f"does not match {where}{_ARCHIVED_MANIFEST} and {where}{PUBLIC_KEY}")
        bad = True
    status = "invalid" if bad else ("valid" if crypto else "unchecked")
    return _Seal(entry, replace(seen, status=status), kept)


def _unexpected_in_archive(folder: Path, where: str, report: VerifyReport) -> bool:
    try:
        with os.scandir(folder) as it:
            names = sorted((e.name, e.stat(follow_symlinks=False).st_mode) for e in it)
    except OSError as exc:
        report.problem(where, f"cannot be read ({exc.strerror or exc})")
        return True
    extra = [(n, m) for n, m in names if n not in ARCHIVE_FILES]
    for name, mode in extra:
        report.problem(f"{where}{name}", f"is {kind_of(mode)} that is not part of a seal")
    return bool(extra)


def _head_of(manifest: bytes) -> tuple[int, str] | str | None:
    """A manifest's custody head as (seq, hash); None if malformed; a string naming why it is not JSON."""
    try:
        m = load_json_strict(manifest)
    except MalformedEntryError as exc:
        return str(exc)
    if not isinstance(m, dict):
        return f"is a JSON {type(m).__name__}, not an object"
    head = m.get("custody_head")
    if not isinstance(head, dict):
        return None
    seq, h = head.get("seq"), head.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(h, str):
        return None
    return seq, h


def _head_problem(manifest: bytes, seq: int, entry_hash: str) -> str:
    head = _head_of(manifest)
    if isinstance(head, str):
        return head
    if head != (seq, entry_hash):
        return f"its custody head is not the seal entry it is kept for (custody seq {seq}, hash {entry_hash[:16]}…)"
    return ""


# ---------------------------------------------------------------------------- the top of the case
def _check_top_files(root: Path, manifest_raw: bytes, seals: list[_Seal], crypto: bool, report: VerifyReport) -> str:
    """``manifest.json.sig`` and ``signer.pub.pem`` beside ``manifest.json``. Returns an overall status that
    overrides the seals' own ("" if none), and may complete the last seal if it predates kept seals."""
    sig_path, pub_path = root / SIGNATURE, root / PUBLIC_KEY
    present = os.path.lexists(sig_path) or os.path.lexists(pub_path)
    if not seals:
        if present:
            report.problem(SIGNATURE, "a seal is at the top of the case, but the custody log records no seal: "
                           "this tool did not make it for this case")
            return "invalid"
        return ""
    last = seals[-1]
    head = _head_of(manifest_raw)
    sealed_manifest = head == (last.seq, str(last.entry["hash"]))
    if not present:
        if not sealed_manifest:
            return ""  # a later write replaced the manifest and removed its seal files, as it should
        if last.kept is not None and last.kept.manifest != manifest_raw:
            report.note(MANIFEST, f"was regenerated after the seal of custody seq {last.seq}; that seal is kept in "
                        f"{SEALS}/{last.seq}/")
            return ""
        kept = f" (its kept copy in {SEALS}/{last.seq}/ is {last.seen.status})" if last.kept is not None else ""
        report.problem(
            SIGNATURE,
            f"missing: {MANIFEST} is the manifest sealed at custody seq {last.seq}, but its seal files "
            f"({SIGNATURE}, {PUBLIC_KEY}) were removed{kept}",
        )
        if last.seen.status == "unarchived":
            seals[-1] = _with(last, status="missing")
        return "missing"
    files: dict[str, bytes] = {}
    for name, path in ((SIGNATURE, sig_path), (PUBLIC_KEY, pub_path)):
        try:
            files[name], _mode = read_regular(path, limit=_SMALL_FILE)
        except UnreadableError as exc:
            report.problem(name, f"cannot be checked: {exc}")
    if len(files) < 2:
        return _invalid_last(seals)
    bad = False
    if not sealed_manifest:
        report.problem(SIGNATURE, f"does not belong to {MANIFEST}: its custody head is not the last seal "
                       f"(custody seq {last.seq})")
        bad = True
    try:
        der: bytes | None = public_key_der(files[PUBLIC_KEY])
    except KeyFormatError as exc:
        report.problem(PUBLIC_KEY, str(exc))
        der, bad = None, True
    if der is not None and crypto and not verify_der(manifest_raw, files[SIGNATURE], der):
        report.problem(SIGNATURE, f"does not match {MANIFEST} and {PUBLIC_KEY}")
        bad = True
    if last.kept is not None:
        if (last.kept.manifest, last.kept.signature, last.kept.public_pem) != (manifest_raw, files[SIGNATURE],
                                                                                files[PUBLIC_KEY]):
            report.problem(SIGNATURE, f"{MANIFEST}, {SIGNATURE} and {PUBLIC_KEY} differ from the kept copy of the last "
                           f"seal in {SEALS}/{last.seq}/")
            bad = True
        return _invalid_last(seals) if bad else ""
    if last.seen.status != "unarchived":
        # the last seal's kept copy is missing or damaged (named above): its status says so
        return _invalid_last(seals) if bad else ""
    fingerprint = hashlib.sha256(der).hexdigest() if der is not None else ""
    status = "invalid" if bad else ("valid" if crypto else "unchecked")
    seals[-1] = _with(last, status=status, fingerprint=fingerprint)
    return ""


def _invalid_last(seals: list[_Seal]) -> str:
    if seals[-1].seen.status in ("valid", "unchecked", "unarchived"):
        seals[-1] = _with(seals[-1], status="invalid")
    return "invalid"


def _note_unarchived(seals: list[_Seal], report: VerifyReport) -> None:
    old = [s.seq for s in seals if s.seen.status == "unarchived"]
    if old:
        which = ", ".join(map(str, old))
        report.note(
            f"custody seal seq {which}",
            "made before seals were kept in seals/ (an earlier version of this tool): it covered the case as it was then, "
            "and can no longer be checked",
        )


_RANK = {"invalid": 4, "missing": 3, "unchecked": 2, "valid": 1}


def _overall(seals: list[_Seal]) -> str:
    if not seals:
        return "absent"
    statuses = [s.seen.status for s in seals[:-1] if s.seen.status != "unarchived"]
    last = seals[-1].seen.status
    statuses.append("missing" if last == "unarchived" else last)
    return max(statuses, key=lambda s: _RANK.get(s, 0))


def _note_after_last_seal(chain: ChainFacts, seals: list[_Seal], report: VerifyReport) -> None:
    if not seals:
        return
    last = seals[-1].seq
    after = [str(e["action"]) for e in chain.entries if int(e["seq"]) > last]
    if not after:
        return
    counts = Counter(after)
    actions = ", ".join(f"{a} ×{n}" if n > 1 else a for a, n in counts.items())
    n = len(after)
    report.note(
        "custody.jsonl",
        f"{n} custody entr{'y comes' if n == 1 else 'ies come'} after the last seal (seq {last}) and "
        f"{'is' if n == 1 else 'are'} not covered by it ({actions}); seal the case again to cover "
        f"{'it' if n == 1 else 'them'}",
    )
