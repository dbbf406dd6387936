"""One of the pipeline's own tables beside the copy (``<dataset>._od_...``): created by its DDL on first use,
then read and written one short connection at a time, from any host or Airflow worker that reaches the copy."""

from __future__ import annotations

from contextlib import closing

import psycopg2
from psycopg2 import sql

# The run log, the proofs and each table's state, in the raw schema beside the copy (CopyDatabase creates them).
RUN_LOG = "_od_run_log"
RECONCILIATION = "_od_reconciliation"
SYNC_STATE = "_od_sync_state"

BOOKKEEPING_DDL = f"""
CREATE TABLE IF NOT EXISTS {{schema}}.{RUN_LOG} (
    run_id text NOT NULL,
    table_name text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL,
    strategy text,
    rows_extracted bigint,
    rows_inserted bigint,
    rows_updated bigint,
    rows_deleted bigint,
    zero_dates_nulled jsonb,
    schema_changes jsonb,
    duration_s double precision,
    retries bigint NOT NULL DEFAULT 0,
    read_path text,
    error text,
    PRIMARY KEY (run_id, table_name)
);
CREATE TABLE IF NOT EXISTS {{schema}}.{RECONCILIATION} (
    run_id text NOT NULL,
    table_name text NOT NULL,
    checked_at timestamptz NOT NULL,
    source_rows bigint NOT NULL,
    copy_rows bigint NOT NULL,
    source_checksum text NOT NULL,
    copy_checksum text NOT NULL,
    in_flight bigint NOT NULL DEFAULT 0,
    matches boolean NOT NULL,
    mismatch_ranges text,
    PRIMARY KEY (run_id, table_name)
);
CREATE TABLE IF NOT EXISTS {{schema}}.{SYNC_STATE} (
    table_name text PRIMARY KEY,
    snapshot_started_epoch bigint NOT NULL,
    source_columns jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS stamps_checked_epoch bigint;
ALTER TABLE {{schema}}.{RECONCILIATION} ADD COLUMN IF NOT EXISTS compared text;
ALTER TABLE {{schema}}.{RUN_LOG} ADD COLUMN IF NOT EXISTS nul_bytes_removed jsonb;
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS binlog_file text;
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS binlog_pos bigint;
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS live_rows bigint;
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS proof_source_rows bigint;
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS proof_source_checksum text;
ALTER TABLE {{schema}}.{SYNC_STATE} ADD COLUMN IF NOT EXISTS proof_copy_checksum text;
"""


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
