"""Dropped connections during a run: the source connection killed mid-table, the PostgreSQL load connection
terminated mid-load. Each run must end with the copy equal to the source and its log telling what happened."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest

from conftest import PG_ADMIN_URL, mysql_admin, mysql_url
from opendental_sync import load as load_module
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.run_lock import RunLockLost
from opendental_sync.sync import Synchronizer
from support.compare import differences, pg_scalar

DATASET = "opendental_raw"


def make_source(database: str, rows: int) -> None:
    with mysql_admin(database) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE commlog (CommlogNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, PatNum bigint NOT NULL, "
            "Note text, CommDateTime datetime NOT NULL DEFAULT '0001-01-01 00:00:00', "
            "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) "
            "ENGINE=MyISAM DEFAULT CHARSET=utf8mb3"
        )
        cur.execute(
            "INSERT INTO commlog (PatNum, Note, CommDateTime, DateTStamp) "
            f"SELECT seq % 1000, REPEAT('c', 100 + seq % 400), '2024-01-01' + INTERVAL seq MINUTE, "
            f"'2024-06-01' FROM seq_1_to_{rows}"
        )


def make_sync(database: str, pg_url: str, pipelines_dir: Path, retry_first_delay_s: float = 0.2) -> Synchronizer:
    settings = SyncSettings(credentials=mysql_url(database), dataset=DATASET)
    settings.chunk_size = 2000
    settings.retry_first_delay_s = retry_first_delay_s
    return Synchronizer(settings, DestinationSettings(credentials=pg_url), pipelines_dir=pipelines_dir)


class Saboteur(threading.Thread):
    """Watches for our queries and kills the connection running one, ``times`` times."""

    def __init__(self, find_and_kill: Callable[[], bool], times: int) -> None:
        super().__init__(daemon=True)
        self.find_and_kill = find_and_kill
        self.times = times
        self.kills = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.kills < self.times:
            if self.find_and_kill():
                self.kills += 1
                time.sleep(0.3)


@contextmanager
def sabotage(find_and_kill: Callable[[], bool], times: int = 1) -> Iterator[Saboteur]:
    """Run a Saboteur while the body runs; it is stopped and joined however the body ends."""
    saboteur = Saboteur(find_and_kill, times)
    saboteur.start()
    try:
        yield saboteur
    finally:
        saboteur.stop.set()
        saboteur.join()


def test_source_connection_killed_mid_table(mysql_database: str, pg_database: str, pipelines_dir: Path) -> None:
    make_source(mysql_database, 150_000)
    watcher, locker = mysql_admin(), mysql_admin(mysql_database)
    seen: set[int] = set()
    state = {"locked": False}

    def our_reads(waiting: bool) -> list[int]:
        with watcher.cursor() as cur:
            cur.execute(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s AND INFO LIKE 'SELECT%%FROM `commlog`%%' "
                "AND ID <> CONNECTION_ID()" + (" AND STATE LIKE '%%lock%%'" if waiting else ""),
                (mysql_database,),
            )
            return [int(r[0]) for r in cur.fetchall()]

    def kill_a_reader_mid_table() -> bool:
        # After a few reads of the table, take a write lock (as the front desk would): the next read waits
        # for it, and is certainly running when it is killed. Then let go of the lock.
        if not state["locked"]:
            seen.update(our_reads(waiting=False))
            if len(seen) >= 5:
                with locker.cursor() as cur:
                    cur.execute("LOCK TABLES commlog WRITE")
                state["locked"] = True
            return False
        waiting = our_reads(waiting=True)
        if not waiting:
            return False
        with watcher.cursor() as cur:
            cur.execute(f"KILL CONNECTION {waiting[0]}")
        with locker.cursor() as cur:
            cur.execute("UNLOCK TABLES")
        return True

    try:
        with sabotage(kill_a_reader_mid_table) as saboteur:
            summary = make_sync(mysql_database, pg_database, pipelines_dir).run()
    finally:
        watcher.close()
        locker.close()
    assert saboteur.kills == 1, "the test never caught a source read to kill"
    assert summary.ok, [r.error for r in summary.results]
    assert differences(mysql_database, pg_database, DATASET, ["commlog"]) == []
    # The run log says the table was read through a dropped connection, resumed at the failed chunk.
    assert pg_scalar(pg_database, f"SELECT sum(retries) FROM {DATASET}._od_run_log WHERE table_name = 'commlog'") == 1


def assert_run_log_tells_of_a_retry(pg_database: str) -> None:
    """The run log tells: either dlt retried the dropped load job, or the table failed and was retried."""
    where = f"FROM {DATASET}._od_run_log WHERE table_name = 'commlog'"
    retries = pg_scalar(pg_database, f"SELECT retries {where}")
    error = pg_scalar(pg_database, f"SELECT coalesce(error, '') {where}")
    assert retries >= 1 or error.startswith("recovered after attempt 1")


def test_postgres_load_connection_terminated_mid_load(
    mysql_database: str, pg_database: str, pipelines_dir: Path
) -> None:
    make_source(mysql_database, 150_000)
    database = pg_database.rsplit("/", 1)[1]
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True

    def terminate_loader() -> bool:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND state = 'active' "
                "AND (query ILIKE 'COPY%%commlog%%FROM%%' OR query ILIKE 'INSERT%%commlog%%')",
                (database,),
            )
            return any(r[0] for r in cur.fetchall())

    try:
        with sabotage(terminate_loader) as saboteur:
            summary = make_sync(mysql_database, pg_database, pipelines_dir).run()
    finally:
        admin.close()
    if saboteur.kills == 0:
        pytest.fail("the test never caught a load statement to terminate")
    assert summary.ok, [r.error for r in summary.results]
    assert differences(mysql_database, pg_database, DATASET, ["commlog"]) == []
    assert_run_log_tells_of_a_retry(pg_database)


def restart_postgres() -> None:
    """Restart the local PostgreSQL server (what a crash or an update of the server does to our run)."""
    clusters = sorted(Path("/etc/postgresql").glob("*/main"))
    if not clusters or shutil.which("pg_ctlcluster") is None:
        pytest.fail("this test restarts the local PostgreSQL with pg_ctlcluster, which is not on this machine")
    version = clusters[-1].parent.name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
    )


@pytest.mark.serial  # restarts the server every other test shares: run alone, after the rest
def test_postgres_restarted_mid_load(
    mysql_database: str, pg_database: str, pipelines_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_source(mysql_database, 150_000)
    database = pg_database.rsplit("/", 1)[1]

    def restart_during_copy() -> bool:
        try:
            with psycopg2.connect(PG_ADMIN_URL) as admin, admin.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                    "AND query ILIKE 'COPY%%commlog%%FROM%%'",
                    (database,),
                )
                loading = cur.fetchone()[0] > 0
        except psycopg2.OperationalError:
            return False
        if loading:
            restart_postgres()
        return loading

    # The server takes a moment to accept connections again.
    sync = make_sync(mysql_database, pg_database, pipelines_dir, retry_first_delay_s=2.0)
    caplog.set_level("WARNING", logger="opendental_sync.destination")
    with sabotage(restart_during_copy) as saboteur:
        summary = sync.run()
    if saboteur.kills == 0:
        pytest.fail("the test never caught a load to restart the server under")
    assert summary.ok, [r.error for r in summary.results]
    assert differences(mysql_database, pg_database, DATASET, ["commlog"]) == []
    assert_run_log_tells_of_a_retry(pg_database)
    # The restart dropped the session holding the run lock: the run took the lock again before writing on.
    assert "taking the lock again" in caplog.text


def test_a_run_whose_lock_another_run_took_during_a_restart_stops_writing(
    mysql_database: str, pg_database: str, pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_source(mysql_database, 150_000)
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        for name in ("zz_one", "zz_two"):  # two more tables, each loaded in a group of its own
            cur.execute(f"CREATE TABLE {name} (Num bigint NOT NULL PRIMARY KEY, Note text) ENGINE=MyISAM")
            cur.execute(f"INSERT INTO {name} SELECT seq, 'n' FROM seq_1_to_100")
    monkeypatch.setattr(load_module, "GROUP_ROWS", 1)
    database = pg_database.rsplit("/", 1)[1]
    other_run = psycopg2.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}")
    other_run.autocommit = True
    lock = "hashtext('opendental_sync:opendental_raw')"

    def drop_our_lock_and_take_it() -> bool:
        # Mid-load, the session holding our lock goes (as in a restart), and another run takes the lock.
        with other_run.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                "AND query ILIKE 'COPY%%commlog%%FROM%%'",
                (database,),
            )
            if cur.fetchone()[0] == 0:
                return False
            # Waits (up to 5 s) until the session is gone, and its lock with it.
            cur.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                f"AND objid = ({lock})::oid AND pid <> pg_backend_pid() "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            if not any(r[0] for r in cur.fetchall()):
                return False
            cur.execute(f"SELECT pg_try_advisory_lock({lock})")
            if not cur.fetchone()[0]:
                pytest.fail("the lock was not free right after its session ended")
            return True

    sync = make_sync(mysql_database, pg_database, pipelines_dir)
    try:
        with sabotage(drop_our_lock_and_take_it) as saboteur, pytest.raises(RunLockLost, match="another run took it"):
            sync.run()
        assert saboteur.kills == 1, "the test never caught a load to drop the lock under"
        # The COPY under way when the lock went may land; at the next check the run stops for good: the
        # groups queued behind it load nothing, and nothing is proven or logged.
        for name in ("zz_one", "zz_two"):
            assert pg_scalar(pg_database, f"SELECT count(*) FROM {DATASET}.{name}") == 0
        assert pg_scalar(pg_database, f"SELECT count(*) FROM {DATASET}._od_run_log") == 0
        assert pg_scalar(pg_database, f"SELECT count(*) FROM {DATASET}._od_reconciliation") == 0
    finally:
        other_run.close()  # the other run ends; its lock goes with its session
    summary = make_sync(mysql_database, pg_database, pipelines_dir).run()
    assert summary.ok, [r.error for r in summary.results]
    assert differences(mysql_database, pg_database, DATASET, ["commlog", "zz_one", "zz_two"]) == []
