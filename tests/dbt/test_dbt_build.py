"""`dbt build` on a copy the pipeline loaded from a demo source: every model builds and every test passes
(known demo quirks warn below their error thresholds). Then a simulated clinic day with schema drift, an
incremental run, and `dbt build` again: the tests still pass and deleted rows are kept in raw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from conftest import mysql_url
from scripts.demo.generate import build_demo_source
from scripts.demo.simulate import simulate_day
from support.compare import differences, pg_scalar

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")


def run_pipeline(source: str, pg_url: str, data_dir: Path) -> None:
    env = dict(os.environ)
    env.update(
        SOURCES__OPENDENTAL__CREDENTIALS=source,
        DESTINATION__POSTGRES__CREDENTIALS=pg_url,
        SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.5",
        DLT_DATA_DIR=str(data_dir),
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def dbt_build(pg_url: str, target: Path) -> dict[str, int]:
    u = make_url(pg_url)
    env = dict(os.environ)
    env.update(
        OPENDENTAL_PG_HOST=str(u.host),
        OPENDENTAL_PG_PORT=str(u.port or 5432),
        OPENDENTAL_PG_USER=str(u.username),
        OPENDENTAL_PG_PASSWORD=u.password or "",
        OPENDENTAL_PG_DATABASE=str(u.database),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    done = subprocess.run(
        [str(DBT), "build", "--profiles-dir", ".", "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    failing = [r["unique_id"] for r in results if r["status"] in ("error", "fail")]
    assert done.returncode == 0 and not failing, f"{failing}\n{done.stdout[-4000:]}"
    return statuses


def test_dbt_build_passes_on_the_loaded_demo_and_after_a_clinic_day(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    source = mysql_url(mysql_database)
    build_demo_source(source, patients=200, seed=7)
    run_pipeline(source, pg_database, tmp_path / "dlt")
    first = dbt_build(pg_database, tmp_path / "target1")
    assert first.get("success", 0) + first.get("pass", 0) > 400  # models, snapshots, tests and unit tests ran
    # The demo's deliberate quirks (orphans, unbalanced payments) warn, below their error thresholds.
    assert first.get("warn", 0) >= 1

    record = simulate_day(source, seed=7, day=1, schema_drift=True)
    run_pipeline(source, pg_database, tmp_path / "dlt")
    tables = sorted(record.tables)
    assert differences(mysql_database, pg_database, "opendental_raw", tables) == []
    dbt_build(pg_database, tmp_path / "target2")
    deleted = sum(len(c.deleted) for c in record.tables.values())
    assert deleted > 0
    assert pg_scalar(
        pg_database,
        "SELECT count(*) FROM opendental_raw.appointment WHERE _od_deleted",
    ) == len(record.tables["appointment"].deleted)
    # Snapshots keep the past: patients edited today have a closed earlier version.
    assert (
        pg_scalar(pg_database, "SELECT count(*) FROM snapshots.snp_opendental__patients WHERE dbt_valid_to IS NOT NULL")
        > 0
    )
