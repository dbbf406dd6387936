"""Maintenance steps on a loaded demo copy: vacuum of changed tables, the index bloat estimate, cleanup within
the retention, the backup check through pg_dump and a scratch restore; and the run log read for a mismatch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day
from opendental_ops import maintenance
from opendental_ops.settings import Clinic, clinic_by_name, load_ops_settings
from opendental_ops.steps import PermanentFailure, mismatched_tables
from scripts import quality_report
from support.compare import pg_scalar

ROOT = Path(__file__).resolve().parents[2]


def load(source: str, pg: str, group: str, data_dir: Path) -> None:
    env = dict(os.environ, SOURCES__OPENDENTAL__CREDENTIALS=source, DESTINATION__POSTGRES__CREDENTIALS=pg)
    env.update(DLT_DATA_DIR=str(data_dir), SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.5")
    argv = [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "--group", group, "-q"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def found(pg: str, step: str) -> dict:
    return pg_scalar(
        pg, f"SELECT found FROM opendental_raw._od_maintenance WHERE step = '{step}' ORDER BY started_at DESC LIMIT 1"
    )


def test_maintenance_steps_on_a_loaded_demo(
    mysql_database: str, pg_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = mysql_url(mysql_database)
    build_demo_source(source, patients=200, seed=11)
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", pg_database)
    monkeypatch.setenv("SOURCES__OPENDENTAL__CREDENTIALS", source)
    monkeypatch.setenv("ORCHESTRATION__CLINICS", json.dumps({"demo": {"dataset": "opendental_raw"}}))
    monkeypatch.setenv("ORCHESTRATION__DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("ORCHESTRATION__REPORTS_DIR", str(tmp_path / "reports"))
    settings = load_ops_settings()
    clinic = clinic_by_name(settings, "demo")
    data_dir = tmp_path / "dlt" / "demo"
    load(source, pg_database, "all", data_dir)

    first = maintenance.vacuum(clinic, settings)
    assert first["tables_vacuumed"] == first["tables_in_schema"] > 30  # no earlier maintenance: every table
    simulate_day(source, seed=11, day=1)
    load(source, pg_database, "high", data_dir)
    second = maintenance.vacuum(clinic, settings)
    assert 0 < second["tables_vacuumed"] < first["tables_vacuumed"]  # only what the high run changed

    settings.reindex_min_bytes, settings.reindex_bloat_ratio = 0, -1.0  # every index counts as bloated
    reindexed = maintenance.reindex(clinic, settings)
    assert reindexed["indexes"] > 30 and len(reindexed["reindexed"]) == reindexed["indexes"]

    old_report = tmp_path / "reports" / "demo" / "quality-old.html"
    old_report.parent.mkdir(parents=True)
    old_report.write_text("old")
    os.utime(old_report, (0, 0))
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute("UPDATE opendental_raw._od_run_log SET started_at = started_at - interval '1000 days'")
    runs = pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw._od_run_log")
    cleaned = maintenance.cleanup(clinic, settings)
    assert cleaned["local_files"] > 0 and cleaned["old_reports"] == 1 and not old_report.exists()
    # Every run past the retention went, except each table's latest (the dbt tests and the report read it).
    tables = pg_scalar(pg_database, "SELECT count(DISTINCT table_name) FROM opendental_raw._od_run_log")
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw._od_run_log") == tables < runs
    load(source, pg_database, "high", data_dir)  # a run after the cleanup starts from its diff as usual

    checked = maintenance.backup_check(clinic, settings)
    assert checked["tables_differing"] == [] and checked["rows"] > 10_000 and checked["dump_bytes"] > 0
    scratch = f"{pg_database.rsplit('/', 1)[1]}_restore_check"
    assert pg_scalar(pg_database, f"SELECT count(*) FROM pg_database WHERE datname = '{scratch}'") == 0
    assert found(pg_database, "backup_check")["tables"] == checked["tables"]

    audited = maintenance.full_audit(clinic, settings)
    assert audited["tables"] == 31 and audited["rows_differing"] == 0 and audited["rows_compared"] > 10_000
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:  # a value changed, its stamp kept
        cur.execute(
            "UPDATE opendental_raw.fee SET amount = amount + 1 WHERE fee_num = (SELECT min(fee_num) FROM opendental_raw.fee)"
        )
    with pytest.raises(
        PermanentFailure, match=r"full audit of clinic demo: 1 row\(s\) of fee differ .* --tables fee --full-refresh"
    ):
        maintenance.full_audit(clinic, settings)
    assert found(pg_database, "full_audit")["tables_differing"] == ["fee"]

    # The extract-load report shows each step's history.
    out = tmp_path / "quality.html"
    assert quality_report.main(["--out", str(out)]) == 0
    page = out.read_text()
    for step in ("vacuum", "reindex", "cleanup", "backup_check", "full_audit"):
        assert f"<td>{step}</td>" in page, step


def test_a_mismatch_is_read_from_the_run_log_of_that_run(pg_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", pg_database)
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA raw_x; CREATE TABLE raw_x._od_run_log (run_id text, table_name text, status text)")
        cur.execute("INSERT INTO raw_x._od_run_log VALUES ('r1', 'claim', 'mismatch'), ('r2', 'patient', 'mismatch')")
    clinic = Clinic("x", "sources.opendental.credentials", "raw_x", "America/New_York")
    assert mismatched_tables("table ...\nrun r1: 11/12 table(s) loaded and reconciled, 5 rows", clinic) == ["claim"]
    assert mismatched_tables("error: cannot connect", clinic) == []
