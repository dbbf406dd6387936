"""Communication and audit logs (commlog, securitylog) and referral attachments (refattach)."""

from __future__ import annotations

from . import refdata
from .context import ORPHAN_BASE, Ctx
from .db import Connection as Conn
from .db import execute, keys_off
from .quirks_extra import NO_PATIENT_PERMS, PERM_TYPES
from .sqlgen import Calendar, sql_str

_APPOINTMENT_PERMS = (25, 26, 27, 120, 237)
_PROCEDURE_PERMS = (23, 100, 10, 64, 49)
_PAYMENT_PERMS = (15, 16)
_COMPUTERS = (
    "FRONTDESK1",
    "FRONTDESK2",
    "CHECKOUT",
    "OP1-PC",
    "OP2-PC",
    "OP5-PC",
    "HYG1-PC",
    "HYG3-PC",
    "BILLING",
    "DR-OFFICE",
    "SERVER",
)


def build_commlog(conn: Conn, ctx: Ctx) -> None:
    """commlog: ~26 per patient over the history; notes NULL/''/text, zero CommDateTime rows, blank DateTEntry
    before 23.x, CommSource NULL on old rows, the upgrade stamp on old rows, a few orphan PatNums."""
    h, plan = ctx.h, ctx.plan
    rows = ctx.rows("commlog")
    n = "seq"
    d = ctx.day_idx(n, rows)
    when = f"TIMESTAMP({ctx.day(d)}, {ctx.clock('cl.t', n, 7.0, 13.0)})"
    before = Calendar.rows_before(rows, ctx.cal.bdays, plan.date_t_entry_index)
    note = plan.null_empty["commlog.Note"].sql(
        n,
        {
            "null": "NULL",
            "empty": "''",
            "value": h.pick(
                "cl.note",
                n,
                [
                    "Appointment reminder sent by text.",
                    "Appointment confirmed via eConfirmation.",
                    "Left voicemail about recall.",
                    "Patient called to reschedule.",
                    "Statement mailed.",
                    "Emailed treatment plan.",
                    "Insurance verification completed.",
                    "Thank you message sent.",
                    "Patient asked about balance, explained EOB.",
                    "Referral letter faxed to specialist.",
                ],
            ),
        },
    )
    with keys_off(conn, "commlog"):
        execute(
            conn,
            f"""
            INSERT INTO commlog (CommlogNum, PatNum, CommDateTime, CommType, Note, Mode_, SentOrReceived, UserNum,
                Signature, SigIsTopaz, DateTStamp, DateTimeEnd, CommSource, ProgramNum, DateTEntry, ReferralNum,
                CommReferralBehavior)
            SELECT {n},
                IF({plan.orphan["commlog.PatNum"].sql(n)}, {ORPHAN_BASE} + {n}, {ctx.patient_at("cl.p", n, d)}),
                IF({plan.zero_date["commlog.CommDateTime"].sql(n)}, '0000-00-00 00:00:00', {when}),
                {ctx.defn("cl.ty", n, refdata.COMMLOG_TYPES)}, {note},
                {h.pick("cl.m", n, [5, 5, 5, 1, 1, 3, 3, 2, 4, 6])}, {h.pick("cl.sr", n, [1, 1, 1, 2, 0])},
                IF({h.mod("cl.auto", n, 10)} < 6, 0, {ctx.user("cl.u", n)}), '', 0,
                {ctx.shared_stamp("commlog.DateTStamp", n, when, "cl.s")},
                IF({h.mod("cl.end", n, 10)} = 0, DATE_ADD({when}, INTERVAL 4 MINUTE), '0001-01-01 00:00:00'),
                IF({n} <= {before}, NULL, {h.pick("cl.src", n, [0, 0, 3, 3, 4, 4, 6, 1])}), 0,
                IF({n} <= {before}, '0001-01-01 00:00:00', DATE_ADD({when}, INTERVAL {h.mod("cl.e", n, 90)} SECOND)),
                0, 0
            FROM seq_1_to_{rows}""",
        )


def build_securitylog(conn: Conn, ctx: Ctx) -> None:
    """securitylog: the audit log (~135 rows per patient); no change stamp, a few zero LogDateTime values; FKey
    points at appointments, procedures or payments depending on PermType."""
    h, plan = ctx.h, ctx.plan
    rows = ctx.rows("securitylog")
    n = "seq"
    d = ctx.day_idx(n, rows)
    perm = plan.extra.perm_sql(n)
    patient = ctx.patient_at("sl.p", n, d)
    texts = " ".join(
        f"WHEN {code} THEN CONCAT({sql_str(text.replace('{p}', ''))}" + (f", {patient})" if "{p}" in text else ")")
        for code, _w, text in PERM_TYPES
        if code != 83
    )
    texts += f" WHEN 83 THEN IF({h.mod('sl.off', n, 2)} = 0, 'User logged on.', 'User logged off.')"
    a = f"(1 + {h.mod('sl.a', n, ctx.rows('appointment'))})"
    fkey = (
        f"CASE WHEN pt IN {_APPOINTMENT_PERMS} THEN {ctx.apt_num(a)} "
        f"WHEN pt IN {_PROCEDURE_PERMS} THEN 1 + {h.mod('sl.pr', n, ctx.rows('procedurelog'))} "
        f"WHEN pt IN {_PAYMENT_PERMS} THEN 1 + {h.mod('sl.py', n, ctx.rows('payment'))} ELSE 0 END"
    )
    when = f"TIMESTAMP({ctx.day(d)}, {ctx.clock('sl.t', n, 7.0, 12.0)})"
    with keys_off(conn, "securitylog"):
        execute(
            conn,
            f"""
            INSERT INTO securitylog (SecurityLogNum, PermType, UserNum, LogDateTime, LogText, PatNum, CompName, FKey,
                LogSource, DefNum, DefNumError, DateTPrevious)
            SELECT {n}, pt, {ctx.user("sl.u", n)},
                IF({plan.zero_date["securitylog.LogDateTime"].sql(n)}, '0000-00-00 00:00:00', {when}),
                CASE pt {texts} ELSE 'Edited' END,
                IF(pt IN {NO_PATIENT_PERMS}, 0, {patient}), {h.pick("sl.c", n, list(_COMPUTERS))}, {fkey},
                {h.pick("sl.src", n, [0] * 17 + [1, 8, 17])}, 0, 0, '0001-01-01 00:00:00'
            FROM (SELECT seq, {perm} AS pt FROM seq_1_to_{rows}) x""",
        )


def build_refattach(conn: Conn, ctx: Ctx) -> None:
    """refattach: referrals attached to patients (from/to); referrals out may name a completed procedure."""
    h, plan = ctx.h, ctx.plan
    rows = ctx.rows("refattach")
    n = "x.RefAttachNum"
    s = "s.seq"
    d = ctx.day_idx(s, rows)
    execute(
        conn,
        f"""
        INSERT INTO refattach (RefAttachNum, ReferralNum, PatNum, ItemOrder, RefDate, RefType, RefToStatus, Note,
            IsTransitionOfCare, ProcNum, DateProcComplete, ProvNum, DateTStamp)
        SELECT {n}, 1 + {h.mod("ra.r", n, ctx.rows("referral"))}, x.PatNum, 0,
            IF({plan.zero_date["refattach.RefDate"].sql(n)}, '0000-00-00', x.RefDate), x.RefType,
            IF(x.RefType = 0, 1 + {h.mod("ra.st", n, 5)}, 0), IF({h.mod("ra.n", n, 3)} = 0, NULL, ''), 0,
            COALESCE(cp.ProcNum, 0), '0001-01-01', {ctx.dentist("ra.pv", n)},
            {ctx.later(f"TIMESTAMP(x.RefDate, {ctx.clock('ra.t', n)})", "ra.s", n)}
        FROM (
            SELECT {s} AS RefAttachNum, {ctx.day(d)} AS RefDate, {ctx.patient_at("ra.p", s, d)} AS PatNum,
                IF({h.mod("ra.ty", s, 10)} < 6, 1, 0) AS RefType
            FROM seq_1_to_{rows} s
        ) x
        LEFT JOIN {ctx.helper("pcnt")} pc ON pc.PatNum = x.PatNum AND x.RefType = 0 AND {h.mod("ra.pa", n, 10)} < 3
        LEFT JOIN {ctx.helper("cproc")} cp ON cp.PatNum = pc.PatNum AND cp.k = 1 + {h.mod_by("ra.k", n, "pc.cnt")}""",
    )
