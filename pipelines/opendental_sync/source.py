"""Reading the OpenDental database, gently.

OpenDental tables are MyISAM: a SELECT holds a table lock until its whole result has been read, and the
front desk's writes wait for it. So every query here reads a bounded slice in primary-key order
(``WHERE key > ? ORDER BY key LIMIT n`` or ``WHERE key BETWEEN a AND b``) and the slice is read at once by
connectorx (Rust, into Arrow). No query streams a whole table.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
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
from opendental_sync.safety import PublicError, describe_error, mask_urls, stderr_withheld
from opendental_sync.source_schema import SourceTable, read_source_tables
from opendental_sync.tls import SourceTls, without_tls_query
from opendental_sync.transient import is_transient, rust_mysql_transient

log = logging.getLogger(__name__)

# Every connection we open: UTC session (TIMESTAMP values are read as epoch seconds anyway), and the
# blank sql_mode OpenDental itself requires, so zero dates read the same as the application sees them.
SESSION_TIME_ZONE = "+00:00"
SESSION_SQL_MODE = ""


class SourceUnreachable(PublicError):
    """The OpenDental MySQL/MariaDB server cannot be reached with the configured URL."""

    permanent = False  # True: a retry cannot fix it (authentication, unknown database, TLS)


class SourceReadError(PublicError):
    """A bounded source query failed because the connection dropped (server restart, KILL, timeout)."""

    permanent = False


class BadSourceValue(PublicError):
    """A value of ``column`` cannot be read as its type (the caller names the table)."""

    def __init__(self, column: str, why: str):
        super().__init__(f"column {column!r}: {why}")
        self.column, self.why = column, why


@dataclass(frozen=True)
class TableWrites:
    """What the server knows of one table's writes: its engine, exact row count (MyISAM), and when its data
    file was last written (epoch seconds; None when the engine does not keep it)."""

    engine: str
    rows: int
    last_write: int | None


@dataclass(frozen=True)
class WriteTimes:
    """Every table's writes, read at the server time ``taken_at`` (read before them), and whether MyISAM
    memory-maps its data files (then a write need not move the file's modification time)."""

    taken_at: int
    mmap: bool
    tables: dict[str, TableWrites]


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
    require_tls: bool = False  # refuse a connection that is not encrypted

    @property
    def tls(self) -> SourceTls:
        return SourceTls.from_url(self.parsed, self.require_tls)

    @property
    def parsed(self) -> URL:
        return make_url(self.url)

    @property
    def database(self) -> str:
        db = self.parsed.database
        if not db:
            raise ValueError(
                f"source URL {mask_urls(self.url)} names no database; add it: mysql+pymysql://user@host:3306/opendental"
            )
        return db

    @property
    def connectorx_url(self) -> str:
        u = self.parsed
        return URL.create(
            "mysql",
            u.username,
            u.password,
            u.host or "127.0.0.1",
            u.port or 3306,
            u.database,
            query=self.tls.connectorx_query(),
        ).render_as_string(hide_password=False)

    @cached_property
    def engine(self) -> Engine:
        """The connection pool for metadata and small queries: 5 kept open, up to 20, 30 s to wait for one,
        each checked before use, every session pinned to UTC and OpenDental's blank sql_mode."""
        ssl = self.tls.pymysql_ssl()
        return create_engine(
            without_tls_query(self.parsed.set(drivername="mysql+pymysql")),
            pool_size=5,
            max_overflow=15,
            pool_timeout=30,
            pool_pre_ping=True,
            pool_recycle=3600,
            connect_args={
                "charset": "utf8mb4",
                "connect_timeout": 10,
                "init_command": f"SET time_zone = '{SESSION_TIME_ZONE}', sql_mode = '{SESSION_SQL_MODE}'",
                **({"ssl": ssl} if ssl is not None else {}),
            },
        )

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A pooled PyMySQL connection (returned to the pool afterwards)."""
        try:
            conn = self.engine.raw_connection()
        except (sa_exc.OperationalError, pymysql.err.OperationalError, pymysql.err.InterfaceError) as e:
            cause = e.orig if isinstance(e, sa_exc.OperationalError) and e.orig is not None else e
            reason = cause.args[-1] if cause.args else type(cause).__name__
            unreachable = SourceUnreachable(
                f"cannot connect to the OpenDental database at {mask_urls(self.url)} ({mask_urls(str(reason))}). "
                "Start MariaDB locally (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) "
                "or set SOURCES__OPENDENTAL__CREDENTIALS / [sources.opendental] credentials in .dlt/secrets.toml"
            )
            unreachable.permanent = not is_transient(cause)
            raise unreachable from e
        try:
            yield conn
        finally:
            conn.close()

    def tables(self) -> dict[str, SourceTable]:
        with self.connect() as conn:
            if self.require_tls:
                self._check_encrypted(conn)
            return read_source_tables(conn, self.database)

    def _check_encrypted(self, conn: Any) -> None:
        """With ``require_tls``: refuse a session that is not encrypted (PyMySQL falls back to plaintext
        when the server offers no TLS)."""
        with conn.cursor() as cur:
            cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            row = cur.fetchone()
        if not row or not row[1]:
            error = SourceUnreachable(
                f"the connection to {mask_urls(self.url)} is not encrypted and sources.opendental.require_tls is "
                "set: enable TLS on the server (ssl_cert, ssl_key) and give its CA in the URL (?ssl_ca=/path/ca.pem)"
            )
            error.permanent = True
            raise error

    def row_estimates(self) -> dict[str, int]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                (self.database,),
            )
            return {name: int(rows or 0) for name, rows in cur.fetchall()}

    def row_widths(self) -> dict[str, int]:
        """Average bytes per row of each table, as the server keeps it (MyISAM: exact for the data file)."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT TABLE_NAME, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                (self.database,),
            )
            return {name: int(width or 0) for name, width in cur.fetchall()}

    def write_times(self) -> WriteTimes:
        """When each table was last written, as MyISAM knows it (its data file's modification time)."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT UNIX_TIMESTAMP(), @@myisam_use_mmap")
            taken_at, mmap = cur.fetchone()
            cur.execute(
                "SELECT TABLE_NAME, ENGINE, TABLE_ROWS, UNIX_TIMESTAMP(UPDATE_TIME) FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
                (self.database,),
            )
            tables = {
                name: TableWrites(str(engine or ""), int(rows or 0), None if at is None else int(at))
                for name, engine, rows, at in cur.fetchall()
            }
        return WriteTimes(int(taken_at), bool(int(mmap)), tables)

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
            on_retry=lambda e: self._count(self.retries, str(e).split(": ", 1)[-1][:80]),
        )

    def _count(self, counter: Counter[str], kind: str) -> None:
        with self._counting:
            counter[kind] += 1

    def _read_arrow_once(self, sql: str) -> pa.Table:
        if self.tls.cert:
            # connectorx cannot present a client certificate (a server account that REQUIRE X509 refuses it):
            # PyMySQL reads every batch then, over the same TLS, with the certificate. Slower, never in the clear.
            return self._read_arrow_pymysql(sql)
        try:
            with stderr_withheld():  # a Rust panic prints the value it choked on
                return cx.read_sql(self.connectorx_url, sql, return_type="arrow")
        except BaseException as e:  # connectorx raises Rust panics as BaseException
            if isinstance(e, KeyboardInterrupt | SystemExit):
                raise
            message = str(e).splitlines()[0] if str(e) else type(e).__name__
            # A panic's message quotes the value; only a connection error (never a panic) is retried.
            connection = None if "panic" in type(e).__name__.lower() else rust_mysql_transient(message)
            if connection is False:
                unreachable = SourceUnreachable(
                    f"connectorx cannot connect to {mask_urls(self.url)}: {describe_error(e)}; a retry cannot fix this "
                    "(check the account, the database name and the TLS settings)"
                )
                unreachable.permanent = True
                raise unreachable from None
            if connection is True:
                raise SourceReadError(f"reading from {mask_urls(self.url)} failed: {describe_error(e)}") from None
            kind = type(e).__name__
        # A value the fast reader cannot convert. Its message may quote the value: never log it, and read
        # the batch again outside the handler, so that no later traceback carries it as its context.
        self._count(self.fallbacks, kind)
        log.warning("connectorx could not convert a value in this batch; reading it with PyMySQL instead")
        return self._read_arrow_pymysql(sql)

    def _read_arrow_pymysql(self, sql: str) -> pa.Table:
        """The slow, safe path: PyMySQL rows turned into Arrow columns (types are fixed by the caller)."""
        undecodable = False
        try:
            with self.connect() as conn, conn.cursor() as cur:
                try:
                    cur.execute(sql)
                except UnicodeDecodeError:
                    conn.invalidate()  # the result was left half read: this connection is not reused
                    undecodable = True
                else:
                    names = [d[0] for d in cur.description]
                    rows = cur.fetchall()
            if undecodable:
                with self.connect() as conn:
                    raise _undecodable_column(conn, sql)
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError, sa_exc.OperationalError) as e:
            raise SourceReadError(f"reading from {mask_urls(self.url)} failed: {describe_error(e)}") from None
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({name: pa.array(list(values)) for name, values in zip(names, columns, strict=True)})


def _undecodable_column(conn: Any, sql: str) -> BadSourceValue:
    """Which column of ``sql``'s result holds text that is not valid UTF-8 (read again as bytes; the
    values are looked at here only, never shown)."""
    driver = conn.driver_connection
    driver.use_unicode = False
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            binary = [f.charsetnr == 63 for f in cur._result.fields]  # blobs are bytes anyway
            rows = cur.fetchall()
    finally:
        driver.use_unicode = True
    for i, name in enumerate(names):
        if binary[i]:
            continue
        for row in rows:
            value = row[i]
            if isinstance(value, bytes):
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    return BadSourceValue(name, "a text value is not valid UTF-8 (e.g. a lone surrogate)")
    return BadSourceValue("?", "a text value is not valid UTF-8")


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
