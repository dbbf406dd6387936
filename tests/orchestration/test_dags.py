"""The Airflow DAGs: every DAG of two clinics imports and has its schedule; the high group's DAG runs end to end
with `dag.test()` on throwaway demo databases; with the source down, the check fails after its retries and the
failure callback runs."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import CronTriggerTimetable
from airflow.sdk.definitions.deadline import DeadlineReference

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day
from opendental_ops.airflow_dags import RUN_LIMITS, build_dags, deadline_missed
from opendental_ops.settings import clinic_by_name, load_ops_settings
from opendental_ops.steps import STEPS, dbt_target, run_group
from support.alert_servers import webhook_server
from support.compare import differences, pg_scalar

ROOT = Path(__file__).resolve().parents[2]
TWO_CLINICS = {
    "north": {"source_credentials": "sources.north.credentials", "dataset": "opendental_raw_north"},
    "south": {
        "source_credentials": "sources.south.credentials",
        "dataset": "opendental_raw_south",
        "timezone": "America/Denver",
    },
}
DROP_INSERTS = """
CREATE FUNCTION opendental_raw.drop_row() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE TRIGGER drop_inserts BEFORE INSERT ON opendental_raw.appointment FOR EACH ROW EXECUTE FUNCTION opendental_raw.drop_row();
"""
HIGH_TABLES = ["appointment", "procedurelog", "payment", "paysplit", "claim", "claimproc", "adjustment", "commlog"]


def use_clinics(monkeypatch: pytest.MonkeyPatch, clinics: dict[str, Any], tmp_path: Path, **settings: str) -> None:
    monkeypatch.setenv("ORCHESTRATION__CLINICS", json.dumps(clinics))
    # Airflow 3.3's dag.test() looks a DAG's deadlines up by the ids only a serialized DAG has; the scheduler
    # does. The import test below checks the deadlines with the setting at its default.
    monkeypatch.setenv("ORCHESTRATION__RUN_DEADLINES", "false")
    monkeypatch.setenv("ORCHESTRATION__DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("ORCHESTRATION__REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("ORCHESTRATION__ALERT_FILE", str(tmp_path / "alerts.jsonl"))
    for key, value in settings.items():
        monkeypatch.setenv(f"ORCHESTRATION__{key.upper()}", value)


def test_every_dag_of_two_clinics_imports_with_its_schedule(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_clinics(monkeypatch, TWO_CLINICS, tmp_path)
    monkeypatch.delenv("ORCHESTRATION__RUN_DEADLINES")
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    groups = ["high", "medium", "low", "maintenance_weekly", "maintenance_monthly"]
    assert sorted(bag.dag_ids) == sorted(f"opendental_{c}_{g}" for c in TWO_CLINICS for g in groups)
    expected = {"high": "0 */6 * * *", "medium": "0 2 * * 0", "low": "0 3 * * 0#1"}
    for clinic, zone in (("north", "America/New_York"), ("south", "America/Denver")):
        for group, expr in expected.items():
            dag = bag.dags[f"opendental_{clinic}_{group}"]
            assert isinstance(dag.timetable, CronTriggerTimetable)
            assert (dag.timetable.expression, str(dag.timetable.timezone)) == (expr, zone)
            assert (dag.max_active_runs, dag.catchup) == (1, False)
            assert [t.task_id for t in dag.topological_sort()] == [
                "check_databases",
                "extract_load",
                "dbt_build",
                "quality_report",
            ]
            task = dag.get_task("extract_load")
            assert (task.retries, task.retry_delay.total_seconds(), task.retry_exponential_backoff) == (2, 300, 2.0)
            assert isinstance(dag.deadline, list)
            [deadline] = dag.deadline
            assert (deadline.reference, deadline.interval) == (
                DeadlineReference.DAGRUN_QUEUED_AT,
                RUN_LIMITS[group].late_after,
            )
            assert deadline.callback.kwargs == {
                "dag_id": dag.dag_id,
                "hours": RUN_LIMITS[group].late_after.total_seconds() / 3600,
            }
    for clinic in TWO_CLINICS:
        for job, limits in RUN_LIMITS.items():  # every job's run warns when late, before Airflow fails it
            assert bag.dags[f"opendental_{clinic}_{job}"].dagrun_timeout == limits.fail_after > limits.late_after
    assert [t.task_id for t in bag.dags["opendental_south_maintenance_weekly"].topological_sort()] == [
        "vacuum",
        "reindex",
        "cleanup",
        "all_steps_succeeded",
    ]
    monthly = bag.dags["opendental_south_maintenance_monthly"]
    assert [t.task_id for t in monthly.topological_sort()] == ["full_audit", "backup_check", "all_steps_succeeded"]
    assert monthly.get_task("backup_check").trigger_rule == "all_done"  # runs whatever the audit found
    final = monthly.get_task("all_steps_succeeded")  # ... and a failed step still fails the run
    assert final.trigger_rule == "all_success" and final.upstream_task_ids == {"full_audit", "backup_check"}


def test_a_run_past_its_deadline_warns_through_the_alert_channels(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The DAGs' deadline callback, as Airflow's triggerer calls it: a warning on the configured channel."""
    with webhook_server() as (hook, json_url):
        monkeypatch.setenv("ALERTS__WARNING", json.dumps([json_url]))
        asyncio.run(
            deadline_missed(
                {"dag_run": {"run_id": "scheduled__2026-12-06T12:00"}}, dag_id="opendental_x_high", hours=2.0
            )
        )
    [post] = hook.posts
    assert (
        post["type"] == "warning"
        and post["title"] == "[opendental-sync] WARNING: run past its deadline (opendental_x_high)"
    )
    assert (
        "Run scheduled__2026-12-06T12:00 of opendental_x_high has not finished 2 h after it was queued"
        in post["message"]
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens there


def test_source_down_fails_the_check_after_its_retries_and_alerts(
    airflow_db: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clinic = {"down": {"source_credentials": "sources.down.credentials", "dataset": "opendental_raw"}}
    use_clinics(monkeypatch, clinic, tmp_path, retries="1", retry_delay_s="0", retry_exponential_backoff="0")
    monkeypatch.setenv("SOURCES__DOWN__CREDENTIALS", f"mysql+pymysql://root:@127.0.0.1:{closed_port()}/opendental")
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", pg_database)
    dag = build_dags()["opendental_down_high"]
    run = dag.test()
    assert run.state == "failed"
    states = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    assert states["check_databases"] == ("failed", 2)  # tried, retried once (the setting), failed
    assert {states[t][0] for t in ("extract_load", "dbt_build", "quality_report")} == {"upstream_failed"}
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [(a["dag_id"], a["task_id"]) for a in alerts] == [("opendental_down_high", "check_databases")]
    assert "MySQL/MariaDB is not reachable" in alerts[0]["error"] and "exited 2" in alerts[0]["error"]


def test_high_dag_runs_end_to_end_after_a_clinic_day_and_a_mismatch_is_not_retried(
    airflow_db: Path,
    mysql_database: str,
    pg_database: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    source = mysql_url(mysql_database)
    build_demo_source(source, patients=200, seed=7)
    clinic = {"demo": {"source_credentials": "sources.opendental.credentials", "dataset": "opendental_raw"}}
    use_clinics(monkeypatch, clinic, tmp_path, retry_delay_s="1")
    monkeypatch.setenv("SOURCES__OPENDENTAL__CREDENTIALS", source)
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", pg_database)
    monkeypatch.setenv("SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S", "0.5")
    settings = load_ops_settings()
    demo = clinic_by_name(settings, "demo")
    run_group(demo, "all", settings, steps=("check_databases", "extract_load"))  # the first load, as cron runs it
    shutil.rmtree(dbt_target(demo, "high"), ignore_errors=True)
    appointments = pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.appointment WHERE NOT _od_deleted")

    record = simulate_day(source, seed=7, day=1)
    run = build_dags()["opendental_demo_high"].test()

    assert run.state == "success"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == dict.fromkeys(STEPS, "success")
    # The copy took the day: new and deleted appointments, and every high table equals its source again.
    day = record.tables["appointment"]
    assert day.inserted and day.deleted
    live = pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.appointment WHERE NOT _od_deleted")
    assert live == appointments + len(day.inserted) - len(day.deleted)
    assert differences(mysql_database, pg_database, "opendental_raw", HIGH_TABLES) == []
    # dbt built the high group's models and ran their tests, and nothing of the other groups.
    results = json.loads((dbt_target(demo, "high") / "run_results.json").read_text())["results"]
    built = {r["unique_id"] for r in results}
    assert "model.opendental.stg_opendental__appointments" in built
    assert "model.opendental.stg_opendental__patients" not in built
    # Tests relating high rows to patients wait for the medium group (patients are loaded weekly).
    assert not any("appointments_patient_id" in u for u in built)
    assert sum(r["unique_id"].startswith("test.") for r in results) > 50
    # The pipeline's own proof ran too: its tests, and the high tables' staging counts against the proof's.
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    assert statuses["latest_proof_of_every_table_matched"] == "pass"
    assert statuses["a_medium_group_run_finished_within_8_days"] == "pass"
    proof = [u for u in built if "expect_table_aggregation_to_equal_other_table" in u]
    assert any("stg_opendental__appointments" in u for u in proof), proof
    assert not any("stg_opendental__patients" in u for u in proof), proof
    assert {r["status"] for r in results} <= {"success", "pass", "warn"}
    assert (tmp_path / "reports" / "demo" / "quality.html").stat().st_size > 0
    assert (tmp_path / "reports" / "demo" / "elementary_report.html").stat().st_size > 0

    # The copy silently drops new appointment rows (as a broken loader would): the proof finds a mismatch, the
    # task fails on its first try although retries are configured, and the evidence stays in the run log.
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute(DROP_INSERTS)
    simulate_day(source, seed=7, day=2)
    run = build_dags()["opendental_demo_high"].test()
    assert run.state == "failed"
    states = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    assert states["extract_load"] == ("failed", 1)
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert alerts[-1]["task_id"] == "extract_load" and "reconciliation mismatch in appointment" in alerts[-1]["error"]
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw._od_reconciliation WHERE NOT matches") >= 1
