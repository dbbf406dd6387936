"""One of the pipeline's own tables beside the copy (``<dataset>._od_...``): created by its DDL on first use,
then read and written one short connection at a time, from any host or Airflow worker that reaches the copy."""

from __future__ import annotations

from contextlib import closing

import psycopg2
from psycopg2 import sql


class BookkeepingTable:
    """``<dataset>.<name>``, made by ``ddl`` (``{schema}`` and ``{table}`` are filled in) before its first use."""

    def __init__(self, url: str, dataset: str, name: str, ddl: str):
        self.url = url
        self.table = sql.Identifier(dataset, name)
        self._ddl = sql.SQL(ddl).format(schema=sql.Identifier(dataset), table=self.table)
        self._created = False

    def execute(self, query: sql.Composable, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Run ``query`` (``{}``-formatted with the table already) in a transaction of its own; its rows, if any."""
        with closing(psycopg2.connect(self.url, connect_timeout=10)) as conn, conn, conn.cursor() as cur:
            if not self._created:
                cur.execute(self._ddl)
            cur.execute(query, args)
            rows = list(cur.fetchall()) if cur.description else []
        self._created = True
        return rows
