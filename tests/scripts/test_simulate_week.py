"""scripts/simulate_week.py, one day long on a small demo: the runs it makes are the ones the monitoring models
count, and the figures it prints are theirs."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg2

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
from scripts import simulate_week
from support.dbt_runs import dbt_env

ROOT = Path(__file__).resolve().parents[2]


def test_a_simulated_day_gives_six_runs_and_their_success_rate(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    source = mysql_url(mysql_database)
    build_demo_source(source, patients=150, seed=3)
    env = {**dbt_env(pg_database), "SOURCES__OPENDENTAL__CREDENTIALS": source}
    env.update(DESTINATION__POSTGRES__CREDENTIALS=pg_database, DLT_DATA_DIR=str(tmp_path / "dlt"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "simulate_week.py"), "--days", "1", "--seed", "3"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # What the monitoring model counted, as the script reads it: six runs of the day, all good.
    with closing(psycopg2.connect(pg_database)) as conn, conn.cursor() as cur:
        cur.execute(simulate_week.figures_query())
        runs, succeeded, failed, rate, target, meets = cur.fetchone()
        cur.execute(simulate_week.GROUPS_SQL.format(schema="opendental_raw"))
        groups = {scope: (n, ok) for scope, n, _, _, ok in cur.fetchall()}
    assert (runs, succeeded, failed, float(rate), float(target), meets) == (6, 6, 0, 100.0, 99.9, True)
    assert groups == {"group high": (4, 4), "group medium": (1, 1), "group low": (1, 1)}
    assert f"last 30 days: {runs} runs, {succeeded} succeeded" in done.stdout  # the figures it prints are these
