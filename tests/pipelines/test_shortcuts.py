"""The shortcuts that make a run cost what changed (shortcuts.py), each against the real MariaDB: a MyISAM table
nobody wrote since the last proven run is not read, whatever statement writes it next; where the write time
cannot be trusted (InnoDB, memory-mapped MyISAM) the table is compared in full; securitylog's FKey, zeroed by
OpenDental when the object it points at is deleted, is re-read for exactly those rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pyarrow as pa
import pymysql  # type: ignore[import-untyped]
import pytest

from conftest import MYSQL_HOST, MYSQL_PASSWORD, MYSQL_PORT, MYSQL_USER, mysql_admin, mysql_url
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.registry import TableSpec
from opendental_sync.results import RunSummary, TableResult
from opendental_sync.shortcuts import (
    COUNTED,
    KEYS_AND_DELETED_POINTERS,
    KEYS_AND_STAMP_INDEX,
    KEYS_AND_TOKENS,
    NOT_WRITTEN,
    STAMPS_READ,
    WRITE_MARGIN_S,
)
from opendental_sync.snapshots import key_bounds, stamped_by_scan
from opendental_sync.source import SourceDatabase
from opendental_sync.sync import Synchronizer
from support.compare import differences

DATASET = "opendental_raw"
MYSQL = {"host": MYSQL_HOST, "port": MYSQL_PORT, "user": MYSQL_USER, "password": MYSQL_PASSWORD}
NOTES = (
    "CREATE TABLE zz_note (NoteNum bigint PRIMARY KEY, Note varchar(40), Amount double, "
    "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) ENGINE={engine}"
)


def make_sync(database: str, pg_url: str, pipelines_dir: Path, chunk_size: int = 10_000) -> Synchronizer:
    settings = SyncSettings(credentials=mysql_url(database), dataset=DATASET, chunk_size=chunk_size)
    return Synchronizer(settings, DestinationSettings(credentials=pg_url), pipelines_dir=pipelines_dir)


def execute(database: str, *statements: str) -> None:
    with (
        closing(pymysql.connect(**MYSQL, database=database, autocommit=True, local_infile=True)) as conn,
        conn.cursor() as cur,
    ):
        for statement in statements:
            cur.execute(statement)


def result(summary: RunSummary, table: str) -> TableResult:
    assert summary.ok, [(r.table, r.error) for r in summary.results]
    return next(r for r in summary.results if r.table == table)


def age_writes() -> None:
    """Let the last write age past the margin: a write within it of a run's start counts as after it."""
    time.sleep(WRITE_MARGIN_S + 1.1)


def quiet_run(sync: Synchronizer) -> TableResult:
    """A run with nothing written since the last one began (nor within the margin before it)."""
    age_writes()
    return result(sync.run(names=["zz_note"]), "zz_note")


@pytest.fixture
def notes(mysql_database: str) -> str:
    execute(
        mysql_database,
        NOTES.format(engine="MyISAM"),
        # Stamped before the hour a run looks back on (stamp_overlap_s), as most of a clinic's rows are.
        "INSERT INTO zz_note SELECT seq, 'note', seq, '2024-01-01 08:00:00' FROM seq_1_to_3000",
    )
    age_writes()
    return mysql_database


WRITES = {
    "insert": ["INSERT INTO zz_note (NoteNum, Note, Amount) VALUES (5000, 'new', 1)"],
    "update": ["UPDATE zz_note SET Amount = Amount + 1 WHERE NoteNum = 17"],
    "delete": ["DELETE FROM zz_note WHERE NoteNum = 18"],
    "replace": ["REPLACE INTO zz_note (NoteNum, Note, Amount) VALUES (19, 'replaced', 19)"],
    "load data": ["LOAD DATA LOCAL INFILE '{rows}' INTO TABLE zz_note (NoteNum, Note, Amount)"],
    "lock tables": [
        "LOCK TABLES zz_note WRITE",
        "UPDATE zz_note SET Note = 'locked' WHERE NoteNum = 20",
        "UNLOCK TABLES",
    ],
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_table_not_written_since_the_last_proven_run_is_not_read_until_a_write(
    write: str, notes: str, pg_database: str, pipelines_dir: Path, tmp_path: Path
) -> None:
    sync = make_sync(notes, pg_database, pipelines_dir, chunk_size=500)
    assert result(sync.run(names=["zz_note"]), "zz_note").rows_extracted == 3000
    skipped = quiet_run(sync)
    assert skipped.compared == NOT_WRITTEN and skipped.rows_extracted == 0
    assert skipped.reconciliation is not None and skipped.reconciliation.source_rows == 3000
    rows = tmp_path / "rows.tsv"
    rows.write_text("6000\tloaded\t1\n")
    execute(notes, *(statement.format(rows=rows) for statement in WRITES[write]))
    # The write is newer than the last proven run: the table is compared again, at once (same second too); its
    # row count shows no delete but after the DELETE, so the others compare only the rows stamped since.
    after = result(sync.run(names=["zz_note"]), "zz_note")
    assert after.compared == (KEYS_AND_TOKENS if write == "delete" else COUNTED[STAMPS_READ])
    assert after.rows_inserted + after.rows_updated + after.rows_deleted == 1
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []


def test_a_copy_that_failed_its_proof_is_compared_again_even_if_nobody_wrote(
    notes: str, pg_database: str, pipelines_dir: Path
) -> None:
    sync = make_sync(notes, pg_database, pipelines_dir, chunk_size=500)
    result(sync.run(names=["zz_note"]), "zz_note")
    spec = sync.selected("all", ["zz_note"])[0][0]
    sync.copy.mark_deleted(spec, pa.table({"NoteNum": pa.array([7], pa.int64())}))  # the copy edited by hand
    sync.settings.on_mismatch = "warn"
    # Not written, but the daily check is due (interval 0): compared in full, the mismatch found and healed next.
    sync.settings.stamp_check_interval_s = 0
    assert quiet_run(sync).compared == KEYS_AND_TOKENS
    sync.settings.stamp_check_interval_s = 86_400
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []


@pytest.fixture
def mmap_on() -> Iterator[None]:
    with mysql_admin() as conn, conn.cursor() as cur:
        cur.execute("SET GLOBAL myisam_use_mmap = ON")
    try:
        yield
    finally:
        with mysql_admin() as conn, conn.cursor() as cur:
            cur.execute("SET GLOBAL myisam_use_mmap = OFF")


# With mmap on, a global setting of the shared server: run alone (scripts/test.sh runs the serial tests last).
@pytest.mark.parametrize("engine", ["InnoDB", "Aria", pytest.param("MyISAM with mmap", marks=pytest.mark.serial)])
def test_where_the_write_time_cannot_be_trusted_every_run_compares(
    engine: str, mysql_database: str, pg_database: str, pipelines_dir: Path, request: pytest.FixtureRequest
) -> None:
    if engine == "MyISAM with mmap":
        request.getfixturevalue("mmap_on")
    execute(
        mysql_database,
        NOTES.format(engine=engine.split()[0]),
        "INSERT INTO zz_note (NoteNum, Note, Amount) SELECT seq, 'n', seq FROM seq_1_to_50",
    )
    age_writes()
    sync = make_sync(mysql_database, pg_database, pipelines_dir)
    result(sync.run(names=["zz_note"]), "zz_note")
    # Memory-mapped MyISAM still counts its rows exactly: its rows stamped since are compared, and the count.
    counted = engine == "MyISAM with mmap"
    assert quiet_run(sync).compared == (COUNTED[STAMPS_READ] if counted else KEYS_AND_TOKENS)


SECURITY = [
    "CREATE TABLE appointment (AptNum bigint PRIMARY KEY, PatNum bigint, "
    "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) ENGINE=MyISAM",
    "CREATE TABLE securitylog (SecurityLogNum bigint PRIMARY KEY, PermType tinyint, FKey bigint, "
    "LogText text) ENGINE=MyISAM",
    "INSERT INTO appointment (AptNum, PatNum) SELECT seq, seq FROM seq_1_to_400",
    "INSERT INTO securitylog SELECT seq, 1, seq % 400 + 1, 'edited' FROM seq_1_to_4000",
]


def test_securitylog_rows_pointing_at_a_deleted_appointment_show_fkey_0_next_run(
    mysql_database: str, pg_database: str, pipelines_dir: Path
) -> None:
    execute(mysql_database, *SECURITY)
    sync = make_sync(mysql_database, pg_database, pipelines_dir, chunk_size=500)
    tables = ["securitylog", "appointment"]  # planned appointment first, whatever the order asked
    assert sync.run(names=tables).ok
    # OpenDental deletes an appointment and zeroes the FKey of its securitylog rows in place.
    execute(
        mysql_database, "DELETE FROM appointment WHERE AptNum = 123", "UPDATE securitylog SET FKey = 0 WHERE FKey = 123"
    )
    summary = sync.run(names=tables)
    log = result(summary, "securitylog")
    assert log.compared == COUNTED[KEYS_AND_DELETED_POINTERS] and log.rows_updated == 10
    assert result(summary, "appointment").rows_deleted == 1
    assert differences(mysql_database, pg_database, DATASET, ["securitylog", "appointment"]) == []

    # An appointment deleted in a run that reads its table whole (a new column): its deletions are found only
    # after the load, so securitylog compares every row's FKey this run.
    execute(
        mysql_database,
        "ALTER TABLE appointment ADD COLUMN IsMirrored tinyint NOT NULL DEFAULT 0",
        "DELETE FROM appointment WHERE AptNum = 124",
        "UPDATE securitylog SET FKey = 0 WHERE FKey = 124",
    )
    summary = sync.run(names=tables)
    log = result(summary, "securitylog")
    assert log.compared == KEYS_AND_TOKENS and log.rows_updated == 10
    assert differences(mysql_database, pg_database, DATASET, ["securitylog", "appointment"]) == []

    # An FKey edited otherwise is not looked for between daily checks; the daily check finds it.
    execute(mysql_database, "UPDATE securitylog SET FKey = 999 WHERE SecurityLogNum = 7")
    assert result(sync.run(names=tables), "securitylog").rows_updated == 0
    sync.settings.stamp_check_interval_s = 0
    full = result(sync.run(names=tables), "securitylog")
    assert full.compared == KEYS_AND_TOKENS and full.rows_updated == 1
    assert differences(mysql_database, pg_database, DATASET, ["securitylog", "appointment"]) == []


@pytest.mark.parametrize("stamp", ["read", "indexed"])
def test_a_table_whose_row_count_shows_no_delete_is_compared_on_its_stamped_and_new_keys_alone(
    stamp: str, notes: str, pg_database: str, pipelines_dir: Path
) -> None:
    if stamp == "indexed":
        execute(notes, "ALTER TABLE zz_note ADD KEY stamp (DateTStamp)")
    changed, keys = (STAMPS_READ, KEYS_AND_TOKENS) if stamp == "read" else (KEYS_AND_STAMP_INDEX,) * 2
    sync = make_sync(notes, pg_database, pipelines_dir, chunk_size=500)
    result(sync.run(names=["zz_note"]), "zz_note")
    execute(
        notes,
        "INSERT INTO zz_note (NoteNum, Note, Amount) VALUES (5001, 'new', 1)",
        "UPDATE zz_note SET Amount = -1 WHERE NoteNum = 17",
    )
    counted = result(sync.run(names=["zz_note"]), "zz_note")
    assert counted.compared == COUNTED[changed]
    assert (counted.rows_extracted, counted.rows_inserted, counted.rows_updated) == (2, 1, 1)
    assert counted.reconciliation is not None and counted.reconciliation.source_rows == 3001
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []

    # A row inserted below the highest key with an old stamp: neither the stamp nor the new keys name it, but the
    # row count does, and every key is compared.
    execute(notes, "INSERT INTO zz_note VALUES (4000, 'imported', 4, '2020-01-01 00:00:00')")
    found = result(sync.run(names=["zz_note"]), "zz_note")
    assert found.compared == keys and found.rows_inserted == 1
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []

    # What the count cannot see: such an insert and a delete in one run. The daily check finds both.
    execute(
        notes,
        "INSERT INTO zz_note VALUES (4001, 'imported', 4, '2020-01-01 00:00:00')",
        "DELETE FROM zz_note WHERE NoteNum = 5",
    )
    assert result(sync.run(names=["zz_note"]), "zz_note").compared == COUNTED[changed]
    missed = ["zz_note (4001,): missing in copy", "zz_note (5,): live in copy, not in source"]
    assert sorted(differences(notes, pg_database, DATASET, ["zz_note"])) == sorted(missed)
    sync.settings.stamp_check_interval_s = 0
    healed = result(sync.run(names=["zz_note"]), "zz_note")
    assert healed.compared == KEYS_AND_TOKENS and (healed.rows_inserted, healed.rows_deleted) == (1, 1)
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []


def test_reading_the_stamps_finds_every_stamped_key_in_bounded_pages(notes: str) -> None:
    # A dense run of keys and a sparse tail: the first key span holds 3000 rows, read in pages of 500.
    execute(
        notes,
        "INSERT INTO zz_note SELECT seq, 'far', seq, '2024-01-01 08:00:00' FROM seq_1000000_to_1000050",
        "UPDATE zz_note SET Amount = -1 WHERE NoteNum IN (1, 501, 1777, 3000, 1000049)",
    )
    db = SourceDatabase(mysql_url(notes))
    spec = TableSpec("zz_note", "low", ("NoteNum",), "stamp", "DateTStamp")
    bounds = key_bounds(db, spec)
    since = int(time.time()) - 600
    found = stamped_by_scan(db, spec, since, bounds, limit=10, workers=2, span_rows=500)
    assert found is not None and sorted(found.to_pylist()) == [1, 501, 1777, 3000, 1000049]
    assert stamped_by_scan(db, spec, since, bounds, limit=3, workers=2, span_rows=500) is None  # a mass re-stamp
