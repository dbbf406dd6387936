"""The copy's live-row counters (row_counter.py), against the real PostgreSQL: each raw table's triggers keep its
count through every kind of write, a run's count proof reads the counter instead of scanning the table, a full
comparison has a scan set a wrong counter right, a table whose triggers were dropped or disabled or that stays
locked is counted by a scan (also once they are back on: disabled and enabled again, dropped and created again),
and the triggers' function is replaced only when it is not this version's."""

from __future__ import annotations

import logging
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from conftest import mysql_execute, mysql_url
from opendental_sync import row_counter
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.registry import TableSpec
from opendental_sync.results import TableResult
from opendental_sync.row_counter import TRIGGER_EVENTS, TRIGGERS
from opendental_sync.shortcuts import COUNTED, STAMPS_READ
from opendental_sync.sync import Synchronizer
from support.compare import differences, pg_scalar

DATASET = "opendental_raw"
TABLE = f"{DATASET}.zz_note"
LIVE = f"SELECT count(*) FROM {TABLE} WHERE NOT _od_deleted"


@pytest.fixture
def notes(mysql_database: str) -> str:
    mysql_execute(
        mysql_database,
        "CREATE TABLE zz_note (NoteNum bigint PRIMARY KEY, Note varchar(40), "
        "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) ENGINE=MyISAM",
        "INSERT INTO zz_note SELECT seq, 'note', '2024-01-01 08:00:00' FROM seq_1_to_3000",
    )
    return mysql_database


@pytest.fixture
def sync(notes: str, pg_database: str, pipelines_dir: Path) -> Synchronizer:
    settings = SyncSettings(credentials=mysql_url(notes), dataset=DATASET, on_mismatch="warn")
    synchronizer = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    assert run(synchronizer).reconciliation is not None  # the first load, whose proof installs the counter
    return synchronizer


def run(sync: Synchronizer) -> TableResult:
    summary = sync.run(names=["zz_note"])
    assert summary.ok, [r.error for r in summary.results]
    return summary.results[0]


def spec_of(sync: Synchronizer) -> TableSpec:
    return sync.selected("all", ["zz_note"])[0][0]


def pg_execute(pg_url: str, *statements: str) -> None:
    with closing(psycopg2.connect(pg_url)) as conn, conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


# Each write, done in this order on what the ones before left, and how many live rows it adds (None: all removed).
WRITES: dict[str, tuple[list[str], int | None]] = {
    "insert a live row": ([f"INSERT INTO {TABLE} (note_num, _od_deleted, _od_synced_at) VALUES (-1, false, now())"], 1),
    "insert a deleted row": (
        [f"INSERT INTO {TABLE} (note_num, _od_deleted, _od_synced_at) VALUES (-2, true, now())"],
        0,
    ),
    "mark rows deleted": ([f"UPDATE {TABLE} SET _od_deleted = true WHERE note_num BETWEEN 1 AND 10"], -10),
    "mark a row live again": ([f"UPDATE {TABLE} SET _od_deleted = false WHERE note_num = 5"], 1),
    "update other columns": ([f"UPDATE {TABLE} SET note = 'edited' WHERE note_num BETWEEN 20 AND 40"], 0),
    "delete rows": ([f"DELETE FROM {TABLE} WHERE note_num BETWEEN 100 AND 199"], -100),
    "write in a replica session": (
        ["SET session_replication_role = replica", f"DELETE FROM {TABLE} WHERE note_num = 300"],
        -1,
    ),
    "a write rolled back": (
        ["SAVEPOINT s", f"DELETE FROM {TABLE} WHERE note_num > 2000", "ROLLBACK TO SAVEPOINT s"],
        0,
    ),
    "truncate": ([f"TRUNCATE {TABLE}"], None),
}


def test_the_counter_follows_every_kind_of_write_to_the_copy(sync: Synchronizer, pg_database: str) -> None:
    spec = spec_of(sync)
    assert sync.copy.counter.counted(spec) == pg_scalar(pg_database, LIVE) == 3000
    for what, (statements, adds) in WRITES.items():
        before = pg_scalar(pg_database, LIVE)
        pg_execute(pg_database, *statements)
        live = pg_scalar(pg_database, LIVE)
        assert live == (0 if adds is None else before + adds), what
        assert sync.copy.counter.counted(spec) == live, what


@pytest.mark.parametrize("written", [True, False], ids=["table written since", "table unchanged"])
def test_a_count_proof_reads_the_counter_and_a_full_comparison_sets_a_wrong_one_right(
    written: bool, sync: Synchronizer, notes: str, pg_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    pg_execute(
        pg_database, f"UPDATE {DATASET}._od_live_rows SET live_rows = live_rows + 1 WHERE table_name = 'zz_note'"
    )
    mysql_execute(notes, "UPDATE zz_note SET Note = 'changed' WHERE NoteNum = 10")
    counted = run(sync)
    # Proven by the counter, which says one row more than the table holds: the count proof fails...
    assert counted.compared == COUNTED[STAMPS_READ]
    assert counted.reconciliation is not None and not counted.reconciliation.matches
    assert counted.reconciliation.copy_rows == 3001
    # ...so the next run compares every row (finding a changed bucket, or none: the table unchanged), finds the
    # copy equal, and has a scan settle the counter.
    if written:
        mysql_execute(notes, "UPDATE zz_note SET Note = 'changed again' WHERE NoteNum = 11")
    with caplog.at_level(logging.WARNING, logger="opendental_sync.row_counter"):
        full = run(sync)
    assert full.compared != COUNTED[STAMPS_READ]
    assert full.reconciliation is not None and full.reconciliation.matches
    assert "the copy's row counter said 3001 rows, the comparison counted 3000, a scan 3000" in caplog.text
    assert sync.copy.counter.counted(spec_of(sync)) == 3000
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []


def test_a_table_locked_while_its_counter_is_installed_is_counted_by_a_scan_and_installed_later(
    sync: Synchronizer, notes: str, pg_database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(row_counter, "INSTALL_LOCK_TIMEOUT", "1s")
    pg_execute(pg_database, f"DROP TRIGGER _od_live_rows_insert ON {TABLE}")
    mysql_execute(notes, "INSERT INTO zz_note (NoteNum, Note) VALUES (3001, 'new')")
    # A VACUUM's lock (SHARE UPDATE EXCLUSIVE) held through the run: creating a trigger waits for it, then gives up.
    with closing(psycopg2.connect(pg_database)) as vacuum, vacuum.cursor() as cur:
        cur.execute(f"LOCK TABLE {TABLE} IN SHARE UPDATE EXCLUSIVE MODE")
        with caplog.at_level(logging.WARNING, logger="opendental_sync.row_counter"):
            locked = run(sync)
        vacuum.rollback()
    assert "zz_note: the copy's table stayed locked for 1s" in caplog.text
    assert locked.compared == COUNTED[STAMPS_READ]
    assert locked.reconciliation is not None and locked.reconciliation.matches  # counted by a plain scan
    assert sync.copy.counter.counted(spec_of(sync)) is None
    mysql_execute(notes, "INSERT INTO zz_note (NoteNum, Note) VALUES (3002, 'new')")
    assert run(sync).reconciliation is not None
    assert sync.copy.counter.counted(spec_of(sync)) == pg_scalar(pg_database, LIVE) == 3002


def test_a_run_replaces_the_triggers_function_only_when_it_is_not_this_versions(
    sync: Synchronizer, pg_database: str
) -> None:
    version = "SELECT xmin::text FROM pg_proc WHERE proname = '_od_count_live_rows'"
    before = pg_scalar(pg_database, version)
    run(sync)
    assert pg_scalar(pg_database, version) == before  # not written again by the second run
    pg_execute(
        pg_database,
        f"CREATE OR REPLACE FUNCTION {DATASET}._od_count_live_rows() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    )  # an older version's
    run(sync)
    assert pg_scalar(pg_database, version) != before
    pg_execute(pg_database, f"DELETE FROM {TABLE} WHERE note_num = 1")
    assert sync.copy.counter.counted(spec_of(sync)) == pg_scalar(pg_database, LIVE) == 2999  # counting again


ENABLE_ALWAYS = [f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {name}" for name in TRIGGERS]


@pytest.mark.parametrize(
    ("switch_off", "switch_on"),
    [
        ([f"DROP TRIGGER _od_live_rows_delete ON {TABLE}"], []),
        ([f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL"], []),
        # as pg_restore --disable-triggers leaves them (enabled, but not in replica sessions)
        ([f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL"], [f"ALTER TABLE {TABLE} ENABLE TRIGGER ALL"]),
        # back as they were: only their catalog rows' versions tell
        ([f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL"], ENABLE_ALWAYS),
        (
            [f"DROP TRIGGER {name} ON {TABLE}" for name in TRIGGERS],
            [
                f"CREATE TRIGGER {name} AFTER {event} ON {TABLE} {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {DATASET}._od_count_live_rows()"
                for name, (event, transition) in TRIGGER_EVENTS.items()
            ]
            + ENABLE_ALWAYS,
        ),
        # a function that counts nothing, put back by the next run (it replaces a function not its own)
        (
            [
                f"CREATE OR REPLACE FUNCTION {DATASET}._od_count_live_rows() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
            ],
            [],
        ),
    ],
    ids=[
        "dropped",
        "disabled",
        "enabled again as pg_restore does",
        "enabled again as they were",
        "created again",
        "their function replaced",
    ],
)
def test_a_table_whose_triggers_were_off_is_counted_by_a_scan_and_gets_them_back(
    switch_off: list[str], switch_on: list[str], sync: Synchronizer, notes: str, pg_database: str
) -> None:
    # A row lost from the copy while the triggers were off: the counter still says 3000.
    pg_execute(pg_database, *switch_off, f"DELETE FROM {TABLE} WHERE note_num = 7", *switch_on)
    assert pg_scalar(pg_database, f"SELECT live_rows FROM {DATASET}._od_live_rows") == 3000
    assert sync.copy.counter.counted(spec_of(sync)) is None  # not trusted
    mysql_execute(notes, "UPDATE zz_note SET Note = 'changed' WHERE NoteNum = 10")
    counted = run(sync)
    # Counted by a scan, the copy has the one row less: the proof catches it (a stale counter would have hidden it).
    assert counted.compared == COUNTED[STAMPS_READ]
    assert counted.reconciliation is not None and not counted.reconciliation.matches
    assert counted.reconciliation.copy_rows == 2999
    assert sync.copy.counter.counted(spec_of(sync)) == pg_scalar(pg_database, LIVE) == 2999
    enabled = f"SELECT count(*) FROM pg_trigger WHERE tgrelid = '{TABLE}'::regclass AND tgenabled = 'A'"
    assert pg_scalar(pg_database, enabled) == len(TRIGGERS)
    run(sync)  # and the run after heals the copy
    assert differences(notes, pg_database, DATASET, ["zz_note"]) == []


def test_counters_an_earlier_version_set_are_set_again_by_a_scan(
    sync: Synchronizer, notes: str, pg_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The counter table as the version before triggers_version made it: its counters carry no version.
    pg_execute(pg_database, f"ALTER TABLE {DATASET}._od_live_rows DROP COLUMN triggers_version")
    mysql_execute(notes, "UPDATE zz_note SET Note = 'changed' WHERE NoteNum = 10")
    with caplog.at_level(logging.INFO, logger="opendental_sync.row_counter"):
        upgraded = run(sync)
    assert "zz_note: counting the copy's rows once" in caplog.text
    assert upgraded.compared == COUNTED[STAMPS_READ]
    assert upgraded.reconciliation is not None and upgraded.reconciliation.matches
    assert sync.copy.counter.counted(spec_of(sync)) == pg_scalar(pg_database, LIVE) == 3000


def test_a_counter_table_held_locked_stops_the_upgrade_with_a_clear_error_and_the_next_run_upgrades_it(
    sync: Synchronizer, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_counter, "INSTALL_LOCK_TIMEOUT", "1s")
    pg_execute(pg_database, f"ALTER TABLE {DATASET}._od_live_rows DROP COLUMN triggers_version")
    # A write to the raw table left open (an edit by hand): its trigger holds a lock on the counter table.
    with closing(psycopg2.connect(pg_database)) as editor, editor.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE note_num = 3")
        with pytest.raises(row_counter.CounterUpgradeWaited, match="stayed locked for 1s while this version added"):
            sync.run(names=["zz_note"])
        editor.rollback()
    assert run(sync).reconciliation is not None
    assert sync.copy.counter.counted(spec_of(sync)) == pg_scalar(pg_database, LIVE) == 3000
