"""Shared test fixtures.

* ``corpus``: the shared public sample corpus (../shared/corpus), skipped cleanly when absent.
* ``fixtures_dir``: the project's own synthetic fixtures.
* Network access is blocked for the whole run: the tool must work offline, always.
"""

from __future__ import annotations

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


def pytest_sessionstart(session: pytest.Session) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.create_connection = _refuse  # type: ignore[assignment]


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
