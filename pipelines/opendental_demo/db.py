"""Connections to the demo MySQL/MariaDB server from a SQLAlchemy-style URL."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias
from urllib.parse import unquote, urlsplit

import pymysql  # type: ignore[import-untyped]

from opendental_sync.safety import mask_urls

log = logging.getLogger(__name__)

Connection: TypeAlias = Any  # a pymysql connection (pymysql ships no type hints)

DEFAULT_URL = "mysql+pymysql://root:@127.0.0.1:3306/opendental_demo"
URL_ENV_VAR = "SOURCES__OPENDENTAL__CREDENTIALS"
START_HINT = (
    "start a local MariaDB (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) "
    f"or point {URL_ENV_VAR} / --database-url at your server"
)
_DB_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")

# OpenDental connects with a blank sql_mode (zero dates must be insertable); UTC keeps TIMESTAMPs exact.
SESSION_INIT = "SET SESSION sql_mode = '', time_zone = '+00:00'"


class DemoSourceUnreachable(RuntimeError):
    """The MySQL/MariaDB server of the demo source cannot be reached; the message says how to fix it."""


class DemoDatabaseMissing(DemoSourceUnreachable):
    """The server answers but the database named in the URL does not exist."""


@dataclass(frozen=True)
class MySqlUrl:
    """The parts of ``mysql+pymysql://user:password@host:port/database``."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def parse(cls, url: str) -> MySqlUrl:
        """Parse a SQLAlchemy-style MySQL URL; raise ValueError naming the bad part and the expected form."""
        parts = urlsplit(url)
        if parts.scheme not in ("mysql+pymysql", "mysql", "mariadb+pymysql", "mariadb"):
            raise ValueError(
                f"database URL scheme {parts.scheme!r} is not MySQL; use "
                "mysql+pymysql://user:password@host:3306/database"
            )
        database = parts.path.lstrip("/")
        if not _DB_NAME.match(database):
            raise ValueError(
                f"database name {database!r} in {mask_urls(url)} is missing or has characters other than "
                "letters, digits and _; use e.g. mysql+pymysql://root:@127.0.0.1:3306/opendental_demo"
            )
        try:
            port = parts.port or 3306
        except ValueError as e:
            raise ValueError(f"bad port in {mask_urls(url)}: {e}; use e.g. 127.0.0.1:3306") from None
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=port,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=database,
        )


def connect(url: str, *, database: str | None = None) -> Connection:
    """An autocommit PyMySQL connection with OpenDental's session settings.

    Args:
        url: SQLAlchemy-style URL of the server (its database is used unless ``database`` is given).
        database: database to use; ``""`` connects without selecting one.

    Raises:
        DemoSourceUnreachable: the server does not answer or refuses the login.
    """
    target = MySqlUrl.parse(url)
    db = target.database if database is None else database
    try:
        return pymysql.connect(
            host=target.host,
            port=target.port,
            user=target.user,
            password=target.password,
            database=db or None,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=10,
            init_command=SESSION_INIT,
        )
    except pymysql.err.OperationalError as e:
        if e.args and e.args[0] == 1049:  # ER_BAD_DB_ERROR
            raise DemoDatabaseMissing(
                f"database {db!r} does not exist at {mask_urls(url)}; create it with "
                "python scripts/make_demo_source.py --database-url <the same URL>"
            ) from e
        raise DemoSourceUnreachable(
            f"cannot connect to MySQL/MariaDB at {mask_urls(url)} ({e.args[-1]}); {START_HINT}"
        ) from e


@contextmanager
def keys_off(conn: Connection, table: str) -> Iterator[None]:
    """Bulk-load a MyISAM table with its secondary indexes off; they are rebuilt by sort on exit (fast)."""
    execute(conn, f"ALTER TABLE `{table}` DISABLE KEYS")
    try:
        yield
    finally:
        execute(conn, f"ALTER TABLE `{table}` ENABLE KEYS")


@contextmanager
def connection(url: str, *, database: str | None = None) -> Iterator[Connection]:
    """``connect`` as a context manager that closes the connection."""
    conn = connect(url, database=database)
    try:
        yield conn
    finally:
        conn.close()


def execute(conn: Connection, sql: str, args: Sequence[Any] | None = None) -> int:
    """Run one statement; return the affected row count."""
    with conn.cursor() as cur:
        return int(cur.execute(sql, args))


def query(conn: Connection, sql: str, args: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one query; return all rows."""
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return list(cur.fetchall())


def scalar(conn: Connection, sql: str, args: Sequence[Any] | None = None) -> Any:
    """Run one query; return the first column of the first row (None when there is no row)."""
    rows = query(conn, sql, args)
    return rows[0][0] if rows else None


def insert_values(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert ``rows`` with ONE multi-row INSERT statement; return the first AUTO_INCREMENT key it assigned
    (a single statement on a MyISAM table gets consecutive keys)."""
    with conn.cursor() as cur:
        marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
        values = ", ".join(cur.mogrify(marks, tuple(row)) for row in rows)
        cur.execute(f"INSERT INTO `{table}` ({', '.join(f'`{c}`' for c in columns)}) VALUES {values}")
        cur.execute("SELECT LAST_INSERT_ID()")
        return int(cur.fetchone()[0])


def insert_many(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` with one multi-row INSERT per 1000 rows (never row by row)."""
    cols = ", ".join(f"`{c}`" for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with conn.cursor() as cur:
        for i in range(0, len(rows), 1000):
            cur.executemany(f"INSERT INTO `{table}` ({cols}) VALUES ({marks})", [tuple(r) for r in rows[i : i + 1000]])


def insert_rows(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """``insert_many`` of rows given as {column: value}; every row names the same columns."""
    if not rows:
        return
    columns = list(rows[0])
    insert_many(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])


def blanks(text: str = "", zero: str = "") -> dict[str, Any]:
    """Columns left blank as OpenDental writes them: '' for the text columns named in ``text``, 0 for the number
    columns named in ``zero`` (names separated by spaces)."""
    return {**dict.fromkeys(text.split(), ""), **dict.fromkeys(zero.split(), 0)}
