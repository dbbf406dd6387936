"""Bucket fingerprints: MariaDB, PostgreSQL and numpy must compute the same numbers, or every run would
see differences that are not there (or miss ones that are)."""

from __future__ import annotations

import numpy as np
import psycopg2
import pytest

from conftest import mysql_admin, mysql_url
from opendental_sync.buckets import (
    Fingerprint,
    bucket_of,
    bucket_width,
    key_ranges,
    key_spans,
)
from opendental_sync.destination import CopyDatabase
from opendental_sync.registry import TableSpec
from opendental_sync.snapshots import key_bounds, source_fingerprint
from opendental_sync.source import SourceDatabase

STAMPED = TableSpec("stamped", "high", ("id",), "stamp", stamp="stamp")
HASHED = TableSpec("stamped", "high", ("id",), "hash", hash_columns=("fkey",))

# Keys at the edges of the arithmetic: the bigint limits, negative, zero, around the prime, near 2^62.
KEYS = [
    -(2**63),
    -1_000_001,
    -513,
    -512,
    -1,
    0,
    1,
    255,
    256,
    257,
    2_147_483_646,
    2_147_483_647,
    2_147_483_648,
    2**62 + 1,
    2**63 - 1,
]
STAMPS = ["2024-01-01 00:00:00", None, "2038-01-19 03:14:07", "1970-01-01 00:00:01", "2026-11-26 12:00:00"]


@pytest.fixture
def both_sides(mysql_database: str, pg_database: str) -> tuple[str, str]:
    """The same rows in a source table and in a raw copy table shaped as the pipeline makes it."""
    rows = [(k, STAMPS[i % len(STAMPS)], None if i % 4 == 0 else k % 1000) for i, k in enumerate(KEYS)]
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE stamped (id bigint PRIMARY KEY, stamp timestamp NULL DEFAULT NULL, fkey bigint NULL) "
            "ENGINE=MyISAM"
        )
        cur.execute("SET time_zone = '+00:00'")
        cur.executemany("INSERT INTO stamped VALUES (%s, %s, %s)", rows)
        cur.execute("SELECT id, CRC32(fkey) FROM stamped")
        hashes = dict(cur.fetchall())
    conn = psycopg2.connect(pg_database)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE SCHEMA opendental_raw")
        cur.execute(
            "CREATE TABLE opendental_raw.stamped (id bigint NOT NULL, stamp timestamptz, fkey bigint, "
            "_od_row_hash bigint, _od_deleted boolean NOT NULL DEFAULT false)"
        )
        for key, stamp, fkey in rows:
            cur.execute(
                "INSERT INTO opendental_raw.stamped VALUES (%s, %s::timestamp AT TIME ZONE 'UTC', %s, %s)",
                (key, stamp, fkey, hashes[key]),
            )
        # A deleted row counts for nothing.
        cur.execute("INSERT INTO opendental_raw.stamped VALUES (42, now(), 1, 1, true)")
    conn.close()
    return mysql_database, pg_database


@pytest.mark.parametrize("spec", [STAMPED, HASHED], ids=["stamp", "hash"])
@pytest.mark.parametrize("width", [1, 256, 1 << 20, bucket_width(-(2**63), 2**63 - 1, len(KEYS))])
def test_source_copy_and_numpy_fingerprints_agree(both_sides: tuple[str, str], spec: TableSpec, width: int) -> None:
    source_db, copy_url = both_sides
    source = SourceDatabase(mysql_url(source_db))
    copy = CopyDatabase(copy_url, "opendental_raw")
    try:
        from_source = source_fingerprint(source, spec, width, key_bounds(source, spec))
        from_copy = copy.fingerprint(spec, width, None)
        snapshot = copy.snapshot(spec, True)
    finally:
        copy.close()
    live = snapshot.filter(np.invert(snapshot.column("_od_deleted").to_numpy(zero_copy_only=False)))
    from_numpy = Fingerprint(width)
    from_numpy.add_table(live, spec, "__stamp")
    assert from_source.rows == len(KEYS)
    assert from_source.buckets == from_copy.buckets == from_numpy.buckets
    assert from_source.checksum() == from_copy.checksum()


def test_a_changed_token_or_a_missing_row_changes_exactly_its_bucket(both_sides: tuple[str, str]) -> None:
    source_db, copy_url = both_sides
    source = SourceDatabase(mysql_url(source_db))
    copy = CopyDatabase(copy_url, "opendental_raw")
    with mysql_admin(source_db) as conn, conn.cursor() as cur:
        cur.execute("UPDATE stamped SET stamp = '2030-05-05 05:05:05' WHERE id = 257")
        cur.execute("DELETE FROM stamped WHERE id = -513")
    try:
        a = source_fingerprint(source, STAMPED, 256, key_bounds(source, STAMPED))
        b = copy.fingerprint(STAMPED, 256, None)
        keys_only = copy.fingerprint(STAMPED, 256, None, hashed="keys")
        keys_only_source = source_fingerprint(source, STAMPED, 256, key_bounds(source, STAMPED), hashed="keys")
    finally:
        copy.close()
    assert a.differing(b) == {1, -2}  # 257 // 256 = 1; -513 truncates toward zero to -2
    # On keys alone only the deleted row's bucket differs: a changed stamp needs the stamp index.
    assert keys_only_source.differing(keys_only) == {-2}


def test_unsettled_buckets_are_those_with_rows_stamped_since(both_sides: tuple[str, str]) -> None:
    _, copy_url = both_sides
    copy = CopyDatabase(copy_url, "opendental_raw")
    try:
        fp = copy.fingerprint(STAMPED, 256, unsettled_since=2_000_000_000)  # 2033: only the 2038 stamp
    finally:
        copy.close()
    stamped_2038 = [k for i, k in enumerate(KEYS) if STAMPS[i % len(STAMPS)] == "2038-01-19 03:14:07"]
    assert fp.unsettled == {int(bucket_of(np.array([k]), 256)[0]) for k in stamped_2038}


@pytest.mark.parametrize("width", [1, 7, 256, 10_000])
def test_key_ranges_cover_exactly_their_buckets(width: int) -> None:
    keys = np.arange(-3 * width - 5, 3 * width + 5, dtype=np.int64)
    buckets = bucket_of(keys, width)
    for b in set(buckets.tolist()):
        ((lo, hi),) = key_ranges([b], width)
        assert keys[buckets == b].min() >= lo and keys[buckets == b].max() <= hi
        inside = keys[(keys >= lo) & (keys <= hi)]
        assert set(bucket_of(inside, width).tolist()) == {b}


def test_spans_cover_every_key_once() -> None:
    spans = key_spans(5, 1_000_004, 1_000_000, 10_000)
    assert spans[0][0] == 5 and spans[-1][1] == 1_000_004
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:], strict=False))
    # Sparse keys (OpenDental's random primary keys) make few spans, not one per possible key.
    assert len(key_spans(1, 2**62, 10, 10_000)) == 1
    assert key_spans(None, None, 0, 10_000) == []


def test_a_span_denser_than_its_share_is_read_in_pages(mysql_database: str) -> None:
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE stamped (id bigint PRIMARY KEY, stamp timestamp NULL, fkey bigint) ENGINE=MyISAM")
        cur.execute("INSERT INTO stamped (id, stamp) SELECT seq, '2024-01-01 00:00:00' FROM seq_1_to_2500")
        cur.execute("INSERT INTO stamped (id, stamp) VALUES (4611686018427387904, '2024-01-01 00:00:00')")
    source = SourceDatabase(mysql_url(mysql_database))
    bounds = key_bounds(source, STAMPED)
    fp = source_fingerprint(source, STAMPED, bucket_width(*bounds), bounds, span_rows=100)
    assert fp.rows == 2501


def test_sparse_keys_give_buckets_whose_ranges_stay_inside_bigint() -> None:
    width = bucket_width(-(2**63), 2**63 - 1, 3)
    keys = np.array([-(2**63), 0, 2**63 - 1], dtype=np.int64)
    ranges = key_ranges(set(bucket_of(keys, width).tolist()), width)
    assert ranges[0][0] == -(2**63) and ranges[-1][1] == 2**63 - 1
    for k in keys.tolist():
        assert any(lo <= k <= hi for lo, hi in ranges)
