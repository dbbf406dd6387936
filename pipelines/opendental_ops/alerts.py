"""The alerts of scheduled work, for Airflow's callbacks and the cron runner alike (``pipelines/ops.py``):

- critical: a step failed for good (after its retries): :func:`step_failed`;
- warning: what dbt found in a group's build: data-quality tests that failed or warned, and sources past their
  freshness (the SLA of each refresh group, as the dbt sources declare it): :func:`test_problems`,
  :func:`freshness_problems`, sent by :func:`report`;
- warning: a scheduled run past its deadline (Airflow's DeadlineAlert): :func:`run_late`;
- info: a maintenance step done, with what it found: :func:`maintenance_done`.

The extract-load's own alerts (a failed run, a mismatch, a slow run) come from the pipeline itself
(``opendental_sync.monitoring``). The warnings go through the same storm control as the pipeline's own alerts
(``alert_state.AlertCenter``, scopes ``dbt tests <group>`` and ``freshness <group>``): once per problem, again
after ``alerts.repeat_after_s`` while it lasts, "resolved" when a later check of the same kind no longer has it
(a check that could not run resolves nothing). A message names tests and tables, counts and ages; never a failing
row, whose values Elementary's report does not keep either (samples are off).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from opendental_sync.alert_state import AlertCenter, FileStateStore, PostgresStateStore, Problem, StateStore
from opendental_sync.alerts import Alert, load_alert_settings, send
from opendental_sync.safety import mask_urls

_SHOWN = 20
_TEST_PREFIXES = ("test.", "unit_test.")
# dbt's saved parse of the project, in a command's target path: the next command there parses only what changed.
PARTIAL_PARSE = "partial_parse.msgpack"


def read_results(path: Path) -> list[dict[str, Any]]:
    """The ``results`` of a dbt artifact (run_results.json, sources.json); none when the file is missing."""
    try:
        return list(json.loads(path.read_text())["results"])
    except (OSError, ValueError, KeyError):
        return []


def node_name(unique_id: str) -> str:
    """``test.opendental_sync.not_null_x.abc123`` -> ``not_null_x``;
    ``source.opendental_sync.opendental.patient`` -> ``opendental.patient``."""
    parts = unique_id.split(".")
    return ".".join(parts[2:4]) if parts[0] == "source" else parts[2]


def failed_nodes(results: list[dict[str, Any]]) -> list[str]:
    """Models, snapshots and seeds that errored, or that dbt skipped because a test of a parent failed: the build
    did not do its job (tests are not counted here)."""
    return [node_name(r["unique_id"]) for r in results if r["status"] in ("error", "skipped") and not _is_test(r)]


def _is_test(result: dict[str, Any]) -> bool:
    return str(result["unique_id"]).startswith(_TEST_PREFIXES)


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def test_problems(results: list[dict[str, Any]], scope: str, where: list[str]) -> list[Problem]:
    """A warning for the tests that failed (or could not run), another for those that warned."""
    tests = [r for r in results if _is_test(r)]
    problems = []
    for kind, statuses, what in (
        ("dbt_tests_failing", ("fail", "error"), "failed"),
        ("dbt_tests_warning", ("warn",), "warned"),
    ):
        names = sorted(node_name(r["unique_id"]) for r in tests if r["status"] in statuses)
        if names:
            lines = [
                f"dbt build of {scope}: {len(names)} of {len(tests)} data-quality test(s) {what}: {_listed(names)}.",
                "Each test's description, rule tag and result are in Elementary's report; the failing rows are "
                "not sampled (they may hold patient data): query them with `dbt show` where you may see them.",
                *where,
            ]
            problems.append(Problem("warning", kind, scope, f"data-quality tests {what} ({scope})", lines))
    return problems


def freshness_problems(results: list[dict[str, Any]], scope: str, where: list[str]) -> list[Problem]:
    """A warning for the sources past their ``warn_after`` (or ``error_after``), or whose freshness query failed."""
    late = [r for r in results if r["status"] != "pass"]
    if not late:
        return []
    details = []
    for r in sorted(late, key=lambda r: str(r["unique_id"]))[:_SHOWN]:
        age = r.get("max_loaded_at_time_ago_in_s")
        limit = (r.get("criteria") or {}).get("warn_after") or {}
        allowed = f"warn after {limit.get('count')} {limit.get('period')}(s)" if limit.get("count") else "no limit"
        shown = f"last loaded {float(age) / 3600:.1f} h ago" if age is not None else "age unknown"
        details.append(f"{node_name(r['unique_id'])} {shown} ({allowed}; {r['status']})")
    lines = [
        f"{len(late)} of {len(results)} source table(s) of {scope} are older than their freshness allows: "
        + "; ".join(details)
        + ("; ..." if len(late) > _SHOWN else "")
        + ".",
        "A late group usually means its runs failed or did not start: see the run log and the scheduler.",
        *where,
    ]
    return [Problem("warning", "freshness", scope, f"freshness breach ({scope})", lines)]


def start_from_parse(parsed_in: Path, target: Path) -> None:
    """Have the next dbt command in ``target`` start from the parse a command saved in ``parsed_in`` (dbt checks that
    it fits the project and settings, and parses in full where it does not); nothing when none was saved."""
    if (parsed_in / PARTIAL_PARSE).is_file():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed_in / PARTIAL_PARSE, target / PARTIAL_PARSE)


def source_freshness(
    dbt: list[str],
    project: Path,
    env: dict[str, str],
    selection: list[str],
    target: Path,
    parsed_in: Path | None = None,
) -> list[dict[str, Any]]:
    """``dbt source freshness`` of the selected sources; their results (an empty list when dbt could not run).
    It exits 1 when a source is past ``error_after``: the results say so, so the exit status is not needed.
    ``parsed_in``: the target path of a dbt command just run with the same project and settings (the build): dbt
    starts from the parse it saved there instead of parsing the project again (about 10 s; where that parse does
    not fit, dbt says so in its log and parses in full, as without it)."""
    if parsed_in is not None:
        start_from_parse(parsed_in, target)
    paths = ["--profiles-dir", ".", "--target-path", str(target), "--log-path", str(target / "logs")]
    out = target / "sources.json"
    out.unlink(missing_ok=True)
    subprocess.run(
        [*dbt, "source", "freshness", *paths, "--output", str(out), "--select", *selection],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
    )
    return read_results(out)


def report(url: str, dataset: str, scope: str, problems: list[Problem]) -> list[str]:
    """Alert what is new or due again, resolve what the build no longer has; returns the channels that failed."""
    settings = load_alert_settings()
    stores: list[StateStore] = [PostgresStateStore(url, dataset), FileStateStore(settings.state_file)]
    return AlertCenter(settings, stores).report(scope, problems, completed=True)


def step_failed(where: str, step: str, error: BaseException, attempt: str) -> list[str]:
    """Critical: ``step`` of ``where`` (a DAG, or ``clinic/group`` under cron) failed for good. The error is one
    of ours (it names tables and counts) or a command's last lines, URLs masked."""
    lines = [f"{attempt}.", f"Error: {type(error).__name__}: {mask_urls(str(error))[:1000]}"]
    key = f"critical/task_failed/{where}.{step}"
    return send(Alert("critical", f"task {step} of {where} failed", lines, key=key), load_alert_settings())


def run_late(dag_id: str, run_id: str, hours: float) -> list[str]:
    """Warning: a scheduled run is still going past its deadline (Airflow's DeadlineAlert)."""
    lines = [
        f"Run {run_id} of {dag_id} has not finished {hours:g} h after it was queued (its deadline); it goes on.",
        "A slow source, a lock held by another run or a large change are the usual causes: see the task logs.",
    ]
    key = f"warning/run_late/{dag_id}"
    return send(Alert("warning", f"run past its deadline ({dag_id})", lines, key=key), load_alert_settings())


def maintenance_done(clinic: str, step: str, found: dict[str, Any]) -> list[str]:
    """Info: a maintenance step finished, with what it found (counts, sizes, seconds)."""
    figures = ", ".join(f"{k} {v}" for k, v in found.items())
    lines = [f"Maintenance step {step} of clinic {clinic} done: {figures}.", "History: <dataset>._od_maintenance."]
    return send(Alert("info", f"maintenance {step} done ({clinic})", lines), load_alert_settings())
