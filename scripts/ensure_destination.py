"""Create the PostgreSQL database of the copy when it does not exist yet (the demo's first run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent

from opendental_sync.config import load_settings  # noqa: E402


def main() -> int:
    os.chdir(ROOT)
    _, dest = load_settings()
    url = make_url(dest.credentials)
    admin = psycopg2.connect(url.set(database="postgres").render_as_string(hide_password=False))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(url.database))))
            print(f"created PostgreSQL database {url.database}")
    admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
