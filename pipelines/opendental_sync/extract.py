"""Key snapshots and row batches read from the source, as Arrow tables typed by the source schema."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.buckets import (
    Fingerprint,
    fingerprint_frame,
    key_ranges,
    key_spans,
    mysql_fingerprint_query,
    source_token_sql,
)
from opendental_sync.memory import release_free_memory
from opendental_sync.registry import TableSpec
from opendental_sync.safety import ValueNotCopyable
from opendental_sync.source import BadSourceValue, SourceDatabase, in_order, key_predicate, sql_literal
from opendental_sync.source_schema import (
    ROW_HASH_COLUMN,
    SourceColumn,
    SourceTable,
    quote_mysql,
    zero_flag_name,
)

log = logging.getLogger(__name__)

STAMP = "__stamp"  # the change stamp (epoch seconds) in key snapshots
DELETED_COLUMN = "_od_deleted"
DELETED_AT_COLUMN = "_od_deleted_at"
SYNCED_AT_COLUMN = "_od_synced_at"
UTC_US = pa.timestamp("us", tz="UTC")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def source_snapshot(db: SourceDatabase, spec: TableSpec, chunk_size: int) -> pa.Table:
    """Every key of the table (and its change stamp), read in keyset chunks in key order."""
    key = list(spec.primary_key)
    cols = [quote_mysql(k) for k in key]
    if (token := source_token_sql(spec)) is not None:
        cols.append(f"{token} AS {STAMP}")
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


def key_bounds(db: SourceDatabase, spec: TableSpec) -> tuple[int | None, int | None, int]:
    """Lowest key, highest key and row count of a single-key table (MyISAM answers from its index)."""
    k = quote_mysql(spec.primary_key[0])
    row = db.read_small(f"SELECT MIN({k}) AS lo, MAX({k}) AS hi, COUNT(*) AS n FROM {quote_mysql(spec.name)}")
    lo, hi, n = (row.column(c)[0].as_py() for c in ("lo", "hi", "n"))
    return (None if lo is None else int(lo)), (None if hi is None else int(hi)), int(n or 0)


def source_fingerprint(
    db: SourceDatabase,
    spec: TableSpec,
    width: int,
    bounds: tuple[int | None, int | None, int],
    tokens: bool = True,
    workers: int = 2,
    span_rows: int = 10_000,
) -> Fingerprint:
    """The source's bucket fingerprints, one aggregate query per ``span_rows`` rows at most (the chunk
    size: a query's lock time grows with its rows), ``workers`` queries at a time."""
    low, high, rows = bounds
    fp = Fingerprint(width)
    if low is None or high is None:
        return fp

    def span(bounds: tuple[int, int]) -> Fingerprint:
        # Pages of span_rows rows: a span denser than its share still holds the table only briefly.
        out, start = Fingerprint(width), bounds[0]
        while True:
            frame = db.read_small(mysql_fingerprint_query(spec, width, start, bounds[1], span_rows, tokens))
            part = fingerprint_frame(frame, width)
            out.absorb(part)
            if part.rows < span_rows:
                return out
            start = int(max(frame.column("last").to_pylist())) + 1

    for part in in_order(span, key_spans(low, high, rows, span_rows), workers):
        fp.absorb(part)
    return fp


MAX_RANGES_PER_QUERY = 500


def changed_since(db: SourceDatabase, spec: TableSpec, since: int, limit: int) -> pa.Array | None:
    """Keys of the rows stamped at or after ``since`` (epoch seconds), found through an index on the stamp;
    None when there are more than ``limit`` of them (a mass re-stamp: compare every row instead). Both
    queries touch at most ``limit`` + 1 index entries or rows."""
    assert spec.stamp is not None
    where = f"{quote_mysql(spec.stamp)} >= FROM_UNIXTIME({int(since)})"
    table = quote_mysql(spec.name)
    count = (
        db.read_small(f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table} WHERE {where} LIMIT {limit + 1}) AS c")
        .column("n")[0]
        .as_py()
    )
    if int(count or 0) > limit:
        return None
    keys = db.read_small(f"SELECT {quote_mysql(spec.primary_key[0])} AS k FROM {table} WHERE {where}")
    return keys.column("k").combine_chunks().cast(pa.int64())


def bucket_groups(buckets: set[int], source: Fingerprint, chunk_size: int) -> list[list[tuple[int, int]]]:
    """The key ranges of ``buckets``, grouped into queries of at most about ``chunk_size`` source rows."""
    groups: list[list[tuple[int, int]]] = []
    current: list[int] = []
    rows = 0
    for b in sorted(buckets):
        n = source.buckets.get(b, (0, 0))[0]
        if current and (rows + n > chunk_size or len(current) >= MAX_RANGES_PER_QUERY):
            groups.append(key_ranges(current, source.width))
            current, rows = [], 0
        current.append(b)
        rows += n
    if current:
        groups.append(key_ranges(current, source.width))
    return groups


def range_snapshot(
    db: SourceDatabase, spec: TableSpec, groups: list[list[tuple[int, int]]], chunk_size: int
) -> pa.Table:
    """Keys (and change tokens) of the source rows in the given key ranges, one query per group."""
    k = quote_mysql(spec.primary_key[0])
    cols = [k]
    if (token := source_token_sql(spec)) is not None:
        cols.append(f"{token} AS {STAMP}")
    parts = []
    for ranges in groups:
        where = " OR ".join(f"{k} BETWEEN {lo} AND {hi}" for lo, hi in ranges)
        after = ""
        while True:  # pages, should a bucket hold more rows than its share
            part = db.read_arrow(
                f"SELECT {', '.join(cols)} FROM {quote_mysql(spec.name)} WHERE ({where}){after} "
                f"ORDER BY {k} LIMIT {chunk_size}"
            )
            if part.num_rows:
                parts.append(_normalize_snapshot(part))
            if part.num_rows < chunk_size:
                break
            after = f" AND {k} > {int(part.column(spec.primary_key[0])[part.num_rows - 1].as_py())}"
    if not parts:
        return empty_snapshot(spec)
    return pa.concat_tables([p.cast(parts[0].schema) for p in parts])


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
    nul_rows: Counter[str] = field(default_factory=Counter)  # per text column: rows whose NUL bytes were removed
    max_query_bytes: int = 0  # the largest result one query returned (Arrow bytes)
    retries: int = 0
    fallbacks: int = 0  # batches the fast reader could not convert, read by PyMySQL instead
    read: list[pa.Table] = field(default_factory=list)  # key (and stamp) of every row read, as read
    # With a fingerprint, a full read keeps no keys: each batch is folded into its bucket fingerprints.
    fingerprint: Fingerprint | None = None

    def read_snapshot(self, spec: TableSpec) -> pa.Table:
        """Keys and stamps of the rows this extraction read, in the shape of a source snapshot."""
        return pa.concat_tables(self.read) if self.read else empty_snapshot(spec)


# Rows per Arrow table handed to dlt: source reads stay small (chunk_size), dlt gets few large items.
LOAD_BATCH_ROWS = 100_000
# Pages (queries of chunk_size rows) one read task returns at most. A key range denser than planned
# (keys dense in one part and sparse elsewhere) is read on, a page at a time, as its rows are written
# out: memory holds a few tasks' pages, however many rows one range turns out to hold.
RANGE_PAGES_PER_TASK = 10


@dataclass
class _Read:
    """What one read task returns: typed batches, and counts (no row values)."""

    tables: list[pa.Table]
    zero_dates: Counter[str]
    queries: int
    rest: tuple[int, int] | None = None  # the part of a key range still to read


def fetch_batches(
    db: SourceDatabase,
    table: SourceTable,
    spec: TableSpec,
    batches: list[str] | None,
    synced_at: datetime,
    stats: ExtractStats,
    chunk_size: int,
    ranges: list[tuple[int, int]] | None = None,
    workers: int = 2,
    max_bytes: int | None = None,
) -> Iterator[pa.Table]:
    """Read rows and yield them as typed Arrow tables of up to LOAD_BATCH_ROWS rows (and ``max_bytes``).

    What is read: ``batches``, a list of bounded ``WHERE`` clauses (the rows a diff selected); else
    ``ranges``, key ranges of a single integer key read in pages of ``chunk_size`` rows; else the whole
    table in key order, ``chunk_size`` rows per query. Batches and ranges are read by ``workers``
    threads, each query bounded, and typed on those threads. Rows wider than planned (blobs) shrink the
    pages that follow, so that a query reads about ``max_bytes`` at most.
    """
    limit = _PageLimit(chunk_size, max_bytes)
    select = [c.select_expression() for c in table.columns]
    select += [e for c in table.columns if (e := c.zero_date_flag_expression())]
    if spec.strategy == "hash":
        select.append(f"{source_token_sql(spec)} AS {ROW_HASH_COLUMN}")
    head = f"SELECT {', '.join(select)} FROM {quote_mysql(spec.name)} WHERE "
    key = list(spec.primary_key)
    order = ", ".join(quote_mysql(k) for k in key)
    started = last_report = time.monotonic()
    retries_before, fallbacks_before = sum(db.retries.values()), sum(db.fallbacks.values())

    counting = threading.Lock()

    def typed(raw: pa.Table, zero_dates: Counter[str]) -> pa.Table:
        nul: Counter[str] = Counter()
        out = to_raw_types(raw, table, spec, synced_at, zero_dates, nul)
        if nul:
            with counting:
                stats.nul_rows.update(nul)
        return out

    def fetch(sql: str) -> pa.Table:
        raw = db.read_arrow(sql)
        limit.observe(raw)
        with counting:
            stats.max_query_bytes = max(stats.max_query_bytes, raw.nbytes)
        return raw

    def one_query(sql: str) -> tuple[_Read, pa.Table]:
        zero: Counter[str] = Counter()
        raw = fetch(sql)
        return _Read([typed(raw, zero)] if raw.num_rows else [], zero, 1), raw

    def read_where(where: str) -> _Read:
        return one_query(head + where)[0]

    def read_range(bounds: tuple[int, int], pages: int = RANGE_PAGES_PER_TASK) -> _Read:
        # Pages within the range, so a range denser than planned still reads chunk_size rows per query;
        # after ``pages`` of them, what is left of the range is handed back.
        k = quote_mysql(key[0])
        zero: Counter[str] = Counter()
        out: list[pa.Table] = []
        low, queries = bounds[0], 0
        while True:
            rows = limit.rows
            raw = fetch(f"{head}{k} BETWEEN {low} AND {bounds[1]} ORDER BY {k} LIMIT {rows}")
            queries += 1
            if raw.num_rows:
                out.append(typed(raw, zero))
            if raw.num_rows < rows:
                return _Read(out, zero, queries)
            low = int(raw.column(key[0])[raw.num_rows - 1].as_py()) + 1
            if queries >= pages:
                return _Read(out, zero, queries, rest=(low, bounds[1]) if low <= bounds[1] else None)

    def with_rest(reads: Iterator[_Read]) -> Iterator[_Read]:
        # The rest of a dense range is read here, one page at a time, before the next range's rows.
        for read in reads:
            yield read
            while read.rest is not None:
                read = read_range(read.rest, pages=1)
                yield read

    def keyset() -> Iterator[_Read]:
        after: list[object] | None = None
        while True:
            rows = limit.rows
            read, raw = one_query(f"{head}{key_predicate(key, after)} ORDER BY {order} LIMIT {rows}")
            yield read
            if raw.num_rows < rows:
                return
            after = [raw.column(k)[raw.num_rows - 1].as_py() for k in key]

    if batches is not None:
        reads = in_order(read_where, batches, workers)
    elif ranges is not None:
        reads = with_rest(in_order(read_range, ranges, workers))
    else:
        reads = keyset()

    pending: list[pa.Table] = []
    pending_rows = 0
    for read in _naming_table(reads, spec.name):
        stats.batches += read.queries
        stats.zero_dates.update(read.zero_dates)
        for part in read.tables:
            if stats.fingerprint is not None:
                stats.fingerprint.add_table(_read_keys(part, spec, copy=False), spec, STAMP if spec.has_token else None)
            else:
                stats.read.append(_read_keys(part, spec))
            stats.rows += part.num_rows
            pending.append(part)
            pending_rows += part.num_rows
        if pending_rows >= LOAD_BATCH_ROWS or (max_bytes and sum(t.nbytes for t in pending) >= max_bytes):
            yield pa.concat_tables(pending)
            pending, pending_rows = [], 0
            release_free_memory()
        if time.monotonic() - last_report > 5:
            last_report = time.monotonic()
            elapsed = time.monotonic() - started
            log.info("%s: %d rows read (%.0f rows/s)", spec.name, stats.rows, stats.rows / max(elapsed, 1e-9))
    if pending:
        yield pa.concat_tables(pending)
    release_free_memory()
    stats.retries += sum(db.retries.values()) - retries_before
    stats.fallbacks += sum(db.fallbacks.values()) - fallbacks_before
    stats.seconds = time.monotonic() - started


def _read_keys(typed: pa.Table, spec: TableSpec, copy: bool = True) -> pa.Table:
    # Copies when kept: a column imported from connectorx keeps its whole batch (every column) alive.
    keep = _copy if copy else (lambda c: c)
    cols = {k: keep(typed.column(k)) for k in spec.primary_key}
    if spec.stamp:
        stamp = typed.column(spec.stamp)
        cols[STAMP] = pc.divide(stamp.cast(pa.timestamp("us")).cast(pa.int64()), 1_000_000)
    elif spec.strategy == "hash":
        cols[STAMP] = keep(typed.column(ROW_HASH_COLUMN))
    return pa.table(cols)


def _copy(column: pa.ChunkedArray) -> pa.Array:
    return (
        pa.array(column.to_numpy().copy(), type=column.type)
        if column.null_count == 0
        else pa.array(column.to_pylist(), type=column.type)
    )


def plan_batches(
    spec: TableSpec,
    snapshot: pa.Table,
    needed: pa.Array,
    chunk_size: int,
    covers: list[tuple[int, int]] | None = None,
) -> list[str]:
    """Group the needed keys into bounded ``WHERE`` clauses.

    ``snapshot`` is the source key snapshot in key order, ``needed`` a boolean mask over it. A run of
    consecutive needed keys becomes a range (``key BETWEEN a AND b``, an index range scan); scattered keys
    become ``key IN (...)`` lists. Each clause selects at most ``chunk_size`` keys. When the snapshot holds
    only the keys of some ranges (``covers``), neighbours in the snapshot may be far apart in the table:
    a range clause must then stay inside one of those ranges.
    """
    key = list(spec.primary_key)
    idx = pc.indices_nonzero(needed).to_numpy()
    if len(idx) == 0:
        return []
    clauses: list[str] = []
    if len(key) == 1:
        values = snapshot.column(key[0]).to_numpy()
        col = quote_mysql(key[0])
        starts = np.array([lo for lo, _ in covers or []], dtype=np.int64)

        def one_range(a: int, b: int) -> bool:
            return covers is None or np.searchsorted(starts, a, "right") == np.searchsorted(starts, b, "right")

        for start in range(0, len(idx), chunk_size):
            chunk = idx[start : start + chunk_size]
            first, last = int(values[chunk[0]]), int(values[chunk[-1]])
            if chunk[-1] - chunk[0] + 1 == len(chunk) and one_range(first, last):  # contiguous in key order
                clauses.append(f"{col} BETWEEN {first} AND {last}")
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


class _PageLimit:
    """Rows per query: ``chunk_size``, fewer when rows turn out wider than ``max_bytes / chunk_size`` (the
    largest row width seen so far sets it, so one wide page makes the following ones smaller)."""

    def __init__(self, chunk_size: int, max_bytes: int | None):
        self.rows, self._max_bytes = chunk_size, max_bytes
        self._lock = threading.Lock()

    def observe(self, raw: pa.Table) -> None:
        if not self._max_bytes or not raw.num_rows:
            return
        per_row = raw.nbytes / raw.num_rows
        with self._lock:
            self.rows = max(1, min(self.rows, int(self._max_bytes // per_row)))


def _naming_table(reads: Iterator[_Read], table: str) -> Iterator[_Read]:
    """A value the readers could not decode is reported with its table and column (never the value)."""
    try:
        yield from reads
    except BadSourceValue as e:
        raise ValueNotCopyable(table, e.column, e.why) from None


def to_raw_types(
    raw: pa.Table,
    table: SourceTable,
    spec: TableSpec,
    synced_at: datetime,
    zero_dates: Counter[str],
    nul_rows: Counter[str] | None = None,
) -> pa.Table:
    """Type one batch by the source schema and add the bookkeeping columns. NUL bytes, which PostgreSQL
    text cannot hold, are removed from text values; the rows so changed are counted per column."""
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
    for col in table.columns:
        try:
            arrays[col.name] = _cast_column(raw.column(col.name), col)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise ValueNotCopyable(
                table.name, col.name, f"a {col.column_type} value does not fit its raw type exactly"
            ) from None
        if col.kind == "text" and _has_nul(arrays[col.name]):
            with_nul = pc.sum(pc.match_substring(arrays[col.name], "\x00")).as_py() or 0
            arrays[col.name] = pc.replace_substring(arrays[col.name], "\x00", "")
            if nul_rows is not None:
                nul_rows[col.name] += with_nul
        flag = zero_flag_name(col.name)
        if flag in raw.column_names:
            n = pc.sum(raw.column(flag).cast(pa.int64())).as_py() or 0
        elif col.kind in ("date", "datetime", "stamp") and not col.nullable:
            n = arrays[col.name].null_count  # the SQL turned zero dates, and only them, into NULL
        else:
            n = 0
        if n:
            zero_dates[col.name] += n
    n = raw.num_rows
    if ROW_HASH_COLUMN in raw.column_names:
        arrays[ROW_HASH_COLUMN] = raw.column(ROW_HASH_COLUMN).cast(pa.int64())
    arrays[DELETED_COLUMN] = pa.array(np.zeros(n, dtype=np.bool_))
    arrays[DELETED_AT_COLUMN] = pa.nulls(n, UTC_US)
    synced_us = (synced_at - EPOCH) // timedelta(microseconds=1)
    arrays[SYNCED_AT_COLUMN] = pa.array(np.full(n, synced_us, dtype=np.int64)).cast(UTC_US)
    required = {k.lower() for k in spec.primary_key} | {DELETED_COLUMN, SYNCED_AT_COLUMN}
    schema = pa.schema([pa.field(name, a.type, nullable=name.lower() not in required) for name, a in arrays.items()])
    return pa.table(arrays, schema=schema)


def _has_nul(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any string holds a NUL byte: one pass over the value bytes, no per-row work."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    for chunk in chunks:
        if len(chunk) == 0 or chunk.null_count == len(chunk):
            continue
        offsets = np.frombuffer(
            chunk.buffers()[1], dtype=np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        )
        start, end = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        data = chunk.buffers()[2]
        if data is not None and end > start and not np.all(np.frombuffer(data, np.uint8, end - start, start)):
            return True
    return False


def _cast_column(values: pa.ChunkedArray, col: SourceColumn) -> pa.ChunkedArray:
    """The column as read (``col.raw_type.read``) cast to its Arrow type in raw_types.RAW_TYPES."""
    target = col.raw_type.arrow
    if col.kind == "stamp":  # read as epoch seconds
        return pc.multiply(values.cast(pa.int64()), 1_000_000).cast(pa.timestamp("us")).cast(target)
    read_binary = pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type)
    if pa.types.is_string(target) and read_binary:
        return values.cast(pa.large_string())  # text the driver returned as bytes
    if (pa.types.is_string(target) and pa.types.is_string(values.type)) or (
        pa.types.is_binary(target) and pa.types.is_large_binary(values.type)
    ):
        return values
    return values.cast(target)


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
