"""The dbt project's layout and naming (dbt_project/README.md), read from its files: no database, no dbt run.

One YAML beside each model, defining that model (and its unit tests) only; one staging model per raw table, named
for what one row is, its key that name in the singular; one masked view per staging model; the README's map of raw
tables to models says what the files say."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "dbt_project" / "models"
STAGING = MODELS / "staging" / "opendental"
SOURCE = re.compile(r"\{\{\s*source\('opendental',\s*'(\w+)'\)\s*\}\}")


def model_yaml(sql: Path) -> dict[str, Any]:
    doc = yaml.safe_load(sql.with_suffix(".yml").read_text())
    assert isinstance(doc, dict), sql
    return doc


def data_test_name(test: str | dict[str, Any]) -> str:
    """A data test's name, written alone (`- unique`) or with arguments (`- unique: {config: ...}`)."""
    return test if isinstance(test, str) else next(iter(test))


def singular(entities: str) -> str:
    """appointment_history_entries -> appointment_history_entry, operatories -> operatory, fees -> fee."""
    for plural, one in (("entries", "entry"), ("ies", "y"), ("s", "")):
        if entities.endswith(plural):
            return entities[: -len(plural)] + one
    raise AssertionError(f"{entities!r} is not plural")


def test_every_model_has_one_yaml_beside_it_that_defines_only_that_model() -> None:
    sqls = sorted(MODELS.rglob("*.sql"))
    assert len(sqls) == 31 + 2 + 5 + 31  # staging, pipeline staging, monitoring, masked
    for sql in sqls:
        doc = model_yaml(sql)
        assert [m["name"] for m in doc["models"]] == [sql.stem], sql
        assert {u["model"] for u in doc.get("unit_tests", [])} <= {sql.stem}, sql
        assert set(doc) <= {"version", "models", "unit_tests"}, sql
    shared = {p.name for p in MODELS.rglob("*.yml")} - {p.with_suffix(".yml").name for p in sqls}
    assert shared == {"_opendental__sources.yml", "_opendental_pipeline__sources.yml"}


def test_staging_models_are_named_for_their_rows_and_the_readme_maps_them() -> None:
    readme = (ROOT / "dbt_project" / "README.md").read_text()
    mapped = set(re.findall(r"^\| `(\w+)` \| `(stg_opendental__\w+)` \| `(masked_opendental__\w+)` \|$", readme, re.M))
    found = set()
    for sql in sorted(STAGING.glob("stg_opendental__*.sql")):
        tables = set(SOURCE.findall(sql.read_text()))
        assert len(tables) == 1, f"{sql.name} reads {tables or 'no source'}; a staging model reads one raw table"
        entities = sql.stem.removeprefix("stg_opendental__")
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", entities), sql.name
        (model,) = model_yaml(sql)["models"]
        keys = [c["name"] for c in model["columns"] if "unique" in map(data_test_name, c.get("data_tests", []))]
        assert keys == [f"{singular(entities)}_id"], f"{sql.name}: key {keys}"
        masked = MODELS / "masked" / f"masked_opendental__{entities}.sql"
        assert masked.read_text().strip() == f"{{{{ masked('{sql.stem}') }}}}", masked
        found.add((tables.pop(), sql.stem, masked.stem))
    assert len(found) == 31 and len({table for table, _, _ in found}) == 31
    assert mapped == found
