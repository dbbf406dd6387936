"""The steps of one group's run for one clinic, as commands: the same commands a person runs by hand.

Each step runs in a child process (argv + environment), for Airflow's tasks and for the cron runner alike:
the sync is the command line itself (`pipelines/opendental.py --group <name>`), so a scheduled run takes
exactly the path of a manual one; its memory (hundreds of MB on a full load) goes back to the OS when it
exits; a clinic's credentials reach it in its environment only, never the scheduler's; and it runs the same
on any Airflow executor (local, Celery, Kubernetes) where the project is installed.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import make_url

from opendental_ops import alerts
from opendental_ops.settings import Clinic, OpsSettings
from opendental_sync.config import DestinationSettings
from opendental_sync.registry import GROUPS, load_registry

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "dbt_project"
_RUN_ID = re.compile(r"^run (\S+): ", re.MULTILINE)


class StepError(RuntimeError):
    step = ""
    """The step that failed (set by run_group)."""


class StepFailed(StepError):
    """A step failed in a way a retry may fix (a server down, a lock held by another run, a dropped link)."""


class PermanentFailure(StepError):
    """A step failed in a way a retry cannot fix: a reconciliation mismatch (its evidence is kept in the run
    log and _od_reconciliation; the next scheduled run heals it) or a dbt model that failed to build.
    (Failing or warning data-quality tests are warnings: they alert, and the run goes on to its report.)"""


Finished: TypeAlias = subprocess.CompletedProcess[str]
Echo: TypeAlias = Literal["always", "on_failure"]  # when a step's last lines of output are logged


def exit_status(command: Command, clinic: Clinic, done: Finished) -> str:
    """How a step ends by default: its standard output when it exited 0, else StepFailed (a retry may fix it)."""
    if done.returncode == 0:
        return done.stdout
    raise StepFailed(f"{command.name} exited {done.returncode}: {_tail(done)}")


Outcome: TypeAlias = Callable[["Command", Clinic, Finished], str]
"""Judges a finished step: returns its standard output, or raises PermanentFailure or StepFailed."""


@dataclass(frozen=True)
class Command:
    """One step as a child process: what it runs, where, whether its output is logged when it succeeds
    (``echo``), and how its end is judged (``outcome``)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    group: str = "all"
    cwd: Path = ROOT
    outcome: Outcome = exit_status
    echo: Echo = "always"


def warehouse_url(clinic: Clinic) -> str:
    """The warehouse (one for all clinics), on the clinic's own database when it names one."""
    from dlt.common.configuration import resolve_configuration

    dest = resolve_configuration(DestinationSettings(), sections=("destination", "postgres"))
    url = make_url(dest.credentials)
    if clinic.database:
        url = url.set(database=clinic.database)
    return url.render_as_string(hide_password=False)


def dbt_profile_env(url: str) -> dict[str, str]:
    """The variables dbt's profile (dbt_project/profiles.yml) and edr read the warehouse ``url`` from."""
    wh = make_url(url)
    return {
        "OPENDENTAL_PG_HOST": str(wh.host or "127.0.0.1"),
        "OPENDENTAL_PG_PORT": str(wh.port or 5432),
        "OPENDENTAL_PG_USER": str(wh.username or "postgres"),
        "OPENDENTAL_PG_PASSWORD": wh.password or "",
        "OPENDENTAL_PG_DATABASE": str(wh.database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def clinic_env(clinic: Clinic, settings: OpsSettings) -> dict[str, str]:
    """The environment of a clinic's steps: its source, raw schema, warehouse and dlt working folder."""
    url = warehouse_url(clinic)
    env = dict(os.environ)
    env.update(
        SOURCES__OPENDENTAL__CREDENTIALS=clinic.source_url(),
        SOURCES__OPENDENTAL__DATASET=clinic.dataset,
        DESTINATION__POSTGRES__CREDENTIALS=url,
        DLT_DATA_DIR=str(ROOT / settings.data_dir / clinic.name),
        DLT_PROJECT_DIR=str(ROOT),
        OPENDENTAL_RAW_SCHEMA=clinic.dataset,
        OPENDENTAL_REPORTS_DIR=str(ROOT / settings.reports_dir / clinic.name),
        **dbt_profile_env(url),
    )
    return env


def group_tables(group: str) -> list[str]:
    """The raw tables whose models a group's dbt build covers: its own and those of groups refreshed more often
    (a medium build also rebuilds the high models, so tests between them run once both are fresh)."""
    faster = GROUPS if group == "all" else GROUPS[: GROUPS.index(group) + 1]
    return sorted(name for name, spec in load_registry().items() if spec.group in faster)


def dbt_selection(group: str) -> list[str]:
    """The models and snapshots downstream of the group's tables and of the pipeline's run log (its proof and the
    monitoring models), for `dbt ls` (read from tables.toml each time, so it never drifts from the registry)."""
    return [*(f"source:opendental.{t}+" for t in group_tables(group)), "source:opendental_pipeline+"]


def dbt_build_selection(group: str, nodes: list[str]) -> list[str]:
    """What `dbt build` selects: the group's sources, the pipeline's run log, and the models and snapshots
    `dbt ls` found, by name. Tests come only through ``--indirect-selection cautious``: a test runs when all its
    parents are built. A test relating appointments (high) to patients (medium) thus runs with the medium
    group, once patients are as fresh as appointments, not every 6 hours against last Sunday's patients; the
    proof's count test of appointments (staging against the rows the pipeline counted) runs with the high group.
    (Selecting ``source:...+`` would take such a test in as a descendant, whatever its other parents.) Elementary's
    models come too: the report step reads what they hold."""
    sources = [*(f"source:opendental.{t}" for t in group_tables(group)), "source:opendental_pipeline"]
    # Elementary's own tables (incremental), which its on-run-end hook fills and its report reads.
    return [*sources, *nodes, "package:elementary"]


def dbt_target(clinic: Clinic, group: str) -> Path:
    return ROOT / "dbt_project" / "target" / "clinics" / clinic.name / group


def step_command(clinic: Clinic, group: str, settings: OpsSettings, step: str) -> Command:
    """One step of a group's run, as a command."""
    kind = STEP_KINDS.get(step)
    if kind is None:
        raise ValueError(f"unknown step {step!r}; use one of {', '.join(STEPS)}")
    env = clinic_env(clinic, settings)
    return Command(step, kind.argv(clinic, group, env), env, group, cwd=kind.cwd, outcome=kind.outcome)


def check_argv(clinic: Clinic, group: str, env: dict[str, str]) -> list[str]:
    """check_databases: both databases answer (scripts/check_services.py)."""
    return [sys.executable, str(ROOT / "scripts" / "check_services.py")]


def sync_argv(clinic: Clinic, group: str, env: dict[str, str]) -> list[str]:
    """extract_load: the sync's own command line for the group."""
    return [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "--group", group, "-q"]


def report_argv(clinic: Clinic, group: str, env: dict[str, str]) -> list[str]:
    """quality_report: both reports into the clinic's reports folder."""
    return [sys.executable, str(ROOT / "scripts" / "write_reports.py"), "--dir", env["OPENDENTAL_REPORTS_DIR"]]


def dbt_command() -> list[str]:
    return [str(Path(sys.executable).with_name("dbt")), "--no-use-colors"]


def dbt_build_argv(clinic: Clinic, group: str, env: dict[str, str]) -> list[str]:
    """`dbt build` of a group: `dbt ls` names its models and snapshots first (see dbt_build_selection)."""
    target = dbt_target(clinic, group)
    dbt = dbt_command()
    paths = ["--profiles-dir", ".", "--target-path", str(target), "--log-path", str(target / "logs")]
    kinds = ["--resource-type", "model", "snapshot", "--output", "name", "--quiet"]
    ls = [*dbt, "ls", *paths, *kinds, "--select", *dbt_selection(group)]
    nodes = run(Command("dbt_ls", ls, env, group, cwd=DBT_PROJECT, echo="on_failure"), clinic).split()
    selection = dbt_build_selection(group, nodes)
    return [*dbt, "build", *paths, "--indirect-selection", "cautious", "--select", *selection]


def run(command: Command, clinic: Clinic) -> str:
    """Run one step; return its standard output. Raise PermanentFailure or StepFailed when it fails, as its
    outcome judges."""
    log.info("%s: %s", command.name, " ".join(Path(a).name if a.startswith("/") else a for a in command.argv[:4]))
    done = subprocess.run(command.argv, env=command.env, cwd=command.cwd, capture_output=True, text=True)
    if command.echo == "always" or done.returncode:
        for line in (done.stdout + done.stderr).splitlines()[-60:]:
            log.info("%s | %s", command.name, line)
    return command.outcome(command, clinic, done)


def _tail(done: Finished) -> str:
    """The last three lines a finished step printed, for its error."""
    return " / ".join((done.stdout + done.stderr).strip().splitlines()[-3:])


def sync_outcome(command: Command, clinic: Clinic, done: Finished) -> str:
    """extract_load's end: a reconciliation mismatch (exit 1, and the run log records mismatched tables for its
    run) fails for good; anything else as ``exit_status``."""
    if done.returncode == 1:
        mismatched = mismatched_tables(done.stdout, clinic)
        if mismatched:
            raise PermanentFailure(
                f"reconciliation mismatch in {', '.join(mismatched)} (see {clinic.dataset}._od_reconciliation); "
                "not retried: the next scheduled run re-reads and heals it"
            )
    return exit_status(command, clinic, done)


def build_outcome(command: Command, clinic: Clinic, done: Finished) -> str:
    """dbt_build's end: once dbt built (exit 0, or 1 for failures) the build is checked (``check_build``: test and
    freshness warnings). Failing tests alone warn and the run goes on; a model that errored, or a model, snapshot
    or masked view that dbt skipped after a failing test of its parent, fails for good (that build did not do its
    job: a skipped snapshot misses this build's history). Any other exit as ``exit_status``."""
    if done.returncode not in (0, 1):
        return exit_status(command, clinic, done)
    results = check_build(command, clinic)
    if done.returncode == 0:
        return done.stdout
    failed = alerts.failed_nodes(results) if results else []
    if failed or not results:
        raise PermanentFailure(
            f"dbt build: {len(failed)} model(s) or snapshot(s) failed or were skipped after failing tests "
            f"(not retried): {', '.join(failed[:10]) or _tail(done)}"
        )
    return done.stdout  # only tests failed, and nothing was skipped: they warned above; the report shows them


def mismatched_tables(summary: str, clinic: Clinic) -> list[str]:
    """Tables the run log records as mismatched by the run whose summary this is (none if it has no run id)."""
    found = _RUN_ID.findall(summary)
    if not found:
        return []
    query = sql.SQL("SELECT table_name FROM {}._od_run_log WHERE run_id = %s AND status = 'mismatch'").format(
        sql.Identifier(clinic.dataset)
    )
    with psycopg2.connect(warehouse_url(clinic)) as conn, conn.cursor() as cur:
        cur.execute(query, (found[-1],))
        return sorted(r[0] for r in cur.fetchall())


def check_build(command: Command, clinic: Clinic) -> list[dict[str, Any]]:
    """After a group's `dbt build`: warnings for failing or warning tests (scope ``dbt tests <group>``) and for
    groups whose last good run is older than their freshness allows (``freshness <group>``). Each is resolved
    once a later check of its own comes out clean; a check that could not run resolves nothing. Returns the
    build's results."""
    target = Path(command.argv[command.argv.index("--target-path") + 1])
    results = alerts.read_results(target / "run_results.json")
    selection = [*(f"source:opendental.{t}" for t in group_tables(command.group)), "source:opendental_pipeline"]
    fresh = alerts.source_freshness(dbt_command(), DBT_PROJECT, command.env, selection, target / "freshness", target)
    reports = f"Reports: {command.env.get('OPENDENTAL_REPORTS_DIR', 'reports')} (elementary_report.html, quality.html)."
    url = warehouse_url(clinic)
    if results:
        scope = f"dbt tests {command.group}"
        alerts.report(url, clinic.dataset, scope, alerts.test_problems(results, scope, [reports]))
    if fresh:
        scope = f"freshness {command.group}"
        alerts.report(url, clinic.dataset, scope, alerts.freshness_problems(fresh, scope, [reports]))
    return results


@dataclass(frozen=True)
class StepKind:
    """How one step of a group's run is made (its argv from the clinic, group and environment), where it runs
    and how its end is judged."""

    argv: Callable[[Clinic, str, dict[str, str]], list[str]]
    outcome: Outcome = exit_status
    cwd: Path = ROOT


# The steps of a group's run, in order.
STEP_KINDS: dict[str, StepKind] = {
    "check_databases": StepKind(check_argv),
    "extract_load": StepKind(sync_argv, sync_outcome),
    "dbt_build": StepKind(dbt_build_argv, build_outcome, DBT_PROJECT),
    "quality_report": StepKind(report_argv),
}
STEPS: tuple[str, ...] = tuple(STEP_KINDS)


def run_group(clinic: Clinic, group: str, settings: OpsSettings, steps: Sequence[str] = STEPS) -> None:
    """All steps of a group's run, one after another (the cron runner): the first failure stops it."""
    for name in steps:
        try:
            run(step_command(clinic, group, settings, name), clinic)
        except StepError as e:
            e.step = name
            raise
