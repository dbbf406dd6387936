"""Clinics and schedules, resolved the dlt way from ``[orchestration]`` in `.dlt/config.toml` or environment
variables such as ``ORCHESTRATION__TIMEZONE`` and ``ORCHESTRATION__RETRY_DELAY_S``.

One schedule setting (``[orchestration.schedule]``, cron expressions in the clinic's time zone) drives both
Airflow's DAGs and the generated crontab. Each clinic names the secret that holds its source URL and the raw
schema its copy goes to; all clinics share one warehouse (``DESTINATION__POSTGRES__CREDENTIALS``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt
from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration

from opendental_sync.config import DEFAULT_DATASET, DEFAULT_SOURCE_URL
from opendental_sync.registry import GROUPS

DEFAULT_CREDENTIALS_NAME = "sources.opendental.credentials"
JOBS: tuple[str, ...] = (*GROUPS, "maintenance_weekly", "maintenance_monthly")
DEFAULT_SCHEDULE: dict[str, str] = {
    "high": "0 */6 * * *",  # every 6 hours
    "medium": "0 2 * * 0",  # Sundays 02:00
    "low": "0 3 * * 0#1",  # first Sunday of the month 03:00
    "maintenance_weekly": "0 5 * * 0",  # Sundays 05:00, after the medium group
    "maintenance_monthly": "0 6 * * 0#1",  # first Sunday 06:00, after the low group
}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CRON_FIELD = re.compile(r"^[0-9*/,#-]+$")


class OpsConfigError(ValueError):
    """A clinic or schedule setting the scheduler cannot use; the message names it and the fix."""


@dataclass(frozen=True)
class Clinic:
    """One clinic: its name (used in DAG ids), the secret with its source URL, its raw schema and time zone."""

    name: str
    source_credentials: str
    dataset: str
    timezone: str
    database: str | None = None  # its own database on the warehouse server, if dbt's schemas must not be shared

    def source_url(self) -> str:
        """The clinic's source URL, from the secret its config names."""
        url: str | None = dlt.secrets.get(self.source_credentials)
        if url is None and self.source_credentials == DEFAULT_CREDENTIALS_NAME:
            return DEFAULT_SOURCE_URL  # what the command line uses when nothing is set
        if not url:
            env = self.source_credentials.upper().replace(".", "__")
            raise OpsConfigError(
                f"clinic {self.name!r}: the secret {self.source_credentials!r} is not set; set {env}="
                "mysql+pymysql://user:password@host:3306/opendental or add it to .dlt/secrets.toml"
            )
        return str(url)


@configspec
class OpsSettings(BaseConfiguration):
    """``[orchestration]`` settings."""

    timezone: str = "America/New_York"
    """Default time zone of the schedules (a clinic may set its own): the clinics' local night, not UTC's."""
    schedule: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SCHEDULE))
    """Cron expression per job (high, medium, low, maintenance_weekly, maintenance_monthly)."""
    clinics: dict[str, Any] = field(
        default_factory=lambda: {"main": {"source_credentials": DEFAULT_CREDENTIALS_NAME, "dataset": DEFAULT_DATASET}}
    )
    """Clinic name -> {source_credentials, dataset, timezone?, database?}."""
    retries: int = 2
    """Retries after a failed task (3 tries in all), for what a retry can fix; a mismatch is never retried."""
    retry_delay_s: float = 300.0
    """Wait before the first retry."""
    retry_exponential_backoff: float = 2.0
    """Multiplier of the wait for each later retry (Airflow 3's retry_exponential_backoff)."""
    max_retry_delay_s: float = 3600.0
    run_deadlines: bool = True
    """Warn (Airflow DeadlineAlert) when a run is still going past its group's deadline. Airflow 3.3's
    ``dag.test()`` / ``airflow dags test`` cannot run a DAG that has one: set it false for those."""
    data_dir: str = ".dlt/.var/clinics"
    """Local pipeline and staging files, one folder per clinic (relative to the project root)."""
    reports_dir: str = "reports"
    alert_file: str = "logs/alerts.jsonl"
    """Where the failure callback appends one line per failed task (besides Airflow's own log)."""
    report_retention_days: int = 90
    run_log_retention_days: int = 400
    reindex_bloat_ratio: float = 0.3
    """REINDEX CONCURRENTLY an index whose estimated bloat is over this share of its size ..."""
    reindex_min_bytes: int = 8 * 1024 * 1024
    """... and that is at least this large (small indexes are not worth it)."""

    def job_schedule(self, job: str) -> str:
        return self.schedule.get(job, DEFAULT_SCHEDULE[job])

    def check(self) -> None:
        _check_zone(self.timezone, "orchestration.timezone")
        for job, expr in self.schedule.items():
            if job not in JOBS:
                raise OpsConfigError(f"orchestration.schedule.{job}: unknown job; use one of {', '.join(JOBS)}")
            fields = expr.split()
            if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
                raise OpsConfigError(
                    f"orchestration.schedule.{job} = {expr!r}; use five cron fields, e.g. {DEFAULT_SCHEDULE[job]!r}"
                )
        if self.retries < 0 or self.retry_delay_s < 0:
            raise OpsConfigError("orchestration.retries and retry_delay_s must be 0 or more (2 and 300 are usual)")


def _check_zone(zone: str, where: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OpsConfigError(f"{where} = {zone!r} is not an IANA time zone; use e.g. 'America/Chicago'") from None


def load_ops_settings() -> OpsSettings:
    settings = resolve_configuration(OpsSettings(), sections=("orchestration",))
    settings.check()
    return settings


def clinics(settings: OpsSettings) -> list[Clinic]:
    """The configured clinics, checked: names usable in DAG ids, one raw schema per clinic."""
    found: list[Clinic] = []
    for name, entry in settings.clinics.items():
        where = f"orchestration.clinics.{name}"
        if not _NAME.match(name):
            raise OpsConfigError(f"{where}: a clinic name is lower-case letters, digits and _ (e.g. 'north_side')")
        if not isinstance(entry, dict) or not entry.get("dataset"):
            raise OpsConfigError(f'{where}: set dataset = "<raw schema>" and source_credentials = "<secret name>"')
        zone = str(entry.get("timezone", settings.timezone))
        _check_zone(zone, f"{where}.timezone")
        clinic = Clinic(
            name,
            str(entry.get("source_credentials", DEFAULT_CREDENTIALS_NAME)),
            str(entry["dataset"]),
            zone,
            entry.get("database"),
        )
        clash = [c.name for c in found if (c.database, c.dataset) == (clinic.database, clinic.dataset)]
        if clash:
            raise OpsConfigError(f"{where}: dataset {clinic.dataset!r} is also clinic {clash[0]!r}'s; use another")
        found.append(clinic)
    if not found:
        raise OpsConfigError("orchestration.clinics is empty; name at least one clinic")
    return found


def clinic_by_name(settings: OpsSettings, name: str) -> Clinic:
    for c in clinics(settings):
        if c.name == name:
            return c
    raise OpsConfigError(f"no clinic {name!r} in orchestration.clinics; known: {', '.join(settings.clinics)}")
