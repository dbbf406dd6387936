"""The diff and the proof on hand-made snapshots (no database)."""

from __future__ import annotations

import pyarrow as pa

from opendental_sync.bounded import bounded_where
from opendental_sync.diff import checksum, compute_diff, describe_key_ranges, expected_after_load, reconcile
from opendental_sync.read import DELETED_COLUMN
from opendental_sync.registry import TableSpec
from opendental_sync.snapshots import STAMP

STAMPED = TableSpec("appointment", "high", ("AptNum",), "stamp", "DateTStamp")
APPEND = TableSpec("securitylog", "high", ("SecurityLogNum",), "append")


def source(keys: list[int], stamps: list[int | None] | None = None) -> pa.Table:
    cols: dict[str, pa.Array] = {"AptNum": pa.array(keys, pa.int64())}
    if stamps is not None:
        cols[STAMP] = pa.array(stamps, pa.int64())
    return pa.table(cols)


def copy(keys: list[int], stamps: list[int | None], deleted: list[bool]) -> pa.Table:
    return pa.table(
        {"AptNum": pa.array(keys, pa.int64()), STAMP: pa.array(stamps, pa.int64()), DELETED_COLUMN: pa.array(deleted)}
    )


def test_diff_fetches_new_changed_resurrected_and_finds_deleted() -> None:
    src = source([1, 2, 3, 4, 6], [100, 100, 150, 100, 100])
    cpy = copy([1, 2, 3, 5, 6], [100, 100, 100, 100, 100], [False, False, False, False, True])
    d = compute_diff(src, cpy, STAMPED, unsettled_since=None)
    assert d.needed.to_pylist() == [False, False, True, True, True]  # 3 changed, 4 new, 6 resurrected
    assert (d.inserted, d.updated) == (2, 1)
    assert d.deleted_keys.column("AptNum").to_pylist() == [5]


def test_rows_stamped_in_the_unsettled_second_are_read_again() -> None:
    src = source([1, 2, 3], [99, 100, 101])
    cpy = copy([1, 2, 3], [99, 100, 101], [False] * 3)
    assert compute_diff(src, cpy, STAMPED, unsettled_since=100).needed.to_pylist() == [False, True, True]
    assert compute_diff(src, cpy, STAMPED, unsettled_since=None).needed.to_pylist() == [False, False, False]


def test_null_stamps_compare_equal_and_duplicates_in_the_copy_are_refetched() -> None:
    src = source([1, 2], [None, 5])
    cpy = copy([1, 2, 2], [None, 5, 5], [False, False, False])
    d = compute_diff(src, cpy, STAMPED, unsettled_since=None)
    assert d.needed.to_pylist() == [False, True]


def test_append_strategy_fetches_only_unknown_keys() -> None:
    src = pa.table({"SecurityLogNum": pa.array([1, 2, 3], pa.int64())})
    cpy = pa.table({"SecurityLogNum": pa.array([1, 2], pa.int64()), DELETED_COLUMN: pa.array([False, False])})
    assert compute_diff(src, cpy, APPEND, unsettled_since=None).needed.to_pylist() == [False, False, True]


def test_batches_are_ranges_when_contiguous_and_in_lists_otherwise() -> None:
    src = source(list(range(10, 20)))
    needed = pa.array([True] * 4 + [False, True, False, True, True, True])
    assert bounded_where(STAMPED, src, needed, chunk_size=4) == [
        "`AptNum` BETWEEN 10 AND 13",
        "`AptNum` IN (15,17,18,19)",
    ]


def test_the_copy_must_hold_the_snapshot_patched_with_what_was_fetched() -> None:
    snapshot = source([1, 2, 3, 4], [10, 10, 10, 10])
    needed = pa.array([False, True, True, False])
    read = source([2], [20])  # 2 was fetched with a newer stamp; 3 vanished from the source meanwhile
    expected, in_flight = expected_after_load(snapshot, needed, read, STAMPED)
    assert sorted(expected.to_pylist(), key=lambda r: r["AptNum"]) == [
        {"AptNum": 1, STAMP: 10},
        {"AptNum": 2, STAMP: 20},
        {"AptNum": 4, STAMP: 10},
    ]
    assert in_flight.column("AptNum").to_pylist() == [3]
    good = copy([1, 2, 3, 4], [10, 20, 10, 10], [False] * 4)
    rec = reconcile(expected, good, STAMPED, in_flight)
    assert rec.matches and rec.in_flight == 1 and rec.source_checksum == rec.copy_checksum


def test_reconcile_names_lost_stale_extra_and_duplicated_keys() -> None:
    expected = source([1, 2, 3, 4], [10, 10, 10, 10])
    broken = copy([1, 2, 2, 4, 9], [10, 10, 10, 11, 10], [False] * 5)
    rec = reconcile(expected, broken, STAMPED)
    assert not rec.matches
    assert rec.mismatch_ranges() == "AptNum 2-4, 9"  # 2 duplicated, 3 lost, 4 stale, 9 extra
    assert (rec.source_rows, rec.copy_rows) == (4, 5)


def test_checksum_is_order_independent_and_sensitive_to_stamps() -> None:
    a = source([1, 2, 3], [5, 6, 7])
    b = source([3, 1, 2], [7, 5, 6])
    assert checksum(a, STAMPED) == checksum(b, STAMPED)
    assert checksum(a, STAMPED) != checksum(source([1, 2, 3], [5, 6, 8]), STAMPED)


def test_key_ranges_are_described_compactly() -> None:
    keys = pa.table({"AptNum": pa.array([1, 2, 3, 7, 9, 10, 20, 30, 40, 50], pa.int64())})
    assert describe_key_ranges(keys, limit=3) == "AptNum 1-3, 7, 9-10 (+4 more ranges)"
