"""A run killed at any point (SIGKILL, no cleanup) leaves nothing that the next run does not fix:
nothing lost, nothing duplicated. The pipeline runs as a real process here, as a scheduler would start it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from conftest import mysql_admin, mysql_url
from opendental_sync.load import CRASH_AT_ENV
from support.compare import differences, pg_scalar

ROOT = Path(__file__).resolve().parents[2]
DATASET = "opendental_raw"
TABLES = ["visit", "audit"]


def make_source(database: str, rows: int) -> None:
    with mysql_admin(database) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE visit (VisitNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, PatNum bigint NOT NULL, "
            "Fee double NOT NULL, Note text, VisitDate date NOT NULL DEFAULT '0001-01-01', "
            "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) "
            "ENGINE=MyISAM DEFAULT CHARSET=utf8mb3"
        )
        cur.execute(
            "INSERT INTO visit (PatNum, Fee, Note, VisitDate, DateTStamp) "
            f"SELECT seq % 997, seq / 7, REPEAT('n', seq % 200), '2024-01-01' + INTERVAL seq % 700 DAY, "
            f"'2024-06-01 00:00:00' FROM seq_1_to_{rows}"
        )
        cur.execute(
            "CREATE TABLE audit (AuditNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, LogText text) ENGINE=MyISAM"
        )
        cur.execute(f"INSERT INTO audit (LogText) SELECT CONCAT('event ', seq) FROM seq_1_to_{rows // 2}")


def change_source(database: str, round_: int) -> None:
    with mysql_admin(database) as conn, conn.cursor() as cur:
        cur.execute(f"UPDATE visit SET Fee = Fee + 1 WHERE VisitNum % 50 = {round_}")
        cur.execute(f"DELETE FROM visit WHERE VisitNum % 997 = {round_ + 3}")
        cur.execute("INSERT INTO visit (PatNum, Fee) SELECT seq, seq FROM seq_1_to_300")
        cur.execute("INSERT INTO audit (LogText) SELECT 'more' FROM seq_1_to_300")


def pipeline_env(database: str, pg_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SOURCES__OPENDENTAL__CREDENTIALS=mysql_url(database),
        DESTINATION__POSTGRES__CREDENTIALS=pg_url,
        SOURCES__OPENDENTAL__CHUNK_SIZE="5000",
        SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.5",
        DLT_DATA_DIR=str(data_dir),
    )
    env.pop(CRASH_AT_ENV, None)
    return env


def run_pipeline(env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_converged(database: str, pg_url: str, env: dict[str, str]) -> None:
    done = run_pipeline(env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert differences(database, pg_url, DATASET, TABLES) == []
    for table, key in (("visit", "visit_num"), ("audit", "audit_num")):
        dupes = pg_scalar(
            pg_url,
            f"SELECT count(*) - count(DISTINCT {key}) FROM {DATASET}.{table}",  # noqa: S608
        )
        assert dupes == 0, f"{table} has duplicated keys"


@pytest.mark.parametrize("step", ["extract", "normalize", "load", "finish"])
def test_killed_at_each_step_then_converges(step: str, mysql_database: str, pg_database: str, tmp_path: Path) -> None:
    make_source(mysql_database, 30_000)
    env = pipeline_env(mysql_database, pg_database, tmp_path)
    # Kill the first (full) load, then a later incremental run, at the same step.
    for round_ in range(2):
        crashed = subprocess.run(
            [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q"],
            env={**env, CRASH_AT_ENV: step},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
        assert_converged(mysql_database, pg_database, env)
        change_source(mysql_database, round_)


def run_lock_held(pg_url: str) -> bool:
    """A run holds its advisory lock on the copy from its start to its end (the run log written last)."""
    return bool(
        pg_scalar(
            pg_url,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
    )


def results_logged(pg_url: str) -> int:
    """Rows in the run log: a run that ends writes one per table."""
    if pg_scalar(pg_url, f"SELECT to_regclass('{DATASET}._od_run_log') IS NULL"):
        return 0
    return int(pg_scalar(pg_url, f"SELECT count(*) FROM {DATASET}._od_run_log"))


def wait_for_the_run_lock(proc: subprocess.Popen[bytes], pg_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not run_lock_held(pg_url):
        assert proc.poll() is None, f"the run ended (exit {proc.returncode}) before it took its lock"
        assert time.monotonic() < deadline, f"the run took no lock in {timeout}s"
        time.sleep(0.02)


def test_killed_at_random_moments_then_converges(mysql_database: str, pg_database: str, tmp_path: Path) -> None:
    make_source(mysql_database, 60_000)
    # Reads of 2,000 rows: each run, full or incremental, holds its lock for some 3 s here (about 1.5 s at
    # 5,000), longer than the kill window below, so that every kill finds the run still going.
    env = {**pipeline_env(mysql_database, pg_database, tmp_path), "SOURCES__OPENDENTAL__CHUNK_SIZE": "2000"}
    rng = random.Random(20261126)
    kills: list[tuple[float, bool]] = []  # (seconds into the run, landed mid-run)
    for round_ in range(4):
        logged = results_logged(pg_database)
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_the_run_lock(proc, pg_database)  # past start-up: the run has begun
        delay = rng.uniform(0.0, 1.5)  # somewhere inside snapshot, diff, extract, load
        time.sleep(delay)
        locked = run_lock_held(pg_database)
        proc.send_signal(signal.SIGKILL)  # not sent when the process has already exited: its own status stays
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL, (
            f"kill {round_} {delay:.2f}s into the run found it ended (exit {proc.returncode}): the runs are "
            "shorter than the kill window; make the source larger"
        )
        # Mid-run: the run still held its lock on the copy and had not logged its results (its last act).
        kills.append((round(delay, 2), locked and results_logged(pg_database) == logged))
        change_source(mysql_database, round_)
    assert sum(mid_run for _, mid_run in kills) >= 2, f"fewer than two kills landed inside a run: {kills}"
    assert_converged(mysql_database, pg_database, env)


def test_a_run_waits_for_another_and_says_so_when_it_waited_too_long(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    make_source(mysql_database, 1000)
    env = pipeline_env(mysql_database, pg_database, tmp_path / "dlt")
    assert run_pipeline(env).returncode == 0
    other_run = psycopg2.connect(pg_database)
    try:
        with other_run.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(hashtext('opendental_sync:opendental_raw'))")
        proc = run_pipeline({**env, "SOURCES__OPENDENTAL__LOCK_TIMEOUT_S": "1"})
    finally:
        other_run.close()
    assert proc.returncode == 1, proc.stderr[-2000:]
    # The error names the schema, the time waited and the setting that changes it.
    assert all(fact in proc.stderr for fact in ("'opendental_raw'", "1s", "lock_timeout_s")), proc.stderr
    assert "Traceback" not in proc.stderr
    assert run_pipeline(env).returncode == 0  # once the other run is gone
