"""An independent check that the copy equals the source, value by value.

It reads the source with PyMySQL and the copy with psycopg2 -- not with the pipeline's own readers -- and
compares every column of every live row. Differences are reported by table, key and column name only.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import psycopg2
from sqlalchemy.engine import make_url

from conftest import mysql_admin
from opendental_sync.names import raw_name


def _seconds_of_mysql_time(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    h, m, s = text.lstrip("-").split(":")
    return sign * (int(h) * 3600 + int(m) * 60 + int(float(s)))


def normalize(value: Any, mysql_type: str) -> Any:
    """Bring a value from either side to one comparable form, given the source column type."""
    t = mysql_type.lower()
    if value is None:
        return None
    if t.startswith(("date", "timestamp")):
        if isinstance(value, str):  # PyMySQL leaves zero and impossible dates as text
            return None
        if t.startswith("timestamp"):
            return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        if t.startswith("datetime") and isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        return value
    if t.startswith("time"):
        if isinstance(value, dt.timedelta):
            return int(value.total_seconds())
        return _seconds_of_mysql_time(str(value))
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, decimal.Decimal):
        return value.normalize() if t.startswith("decimal") else int(value) if value == int(value) else value
    if isinstance(value, bytes) and not ("blob" in t or "binary" in t):
        return value.decode()
    return value


def source_rows(
    database: str, table: str, connect: Callable[[str], Any] = mysql_admin
) -> tuple[list[str], dict[str, str], dict[tuple[Any, ...], dict[str, Any]]]:
    """Key columns, column types and every row (by key) of a source table (``connect``: a PyMySQL connection to
    the database, by default on the machine's MariaDB)."""
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s "
            "ORDER BY ORDINAL_POSITION",
            (database, table),
        )
        types = dict(cur.fetchall())
        cur.execute(
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s "
            "AND INDEX_NAME='PRIMARY' ORDER BY SEQ_IN_INDEX",
            (database, table),
        )
        key = [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT * FROM `{table}`")
        names = [d[0] for d in cur.description]
        rows = {}
        for row in cur.fetchall():
            record = {n: normalize(v, types[n]) for n, v in zip(names, row, strict=True)}
            rows[tuple(record[k] for k in key)] = record
    return key, types, rows


def copy_rows(url: str, dataset: str, table: str, key: list[str], types: dict[str, str]) -> dict[Any, dict[str, Any]]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cols = ", ".join(f'"{raw_name(c)}"' for c in types)
            cur.execute(f'SELECT {cols} FROM "{dataset}"."{raw_name(table)}" WHERE NOT _od_deleted')
            rows = {}
            for row in cur.fetchall():
                record = {n: normalize(v, types[n]) for n, v in zip(types, row, strict=True)}
                rows[tuple(record[k] for k in key)] = record
            return rows
    finally:
        conn.close()


def differences(
    database: str, url: str, dataset: str, tables: list[str], connect: Callable[[str], Any] = mysql_admin
) -> list[str]:
    """Every difference between source and copy, as 'table key column' text (no values)."""
    problems: list[str] = []
    for table in tables:
        key, types, src = source_rows(database, table, connect)
        cpy = copy_rows(url, dataset, table, key, types)
        for k in sorted(set(src) - set(cpy), key=str)[:20]:
            problems.append(f"{table} {k}: missing in copy")
        for k in sorted(set(cpy) - set(src), key=str)[:20]:
            problems.append(f"{table} {k}: live in copy, not in source")
        for k in set(src) & set(cpy):
            for col in types:
                if src[k][col] != cpy[k][col]:
                    problems.append(f"{table} {k}: column {col} differs")
    return problems


def pg_scalar(url: str, query: str, params: tuple[Any, ...] = ()) -> Any:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            row = cur.fetchone()
            return row[0] if row else None
    finally:
        conn.close()


def database_of(url: str) -> str:
    return str(make_url(url).database)
