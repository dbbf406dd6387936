"""Airflow 3 DAGs built from the settings: per clinic, one DAG per refresh group and one per maintenance job.

    opendental_<clinic>_<group>                   check_databases >> extract_load >> dbt_build >> quality_report
    opendental_<clinic>_maintenance_weekly        vacuum >> reindex >> cleanup >> all_steps_succeeded
    opendental_<clinic>_maintenance_monthly       full_audit >> backup_check >> all_steps_succeeded

Tasks look their clinic up by name when they run, so any executor whose workers have the project and its
settings can run them. Only this module imports Airflow (the `airflow` extra).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, task
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference
from airflow.sdk.exceptions import AirflowFailException

from opendental_ops import alerts as ops_alerts
from opendental_ops import maintenance, steps
from opendental_ops.settings import Clinic, OpsSettings, clinic_by_name, clinics, load_ops_settings
from opendental_sync.registry import GROUPS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunLimits:
    """How long a run of one job may take, counted from when it was queued: past ``late_after`` a warning goes
    out through the alert channels and the run goes on (the SLA of the job's run time; Airflow's triggerer checks
    it); past ``fail_after`` Airflow fails the run (its dagrun_timeout, under the gap to the job's next run)."""

    late_after: timedelta
    fail_after: timedelta


RUN_LIMITS: dict[str, RunLimits] = {
    "high": RunLimits(late_after=timedelta(hours=2), fail_after=timedelta(hours=5)),
    "medium": RunLimits(late_after=timedelta(hours=6), fail_after=timedelta(hours=12)),
    "low": RunLimits(late_after=timedelta(hours=8), fail_after=timedelta(hours=12)),
    "maintenance_weekly": RunLimits(late_after=timedelta(hours=3), fail_after=timedelta(hours=6)),
    "maintenance_monthly": RunLimits(late_after=timedelta(hours=4), fail_after=timedelta(hours=6)),
}


async def deadline_missed(context: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Deadline callback (Airflow's triggerer): the run of ``dag_id`` is past its late_after (RUN_LIMITS)."""
    dag_run = (context or {}).get("dag_run")
    run_id = dag_run.get("run_id") if isinstance(dag_run, dict) else getattr(dag_run, "run_id", None)
    await asyncio.to_thread(ops_alerts.run_late, str(kwargs["dag_id"]), str(run_id), float(kwargs["hours"]))


def alert(context: Any) -> None:
    """Failure callback (a task failed for good, after its retries): one JSON line in orchestration.alert_file and a
    critical alert through the same channels as the command line's ([alerts], Apprise). No row values."""
    ti = context["ti"]
    error = context.get("exception")
    record = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "run_id": ti.run_id,
        "try_number": ti.try_number,
        "error": f"{type(error).__name__}: {error}"[:1000] if error else None,
    }
    log.error("opendental task failed: %s", json.dumps(record))
    path = steps.ROOT / load_ops_settings().alert_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("a") as f:
        f.write(json.dumps(record) + "\n")
    attempt = f"Airflow run {ti.run_id}, try {ti.try_number}"
    ops_alerts.step_failed(ti.dag_id, ti.task_id, error or RuntimeError("no error given"), attempt)


def run_step(clinic_name: str, group: str, step: str) -> None:
    """One step of a group's run. A mismatch or failing dbt tests fail at once; anything else is retried."""
    settings = load_ops_settings()
    clinic = clinic_by_name(settings, clinic_name)
    try:
        steps.run(steps.step_command(clinic, group, settings, step), clinic)
    except steps.PermanentFailure as e:
        raise AirflowFailException(str(e)) from e


def run_maintenance(clinic_name: str, step: str) -> None:
    """One maintenance step. Rows that differ in the full audit fail at once (a retry finds the same)."""
    settings = load_ops_settings()
    try:
        maintenance.STEP_FUNCTIONS[step](clinic_by_name(settings, clinic_name), settings)
    except steps.PermanentFailure as e:
        raise AirflowFailException(str(e)) from e


def default_args(settings: OpsSettings) -> dict[str, Any]:
    return {
        "owner": "opendental",
        "retries": settings.retries,
        "retry_delay": timedelta(seconds=settings.retry_delay_s),
        "retry_exponential_backoff": settings.retry_exponential_backoff,
        "max_retry_delay": timedelta(seconds=settings.max_retry_delay_s),
        "on_failure_callback": alert,
    }


def run_deadline(clinic: Clinic, job: str) -> DeadlineAlert:
    """A warning when a run of ``job`` is still going ``late_after`` (RUN_LIMITS) after it was queued."""
    late_after = RUN_LIMITS[job].late_after
    kwargs = {"dag_id": f"opendental_{clinic.name}_{job}", "hours": late_after.total_seconds() / 3600}
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=late_after,
        callback=AsyncCallback(deadline_missed, kwargs=kwargs),
    )


def _dag(clinic: Clinic, job: str, settings: OpsSettings) -> DAG:
    return DAG(
        dag_id=f"opendental_{clinic.name}_{job}",
        schedule=CronTriggerTimetable(settings.job_schedule(job), timezone=clinic.timezone),
        start_date=pendulum.datetime(2026, 1, 1, tz=clinic.timezone),
        catchup=False,  # the sync is diff-based: one run catches up after downtime
        max_active_runs=1,
        dagrun_timeout=RUN_LIMITS[job].fail_after,
        deadline=run_deadline(clinic, job) if settings.run_deadlines else None,
        default_args=default_args(settings),
        tags=["opendental", clinic.name, job],
        doc_md=f"OpenDental `{job}` for clinic `{clinic.name}` (raw schema `{clinic.dataset}`); see docs/runbook.md.",
    )


def group_dag(clinic: Clinic, group: str, settings: OpsSettings) -> DAG:
    with _dag(clinic, group, settings) as dag:
        previous = None
        for step in steps.STEPS:
            current = task(task_id=step)(run_step)(clinic.name, group, step)
            if previous is not None:
                previous >> current
            previous = current
    return dag


def maintenance_dag(clinic: Clinic, job: str, settings: OpsSettings) -> DAG:
    with _dag(clinic, job, settings) as dag:
        done: list[Any] = []
        for step in maintenance.JOB_STEPS[job]:
            # Each step is a check of its own: one that fails does not keep the next from running ...
            current = task(task_id=step, trigger_rule="all_done")(run_maintenance)(clinic.name, step)
            if done:
                done[-1] >> current
            done.append(current)
        # ... and the run still ends failed when any step failed (Airflow judges a run by its last tasks).
        done >> task(task_id="all_steps_succeeded")(steps_succeeded)()
    return dag


def steps_succeeded() -> None:
    """Runs only when every maintenance step of the run succeeded (trigger rule all_success)."""


def build_dags() -> dict[str, DAG]:
    """Every DAG of every configured clinic, by dag_id."""
    settings = load_ops_settings()
    dags: list[DAG] = []
    for clinic in clinics(settings):
        dags += [group_dag(clinic, group, settings) for group in GROUPS]
        dags += [maintenance_dag(clinic, job, settings) for job in maintenance.JOB_STEPS]
    return {d.dag_id: d for d in dags}
