"""Shared state and SQL expression helpers of one demo-source build."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from . import refdata
from .quirks import QuirkPlan
from .quirks_extra import FUTURE_BDAYS
from .sqlgen import Calendar, Hasher

# Users who do the daily work (securitylog, entries); the other userod rows are old or hidden accounts.
ACTIVE_USERS = 20
DENTISTS = (1, 2, 3, 4)
HYGIENISTS = (5, 6, 7, 8, 9)
SPECIALISTS = (10, 11, 12)
DOCTOR_OPS = 8  # operatories 1-8 doctor, 9-14 hygiene, 15 consult, 16 hidden
HYGIENE_OPS = 6
ORPHAN_BASE = 1_000_000_000  # orphan references point at ORPHAN_BASE + row number: never a real key

HELPER_PREFIX = "tmp_demo_"


@dataclass
class Ctx:
    """One build: the quirk plan, the seeded hasher, and facts later steps read from earlier ones."""

    plan: QuirkPlan
    facts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def h(self) -> Hasher:
        return Hasher(self.plan.seed)

    @property
    def seed(self) -> int:
        return self.plan.seed

    @property
    def patients(self) -> int:
        return self.plan.patients

    @property
    def cal(self) -> Calendar:
        return self.plan.calendar

    @property
    def as_of(self) -> date:
        return self.plan.as_of

    def rows(self, table: str) -> int:
        return self.plan.sizes[table]

    def fact(self, name: str) -> int:
        with self.lock:
            return self.facts[name]

    def set_fact(self, name: str, value: int) -> None:
        with self.lock:
            self.facts[name] = int(value)

    # ---- dates and times ---------------------------------------------------------------------------------
    def q(self, d: date) -> str:
        """A DATE literal."""
        return f"DATE'{d.isoformat()}'"

    @property
    def as_of_sql(self) -> str:
        return self.q(self.as_of)

    def days_before(self, days: int) -> str:
        return self.q(self.as_of - timedelta(days=days))

    def day_idx(self, n: str, rows: int, span: int | None = None) -> str:
        """Business-day index of row ``n`` of ``rows`` spread over the history (or ``span`` days)."""
        return Calendar.spread_sql(n, rows, self.cal.bdays if span is None else span)

    def day(self, idx: str) -> str:
        return self.cal.day_sql(idx)

    def clock(self, salt: str, n: str, first_hour: float = 7.5, hours: float = 10.5) -> str:
        """A time of day in business hours."""
        return f"SEC_TO_TIME({int(first_hour * 3600)} + {self.h.mod(salt, n, int(hours * 3600))})"

    def at(self, day: str, salt: str, n: str) -> str:
        """A DATETIME on ``day`` in business hours."""
        return f"TIMESTAMP({day}, {self.clock(salt, n)})"

    def later(self, base: str, salt: str, n: str, share: int = 25, max_days: int = 120) -> str:
        """``base`` (a DATETIME before as_of), moved a few days later for ``share``% of rows (edited since),
        never to as_of or beyond."""
        moved = f"DATE_ADD({base}, INTERVAL ({self.h.mod(salt, n, max_days)} + 1) DAY)"
        return f"IF({self.h.mod(salt + '?', n, 100)} < {share} AND {moved} < {self.as_of_sql}, {moved}, {base})"

    def shared_stamp(self, key: str, n: str, entry: str, salt: str) -> str:
        """The change stamp of a table that an upgrade stamped: the upgrade value on old rows not edited
        since, a day after the upgrade on old rows edited since, else ``later(entry)``."""
        up = self.plan.upgrade_stamp
        days_after = max(1, (self.as_of - up.date()).days - 1)
        offset = f"({self.h.mod(salt + '+', n, days_after)} + 1)"
        edited_day = f"DATE_ADD(DATE'{up.date().isoformat()}', INTERVAL {offset} DAY)"
        edited = f"TIMESTAMP({edited_day}, TIME({entry}))"
        before = self.plan.rows_before_upgrade(key.split(".")[0])
        return (
            f"(CASE WHEN {self.plan.shared_stamp_sql(key, n)} THEN '{up.isoformat(sep=' ')}' "
            f"WHEN ({n}) <= {before} THEN {edited} ELSE {self.later(entry, salt, n)} END)"
        )

    # ---- references --------------------------------------------------------------------------------------
    def patient_at(self, salt: str, n: str, day_idx: str) -> str:
        """A patient registered by business day ``day_idx`` (older patients accumulate more history)."""
        p, span = self.patients, self.cal.bdays
        registered = f"LEAST({p}, ((({day_idx}) + 1) * {p} + {span} - 1) DIV {span})"
        return f"(1 + {self.h.h(salt, n)} % {registered})"

    def user(self, salt: str, n: str) -> str:
        return f"(1 + {self.h.mod(salt, n, ACTIVE_USERS)})"

    def choice(self, salt: str, n: str, values: Sequence[int]) -> str:
        return self.h.pick(salt, n, list(values))

    def defn(self, salt: str, n: str, category: int) -> str:
        """A visible definition (DefNum) of one category."""
        return self.choice(salt, n, refdata.def_nums(category))

    def dentist(self, salt: str, n: str) -> str:
        return self.choice(salt, n, DENTISTS)

    def hygienist(self, salt: str, n: str) -> str:
        return self.choice(salt, n, HYGIENISTS)

    def apt_num(self, a: str) -> str:
        """AptNum of appointment ordinal ``a``: 2a or 2a-1, the other number belongs to a deleted appointment."""
        return f"(2 * ({a}) - {self.h.mod('aptgap', a, 2)})"

    def deleted_apt_num(self, a: str) -> str:
        """The AptNum next to appointment ``a`` that no longer exists (a hard-deleted appointment)."""
        return f"(2 * ({a}) - 1 + {self.h.mod('aptgap', a, 2)})"

    @property
    def apt_span(self) -> int:
        return self.cal.bdays + FUTURE_BDAYS

    def install_stamp(self, day_offset: int = 0) -> str:
        """A stamp in the first weeks of the history (when the reference rows were set up)."""
        d = self.cal.start + timedelta(days=day_offset)
        return datetime.combine(d, time(9, 12, 44)).isoformat(sep=" ")

    def helper(self, name: str) -> str:
        return HELPER_PREFIX + name
