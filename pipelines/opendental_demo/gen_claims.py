"""Insurance claims: claim, claimproc (attached rows, supplemental payments, estimates), claimpayment."""

from __future__ import annotations

from . import refdata
from .context import ORPHAN_BASE, Ctx
from .db import Connection as Conn
from .db import execute, keys_off, scalar
from .gen_visits import MAX_CHILDREN
from .quirks import CLAIMPROC_OVERRIDES


def build_claims(conn: Conn, ctx: Ctx) -> None:
    """claim, claimproc (attached rows, supplemental payments, then estimates), claimpayment (the newest partial)."""
    visits = _billable_visits(conn, ctx)
    _claim_helper(conn, ctx, visits)
    _assign_checks(conn, ctx)
    _claimprocs(conn, ctx)
    _claim_rows(conn, ctx)
    _claimpayments(conn, ctx)


def _billable_visits(conn: Conn, ctx: Ctx) -> int:
    """tmp_demo_visit: the completed appointments with procedures to bill, those of insured patients if there
    are any; returns how many."""
    visit, apt = ctx.helper("visit"), ctx.helper("apt")
    n_pp = ctx.rows("patplan")
    execute(conn, f"CREATE TABLE {visit} (v INT PRIMARY KEY, a INT) ENGINE=MyISAM")
    for condition in (f"AptStatus = 2 AND nproc > 0 AND PatNum <= {n_pp}", "AptStatus = 2 AND nproc > 0"):
        execute(conn, f"INSERT INTO {visit} SELECT ROW_NUMBER() OVER (ORDER BY a), a FROM {apt} WHERE {condition}")
        visits = int(scalar(conn, f"SELECT COUNT(*) FROM {visit}"))
        if visits:
            break
    if not visits:
        raise RuntimeError("no completed appointment to bill; use more patients (at least 20)")
    return visits


def _claim_helper(conn: Conn, ctx: Ctx, visits: int) -> None:
    """tmp_demo_claim: one row per claim, spread over the billable visits (a second claim of one visit is
    secondary), with its status by age (received, sent, else unsent, waiting or on hold) and its dates."""
    h = ctx.h
    claim, apt, patfam, visit = ctx.helper("claim"), ctx.helper("apt"), ctx.helper("patfam"), ctx.helper("visit")
    n_claim = ctx.rows("claim")
    c = "s.seq"
    v_of = f"(({c} - 1) * {visits} DIV {n_claim})"
    date_service = "DATE(t.AptDateTime)"
    yesterday = f"DATE_SUB({ctx.as_of_sql}, INTERVAL 1 DAY)"
    sent = f"LEAST(DATE_ADD({date_service}, INTERVAL {h.mod('cl.ds', c, 4)} DAY), {yesterday})"
    status = (
        f"CASE WHEN {date_service} < {ctx.days_before(45)} THEN 'R' WHEN {date_service} < {ctx.days_before(5)} "
        f"THEN 'S' ELSE {h.pick('cl.st', c, ['U', 'W', 'H', 'U'])} END"
    )
    execute(
        conn,
        f"""CREATE TABLE {claim} (c INT PRIMARY KEY, a INT, PatNum BIGINT, ProvNum BIGINT,
        PlanNum BIGINT, InsSubNum BIGINT, member INT, ClaimType VARCHAR(10), status CHAR(1), DateService DATE,
        DateSent DATE, DateReceived DATE, rc INT, cpay BIGINT) ENGINE=MyISAM""",
    )
    execute(
        conn,
        f"""
        INSERT INTO {claim} (c, a, PatNum, ProvNum, PlanNum, InsSubNum, member, ClaimType, status, DateService,
            DateSent, DateReceived, rc, cpay)
        SELECT {c}, t.a, t.PatNum, t.ProvNum, IF(pf.PlanNum > 0, pf.PlanNum, 1), IF(pf.InsSubNum > 0, pf.InsSubNum, 1),
            pf.member,
            IF({c} > 1 AND {v_of} = (({c} - 2) * {visits} DIV {n_claim}), 'S', 'P'), {status}, {date_service},
            IF({status} IN ('U', 'H'), '0001-01-01', {sent}),
            IF({status} = 'R', LEAST(DATE_ADD({sent}, INTERVAL 10 + {h.mod("cl.dr", c, 30)} DAY), {yesterday}),
               '0001-01-01'), 0, 0
        FROM seq_1_to_{n_claim} s JOIN {visit} vi ON vi.v = 1 + {v_of}
        JOIN {apt} t ON t.a = vi.a JOIN {patfam} pf ON pf.PatNum = t.PatNum""",
    )


def _assign_checks(conn: Conn, ctx: Ctx) -> None:
    """Numbers the received claims (rc) and spreads them over the insurance checks (cpay)."""
    claim, n_cpay = ctx.helper("claim"), ctx.rows("claimpayment")
    received = int(scalar(conn, f"SELECT COUNT(*) FROM {claim} WHERE status = 'R'"))
    if received:
        cpay = f"1 + (r.rc - 1) * {n_cpay} DIV {received}" if received >= n_cpay else "r.rc"
        execute(
            conn,
            f"""
            UPDATE {claim} cl JOIN (SELECT c, ROW_NUMBER() OVER (ORDER BY c) AS rc FROM {claim} WHERE status = 'R') r
                ON r.c = cl.c
            SET cl.rc = r.rc, cl.cpay = {cpay}""",
        )


def _claimprocs(conn: Conn, ctx: Ctx) -> None:
    """claimproc: a row per completed procedure of each claim, then supplemental payments, then estimates up to
    the table's size; records how many are attached to a claim (fact claimproc_attached)."""
    claim, apt = ctx.helper("claim"), ctx.helper("apt")
    n_cp, n_supp = ctx.rows("claimproc"), ctx.plan.extra.supplementals
    with keys_off(conn, "claimproc"):
        attached = execute(
            conn,
            f"""
            INSERT INTO claimproc ({_CLAIMPROC_COLUMNS})
            SELECT {_claimproc_select(ctx)}
            FROM (
                SELECT ROW_NUMBER() OVER (ORDER BY cl.c, p.ProcNum) AS cpn, p.ProcNum, cl.c AS ClaimNum, p.PatNum,
                    p.ProvNum, p.ProcFee AS fee, cl.PlanNum, cl.InsSubNum, IF(cl.status = 'R', 1, 0) AS received,
                    IF(cl.status = 'R', cl.DateReceived, '0001-01-01') AS date_cp, p.ProcDate,
                    cl.DateService AS date_entry, j.seq + 1 AS line, cl.cpay, code.ProcCode,
                    IF(cl.status = 'R', TIMESTAMP(cl.DateReceived, '14:05:00'), p.SecDateEntry) AS edited, 0 AS supp
                FROM {claim} cl JOIN {apt} t ON t.a = cl.a
                JOIN seq_0_to_{MAX_CHILDREN} j ON j.seq < t.nproc
                JOIN procedurelog p ON p.ProcNum = t.first_proc + j.seq
                LEFT JOIN {ctx.helper("code")} code ON code.CodeNum = p.CodeNum
                WHERE p.ProcStatus = 2
            ) src WHERE cpn <= {n_cp - n_supp}""",
        )
        attached += _supplementals(conn, ctx, attached, n_supp)
        estimates = n_cp - attached
        if estimates > 0:
            _estimates(conn, ctx, attached, estimates)
    ctx.set_fact("claimproc_attached", attached)


_CLAIM_COLUMNS = """ClaimNum, PatNum, DateService, DateSent, ClaimStatus, DateReceived, PlanNum, ProvTreat,
    ClaimFee, InsPayEst, InsPayAmt, DedApplied, PreAuthString, IsProsthesis, PriorDate, ReasonUnderPaid,
    ClaimNote, ClaimType, ProvBill, ReferringProv, RefNumString, PlaceService, AccidentRelated,
    AccidentDate, AccidentST, EmployRelated, IsOrtho, OrthoRemainM, OrthoDate, PatRelat, PlanNum2,
    PatRelat2, WriteOff, Radiographs, ClinicNum, ClaimForm, AttachedImages, AttachedModels, AttachedFlags,
    AttachmentID,
    CanadianMaterialsForwarded, CanadianReferralProviderNum, CanadianReferralReason, CanadianIsInitialLower,
    CanadianDateInitialLower, CanadianMandProsthMaterial, CanadianIsInitialUpper, CanadianDateInitialUpper,
    CanadianMaxProsthMaterial, InsSubNum, InsSubNum2, CanadaTransRefNum, CanadaEstTreatStartDate,
    CanadaInitialPayment, CanadaPaymentMode, CanadaTreatDuration, CanadaNumAnticipatedPayments,
    CanadaAnticipatedPayAmount, PriorAuthorizationNumber, SpecialProgramCode, UniformBillType, MedType,
    AdmissionTypeCode, AdmissionSourceCode, PatientStatusCode, CustomTracking, DateResent, CorrectionType,
    ClaimIdentifier, OrigRefNum, ProvOrderOverride, OrthoTotalM, ShareOfCost, SecUserNumEntry, SecDateEntry,
    SecDateTEdit, OrderingReferralNum, DateSentOrig, DateIllnessInjuryPreg, DateIllnessInjuryPregQualifier,
    DateOther, DateOtherQualifier, IsOutsideLab, SecurityHash, Narrative"""


def _claim_rows(conn: Conn, ctx: Ctx) -> None:
    """claim: each claim with the totals of its claimprocs (supplemental payments left out)."""
    h = ctx.h
    tracking = ctx.defn("clm.ctv", "cl.c", refdata.CLAIM_CUSTOM_TRACKING)
    last_event = (
        "TIMESTAMP(IF(cl.status = 'R', cl.DateReceived, "
        "IF(cl.DateSent > '0001-01-01', cl.DateSent, cl.DateService)), '14:05:00')"
    )
    with keys_off(conn, "claim"):
        execute(
            conn,
            f"""
            INSERT INTO claim ({_CLAIM_COLUMNS})
            SELECT cl.c, cl.PatNum, cl.DateService, cl.DateSent, cl.status, cl.DateReceived, cl.PlanNum, cl.ProvNum,
                COALESCE(agg.fee, 0), COALESCE(agg.est, 0), COALESCE(agg.paid, 0), COALESCE(agg.ded, 0), '', 'N',
                '0001-01-01', '', IF({h.mod("clm.n", "cl.c", 6)} = 0, 'Narrative on file', NULL), cl.ClaimType,
                cl.ProvNum, 0, '', 0, '', '0001-01-01', '', 0, 0, 0, '0001-01-01',
                CASE cl.member WHEN 0 THEN 0 WHEN 1 THEN 1 ELSE 2 END, 0, 0, COALESCE(agg.wo, 0), 0, 0, 0, 0, 0,
                IF({h.mod("clm.af", "cl.c", 4)} = 0, 'Mail', NULL), IF({h.mod("clm.ai", "cl.c", 4)} = 0, '', NULL),
                '', '', 0, '', '0001-01-01', 0, '', '0001-01-01', 0, cl.InsSubNum, 0, '', '0001-01-01', 0, 0, 0, 0, 0,
                '', 0, '', 0, '', '', '',
                IF(cl.status = 'S' AND {h.mod("clm.ct", "cl.c", 5)} = 0, {tracking}, 0),
                '0001-01-01', 0, CONCAT(cl.PatNum, '/', cl.c), '', 0, 0, 0, {ctx.user("clm.u", "cl.c")}, cl.DateService,
                {ctx.later(last_event, "clm.s", "cl.c", share=10)},
                0, cl.DateSent, '0001-01-01', 0, '0001-01-01', 0, 0, '', ''
            FROM {ctx.helper("claim")} cl LEFT JOIN (
                SELECT ClaimNum, SUM(FeeBilled) AS fee, SUM(InsPayEst) AS est, SUM(InsPayAmt) AS paid,
                    SUM(DedApplied) AS ded, SUM(WriteOff) AS wo
                FROM claimproc WHERE ClaimNum > 0 AND Status <> 4 GROUP BY ClaimNum
            ) agg ON agg.ClaimNum = cl.c""",
        )


def _claimpayments(conn: Conn, ctx: Ctx) -> None:
    """claimpayment: an insurance check per group of received claims, its amount the sum paid on them. The
    newest checks are partial (a batch being entered: CheckAmt is the whole check); a few finalized checks were
    saved with "continue anyway" although they do not balance."""
    h, claim = ctx.h, ctx.helper("claim")
    n_cpay = ctx.rows("claimpayment")
    k = "s.seq"
    finalized = ctx.plan.extra.finalized_checks
    mismatch = ctx.plan.extra.check_mismatch.sql(k)
    unbalanced = (
        f"IF({k} > {finalized}, ROUND(25 + {h.mod('cpy.pa', k, 50000)} / 100, 2), "
        f"IF({mismatch}, ROUND(1 + {h.mod('cpy.mm', k, 2000)} / 100, 2), 0))"
    )
    fallback_day = ctx.day(ctx.day_idx(k, n_cpay))
    execute(
        conn,
        f"""
        INSERT INTO claimpayment (ClaimPaymentNum, CheckDate, CheckAmt, CheckNum, BankBranch, Note, ClinicNum,
            DepositNum, CarrierName, DateIssued, IsPartial, PayType, SecUserNumEntry, SecDateEntry, SecDateTEdit,
            PayGroup)
        SELECT {k}, COALESCE(chk.dr, {fallback_day}), COALESCE(paid.cents, 0) / 100 + {unbalanced},
            CONCAT(100000 + {h.mod("cpy.n", k, 900000)}), '', IF({h.mod("cpy.no", k, 5)} = 0, NULL, ''), 0, 0,
            COALESCE(car.CarrierName, ''), DATE_SUB(COALESCE(chk.dr, {fallback_day}), INTERVAL 3 DAY),
            IF({k} > {finalized}, 1, 0),
            {ctx.defn("cpy.t", k, refdata.INSURANCE_PAYMENT_TYPE)}, {ctx.user("cpy.u", k)},
            COALESCE(chk.dr, {fallback_day}),
            {ctx.later(f"TIMESTAMP(COALESCE(chk.dr, {fallback_day}), '14:00:00')", "cpy.s", k, share=5)},
            {refdata.def_num(refdata.CLAIM_PAYMENT_GROUPS, "Default")}
        FROM seq_1_to_{n_cpay} s
        LEFT JOIN (SELECT cpay, MIN(c) AS c0, MAX(DateReceived) AS dr FROM {claim} WHERE cpay > 0 GROUP BY cpay) chk
            ON chk.cpay = {k}
        LEFT JOIN {claim} first ON first.c = chk.c0
        LEFT JOIN insplan ip ON ip.PlanNum = first.PlanNum
        LEFT JOIN carrier car ON car.CarrierNum = ip.CarrierNum
        LEFT JOIN (SELECT ClaimPaymentNum, SUM(ROUND(InsPayAmt * 100)) AS cents FROM claimproc
                   WHERE ClaimPaymentNum > 0 GROUP BY ClaimPaymentNum) paid ON paid.ClaimPaymentNum = {k}""",
    )


_CLAIMPROC_COLUMNS = """ClaimProcNum, ProcNum, ClaimNum, PatNum, ProvNum, FeeBilled, InsPayEst, DedApplied, Status,
    InsPayAmt, Remarks, ClaimPaymentNum, PlanNum, DateCP, WriteOff, CodeSent, AllowedOverride, Percentage,
    PercentOverride, CopayAmt, NoBillIns, PaidOtherIns, BaseEst, CopayOverride, ProcDate, DateEntry, LineNumber,
    DedEst, DedEstOverride, InsEstTotal, InsEstTotalOverride, PaidOtherInsOverride, EstimateNote, WriteOffEst,
    WriteOffEstOverride, ClinicNum, InsSubNum, PaymentRow, PayPlanNum, ClaimPaymentTracking, SecUserNumEntry,
    SecDateEntry, SecDateTEdit, DateSuppReceived, DateInsFinalized, IsTransfer, ClaimAdjReasonCodes, IsOverpay,
    SecurityHash"""


def _claimproc_select(ctx: Ctx) -> str:
    """SELECT list of a claimproc row from a source with: cpn, ProcNum, ClaimNum, PatNum, ProvNum, fee, PlanNum,
    InsSubNum, received (1/0; NULL for an estimate), date_cp, ProcDate, date_entry, line, cpay, ProcCode, edited,
    supp (1 for a Supplemental payment: Status 4, FeeBilled 0, InsPayAmt paid on top)."""
    h, plan = ctx.h, ctx.plan
    n = "cpn"
    pct = "(CASE WHEN ProcCode LIKE 'D0%' OR ProcCode LIKE 'D1%' THEN 100 WHEN ProcCode LIKE 'D2%' THEN 80 ELSE 50 END)"
    est = f"ROUND(fee * {pct} / 100, 2)"
    override = plan.claimproc_override.sql(n)
    overrides = {  # value when an override is set (never -1)
        "AllowedOverride": "ROUND(fee * 0.8, 2)",
        "PercentOverride": pct,
        "CopayOverride": "0",
        "DedEstOverride": "0",
        "InsEstTotalOverride": est,
        "PaidOtherInsOverride": "0",
        "WriteOffEstOverride": "0",
    }
    ov = {col: f"IF({override}, {overrides[col]}, -1)" for col in CLAIMPROC_OVERRIDES}
    status = "IF(supp, 4, IF(received IS NULL, 6, IF(received = 1, 1, 0)))"
    paid = f"IF(supp, ROUND(5 + fee * 0.1, 2), IF(received = 1, {est}, 0))"
    writeoff = f"IF(received = 1 AND NOT supp AND {h.mod('cp.wo', n, 3)} = 0, ROUND(fee * 0.1, 2), 0)"
    return f"""{n}, IF({plan.orphan["claimproc.ProcNum"].sql(n)}, {ORPHAN_BASE} + {n}, ProcNum), ClaimNum, PatNum,
        ProvNum, IF(supp, 0, fee), IF(supp, 0, {est}),
        IF(line = 1 AND {h.mod("cp.ded", n, 8)} = 0, LEAST(fee, 50), 0), {status}, {paid},
        IF({h.mod("cp.rm", n, 5)} = 0, NULL, ''), IF(received = 1, cpay, 0), PlanNum, date_cp, {writeoff},
        COALESCE(ProcCode, ''), {ov["AllowedOverride"]},
        IF({plan.claimproc_percentage_blank.sql(n)}, -1, {pct}), {ov["PercentOverride"]},
        IF({plan.claimproc_copay_blank.sql(n)}, -1, 0), 0, IF({plan.claimproc_paid_other_blank.sql(n)}, -1, 0),
        {est}, {ov["CopayOverride"]}, ProcDate, date_entry, line, 0, {ov["DedEstOverride"]}, {est},
        {ov["InsEstTotalOverride"]}, {ov["PaidOtherInsOverride"]}, '', 0, {ov["WriteOffEstOverride"]}, 0, InsSubNum,
        IF(received = 1, 1, 0), 0, 0, {ctx.user("cp.u", n)}, date_entry, {ctx.later("edited", "cp.s", n, share=15)},
        IF(received = 1, date_cp, '0001-01-01'), IF(received = 1, date_cp, '0001-01-01'), 0, '', 0, ''"""


def _supplementals(conn: Conn, ctx: Ctx, attached: int, count: int) -> int:
    """Supplemental claimprocs (Status 4): a later payment on ``count`` received claims, one each, added after the
    claim's totals were calculated (claim.InsPayAmt leaves them out). Returns the rows made."""
    supp = ctx.helper("suppc")
    execute(conn, f"CREATE TABLE {supp} (rr INT PRIMARY KEY, cp BIGINT) ENGINE=MyISAM")
    execute(
        conn,
        f"""
        INSERT INTO {supp} SELECT ROW_NUMBER() OVER (ORDER BY ClaimNum), first FROM (
            SELECT ClaimNum, MIN(ClaimProcNum) AS first FROM claimproc
            WHERE Status = 1 AND ProcNum < {ORPHAN_BASE} AND FeeBilled > 0 GROUP BY ClaimNum
        ) x""",
    )
    claims = int(scalar(conn, f"SELECT COUNT(*) FROM {supp}"))
    if claims < count:
        raise RuntimeError(f"generator bug: {claims} received claims for {count} supplemental payments")
    yesterday = f"DATE_SUB({ctx.as_of_sql}, INTERVAL 1 DAY)"
    date_cp = f"LEAST(DATE_ADD(o.DateCP, INTERVAL 21 DAY), {yesterday})"
    return execute(
        conn,
        f"""
        INSERT INTO claimproc ({_CLAIMPROC_COLUMNS})
        SELECT {_claimproc_select(ctx)}
        FROM (
            SELECT {attached} + r.seq AS cpn, o.ProcNum, o.ClaimNum, o.PatNum, o.ProvNum, o.FeeBilled AS fee,
                o.PlanNum, o.InsSubNum, 1 AS received, {date_cp} AS date_cp, o.ProcDate, {date_cp} AS date_entry,
                0 AS line, o.ClaimPaymentNum AS cpay, o.CodeSent AS ProcCode,
                TIMESTAMP({date_cp}, '15:10:00') AS edited, 1 AS supp
            FROM seq_1_to_{count} r JOIN {supp} x ON x.rr = 1 + (r.seq - 1) * {claims} DIV {count}
            JOIN claimproc o ON o.ClaimProcNum = x.cp
        ) src""",
    )


def _estimates(conn: Conn, ctx: Ctx, attached: int, estimates: int) -> None:
    """Estimate claimprocs (Status 6, no claim) for treatment-planned procedures of insured patients."""
    tp, patfam = ctx.helper("tp"), ctx.helper("patfam")
    n_pp = ctx.rows("patplan")
    execute(conn, f"CREATE TABLE {tp} (e INT PRIMARY KEY, ProcNum BIGINT) ENGINE=MyISAM")
    for condition in (
        f"ProcStatus = 1 AND PatNum <= {n_pp}",
        f"ProcStatus IN (1, 2) AND PatNum <= {n_pp}",
        "ProcStatus IN (1, 2)",
    ):
        execute(
            conn,
            f"INSERT INTO {tp} SELECT ROW_NUMBER() OVER (ORDER BY ProcNum), ProcNum FROM procedurelog "
            f"WHERE {condition}",
        )
        candidates = int(scalar(conn, f"SELECT COUNT(*) FROM {tp}"))
        if candidates:
            break
    e = "s.seq"
    execute(
        conn,
        f"""
        INSERT INTO claimproc ({_CLAIMPROC_COLUMNS})
        SELECT {_claimproc_select(ctx)}
        FROM (
            SELECT {attached} + {e} AS cpn, p.ProcNum, 0 AS ClaimNum, p.PatNum, p.ProvNum, p.ProcFee AS fee,
                IF(pf.PlanNum > 0, pf.PlanNum, 1) AS PlanNum, IF(pf.InsSubNum > 0, pf.InsSubNum, 1) AS InsSubNum,
                NULL AS received, '0001-01-01' AS date_cp, p.ProcDate, DATE(p.SecDateEntry) AS date_entry, 0 AS line,
                0 AS cpay, code.ProcCode, p.SecDateEntry AS edited, 0 AS supp
            FROM seq_1_to_{estimates} s JOIN {tp} x ON x.e = 1 + ({e} - 1) * {candidates} DIV {estimates}
            JOIN procedurelog p ON p.ProcNum = x.ProcNum
            JOIN {patfam} pf ON pf.PatNum = p.PatNum
            LEFT JOIN {ctx.helper("code")} code ON code.CodeNum = p.CodeNum
        ) src""",
    )
