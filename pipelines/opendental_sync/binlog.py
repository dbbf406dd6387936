"""The source's binary log: whether the server keeps one the pipeline can read, where it stands, and which keys
of the chosen tables changed between two positions (python-mysql-replication reads the events).

Only keys are taken from the binlog. The rows are read again from the tables by key, typed by the source schema
like every other read, so a value is never converted from an event, and reading a key again is harmless: events
a run has already covered may be read again.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pymysql  # type: ignore[import-untyped]
from pymysqlreplication import BinLogStreamReader
from pymysqlreplication.event import QueryEvent, RotateEvent
from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent

from opendental_sync.safety import describe_error
from opendental_sync.source import SourceDatabase
from opendental_sync.source_schema import quote_mysql

log = logging.getLogger(__name__)

# What the server must log, and how (checked before each run that uses the binlog).
REQUIRED_SETTINGS = {"binlog_format": "ROW", "binlog_row_image": "FULL", "binlog_row_metadata": "FULL"}
ASK_FOR = (
    "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO the pipeline's account, and log_bin with "
    "binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL"
)
# More changed keys than this in one table since its position (an upgrade re-stamping it, a mass update): the
# bucket diff finds them for less than reading each one by key.
MAX_KEYS = 100_000
_ACCESS_DENIED = {1044, 1045, 1142, 1227}  # MySQL error codes of a missing privilege
_PURGED = 1236  # the dump thread cannot read the requested binlog (purged meanwhile)
_QUIET = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|XA|ANALYZE|OPTIMIZE|CHECK|REPAIR|FLUSH)\b", re.I)
_SCHEMA_CHANGE = re.compile(r"^\s*(ALTER|DROP|RENAME|TRUNCATE|CREATE)\b", re.I)
_WHOLE_DATABASE = re.compile(r"^\s*(ALTER|DROP|CREATE)\s+(DATABASE|SCHEMA)\b", re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


@dataclass(frozen=True)
class Position:
    """A place in the binlog: a file and a byte offset that starts an event (as SHOW MASTER STATUS gives)."""

    file: str
    pos: int

    def __str__(self) -> str:
        return f"{self.file}:{self.pos}"

    @property
    def order(self) -> tuple[int, str, int]:
        return (file_number(self.file), self.file, self.pos)

    def before(self, other: Position) -> bool:
        return self.order < other.order


def file_number(name: str) -> int:
    """The sequence number of a binlog file (``binlog.000042`` -> 42); -1 when it has none."""
    suffix = name.rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else -1


def readiness(db: SourceDatabase) -> str | None:
    """Why the binlog cannot be used with this account and server (what to ask for), or None when it can."""
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', %s, %s, %s)", tuple(REQUIRED_SETTINGS))
        have = {name.lower(): str(value) for name, value in cur.fetchall()}
        if have.get("log_bin", "OFF").upper() not in ("ON", "1"):
            return "the server writes no binlog (log_bin is OFF; start it with --log-bin)"
        for name, wanted in REQUIRED_SETTINGS.items():
            if have.get(name, "").upper() != wanted:
                return f"{name} is {have.get(name) or 'unknown to this server'}, not {wanted}"
        cur.execute("SHOW GRANTS")
        grants = [str(row[0]) for row in cur.fetchall()]
        if not any(_global_grant(g, "REPLICATION SLAVE") for g in grants):
            return "the account lacks REPLICATION SLAVE (GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO it)"
        try:
            cur.execute("SHOW BINARY LOGS")
            cur.fetchall()
        except pymysql.err.MySQLError as e:
            if e.args and e.args[0] in _ACCESS_DENIED:
                return "the account may not list the binary logs (GRANT REPLICATION CLIENT ON *.* TO it)"
            raise
    return None


def _global_grant(grant: str, privilege: str) -> bool:
    found = re.match(r"GRANT (.*) ON \*\.\* TO ", grant, re.I)
    granted = found.group(1).upper() if found else ""
    return privilege in granted or "ALL PRIVILEGES" in granted


def current_position(db: SourceDatabase) -> Position:
    """Where the binlog ends now: every write logged so far lies before it."""
    with db.connect() as conn, conn.cursor() as cur:
        try:
            cur.execute("SHOW MASTER STATUS")
        except pymysql.err.ProgrammingError:  # MySQL 8.4 knows only the new name
            cur.execute("SHOW BINARY LOG STATUS")
        row = cur.fetchone()
    if not row:
        raise RuntimeError("the server reports no binlog position (log_bin is OFF)")
    return Position(str(row[0]), int(row[1]))


def binary_logs(db: SourceDatabase) -> dict[str, int]:
    """The binlog files the server still has, with their sizes in bytes."""
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW BINARY LOGS")
        return {str(row[0]): int(row[1]) for row in cur.fetchall()}


def unavailable(start: Position, logs: dict[str, int]) -> str | None:
    """Why the binlog cannot be read from ``start`` (purged, or a gap), or None when it can."""
    if start.file in logs:
        if start.pos <= logs[start.file]:
            return None
        return f"gap: position {start} lies past the end of {start.file}; the binlog was reset or the server replaced"
    numbers = sorted((file_number(f), f) for f in logs)
    if numbers and file_number(start.file) < numbers[0][0]:
        return (
            f"purged: position {start} is gone (the oldest binlog is {numbers[0][1]}); keep binlogs longer than "
            "the longest gap between runs (expire_logs_days or binlog_expire_logs_seconds)"
        )
    return f"gap: {start.file} is not among the server's binlogs; the binlog was reset or the server replaced"


def row_counts(db: SourceDatabase, tables: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Rows, lowest and highest key of each table (name -> key column), in one statement: MyISAM answers each
    from its table header and key index, and locks the tables together, so the counts belong to one moment."""
    if not tables:
        return {}
    parts = [
        f"SELECT {i} AS t, COUNT(*) AS n, MIN({quote_mysql(k)}) AS lo, MAX({quote_mysql(k)}) AS hi "
        f"FROM {quote_mysql(name)}"
        for i, (name, k) in enumerate(tables.items())
    ]
    names = list(tables)
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts))
        return {names[int(t)]: (int(n), int(lo or 0), int(hi or 0)) for t, n, lo, hi in cur.fetchall()}


@dataclass
class TableChanges:
    """What the binlog says about one table after its start position: each key written, and whether a row with
    it exists at the end; or why the table cannot be followed through the binlog this time."""

    key: str
    start: Position
    exists: dict[int, bool] = field(default_factory=dict)
    written_late: bool = False  # an event after the moment the row counts were taken
    fallback: str | None = None

    def fall_back(self, why: str) -> None:
        if self.fallback is None:
            self.fallback = why
            self.exists = {}


def read_changes(
    db: SourceDatabase, changes: dict[str, TableChanges], end: Position, counted: Position, max_keys: int = MAX_KEYS
) -> None:
    """Fill ``changes`` (source table name -> its TableChanges) from the binlog events after each table's start
    up to ``end``; events after ``counted`` mark the table ``written_late``. A table that cannot be followed
    (schema change, a write logged as a statement, too many keys, a read error) gets a ``fallback`` reason."""
    following = {name: c for name, c in changes.items() if c.fallback is None}
    if not following:
        return
    start = min((c.start for c in following.values()), key=lambda p: p.order)
    stream = _stream(db, start, list(following))
    try:
        for event, at in _events(stream):
            if end.before(at):  # this event begins at or after the end
                break
            if isinstance(event, QueryEvent):
                _statement(event, at, following)
            else:
                _rows(event, at, following, counted, max_keys)
            if all(c.fallback for c in following.values()):
                break
    except Exception as e:  # whatever broke the read, the tables fall back to the diff
        why = _read_failure(e)
        for c in following.values():
            c.fall_back(why)
    finally:
        stream.close()


def _stream(db: SourceDatabase, start: Position, tables: list[str]) -> BinLogStreamReader:
    u = db.parsed
    settings: dict[str, Any] = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 3306,
        "user": u.username or "",
        "password": u.password or "",
        "connect_timeout": 10,
        "read_timeout": 600,
    }
    if (ssl := db.tls.pymysql_ssl()) is not None:
        settings["ssl"] = ssl
    return BinLogStreamReader(
        connection_settings=settings,
        # A replica id of its own: one shared with a real replica would disconnect it.
        server_id=random.randrange(1 << 31, (1 << 32) - 1),
        resume_stream=True,
        log_file=start.file,
        log_pos=start.pos,
        blocking=False,
        only_schemas=[db.database],
        only_tables=tables,
        only_events=[WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent, QueryEvent, RotateEvent],
        enable_logging=False,
        pymysql_wrapper=_tls_checked(db.require_tls),
    )


def _tls_checked(required: bool) -> Any:
    """PyMySQL's connect, refusing a session that is not encrypted when TLS is required."""

    def connect(**kwargs: Any) -> Any:
        conn = pymysql.connect(**kwargs)
        if required:
            with conn.cursor() as cur:
                cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
                row = cur.fetchone()
            if not row or not row[1]:
                conn.close()
                raise PermissionError("the binlog connection is not encrypted and require_tls is set")
        return conn

    return connect


def _events(stream: BinLogStreamReader) -> Iterator[tuple[Any, Position]]:
    """Row and statement events, each with the position where it ends (the start of the next one)."""
    for event in stream:
        if isinstance(event, RotateEvent):
            continue
        yield event, Position(str(stream.log_file), int(stream.log_pos))


def _statement(event: QueryEvent, at: Position, following: dict[str, TableChanges]) -> None:
    """A statement naming a followed table: a schema change, or a write logged as a statement (the session's
    binlog_format was not ROW). The statement's text is looked at, never shown: it may hold values."""
    text = _COMMENT.sub(" ", str(event.query))
    if _QUIET.match(text):
        return
    if _WHOLE_DATABASE.match(text):
        named: Iterable[TableChanges] = following.values()
    else:
        named = [c for name, c in following.items() if _names(text, name)]
    kind = "schema change" if _SCHEMA_CHANGE.match(text) else "format: a write logged as a statement, not as rows"
    verb = text.split(None, 1)[0].upper() if text.strip() else "?"
    for c in named:
        if c.start.before(at):
            c.fall_back(f"{kind} ({verb}) in the binlog at {at}")


def _names(text: str, table: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(table)}(?![\w$])", text, re.I) is not None


def _rows(event: Any, at: Position, following: dict[str, TableChanges], counted: Position, max_keys: int) -> None:
    c = following.get(str(event.table))
    if c is None or c.fallback is not None or not c.start.before(at):
        return
    if counted.before(at):
        c.written_late = True
    try:
        for row in event.rows:
            if isinstance(event, UpdateRowsEvent):
                c.exists[_key(row["before_values"], c)] = False
                c.exists[_key(row["after_values"], c)] = True
            else:
                c.exists[_key(row["values"], c)] = isinstance(event, WriteRowsEvent)
    except _Unreadable as e:
        c.fall_back(f"format: {e}")
    if len(c.exists) > max_keys:
        c.fall_back(f"more than {max_keys:,} keys changed since {c.start}: the diff finds them for less")


def _key(values: dict[str, Any], c: TableChanges) -> int:
    value = values.get(c.key)
    if not isinstance(value, int):
        raise _Unreadable(f"the row events carry no {c.key} (binlog_row_metadata must be FULL)")
    return value


class _Unreadable(Exception):
    """Row events the pipeline cannot take keys from."""


def _read_failure(e: BaseException) -> str:
    code = e.args[0] if isinstance(e, pymysql.err.MySQLError) and e.args else None
    if code in _ACCESS_DENIED:
        return "privilege: the account may not read the binlog (GRANT REPLICATION SLAVE ON *.* TO it)"
    if code == _PURGED:
        return "purged: the binlog was purged while it was read"
    if isinstance(e, PermissionError):
        return f"TLS: {e}"
    return f"reading the binlog failed: {describe_error(e)}"
