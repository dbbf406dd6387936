"""Production and development builds never share a schema: in target prod (the default: the clinics' runs, the
demo) the layers go to the schemas as named; in target dev each goes to `<OPENDENTAL_DBT_SCHEMA>_<layer>`, and
opendental_ops.dbt_target names the same schemas as dbt. No database: `dbt ls` resolves schemas when it parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opendental_ops.dbt_target import dbt_schema, target_name

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"staging", "snapshots", "masked", "monitoring", "elementary"}


def dbt_ls(tmp: Path, **env: str) -> subprocess.Popen[str]:
    """`dbt ls` of the models and snapshots with ``env`` added, started (the two targets parse at once)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DBT_TARGET", "OPENDENTAL_DBT_SCHEMA")}
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dbt")), "ls", "--profiles-dir", ".", "--target-path", str(tmp),
         "--log-path", str(tmp / "logs"), "--resource-type", "model", "snapshot", "--output", "json",
         "--output-keys", "unique_id", "schema", "config", "--quiet"],
        cwd=ROOT / "dbt_project", env={**environment, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def schemas(listing: subprocess.Popen[str]) -> dict[str, tuple[str, str]]:
    """unique_id -> (schema as dbt resolved it, the node's custom schema), from a `dbt ls` started by dbt_ls."""
    out, err = listing.communicate()
    assert listing.returncode == 0, out[-3000:] + err[-3000:]
    nodes = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(nodes) > 100  # the project's 71 models and 3 snapshots, and Elementary's models
    return {n["unique_id"]: (n["schema"], n["config"].get("schema")) for n in nodes}


def test_dev_builds_beside_prod_never_in_its_schemas(tmp_path: Path) -> None:
    prod_ls, dev_ls = (
        dbt_ls(tmp_path / "prod"),
        dbt_ls(tmp_path / "dev", DBT_TARGET="dev", OPENDENTAL_DBT_SCHEMA="ci_1234"),
    )
    prod, dev = schemas(prod_ls), schemas(dev_ls)
    assert set(prod) == set(dev)
    # prod: every node with a custom schema is in it, as named (what the reports and the grants read)
    assert {schema for schema, _ in prod.values()} == LAYERS
    assert all(schema == custom for schema, custom in prod.values())
    assert prod["model.opendental.stg_opendental__patients"][0] == "staging"
    assert prod["snapshot.opendental.snp_opendental__patient_versions"][0] == "snapshots"
    # dev: the same layers, each prefixed with the dev schema; none is a production schema
    assert all(schema == f"ci_1234_{custom}" for schema, custom in dev.values())
    assert not {schema for schema, _ in dev.values()} & {schema for schema, _ in prod.values()}
    # the scripts that read dbt's tables by name resolve the same schemas as dbt
    for layer in LAYERS:
        assert dbt_schema(layer, {}) == layer
        assert dbt_schema(layer, {"DBT_TARGET": "prod"}) == layer
        assert dbt_schema(layer, {"DBT_TARGET": "dev", "OPENDENTAL_DBT_SCHEMA": "ci_1234"}) == f"ci_1234_{layer}"
    assert dbt_schema("staging", {"DBT_TARGET": "dev"}) == "dev_staging"  # profiles.yml's default dev schema


def test_an_unknown_target_names_the_known_ones() -> None:
    assert target_name({}) == "prod"
    with pytest.raises(ValueError, match=r"DBT_TARGET='production' is not a target .*use one of prod, dev"):
        target_name({"DBT_TARGET": "production"})
