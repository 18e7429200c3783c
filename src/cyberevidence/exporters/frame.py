"""The timeline as a pandas DataFrame with real dtypes (``Case.timeline_frame()``).

Columns are the fields of the JSONL record version 2 (:data:`record.EVENT_FIELDS`), in order,
with one dtype per field type, so an analyst never parses text again:

* ``timestamp``: ``datetime64[ns, UTC]``; ``NaT`` for an undated event;
* ``platform``, ``kind``, ``direction``: ``category``;
* ``undated``, ``time_ambiguous``, ``edited``, ``deleted``, ``media_omitted``: ``bool`` (never missing);
* ``duration_s``: nullable ``Int64`` (``<NA>`` when the event is not a call);
* the other text fields: pandas' string dtype;
* lists (``recipients``, ``attachments``, ``seen_in``) and ``source``/``extra`` (dicts): ``object``.

pandas is the optional extra ``pandas``; without it a
:class:`~cyberevidence.exporters.optional.MissingExtraError` says what to install. The frame is
in memory by nature: for a timeline larger than memory, write Parquet and read it in parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cyberevidence.events import Event
from cyberevidence.exporters.optional import require
from cyberevidence.exporters.record import EVENT_FIELDS, FieldType, epoch_ms

_OBJECT_TYPES = frozenset({FieldType.STRINGS, FieldType.SOURCE, FieldType.SOURCES, FieldType.ATTACHMENTS, FieldType.OBJECT})


def timeline_frame(events: Iterable[Event]) -> Any:
    """A ``pandas.DataFrame`` of ``events``, one row each, with the dtypes above."""
    pd = require("pandas", "pandas", "A timeline DataFrame")
    columns: list[list[Any]] = [[] for _ in EVENT_FIELDS]
    getters = [f.get for f in EVENT_FIELDS]
    for ev in events:
        for col, get in zip(columns, getters, strict=True):
            col.append(get(ev))
    data: dict[str, Any] = {}
    for f, values in zip(EVENT_FIELDS, columns, strict=True):
        if f.type is FieldType.TIMESTAMP:
            millis = pd.array([None if v is None else epoch_ms(v) for v in values], dtype="Int64")
            data[f.name] = pd.to_datetime(millis, unit="ms", utc=True).astype("datetime64[ns, UTC]")
        elif f.type is FieldType.BOOL:
            data[f.name] = pd.array(values, dtype=bool)
        elif f.type is FieldType.INT:
            data[f.name] = pd.array(values, dtype="Int64")
        elif f.type in _OBJECT_TYPES:
            data[f.name] = pd.Series(values, dtype=object)
        elif f.categorical:
            data[f.name] = pd.Categorical(values)
        else:
            data[f.name] = pd.array(values, dtype="string")
    return pd.DataFrame(data, columns=[f.name for f in EVENT_FIELDS])


__all__ = ["timeline_frame"]
