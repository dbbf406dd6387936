"""scripts/simulate_week.py, one day long on a small demo: the runs it makes are the ones the monitoring models
count, and the figures it prints are theirs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
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
    out = done.stdout
    assert "runs low, medium, high, high, high, high: 6 ok" in out, out
    assert "last 30 days: 6 runs, 6 succeeded, 0 failed: 100.00% (target 99.9%, met)" in out, out
    assert "  group high: 4 run(s), 4 ok, median " in out and "  group low: 1 run(s), 1 ok" in out, out
