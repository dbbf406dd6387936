"""The writer of one simulated day: inserts with OpenDental's blank values, updates and deletes by key, each
recorded (net) in a Recorder; random choices from ``random.Random(f"{seed}:{day}")``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from .dayrecord import Recorder
from .db import Connection as Conn
from .db import execute, insert_values, query, scalar
from .sizes import REFERENCE_PATIENTS


class Day:
    """Writes of one day on one connection, each recorded in a Recorder."""

    def __init__(self, conn: Conn, database: str, seed: int, day: int, recorder: Recorder) -> None:
        self.conn = conn
        self.database = database
        self.rng = random.Random(f"{seed}:{day}")
        self.day = day
        self.rec = recorder
        self.today: date = scalar(conn, "SELECT CURDATE()")
        patients = int(scalar(conn, "SELECT COUNT(*) FROM patient"))
        self.scale = patients / REFERENCE_PATIENTS
        self._columns: dict[str, list[tuple[str, str, str, Any, str]]] = {}
        self.max_before = {t: int(scalar(conn, f"SELECT COALESCE(MAX(`{pk}`), 0) FROM `{t}`")) for t, pk in PKS.items()}
        self.touched: dict[str, set[int]] = {}
        nums = {str(c): int(n) for n, c in query(conn, "SELECT CodeNum, ProcCode FROM procedurecode")}
        self.code_num = nums
        self.std_fee = {
            int(c): float(a)
            for c, a in query(
                conn, "SELECT CodeNum, Amount FROM fee WHERE FeeSched = 1 AND ProvNum = 0 AND ClinicNum = 0"
            )
        }

    # ---- helpers -----------------------------------------------------------------------------------------
    def count(self, per_35k: float, minimum: int) -> int:
        """A daily volume: ``per_35k`` at the real clinic's size, scaled, at least ``minimum``."""
        return max(minimum, round(per_35k * self.scale))

    def now(self) -> str:
        return str(scalar(self.conn, "SELECT NOW()"))

    def pick(self, sql: str, k: int, args: Sequence[Any] | None = None) -> list[int]:
        """Up to ``k`` keys chosen at random from the (ordered) result of ``sql``."""
        keys = sorted({int(r[0]) for r in query(self.conn, sql, args)})
        return sorted(self.rng.sample(keys, min(k, len(keys))))

    def sample(self, table: str, k: int, where: str = "TRUE") -> list[int]:
        """Up to ``k`` random keys of rows that existed before the day, match ``where`` and are not touched yet,
        found by probing random key values (no full read of a big table)."""
        pk, top = PKS[table], self.max_before[table]
        found: set[int] = set()
        probes = 4 * k + 16
        for _ in range(4):
            if top <= 0 or len(found) >= k:
                break
            keys = sorted({self.rng.randint(1, top) for _ in range(probes)})
            rows = query(self.conn, f"SELECT `{pk}` FROM `{table}` WHERE `{pk}` IN ({ints(keys)}) AND ({where})")
            found.update(self.untouched(table, [int(r[0]) for r in rows]))
            probes *= 8
        return sorted(self.rng.sample(sorted(found), min(k, len(found))))

    def untouched(self, table: str, keys: list[int]) -> list[int]:
        seen = self.touched.get(table, set())
        return [k for k in keys if k not in seen]

    def touch(self, table: str, keys: list[int]) -> None:
        self.touched.setdefault(table, set()).update(keys)

    def columns(self, table: str) -> list[tuple[str, str, str, Any, str]]:
        """(name, data_type, is_nullable, default, extra) of each column, cached."""
        if table not in self._columns:
            self._columns[table] = [
                (str(n), str(t), str(nl), d, str(e))
                for n, t, nl, d, e in query(
                    self.conn,
                    """
                    SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS
                    WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION""",
                    (self.database, table),
                )
            ]
        return self._columns[table]

    def _blank(self, data_type: str, nullable: str, default: Any) -> Any:
        if default is not None and default != "NULL":
            text = str(default)
            return text[1:-1].replace("''", "'") if text.startswith("'") else text
        if nullable == "YES":
            return None
        if data_type in ("date",):
            return "0001-01-01"
        if data_type in ("datetime",):
            return "0001-01-01 00:00:00"
        if data_type == "time":
            return "00:00:00"
        if data_type in ("char", "varchar", "text", "mediumtext", "longtext", "tinytext"):
            return ""
        return 0

    def insert(self, table: str, rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows (unspecified columns get OpenDental's blank values, never a zero date); the table's
        AUTO_INCREMENT key assigns the primary keys, returned in order."""
        if not rows:
            return []
        pk = PKS[table]
        cols = [
            (n, t, nl, d)
            for n, t, nl, d, e in self.columns(table)
            if n != pk and not (t == "timestamp" and "on update" in e.lower())
        ]
        names = [c[0] for c in cols]
        values = [tuple(row.get(n, self._blank(t, nl, d)) for n, t, nl, d in cols) for row in rows]
        first = insert_values(self.conn, table, names, values)
        keys = list(range(first, first + len(rows)))
        self.rec.key(table, pk)
        self.rec.inserted(table, keys)
        self.touch(table, keys)
        return keys

    def update(self, table: str, keys: list[int], assignments: str, args: Sequence[Any] = ()) -> None:
        """UPDATE rows by key; every row must really change (else it would not count as an update)."""
        if not keys:
            return
        pk = PKS[table]
        changed = execute(self.conn, f"UPDATE `{table}` SET {assignments} WHERE `{pk}` IN ({ints(keys)})", args)
        if changed != len(keys):
            raise RuntimeError(f"simulator bug: UPDATE {table} changed {changed} of {len(keys)} rows")
        self.rec.key(table, pk)
        self.rec.updated(table, keys)
        self.touch(table, keys)

    def delete(self, table: str, keys: list[int]) -> None:
        if not keys:
            return
        pk = PKS[table]
        gone = execute(self.conn, f"DELETE FROM `{table}` WHERE `{pk}` IN ({ints(keys)})")
        if gone != len(keys):
            raise RuntimeError(f"simulator bug: DELETE {table} removed {gone} of {len(keys)} rows")
        self.rec.key(table, pk)
        self.rec.deleted(table, keys)
        self.touch(table, keys)

    def keys_where(self, table: str, where: str) -> list[int]:
        pk = PKS[table]
        return [int(r[0]) for r in query(self.conn, f"SELECT `{pk}` FROM `{table}` WHERE {where} ORDER BY `{pk}`")]

    def log(self, entries: list[tuple[int, int, int, str]]) -> None:
        """securitylog rows (PermType, PatNum, FKey, text) written now by an active user."""
        now = self.now()
        self.insert(
            "securitylog",
            [
                {
                    "PermType": perm,
                    "UserNum": 1 + self.rng.randrange(20),
                    "LogDateTime": now,
                    "LogText": text,
                    "PatNum": pat,
                    "CompName": self.rng.choice(("FRONTDESK1", "FRONTDESK2", "CHECKOUT", "OP1-PC")),
                    "FKey": fkey,
                    "LogSource": 0,
                    "DateTPrevious": "0001-01-01 00:00:00",
                }
                for perm, pat, fkey, text in entries
            ],
        )

    def hist(self, apt_nums: list[int], action: int) -> None:
        """histappointment copies of appointments (before a change is applied, as OpenDental does)."""
        if not apt_nums:
            return
        cols = [c for c in _HIST_COPY if c != "AptNum"]
        copies = ", ".join(f"COALESCE(`{c}`, {_HIST_NULL.get(c, '0')})" for c in cols)
        execute(
            self.conn,
            f"""
            INSERT INTO histappointment (HistUserNum, HistDateTStamp, HistApptAction, ApptSource, AptNum,
                {", ".join(cols)})
            SELECT {1 + self.rng.randrange(20)}, NOW(), {action}, 0, AptNum,
                {copies}
            FROM appointment WHERE AptNum IN ({ints(apt_nums)}) ORDER BY AptNum""",
        )
        first = int(scalar(self.conn, "SELECT LAST_INSERT_ID()"))
        keys = list(range(first, first + len(apt_nums)))
        self.rec.key("histappointment", "HistApptNum")
        self.rec.inserted("histappointment", keys)

    def fee(self, code: str) -> float:
        return self.std_fee.get(self.code_num[code], 100.0)


def ints(keys: Sequence[int]) -> str:
    return ", ".join(str(int(k)) for k in keys)


PKS: dict[str, str] = {
    "appointment": "AptNum",
    "procedurelog": "ProcNum",
    "payment": "PayNum",
    "paysplit": "SplitNum",
    "claim": "ClaimNum",
    "claimproc": "ClaimProcNum",
    "claimpayment": "ClaimPaymentNum",
    "adjustment": "AdjNum",
    "commlog": "CommlogNum",
    "securitylog": "SecurityLogNum",
    "patient": "PatNum",
    "recall": "RecallNum",
    "histappointment": "HistApptNum",
    "patplan": "PatPlanNum",
    "inssub": "InsSubNum",
}
_HIST_COPY = (
    "AptNum",
    "PatNum",
    "AptStatus",
    "Pattern",
    "Confirmed",
    "TimeLocked",
    "Op",
    "Note",
    "ProvNum",
    "ProvHyg",
    "AptDateTime",
    "NextAptNum",
    "UnschedStatus",
    "IsNewPatient",
    "ProcDescript",
    "Assistant",
    "ClinicNum",
    "IsHygiene",
    "DateTimeArrived",
    "DateTimeSeated",
    "DateTimeDismissed",
    "InsPlan1",
    "InsPlan2",
    "DateTimeAskedToArrive",
    "ProcsColored",
    "ColorOverride",
    "AppointmentTypeNum",
    "SecUserNumEntry",
    "SecDateTEntry",
    "Priority",
    "ProvBarText",
    "PatternSecondary",
    "SecurityHash",
    "ItemOrderPlanned",
)
_HIST_NULL = {"Pattern": "''", "Note": "''", "ProcDescript": "''"}
