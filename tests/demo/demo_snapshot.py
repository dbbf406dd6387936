"""Row fingerprints of a whole database, to see what changed between two moments (test helper)."""

from __future__ import annotations

from typing import Any

import pymysql  # type: ignore[import-untyped]

Snapshot = dict[str, dict[int, str]]


def primary_keys(conn: Any, database: str) -> dict[str, str]:
    """Single-column primary key of every base table."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
            "WHERE TABLE_SCHEMA = %s AND CONSTRAINT_NAME = 'PRIMARY'",
            (database,),
        )
        return {str(t): str(c) for t, c in cur.fetchall()}


def table_columns(conn: Any, database: str) -> dict[str, list[str]]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
            "ORDER BY TABLE_NAME, ORDINAL_POSITION",
            (database,),
        )
        columns: dict[str, list[str]] = {}
        for table, column in cur.fetchall():
            columns.setdefault(str(table), []).append(str(column))
        return columns


def snapshot(
    conn: pymysql.connections.Connection, database: str, columns: dict[str, list[str]] | None = None
) -> Snapshot:
    """``{table: {pk: md5 of the row}}``; ``columns`` limits each table to the columns given (those that
    existed before a schema change), NULL kept apart from ''."""
    pks = primary_keys(conn, database)
    columns = columns or table_columns(conn, database)
    result: Snapshot = {}
    with conn.cursor() as cur:
        for table, pk in sorted(pks.items()):
            cols = columns.get(table)
            if not cols:
                continue
            parts = ", ".join(f"COALESCE(CAST(`{c}` AS CHAR), '<NULL>')" for c in cols)
            cur.execute(f"SELECT `{pk}`, MD5(CONCAT_WS('|', {parts})) FROM `{table}`")
            result[table] = {int(k): str(v) for k, v in cur.fetchall()}
    return result


def diff(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list[int]]]:
    """Per table: keys inserted, updated (content changed) and deleted between two snapshots."""
    changes: dict[str, dict[str, list[int]]] = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        inserted = sorted(set(new) - set(old))
        deleted = sorted(set(old) - set(new))
        updated = sorted(k for k in set(old) & set(new) if old[k] != new[k])
        if inserted or deleted or updated:
            changes[table] = {"inserted": inserted, "updated": updated, "deleted": deleted}
    return changes
