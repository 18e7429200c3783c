"""Implementation of the streaming, optionally threaded, multi-digest hasher."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DEFAULT_ALGORITHMS: tuple[str, ...] = ("sha256",)
#: Only algorithms in coreutils and in CASE/UCO's hash vocabulary (no BLAKE3 for court material).
SUPPORTED_ALGORITHMS: frozenset[str] = frozenset({"md5", "sha1", "sha256", "sha512"})
CHUNK_SIZE = 1 << 20
_QUEUE_DEPTH = 8
_STOP = b""


@dataclass(frozen=True, slots=True)
class HashResult:
    """Hex digests by algorithm name, and the number of bytes hashed."""

    digests: dict[str, str]
    size: int


def _check(algorithms: Sequence[str]) -> tuple[str, ...]:
    algos = tuple(dict.fromkeys(a.lower() for a in algorithms))
    if not algos:
        raise ValueError("at least one hash algorithm is needed")
    unknown = [a for a in algos if a not in SUPPORTED_ALGORITHMS]
    if unknown:
        raise ValueError(f"unsupported hash algorithm(s): {', '.join(unknown)}")
    return algos


class _DigestWorker(threading.Thread):
    """One digest fed from a bounded queue of immutable chunks."""

    def __init__(self, name: str) -> None:
        super().__init__(daemon=True, name=f"hash-{name}")
        self.hasher = hashlib.new(name)
        self.inbox: queue.Queue[bytes] = queue.Queue(_QUEUE_DEPTH)

    def run(self) -> None:
        update, get = self.hasher.update, self.inbox.get
        while chunk := get():
            update(chunk)


class MultiHasher:
    """Feed bytes once, get several digests. Threaded when more than one algorithm is asked for.

    Use as a context manager, or call :meth:`close` to stop worker threads if you abandon it.
    Chunks passed to :meth:`update` must not be mutated afterwards (pass ``bytes``).
    """

    def __init__(self, algorithms: Sequence[str] = DEFAULT_ALGORITHMS, *, threaded: bool | None = None) -> None:
        self.algorithms = _check(algorithms)
        self.size = 0
        use_threads = len(self.algorithms) > 1 if threaded is None else threaded
        self._workers = [_DigestWorker(a) for a in self.algorithms] if use_threads else []
        self._direct = [] if use_threads else [hashlib.new(a) for a in self.algorithms]
        for w in self._workers:
            w.start()
        self._result: HashResult | None = None

    def update(self, chunk: bytes) -> None:
        if self._result is not None:
            raise RuntimeError("MultiHasher already finished")
        if not chunk:
            return
        self.size += len(chunk)
        for h in self._direct:
            h.update(chunk)
        for w in self._workers:
            w.inbox.put(chunk)

    def finish(self) -> HashResult:
        if self._result is None:
            for w in self._workers:
                w.inbox.put(_STOP)
            for w in self._workers:
                w.join()
            hashers = self._direct or [w.hasher for w in self._workers]
            self._result = HashResult({a: h.hexdigest() for a, h in zip(self.algorithms, hashers, strict=True)}, self.size)
        return self._result

    close = finish

    def __enter__(self) -> MultiHasher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()


def hash_stream(stream: BinaryIO, algorithms: Sequence[str] = DEFAULT_ALGORITHMS, *, prefix: bytes = b"") -> HashResult:
    """Hash everything left in ``stream`` (after ``prefix``, bytes already read from it)."""
    algos = _check(algorithms)
    if len(algos) == 1:
        h = hashlib.new(algos[0])
        h.update(prefix)
        size = len(prefix)
        buf = bytearray(CHUNK_SIZE)
        view = memoryview(buf)
        readinto = getattr(stream, "readinto", None)
        if readinto is not None:
            while n := readinto(view):
                h.update(view[:n])
                size += n
        else:
            while chunk := stream.read(CHUNK_SIZE):
                h.update(chunk)
                size += len(chunk)
        return HashResult({algos[0]: h.hexdigest()}, size)
    with MultiHasher(algos) as multi:
        multi.update(prefix)
        while chunk := stream.read(CHUNK_SIZE):
            multi.update(chunk)
    return multi.finish()


def open_readonly(path: Path) -> BinaryIO:
    """Open an original for reading without updating its access time where the OS allows it."""
    flags = os.O_RDONLY | getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)  # O_NOATIME needs file ownership; fall back
    return os.fdopen(fd, "rb", buffering=0)


def hash_file(path: str | os.PathLike[str], algorithms: Sequence[str] = DEFAULT_ALGORITHMS) -> dict[str, str]:
    """Hex digests of a file, streamed once: ``{"sha256": "..."}``."""
    with open_readonly(Path(path)) as fh:
        return hash_stream(fh, algorithms).digests


def hash_bytes(data: bytes | Iterable[bytes], algorithms: Sequence[str] = DEFAULT_ALGORITHMS) -> dict[str, str]:
    """Hex digests of in-memory bytes, or of an iterable of byte chunks."""
    chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    hashers = [hashlib.new(a) for a in _check(algorithms)]
    for chunk in chunks:
        for h in hashers:
            h.update(chunk)
    return {h.name: h.hexdigest() for h in hashers}
