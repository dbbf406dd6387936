"""Reading the OpenDental database, gently.

OpenDental tables are MyISAM: a SELECT holds a table lock until its whole result has been read, and the
front desk's writes wait for it. So every query here reads a bounded slice in primary-key order
(``WHERE key > ? ORDER BY key LIMIT n`` or ``WHERE key BETWEEN a AND b``) and the slice is read at once by
connectorx (Rust, into Arrow). No query streams a whole table.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import connectorx as cx
import pyarrow as pa
import pymysql  # type: ignore[import-untyped]
from sqlalchemy import create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine, make_url

from opendental_sync.retry import RetryPolicy
from opendental_sync.source_schema import SourceTable, quote_mysql, read_source_tables

log = logging.getLogger(__name__)

# Every connection we open: UTC session (TIMESTAMP values are read as epoch seconds anyway), and the
# blank sql_mode OpenDental itself requires, so zero dates read the same as the application sees them.
SESSION_TIME_ZONE = "+00:00"
SESSION_SQL_MODE = ""


class SourceUnreachable(RuntimeError):
    """The OpenDental MySQL/MariaDB server cannot be reached with the configured URL."""


def masked(url: str | URL) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(str(url)).render_as_string(hide_password=True)


class SourceReadError(RuntimeError):
    """A bounded source query failed because the connection dropped (server restart, KILL, timeout)."""


_CONNECTION_TROUBLE = re.compile(
    r"connect|lost|killed|gone away|broken pipe|timed? ?out|refused|reset by peer|shutdown|Io\(|EOF",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SourceDatabase:
    """Connection facts for the source database (a SQLAlchemy URL like ``mysql+pymysql://u:p@h:3306/db``).

    Bulk reads go through connectorx, one short connection per bounded query: they depend on no session
    setting (TIMESTAMPs are read as epoch seconds, zero dates are filtered in SQL), so the server's own
    time zone and sql_mode cannot change what they return. Metadata queries use PyMySQL with the session
    pinned.
    """

    url: str
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retries: Counter[str] = field(default_factory=Counter)  # recovered read errors, by kind
    fallbacks: Counter[str] = field(default_factory=Counter)  # batches read by PyMySQL instead of connectorx
    _counting: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)  # reader threads

    @property
    def parsed(self) -> URL:
        return make_url(self.url)

    @property
    def database(self) -> str:
        db = self.parsed.database
        if not db:
            raise ValueError(
                f"source URL {masked(self.url)} names no database; add it: mysql+pymysql://user@host:3306/opendental"
            )
        return db

    @property
    def connectorx_url(self) -> str:
        u = self.parsed
        return URL.create(
            "mysql", u.username, u.password, u.host or "127.0.0.1", u.port or 3306, u.database
        ).render_as_string(hide_password=False)

    @cached_property
    def engine(self) -> Engine:
        """The connection pool for metadata and small queries: 5 kept open, up to 20, 30 s to wait for one,
        each checked before use, every session pinned to UTC and OpenDental's blank sql_mode."""
        return create_engine(
            self.parsed.set(drivername="mysql+pymysql"),
            pool_size=5,
            max_overflow=15,
            pool_timeout=30,
            pool_pre_ping=True,
            pool_recycle=3600,
            connect_args={
                "charset": "utf8mb4",
                "connect_timeout": 10,
                "init_command": f"SET time_zone = '{SESSION_TIME_ZONE}', sql_mode = '{SESSION_SQL_MODE}'",
            },
        )

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A pooled PyMySQL connection (returned to the pool afterwards)."""
        try:
            conn = self.engine.raw_connection()
        except (sa_exc.OperationalError, pymysql.err.OperationalError) as e:
            # SQLAlchemy's pool hands PyMySQL's own error on unwrapped when the server is not there at all.
            orig = e.orig if isinstance(e, sa_exc.OperationalError) else e
            reason = orig.args[-1] if orig is not None and orig.args else str(e)
            raise SourceUnreachable(
                f"cannot connect to the OpenDental database at {masked(self.url)} ({reason}). "
                "Start MariaDB locally (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) "
                "or set SOURCES__OPENDENTAL__CREDENTIALS / [sources.opendental] credentials in .dlt/secrets.toml"
            ) from e
        try:
            yield conn
        finally:
            conn.close()

    def tables(self) -> dict[str, SourceTable]:
        with self.connect() as conn:
            return read_source_tables(conn, self.database)

    def row_estimates(self) -> dict[str, int]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                (self.database,),
            )
            return {name: int(rows or 0) for name, rows in cur.fetchall()}

    def server_epoch(self) -> int:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT UNIX_TIMESTAMP()")
            return int(cur.fetchone()[0])

    def read_arrow(self, sql: str) -> pa.Table:
        """Run one bounded query and return its whole result as Arrow; a dropped connection is retried
        with backoff, resuming at this query."""
        return self._retrying(lambda: self._read_arrow_once(sql))

    def read_small(self, sql: str) -> pa.Table:
        """Like read_arrow, for a query with a small result (aggregates, a few thousand keys): run on a
        pooled PyMySQL connection, since opening a connection is most of the cost of a small read."""
        return self._retrying(lambda: self._read_arrow_pymysql(sql))

    def _retrying(self, read: Callable[[], pa.Table]) -> pa.Table:
        return self.retry.call(
            read,
            "source read",
            retry_on=(SourceReadError,),
            on_retry=lambda e: self._count(self.retries, str(e).split(": ", 1)[-1][:80]),
        )

    def _count(self, counter: Counter[str], kind: str) -> None:
        with self._counting:
            counter[kind] += 1

    def _read_arrow_once(self, sql: str) -> pa.Table:
        try:
            return cx.read_sql(self.connectorx_url, sql, return_type="arrow")
        except BaseException as e:  # connectorx raises Rust panics as BaseException
            if isinstance(e, KeyboardInterrupt | SystemExit):
                raise
            message = str(e).splitlines()[0] if str(e) else type(e).__name__
            if _CONNECTION_TROUBLE.search(message):
                raise SourceReadError(f"reading from {masked(self.url)} failed: {message}") from None
            # A value the fast reader cannot convert. Its message may quote the value: never log it.
            self._count(self.fallbacks, type(e).__name__)
            log.warning("connectorx could not convert a value in this batch; reading it with PyMySQL instead")
            return self._read_arrow_pymysql(sql)

    def _read_arrow_pymysql(self, sql: str) -> pa.Table:
        """The slow, safe path: PyMySQL rows turned into Arrow columns (types are fixed by the caller)."""
        try:
            with self.connect() as conn, conn.cursor() as cur:
                cur.execute(sql)
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError, sa_exc.OperationalError) as e:
            raise SourceReadError(f"reading from {masked(self.url)} failed: {e}") from None
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({name: pa.array(list(values)) for name, values in zip(names, columns, strict=True)})


T = TypeVar("T")
R = TypeVar("R")


def in_order(work: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``map(work, items)`` on ``workers`` threads, results in item order, at most ``2 * workers`` pending.

    connectorx and Arrow compute release the GIL, so reads of two key ranges overlap: MariaDB serves
    one while the other is decoded. Each read is still one bounded query.
    """
    if workers <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="source-read") as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def key_predicate(key: Sequence[str], after: Sequence[Any] | None) -> str:
    """``WHERE`` text for keyset pagination strictly after the key tuple ``after``."""
    if after is None:
        return "1=1"
    cols = [quote_mysql(k) for k in key]
    if len(cols) == 1:
        return f"{cols[0]} > {sql_literal(after[0])}"
    return f"({', '.join(cols)}) > ({', '.join(sql_literal(v) for v in after)})"


def sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "''")
    return f"'{text}'"
