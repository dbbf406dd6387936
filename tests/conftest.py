"""Fixtures shared by every test: throwaway databases on the real local MariaDB and PostgreSQL.

Each test database gets a unique name and is dropped afterwards, so tests never touch the demo databases
(opendental_demo, opendental_analytics) and can run beside them.

Every test that needs a database server is marked ``db``: those that use one of ``DB_FIXTURES`` (or a fixture
built on one) automatically, the few that reach a server another way by an explicit ``pytest.mark.db``.
``pytest -m "not db"`` runs the rest, with no server at all. Tests marked ``serial`` run alone (see
``serial_runs_alone``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg2
import pymysql  # type: ignore[import-untyped]
import pytest

from opendental_demo.binlog_server import BinlogServer, binlog_server

MYSQL_HOST = os.environ.get("TEST_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("TEST_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("TEST_MYSQL_USER", "root")
MYSQL_PASSWORD = os.environ.get("TEST_MYSQL_PASSWORD", "")
PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# Fixtures that reach a database server: a test using one of them, directly or through another fixture, is
# marked ``db``. The demo fixtures (build_demo, small_demo, day_one, ...) depend on new_database_name.
DB_FIXTURES = frozenset(
    {
        "mysql_database",  # below: a MariaDB database on the local server
        "pg_database",  # below: a PostgreSQL database on the local server
        "new_database_name",  # demo/conftest.py: demo databases on the local MariaDB
        "airflow_db",  # orchestration/conftest.py: Airflow's metadata database, migrated (slow)
        "built",  # reports/test_elementary_report.py: a demo loaded and built on both local servers
        "tls_server",  # pipelines/test_tls.py: a MariaDB server of its own, with TLS
        "tls_postgres",  # pipelines/test_tls.py: a PostgreSQL server of its own, with TLS
    }
)


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks ``db`` every test that uses a database fixture (``item.fixturenames`` is the whole closure)."""
    for item in items:
        if DB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True)
def serial_runs_alone(request: pytest.FixtureRequest) -> None:
    """A test marked ``serial`` changes a server every other test shares: on a worker of a run distributed over
    several (pytest -n 2 and more), others run beside it, so it fails at once rather than break them."""
    if request.node.get_closest_marker("serial") and int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.fail("marked serial: it restarts or reconfigures a shared server; run it alone, with -n 0 "
                    "(scripts/test.sh runs the serial tests after the rest)")  # fmt: skip


def mysql_url(database: str) -> str:
    return f"mysql+pymysql://{MYSQL_USER}:{MYSQL_PASSWORD}@{MYSQL_HOST}:{MYSQL_PORT}/{database}"


def pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def mysql_admin(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=MYSQL_HOST,
        port=MYSQL_PORT,
        user=MYSQL_USER,
        password=MYSQL_PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
        init_command="SET sql_mode = '', time_zone = '+00:00'",
    )


def mysql_execute(database: str, *statements: str | tuple[str, tuple[object, ...]]) -> None:
    """Run each statement (or statement and its parameters) in ``database``, one admin session for all."""
    with mysql_admin(database) as conn, conn.cursor() as cur:
        for statement in statements:
            query, params = (statement, None) if isinstance(statement, str) else statement
            cur.execute(query, params)


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """A fresh, empty MariaDB database; yields its name."""
    name = f"od_test_{uuid.uuid4().hex[:10]}"
    with mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb3")
    try:
        yield name
    finally:
        with mysql_admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database; yields its URL."""
    name = f"od_test_{uuid.uuid4().hex[:10]}"
    with closing(psycopg2.connect(PG_ADMIN_URL)) as admin:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        # A new session: a test may have restarted the server meanwhile.
        with closing(psycopg2.connect(PG_ADMIN_URL)) as admin:
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pipelines_dir(tmp_path: Path) -> Path:
    """dlt's working folder for one test (pending packages, local state)."""
    path = tmp_path / "dlt_pipelines"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def binlog_mariadb() -> Iterator[BinlogServer]:
    """A MariaDB of the tests' own with the binlog on, rows logged in full (the machine's server has it off):
    its own data folder, port and socket, started once per session and stopped at the end."""
    with binlog_server() as server:
        yield server


@pytest.fixture
def binlog_database(binlog_mariadb: BinlogServer) -> Iterator[str]:
    """A fresh, empty database on the binlog MariaDB; yields its name."""
    name = f"od_test_{uuid.uuid4().hex[:10]}"
    with closing(binlog_mariadb.connect()) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb3")
    try:
        yield name
    finally:
        with closing(binlog_mariadb.connect()) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
