"""The steps' outcomes as a scheduler sees them, with the alerts they send over a webhook on loopback: a dbt
build whose tests fail warns and goes on; one that skipped a snapshot after a failing test fails for good; a
step that fails under cron sends the critical alert Airflow's callback sends; a maintenance step sends its
info message."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg2
import pytest

import ops
from opendental_ops.settings import Clinic
from opendental_ops.steps import STEP_KINDS, Command, PermanentFailure, group_tables, run
from support.alert_servers import free_port, webhook_server
from support.dbt_runs import dbt_env

RAW = "opendental_raw"


def result(unique_id: str, status: str) -> dict[str, object]:
    return {"unique_id": unique_id, "status": status}


def a_fresh_run_log(pg_database: str) -> None:
    """The run log the freshness queries read: every high table loaded and reconciled just now."""
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {RAW}")
        cur.execute(f"CREATE TABLE {RAW}._od_run_log (table_name text, status text, finished_at timestamptz)")
        for table in group_tables("high"):
            cur.execute(f"INSERT INTO {RAW}._od_run_log VALUES (%s, 'ok', now())", (table,))


def test_failing_tests_warn_and_a_skipped_snapshot_fails_the_build_step(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_fresh_run_log(pg_database)
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", pg_database)
    monkeypatch.setenv("ALERTS__STATE_FILE", str(tmp_path / "alert_state.json"))
    clinic = Clinic("t", "sources.opendental.credentials", RAW, "UTC")
    target = tmp_path / "target"
    target.mkdir()
    # dbt's exit status 1 and the results it wrote, as a build with failing tests leaves them; judged as the
    # dbt_build step judges its end.
    build_step = STEP_KINDS["dbt_build"]
    build = Command(
        "dbt_build",
        [sys.executable, "-c", "raise SystemExit(1)", "--target-path", str(target)],
        {**dbt_env(pg_database), "OPENDENTAL_RAW_SCHEMA": RAW},
        "high",
        cwd=build_step.cwd,
        outcome=build_step.outcome,
    )
    tests_only = [
        result("model.opendental.stg_opendental__appointments", "success"),
        result("test.opendental.not_null_stg_opendental__appointments_x.1a2b", "fail"),
    ]
    with webhook_server() as (hook, url):
        monkeypatch.setenv("ALERTS__WARNING", json.dumps([url]))
        (target / "run_results.json").write_text(json.dumps({"results": tests_only}))
        run(build, clinic)  # no exception: the tests warned, nothing was skipped
        assert [p["title"] for p in hook.posts] == [
            "[opendental-sync] WARNING: data-quality tests failed (dbt tests high)"
        ]
        skipped = [*tests_only, result("snapshot.opendental.snp_opendental__patient_versions", "skipped")]
        (target / "run_results.json").write_text(json.dumps({"results": skipped}))
        with pytest.raises(
            PermanentFailure, match=r"failed or were skipped after failing tests .*snp_opendental__patient_versions"
        ):
            run(build, clinic)
    # The freshness check ran on every high table and the run log's, and found each loaded just now.
    checked = json.loads((target / "freshness" / "sources.json").read_text())["results"]
    assert len(checked) == len(group_tables("high")) + 1 and {r["status"] for r in checked} == {"pass"}
    assert not any("freshness" in p["title"] for p in hook.posts)


def test_a_failed_step_under_cron_alerts_and_a_maintenance_step_tells_what_it_found(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {RAW}")
    monkeypatch.setenv(
        "ORCHESTRATION__CLINICS",
        json.dumps({"down": {"source_credentials": "sources.down.credentials", "dataset": RAW}}),
    )
    monkeypatch.setenv("ORCHESTRATION__DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("ORCHESTRATION__REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SOURCES__DOWN__CREDENTIALS", f"mysql+pymysql://root:@127.0.0.1:{free_port()}/opendental")
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", pg_database)
    with webhook_server() as (hook, url):
        monkeypatch.setenv("ALERTS__CRITICAL", json.dumps([url]))
        monkeypatch.setenv("ALERTS__INFO", json.dumps([url.replace("/alerts", "/info")]))
        assert ops.main(["run", "--group", "high"]) == 1
        [critical] = hook.posts
        assert (critical["type"], critical["title"]) == (
            "failure",
            "[opendental-sync] CRITICAL: task check_databases of down/high failed",
        )
        assert "A run from cron (ops.py run)" in critical["message"]
        assert ops.main(["maintain", "--step", "vacuum"]) == 0
        info = hook.posts[1]
        assert info["title"] == "[opendental-sync] INFO: maintenance vacuum done (down)"
        assert "tables_vacuumed" in info["message"]
