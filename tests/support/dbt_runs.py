"""Running the product's steps as a user does, on throwaway databases: the pipeline, `dbt build`, the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from opendental_ops.alerts import start_from_parse
from opendental_ops.steps import dbt_profile_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_pipeline(source: str, pg_url: str, data_dir: Path) -> None:
    """`python pipelines/opendental.py -q` from ``source`` into ``pg_url``; asserts it exits 0."""
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


def dbt_env(pg_url: str) -> dict[str, str]:
    """The environment dbt and edr read the warehouse from, as the product's steps set it, in target prod (the
    schemas the tests read by name), whatever DBT_TARGET the shell has."""
    return {**os.environ, **dbt_profile_env(pg_url), "DBT_TARGET": "prod"}


def dbt_build(
    pg_url: str, target: Path, *extra: str, env: dict[str, str] | None = None, parsed_in: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """`dbt build` of the project into ``pg_url`` (with ``env`` added); returns the process and the results.
    ``parsed_in``: the target path of an earlier build into the same database, whose saved parse dbt starts from."""
    if parsed_in is not None:
        start_from_parse(parsed_in, target)
    done = subprocess.run(
        [str(BIN / "dbt"), "build", "--profiles-dir", ".", "--target-path", str(target),
         "--log-path", str(target / "logs"), *extra],
        cwd=ROOT / "dbt_project",
        env={**dbt_env(pg_url), **(env or {})},
        capture_output=True,
        text=True,
    )  # fmt: skip
    results = json.loads((target / "run_results.json").read_text())["results"]
    return done, results


def statuses(results: list[dict[str, Any]], prefix: str = "") -> dict[str, int]:
    """How many results of nodes whose unique_id starts with ``prefix`` ended in each status."""
    counts: dict[str, int] = {}
    for r in results:
        if r["unique_id"].startswith(prefix):
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def elementary_report(pg_url: str, out: Path) -> subprocess.CompletedProcess[str]:
    """scripts/elementary_report.py writing ``out`` from what the last build stored in ``pg_url``."""
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "elementary_report.py"), "--out", str(out)],
        env=dbt_env(pg_url),
        capture_output=True,
        text=True,
    )
