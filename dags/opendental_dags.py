"""Airflow's entry point: point `dags_folder` (AIRFLOW__CORE__DAGS_FOLDER) at this folder.

The DAGs come from [orchestration] in .dlt/config.toml (clinics, schedule, retries): a clinic added there gets
its DAGs with no new code. See pipelines/opendental_ops/airflow_dags.py and docs/runbook.md. The project must be
installed where Airflow runs (`pip install -e ".[airflow]"`): its packages are imported from there.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DLT_PROJECT_DIR", str(ROOT))  # dlt reads the project's .dlt/ wherever Airflow runs

from opendental_ops.airflow_dags import build_dags  # noqa: E402

globals().update(build_dags())
