"""The PostgreSQL copy: its sessions, key snapshots and fingerprints of raw tables, and delete marking (its tables'
DDL in copy_tables.py, the pipeline's own bookkeeping in bookkeeping.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import adbc_driver_postgresql.dbapi as adbc
import psycopg2
import pyarrow as pa
from psycopg2 import sql

from opendental_sync.bookkeeping import CopyBookkeeping
from opendental_sync.buckets import Fingerprint, Hashed, fingerprint_frame, postgres_fingerprint_query
from opendental_sync.copy_tables import CopyTables
from opendental_sync.names import raw_name
from opendental_sync.read import DELETED_AT_COLUMN, DELETED_COLUMN
from opendental_sync.registry import TableSpec
from opendental_sync.row_counter import LiveRowCounter, live_count_query
from opendental_sync.run_lock import RunLock
from opendental_sync.safety import PublicError, mask_urls
from opendental_sync.snapshots import STAMP, empty_snapshot
from opendental_sync.source_schema import ROW_HASH_COLUMN

log = logging.getLogger(__name__)


class DestinationUnreachable(PublicError):
    """The PostgreSQL copy cannot be reached with the configured URL."""

    permanent = False


# Every session the pipeline opens on the copy (its own and dlt's) runs without JIT compilation. PostgreSQL compiles a
# query whose estimated cost passes jit_above_cost, and it estimates a join of key ranges with the table far above its
# true cost: a 2 ms range snapshot of procedurelog took 260 ms, all of it compiling, before the table had statistics,
# and such snapshots stay several times slower with them. Only a fingerprint of a large table's every key gains from
# it (securitylog's: 1.5 s against 2.1 s), which incremental runs seldom take (scripts/copy_cost_probe.py). A URL that
# gives options of its own keeps them instead.
SESSION_OPTIONS = "-cjit=off"  # no space: dlt passes it on in a URL, where a space becomes "+"


def session_url(url: str, options: str = SESSION_OPTIONS) -> str:
    """``url`` with session ``options`` (libpq's ``options`` parameter; ours by default), unless it gives options
    of its own. Every session on the copy, ours and dlt's, is opened with it."""
    query = urlsplit(url).query
    if any(part.split("=", 1)[0] == "options" for part in query.split("&")):
        return url
    return f"{url}{'&' if query else '?'}options={quote(options, safe='')}"


@dataclass(frozen=True)
class CopyDatabase:
    """The PostgreSQL database and raw schema (dataset) the pipeline writes.

    One psycopg2 connection (bookkeeping, delete marking) and one ADBC connection (Arrow reads) are kept
    for the run and opened again if the server dropped them.
    """

    url: str
    dataset: str
    _open: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _new_connection(self) -> Any:
        try:
            conn = psycopg2.connect(session_url(self.url), connect_timeout=10)
        except psycopg2.OperationalError as e:
            shown = mask_urls(self.url)
            first = mask_urls(str(e).strip().splitlines()[0]) if str(e).strip() else type(e).__name__
            raise DestinationUnreachable(
                f"cannot connect to PostgreSQL at {shown} ({first}). Start it locally "
                "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set "
                "DESTINATION__POSTGRES__CREDENTIALS / [destination.postgres] credentials in .dlt/secrets.toml"
            ) from e
        conn.autocommit = True
        return conn

    @contextmanager
    def connect(self) -> Iterator[Any]:
        conn = self._open.get("pg")
        if conn is None or conn.closed:
            conn = self._open["pg"] = self._new_connection()
        yield conn

    def execute(
        self, query: sql.Composable | str, args: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run one statement on the run's psycopg2 session (autocommit); its rows, if it returns any. Without
        ``args`` the query is sent as it is (a ``%`` in it needs no escaping)."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(query, args)
            return list(cur.fetchall()) if cur.description else []

    def _arrow_connection(self) -> Any:
        conn = self._open.get("adbc")
        if conn is None:
            conn = self._open["adbc"] = adbc.connect(session_url(self.url), autocommit=True)
        return conn

    def close(self) -> None:
        for name in ("pg", "adbc"):
            conn = self._open.pop(name, None)
            if conn is not None:
                with suppress(Exception):
                    conn.close()

    @property
    def tables(self) -> CopyTables:
        return CopyTables(self)

    @property
    def bookkeeping(self) -> CopyBookkeeping:
        return CopyBookkeeping(self)

    @property
    def counter(self) -> LiveRowCounter:
        return LiveRowCounter(self)

    @contextmanager
    def run_lock(self, timeout_s: int) -> Iterator[RunLock]:
        """Hold a PostgreSQL advisory lock for the run, so two runs never write the same copy at once."""
        lock = RunLock(self, f"opendental_sync:{self.dataset}")
        lock.acquire(timeout_s)
        try:
            yield lock
        finally:
            lock.release()

    def snapshot(self, spec: TableSpec, exists: bool, ranges: Sequence[tuple[int, int]] | None = None) -> pa.Table:
        """Every key in the raw copy with its stamp (epoch seconds) and deleted flag (in no order); with
        ``ranges``, only the keys in those inclusive ranges (single-column keys)."""
        if not exists or (ranges is not None and not ranges):
            snap = empty_snapshot(spec)
            return snap.append_column(DELETED_COLUMN, pa.array([], pa.bool_()))
        cols = [f"{_quote(raw_name(k))} AS {_quote(k)}" for k in spec.primary_key]
        token = _token_sql(spec)
        if token:
            cols.append(f"{token} AS {_quote(STAMP)}")
        cols.append(f"{_quote(DELETED_COLUMN)}")
        query = f"SELECT {', '.join(cols)} FROM {self._table(spec)}"
        if ranges is not None:
            # A join with the ranges, not an OR of them: one index range scan per range, where a long OR
            # would be evaluated for every row of the table.
            k = _quote(raw_name(spec.primary_key[0]))
            lows = ",".join(str(int(lo)) for lo, _ in ranges)
            highs = ",".join(str(int(hi)) for _, hi in ranges)
            query += (
                f" JOIN unnest('{{{lows}}}'::bigint[], '{{{highs}}}'::bigint[]) AS od_range(lo_key, hi_key) "
                f"ON {k} BETWEEN od_range.lo_key AND od_range.hi_key"
            )
        return self._fetch_arrow(query)

    def live_rows(self, spec: TableSpec, columns: Sequence[str], low: int, high: int) -> pa.Table:
        """The copy's live (not deleted) rows with keys in [low, high], the given raw columns (the audit)."""
        k = _quote(raw_name(spec.primary_key[0]))
        cols = ", ".join(_quote(c) for c in columns)
        return self._fetch_arrow(
            f"SELECT {cols} FROM {self._table(spec)} WHERE NOT {_quote(DELETED_COLUMN)} "
            f"AND {k} BETWEEN {int(low)} AND {int(high)} ORDER BY {k}"
        )

    def _table(self, spec: TableSpec) -> str:
        return f"{_quote(self.dataset)}.{_quote(raw_name(spec.name))}"

    def _fetch_arrow(self, query: str) -> pa.Table:
        try:
            with self._arrow_connection().cursor() as cur:
                cur.execute(query)
                table: pa.Table = cur.fetch_arrow_table()
        except Exception:
            self._open.pop("adbc", None)  # do not reuse a connection in an unknown state
            raise
        return table

    def fingerprint(
        self, spec: TableSpec, width: int, unsettled_since: int | None, hashed: Hashed = "keys and tokens"
    ) -> Fingerprint:
        """Fingerprints of the live rows of the copy per bucket of ``width`` keys (see buckets.py; without
        ``hashed`` "keys", of the keys alone), and which buckets hold rows stamped at or after ``unsettled_since``."""
        key, token = _quote(raw_name(spec.primary_key[0])), _token_sql(spec) or "0"
        rows = f"SELECT {key} AS k, {token} AS t FROM {self._table(spec)} WHERE NOT {_quote(DELETED_COLUMN)}"
        query = postgres_fingerprint_query(rows, width, unsettled_since, hashed)
        return fingerprint_frame(self._fetch_arrow(query), width)

    def highest_key(self, spec: TableSpec) -> int | None:
        """The highest key in the copy, deleted rows included (through the key index); None when empty."""
        [(top,)] = self.execute(f"SELECT max({_quote(raw_name(spec.primary_key[0]))}) FROM {self._table(spec)}")
        return None if top is None else int(top)

    def keys_pointing_at(self, spec: TableSpec, column: str, targets: pa.Array) -> pa.Array:
        """Keys of the live copy rows whose ``column`` holds one of ``targets`` (through an index on it, made by the
        first load; a copy loaded by an earlier version gets it here, once)."""
        if len(targets) == 0:
            return pa.array([], pa.int64())
        self.tables.ensure_key_index(spec, (column,))
        rows = self.execute(
            sql.SQL("SELECT {} FROM {} WHERE NOT {} AND {} = ANY(%s)").format(
                sql.Identifier(raw_name(spec.primary_key[0])),
                sql.SQL(self._table(spec)),
                sql.Identifier(DELETED_COLUMN),
                sql.Identifier(raw_name(column)),
            ),
            (targets.to_pylist(),),
        )
        return pa.array([int(k) for (k,) in rows], pa.int64())

    def mark_deleted(self, spec: TableSpec, keys: pa.Table) -> int:
        """Flag rows whose keys are gone from the source; they stay in raw for history."""
        if keys.num_rows == 0:
            return 0
        target = sql.SQL("{}.{}").format(sql.Identifier(self.dataset), sql.Identifier(raw_name(spec.name)))
        key_cols = [raw_name(k) for k in spec.primary_key]
        marked = 0
        with self.connect() as conn, conn.cursor() as cur:
            for start in range(0, keys.num_rows, 50_000):
                part = keys.slice(start, 50_000)
                arrays = [part.column(k).to_pylist() for k in spec.primary_key]
                unnest = sql.SQL(", ").join(sql.SQL("%s::bigint[]") for _ in key_cols)
                match = sql.SQL(" AND ").join(
                    sql.SQL("t.{} = k.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in key_cols
                )
                cur.execute(
                    sql.SQL(
                        "UPDATE {target} AS t SET {deleted} = true, {deleted_at} = now() "
                        "FROM unnest({unnest}) AS k({cols}) WHERE {match} AND NOT t.{deleted}"
                    ).format(
                        target=target,
                        deleted=sql.Identifier(DELETED_COLUMN),
                        deleted_at=sql.Identifier(DELETED_AT_COLUMN),
                        unnest=unnest,
                        cols=sql.SQL(", ").join(sql.Identifier(c) for c in key_cols),
                        match=match,
                    ),
                    arrays,
                )
                marked += cur.rowcount
        return marked

    def live_count(self, spec: TableSpec) -> int:
        """The copy's live (not deleted) rows of a table: a scan of the raw table (a run reads ``counter`` instead)."""
        [(count,)] = self.execute(live_count_query(self.dataset, spec))
        return int(count)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _token_sql(spec: TableSpec) -> str | None:
    """A row's change token in the copy: its stamp as epoch seconds, or the stored source hash."""
    if spec.stamp:
        return f"extract(epoch from {_quote(raw_name(spec.stamp))})::bigint"
    if spec.strategy == "hash":
        return _quote(ROW_HASH_COLUMN)
    return None
