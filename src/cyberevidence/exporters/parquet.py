"""Parquet output of the timeline and the contact table, for DuckDB, pandas, Polars and Spark.

The Arrow schema is made from the same declaration as the JSONL (:data:`record.EVENT_FIELDS`,
:data:`contacts.CONTACT_FIELDS`), so the two can never disagree: same names, same order, and
for each :class:`~cyberevidence.exporters.record.FieldType` one Arrow type (``timestamp`` is
``timestamp[ms, UTC]``, ``extra`` is JSON text with Parquet's JSON logical type, lists and
``{sha256, locator}`` are lists and structs). Items are turned into Arrow columns
:data:`BATCH_ROWS` at a time (Python objects cost several KiB a row, Arrow a few hundred bytes)
and written in row groups of :data:`ROW_GROUP_ROWS`, so memory stays flat however long the
timeline is (benchmarks/bench_parquet.py measures it). The file's metadata
names the schema version and whatever the caller adds (the case's zone, its name).

pyarrow is the optional extra ``parquet`` (Apache-2.0); without it a
:class:`~cyberevidence.exporters.optional.MissingExtraError` says what to install.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final, TypeVar

from cyberevidence.analysis.contacts import ContactRow
from cyberevidence.events import Event
from cyberevidence.exporters.contacts import CONTACT_FIELDS
from cyberevidence.exporters.optional import require
from cyberevidence.exporters.record import (
    EVENT_FIELDS,
    SCHEMA_ID,
    SCHEMA_VERSION,
    ExportField,
    FieldType,
    epoch_ms,
    format_ms,
)

#: Rows per Parquet row group (the unit DuckDB and Spark read in parallel): a few MiB of Arrow data, so memory stays low.
ROW_GROUP_ROWS: Final = 16_384
#: Rows turned from Python values into Arrow arrays at a time: a few MiB of Python objects.
BATCH_ROWS: Final = 2_048
COMPRESSION: Final = "zstd"
#: Metadata keys every file carries.
META_SCHEMA: Final = "cyberevidence.schema"
META_SCHEMA_VERSION: Final = "cyberevidence.schema_version"
META_CONTENT: Final = "cyberevidence.content"

T = TypeVar("T")


def _pa() -> Any:
    return require("pyarrow", "parquet", "Parquet output")


def _arrow_type(pa: Any, ftype: FieldType) -> Any:
    source = pa.struct([pa.field("sha256", pa.string(), nullable=False), pa.field("locator", pa.string(), nullable=False)])
    attachment = pa.struct([pa.field("sha256", pa.string(), nullable=False), pa.field("name", pa.string(), nullable=False),
                            pa.field("media_type", pa.string(), nullable=False)])
    return {
        FieldType.STRING: pa.string(),
        FieldType.BOOL: pa.bool_(),
        FieldType.INT: pa.int64(),
        FieldType.TIMESTAMP: pa.timestamp("ms", tz="UTC"),
        FieldType.STRINGS: pa.list_(pa.field("item", pa.string(), nullable=False)),
        FieldType.SOURCE: source,
        FieldType.SOURCES: pa.list_(pa.field("item", source, nullable=False)),
        FieldType.ATTACHMENTS: pa.list_(pa.field("item", attachment, nullable=False)),
        FieldType.OBJECT: pa.json_(pa.string()),
    }[ftype]


def arrow_schema(fields: Sequence[ExportField[Any]], metadata: Mapping[str, str] | None = None) -> Any:
    """The ``pyarrow.Schema`` of ``fields`` (the one declaration), with ``metadata`` on the schema."""
    pa = _pa()
    return pa.schema([pa.field(f.name, _arrow_type(pa, f.type), nullable=f.nullable) for f in fields],
                     metadata=dict(metadata or {}))


def _column(pa: Any, f: ExportField[Any], values: list[Any], arrow_type: Any) -> Any:
    if f.type is FieldType.TIMESTAMP:
        values = [None if v is None else epoch_ms(v) for v in values]
        return pa.array(values, type=pa.int64()).cast(arrow_type)
    if f.type is FieldType.OBJECT:
        storage = pa.array([json.dumps(v, ensure_ascii=False) for v in values], type=pa.string())
        return pa.ExtensionArray.from_storage(arrow_type, storage)
    return pa.array(values, type=arrow_type)


def write_parquet(
    items: Iterable[T],
    fields: Sequence[ExportField[T]],
    where: str | Path | BinaryIO,
    *,
    metadata: Mapping[str, str] | None = None,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> int:
    """Stream ``items`` into a Parquet file at ``where``, one row group per ``row_group_rows``; the row count."""
    pa = _pa()
    pq = require("pyarrow.parquet", "parquet", "Parquet output")
    meta = {META_SCHEMA_VERSION: str(SCHEMA_VERSION), **(metadata or {})}
    schema = arrow_schema(fields, meta)
    types = [schema.field(f.name).type for f in fields]
    getters = [f.get for f in fields]
    batch_rows = min(BATCH_ROWS, row_group_rows)
    n = 0
    with pq.ParquetWriter(where, schema, compression=COMPRESSION) as writer:
        columns: list[list[Any]] = [[] for _ in fields]
        group: list[Any] = []  # Arrow record batches of the row group being filled
        for item in items:
            for col, get in zip(columns, getters, strict=True):
                col.append(get(item))
            n += 1
            if len(columns[0]) >= batch_rows:
                group.append(_batch(pa, schema, fields, types, columns))
                if n % row_group_rows == 0:
                    _write_group(pa, writer, schema, group, row_group_rows)
        if columns[0]:
            group.append(_batch(pa, schema, fields, types, columns))
        if group or n == 0:
            _write_group(pa, writer, schema, group, row_group_rows)
    return n


def _batch(pa: Any, schema: Any, fields: Sequence[ExportField[Any]], types: list[Any], columns: list[list[Any]]) -> Any:
    """The buffered Python values as one Arrow record batch; the buffers are emptied."""
    arrays = [_column(pa, f, values, t) for f, values, t in zip(fields, columns, types, strict=True)]
    for col in columns:
        col.clear()
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _write_group(pa: Any, writer: Any, schema: Any, group: list[Any], row_group_rows: int) -> None:
    """Write the collected batches as one row group (a file with no rows still gets its schema)."""
    writer.write_table(pa.Table.from_batches(group, schema=schema), row_group_size=row_group_rows)
    group.clear()


def write_timeline_parquet(events: Iterable[Event], where: str | Path | BinaryIO, *,
                           metadata: Mapping[str, str] | None = None, row_group_rows: int = ROW_GROUP_ROWS) -> int:
    """The timeline as Parquet, the fields of the JSONL record version 2; the number of events."""
    meta = {META_SCHEMA: SCHEMA_ID, META_CONTENT: "timeline", **(metadata or {})}
    return write_parquet(events, EVENT_FIELDS, where, metadata=meta, row_group_rows=row_group_rows)


def write_contacts_parquet(rows: Iterable[ContactRow], where: str | Path | BinaryIO, by: str, *,
                           metadata: Mapping[str, str] | None = None) -> int:
    """The contact table as Parquet (``by`` is in the metadata as ``cyberevidence.by``); the number of rows."""
    meta = {META_CONTENT: "contacts", "cyberevidence.by": by, **(metadata or {})}
    return write_parquet(rows, CONTACT_FIELDS, where, metadata=meta)


def case_parquet_metadata(info: Mapping[str, Any]) -> dict[str, str]:
    """What a Parquet file says about its case (from ``case.json``): id, title, zone, tool version."""
    from cyberevidence._version import __version__

    return {
        "cyberevidence.case_id": str(info.get("case_id", "")),
        "cyberevidence.case_title": str(info.get("title", "")),
        "cyberevidence.timezone": str(info.get("timezone", "")),
        "cyberevidence.tool_version": __version__,
    }


def read_timeline_parquet(where: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a timeline Parquet file as the JSONL has them (timestamps as text, ``extra`` as an object)."""
    pq = require("pyarrow.parquet", "parquet", "Parquet input")
    stamps = [f.name for f in EVENT_FIELDS if f.type is FieldType.TIMESTAMP]
    objects = [f.name for f in EVENT_FIELDS if f.type is FieldType.OBJECT]
    for batch in pq.ParquetFile(where).iter_batches():
        for row in batch.to_pylist():
            for name in stamps:
                if row[name] is not None:
                    row[name] = format_ms(row[name])
            for name in objects:
                row[name] = json.loads(row[name])
            yield row


def parquet_metadata(where: str | Path) -> dict[str, str]:
    """The key/value metadata of a Parquet file this module wrote (without Arrow's own schema entry)."""
    pq = require("pyarrow.parquet", "parquet", "Parquet input")
    raw = pq.read_schema(where).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items() if k != b"ARROW:schema"}


__all__ = [
    "BATCH_ROWS",
    "COMPRESSION",
    "META_CONTENT",
    "META_SCHEMA",
    "META_SCHEMA_VERSION",
    "ROW_GROUP_ROWS",
    "arrow_schema",
    "case_parquet_metadata",
    "parquet_metadata",
    "read_timeline_parquet",
    "write_contacts_parquet",
    "write_parquet",
    "write_timeline_parquet",
]
