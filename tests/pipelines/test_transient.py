"""Which errors are worth a retry, decided by error codes: real errors from the real servers where a server
can produce them, and the driver texts connectorx raises (it gives no codes of its own)."""

from __future__ import annotations

import socket
import ssl
from contextlib import closing

import adbc_driver_postgresql.dbapi as adbc
import psycopg2
import pymysql  # type: ignore[import-untyped]
import pytest

from conftest import PG_ADMIN_URL
from opendental_sync.retry import RetryPolicy
from opendental_sync.source import SourceReadError, SourceUnreachable
from opendental_sync.transient import is_transient, rust_mysql_transient


def closed_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("code", "transient"),
    [(2013, True), (2006, True), (1927, True), (2003, True), (1053, True), (1045, False), (1049, False), (1064, False)],
)
def test_mysql_errors_by_code(code: int, transient: bool) -> None:
    assert is_transient(pymysql.err.OperationalError(code, "any words")) is transient


def test_a_refused_tls_handshake_is_not_transient_though_pymysql_calls_it_cannot_connect() -> None:
    error = pymysql.err.OperationalError(2003, "Can't connect to MySQL server")
    error.original_exception = ssl.SSLCertVerificationError(1, "certificate verify failed")
    assert not is_transient(error)
    error.original_exception = ConnectionRefusedError(111, "refused")
    assert is_transient(error)


@pytest.mark.db
def test_postgres_errors_from_the_real_server() -> None:
    with pytest.raises(psycopg2.OperationalError) as refused:
        psycopg2.connect(f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres", connect_timeout=5)
    assert is_transient(refused.value)
    with closing(psycopg2.connect(PG_ADMIN_URL)) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error) as syntax:
            cur.execute("SELEC 1")
        assert syntax.value.pgcode == "42601" and not is_transient(syntax.value)
    with closing(psycopg2.connect(PG_ADMIN_URL)) as victim, closing(psycopg2.connect(PG_ADMIN_URL)) as admin:
        admin.autocommit = victim.autocommit = True
        with victim.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            (pid,) = cur.fetchone()
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg2.Error) as terminated, victim.cursor() as cur:
            cur.execute("SELECT 1")
        assert is_transient(terminated.value)


def test_an_arrow_read_of_an_unreachable_copy_is_transient() -> None:
    with pytest.raises(Exception) as refused:
        adbc.connect(f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres")
    assert is_transient(refused.value)


@pytest.mark.parametrize(
    ("message", "verdict"),
    [
        ("IoError { server disconnected }", True),
        (
            "timed out waiting for connection: DriverError { Could not connect to address `127.0.0.1:3399': "
            "Connection refused (os error 111) }",
            True,
        ),
        ("timed out waiting for connection: MySqlError { ERROR 1698 (28000): Access denied for user 'x' }", False),
        ("MySqlError { ERROR 2013 (HY000): Lost connection to server during query }", True),
        ("TlsError { invalid peer certificate }", False),
        ("Cannot parse value of column Note", None),  # a value the reader could not convert: not a connection
    ],
)
def test_connectorx_errors_by_variant_and_code(message: str, verdict: bool | None) -> None:
    assert rust_mysql_transient(message) is verdict
    assert is_transient(RuntimeError(message)) is bool(verdict)


def test_our_errors_say_whether_a_retry_can_help_and_causes_are_followed() -> None:
    unreachable = SourceUnreachable("cannot connect")
    assert is_transient(unreachable)
    unreachable.permanent = True
    assert not is_transient(unreachable)
    assert is_transient(SourceReadError("dropped"))
    try:
        try:
            raise pymysql.err.OperationalError(2013, "lost")
        except pymysql.err.OperationalError as e:
            raise ValueError("wrapped") from e
    except ValueError as wrapped:
        assert is_transient(wrapped)
    assert not is_transient(ValueError("a bad value"))


def test_the_retry_policy_retries_transient_errors_only_with_growing_waits() -> None:
    policy = RetryPolicy(tries=3, first_delay_s=0.01)
    calls: list[BaseException] = []

    def flaky() -> str:
        if len(calls) < 2:
            error = pymysql.err.OperationalError(2013, "lost")
            calls.append(error)
            raise error
        return "read"

    seen: list[BaseException] = []
    assert policy.call(flaky, "a read", on_retry=seen.append) == "read"
    assert seen == calls and len(calls) == 2
    attempts = 0

    def wrong_password() -> None:
        nonlocal attempts
        attempts += 1
        raise pymysql.err.OperationalError(1045, "denied")

    with pytest.raises(pymysql.err.OperationalError):
        policy.call(wrong_password, "a read")
    assert attempts == 1
    gone = 0

    def server_gone() -> None:
        nonlocal gone
        gone += 1
        raise pymysql.err.OperationalError(2006, "gone")

    with pytest.raises(pymysql.err.OperationalError):
        policy.call(server_gone, "a read")
    assert gone == 3  # tries in all, then the last error as it is
    assert [RetryPolicy(5, 300).delay(n) for n in (1, 2, 3)] == [300, 600, 1200]
    assert [RetryPolicy(5, 300).capped(30).delay(n) for n in (1, 2, 3)] == [30, 30, 30]
