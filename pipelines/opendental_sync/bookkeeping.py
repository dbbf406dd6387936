"""The pipeline's own tables beside the copy (``<dataset>._od_...``): the run log, the proofs and each table's
state, written by a run through the copy's session (``CopyBookkeeping``), and the tables of the operations
(alerts, metrics, maintenance), each read and written one short connection at a time from any host or Airflow
worker that reaches the copy (``BookkeepingTable``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg2
from psycopg2 import sql

if TYPE_CHECKING:
    from opendental_sync.destination import CopyDatabase

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


@dataclass(frozen=True)
class LastProof:
    """The figures of the table's last matching proof (with ``TableState.live_rows``, the copy's rows then)."""

    source_rows: int
    source_checksum: str
    copy_checksum: str


@dataclass(frozen=True)
class TableState:
    """What the next run needs of a table's last run: where its read began, the source's columns then, and its
    last proof."""

    snapshot_started_epoch: int
    source_columns: dict[str, str]
    # When a run last compared every row's stamp (tables with an indexed stamp skip that in between).
    stamps_checked_epoch: int | None = None
    # With sources.opendental.binlog: the binlog position the proven copy covers (the next run reads the
    # binlog from there).
    binlog_file: str | None = None
    binlog_pos: int | None = None
    # The copy's live rows at the last proof; None from the moment a run plans to write the table until its
    # proof (a run stopped in between leaves it unknown), and when keys were in flight.
    live_rows: int | None = None
    proof: LastProof | None = None


_STATE_COLUMNS = (
    "table_name",
    "snapshot_started_epoch",
    "source_columns",
    "stamps_checked_epoch",
    "binlog_file",
    "binlog_pos",
    "live_rows",
    "proof_source_rows",
    "proof_source_checksum",
    "proof_copy_checksum",
)


class CopyBookkeeping:
    """A run's bookkeeping (``CopyDatabase.bookkeeping``): each table's state, and the run log and proof rows,
    through the copy's own session."""

    def __init__(self, copy: CopyDatabase):
        self.copy = copy

    def _table(self, name: str) -> sql.Identifier:
        return sql.Identifier(self.copy.dataset, name)

    def ensure(self) -> None:
        """The raw schema and the bookkeeping tables, created or brought up to this version's columns."""
        schema = sql.Identifier(self.copy.dataset)
        self.copy.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        self.copy.execute(sql.SQL(BOOKKEEPING_DDL).format(schema=schema))

    def load_state(self) -> dict[str, TableState]:
        columns = sql.SQL(", ").join(map(sql.Identifier, _STATE_COLUMNS))
        rows = self.copy.execute(sql.SQL("SELECT {} FROM {}").format(columns, self._table(SYNC_STATE)))
        return {
            name: TableState(
                int(epoch),
                dict(cols),
                _int(checked),
                binlog_file,
                _int(binlog_pos),
                _int(live),
                None if proof_rows is None else LastProof(int(proof_rows), str(source_sum), str(copy_sum)),
            )
            for name, epoch, cols, checked, binlog_file, binlog_pos, live, proof_rows, source_sum, copy_sum in rows
        }

    def save_state(self, table: str, state: TableState) -> None:
        p = state.proof
        self.copy.execute(
            sql.SQL(
                "INSERT INTO {table} ({columns}, updated_at) VALUES ({values}, now()) "
                "ON CONFLICT (table_name) DO UPDATE SET {updates}, updated_at = now()"
            ).format(
                table=self._table(SYNC_STATE),
                columns=sql.SQL(", ").join(map(sql.Identifier, _STATE_COLUMNS)),
                values=sql.SQL(", ").join(sql.Placeholder() for _ in _STATE_COLUMNS),
                updates=sql.SQL(", ").join(
                    sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in _STATE_COLUMNS[1:]
                ),
            ),
            (
                table,
                state.snapshot_started_epoch,
                json.dumps(state.source_columns),
                state.stamps_checked_epoch,
                state.binlog_file,
                state.binlog_pos,
                state.live_rows,
                *((None, None, None) if p is None else (p.source_rows, p.source_checksum, p.copy_checksum)),
            ),
        )

    def forget_live_rows(self, table: str) -> None:
        """Before a run writes a table: its saved live row count no longer holds until the run's proof saves one
        (a run killed in between leaves it unknown: the next run compares the table by its keys, or, from the
        binlog, counts the copy)."""
        query = sql.SQL("UPDATE {} SET live_rows = NULL WHERE table_name = %s").format(self._table(SYNC_STATE))
        self.copy.execute(query, (table,))

    def forget_state(self, tables: Sequence[str]) -> None:
        query = sql.SQL("DELETE FROM {} WHERE table_name = ANY(%s)").format(self._table(SYNC_STATE))
        self.copy.execute(query, (list(tables),))

    def write_row(self, table: str, row: dict[str, Any]) -> None:
        """Insert one bookkeeping row (run log or reconciliation)."""
        values = [json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()]
        self.copy.execute(
            sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                self._table(table),
                sql.SQL(", ").join(sql.Identifier(k) for k in row),
                sql.SQL(", ").join(sql.Placeholder() for _ in row),
            ),
            values,
        )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
