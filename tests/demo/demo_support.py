"""Shared helpers of the demo-source tests: connection settings, the built-database handle, reference facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conftest import mysql_admin, mysql_url

SMALL_PATIENTS = 150
LARGER_PATIENTS = 400


def demo_url(database: str) -> str:
    return mysql_url(database)


def connect(database: str | None = None) -> Any:
    return mysql_admin(database)


@dataclass
class DemoDb:
    """A built demo source."""

    database: str
    url: str
    patients: int
    seed: int
    counts: dict[str, int]
    manifest: dict[str, Any]

    def scalar(self, sql: str, args: tuple[Any, ...] | None = None) -> Any:
        with connect(self.database) as conn, conn.cursor() as cur:
            cur.execute(sql, args)
            row = cur.fetchone()
            return None if row is None else row[0]

    def rows(self, sql: str, args: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        with connect(self.database) as conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())


DemoFactory = Callable[..., DemoDb]


# information_schema.TABLE_ROWS of the real 35,135-patient clinic (schema facts, row_counts_reference).
REAL_CLINIC_ROWS = {
    "appointment": 86729,
    "procedurelog": 818050,
    "payment": 309884,
    "paysplit": 1488763,
    "claim": 31260,
    "claimproc": 230128,
    "claimpayment": 22677,
    "adjustment": 262946,
    "commlog": 910804,
    "securitylog": 4737615,
    "deletedobject": 4762,
    "insplan": 6381,
    "inssub": 15010,
    "patplan": 21644,
    "carrier": 2386,
    "benefit": 116835,
    "schedule": 45128,
    "feesched": 8266,
    "fee": 80845,
    "recall": 57346,
    "referral": 1201,
    "refattach": 8674,
    "histappointment": 27805,
}
FIXED = {
    "provider": 59,
    "definition": 655,
    "procedurecode": 1730,
    "clinic": 0,
    "operatory": 16,
    "userod": 86,
    "preference": 1206,
}
