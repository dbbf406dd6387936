"""Is this error worth waiting for? One answer for the whole package, from error codes, never message text.

A dropped or refused connection, a server shutting down or restarting, a killed session: a retry after a
wait may succeed. A wrong password, an unknown database, a bad value: it fails the same way again.
"""

from __future__ import annotations

import errno
import re
import ssl
from collections.abc import Iterator

import adbc_driver_manager
import psycopg2
import pymysql  # type: ignore[import-untyped]

# MySQL/MariaDB error codes of a connection or server that went away, or is briefly refusing work.
MYSQL_TRANSIENT = frozenset(
    {
        1040,  # ER_CON_COUNT_ERROR: too many connections
        1053,  # ER_SERVER_SHUTDOWN
        1152,  # ER_ABORTING_CONNECTION
        1158,  # ER_NET_READ_ERROR
        1159,  # ER_NET_READ_INTERRUPTED
        1160,  # ER_NET_ERROR_ON_WRITE
        1161,  # ER_NET_WRITE_INTERRUPTED
        1205,  # ER_LOCK_WAIT_TIMEOUT
        1213,  # ER_LOCK_DEADLOCK
        1317,  # ER_QUERY_INTERRUPTED
        1927,  # ER_CONNECTION_KILLED (MariaDB)
        2002,  # CR_CONNECTION_ERROR (socket)
        2003,  # CR_CONN_HOST_ERROR
        2006,  # CR_SERVER_GONE_ERROR
        2013,  # CR_SERVER_LOST
        2055,  # CR_SERVER_LOST_EXTENDED
    }
)
# PostgreSQL SQLSTATEs: class 08 (connection exception), and the server shutting down or starting.
PG_TRANSIENT_CLASSES = frozenset({"08"})
PG_TRANSIENT = frozenset(
    {
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
        "53300",  # too_many_connections
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
    }
)
OS_TRANSIENT = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
    }
)
# ADBC (the copy's Arrow reads): the connection's I/O failed or timed out.
ADBC_TRANSIENT = frozenset({adbc_driver_manager.AdbcStatusCode.IO, adbc_driver_manager.AdbcStatusCode.TIMEOUT})
# connectorx raises the Rust mysql driver's error as text: its variant and its codes are read, not its words.
_RUST_MYSQL_CODE = re.compile(r"MySqlError \{ ERROR (\d+) ")
_RUST_OS_CODE = re.compile(r"\(os error (\d+)\)")
_RUST_IO_ERROR = re.compile(r"^\s*(?:timed out waiting for connection: )?IoError \{")
_RUST_TLS_ERROR = re.compile(
    r"^\s*(?:timed out waiting for connection: )?(?:TlsError|DriverError \{ *Client requires secure)"
)


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a dropped, refused or briefly unavailable connection."""
    for e in _causes(error):
        verdict = _verdict(e)
        if verdict is not None:
            return verdict
    return False


def rust_mysql_transient(message: str) -> bool | None:
    """connectorx's error text: True for a connection-level failure, False for a server error that is not
    one, None when it is neither (e.g. a value the reader could not convert)."""
    if _RUST_TLS_ERROR.search(message):
        return False
    if m := _RUST_MYSQL_CODE.search(message):
        return int(m.group(1)) in MYSQL_TRANSIENT
    if m := _RUST_OS_CODE.search(message):
        return int(m.group(1)) in OS_TRANSIENT
    if _RUST_IO_ERROR.search(message):
        return True
    return None


def _verdict(e: BaseException) -> bool | None:
    if getattr(e, "permanent", None) is not None:  # our own errors say so themselves
        return not e.permanent  # type: ignore[attr-defined]
    if isinstance(e, pymysql.err.Error) and e.args and isinstance(e.args[0], int):
        # PyMySQL reports a failed TLS handshake as "can't connect" (2003): what failed underneath decides.
        underneath = getattr(e, "original_exception", None)
        if isinstance(underneath, BaseException) and (verdict := _verdict(underneath)) is not None:
            return verdict
        return e.args[0] in MYSQL_TRANSIENT
    if isinstance(e, psycopg2.Error):
        if e.pgcode is None:  # libpq: the connection could not be opened, or was lost
            return isinstance(e, psycopg2.OperationalError | psycopg2.InterfaceError)
        return _pg_transient(e.pgcode)
    if isinstance(e, adbc_driver_manager.Error):
        return _pg_transient(e.sqlstate) if e.sqlstate else e.status_code in ADBC_TRANSIENT
    if isinstance(e, ssl.SSLError):
        return False  # an untrusted certificate, a refused handshake: the same again on retry
    if isinstance(e, OSError) and e.errno is not None:
        return e.errno in OS_TRANSIENT
    if type(e).__name__ == "DestinationTransientException":  # dlt's own verdict on a load job
        return True
    if isinstance(e, RuntimeError):
        return rust_mysql_transient(str(e))
    return None


def _pg_transient(sqlstate: str) -> bool:
    return sqlstate[:2] in PG_TRANSIENT_CLASSES or sqlstate in PG_TRANSIENT


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what caused it: ``__cause__``, a wrapped ``orig`` (SQLAlchemy) or ``exception`` (dlt)."""
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        wrapped = getattr(e, "orig", None) or getattr(e, "exception", None)
        if isinstance(wrapped, BaseException):
            e = wrapped
        else:
            e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
