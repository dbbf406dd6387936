"""dbt's sources of the raw tables are generated (scripts/generate_dbt_sources.py): the committed file is exactly what
the generator writes, so a hand edit, or a change of the registry, the demo DDL, the type table or the overrides
without regenerating, fails here (tests/dbt/test_sources_follow_registry.py checks that it says what the registry
says); the DDL parser reads the demo DDL as MariaDB's information_schema does; a bad overrides file is refused with
a message naming the bad value. Only the parser check needs a database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from conftest import mysql_admin, mysql_url
from opendental_demo.generate import create_schema, ddl_statements
from opendental_sync.registry import load_registry
from opendental_sync.source_schema import read_source_tables
from scripts.generate_dbt_sources import (
    OUT,
    OVERRIDES,
    SourcesError,
    build_sources,
    generate,
    load_overrides,
    main,
    parse_ddl,
)


def test_committed_sources_are_the_generators_output(tmp_path: Path) -> None:
    out = tmp_path / "_opendental__sources.yml"
    assert main(["--out", str(out)]) == 0
    assert out.read_text() == OUT.read_text(), "stale: run python scripts/generate_dbt_sources.py"
    assert main(["--check"]) == 0


def test_check_fails_on_a_hand_edit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = tmp_path / "sources.yml"
    edited.write_text(OUT.read_text().replace("data_type: date\n", "data_type: text\n", 1))
    assert main(["--check", "--out", str(edited)]) == 1
    assert "stale: run python scripts/generate_dbt_sources.py" in capsys.readouterr().err


def source_tables() -> dict[str, dict[str, Any]]:
    (source,) = yaml.safe_load(generate())["sources"]
    return {t["name"]: t for t in source["tables"]}


def test_columns_carry_their_raw_types_and_the_pipeline_s_own() -> None:
    tables = source_tables()
    columns = {t: {c["name"]: c for c in table["columns"]} for t, table in tables.items()}
    assert columns["appointment"]["apt_num"]["data_type"] == "bigint"
    assert columns["appointment"]["date_t_stamp"]["data_type"] == "timestamp with time zone"
    assert columns["appointment"]["apt_date_time"]["data_type"] == "timestamp without time zone"
    assert columns["procedurelog"]["proc_time"]["data_type"] == "character varying"  # MySQL time
    assert columns["appointment"]["apt_num"]["description"] == "`AptNum` (bigint(20)). Primary key."
    assert columns["appointment"]["note"]["config"] == {"meta": {"pii": True}, "tags": ["pii"]}
    assert "password" not in columns["userod"] and "user_name" in columns["userod"]
    assert "_od_row_hash" in columns["securitylog"] and "_od_row_hash" not in columns["appointment"]
    for table in columns.values():
        assert [c for c in table if c.startswith("_od_")][-3:] == ["_od_deleted", "_od_deleted_at", "_od_synced_at"]


def test_ddl_parser_reads_the_demo_ddl_as_mariadb_s_information_schema_does(mysql_database: str) -> None:
    create_schema(mysql_url(mysql_database))
    with mysql_admin(mysql_database) as conn:
        live = read_source_tables(conn, mysql_database)
    parsed = parse_ddl(ddl_statements())
    assert set(parsed) == set(live) and len(parsed) == 31
    for name, table in parsed.items():
        assert table.columns == live[name].columns, name
        assert table.primary_key == live[name].primary_key, name
        assert table.stamp_candidates == live[name].stamp_candidates, name
        assert sorted(table.leading_indexed) == sorted(live[name].leading_indexed), name


REMOVED = object()


def overrides_with(changes: dict[str, Any]) -> dict[str, Any]:
    """The committed overrides with ``changes`` ({"tables.appointment.pii": value}; REMOVED deletes the key)."""
    data = load_overrides()
    for path, value in changes.items():
        *parents, key = path.split(".")
        entry = data
        for part in parents:
            entry = entry.setdefault(part, {})
        if value is REMOVED:
            del entry[key]
        else:
            entry[key] = value
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tables.appointment.pii": ["Notes"]}, r"tables\.appointment\.pii names 'Notes'.*its columns: AptNum"),
        ({"tables.appointment.columns": {"AptNumber": "x"}}, r"tables\.appointment\.columns names 'AptNumber'"),
        ({"tables.appointment.volume_column": "AptDate"}, r"volume_column names 'AptDate'"),
        ({"tables.appointment.volume_column": REMOVED}, r"tables\.appointment: .*high group needs volume_column"),
        ({"tables.patient.volume_column": "DateFirstVisit"}, r"tables\.patient\.volume_column: only .* high group"),
        ({"tables.securitylog.change_column": REMOVED}, r"securitylog: .*needs change_column"),
        ({"tables.eobattach": {}}, r"tables\.eobattach is not in the table registry"),
        ({"pipeline_columns": {}}, r"no description of '_od_deleted'"),
    ],
)
def test_a_bad_override_names_the_value_and_the_fix(changes: dict[str, Any], message: str) -> None:
    data = overrides_with(changes)
    with pytest.raises(SourcesError, match=message):
        build_sources(load_registry(), parse_ddl(ddl_statements()), data)


def test_an_unknown_key_and_an_unreadable_ddl_line_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yml"
    path.write_text(OVERRIDES.read_text().replace("    volume_column: AptDateTime", "    volume_col: AptDateTime", 1))
    with pytest.raises(SourcesError, match=r"tables\.appointment: unknown key 'volume_col'; known keys: volume_column"):
        load_overrides(path)
    with pytest.raises(SourcesError, match=r"table 't': cannot read the line 'CONSTRAINT"):
        parse_ddl(["CREATE TABLE `t` (\n  `A` bigint(20) NOT NULL,\n  CONSTRAINT c CHECK (A > 0)\n) ENGINE=MyISAM"])
