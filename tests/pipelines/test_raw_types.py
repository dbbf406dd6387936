"""The one table of type facts (opendental_sync/raw_types.py) says what dlt and PostgreSQL really do: each copy
type's PostgreSQL type is the one dlt's postgres destination creates for its hint, and its dbt ``data_type`` is
what PostgreSQL's information_schema calls that type (what dbt and Elementary compare)."""

from __future__ import annotations

import re
from contextlib import closing

import psycopg2
import pytest
from dlt.destinations import postgres

from opendental_sync.raw_types import COPY_TYPES, FLAG, RAW_TYPES, CopyType, copy_type, kind_of


@pytest.mark.parametrize("copy", COPY_TYPES, ids=lambda t: t.pg)
def test_each_postgresql_type_is_the_one_dlt_creates_for_its_hint(copy: CopyType) -> None:
    mapper = postgres().capabilities().get_type_mapper()
    created = mapper.to_destination_type({"name": "c", **copy.dlt}, {"name": "t"})  # type: ignore[typeddict-item]
    assert re.sub(r"timestamp \(", "timestamp(", created) == copy.pg  # dlt writes "timestamp (6)"


def test_postgresql_names_each_type_as_the_dbt_sources_declare_it(pg_database: str) -> None:
    columns = ", ".join(f"c{i} {t.pg}" for i, t in enumerate(COPY_TYPES))
    with closing(psycopg2.connect(pg_database)) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE t ({columns})")
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't' "
            "ORDER BY ordinal_position"
        )
        named = [data_type for _, data_type in cur.fetchall()]
    assert named == [t.dbt for t in COPY_TYPES]


def test_a_hint_finds_its_copy_type_and_an_unknown_one_is_a_clear_error() -> None:
    assert copy_type({"name": "_od_deleted", "data_type": "bool", "nullable": False}) is FLAG
    assert copy_type({"name": "K", "primary_key": True, **RAW_TYPES["uint64"].copy.dlt}).pg == "numeric(20,0)"
    with pytest.raises(ValueError, match=r"'Shape'.*'geometry'.*raw_types\.py"):
        copy_type({"name": "Shape", "data_type": "geometry"})


def test_every_mysql_type_has_one_kind_and_only_bigint_unsigned_is_uint64() -> None:
    names = [mysql for t in RAW_TYPES.values() for mysql in t.mysql]
    assert len(names) == len(set(names))
    assert kind_of("bigint", "bigint(20) unsigned") == "uint64"
    assert kind_of("int", "int(10) unsigned") == "int"
    assert kind_of("geometry", "geometry") is None
    assert all(t.kind == kind for kind, t in RAW_TYPES.items())
