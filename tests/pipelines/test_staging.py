"""Staged Parquet files and the ordered parallel reader: what the load overlaps with the read."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from opendental_sync.source import in_order
from opendental_sync.staging import write_parquet

STRING = pa.string()


def batch(start: int, rows: int, note_type: pa.DataType = STRING) -> pa.Table:
    notes = ["" if i % 3 == 0 else None if i % 3 == 1 else f"n{i}" for i in range(start, start + rows)]
    return pa.table({"AdjNum": pa.array(range(start, start + rows), pa.int64()), "AdjNote": pa.array(notes, note_type)})


def test_files_roll_at_the_row_limit_and_keep_empty_strings_apart_from_null(tmp_path: Path) -> None:
    staged = write_parquet([batch(0, 70), batch(70, 70), batch(140, 70)], tmp_path, max_rows=100)
    assert [n for _, n in staged.files] == [140, 70]  # a file closes once it holds max_rows or more
    back = pa.concat_tables([pq.read_table(path) for path, _ in staged.files])
    assert back.column_names == ["adj_num", "adj_note"]  # named as dlt names raw columns
    assert back.column("adj_num").to_pylist() == list(range(210))
    assert back.column("adj_note").to_pylist() == batch(0, 210).column("AdjNote").to_pylist()


def test_a_batch_of_another_schema_starts_a_new_file(tmp_path: Path) -> None:
    staged = write_parquet([batch(0, 5), batch(5, 5, pa.large_string())], tmp_path, max_rows=100)
    assert [n for _, n in staged.files] == [5, 5]
    assert staged.rows == 10


def test_in_order_keeps_item_order_and_runs_at_most_workers_at_once() -> None:
    running = 0
    most = 0
    lock = threading.Lock()
    both_started = threading.Barrier(2, timeout=10)  # items 0 and 1 must run at the same time

    def work(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        if i < 2:
            both_started.wait()
        time.sleep(0.002 * (3 - i % 3))  # later items may finish first
        with lock:
            running -= 1
        return i * i

    assert list(in_order(work, range(20), workers=2)) == [i * i for i in range(20)]
    assert most == 2


def test_in_order_raises_the_first_failure() -> None:
    def work(i: int) -> int:
        if i == 3:
            raise ValueError("item 3")
        return i

    with pytest.raises(ValueError, match="item 3"):
        list(in_order(work, range(10), workers=2))
