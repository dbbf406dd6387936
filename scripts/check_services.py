"""Check that the MariaDB/MySQL source and the PostgreSQL destination answer; print one line and exit 2
when one does not, naming the URL tried (without its password) and how to start or configure it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg2
import pymysql  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent

from opendental_sync.config import load_settings  # noqa: E402


def check_mysql(url: str) -> str | None:
    u = make_url(url)
    try:
        pymysql.connect(
            host=u.host or "127.0.0.1",
            port=u.port or 3306,
            user=u.username or "root",
            password=u.password or "",
            connect_timeout=5,
        ).close()
    except pymysql.err.OperationalError as e:
        return (
            f"MySQL/MariaDB is not reachable at {u.render_as_string(hide_password=True)} ({e.args[-1]}). "
            "Start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd, or "
            "`sudo systemctl start mariadb`) or set SOURCES__OPENDENTAL__CREDENTIALS."
        )
    return None


def check_postgres(url: str) -> str | None:
    u = make_url(url)
    server = u.set(database="postgres")
    try:
        psycopg2.connect(server.render_as_string(hide_password=False), connect_timeout=5).close()
    except psycopg2.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "no answer"
        return (
            f"PostgreSQL is not reachable at {server.render_as_string(hide_password=True)} ({first}). "
            "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or "
            "`sudo systemctl start postgresql`) or set DESTINATION__POSTGRES__CREDENTIALS."
        )
    return None


def main() -> int:
    os.chdir(ROOT)  # dlt reads .dlt/ from the working directory
    sync, dest = load_settings()
    source, destination = sync.credentials, dest.credentials
    problems = [p for p in (check_mysql(source), check_postgres(destination)) if p]
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
