"""Quirks made after the tables are filled: income on deleted procedures and merged insurance plans in
appointment history. Each picks a counted number of candidate rows in a seeded order and updates them in place,
keeping their change stamps."""

from __future__ import annotations

from .context import ORPHAN_BASE, Ctx
from .db import Connection as Conn
from .db import execute
from .quirks_extra import INCOME_ON_DELETED, per_10000
from .sqlgen import Bucket

# table -> (primary key, rows that carry income from a procedure)
_INCOME_ROWS = {
    "paysplit": ("SplitNum", "c.ProcNum > 0"),
    "adjustment": ("AdjNum", "c.ProcNum > 0"),
    "claimproc": ("ClaimProcNum", f"c.Status = 1 AND c.InsPayAmt > 0 AND c.ProcNum BETWEEN 1 AND {ORPHAN_BASE}"),
}


def build_income_on_deleted(conn: Conn, ctx: Ctx) -> None:
    """Splits, adjustments and received claimprocs that point at a deleted procedure (ProcStatus 6) of their
    patient: OpenDental deleted the procedure and kept the income attached to it."""
    dproc = ctx.helper("dproc")
    execute(conn, f"CREATE TABLE {dproc} (PatNum BIGINT PRIMARY KEY, ProcNum BIGINT) ENGINE=MyISAM")
    execute(
        conn, f"INSERT INTO {dproc} SELECT PatNum, MIN(ProcNum) FROM procedurelog WHERE ProcStatus = 6 GROUP BY PatNum"
    )
    for key, share in INCOME_ON_DELETED.items():
        table = key.split(".")[0]
        pk, where = _INCOME_ROWS[table]
        wanted = per_10000(ctx.rows(table), share)
        pick = ctx.helper(f"inc_{table}")
        execute(conn, f"CREATE TABLE {pick} (id BIGINT PRIMARY KEY, ProcNum BIGINT) ENGINE=MyISAM")
        order = Bucket.make(ctx.seed, "deleted:" + table)
        found = 0
        # The first candidates in the seeded order; looking at the lowest 1 % of the order first is enough at scale.
        for below in (min(10_000, 40 * share), 10_000):
            execute(conn, f"TRUNCATE TABLE {pick}")
            found = execute(
                conn,
                f"""
                INSERT INTO {pick} SELECT c.{pk}, d.ProcNum FROM {table} c JOIN {dproc} d ON d.PatNum = c.PatNum
                WHERE {where} AND {order.sql("c." + pk)} < {below}
                ORDER BY {order.sql("c." + pk)}, c.{pk} LIMIT {wanted}""",
            )
            if found == wanted:
                break
        if found != wanted:
            raise RuntimeError(f"generator bug: {found} {table} rows can move to a deleted procedure, {wanted} planned")
        execute(
            conn,
            f"UPDATE {table} c JOIN {pick} x ON x.id = c.{pk} "
            "SET c.ProcNum = x.ProcNum, c.SecDateTEdit = c.SecDateTEdit",
        )


def build_merged_plan(conn: Conn, ctx: Ctx) -> None:
    """histappointment rows whose InsPlan1 is a plan merged away: the merge rewrote appointment.InsPlan1 and
    deleted the old plan, the history kept the old PlanNum (numbers above every current plan, three rows each)."""
    wanted = ctx.plan.extra.merged_plans()
    pick = ctx.helper("merged")
    execute(conn, f"CREATE TABLE {pick} (id BIGINT PRIMARY KEY, rn INT) ENGINE=MyISAM")
    found = execute(
        conn,
        f"""
        INSERT INTO {pick} SELECT HistApptNum, ROW_NUMBER() OVER (ORDER BY HistApptNum) FROM (
            SELECT HistApptNum FROM histappointment WHERE InsPlan1 > 0
            ORDER BY {ctx.plan.extra.order_sql("merged", "HistApptNum")} LIMIT {wanted}
        ) x""",
    )
    if found != wanted:
        raise RuntimeError(f"generator bug: {found} histappointment rows with a plan, {wanted} merges planned")
    execute(
        conn,
        f"""UPDATE histappointment h JOIN {pick} x ON x.id = h.HistApptNum
        SET h.InsPlan1 = {ctx.rows("insplan")} + 1 + (x.rn - 1) DIV 3, h.DateTStamp = h.DateTStamp""",
    )
