"""Money: claims with claimprocs and insurance checks, payments with paysplits, adjustments."""

from __future__ import annotations

from . import refdata
from .context import ORPHAN_BASE, Ctx
from .db import Connection as Conn
from .db import execute, keys_off, scalar
from .gen_visits import MAX_CHILDREN
from .quirks import CLAIMPROC_OVERRIDES


def build_claims(conn: Conn, ctx: Ctx) -> None:
    """claim, claimproc (attached rows, supplemental payments, then estimates), claimpayment (the newest partial)."""
    h = ctx.h
    visit, claim, apt, patfam = ctx.helper("visit"), ctx.helper("claim"), ctx.helper("apt"), ctx.helper("patfam")
    n_claim, n_cpay, n_cp = ctx.rows("claim"), ctx.rows("claimpayment"), ctx.rows("claimproc")
    n_pp, n_supp = ctx.rows("patplan"), ctx.plan.extra.supplementals
    execute(conn, f"CREATE TABLE {visit} (v INT PRIMARY KEY, a INT) ENGINE=MyISAM")
    for condition in (f"AptStatus = 2 AND nproc > 0 AND PatNum <= {n_pp}", "AptStatus = 2 AND nproc > 0"):
        execute(conn, f"INSERT INTO {visit} SELECT ROW_NUMBER() OVER (ORDER BY a), a FROM {apt} WHERE {condition}")
        visits = int(scalar(conn, f"SELECT COUNT(*) FROM {visit}"))
        if visits:
            break
    if not visits:
        raise RuntimeError("no completed appointment to bill; use more patients (at least 20)")

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

    tracking = ctx.defn("clm.ctv", "cl.c", refdata.CLAIM_CUSTOM_TRACKING)
    last_event = (
        "TIMESTAMP(IF(cl.status = 'R', cl.DateReceived, "
        "IF(cl.DateSent > '0001-01-01', cl.DateSent, cl.DateService)), '14:05:00')"
    )
    with keys_off(conn, "claim"):
        execute(
            conn,
            f"""
            INSERT INTO claim (ClaimNum, PatNum, DateService, DateSent, ClaimStatus, DateReceived, PlanNum, ProvTreat,
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
                DateOther, DateOtherQualifier, IsOutsideLab, SecurityHash, Narrative)
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
            FROM {claim} cl LEFT JOIN (
                SELECT ClaimNum, SUM(FeeBilled) AS fee, SUM(InsPayEst) AS est, SUM(InsPayAmt) AS paid,
                    SUM(DedApplied) AS ded, SUM(WriteOff) AS wo
                FROM claimproc WHERE ClaimNum > 0 AND Status <> 4 GROUP BY ClaimNum
            ) agg ON agg.ClaimNum = cl.c""",
        )

    k = "s.seq"
    # The newest checks are partial (a batch being entered: CheckAmt is the whole check); a few finalized
    # checks were saved with "continue anyway" although they do not balance.
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


# Relative number of extra splits per payment: most payments have one split, a few have many.
_SPLIT_WEIGHTS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20]


def build_payments(conn: Conn, ctx: Ctx) -> None:
    """payment and paysplit: each payment's splits (1 to ~25) sum to its PayAmt, except counted mismatches."""
    h, plan = ctx.h, ctx.plan
    n_pay, n_split = ctx.rows("payment"), ctx.rows("paysplit")
    pay, patfam = ctx.helper("pay"), ctx.helper("patfam")
    extra = max(0, n_split - n_pay)
    p = "seq"
    d = ctx.day_idx(p, n_pay)
    execute(
        conn,
        f"""CREATE TABLE {pay} (p INT PRIMARY KEY, PatNum BIGINT, famsize INT, PayDate DATE,
        transfer TINYINT, first_split BIGINT, cnt INT) ENGINE=MyISAM""",
    )
    execute(
        conn,
        f"""
        INSERT INTO {pay} (p, PatNum, famsize, PayDate, transfer, first_split, cnt)
        SELECT x.p, pf.guarantor, pf.famsize, x.PayDate, x.transfer,
            x.p + (SUM(w) OVER (ORDER BY x.p) - w) * {extra} DIV SUM(w) OVER (),
            1 + SUM(w) OVER (ORDER BY x.p) * {extra} DIV SUM(w) OVER ()
              - (SUM(w) OVER (ORDER BY x.p) - w) * {extra} DIV SUM(w) OVER ()
        FROM (
            SELECT {p} AS p, {ctx.patient_at("pay.p", p, d)} AS q, {ctx.day(d)} AS PayDate,
                IF({h.mod("pay.tr", p, 100)} < 3, 1, 0) AS transfer,
                IF({h.mod("pay.tr", p, 100)} < 3, 1, {h.pick("pay.w", p, _SPLIT_WEIGHTS)}) AS w
            FROM seq_1_to_{n_pay}
        ) x JOIN {patfam} pf ON pf.PatNum = x.q""",
    )
    biggest = int(scalar(conn, f"SELECT MAX(cnt) FROM {pay}"))
    if biggest > MAX_CHILDREN + 1:
        raise RuntimeError(f"a payment got {biggest} paysplits, more than {MAX_CHILDREN + 1}; lower the weights")

    sn = "(t.first_split + j.seq)"
    member = f"(t.PatNum + {h.mod_by('ps.m', sn, 't.famsize')})"
    attach = f"{h.mod('ps.att', sn, 100)} < 85"
    pair = "(t.first_split + j.seq DIV 2 * 2)"
    amount = (
        f"IF(t.transfer, IF(j.seq = t.cnt - 1 AND j.seq % 2 = 0, 0, "
        f"IF(j.seq % 2 = 0, 1, -1) * {h.money('ps.tv', pair, 5, 200)}), "
        f"IF(cp.ProcNum IS NULL, {h.money('ps.a', sn, 5, 300)}, "
        f"ROUND(cp.Fee * (20 + {h.mod('ps.pc', sn, 81)}) / 100, 2)))"
    )
    with keys_off(conn, "paysplit"):
        execute(
            conn,
            f"""
            INSERT INTO paysplit (SplitNum, SplitAmt, PatNum, ProcDate, PayNum, IsDiscount, DiscountType, ProvNum,
                PayPlanNum, DatePay, ProcNum, DateEntry, UnearnedType, ClinicNum, SecUserNumEntry, SecDateTEdit,
                FSplitNum, AdjNum, PayPlanChargeNum, PayPlanDebitType, SecurityHash)
            SELECT {sn}, {amount},
                IF({plan.orphan["paysplit.PatNum"].sql(sn)}, {ORPHAN_BASE} + {sn}, {member}),
                IF({plan.zero_date["paysplit.ProcDate"].sql(sn)}, '0000-00-00', COALESCE(cp.ProcDate, t.PayDate)),
                t.p, 0, 0, COALESCE(cp.ProvNum, {ctx.dentist("ps.pr", sn)}), 0, t.PayDate, COALESCE(cp.ProcNum, 0),
                t.PayDate,
                IF(cp.ProcNum IS NULL AND NOT t.transfer AND {h.mod("ps.ue", sn, 10)} < 3,
                   {refdata.def_num(refdata.PAYSPLIT_UNEARNED, "Prepayment")}, 0),
                0, {ctx.user("pay.u", "t.p")},
                {ctx.later(f"TIMESTAMP(t.PayDate, {ctx.clock('pay.t', 't.p')})", "ps.s", sn, share=5)}, 0, 0, 0, 0, ''
            FROM {pay} t JOIN seq_0_to_{MAX_CHILDREN} j ON j.seq < t.cnt
            LEFT JOIN {ctx.helper("pcnt")} pc ON pc.PatNum = {member} AND {attach} AND NOT t.transfer
            LEFT JOIN {ctx.helper("cproc")} cp
                ON cp.PatNum = pc.PatNum AND cp.k = 1 + {h.mod_by("ps.k", sn, "pc.cnt")}""",
        )

    q = "t.p"
    check = plan.null_empty["payment.CheckNum"].sql(
        q, {"null": "NULL", "empty": "''", "value": f"CONCAT(1000 + {h.mod('pay.ck', q, 9000)})"}
    )
    pay_types = refdata.def_nums(refdata.PAYMENT_TYPES)
    note = h.pick("pay.note", q, ["", "", "", "", "Thank you", "Copay", "Paid at checkout", "Mailed check"])
    with keys_off(conn, "payment"):
        execute(
            conn,
            f"""
            INSERT INTO payment (PayNum, PayType, PayDate, PayAmt, CheckNum, BankBranch, PayNote, IsSplit, PatNum,
                ClinicNum, DateEntry, DepositNum, Receipt, IsRecurringCC, SecUserNumEntry, SecDateTEdit, PaymentSource,
                ProcessStatus, RecurringChargeDate, ExternalId, PaymentStatus, IsCcCompleted, MerchantFee)
            SELECT {q}, IF(t.transfer, 0, {ctx.choice("pay.ty", q, pay_types)}),
                IF({plan.zero_date["payment.PayDate"].sql(q)}, '0000-00-00', t.PayDate),
                COALESCE(s.cents, 0) / 100 + IF({plan.split_mismatch.sql(q)}, 10, 0), {check}, '',
                IF(t.transfer, 'Income transfer', {note}),
                IF(t.cnt > 1, 1, 0), t.PatNum, 0, t.PayDate, 0, '', 0, {ctx.user("pay.u", q)},
                {ctx.later(f"TIMESTAMP(t.PayDate, {ctx.clock('pay.t', q)})", "pay.s", q, share=5)},
                IF({h.mod("pay.src", q, 50)} = 0, 21, 0), 0, '0001-01-01', '', 0, 0, 0
            FROM {pay} t LEFT JOIN (
                SELECT PayNum, SUM(ROUND(SplitAmt * 100)) AS cents FROM paysplit GROUP BY PayNum
            ) s ON s.PayNum = {q}""",
        )


def build_adjustment(conn: Conn, ctx: Ctx) -> None:
    """adjustment: signed by type (discounts negative, charges positive), some attached to a completed
    procedure of the patient; old rows carry the upgrade stamp."""
    h = ctx.h
    rows = ctx.rows("adjustment")
    n = "s.seq"
    d = ctx.day_idx(n, rows)
    defs = [
        (i + 1, value)
        for i, (cat, _o, _name, value, hidden) in enumerate(refdata.definitions())
        if cat == refdata.ADJ_TYPES and not hidden
    ]
    pick = h.mod("adj.t", n, len(defs))
    adj_type = f"ELT(1 + {pick}, {', '.join(str(num) for num, _ in defs)})"
    sign = f"ELT(1 + {pick}, {', '.join('-1' if v == '-' else '1' for _, v in defs)})"
    entry = f"TIMESTAMP({ctx.day(d)}, {ctx.clock('adj.c', n)})"
    note = h.pick("adj.note", "x.AdjNum", ["", "", "Courtesy", "Per Dr.", "Insurance write-off", "Senior discount"])
    with keys_off(conn, "adjustment"):
        execute(
            conn,
            f"""
            INSERT INTO adjustment (AdjNum, AdjDate, AdjAmt, PatNum, AdjType, ProvNum, AdjNote, ProcDate, ProcNum,
                DateEntry, ClinicNum, StatementNum, SecUserNumEntry, SecDateTEdit, TaxTransID)
            SELECT x.AdjNum, x.AdjDate, x.sign * {h.money("adj.a", "x.AdjNum", 5, 150)}, x.PatNum, x.AdjType,
                COALESCE(cp.ProvNum, {ctx.dentist("adj.p", "x.AdjNum")}),
                {note},
                COALESCE(cp.ProcDate, '0001-01-01'), COALESCE(cp.ProcNum, 0), x.AdjDate, 0, 0,
                {ctx.user("adj.u", "x.AdjNum")}, x.stamp, 0
            FROM (
                SELECT {n} AS AdjNum, {ctx.day(d)} AS AdjDate, {ctx.patient_at("adj.pt", n, d)} AS PatNum,
                    {adj_type} AS AdjType, {sign} AS sign,
                    {ctx.shared_stamp("adjustment.SecDateTEdit", n, entry, "adj.s")} AS stamp
                FROM seq_1_to_{rows} s
            ) x
            LEFT JOIN {ctx.helper("pcnt")} pc ON pc.PatNum = x.PatNum AND {h.mod("adj.att", "x.AdjNum", 10)} < 4
            LEFT JOIN {ctx.helper("cproc")} cp
                ON cp.PatNum = pc.PatNum AND cp.k = 1 + {h.mod_by("adj.k", "x.AdjNum", "pc.cnt")}""",
        )
