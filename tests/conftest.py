"""Shared test fixtures.

* ``corpus``: the shared public sample corpus (../shared/corpus), skipped cleanly when absent.
* ``fixtures_dir``: the project's own synthetic fixtures.
* Network access is blocked for the whole run (connect, connect_ex, sendto, create_connection and
  name lookups other than localhost): the tool must work offline, always.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


class NetworkBlockedError(RuntimeError):
    """Raised when code under test tries to open a network connection."""


def _refuse(*args: object, **kwargs: object) -> None:
    raise NetworkBlockedError("network access attempted during tests (cyberevidence must stay offline)")


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address)  # type: ignore[arg-type]
    _refuse()


_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", None, ""}
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if self.family == socket.AF_UNIX:
        return _real_connect_ex(self, address)  # type: ignore[arg-type]
    _refuse()
    return 1


def _guarded_sendto(self: socket.socket, *args: object) -> int:
    if self.family == socket.AF_UNIX:
        return _real_sendto(self, *args)  # type: ignore[arg-type]
    _refuse()
    return 0


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host not in _LOCAL_NAMES:
        _refuse()
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def pytest_sessionstart(session: pytest.Session) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    socket.create_connection = _refuse  # type: ignore[assignment]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


LONG_RUNS = os.environ.get("CYBEREVIDENCE_LONG_TESTS") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``long`` (fuzzing with tens of thousands of examples) run only when asked for."""
    if LONG_RUNS:
        return
    skip = pytest.mark.skip(reason="a long run: set CYBEREVIDENCE_LONG_TESTS=1 to run it")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not available")
    return CORPUS


@pytest.fixture
def fixtures_dir() -> Path:
    return REPO / "fixtures"


@pytest.fixture
def case_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "case"
