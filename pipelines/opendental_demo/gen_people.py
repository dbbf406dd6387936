"""Patients and families, recall, schedule, deletedobject (insurance: gen_insurance)."""

from __future__ import annotations

from datetime import timedelta

from . import refdata
from .context import HYGIENISTS, Ctx
from .db import Connection as Conn
from .db import execute, scalar

_FAMILY_SIZES = [1] * 9 + [2] * 5 + [3] * 3 + [4] * 2 + [5, 6]  # mean 2.24 patients per family


def build_families(conn: Conn, ctx: Ctx) -> None:
    """tmp_demo_family (contiguous PatNum ranges, first member = guarantor) and tmp_demo_patfam."""
    p, h = ctx.patients, ctx.h
    fam, patfam = ctx.helper("family"), ctx.helper("patfam")
    execute(conn, f"CREATE TABLE {fam} (f INT PRIMARY KEY, start BIGINT, size INT) ENGINE=MyISAM")
    execute(
        conn,
        f"""
        INSERT INTO {fam} (f, start, size)
        SELECT f, start, LEAST(size, {p} - start + 1) FROM (
            SELECT seq AS f, size, SUM(size) OVER (ORDER BY seq) - size + 1 AS start
            FROM (SELECT seq, {h.pick("famsize", "seq", _FAMILY_SIZES)} AS size FROM seq_1_to_{p}) x
        ) y WHERE start <= {p}""",
    )
    execute(
        conn,
        f"""CREATE TABLE {patfam} (PatNum BIGINT PRIMARY KEY, f INT, guarantor BIGINT, famsize INT,
        member INT, InsSubNum BIGINT NOT NULL DEFAULT 0, PlanNum BIGINT NOT NULL DEFAULT 0) ENGINE=MyISAM""",
    )
    execute(
        conn,
        f"""
        INSERT INTO {patfam} (PatNum, f, guarantor, famsize, member)
        SELECT fam.start + m.seq, fam.f, fam.start, fam.size, m.seq
        FROM {fam} fam JOIN seq_0_to_9 m ON m.seq < fam.size""",
    )
    ctx.set_fact("families", scalar(conn, f"SELECT COUNT(*) FROM {fam}"))
    insured = ctx.rows("patplan")
    ctx.set_fact("insured_families", scalar(conn, f"SELECT f FROM {patfam} WHERE PatNum = %s", (insured,)))


def _phone(ctx: Ctx, salt: str, n: str) -> str:
    """A number in the fictional 555-01xx range."""
    return f"CONCAT('(541)555-01', LPAD({ctx.h.mod(salt, n, 100)}, 2, '0'))"


_PATIENT_COLUMNS = """PatNum, LName, FName, MiddleI, Preferred, PatStatus, Gender, Position, Birthdate, SSN,
    Address, Address2, City, State, Zip, HmPhone, WkPhone, WirelessPhone, Guarantor, CreditType, Email,
    Salutation, EstBalance, PriProv, SecProv, FeeSched, BillingType, ImageFolder, AddrNote, FamFinUrgNote,
    MedUrgNote, ApptModNote, StudentStatus, SchoolName, ChartNumber, MedicaidID, Bal_0_30, Bal_31_60,
    Bal_61_90, BalOver90, InsEst, BalTotal, EmployerNum, EmploymentNote, County, GradeLevel, Urgency,
    DateFirstVisit, ClinicNum, HasIns, TrophyFolder, PlannedIsDone, Premed, Ward, PreferConfirmMethod,
    PreferContactMethod, PreferRecallMethod, SchedBeforeTime, SchedAfterTime, SchedDayOfWeek, Language,
    AdmitDate, Title, PayPlanDue, SiteNum, DateTStamp, ResponsParty, CanadianEligibilityCode,
    AskToArriveEarly, PreferContactConfidential, SuperFamily, TxtMsgOk, SmokingSnoMed, Country,
    DateTimeDeceased, BillingCycleDay, SecUserNumEntry, SecDateEntry, HasSuperBilling, PatNumCloneFrom,
    DiscountPlanNum, HasSignedTil, ShortCodeOptIn, SecurityHash"""


def build_patient(conn: Conn, ctx: Ctx) -> None:
    """patient: families in consecutive PatNums (the first member is the guarantor and carries the family
    balance); statuses incl. soft-deleted (4), blank birthdates, NULL/'' Address2, the upgrade stamp and an
    empty SecurityHash on old unedited rows."""
    execute(
        conn,
        f"""
        INSERT INTO patient ({_PATIENT_COLUMNS})
        SELECT PatNum, LName, FName, MiddleI, '', st, Gender, Position, Birthdate, SSN,
            Address, Address2, City, State, Zip, HmPhone, '', WirelessPhone, Guarantor, '', Email,
            '', EstBalance, PriProv, SecProv, FeeSched, BillingType, CONCAT('PT', PatNum), NULL, NULL,
            '', '', '', '', '', '', b0, b1, b2, b3, 0, b0 + b1 + b2 + b3, 0, '', '', 0, 0,
            IF(st = 6, '0001-01-01', DATE(entry)), 0, IF(PatNum <= {ctx.rows("patplan")}, 'I', ''), '', 0, Premed, '',
            Contact, Contact, Contact, NULL, NULL, 0, Language,
            '0001-01-01', NULL, 0, 0, stamp, 0, 0, 0, 0, 0, TxtMsgOk, '', '',
            IF(st = 5, TIMESTAMP(DATE_SUB({ctx.as_of_sql}, INTERVAL 1 + PatNum % 300 DAY), '12:00:00'),
               '0001-01-01 00:00:00'),
            1, SecUser, DATE(entry), 0, 0, 0, 0, 0, IF(shared, '', SHA2(CONCAT({ctx.seed}, ':pat:', PatNum), 256))
        FROM (
            SELECT {_patient_facts(ctx, "pf.PatNum", "pf.guarantor")}
            FROM {ctx.helper("patfam")} pf
        ) x""",
    )


def _patient_facts(ctx: Ctx, n: str, g: str) -> str:
    """SELECT list of patient ``n`` (of guarantor ``g``): status, names, birthdate, address and phones (shared by
    the family), providers, billing, the family balance (on the guarantor), entry time and change stamp."""
    h, plan = ctx.h, ctx.plan
    entry_day = ctx.day(ctx.day_idx(n, ctx.patients))
    entry = f"TIMESTAMP({entry_day}, {ctx.clock('pat.t', n)})"
    status = (
        f"CASE WHEN {plan.patient_deleted.sql(n)} THEN 4 ELSE ELT(1 + {h.mod('pat.s', n, 100)} DIV 5, "
        "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,3,1) END"
    )
    address2 = plan.null_empty["patient.Address2"].sql(
        n, {"null": "NULL", "empty": "''", "value": f"CONCAT('Apt ', 1 + {h.mod('pat.a2', n, 40)})"}
    )
    balance = [
        f"IF(pf.member = 0 AND {h.mod(f'pat.b{i}', g, 4)} = 0, {h.money(f'pat.bv{i}', g, 5, 400)}, 0)" for i in range(4)
    ]
    billing = refdata.def_nums(refdata.BILLING_TYPES)
    cities = refdata.CITIES
    return f"""{n} AS PatNum, {g} AS Guarantor, {status} AS st, {entry} AS entry,
        {plan.shared_stamp_sql("patient.DateTStamp", n)} AS shared,
        IF(pf.member = 1 AND {h.mod("pat.l1", n, 3)} = 0, {h.pick("pat.l", n, list(refdata.LAST_NAMES))},
           {h.pick("pat.l", g, list(refdata.LAST_NAMES))}) AS LName,
        {h.pick("pat.f", n, list(refdata.FIRST_NAMES))} AS FName,
        IF({h.mod("pat.mi", n, 3)} = 0, '', CHAR(65 + {h.mod("pat.mic", n, 26)})) AS MiddleI,
        IF({h.mod("pat.g", n, 50)} = 0, 2, {h.mod("pat.gg", n, 2)}) AS Gender,
        CASE WHEN pf.member = 0 THEN IF(pf.famsize > 1 OR {h.mod("pat.pos", n, 5)} < 3, 1, 0)
             WHEN pf.member = 1 THEN 1 ELSE 2 END AS Position,
        CASE WHEN {plan.blank_date["patient.Birthdate"].sql(n)} THEN '0001-01-01'
             WHEN pf.member <= 1 THEN DATE_SUB({entry_day}, INTERVAL 6570 + {h.mod("pat.bd", n, 21900)} DAY)
             ELSE DATE_SUB({entry_day}, INTERVAL 365 + {h.mod("pat.bd", n, 5800)} DAY) END AS Birthdate,
        IF({h.mod("pat.ssn", n, 2)} = 0, '',
           CONCAT('9', LPAD({h.mod("pat.ssnv", n, 100000000)}, 8, '0'))) AS SSN,
        CONCAT(100 + {h.mod("pat.ad", g, 9800)}, ' ', {h.pick("pat.st", g, list(refdata.STREETS))}) AS Address,
        {address2} AS Address2,
        {h.pick("pat.c", g, [c[0] for c in cities])} AS City,
        {h.pick("pat.c", g, [c[1] for c in cities])} AS State,
        {h.pick("pat.c", g, [c[2] for c in cities])} AS Zip,
        IF({h.mod("pat.hp", g, 4)} = 0, '', {_phone(ctx, "pat.hpn", g)}) AS HmPhone,
        IF({h.mod("pat.wp", n, 10)} < 7, {_phone(ctx, "pat.wpn", n)}, '') AS WirelessPhone,
        IF({h.mod("pat.em", n, 10)} < 6, CONCAT('pt', {n}, '@example.com'), '') AS Email,
        IF({h.mod("pat.eb", n, 8)} = 0, {h.money("pat.ebv", n, -50, 250)}, 0) AS EstBalance,
        {ctx.dentist("pat.pp", g)} AS PriProv,
        IF({h.mod("pat.sp", n, 3)} = 0, 0, {ctx.hygienist("pat.spv", g)}) AS SecProv,
        IF({h.mod("pat.fs", g, 10)} = 0, 3 + {h.mod("pat.fsv", g, ctx.rows("feesched") - 2)}, 0)
            AS FeeSched,
        IF({h.mod("pat.bt", g, 10)} < 8, {billing[0]}, {ctx.choice("pat.btv", g, billing)}) AS BillingType,
        {balance[0]} AS b0, {balance[1]} AS b1, {balance[2]} AS b2, {balance[3]} AS b3,
        IF({h.mod("pat.pm", n, 25)} = 0, 1, 0) AS Premed,
        {h.pick("pat.cm", n, [0, 0, 2, 4, 4, 5, 8, 8])} AS Contact,
        {h.pick("pat.lang", n, ["", "", "", "", "en", "es"])} AS Language,
        {h.pick("pat.txt", n, [0, 1, 1, 2])} AS TxtMsgOk,
        {ctx.user("pat.u", n)} AS SecUser,
        {ctx.shared_stamp("patient.DateTStamp", n, entry, "pat.st")} AS stamp"""


def build_recall(conn: Conn, ctx: Ctx) -> None:
    """recall: a 6-month prophy recall per patient, then yearly bitewing recalls."""
    h, p = ctx.h, ctx.patients
    n = "seq"
    rows = ctx.rows("recall")
    pat = f"IF({n} <= {p}, {n}, 1 + ({n} - {p} - 1) % {p})"
    reg_day = ctx.day(ctx.day_idx(pat, p))
    last_visit = f"DATE_SUB({ctx.as_of_sql}, INTERVAL 30 + {h.mod('rc.pd', n, 700)} DAY)"
    prev = f"IF({h.mod('rc.pv', n, 5)} = 0, '0001-01-01', GREATEST({reg_day}, {last_visit}))"
    interval = f"IF({n} <= {p}, 393216, 16777216)"  # packed Interval: 6 months (prophy) or 1 year (bitewings)
    execute(
        conn,
        f"""
        INSERT INTO recall (RecallNum, PatNum, DateDueCalc, DateDue, DatePrevious, RecallInterval, RecallStatus,
            Note, IsDisabled, DateTStamp, RecallTypeNum, DisableUntilBalance, DisableUntilDate, DateScheduled,
            Priority, TimePatternOverride)
        SELECT RecallNum, PatNum, due, due, prev, itv, status, note, disabled,
            {ctx.later("TIMESTAMP(IF(prev = '0001-01-01', reg, prev), '16:20:00')", "rc.s", "RecallNum")}, rtype, 0,
            '0001-01-01', sched, 0, ''
        FROM (
            SELECT RecallNum, PatNum, prev, itv, rtype, status, note, disabled, sched, reg,
                IF(itv = 393216, DATE_ADD(IF(prev = '0001-01-01', reg, prev), INTERVAL 6 MONTH),
                   DATE_ADD(IF(prev = '0001-01-01', reg, prev), INTERVAL 1 YEAR)) AS due
            FROM (
                SELECT {n} AS RecallNum, {pat} AS PatNum, {prev} AS prev, {interval} AS itv,
                    IF({n} <= {p}, 1, 6) AS rtype,
                    IF({h.mod("rc.st", n, 10)} < 3, {ctx.defn("rc.stv", n, refdata.RECALL_UNSCHED_STATUS)}, 0)
                        AS status,
                    IF({h.mod("rc.n", n, 4)} = 0, NULL, '') AS note,
                    IF({h.mod("rc.d", n, 50)} = 0, 1, 0) AS disabled,
                    IF({h.mod("rc.sc", n, 10)} < 3, DATE_ADD({ctx.as_of_sql}, INTERVAL {h.mod("rc.scd", n, 90)} DAY),
                       '0001-01-01') AS sched,
                    {reg_day} AS reg
                FROM seq_1_to_{rows}
            ) x
        ) y""",
    )


def build_schedule(conn: Conn, ctx: Ctx) -> None:
    """schedule: provider days, lunch blockouts and holidays (a few zero SchedDate); then deletedobject,
    tombstones of deleted provider schedules and recalls."""
    h, plan = ctx.h, ctx.plan
    n = "seq"
    rows, bdays = ctx.rows("schedule"), ctx.cal.bdays
    d = ctx.day_idx(n, rows)
    k = f"(({n}) - 1 - ({d} * {rows} + {bdays} - 1) DIV {bdays})"
    kind = f"(CASE WHEN {k} = 0 AND {h.mod('sch.hol', d, 40)} = 0 THEN 0 WHEN {k} % 6 = 5 THEN 2 ELSE 1 END)"
    prov = f"(1 + {k} % {max(HYGIENISTS)})"
    day = ctx.day(d)
    execute(
        conn,
        f"""
        INSERT INTO schedule (ScheduleNum, SchedDate, StartTime, StopTime, SchedType, ProvNum, BlockoutType, Note,
            Status, EmployeeNum, DateTStamp, ClinicNum)
        SELECT ScheduleNum, IF(zero, '0000-00-00', day), CASE kind WHEN 0 THEN '00:00:00' WHEN 2 THEN '12:00:00'
                 ELSE IF(prov >= {min(HYGIENISTS)}, '07:00:00', '08:00:00') END,
            CASE kind WHEN 0 THEN '00:00:00' WHEN 2 THEN '13:00:00'
                 ELSE IF(prov >= {min(HYGIENISTS)}, '16:00:00', '17:00:00') END,
            kind, IF(kind = 1, prov, 0), IF(kind = 2, {ctx.defn("sch.bt", "ScheduleNum", refdata.BLOCKOUT_TYPES)}, 0),
            CASE WHEN kind = 0 THEN 'Office closed' WHEN {h.mod("sch.n", "ScheduleNum", 3)} = 0 THEN NULL ELSE '' END,
            IF(kind = 0, 2, 0), 0,
            TIMESTAMP(DATE_SUB(day, INTERVAL 1 + {h.mod("sch.s", "ScheduleNum", 20)} DAY),
                      {ctx.clock("sch.t", "ScheduleNum")}), 0
        FROM (
            SELECT {n} AS ScheduleNum, {day} AS day, {kind} AS kind, {prov} AS prov,
                {plan.zero_date["schedule.SchedDate"].sql(n)} AS zero
            FROM seq_1_to_{rows}
        ) x""",
    )
    deleted = ctx.rows("deletedobject")
    # Numbers of deleted provider schedules (deletedobject ObjectType 1) lie above the current rows.
    execute(conn, f"ALTER TABLE schedule AUTO_INCREMENT = {rows + deleted + 1}")
    until = ctx.cal.index_of(ctx.as_of - timedelta(days=400))
    stamp_day = ctx.day(ctx.day_idx(n, deleted, until))
    execute(
        conn,
        f"""
        INSERT INTO deletedobject (DeletedObjectNum, ObjectNum, ObjectType, DateTStamp)
        SELECT {n}, IF({h.mod("del.t", n, 10)} < 6, {rows} + {n}, 1 + {h.mod("del.p", n, ctx.patients)}),
            IF({h.mod("del.t", n, 10)} < 6, 1, 2), TIMESTAMP({stamp_day}, {ctx.clock("del.c", n)})
        FROM seq_1_to_{deleted}""",
    )


def build_people(conn: Conn, ctx: Ctx) -> None:
    """Families and patients."""
    build_families(conn, ctx)
    build_patient(conn, ctx)
