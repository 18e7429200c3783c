"""``Case.timeline_frame()``: the timeline as a pandas DataFrame with real dtypes, or a clear typed error."""

from __future__ import annotations

import sys
from datetime import timezone
from pathlib import Path

import pytest

import cyberevidence as ce
from cyberevidence.exporters.optional import MissingExtraError
from cyberevidence.exporters.record import EVENT_FIELDS

FLAGS = ("undated", "time_ambiguous", "edited", "deleted", "media_omitted")


def test_frame_has_the_record_columns_with_real_dtypes(mixed_case: Path) -> None:
    pd = pytest.importorskip("pandas")
    case = ce.Case.open(mixed_case)
    events = list(case.timeline())
    frame = case.timeline_frame()
    assert list(frame.columns) == [f.name for f in EVENT_FIELDS] and len(frame) == len(events)
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    for name in ("platform", "kind", "direction"):
        assert isinstance(frame[name].dtype, pd.CategoricalDtype), name
    for name in FLAGS:
        assert frame[name].dtype == bool, name
    assert str(frame["duration_s"].dtype) == "Int64"
    assert pd.api.types.is_string_dtype(frame["text"]) and pd.api.types.is_string_dtype(frame["event_id"])
    for i, ev in enumerate(events):
        row = frame.iloc[i]
        if ev.timestamp is None:
            assert pd.isna(row["timestamp"]) and row["undated"]
        else:
            want = ev.timestamp.astimezone(timezone.utc).replace(microsecond=ev.timestamp.microsecond // 1000 * 1000)
            assert row["timestamp"].to_pydatetime() == want
        assert row["event_id"] == ev.event_id and row["platform"] == ev.platform and row["text"] == ev.text
        assert [bool(row[f]) for f in FLAGS] == [ev.undated, ev.time_ambiguous, ev.edited, ev.deleted, ev.media_omitted]
        assert (pd.isna(row["duration_s"]) and ev.duration_s is None) or row["duration_s"] == ev.duration_s
        assert row["source"] == ev.source.to_dict() and row["extra"] == ev.extra
    calls = frame[frame["kind"] == "call"]
    assert not calls.empty and int(calls["duration_s"].sum()) == sum(e.duration_s or 0 for e in events if e.kind == "call")


def test_frame_takes_the_timeline_filters(mixed_case: Path) -> None:
    pytest.importorskip("pandas")
    case = ce.Case.open(mixed_case)
    frame = case.timeline_frame(platforms=["sms"], since="2025-01-01")
    assert list(frame["event_id"]) == [e.event_id for e in case.timeline(platforms=["sms"], since="2025-01-01")]
    assert set(frame["platform"]) == {"sms"}


def test_without_pandas_a_typed_error_names_the_extra(mixed_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    case = ce.Case.open(mixed_case)
    with pytest.raises(MissingExtraError) as caught:
        case.timeline_frame()
    assert caught.value.extra == "pandas" and "pip install 'cyberevidence[pandas]'" in caught.value.hint
    assert isinstance(caught.value, ce.CyberEvidenceError)
