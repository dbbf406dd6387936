"""The least-privilege roles of scripts/pg_roles.sql in a test database: a loader (the pipeline), a transformer
(dbt) and an analyst (people), each connecting as itself."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]


def as_role(pg_url: str, role: str) -> str:
    """The same database as another user (the local server trusts its users, as pg_hba.conf says)."""
    scheme, rest = pg_url.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[1]}"


@dataclass(frozen=True)
class Roles:
    prefix: str
    loader: str
    transformer: str
    analyst: str


@contextmanager
def pg_roles(pg_database: str, raw: str = "opendental_raw") -> Iterator[Roles]:
    """scripts/pg_roles.sql's roles under a prefix of their own (roles belong to the whole cluster), dropped after."""
    prefix = f"od_test_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", "-q", "-v", f"prefix={prefix}", "-v", f"raw={raw}", "-f", str(ROOT / "scripts" / "pg_roles.sql"),
         pg_database],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    names = [f"{prefix}_{r}" for r in ("loader", "transformer", "analyst")]
    try:
        yield Roles(prefix, *names)
    finally:
        with closing(psycopg2.connect(pg_database)) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                for name in names:  # one at a time: the loader's default privileges name the transformer
                    cur.execute(f'DROP OWNED BY "{name}" CASCADE')
        with closing(psycopg2.connect(as_role(pg_database, "postgres").rsplit("/", 1)[0] + "/postgres")) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'REVOKE ALL ON DATABASE "{pg_database.rsplit("/", 1)[1]}" FROM ' + ", ".join(names))
                for name in names:
                    cur.execute(f'DROP ROLE IF EXISTS "{name}"')
