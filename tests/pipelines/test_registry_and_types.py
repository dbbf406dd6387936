"""The table registry and the MySQL -> raw type mapping (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendental_sync.registry import RegistryError, infer_spec, load_registry
from opendental_sync.source_schema import SourceColumn, SourceTable, UnsupportedColumnType


def test_registry_names_the_31_core_tables_with_valid_settings() -> None:
    specs = load_registry()
    assert len(specs) == 31
    assert {s.group for s in specs.values()} == {"high", "medium", "low"}
    assert specs["appointment"].stamp == "DateTStamp" and specs["appointment"].strategy == "stamp"
    assert specs["securitylog"].strategy == "hash" and specs["securitylog"].hash_columns == ("FKey",)
    assert specs["securitylog"].zeroed_on_delete == "FKey"
    assert specs["preference"].strategy == "full"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('group = "hourly"\nprimary_key = ["A"]\nstrategy = "stamp"\nstamp = "S"', "group 'hourly'"),
        ('group = "high"\nprimary_key = ["A"]\nstrategy = "cdc"', "strategy 'cdc'"),
        ('group = "high"\nstrategy = "full"', "primary_key"),
        ('group = "high"\nprimary_key = ["A"]\nstrategy = "stamp"', "needs stamp"),
        ('group = "high"\nprimary_key = ["A"]\nstrategy = "hash"', "needs hash_columns"),
        (
            'group = "high"\nprimary_key = ["A"]\nstrategy = "hash"\nhash_columns = ["B"]\nzeroed_on_delete = "C"',
            "zeroed_on_delete 'C' must be one of hash_columns",
        ),
    ],
)
def test_registry_errors_name_the_bad_value(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "tables.toml"
    path.write_text(f"[tables.t]\n{entry}\n")
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def col(name: str, data_type: str, column_type: str | None = None) -> SourceColumn:
    return SourceColumn(name, data_type, column_type or data_type, True, 1)


@pytest.mark.parametrize(
    ("data_type", "column_type", "expected"),
    [
        ("tinyint", "tinyint(1)", {"data_type": "bigint"}),
        ("bigint", "bigint(20) unsigned", {"data_type": "decimal", "precision": 20, "scale": 0}),
        ("double", "double", {"data_type": "double"}),
        ("decimal", "decimal(10,2)", {"data_type": "decimal", "precision": 38, "scale": 9}),
        ("varchar", "varchar(255)", {"data_type": "text"}),
        ("time", "time", {"data_type": "text"}),
        ("date", "date", {"data_type": "date"}),
        ("datetime", "datetime", {"data_type": "timestamp", "timezone": False}),
        ("timestamp", "timestamp", {"data_type": "timestamp", "timezone": True}),
        ("mediumblob", "mediumblob", {"data_type": "binary"}),
    ],
)
def test_raw_types_follow_the_mysql_type(data_type: str, column_type: str, expected: dict[str, object]) -> None:
    hint = col("C", data_type, column_type).dlt_hint(is_key=False)
    assert {k: hint[k] for k in expected} == expected


def test_unknown_mysql_type_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedColumnType, match="geometry"):
        _ = col("Shape", "geometry").kind


def test_unregistered_tables_get_inferred_settings() -> None:
    stamped = SourceTable("apptreminderrule", (col("RuleNum", "bigint"),), ("RuleNum",), ("SecDateTEdit",))
    assert infer_spec(stamped, 10).strategy == "stamp"  # type: ignore[union-attr]
    plain = SourceTable("eobattach", (col("EobNum", "bigint"),), ("EobNum",))
    assert infer_spec(plain, 10).strategy == "full"  # type: ignore[union-attr]
    assert infer_spec(plain, 10_000_000).strategy == "append"  # type: ignore[union-attr]
    assert infer_spec(SourceTable("nokey", (col("X", "int"),), ()), 10) is None
