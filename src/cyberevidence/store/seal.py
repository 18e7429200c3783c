"""The Ed25519 seal: keys, signatures, key fingerprints, and the permanent copy of every seal.

A seal is a raw Ed25519 signature (``manifest.json.sig``) over the exact bytes of
``manifest.json``, with the signer's public key (``signer.pub.pem``, SubjectPublicKeyInfo PEM).
The three files sit at the top of the case until its next write, and are kept for good in
``seals/<seq>/`` (``seq``: the custody ``seal`` entry, which is the sealed manifest's custody
head and records the key's fingerprint).

A key's fingerprint is the SHA-256 (lowercase hex) of its DER SubjectPublicKeyInfo: exactly what
``openssl pkey -pubin -in signer.pub.pem -outform DER | sha256sum`` prints. It is computed here
without the optional ``cryptography`` package; only making and checking signatures need it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cyberevidence.errors import SigningError
from cyberevidence.store.atomic import atomic_write_bytes, fsync_dir

SIGNATURE = "manifest.json.sig"
PUBLIC_KEY = "signer.pub.pem"
#: The folder of archived seals, one sub-folder per ``seal`` custody entry, named by its seq.
SEALS = "seals"
#: What each ``seals/<seq>/`` holds: the sealed manifest (named as at the case root), its signature, the key.
ARCHIVE_FILES = ("manifest.json", SIGNATURE, PUBLIC_KEY)
#: Archived seal files are read-only, like the evidence objects.
ARCHIVE_MODE = 0o444

_PEM_BEGIN = "-----BEGIN PUBLIC KEY-----"
_PEM_END = "-----END PUBLIC KEY-----"
#: DER SubjectPublicKeyInfo of an Ed25519 key: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }.
_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
_ED25519_SPKI_LENGTH = len(_ED25519_SPKI_PREFIX) + 32
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_PARTIAL = re.compile(r"\.([0-9]+)\.partial")
_SEQ = re.compile(r"0|[1-9][0-9]*")


class KeyFormatError(ValueError):
    """A public key that is not one Ed25519 key in PEM form; the message says why, in plain words."""


# ---------------------------------------------------------------------------- fingerprints
def public_key_der(public_pem: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo inside a PEM public key file, which must hold one Ed25519 key.

    Raises :class:`KeyFormatError`. Nothing but whitespace may surround the one PEM block.
    """
    try:
        text = public_pem.decode("ascii").strip()
    except UnicodeDecodeError:
        raise KeyFormatError("is not a PEM public key (it is not plain text)") from None
    if "PRIVATE KEY-----" in text:
        raise KeyFormatError("holds a private key, not a public key (give the .pub.pem file, or the key's fingerprint)")
    if not (text.startswith(_PEM_BEGIN) and text.endswith(_PEM_END)) or text.count(_PEM_BEGIN) != 1:
        raise KeyFormatError(f"is not a PEM public key (one '{_PEM_BEGIN}' … '{_PEM_END}' block)")
    body = "".join(text[len(_PEM_BEGIN) : -len(_PEM_END)].split())
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("is not a PEM public key (its body is not base64)") from None
    if len(der) != _ED25519_SPKI_LENGTH or not der.startswith(_ED25519_SPKI_PREFIX):
        raise KeyFormatError("is not an Ed25519 public key")
    return der


def key_fingerprint(public_pem: bytes) -> str:
    """SHA-256 (lowercase hex) of the key's DER SubjectPublicKeyInfo; raises :class:`KeyFormatError`."""
    return hashlib.sha256(public_key_der(public_pem)).hexdigest()


def normalise_fingerprint(text: str) -> str | None:
    """A fingerprint as typed (any case, colons or spaces between groups) in lowercase hex, or None."""
    compact = re.sub(r"[\s:]", "", text).lower()
    return compact if _FINGERPRINT.fullmatch(compact) else None


def is_fingerprint(value: object) -> bool:
    """A fingerprint as this tool records it: 64 lowercase hex digits."""
    return isinstance(value, str) and _FINGERPRINT.fullmatch(value) is not None


# ---------------------------------------------------------------------------- signing
def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise SigningError(
            "signing needs the optional 'cryptography' package",
            hint="Install it with: pip install 'cyberevidence[signing]'",
        ) from None
    return serialization, ed25519


def crypto_available() -> bool:
    try:
        _crypto()
    except SigningError:
        return False
    return True


def generate_key(private_path: Path) -> Path:
    """Create an Ed25519 key pair (PKCS#8 PEM, mode 0600) and its public PEM beside it."""
    serialization, ed25519 = _crypto()
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    atomic_write_bytes(private_path, pem, mode=0o600)
    pub_path = private_path.with_suffix(".pub.pem")
    atomic_write_bytes(
        pub_path, key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return pub_path


@dataclass(frozen=True, slots=True)
class Signer:
    """A loaded Ed25519 private key: its public key in PEM, that key's fingerprint, and ``sign``."""

    public_pem: bytes
    fingerprint: str
    sign: Callable[[bytes], bytes]


def load_signer(private_path: Path) -> Signer:
    """Load an Ed25519 private key (PEM, unencrypted); raises :class:`SigningError` in plain words."""
    serialization, ed25519 = _crypto()
    try:
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"{private_path}: cannot load the private key ({exc})") from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and kin: still a plain error, never a traceback
        raise SigningError(f"{private_path}: cannot load the private key ({exc})") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SigningError(f"{private_path}: not an Ed25519 private key")
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return Signer(bytes(public), key_fingerprint(public), key.sign)


def sign_bytes(data: bytes, private_path: Path) -> tuple[bytes, bytes]:
    """Raw 64-byte Ed25519 signature over ``data`` and the signer's public key in PEM."""
    signer = load_signer(private_path)
    return signer.sign(data), signer.public_pem


def verify_der(data: bytes, signature: bytes, der: bytes) -> bool:
    """Check a raw Ed25519 signature with the key in DER SubjectPublicKeyInfo.

    Raises :class:`SigningError` only when ``cryptography`` is not installed; a bad key or
    signature is ``False``.
    """
    serialization, ed25519 = _crypto()
    from cryptography.exceptions import InvalidSignature

    try:
        key = serialization.load_der_public_key(der)
    except Exception:  # ValueError, UnsupportedAlgorithm: not a key this check can use
        return False
    if not isinstance(key, ed25519.Ed25519PublicKey) or len(signature) != 64:
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def verify_signature(data: bytes, signature: bytes, public_pem: bytes) -> bool:
    """Check a raw Ed25519 signature with a PEM public key (``False`` for a key that is not one Ed25519 key)."""
    try:
        der = public_key_der(public_pem)
    except KeyFormatError:
        _crypto()  # still say when the package is missing
        return False
    return verify_der(data, signature, der)


# ---------------------------------------------------------------------------- the archive
def archive_dir(case_dir: Path, seq: int) -> Path:
    return case_dir / SEALS / str(seq)


def archived_seal_seqs(case_dir: Path) -> list[int]:
    """The seqs of the seals kept in ``seals/<seq>/`` (real folders only), in order."""
    try:
        with os.scandir(case_dir / SEALS) as it:
            return sorted(int(e.name) for e in it if _SEQ.fullmatch(e.name) and e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def is_archive_member(name: str) -> bool:
    """Whether a case-relative path (``/``-separated) names one file of a kept seal."""
    parts = name.split("/")
    return len(parts) == 3 and parts[0] == SEALS and bool(_SEQ.fullmatch(parts[1])) and parts[2] in ARCHIVE_FILES


def partial_seq(name: str) -> int | None:
    """The seq of a ``.<seq>.partial`` folder (an archive being written), or None."""
    m = _PARTIAL.fullmatch(name)
    return int(m.group(1)) if m else None


def stage_archive(case_dir: Path, seq: int, manifest: bytes, signature: bytes, public_pem: bytes) -> Path:
    """Write the three files of a seal, read-only and fsynced, in ``seals/.<seq>.partial/``.

    :func:`commit_archive` renames the folder to ``seals/<seq>`` once the custody entry is written,
    so ``seals/<seq>`` appears whole or not at all. Call :func:`settle_partial_archives` first.
    """
    seals = case_dir / SEALS
    if not seals.is_dir():
        seals.mkdir(exist_ok=True)
        fsync_dir(case_dir)
    staging = seals / f".{seq}.partial"
    if staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging)
    for name, data in zip(ARCHIVE_FILES, (manifest, signature, public_pem), strict=True):
        atomic_write_bytes(staging / name, data, mode=ARCHIVE_MODE)
    fsync_dir(seals)
    return staging


def commit_archive(case_dir: Path, staging: Path, seq: int) -> Path:
    """Put a staged archive in place as ``seals/<seq>`` (an atomic rename) and make it durable."""
    target = archive_dir(case_dir, seq)
    os.rename(staging, target)
    fsync_dir(target.parent)
    return target


def settle_partial_archives(case_dir: Path, seal_seqs: set[int]) -> dict[str, list[int]]:
    """Finish what an interrupted seal left in ``seals/.<seq>.partial`` (the caller holds the case lock).

    Where custody has the ``seal`` entry ``seq`` but ``seals/<seq>`` is absent, the seal was cut
    between writing its entry and putting its copy in place: the staged copy is put in place
    (``verify`` then checks it like any other). Otherwise the entry was never written, so the
    staged copy was never part of the case, and it is removed. Returns what was done, by seq.
    """
    done: dict[str, list[int]] = {"completed": [], "removed": []}
    try:
        with os.scandir(case_dir / SEALS) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return done
    for entry in entries:
        seq = partial_seq(entry.name)
        if seq is None or not entry.is_dir(follow_symlinks=False):
            continue
        if seq in seal_seqs and not os.path.lexists(archive_dir(case_dir, seq)):
            commit_archive(case_dir, Path(entry.path), seq)
            done["completed"].append(seq)
        else:
            shutil.rmtree(entry.path)
            done["removed"].append(seq)
    return done
