"""The dbt sources say the same as the pipeline's table registry: each raw table's refresh group (which the
run-window tests and Elementary's anomaly tests rely on), and the high group's anomaly tests. No database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from opendental_sync.registry import load_registry

SOURCES = Path(__file__).resolve().parents[2] / "dbt_project/models/staging/opendental/_opendental__sources.yml"


def source_tables() -> dict[str, dict[str, Any]]:
    (source,) = yaml.safe_load(SOURCES.read_text())["sources"]
    return {t["name"]: t for t in source["tables"]}


def test_every_registered_table_is_a_source_with_its_refresh_group() -> None:
    registry, tables = load_registry(), source_tables()
    assert set(tables) == set(registry)
    groups = {name: t["config"]["meta"]["refresh_group"] for name, t in tables.items()}
    assert groups == {name: spec.group for name, spec in registry.items()}


def test_the_high_group_has_elementary_anomaly_and_schema_change_tests() -> None:
    registry = load_registry()
    for name, table in source_tables().items():
        names = {next(iter(t)) if isinstance(t, dict) else t for t in table["data_tests"]}
        anomalies = {"elementary.volume_anomalies", "elementary.freshness_anomalies", "elementary.schema_changes"}
        assert "elementary.schema_changes_from_baseline" in names, name
        assert (anomalies <= names) == (registry[name].group == "high"), name


def test_each_table_s_freshness_is_its_last_good_run_in_the_run_log() -> None:
    for name, table in source_tables().items():
        query = table["config"]["loaded_at_query"]
        assert f"._od_run_log where table_name = '{name}' and status = 'ok'" in query, name
        assert "loaded_at_field" not in table["config"], name
