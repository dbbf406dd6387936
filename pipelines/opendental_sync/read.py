"""Reading source rows for the load: which rows (a RowSelection), in bounded pages, typed by the source schema
into Arrow, with the bookkeeping columns the raw tables carry."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.buckets import Fingerprint, source_token_sql
from opendental_sync.memory import release_free_memory
from opendental_sync.paging import arrow_pages, key_predicate
from opendental_sync.registry import TableSpec
from opendental_sync.safety import ValueNotCopyable
from opendental_sync.snapshots import STAMP, empty_snapshot
from opendental_sync.source import BadSourceValue, SourceDatabase, in_order
from opendental_sync.source_schema import ROW_HASH_COLUMN, SourceColumn, SourceTable, quote_mysql, zero_flag_name

DELETED_COLUMN = "_od_deleted"
DELETED_AT_COLUMN = "_od_deleted_at"
SYNCED_AT_COLUMN = "_od_synced_at"
UTC_US = pa.timestamp("us", tz="UTC")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Rows per Arrow table handed to dlt: source reads stay small (chunk_size), dlt gets few large items.
LOAD_BATCH_ROWS = 100_000
# Pages (queries of chunk_size rows) one read task returns at most. A key range denser than planned
# (keys dense in one part and sparse elsewhere) is read on, a page at a time, as its rows are written
# out: memory holds a few tasks' pages, however many rows one range turns out to hold.
RANGE_PAGES_PER_TASK = 10


@dataclass(frozen=True)
class WholeTable:
    """Every row, in key order (any key shape): keyset pages of ``chunk_size`` rows."""


@dataclass(frozen=True)
class KeyRanges:
    """The rows of these ranges of a single integer key, each range read in pages, ranges on parallel threads."""

    ranges: list[tuple[int, int]]


@dataclass(frozen=True)
class SelectedRows:
    """The rows a diff selected: bounded ``WHERE`` clauses (see plan_batches), read on parallel threads."""

    where: list[str]


RowSelection = WholeTable | KeyRanges | SelectedRows


@dataclass(frozen=True)
class ReadLimits:
    """How much one query reads (``chunk_size`` rows, fewer when rows are wider than ``max_bytes`` per
    query allows) and how many queries run at a time."""

    chunk_size: int
    workers: int = 2
    max_bytes: int | None = None


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

    def keep_keys(self, part: pa.Table, spec: TableSpec) -> None:
        """Remember what a typed batch held: keys and tokens, or only their fingerprints."""
        if self.fingerprint is not None:
            self.fingerprint.add_table(_read_keys(part, spec, copy=False), spec, STAMP if spec.has_token else None)
        else:
            self.read.append(_read_keys(part, spec))
        self.rows += part.num_rows


@dataclass
class _Read:
    """What one read task returns: typed batches, and counts (no row values)."""

    tables: list[pa.Table]
    zero_dates: Counter[str]
    queries: int
    rest: Iterator[pa.Table] | None = None  # the pages of a key range still to read


def read_rows(
    db: SourceDatabase,
    table: SourceTable,
    spec: TableSpec,
    rows: RowSelection,
    synced_at: datetime,
    stats: ExtractStats,
    limits: ReadLimits,
) -> Iterator[pa.Table]:
    """Read ``rows`` and yield them as typed Arrow tables of up to LOAD_BATCH_ROWS rows (and ``max_bytes``).

    Each query is bounded, and typed on the reading thread. Rows wider than planned (blobs) shrink the
    pages that follow, so that a query reads about ``max_bytes`` at most.
    """
    started = time.monotonic()
    retries_before, fallbacks_before = sum(db.retries.values()), sum(db.fallbacks.values())
    reader = _Reader(db, table, spec, synced_at, stats, limits)
    pending: list[pa.Table] = []
    for read in _naming_table(reader.reads(rows), spec.name):
        stats.batches += read.queries
        stats.zero_dates.update(read.zero_dates)
        for part in read.tables:
            stats.keep_keys(part, spec)
            pending.append(part)
        full = sum(t.num_rows for t in pending) >= LOAD_BATCH_ROWS
        if full or (limits.max_bytes and sum(t.nbytes for t in pending) >= limits.max_bytes):
            yield pa.concat_tables(pending)
            pending = []
            release_free_memory()
    if pending:
        yield pa.concat_tables(pending)
    release_free_memory()
    stats.retries += sum(db.retries.values()) - retries_before
    stats.fallbacks += sum(db.fallbacks.values()) - fallbacks_before
    stats.seconds = time.monotonic() - started


class _Reader:
    """The queries of one table's read: one ``SELECT`` head, pages bounded by a shrinking row limit."""

    def __init__(
        self,
        db: SourceDatabase,
        table: SourceTable,
        spec: TableSpec,
        synced_at: datetime,
        stats: ExtractStats,
        limits: ReadLimits,
    ):
        self.db, self.table, self.spec, self.synced_at, self.stats = db, table, spec, synced_at, stats
        self.limits, self.limit = limits, _PageLimit(limits.chunk_size, limits.max_bytes)
        select = [c.select_expression() for c in table.columns]
        select += [e for c in table.columns if (e := c.zero_date_flag_expression())]
        if spec.strategy == "hash":
            select.append(f"{source_token_sql(spec)} AS {ROW_HASH_COLUMN}")
        self.head = f"SELECT {', '.join(select)} FROM {quote_mysql(spec.name)} WHERE "
        self.key = list(spec.primary_key)
        self._counting = threading.Lock()

    def reads(self, rows: RowSelection) -> Iterator[_Read]:
        match rows:
            case SelectedRows(where):
                return in_order(lambda w: self._read([self._fetch(self.head + w)]), where, self.limits.workers)
            case KeyRanges(ranges):
                return self._with_rest(in_order(self._read_range, ranges, self.limits.workers))
            case WholeTable():
                return (self._read([page]) for page in self._keyset_pages())

    def _keyset_pages(self) -> Iterator[pa.Table]:
        order = ", ".join(quote_mysql(k) for k in self.key)

        def page(after: tuple[Any, ...] | None, n: int) -> pa.Table:
            return self._fetch(f"{self.head}{key_predicate(self.key, after)} ORDER BY {order} LIMIT {n}")

        return arrow_pages(page, self.key, lambda: self.limit.rows)

    def _range_pages(self, bounds: tuple[int, int]) -> Iterator[pa.Table]:
        k = quote_mysql(self.key[0])

        def page(after: tuple[Any, ...] | None, n: int) -> pa.Table:
            low = bounds[0] if after is None else int(after[0]) + 1
            return self._fetch(f"{self.head}{k} BETWEEN {low} AND {bounds[1]} ORDER BY {k} LIMIT {n}")

        return arrow_pages(page, self.key, lambda: self.limit.rows)

    def _read_range(self, bounds: tuple[int, int]) -> _Read:
        # At most RANGE_PAGES_PER_TASK pages on this thread; the rest of a dense range is handed back.
        pages = self._range_pages(bounds)
        read = self._read(list(itertools.islice(pages, RANGE_PAGES_PER_TASK)))
        read.rest = pages if read.queries == RANGE_PAGES_PER_TASK else None
        return read

    def _with_rest(self, reads: Iterator[_Read]) -> Iterator[_Read]:
        # The rest of a dense range is read here, one page at a time, before the next range's rows.
        for read in reads:
            yield read
            for page in read.rest or ():
                yield self._read([page])

    def _fetch(self, sql: str) -> pa.Table:
        raw = self.db.read_arrow(sql)
        self.limit.observe(raw)
        with self._counting:
            self.stats.max_query_bytes = max(self.stats.max_query_bytes, raw.nbytes)
        return raw

    def _read(self, raws: list[pa.Table]) -> _Read:
        zero: Counter[str] = Counter()
        nul: Counter[str] = Counter()
        typed = [to_raw_types(r, self.table, self.spec, self.synced_at, zero, nul) for r in raws if r.num_rows]
        if nul:
            with self._counting:
                self.stats.nul_rows.update(nul)
        return _Read(typed, zero, len(raws))


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
