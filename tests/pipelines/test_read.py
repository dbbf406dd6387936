"""Reading row batches from the source (read.py): what a first load's key ranges return, and what they
hold in memory. Real MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from conftest import mysql_admin, mysql_url
from opendental_sync import read
from opendental_sync.buckets import key_spans
from opendental_sync.read import ExtractStats, KeyRanges, ReadLimits, read_rows
from opendental_sync.registry import TableSpec
from opendental_sync.snapshots import key_bounds
from opendental_sync.source import SourceDatabase

DENSE_ROWS = 6000


@pytest.fixture
def dense_and_sparse(mysql_database: str) -> str:
    """Keys 1..6000, then a few far apart: random keys switched on after years of auto-increment."""
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE fee (FeeNum bigint NOT NULL PRIMARY KEY, Amount double NOT NULL) ENGINE=MyISAM")
        cur.execute(f"INSERT INTO fee SELECT seq, seq / 100 FROM seq_1_to_{DENSE_ROWS}")
        cur.execute("INSERT INTO fee VALUES (4000000000000, 1), (7000000000000, 2), (9000000000000000000, 3)")
    return mysql_database


def test_a_range_denser_than_planned_is_read_a_few_pages_at_a_time(
    dense_and_sparse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunk, pages = 100, 2
    monkeypatch.setattr(read, "RANGE_PAGES_PER_TASK", pages)
    monkeypatch.setattr(read, "LOAD_BATCH_ROWS", chunk)  # every page is handed on as soon as it is read
    db = SourceDatabase(mysql_url(dense_and_sparse))
    spec = TableSpec("fee", "medium", ("FeeNum",), "append")
    ranges = key_spans(*key_bounds(db, spec), chunk)
    assert ranges[0][1] > DENSE_ROWS  # the first range holds every dense key: 60 pages where 1 was planned
    queries = 0
    read_arrow = SourceDatabase.read_arrow

    def counted(self: SourceDatabase, sql: str) -> pa.Table:
        nonlocal queries
        queries += 1
        return read_arrow(self, sql)

    monkeypatch.setattr(SourceDatabase, "read_arrow", counted)
    limits = ReadLimits(chunk, workers=2)
    batches = read_rows(db, db.tables()["fee"], spec, KeyRanges(ranges), datetime.now(UTC), ExtractStats(), limits)
    first = next(batches)
    # Up to 2 * workers tasks are in flight, each with at most `pages` pages: the dense range is not read
    # whole before its first rows move on.
    assert queries <= 2 * 2 * pages
    keys = first.column("FeeNum").to_pylist() + [k for b in batches for k in b.column("FeeNum").to_pylist()]
    assert keys == [*range(1, DENSE_ROWS + 1), 4000000000000, 7000000000000, 9000000000000000000]
