"""What the source holds, read small: key snapshots (each key with its change token), key bounds, the keys
the stamp index finds changed, and bucket fingerprints. Every query is a bounded page (paging.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from opendental_sync.buckets import (
    Fingerprint,
    Hashed,
    fingerprint_frame,
    key_ranges,
    key_spans,
    mysql_fingerprint_query,
    source_token_sql,
)
from opendental_sync.paging import arrow_pages, key_predicate, pages
from opendental_sync.registry import TableSpec
from opendental_sync.source import SourceDatabase, in_order
from opendental_sync.source_schema import quote_mysql

STAMP = "__stamp"  # the change token (stamp in epoch seconds, or row hash) in key snapshots
MAX_RANGES_PER_QUERY = 500


def source_snapshot(db: SourceDatabase, spec: TableSpec, chunk_size: int) -> pa.Table:
    """Every key of the table (and its change token), read in keyset pages in key order."""
    key = list(spec.primary_key)
    head = f"SELECT {', '.join(_key_and_token(spec))} FROM {quote_mysql(spec.name)} WHERE "
    order = ", ".join(quote_mysql(k) for k in key)

    def page(after: tuple[Any, ...] | None, rows: int) -> pa.Table:
        return db.read_arrow(f"{head}{key_predicate(key, after)} ORDER BY {order} LIMIT {rows}")

    return _concat(spec, arrow_pages(page, key, chunk_size))


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
    hashed: Hashed = "keys and tokens",
    workers: int = 2,
    span_rows: int = 10_000,
) -> Fingerprint:
    """The source's bucket fingerprints, one aggregate query per ``span_rows`` rows at most (the chunk
    size: a query's lock time grows with its rows), ``workers`` queries at a time. ``hashed`` "keys":
    fingerprints of the keys alone (read from the key index)."""
    low, high, rows = bounds
    fp = Fingerprint(width)
    if low is None or high is None:
        return fp

    def span(bounds: tuple[int, int]) -> Fingerprint:
        # Pages of span_rows rows: a span denser than its share still holds the table only briefly.
        def page(after: int | None, n: int) -> tuple[pa.Table, Fingerprint]:
            start = bounds[0] if after is None else after + 1
            frame = db.read_small(mysql_fingerprint_query(spec, width, start, bounds[1], n, hashed))
            return frame, fingerprint_frame(frame, width)

        out = Fingerprint(width)
        for _, part in pages(
            page,
            rows_in=lambda p: p[1].rows,
            last_of=lambda p: int(max(p[0].column("last").to_pylist())),
            page_rows=span_rows,
        ):
            out.absorb(part)
        return out

    for part in in_order(span, key_spans(low, high, rows, span_rows), workers):
        fp.absorb(part)
    return fp


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


def keys_above(db: SourceDatabase, spec: TableSpec, after: int, limit: int) -> np.ndarray | None:
    """The keys above ``after`` (sorted, through the key index); None when there are more than ``limit``."""
    k = quote_mysql(spec.primary_key[0])
    keys = db.read_small(
        f"SELECT {k} AS k FROM {quote_mysql(spec.name)} WHERE {k} > {int(after)} ORDER BY {k} LIMIT {limit + 1}"
    )
    found = keys.column("k").to_numpy().astype(np.int64)
    return None if len(found) > limit else found


def stamped_by_scan(
    db: SourceDatabase,
    spec: TableSpec,
    since: int,
    bounds: tuple[int | None, int | None, int],
    limit: int,
    workers: int = 2,
    span_rows: int = 10_000,
) -> pa.Array | None:
    """Keys of the rows stamped at or after ``since`` (epoch seconds) in a table whose stamp leads no index: every
    row's stamp is read on the server, ``span_rows`` rows a query (the page's last key first, from the key index),
    ``workers`` spans at a time; only the keys found travel. None when more than ``limit`` were found."""
    assert spec.stamp is not None
    key, table = quote_mysql(spec.primary_key[0]), quote_mysql(spec.name)
    stamped = f"{quote_mysql(spec.stamp)} >= FROM_UNIXTIME({int(since)})"
    low, high, rows = bounds

    def span(bounds: tuple[int, int]) -> list[pa.Array]:
        def page(after: int | None, n: int) -> tuple[int, int, pa.Array]:
            start = bounds[0] if after is None else after + 1
            edge = db.read_small(
                f"SELECT COUNT(*) AS n, MAX(k) AS last FROM (SELECT {key} AS k FROM {table} "
                f"WHERE {key} BETWEEN {start} AND {bounds[1]} ORDER BY {key} LIMIT {n}) AS page"
            )
            count, last = (edge.column(c)[0].as_py() for c in ("n", "last"))
            if not count:
                return 0, start, pa.array([], pa.int64())
            found = db.read_small(
                f"SELECT {key} AS k FROM {table} WHERE {key} BETWEEN {start} AND {int(last)} AND {stamped}"
            )
            return int(count), int(last), found.column("k").combine_chunks().cast(pa.int64())

        return [p[2] for p in pages(page, rows_in=lambda p: p[0], last_of=lambda p: p[1], page_rows=span_rows)]

    found: list[pa.Array] = []
    for part in in_order(span, key_spans(low, high, rows, span_rows), workers):
        found.extend(part)
        if sum(len(a) for a in found) > limit:
            return None
    return pa.concat_arrays(found) if found else pa.array([], pa.int64())


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
    """Keys (and change tokens) of the source rows in the given key ranges, one query per group (and
    more pages, should a bucket hold more rows than its share)."""
    key = spec.primary_key[0]
    k = quote_mysql(key)
    head = f"SELECT {', '.join(_key_and_token(spec))} FROM {quote_mysql(spec.name)} WHERE "
    parts: list[pa.Table] = []
    for ranges in groups:
        where = " OR ".join(f"{k} BETWEEN {lo} AND {hi}" for lo, hi in ranges)

        def page(after: tuple[Any, ...] | None, rows: int, where: str = where) -> pa.Table:
            more = "" if after is None else f" AND {k} > {int(after[0])}"
            return db.read_arrow(f"{head}({where}){more} ORDER BY {k} LIMIT {rows}")

        parts.extend(arrow_pages(page, [key], chunk_size))
    return _concat(spec, parts)


def keys_snapshot(db: SourceDatabase, spec: TableSpec, keys: Sequence[int], chunk_size: int) -> pa.Table:
    """Keys (and change tokens) of the source rows among ``keys`` (sorted, single-column key), in key order:
    one ``key IN (...)`` query per ``chunk_size`` keys."""
    k = quote_mysql(spec.primary_key[0])
    head = f"SELECT {', '.join(_key_and_token(spec))} FROM {quote_mysql(spec.name)} WHERE {k} IN "
    parts = [
        db.read_arrow(f"{head}({','.join(str(int(v)) for v in keys[i : i + chunk_size])}) ORDER BY {k}")
        for i in range(0, len(keys), chunk_size)
    ]
    return _concat(spec, parts)


def empty_snapshot(spec: TableSpec) -> pa.Table:
    fields = [pa.field(k, pa.int64()) for k in spec.primary_key]
    if spec.has_token:
        fields.append(pa.field(STAMP, pa.int64()))
    return pa.table({f.name: pa.array([], f.type) for f in fields})


def _key_and_token(spec: TableSpec) -> list[str]:
    cols = [quote_mysql(k) for k in spec.primary_key]
    if (token := source_token_sql(spec)) is not None:
        cols.append(f"{token} AS {STAMP}")
    return cols


def _concat(spec: TableSpec, parts: Iterable[pa.Table]) -> pa.Table:
    """One snapshot of the non-empty pages, every integer column as int64."""
    tables = [_normalize_snapshot(p) for p in parts if p.num_rows]
    if not tables:
        return empty_snapshot(spec)
    return pa.concat_tables([t.cast(tables[0].schema) for t in tables])


def _normalize_snapshot(part: pa.Table) -> pa.Table:
    arrays = {}
    for name in part.column_names:
        col = part.column(name)
        if pa.types.is_integer(col.type) and col.type != pa.int64():
            col = col.cast(pa.int64())
        arrays[name] = col
    return pa.table(arrays)
