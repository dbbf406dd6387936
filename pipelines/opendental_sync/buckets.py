"""Bucket fingerprints: how a run finds what changed without moving every key, and proves its result.

The key space of a table is cut into buckets of ``width`` consecutive key values (``key DIV width``,
truncated toward zero). Each bucket has a fingerprint: its row count and the sum of a row hash over
(key, change token). MariaDB computes the source's fingerprints, PostgreSQL the copy's, and numpy those
of rows as this run read them, all with the same integer arithmetic, so equal buckets hold equal
(key, token) sets with high probability and only the buckets that differ are compared key by key.

The row hash is ``g * g mod p`` with ``g = (key * a + token * b + c) mod p`` over the Mersenne prime
p = 2^31 - 1: cheap in SQL, exact in 64-bit integers on all three sides, and not linear, so swapped or
shifted stamps do not cancel out. It guards against lost, stale and duplicated rows, not against an
adversary.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.registry import TableSpec
from opendental_sync.source_schema import SourceTable, quote_mysql, row_hash_expression

P = 2_147_483_647
A = 48_271
B = 16_807
C = 12_345
NO_TOKEN = -1  # a NULL stamp or hash
# What a fingerprint sums: each row's key and change token (reads the rows), or its key alone (the key index).
Hashed = Literal["keys and tokens", "keys"]
BUCKET_ROWS = 64  # average rows per bucket: a dirty bucket costs this many keys read on each side


def bucketable(spec: TableSpec, table: SourceTable) -> bool:
    """Whether the table has a single integer key (every OpenDental table has a bigint ``*Num`` key)."""
    if len(spec.primary_key) != 1:
        return False
    kinds = {c.name: c.kind for c in table.columns}
    return kinds.get(spec.primary_key[0]) == "int"


MAX_WIDTH = 1 << 62  # keeps every bucket bound inside bigint, however sparse the keys (random keys)
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def bucket_width(low: int | None, high: int | None, rows: int) -> int:
    """Key values per bucket so that a bucket holds about BUCKET_ROWS rows of the source."""
    if low is None or high is None or rows <= 0:
        return 1 << 20
    return min(MAX_WIDTH, max(1, math.ceil((high - low + 1) * BUCKET_ROWS / rows)))


@dataclass
class Fingerprint:
    """Row count and hash sum per bucket of one table (or of some of its buckets)."""

    width: int
    buckets: dict[int, tuple[int, int]] = field(default_factory=dict)
    unsettled: set[int] = field(default_factory=set)  # copy buckets with rows stamped since the last read began

    def add(self, bucket: Iterable[int], count: Iterable[int], total: Iterable[int]) -> None:
        for b, n, s in zip(bucket, count, total, strict=True):
            old_n, old_s = self.buckets.get(int(b), (0, 0))
            self.buckets[int(b)] = (old_n + int(n), old_s + int(s))

    def absorb(self, other: Fingerprint) -> None:
        """Add another fingerprint's buckets to this one (rows of one bucket may come in several parts)."""
        self.add(other.buckets, (v[0] for v in other.buckets.values()), (v[1] for v in other.buckets.values()))

    def add_rows(self, keys: np.ndarray, tokens: np.ndarray) -> None:
        """Add rows given as int64 key and token arrays (NULL tokens already NO_TOKEN)."""
        if len(keys) == 0:
            return
        g = np.fmod(np.fmod(keys, P) * A + np.fmod(tokens, P) * B + C, P)
        h = np.fmod(g * g, P)
        b = bucket_of(keys, self.width)
        order = np.argsort(b, kind="stable")
        sb, sh = b[order], h[order]
        starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
        self.add(sb[starts], np.diff(np.r_[starts, len(sb)]), np.add.reduceat(sh, starts))

    def add_table(self, snapshot: pa.Table, spec: TableSpec, token: str | None) -> None:
        """Add the rows of a key snapshot (key column, and ``token`` column when the table has one)."""
        keys = snapshot.column(spec.primary_key[0]).to_numpy(zero_copy_only=False).astype(np.int64)
        if token is None:
            tokens = np.zeros(len(keys), np.int64)
        else:
            tokens = pc.fill_null(snapshot.column(token), NO_TOKEN).to_numpy(zero_copy_only=False).astype(np.int64)
        self.add_rows(keys, tokens)

    @property
    def rows(self) -> int:
        return sum(n for n, _ in self.buckets.values())

    def checksum(self) -> str:
        """sha256 over (bucket, count, hash sum) in bucket order: equal on both sides when they are equal."""
        digest = hashlib.sha256(f"w={self.width};".encode())
        for b in sorted(self.buckets):
            n, s = self.buckets[b]
            if n:
                digest.update(f"{b}:{n}:{s};".encode())
        return digest.hexdigest()

    def differing(self, other: Fingerprint) -> set[int]:
        """Buckets whose count or hash sum differ (a bucket with no rows equals a missing one)."""
        empty = (0, 0)
        return {
            b
            for b in set(self.buckets) | set(other.buckets)
            if self.buckets.get(b, empty) != other.buckets.get(b, empty)
        }

    def without(self, buckets: set[int]) -> Fingerprint:
        return Fingerprint(self.width, {b: v for b, v in self.buckets.items() if b not in buckets})

    def merged(self, other: Fingerprint) -> Fingerprint:
        out = Fingerprint(self.width, dict(self.buckets))
        out.absorb(other)
        return out


def bucket_of(keys: np.ndarray, width: int) -> np.ndarray:
    """``key DIV width`` truncated toward zero, as MariaDB's DIV and PostgreSQL's bigint ``/`` do."""
    b = keys // width
    return b + ((keys < 0) & (keys % width != 0))


def key_ranges(buckets: Iterable[int], width: int) -> list[tuple[int, int]]:
    """Inclusive key ranges covering the buckets, adjacent buckets merged."""
    ranges: list[tuple[int, int]] = []
    for b in sorted(buckets):
        lo = max(INT64_MIN, b * width if b > 0 else b * width - (width - 1))
        hi = min(INT64_MAX, b * width + width - 1 if b >= 0 else b * width)
        if ranges and lo <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], hi))
        else:
            ranges.append((lo, hi))
    return ranges


def source_token_sql(spec: TableSpec) -> str | None:
    """A row's change token in MariaDB: its stamp in epoch seconds (NULL for none or a zero stamp), or the
    hash of its watched columns; None for a table without one. Snapshots, fingerprints and the
    ``_od_row_hash`` the copy keeps all use this one expression."""
    if spec.stamp:
        return f"NULLIF(UNIX_TIMESTAMP({quote_mysql(spec.stamp)}), 0)"
    if spec.strategy == "hash":
        return row_hash_expression(spec.hash_columns)
    return None


def mysql_token(spec: TableSpec) -> str:
    """The change token of a row in MariaDB, as a signed integer (NO_TOKEN for NULL)."""
    expr = source_token_sql(spec)
    return "0" if expr is None else f"CAST(COALESCE({expr}, {NO_TOKEN}) AS SIGNED)"


def mysql_fingerprint_query(
    spec: TableSpec, width: int, low: int, high: int, limit: int, hashed: Hashed = "keys and tokens"
) -> str:
    """Fingerprints of the first ``limit`` source rows with keys in [low, high], by bucket, and the last
    key read (``last``): the caller continues after it while a query returns ``limit`` rows. With
    tokens the rows are read (an index range scan); of keys alone, only the key index is."""
    k = quote_mysql(spec.primary_key[0])
    token = mysql_token(spec) if hashed == "keys and tokens" else "0"
    rows = (
        f"SELECT {k} AS k, {token} AS t FROM {quote_mysql(spec.name)} "
        f"WHERE {k} BETWEEN {low} AND {high} ORDER BY {k} LIMIT {limit}"
    )
    g = f"MOD(MOD(k, {P}) * {A} + MOD(t, {P}) * {B} + {C}, {P})"
    return (
        f"SELECT k DIV {width} AS b, COUNT(*) AS n, CAST(SUM(MOD({g} * {g}, {P})) AS SIGNED) AS s, MAX(k) AS last "
        f"FROM ({rows}) AS r GROUP BY b"
    )


def postgres_fingerprint_query(
    rows: str, width: int, unsettled_since: int | None, hashed: Hashed = "keys and tokens"
) -> str:
    """The copy's twin of mysql_fingerprint_query, over ``rows`` (a query of key ``k`` and token ``t``):
    fingerprints by bucket, and per bucket the rows stamped at or after ``unsettled_since`` (``u``)."""
    unsettled = f"count(*) FILTER (WHERE t >= {int(unsettled_since)})" if unsettled_since is not None else "0"
    token = "t" if hashed == "keys and tokens" else "0"
    return (
        f"SELECT b, count(*) AS n, sum((g * g) % {P})::bigint AS s, {unsettled} AS u FROM ("
        f"SELECT k / {width} AS b, t, ((k % {P}) * {A} + ({token} % {P}) * {B} + {C}) % {P} AS g FROM ("
        f"SELECT k, coalesce(t, {NO_TOKEN}) AS t FROM ({rows}) AS q) AS r) AS x GROUP BY b"
    )


def key_spans(low: int | None, high: int | None, rows: int, span_rows: int) -> list[tuple[int, int]]:
    """Key spans of about ``span_rows`` rows each (by key density) covering [low, high]; none for an
    empty table. Readers page within a span, so a span denser than its share is still read in bounded
    queries, and a bucket cut by two spans adds up."""
    if low is None or high is None or rows <= 0:
        return []
    n = max(1, math.ceil(rows / span_rows))
    step = max(1, math.ceil((high - low + 1) / n))
    return [(a, min(a + step - 1, high)) for a in range(low, high + 1, step)]


def fingerprint_frame(table: pa.Table, width: int) -> Fingerprint:
    """A Fingerprint from query results with columns b, n, s (and u: unsettled rows, copy side)."""
    fp = Fingerprint(width)
    if table.num_rows:
        fp.add(*(table.column(c).to_pylist() for c in ("b", "n", "s")))
        if "u" in table.column_names:
            u = table.column("u").to_pylist()
            fp.unsettled = {int(b) for b, x in zip(table.column("b").to_pylist(), u, strict=True) if x}
    return fp


def key_runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """Sorted unique keys as inclusive runs of consecutive keys (``1,2,3,7`` -> ``(1, 3), (7, 7)``)."""
    if len(keys) == 0:
        return []
    breaks = np.flatnonzero(np.diff(keys) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(keys) - 1]])
    return [(int(keys[a]), int(keys[b])) for a, b in zip(starts, ends, strict=True)]
