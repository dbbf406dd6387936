"""Airflow's entry point: point `dags_folder` (AIRFLOW__CORE__DAGS_FOLDER) at this folder.

The DAGs come from [orchestration] in .dlt/config.toml (clinics, schedule, retries): a clinic added there gets
its DAGs with no new code. See pipelines/opendental_ops/airflow_dags.py and docs/runbook.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "pipelines"))  # the project runs from its folders (no installed package)
os.environ.setdefault("DLT_PROJECT_DIR", str(ROOT))  # dlt reads the project's .dlt/ wherever Airflow runs

from opendental_ops.airflow_dags import build_dags  # noqa: E402

globals().update(build_dags())
