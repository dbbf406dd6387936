"""Appointments, their history, and procedures (linked to appointments, or charted on their own)."""

from __future__ import annotations

from . import refdata
from .context import DENTISTS, DOCTOR_OPS, HYGIENE_OPS, HYGIENISTS, ORPHAN_BASE, Ctx
from .db import Connection as Conn
from .db import execute, scalar
from .gen_ref import POOL_DOCTOR, POOL_GENERAL, POOL_HYGIENE_EXTRA, code_nums
from .quirks_extra import FUTURE_COMPLETED_MAX_DAYS as FUTURE_DAYS
from .quirks_extra import LINKED_PROC_PERCENT

MAX_CHILDREN = 63  # children per parent row the seq_0_to_63 joins can produce


def linked_procs(ctx: Ctx) -> int:
    """How many procedures belong to an appointment."""
    return ctx.rows("procedurelog") * LINKED_PROC_PERCENT // 100


def build_appointment(conn: Conn, ctx: Ctx) -> None:
    """tmp_demo_apt (one row per appointment with its facts and its share of procedures), then appointment."""
    _appointment_helper(conn, ctx)
    _appointment_rows(conn, ctx)


def _apt_schedule(ctx: Ctx, a: str, d: str) -> tuple[str, str]:
    """(operatory, AptDateTime) SQL of appointment ``a`` on business day ``d``: each operatory sees rows_per_op
    appointments a day, spread over 9 hourly slots from 8:00 without overlap."""
    h = ctx.h
    rows, span = ctx.rows("appointment"), ctx.apt_span
    k = f"(({a}) - 1 - ({d} * {rows} + {span} - 1) DIV {span})"
    ops = DOCTOR_OPS + HYGIENE_OPS
    op = f"(1 + {k} % {ops})"
    rows_per_op = max(1, -(-rows // span) // ops + (1 if -(-rows // span) % ops else 0))
    stride = max(1, 9 // rows_per_op)
    day_op = f"CONCAT({d}, ':', {op})"
    slot = f"((({k} DIV {ops}) * {stride} + {h.mod_by('apt.slot', day_op, str(stride))}) % 9)"
    return op, f"TIMESTAMP({ctx.day(d)}, SEC_TO_TIME(28800 + {slot} * 3600))"


def _apt_facts(ctx: Ctx, a: str, d: str) -> str:
    """SELECT list of appointment ``a``'s facts: number, day, time, patient, status, room, providers, entry time
    (booked days to weeks before) and weight w0 (its share of procedures)."""
    h, plan, bdays = ctx.h, ctx.plan, ctx.cal.bdays
    op, apt_time = _apt_schedule(ctx, a, d)
    entry_day = (
        f"LEAST(DATE_SUB({ctx.day(d)}, INTERVAL 1 + {h.mod('apt.lead', a, 60)} DAY), "
        f"DATE_SUB({ctx.as_of_sql}, INTERVAL 1 + {h.mod('apt.lead2', a, 20)} DAY))"
    )
    return f"""{a} AS a, {ctx.apt_num(a)} AS AptNum, {d} AS d, {apt_time} AS AptDateTime,
        {ctx.patient_at("apt.p", a, f"LEAST({d}, {bdays - 1})")} AS PatNum,
        {plan.extra.status_sql(a, d)} AS st,
        IF({op} > {DOCTOR_OPS}, 1, 0) AS IsHyg,
        IF({op} > {DOCTOR_OPS}, {ctx.dentist("apt.dr", a)},
           {DENTISTS[0]} + ({op} - 1) % {len(DENTISTS)}) AS ProvNum,
        IF({op} > {DOCTOR_OPS}, {HYGIENISTS[0]} + ({op} - {DOCTOR_OPS + 1}) % {len(HYGIENISTS)}, 0)
            AS ProvHyg,
        {op} AS Op,
        TIMESTAMP({entry_day}, {ctx.clock("apt.et", a)}) AS entry,
        IF({op} > {DOCTOR_OPS}, {h.pick("apt.wh", a, [4, 5, 5, 6])},
           {h.pick("apt.wd", a, [1, 2, 2, 3, 4])}) AS w0"""


def _appointment_helper(conn: Conn, ctx: Ctx) -> None:
    """tmp_demo_apt: each appointment's facts, the plan of a completed one, and its procedures (first_proc and
    nproc: the linked procedures shared out by weight; none for patient notes)."""
    rows, span = ctx.rows("appointment"), ctx.apt_span
    a = "seq"
    d = ctx.day_idx(a, rows, span)
    apt = ctx.helper("apt")
    execute(
        conn,
        f"""CREATE TABLE {apt} (a INT PRIMARY KEY, AptNum BIGINT, PatNum BIGINT, d INT,
        AptDateTime DATETIME, AptStatus TINYINT, IsHyg TINYINT, ProvNum BIGINT, ProvHyg BIGINT, Op BIGINT,
        entry DATETIME, InsPlan1 BIGINT, w INT, first_proc BIGINT, nproc INT) ENGINE=MyISAM""",
    )
    n_link = linked_procs(ctx)
    execute(
        conn,
        f"""
        INSERT INTO {apt} (a, AptNum, PatNum, d, AptDateTime, AptStatus, IsHyg, ProvNum, ProvHyg, Op, entry,
            InsPlan1, w, first_proc, nproc)
        SELECT a, AptNum, x.PatNum, d, AptDateTime, st, IsHyg, ProvNum, ProvHyg, Op, entry,
            IF(st = 2, pf.PlanNum, 0), w,
            (SUM(w) OVER (ORDER BY a) - w) * {n_link} DIV SUM(w) OVER () + 1,
            SUM(w) OVER (ORDER BY a) * {n_link} DIV SUM(w) OVER ()
              - (SUM(w) OVER (ORDER BY a) - w) * {n_link} DIV SUM(w) OVER ()
        FROM (
            SELECT x0.*, IF(st IN (7, 8), 0, w0) AS w FROM (
                SELECT {_apt_facts(ctx, a, d)}
                FROM seq_1_to_{rows}
            ) x0
        ) x JOIN {ctx.helper("patfam")} pf ON pf.PatNum = x.PatNum""",
    )
    biggest = scalar(conn, f"SELECT MAX(nproc) FROM {apt}")
    if biggest is not None and biggest > MAX_CHILDREN:
        raise RuntimeError(f"an appointment got {biggest} procedures, more than {MAX_CHILDREN}; lower the weights")


_APPOINTMENT_COLUMNS = """AptNum, PatNum, AptStatus, Pattern, Confirmed, TimeLocked, Op, Note, ProvNum, ProvHyg,
    AptDateTime, NextAptNum, UnschedStatus, IsNewPatient, ProcDescript, Assistant, ClinicNum, IsHygiene,
    DateTStamp, DateTimeArrived, DateTimeSeated, DateTimeDismissed, InsPlan1, InsPlan2,
    DateTimeAskedToArrive, ProcsColored, ColorOverride, AppointmentTypeNum, SecUserNumEntry, SecDateTEntry,
    Priority, ProvBarText, PatternSecondary, SecurityHash, ItemOrderPlanned"""
_APT_NOTES = [
    "Pt prefers mornings",
    "Needs premed",
    "Call before 9am",
    "Wants to discuss crown",
    "Running late, called",
    "Bring insurance card",
]
_DESCRIPT_HYG = ["PerEx, Pro, 4BW, FlVarn", "PerEx, Pro, 2BW", "PerioMaint, PerEx", "ChPro, PerEx, FlVarn"]
_DESCRIPT_DR = ["PC2", "CrnPorc, BU", "PC1, PC2", "Ext", "RCTMol", "Seal", "LimEx, PA", "C1"]


def _arrival_times(ctx: Ctx, n: str) -> tuple[str, str, str]:
    """(DateTimeArrived, DateTimeSeated, DateTimeDismissed) SQL: 0001-01-01 on old rows, real times once
    completed (a few seated but not dismissed), else midnight of the appointment's day."""
    h, plan = ctx.h, ctx.plan
    done, seated = plan.extra.times_sql(n)
    blank, midnight = "'0001-01-01 00:00:00'", "TIMESTAMP(DATE(t.AptDateTime))"
    old = f"{n} <= {plan.extra.old_apts}"
    arrived = f"""IF({old}, {blank}, IF({done}, DATE_SUB(t.AptDateTime, INTERVAL 5 + {h.mod("apt.a1", n, 10)} MINUTE),
               {midnight}))"""
    seated_at = f"""IF({old}, {blank}, IF({done}, DATE_ADD(t.AptDateTime, INTERVAL {h.mod("apt.a2", n, 10)} MINUTE),
               {midnight}))"""
    dismissed = f"""IF({old}, {blank}, IF({done} AND NOT {seated},
               DATE_ADD(t.AptDateTime, INTERVAL 50 + {h.mod("apt.a3", n, 15)} MINUTE), {midnight}))"""
    return arrived, seated_at, dismissed


def _appointment_rows(conn: Conn, ctx: Ctx) -> None:
    """appointment: one row per tmp_demo_apt row, with its confirmation, note, pattern and times."""
    h, plan = ctx.h, ctx.plan
    confirmed_past = refdata.def_num(refdata.APPT_CONFIRMED, "Arrived")
    confirmed = [
        refdata.def_num(refdata.APPT_CONFIRMED, x)
        for x in ("Not Called", "Unconfirmed", "Left Msg", "Confirmed", "Texted", "eConfirm Sent", "eConfirmed")
    ]
    n = "t.a"
    note = plan.null_empty["appointment.Note"].sql(
        n, {"null": "NULL", "empty": "''", "value": h.pick("apt.note", n, _APT_NOTES)}
    )
    arrived, seated, dismissed = _arrival_times(ctx, n)
    stamp_base = f"IF(t.d < {ctx.cal.bdays}, DATE_ADD(t.AptDateTime, INTERVAL 70 MINUTE), t.entry)"
    execute(
        conn,
        f"""
        INSERT INTO appointment ({_APPOINTMENT_COLUMNS})
        SELECT t.AptNum, t.PatNum, t.AptStatus,
            IF(t.IsHyg, {h.pick("apt.pat", n, ["/XXXXXXXX//", "//XXXXXXXX/", "/XXXXXXXXXX/"])},
                        {h.pick("apt.pat", n, ["//XX//", "/XXXX//", "//XXXXXX//", "/XXXXXXXX//"])}),
            IF(t.AptStatus = 2, {confirmed_past}, {ctx.choice("apt.cf", n, confirmed)}),
            IF({plan.tinyint_two.sql(n)}, 2, IF({h.mod("apt.tl", n, 10)} = 0, 1, 0)),
            IF({plan.orphan["appointment.Op"].sql(n)}, 99, t.Op),
            {note}, t.ProvNum, t.ProvHyg, t.AptDateTime, 0,
            IF(t.AptStatus = 3, {ctx.defn("apt.us", n, refdata.RECALL_UNSCHED_STATUS)}, 0),
            IF({h.mod("apt.np", n, 30)} = 0, 1, 0),
            IF(t.IsHyg, {h.pick("apt.pd", n, _DESCRIPT_HYG)}, {h.pick("apt.pd", n, _DESCRIPT_DR)}), 0, 0, t.IsHyg,
            {ctx.later(stamp_base, "apt.st", n)}, {arrived}, {seated}, {dismissed},
            t.InsPlan1, 0,
            IF({h.mod("apt.ask", n, 20)} = 0, DATE_SUB(t.AptDateTime, INTERVAL 15 MINUTE), '0001-01-01 00:00:00'),
            '', IF({h.mod("apt.co", n, 50)} = 0, -16777216, 0), 0, {ctx.user("apt.u", n)}, t.entry,
            IF({h.mod("apt.pr", n, 50)} = 0, 1, 0), '', '',
            IF({h.mod("apt.sh", n, 10)} < 7, SHA2(CONCAT({ctx.seed}, ':apt:', t.AptNum), 256), ''),
            IF(t.AptStatus = 6, 1, 0)
        FROM {ctx.helper("apt")} t""",
    )


def build_histappointment(conn: Conn, ctx: Ctx) -> None:
    """histappointment: copies of appointments at create/change/missed/cancel events; some rows are the
    history of appointments deleted since (their AptNum no longer exists)."""
    h, plan = ctx.h, ctx.plan
    rows, apts = ctx.rows("histappointment"), ctx.rows("appointment")
    n = "s.seq"
    deleted = plan.orphan["histappointment.AptNum"].sql(n)
    action = (
        f"CASE WHEN {deleted} THEN 4 WHEN t.AptStatus = 5 THEN 2 WHEN t.AptStatus = 3 THEN 3 "
        f"WHEN {h.mod('ha.a', n, 3)} = 0 THEN 1 ELSE 0 END"
    )
    execute(
        conn,
        f"""
        INSERT INTO histappointment (HistApptNum, HistUserNum, HistDateTStamp, HistApptAction, ApptSource, AptNum,
            PatNum, AptStatus, Pattern, Confirmed, TimeLocked, Op, Note, ProvNum, ProvHyg, AptDateTime, NextAptNum,
            UnschedStatus, IsNewPatient, ProcDescript, Assistant, ClinicNum, IsHygiene, DateTStamp, DateTimeArrived,
            DateTimeSeated, DateTimeDismissed, InsPlan1, InsPlan2, DateTimeAskedToArrive, ProcsColored,
            ColorOverride, AppointmentTypeNum, SecUserNumEntry, SecDateTEntry, Priority, ProvBarText,
            PatternSecondary, SecurityHash, ItemOrderPlanned)
        SELECT HistApptNum, HistUserNum, happened, act, src, IF(act = 4, deleted_num, ap.AptNum), ap.PatNum,
            ap.AptStatus, COALESCE(ap.Pattern, ''), ap.Confirmed, ap.TimeLocked, ap.Op, COALESCE(ap.Note, ''),
            ap.ProvNum, ap.ProvHyg, ap.AptDateTime, ap.NextAptNum, ap.UnschedStatus, ap.IsNewPatient,
            COALESCE(ap.ProcDescript, ''), ap.Assistant, ap.ClinicNum, ap.IsHygiene, happened, ap.DateTimeArrived,
            ap.DateTimeSeated, ap.DateTimeDismissed, ap.InsPlan1, ap.InsPlan2, ap.DateTimeAskedToArrive,
            ap.ProcsColored, ap.ColorOverride, ap.AppointmentTypeNum, ap.SecUserNumEntry, ap.SecDateTEntry,
            ap.Priority, ap.ProvBarText, ap.PatternSecondary, ap.SecurityHash, ap.ItemOrderPlanned
        FROM (
            SELECT {n} AS HistApptNum, t.AptNum, {ctx.deleted_apt_num("t.a")} AS deleted_num, {action} AS act,
                {ctx.user("ha.u", n)} AS HistUserNum, IF({h.mod("ha.src", n, 10)} = 0, 1, 0) AS src,
                CASE WHEN {action} = 0 THEN t.entry
                     WHEN t.AptDateTime < {ctx.as_of_sql} THEN DATE_ADD(t.AptDateTime, INTERVAL 30 MINUTE)
                     ELSE DATE_ADD(t.entry, INTERVAL 1 HOUR) END AS happened
            FROM seq_1_to_{rows} s JOIN {ctx.helper("apt")} t ON t.a = 1 + ({n} - 1) * {apts} DIV {rows}
        ) x JOIN appointment ap ON ap.AptNum = x.AptNum""",
    )


def _code_sql(ctx: Ctx, nums: dict[str, int], proc: str, j: str, hyg: str, pool_code: str) -> str:
    """CodeNum of a linked procedure: a hygiene visit charts prophy, exam, bitewings, fluoride, then extras."""
    h = ctx.h
    return (
        f"IF({hyg}, CASE {j} WHEN 0 THEN IF({h.mod('pl.pro', proc, 10)} = 0, {nums['D4910']}, {nums['D1110']}) "
        f"WHEN 1 THEN {nums['D0120']} "
        f"WHEN 2 THEN IF({h.mod('pl.bw', proc, 3)} = 0, {nums['D0272']}, {nums['D0274']}) "
        f"WHEN 3 THEN {nums['D1206']} ELSE {pool_code} END, {pool_code})"
    )


def _tooth_columns(ctx: Ctx, n: str) -> tuple[str, str]:
    """(Surf, ToothNum) SQL by the code's treatment area (column TreatArea of the source)."""
    h = ctx.h
    surf = (
        f"CASE TreatArea WHEN 1 THEN {h.pick('pl.sf', n, ['MO', 'DO', 'O', 'MOD', 'B', 'L', 'F', 'I', 'MODL'])} "
        f"WHEN 4 THEN {h.pick('pl.q', n, ['UR', 'UL', 'LR', 'LL'])} ELSE '' END"
    )
    tooth = f"IF(TreatArea IN (1, 2), CAST(1 + {h.mod('pl.t', n, 32)} AS CHAR), '')"
    return surf, tooth


_PROC_COLUMNS = """ProcNum, PatNum, AptNum, OldCode, ProcDate, ProcFee, Surf, ToothNum, ToothRange, Priority,
    ProcStatus, ProvNum, Dx, PlannedAptNum, PlaceService, Prosthesis, DateOriginalProsth, ClaimNote, DateEntryC,
    ClinicNum, MedicalCode, DiagnosticCode, IsPrincDiag, ProcNumLab, BillingTypeOne, BillingTypeTwo, CodeNum, CodeMod1,
    CodeMod2, CodeMod3, CodeMod4, RevCode, UnitQty, BaseUnits, StartTime, StopTime, DateTP, SiteNum, HideGraphics,
    CanadianTypeCodes, ProcTime, ProcTimeEnd, DateTStamp, Prognosis, DrugUnit, DrugQty, UnitQtyType, StatementNum,
    IsLocked, BillingNote, RepeatChargeNum, SnomedBodySite, DiagnosticCode2, DiagnosticCode3, DiagnosticCode4,
    ProvOrderOverride, Discount, IsDateProsthEst, IcdVersion, IsCpoe, SecUserNumEntry, SecDateEntry, DateComplete,
    OrderingReferralNum, TaxAmt, Urgency, DiscountPlanAmt"""


def _proc_select(ctx: Ctx, n: str) -> str:
    """The SELECT list of a procedurelog row from a source with: st, PatNum, AptNum, PlannedAptNum, ProcDate,
    fee, ProvNum, code, entry, done (completion DATETIME or NULL), stamp."""
    h, plan, x = ctx.h, ctx.plan, ctx.plan.extra
    surf, tooth = _tooth_columns(ctx, n)
    return f"""{n}, PatNum, AptNum, '', ProcDate, fee, {surf}, {tooth},
        IF({h.mod("pl.tr", n, 10)} = 0, NULL, ''),
        IF(st = 1 AND {h.mod("pl.pri", n, 10)} < 3, {ctx.defn("pl.priv", n, refdata.TX_PRIORITIES)}, 0), st,
        ProvNum, 0, PlannedAptNum, 0, IF({h.mod("pl.pro", n, 8)} = 0, NULL, ''), '0001-01-01', '',
        IF(st = 2 AND ProcDate < {ctx.as_of_sql}, ProcDate, DATE(entry)), 0, '', '', 0, 0, 0, 0,
        IF({plan.orphan["procedurelog.CodeNum"].sql(n)}, {ORPHAN_BASE} + {n}, code), NULL, NULL, NULL, NULL,
        IF({h.mod("pl.rc", n, 4)} = 0, '', NULL), IF({x.unit_qty.sql(n)}, 2 + {h.mod("pl.uq", n, 3)}, 1),
        IF({x.base_units.sql(n)}, 1, 0), 0, 0,
        IF({plan.blank_date["procedurelog.DateTP"].sql(n)}, '0001-01-01', DATE(entry)), 0, 0, '',
        IF(done IS NULL, '00:00:00', TIME(done)),
        IF(done IS NULL, '00:00:00', TIME(DATE_ADD(done, INTERVAL 50 MINUTE))),
        stamp, 0, 0, 0, 0, 0, 0, '', 0, '', '', '', '', 0, 0, 0, 10, 0, {ctx.user("pl.u", n)}, entry,
        IF(st = 2, IF(ProcDate < {ctx.as_of_sql}, ProcDate, DATE(entry)), '0001-01-01'), 0, 0, 0, 0"""


def build_procedurelog(conn: Conn, ctx: Ctx) -> None:
    """Linked procedures (charted for an appointment, completed with it) then procedures on their own."""
    _linked_procedures(conn, ctx)
    _unlinked_procedures(conn, ctx)


def _linked_procedures(conn: Conn, ctx: Ctx) -> None:
    """procedurelog rows of appointments: each appointment's nproc procedures from its pool of codes (a hygiene
    visit's first ones fixed), completed with a completed appointment, planned with a planned one."""
    h, plan = ctx.h, ctx.plan
    nums = code_nums()
    proc, j = "(t.first_proc + j.seq)", "j.seq"
    pool = f"IF(t.IsHyg, {POOL_HYGIENE_EXTRA}, {POOL_DOCTOR})"
    deleted = plan.proc_deleted.sql("ProcNum")
    execute(
        conn,
        f"""
        INSERT INTO procedurelog ({_PROC_COLUMNS})
        SELECT {_proc_select(ctx, "ProcNum")}
        FROM (
            SELECT x.*, c.Fee AS fee, c.TreatArea,
                IF({deleted}, 6, IF(x.AptStatus = 2, 2, 1)) AS st,
                IF({deleted} OR x.AptStatus = 6, 0, x.AptNum0) AS AptNum,
                IF(NOT {deleted} AND x.AptStatus = 6, x.AptNum0, 0) AS PlannedAptNum,
                IF(c.IsHygiene AND x.ProvHyg > 0, x.ProvHyg, x.ProvNum0) AS ProvNum,
                IF(x.AptStatus = 2 AND NOT {deleted}, x.AptDateTime, NULL) AS done,
                IF(x.AptStatus = 2, {ctx.later("DATE_ADD(x.AptDateTime, INTERVAL 65 MINUTE)", "pl.s", "x.ProcNum")},
                   {ctx.later("x.entry", "pl.s", "x.ProcNum", share=60)}) AS stamp
            FROM (
                SELECT {proc} AS ProcNum, t.PatNum, t.AptNum AS AptNum0, t.AptStatus, t.AptDateTime, t.entry,
                    DATE(t.AptDateTime) AS ProcDate, t.ProvNum AS ProvNum0, t.ProvHyg,
                    {_code_sql(ctx, nums, proc, j, "t.IsHyg", "pk.CodeNum")} AS code
                FROM {ctx.helper("apt")} t JOIN seq_0_to_{MAX_CHILDREN} j ON j.seq < t.nproc
                JOIN {ctx.helper("pick")} pk ON pk.Pool = {pool} AND pk.Slot = {h.mod("pl.code", proc, 1000)}
            ) x JOIN {ctx.helper("code")} c ON c.CodeNum = x.code
        ) y""",
    )


def _unlinked_procedures(conn: Conn, ctx: Ctx) -> None:
    """procedurelog rows charted on their own, numbered after the linked ones: any status, a few with a negative
    fee or completed on a future date."""
    h, plan = ctx.h, ctx.plan
    n_link = linked_procs(ctx)
    unlinked = ctx.rows("procedurelog") - n_link
    if unlinked <= 0:
        return
    s = "s.seq"
    pn = f"({n_link} + {s})"
    d = ctx.day_idx(s, unlinked)
    status = f"ELT(1 + {h.mod('pu.st', pn, 100)} DIV 5, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 4, 4, 4, 3, 7, 7, 7, 8, 8, 5)"
    negative, future = plan.extra.negative_fee.sql(pn), plan.extra.future_completed.sql(pn)
    execute(
        conn,
        f"""
        INSERT INTO procedurelog ({_PROC_COLUMNS})
        SELECT {_proc_select(ctx, "ProcNum")}
        FROM (
            SELECT x.*, IF(st = 7, 0, IF(negative, -LEAST(GREATEST(c.Fee, 25), 150), c.Fee)) AS fee, c.TreatArea,
                IF(c.IsHygiene, {ctx.hygienist("pu.hy", "x.ProcNum")}, {ctx.dentist("pu.dr", "x.ProcNum")}) AS ProvNum,
                0 AS AptNum, 0 AS PlannedAptNum, IF(st = 2, entry, NULL) AS done,
                {ctx.later("x.entry", "pu.s", "x.ProcNum")} AS stamp
            FROM (
                SELECT {pn} AS ProcNum, {ctx.patient_at("pu.p", pn, d)} AS PatNum,
                    IF({future}, DATE_ADD({ctx.as_of_sql}, INTERVAL 1 + {h.mod("pu.fd", pn, FUTURE_DAYS)} DAY),
                       {ctx.day(d)}) AS ProcDate,
                    TIMESTAMP({ctx.day(d)}, {ctx.clock("pu.t", pn)}) AS entry, {negative} AS negative,
                    IF({plan.proc_deleted.sql(pn)}, 6, IF({negative} OR {future}, 2, {status})) AS st,
                    pk.CodeNum AS code
                FROM seq_1_to_{unlinked} s
                JOIN {ctx.helper("pick")} pk ON pk.Pool = {POOL_GENERAL} AND pk.Slot = {h.mod("pu.code", pn, 1000)}
            ) x JOIN {ctx.helper("code")} c ON c.CodeNum = x.code
        ) y""",
    )


def build_completed_proc_index(conn: Conn, ctx: Ctx) -> None:
    """tmp_demo_cproc: each patient's completed procedures numbered 1..k; tmp_demo_pcnt: how many."""
    cproc, pcnt = ctx.helper("cproc"), ctx.helper("pcnt")
    execute(
        conn,
        f"""CREATE TABLE {cproc} (PatNum BIGINT, k INT, ProcNum BIGINT, Fee DOUBLE, ProcDate DATE,
        ProvNum BIGINT, PRIMARY KEY (PatNum, k)) ENGINE=MyISAM""",
    )
    execute(
        conn,
        f"""
        INSERT INTO {cproc} (PatNum, k, ProcNum, Fee, ProcDate, ProvNum)
        SELECT PatNum, ROW_NUMBER() OVER (PARTITION BY PatNum ORDER BY ProcNum), ProcNum, ProcFee, ProcDate, ProvNum
        FROM procedurelog WHERE ProcStatus = 2""",
    )
    execute(conn, f"CREATE TABLE {pcnt} (PatNum BIGINT PRIMARY KEY, cnt INT) ENGINE=MyISAM")
    execute(conn, f"INSERT INTO {pcnt} SELECT PatNum, COUNT(*) FROM {cproc} GROUP BY PatNum")
