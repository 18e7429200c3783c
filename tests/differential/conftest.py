"""Fixtures of the differential tests: the peer under test, skipped with the reason when it is not installed."""

from __future__ import annotations

import pytest
from tests.differential._email_peers import PEERS, have_mailparser


@pytest.fixture(params=sorted(PEERS))
def email_peer(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name == "mailparser" and not have_mailparser():
        pytest.skip("mail-parser is not installed (pip install mail-parser; it is in the 'test' extra)")
    return name
