"""The case write lock: two writers to one case are serialised, readers never block."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from cyberevidence.errors import CaseLockedError


class CaseLock:
    """An exclusive ``flock`` on ``CASE/.lock``, released automatically if the process dies.

    ``timeout`` seconds are spent waiting for another writer before giving up.
    """

    def __init__(self, case_dir: Path, timeout: float = 600.0) -> None:
        self.path = case_dir / ".lock"
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        if self._fd is not None:
            self._depth += 1
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise CaseLockedError(f"{self.path.parent}: the case is locked by another process") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        self._depth = 1

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> CaseLock:
        self.acquire()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
