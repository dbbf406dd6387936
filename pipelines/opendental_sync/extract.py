"""Key snapshots and row batches read from the source, as Arrow tables typed by the source schema."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.registry import TableSpec
from opendental_sync.source import SourceDatabase, key_predicate, sql_literal
from opendental_sync.source_schema import (
    ROW_HASH_COLUMN,
    SourceColumn,
    SourceTable,
    quote_mysql,
    row_hash_expression,
    zero_flag_name,
)

log = logging.getLogger(__name__)

STAMP = "__stamp"  # the change stamp (epoch seconds) in key snapshots
DELETED_COLUMN = "_od_deleted"
DELETED_AT_COLUMN = "_od_deleted_at"
SYNCED_AT_COLUMN = "_od_synced_at"
UTC_US = pa.timestamp("us", tz="UTC")


def source_snapshot(db: SourceDatabase, spec: TableSpec, chunk_size: int) -> pa.Table:
    """Every key of the table (and its change stamp), read in keyset chunks in key order."""
    key = list(spec.primary_key)
    cols = [quote_mysql(k) for k in key]
    if spec.stamp:
        cols.append(f"NULLIF(UNIX_TIMESTAMP({quote_mysql(spec.stamp)}), 0) AS {STAMP}")
    elif spec.strategy == "hash":
        cols.append(f"{row_hash_expression(spec.hash_columns)} AS {STAMP}")
    order = ", ".join(quote_mysql(k) for k in key)
    parts: list[pa.Table] = []
    after: list[object] | None = None
    while True:
        sql = (
            f"SELECT {', '.join(cols)} FROM {quote_mysql(spec.name)} WHERE {key_predicate(key, after)} "
            f"ORDER BY {order} LIMIT {chunk_size}"
        )
        part = db.read_arrow(sql)
        if part.num_rows:
            parts.append(_normalize_snapshot(part))
        if part.num_rows < chunk_size:
            break
        last = part.slice(part.num_rows - 1, 1).to_pylist()[0]
        after = [last[k] for k in key]
    if not parts:
        return empty_snapshot(spec)
    return pa.concat_tables(parts)


def empty_snapshot(spec: TableSpec) -> pa.Table:
    fields = [pa.field(k, pa.int64()) for k in spec.primary_key]
    if spec.has_token:
        fields.append(pa.field(STAMP, pa.int64()))
    return pa.table({f.name: pa.array([], f.type) for f in fields})


def _normalize_snapshot(part: pa.Table) -> pa.Table:
    arrays = {}
    for name in part.column_names:
        col = part.column(name)
        if pa.types.is_integer(col.type) and col.type != pa.int64():
            col = col.cast(pa.int64())
        arrays[name] = col
    return pa.table(arrays)


@dataclass
class ExtractStats:
    """What one table's extraction read (row counts, never row values)."""

    rows: int = 0
    batches: int = 0
    seconds: float = 0.0
    zero_dates: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    fallbacks: int = 0  # batches the fast reader could not convert, read by PyMySQL instead
    read: list[pa.Table] = field(default_factory=list)  # key (and stamp) of every row read, as read
    last_count: int = 0
    last_key: list[object] | None = None

    def read_snapshot(self, spec: TableSpec) -> pa.Table:
        """Keys and stamps of the rows this extraction read, in the shape of a source snapshot."""
        return pa.concat_tables(self.read) if self.read else empty_snapshot(spec)


# Rows per Arrow table handed to dlt: source reads stay small (chunk_size), dlt gets few large items.
LOAD_BATCH_ROWS = 100_000


def fetch_batches(
    db: SourceDatabase,
    table: SourceTable,
    spec: TableSpec,
    batches: list[str] | None,
    synced_at: datetime,
    stats: ExtractStats,
    chunk_size: int,
) -> Iterator[pa.Table]:
    """Read rows and yield them as typed Arrow tables of up to LOAD_BATCH_ROWS rows.

    ``batches`` is a list of bounded ``WHERE`` clauses (the rows a diff selected), or None to read the
    whole table in key order, ``chunk_size`` rows per query (a first load or a full refresh).
    """
    select = [c.select_expression() for c in table.columns]
    select += [e for c in table.columns if (e := c.zero_date_flag_expression())]
    if spec.strategy == "hash":
        select.append(f"{row_hash_expression(spec.hash_columns)} AS {ROW_HASH_COLUMN}")
    head = f"SELECT {', '.join(select)} FROM {quote_mysql(spec.name)} WHERE "
    key = list(spec.primary_key)
    order = ", ".join(quote_mysql(k) for k in key)
    started = last_report = time.monotonic()
    pending: list[pa.Table] = []
    pending_rows = 0

    def queries() -> Iterator[str]:
        if batches is not None:
            yield from (head + where for where in batches)
            return
        after: list[object] | None = None
        while True:
            yield f"{head}{key_predicate(key, after)} ORDER BY {order} LIMIT {chunk_size}"
            if stats.last_count < chunk_size:
                return
            after = stats.last_key

    for sql in queries():
        retries, fallbacks = sum(db.retries.values()), sum(db.fallbacks.values())
        raw = db.read_arrow(sql)
        stats.retries += sum(db.retries.values()) - retries
        stats.fallbacks += sum(db.fallbacks.values()) - fallbacks
        stats.batches += 1
        stats.last_count = raw.num_rows
        if raw.num_rows == 0:
            continue
        stats.last_key = [raw.column(k)[raw.num_rows - 1].as_py() for k in key]
        typed = to_raw_types(raw, table, spec, synced_at, stats.zero_dates)
        stats.read.append(_read_keys(typed, spec))
        stats.rows += typed.num_rows
        pending.append(typed)
        pending_rows += typed.num_rows
        if pending_rows >= LOAD_BATCH_ROWS:
            yield pa.concat_tables(pending)
            pending, pending_rows = [], 0
        if time.monotonic() - last_report > 5:
            last_report = time.monotonic()
            elapsed = time.monotonic() - started
            log.info("%s: %d rows read (%.0f rows/s)", spec.name, stats.rows, stats.rows / max(elapsed, 1e-9))
    if pending:
        yield pa.concat_tables(pending)
    stats.seconds = time.monotonic() - started


def _read_keys(typed: pa.Table, spec: TableSpec) -> pa.Table:
    # Copies, not views: a column imported from connectorx keeps its whole batch (every column) alive.
    cols = {k: _copy(typed.column(k)) for k in spec.primary_key}
    if spec.stamp:
        stamp = typed.column(spec.stamp)
        cols[STAMP] = pc.divide(stamp.cast(pa.timestamp("us")).cast(pa.int64()), 1_000_000)
    elif spec.strategy == "hash":
        cols[STAMP] = _copy(typed.column(ROW_HASH_COLUMN))
    return pa.table(cols)


def _copy(column: pa.ChunkedArray) -> pa.Array:
    return (
        pa.array(column.to_numpy().copy(), type=column.type)
        if column.null_count == 0
        else pa.array(column.to_pylist(), type=column.type)
    )


def plan_batches(spec: TableSpec, snapshot: pa.Table, needed: pa.Array, chunk_size: int) -> list[str]:
    """Group the needed keys into bounded ``WHERE`` clauses.

    ``snapshot`` is the source key snapshot in key order, ``needed`` a boolean mask over it. A run of
    consecutive needed keys becomes a range (``key BETWEEN a AND b``, an index range scan); scattered keys
    become ``key IN (...)`` lists. Each clause selects at most ``chunk_size`` keys.
    """
    key = list(spec.primary_key)
    idx = pc.indices_nonzero(needed).to_numpy()
    if len(idx) == 0:
        return []
    clauses: list[str] = []
    if len(key) == 1:
        values = snapshot.column(key[0]).to_numpy()
        col = quote_mysql(key[0])
        for start in range(0, len(idx), chunk_size):
            chunk = idx[start : start + chunk_size]
            if chunk[-1] - chunk[0] + 1 == len(chunk):  # contiguous in source key order
                clauses.append(f"{col} BETWEEN {int(values[chunk[0]])} AND {int(values[chunk[-1]])}")
            else:
                clauses.append(f"{col} IN ({','.join(str(int(v)) for v in values[chunk])})")
        return clauses
    cols = [snapshot.column(k).to_pylist() for k in key]
    names = ", ".join(quote_mysql(k) for k in key)
    for start in range(0, len(idx), chunk_size):
        chunk = idx[start : start + chunk_size]
        tuples = ",".join("(" + ", ".join(sql_literal(c[i]) for c in cols) + ")" for i in chunk)
        clauses.append(f"({names}) IN ({tuples})")
    return clauses


def to_raw_types(
    raw: pa.Table, table: SourceTable, spec: TableSpec, synced_at: datetime, zero_dates: Counter[str]
) -> pa.Table:
    """Type one batch by the source schema and add the bookkeeping columns."""
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
    for col in table.columns:
        arrays[col.name] = _cast_column(raw.column(col.name), col)
        flag = zero_flag_name(col.name)
        if flag in raw.column_names:
            n = pc.sum(raw.column(flag).cast(pa.int64())).as_py() or 0
            if n:
                zero_dates[col.name] += n
    n = raw.num_rows
    if ROW_HASH_COLUMN in raw.column_names:
        arrays[ROW_HASH_COLUMN] = raw.column(ROW_HASH_COLUMN).cast(pa.int64())
    arrays[DELETED_COLUMN] = pa.array([False] * n, pa.bool_())
    arrays[DELETED_AT_COLUMN] = pa.nulls(n, UTC_US)
    arrays[SYNCED_AT_COLUMN] = pa.array([synced_at] * n, UTC_US)
    required = {k.lower() for k in spec.primary_key} | {DELETED_COLUMN, SYNCED_AT_COLUMN}
    schema = pa.schema([pa.field(name, a.type, nullable=name.lower() not in required) for name, a in arrays.items()])
    return pa.table(arrays, schema=schema)


def _cast_column(values: pa.ChunkedArray, col: SourceColumn) -> pa.ChunkedArray:
    kind = col.kind
    if kind in ("int", "bit"):
        return values.cast(pa.int64())
    if kind == "uint64":
        return values.cast(pa.decimal128(20, 0))
    if kind == "decimal":
        return values.cast(pa.decimal128(38, 9))
    if kind == "double":
        return values.cast(pa.float64())
    if kind in ("text", "time"):
        if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
            return values.cast(pa.large_string())
        return values.cast(pa.string()) if not pa.types.is_string(values.type) else values
    if kind == "date":
        return values.cast(pa.date32())
    if kind == "datetime":
        return values.cast(pa.timestamp("us"))
    if kind == "stamp":
        return pc.multiply(values.cast(pa.int64()), 1_000_000).cast(pa.timestamp("us")).cast(UTC_US)
    if kind == "binary":
        return values.cast(pa.binary()) if not pa.types.is_large_binary(values.type) else values
    raise AssertionError(kind)


def dlt_columns(table: SourceTable, spec: TableSpec) -> list[dict[str, object]]:
    """dlt column hints for a table: source types, then the bookkeeping columns."""
    keys = {k.lower() for k in spec.primary_key}
    hints = [c.dlt_hint(c.name.lower() in keys) for c in table.columns]
    if spec.strategy == "hash":
        hints.append({"name": ROW_HASH_COLUMN, "data_type": "bigint", "nullable": True})  # added to old copies
    hints.append({"name": DELETED_COLUMN, "data_type": "bool", "nullable": False})
    hints.append({"name": DELETED_AT_COLUMN, "data_type": "timestamp", "timezone": True, "nullable": True})
    hints.append({"name": SYNCED_AT_COLUMN, "data_type": "timestamp", "timezone": True, "nullable": False})
    return hints
