"""Dates typed by people (issue 19): ISO dates and times, in the case zone or with an offset; nothing else."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from cyberevidence.dateargs import DateArgumentError, index_bound, parse_instant

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-03-14", "2025-03-14T00:00:00+00:00"),  # GMT
        ("2025-07-14", "2025-07-13T23:00:00+00:00"),  # BST: the start of the local day
        ("2025-07-14 19:05", "2025-07-14T18:05:00+00:00"),
        ("2025-07-14T19:05:30", "2025-07-14T18:05:30+00:00"),
        ("2025-07-14T19:05Z", "2025-07-14T19:05:00+00:00"),
        ("2025-07-14T19:05:00+02:00", "2025-07-14T17:05:00+00:00"),
        ("2025-07-14 19:05:00.250-0500", "2025-07-15T00:05:00.250000+00:00"),
        (" 2025-03-14 ", "2025-03-14T00:00:00+00:00"),
    ],
)
def test_accepted(text: str, utc: str) -> None:
    assert parse_instant(text, LONDON).isoformat() == utc


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("03/12/2017", "'03/12/2017' is ambiguous: it could be 2017-12-03 (day first) or 2017-03-12 (month first)"),
        ("25/12/2017", "'25/12/2017' is not written as an ISO date; write 2017-12-25"),
        ("12.03.2017", "'12.03.2017' is ambiguous: it could be 2017-03-12 (day first) or 2017-12-03 (month first)"),
        ("03/12/17", "'03/12/17' has a two-digit year, so its century is not known"),
        ("2017/12/03", "'2017/12/03' is not written as an ISO date; write 2017-12-03"),
        ("yesterday", "'yesterday' is not accepted: a date in words depends on the day the command is run"),
        ("last week", "'last week' is not accepted: a date in words depends on the day the command is run"),
        ("2025-13-45", "'2025-13-45' is not a real date or time"),
        ("2025-02-30", "'2025-02-30' is not a real date or time"),
        ("2025-03-14T25:00", "'2025-03-14T25:00' is not a real date or time"),
        ("2025-03-14+01:00", "'2025-03-14+01:00' is not a date like"),
        ("", "'' is not a date like"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(DateArgumentError) as err:
        parse_instant(text, LONDON)
    assert str(err.value).startswith(message)
    assert "--" not in str(err.value)


def test_index_bound_sorts_with_and_without_milliseconds() -> None:
    bound = index_bound(datetime(2025, 7, 14, 18, 5, tzinfo=timezone.utc))
    assert bound == "2025-07-14T18:05:00"
    # Every stored spelling of an instant in that second sorts after it, every earlier one before it.
    for later in ("2025-07-14T18:05:00Z", "2025-07-14T18:05:00.000Z", "2025-07-14T18:05:00.001Z", "2025-07-14T18:05:01Z"):
        assert bound < later
    for earlier in ("2025-07-14T18:04:59Z", "2025-07-14T18:04:59.999Z"):
        assert earlier < bound
