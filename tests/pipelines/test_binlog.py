"""Runs that take the changed keys from the binlog (sources.opendental.binlog = true), on a MariaDB of the tests'
own with the binlog on: same-second edits, stamps set back, hard deletes, FKey zeroed in place, late writes and
schema changes arrive; a purged binlog, a gap, a schema change and a missing privilege fall back to the diff with
a warning and lose nothing; a run killed at any step resumes from the saved position. Real servers, no mocks."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import psycopg2
import pytest

from opendental_demo.binlog_server import BinlogServer
from opendental_sync.binlog import Position, unavailable
from opendental_sync.buckets import key_runs
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.destination import CopyDatabase
from opendental_sync.load import CRASH_AT_ENV
from opendental_sync.results import RunSummary
from opendental_sync.shortcuts import BINLOG_KEYS, COUNTED, KEYS_AND_TOKENS, STAMPS_READ
from opendental_sync.sync import Synchronizer
from support.compare import differences, pg_scalar

ROOT = Path(__file__).resolve().parents[2]
DATASET = "opendental_raw"
TABLES = ["appointment", "securitylog", "definition"]
OLD_STAMP = "2024-01-01 08:00:00"

DDL = [
    "CREATE TABLE appointment (AptNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, PatNum bigint NOT NULL, "
    "AptStatus tinyint NOT NULL DEFAULT 1, Note text, AptDateTime datetime NOT NULL DEFAULT '0001-01-01 00:00:00', "
    "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) "
    "ENGINE=MyISAM DEFAULT CHARSET=utf8mb3",
    "CREATE TABLE securitylog (SecurityLogNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, PermType tinyint NOT NULL, "
    "UserNum bigint NOT NULL, LogText text, FKey bigint NOT NULL DEFAULT 0, "
    "LogDateTime datetime NOT NULL DEFAULT '0001-01-01 00:00:00') ENGINE=MyISAM DEFAULT CHARSET=utf8mb3",
    # A small reference table without a stamp, read whole by every run that compares by diff.
    "CREATE TABLE definition (DefNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, Category tinyint NOT NULL, "
    "ItemName varchar(255) DEFAULT '', ItemOrder smallint NOT NULL) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3",
    "INSERT INTO definition (Category, ItemName, ItemOrder) SELECT seq % 9, CONCAT('item ', seq), seq FROM seq_1_to_200",
    "INSERT INTO appointment (PatNum, AptStatus, Note, AptDateTime, DateTStamp) SELECT seq % 97, seq % 5, "
    f"CONCAT('note ', seq), '2024-01-01' + INTERVAL seq HOUR, '{OLD_STAMP}' FROM seq_1_to_3000",
    "INSERT INTO securitylog (PermType, UserNum, LogText, FKey, LogDateTime) SELECT seq % 7, seq % 13, "
    "CONCAT('edited appointment ', seq % 3000 + 1), seq % 3000 + 1, '2024-01-01' + INTERVAL seq MINUTE "
    "FROM seq_1_to_6000",
]


def execute(server: BinlogServer, database: str, *statements: str) -> None:
    with closing(server.connect(database)) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


@pytest.fixture
def source(binlog_mariadb: BinlogServer, binlog_database: str) -> str:
    execute(binlog_mariadb, binlog_database, *DDL)
    return binlog_database


def make_sync(url: str, pg_url: str, pipelines_dir: Path, **overrides: Any) -> Synchronizer:
    settings = SyncSettings(credentials=url, dataset=DATASET, binlog=True, chunk_size=1000)
    for k, v in overrides.items():
        setattr(settings, k, v)
    return Synchronizer(settings, DestinationSettings(credentials=pg_url), pipelines_dir=pipelines_dir)


def run_ok(sync: Synchronizer) -> RunSummary:
    summary = sync.run()
    assert summary.ok, [(r.table, r.status, r.error) for r in summary.results]
    return summary


def every(kind: str) -> dict[str, str]:
    return dict.fromkeys(TABLES, kind)


def compared(summary: RunSummary) -> dict[str, str | None]:
    return {r.table: r.compared for r in summary.results}


def equal(server: BinlogServer, database: str, pg_url: str) -> list[str]:
    return differences(database, pg_url, DATASET, TABLES, connect=partial(_connect, server))


def _connect(server: BinlogServer, database: str) -> Any:
    return server.connect(database)


def binlog_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "binlog" in r.getMessage()]


def test_every_kind_of_change_arrives_through_the_binlog(
    binlog_mariadb: BinlogServer, source: str, pg_database: str, pipelines_dir: Path
) -> None:
    sync = make_sync(binlog_mariadb.url(source), pg_database, pipelines_dir)
    first = run_ok(sync)
    assert compared(first) == every(KEYS_AND_TOKENS)
    state = CopyDatabase(pg_database, DATASET).bookkeeping.load_state()
    assert state["appointment"].binlog_file and state["appointment"].live_rows == 3000

    execute(
        binlog_mariadb,
        source,
        # An edit in the second the copy was read, which keeps the stamp; a stamp set back by hand.
        "UPDATE appointment SET Note = 'same second', DateTStamp = DateTStamp WHERE AptNum = 5",
        f"UPDATE appointment SET Note = 'stamped back', DateTStamp = '{OLD_STAMP}' - INTERVAL 1 DAY WHERE AptNum = 6",
        # A hard delete, and OpenDental zeroing the FKey of the log rows that pointed at it (no stamp moves).
        "DELETE FROM appointment WHERE AptNum IN (10, 11)",
        "UPDATE securitylog SET FKey = 0 WHERE FKey IN (10, 11)",
        # A late write: a new row stamped before rows the first run read; and ordinary new rows.
        f"INSERT INTO appointment (AptNum, PatNum, Note, DateTStamp) VALUES (5000, 1, 'late', '{OLD_STAMP}')",
        "INSERT INTO appointment (PatNum, Note) SELECT seq, 'new' FROM seq_1_to_20",
        "INSERT INTO securitylog (PermType, UserNum, LogText, FKey) SELECT 1, 1, 'new', seq FROM seq_1_to_30",
        # A key changed, and a row deleted and written again under its old key.
        "UPDATE appointment SET AptNum = 6000 WHERE AptNum = 12",
        "DELETE FROM securitylog WHERE SecurityLogNum = 7",
        "INSERT INTO securitylog (SecurityLogNum, PermType, UserNum, LogText, FKey) VALUES (7, 2, 2, 'again', 3)",
        # A reference table edited and trimmed (no stamp: only a diff that reads it whole would see it).
        "UPDATE definition SET ItemName = 'renamed' WHERE DefNum = 3",
        "DELETE FROM definition WHERE DefNum = 4",
    )
    second = run_ok(sync)
    assert compared(second) == every(BINLOG_KEYS)
    assert equal(binlog_mariadb, source, pg_database) == []
    appointments = next(r for r in second.results if r.table == "appointment")
    # Only the keys the binlog named were read: 5, 6, 5000, 6000, the 20 new ones (10, 11, 12 are gone).
    assert appointments.rows_extracted == 24
    assert appointments.rows_deleted == 3
    assert appointments.reconciliation is not None and appointments.reconciliation.copy_rows == 3000 - 3 + 22
    logs = next(r for r in second.results if r.table == "securitylog")
    assert logs.rows_extracted == 4 + 1 + 30  # FKey zeroed on the four rows of 10 and 11, row 7 again, 30 new
    definitions = next(r for r in second.results if r.table == "definition")
    assert (definitions.rows_extracted, definitions.rows_deleted) == (1, 1)

    # Nothing changed: nothing is read, and the run proves both tables.
    third = run_ok(sync)
    assert compared(third) == every(BINLOG_KEYS)
    assert all(r.rows_extracted == 0 for r in third.results)

    # The full comparison still runs on its schedule (stamp_check_interval_s), then the binlog again.
    sync.settings.stamp_check_interval_s = 0
    assert compared(run_ok(sync)) == every(KEYS_AND_TOKENS)
    sync.settings.stamp_check_interval_s = 86_400
    execute(binlog_mariadb, source, "UPDATE securitylog SET FKey = 0 WHERE FKey = 20")
    assert compared(run_ok(sync)) == every(BINLOG_KEYS)
    assert equal(binlog_mariadb, source, pg_database) == []


def test_a_purged_binlog_or_a_gap_falls_back_to_the_diff_and_loses_nothing(
    binlog_mariadb: BinlogServer, source: str, pg_database: str, pipelines_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sync = make_sync(binlog_mariadb.url(source), pg_database, pipelines_dir)
    run_ok(sync)
    execute(
        binlog_mariadb,
        source,
        "UPDATE appointment SET Note = 'lost with the binlog', DateTStamp = DateTStamp WHERE AptNum = 8",
        "DELETE FROM securitylog WHERE SecurityLogNum = 9",
        "FLUSH BINARY LOGS",
    )
    with closing(binlog_mariadb.connect()) as conn, conn.cursor() as cur:
        cur.execute("SHOW MASTER STATUS")
        newest = cur.fetchone()[0]
        cur.execute(f"PURGE BINARY LOGS TO '{newest}'")
    caplog.set_level(logging.INFO)
    fallback = run_ok(sync)
    assert compared(fallback) == every(KEYS_AND_TOKENS)
    warnings = binlog_warnings(caplog)
    assert any("appointment" in w and "purged" in w for w in warnings), warnings
    assert any("securitylog" in w and "purged" in w for w in warnings), warnings
    # The edit kept its old stamp, so no diff can see it (the monthly audit does). Every other change arrived, and
    # the run after the fallback follows the binlog again.
    assert equal(binlog_mariadb, source, pg_database) == ["appointment (8,): column Note differs"]
    execute(binlog_mariadb, source, "UPDATE appointment SET Note = 'seen', DateTStamp = DateTStamp WHERE AptNum = 8")
    assert compared(run_ok(sync)) == every(BINLOG_KEYS)
    assert equal(binlog_mariadb, source, pg_database) == []

    # A binlog reset (RESET MASTER, a server replaced): the saved position lies in a gap.
    caplog.clear()
    execute(binlog_mariadb, source, "RESET MASTER", "DELETE FROM appointment WHERE AptNum = 9")
    assert compared(run_ok(sync)) == every(KEYS_AND_TOKENS)
    assert any("appointment" in w and "gap" in w for w in binlog_warnings(caplog)), binlog_warnings(caplog)
    assert equal(binlog_mariadb, source, pg_database) == []


def test_a_schema_change_falls_back_for_its_table_and_the_column_reaches_raw(
    binlog_mariadb: BinlogServer, source: str, pg_database: str, pipelines_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sync = make_sync(binlog_mariadb.url(source), pg_database, pipelines_dir)
    run_ok(sync)
    execute(
        binlog_mariadb,
        source,
        "UPDATE appointment SET Note = 'before the change' WHERE AptNum = 3",
        "ALTER TABLE appointment ADD COLUMN Confirmed varchar(20) NOT NULL DEFAULT 'no'",
        "UPDATE appointment SET Confirmed = 'yes', DateTStamp = DateTStamp WHERE AptNum = 4",
        "UPDATE securitylog SET FKey = 0 WHERE SecurityLogNum = 4",
    )
    # The planner sees the new column itself too: a position saved after the ALTER still reads the table whole.
    caplog.set_level(logging.INFO)
    summary = run_ok(sync)
    assert compared(summary) == {**every(BINLOG_KEYS), "appointment": KEYS_AND_TOKENS}
    appointments = next(r for r in summary.results if r.table == "appointment")
    assert appointments.rows_extracted == 3000 and any("Confirmed" in c for c in appointments.schema_changes)
    assert pg_scalar(pg_database, f"SELECT count(*) FROM {DATASET}.appointment WHERE confirmed = 'yes'") == 1
    assert equal(binlog_mariadb, source, pg_database) == []
    assert compared(run_ok(sync)) == every(BINLOG_KEYS)

    # A TRUNCATE writes no row events: the table falls back to the diff, which after any fallback compares every
    # row's token, with the reason; its rows are marked deleted.
    caplog.clear()
    execute(binlog_mariadb, source, "TRUNCATE TABLE securitylog")
    assert compared(run_ok(sync))["securitylog"] == KEYS_AND_TOKENS
    assert any("securitylog" in w and "schema change (TRUNCATE)" in w for w in binlog_warnings(caplog))
    assert equal(binlog_mariadb, source, pg_database) == []


def test_an_account_without_replication_privileges_diffs_with_a_warning(
    binlog_mariadb: BinlogServer, source: str, pg_database: str, pipelines_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = f"reader_{source[-10:]}"
    execute(
        binlog_mariadb,
        source,
        f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'",
        f"GRANT SELECT, SHOW VIEW ON `{source}`.* TO '{user}'@'%'",
    )
    try:
        sync = make_sync(binlog_mariadb.url(source, user, "pw"), pg_database, pipelines_dir)
        caplog.set_level(logging.INFO)
        run_ok(sync)
        execute(binlog_mariadb, source, "DELETE FROM appointment WHERE AptNum = 1")
        assert compared(run_ok(sync)) == every(KEYS_AND_TOKENS)
        assert any("REPLICATION SLAVE" in w for w in binlog_warnings(caplog)), binlog_warnings(caplog)
        assert equal(binlog_mariadb, source, pg_database) == []
        assert CopyDatabase(pg_database, DATASET).bookkeeping.load_state()["appointment"].binlog_file is None

        # Granted (global privileges hold from the next connection: the next run's): the next run takes a position
        # with its diff, and the one after follows the binlog.
        execute(binlog_mariadb, source, f"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{user}'@'%'")
        sync = make_sync(binlog_mariadb.url(source, user, "pw"), pg_database, pipelines_dir)
        # Nothing deleted since: compared on the stamped keys and the row count, as without the binlog.
        assert compared(run_ok(sync))["appointment"] == COUNTED[STAMPS_READ]
        execute(binlog_mariadb, source, "DELETE FROM appointment WHERE AptNum = 2")
        assert compared(run_ok(sync)) == every(BINLOG_KEYS)
        assert equal(binlog_mariadb, source, pg_database) == []
    finally:
        execute(binlog_mariadb, source, f"DROP USER '{user}'@'%'")


def test_a_write_the_binlog_did_not_log_fails_the_count_and_the_next_run_heals_it(
    binlog_mariadb: BinlogServer, source: str, pg_database: str, pipelines_dir: Path
) -> None:
    sync = make_sync(binlog_mariadb.url(source), pg_database, pipelines_dir)
    run_ok(sync)
    # A session that turned its logging off (an administrator's maintenance): no event names this row.
    execute(binlog_mariadb, source, "SET SESSION sql_log_bin = 0", "DELETE FROM appointment WHERE AptNum = 100")
    execute(binlog_mariadb, source, "UPDATE appointment SET Note = 'x' WHERE AptNum = 200")
    summary = sync.run()
    appointments = next(r for r in summary.results if r.table == "appointment")
    assert appointments.status == "mismatch" and appointments.compared == BINLOG_KEYS
    assert appointments.error is not None and "AptNum 1-3000" in appointments.error
    healed = run_ok(sync)
    assert compared(healed)["appointment"] == KEYS_AND_TOKENS
    assert equal(binlog_mariadb, source, pg_database) == []
    assert compared(run_ok(sync))["appointment"] == BINLOG_KEYS


def test_writes_during_the_runs_are_handed_over_exactly(
    binlog_mariadb: BinlogServer, source: str, pg_database: str, pipelines_dir: Path
) -> None:
    """The front desk writes all the time: while the first (diff) run reads, and while the binlog runs read.
    Nothing written after a run's position is lost, whether that run saw it or not."""
    stop = threading.Event()

    def front_desk() -> None:
        i = 0
        with closing(binlog_mariadb.connect(source)) as conn, conn.cursor() as cur:
            while not stop.is_set():
                i += 1
                cur.execute(
                    f"UPDATE appointment SET Note = 'desk {i}', DateTStamp = DateTStamp WHERE AptNum = {i % 3000 + 1}"
                )
                cur.execute(f"INSERT INTO appointment (PatNum, Note) VALUES ({i}, 'booked')")
                cur.execute(f"DELETE FROM appointment WHERE AptNum = {(i * 7) % 3000 + 1}")
                cur.execute(f"UPDATE securitylog SET FKey = 0 WHERE SecurityLogNum = {(i * 13) % 6000 + 1}")
                time.sleep(0.002)

    sync = make_sync(binlog_mariadb.url(source), pg_database, pipelines_dir)
    writer = threading.Thread(target=front_desk)
    writer.start()
    try:
        run_ok(sync)
        assert compared(run_ok(sync)) == every(BINLOG_KEYS)
        assert compared(run_ok(sync)) == every(BINLOG_KEYS)
    finally:
        stop.set()
        writer.join()
    assert compared(run_ok(sync)) == every(BINLOG_KEYS)
    assert equal(binlog_mariadb, source, pg_database) == []


def run_process(env: dict[str, str], crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q"],
        env={**env, CRASH_AT_ENV: crash_at} if crash_at else env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def round_of_changes(r: int) -> list[str]:
    return [
        f"UPDATE appointment SET Note = 'round {r}', DateTStamp = DateTStamp WHERE AptNum % 100 = {r}",
        f"DELETE FROM appointment WHERE AptNum % 997 = {r + 3}",
        "INSERT INTO appointment (PatNum, Note) SELECT seq, 'new' FROM seq_1_to_300",
        f"UPDATE securitylog SET FKey = 0 WHERE FKey % 997 = {r + 3}",
        "INSERT INTO securitylog (PermType, UserNum, FKey) SELECT 1, 1, seq FROM seq_1_to_300",
    ]


def run_compared(pg_url: str) -> dict[str, str]:
    with closing(psycopg2.connect(pg_url)) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT table_name, compared FROM {DATASET}._od_reconciliation WHERE run_id = "
            f"(SELECT max(run_id) FROM {DATASET}._od_reconciliation)"
        )
        return dict(cur.fetchall())


@pytest.mark.parametrize("step", ["extract", "load", "finish"])
def test_a_binlog_run_killed_at_any_step_resumes_without_loss_or_duplicates(
    step: str, binlog_mariadb: BinlogServer, source: str, pg_database: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != CRASH_AT_ENV}
    env.update(
        SOURCES__OPENDENTAL__CREDENTIALS=binlog_mariadb.url(source),
        DESTINATION__POSTGRES__CREDENTIALS=pg_database,
        SOURCES__OPENDENTAL__BINLOG="true",
        SOURCES__OPENDENTAL__CHUNK_SIZE="1000",
        SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.5",
        DLT_DATA_DIR=str(tmp_path),
    )
    first = run_process(env)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    execute(binlog_mariadb, source, *round_of_changes(1))
    crashed = run_process(env, crash_at=step)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    execute(binlog_mariadb, source, *round_of_changes(2))
    done = run_process(env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert run_compared(pg_database) == every(BINLOG_KEYS)
    assert equal(binlog_mariadb, source, pg_database) == []
    for table, key in (("appointment", "apt_num"), ("securitylog", "security_log_num")):
        dupes = pg_scalar(pg_database, f"SELECT count(*) - count(DISTINCT {key}) FROM {DATASET}.{table}")
        assert dupes == 0, f"{table} has duplicated keys"


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (Position("binlog.000003", 400), None),
        (Position("binlog.000003", 9_000), "gap: position binlog.000003:9000 lies past the end of binlog.000003"),
        (
            Position("binlog.000001", 400),
            "purged: position binlog.000001:400 is gone (the oldest binlog is binlog.000002)",
        ),
        (Position("binlog.000009", 4), "gap: binlog.000009 is not among the server's binlogs"),
        (Position("other-bin.000003", 4), "gap: other-bin.000003 is not among the server's binlogs"),
    ],
)
def test_a_saved_position_is_purged_in_a_gap_or_readable(start: Position, why: str | None) -> None:
    found = unavailable(start, {"binlog.000002": 1_000, "binlog.000003": 5_000})
    assert (found is None) if why is None else (found is not None and found.startswith(why)), found


def test_positions_order_by_file_number_then_offset_and_keys_group_into_runs() -> None:
    assert Position("binlog.000009", 900).before(Position("binlog.000010", 4))
    assert not Position("binlog.000010", 4).before(Position("binlog.000009", 900))
    assert key_runs(np.array([1, 2, 3, 7, 9, 10], dtype=np.int64)) == [(1, 3), (7, 7), (9, 10)]
    assert key_runs(np.array([], dtype=np.int64)) == []
