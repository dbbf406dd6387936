"""Money the patients pay: payments with paysplits, adjustments."""

from __future__ import annotations

from . import refdata
from .context import ORPHAN_BASE, Ctx
from .db import Connection as Conn
from .db import execute, keys_off, scalar
from .gen_visits import MAX_CHILDREN

# Relative number of extra splits per payment: most payments have one split, a few have many.
_SPLIT_WEIGHTS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20]


def build_payments(conn: Conn, ctx: Ctx) -> None:
    """payment and paysplit: each payment's splits (1 to ~25) sum to its PayAmt, except counted mismatches."""
    _payment_helper(conn, ctx)
    _paysplits(conn, ctx)
    _payment_rows(conn, ctx)


def _payment_helper(conn: Conn, ctx: Ctx) -> None:
    """tmp_demo_pay: each payment's payer (the guarantor of a patient registered by then), date, whether it is an
    income transfer, and its splits (first SplitNum and how many, by weight)."""
    h = ctx.h
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


def _paysplits(conn: Conn, ctx: Ctx) -> None:
    """paysplit: each split for a family member, most attached to one of their completed procedures (a part of its
    fee); an income transfer's splits cancel out in pairs."""
    h, plan = ctx.h, ctx.plan
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
            FROM {ctx.helper("pay")} t JOIN seq_0_to_{MAX_CHILDREN} j ON j.seq < t.cnt
            LEFT JOIN {ctx.helper("pcnt")} pc ON pc.PatNum = {member} AND {attach} AND NOT t.transfer
            LEFT JOIN {ctx.helper("cproc")} cp
                ON cp.PatNum = pc.PatNum AND cp.k = 1 + {h.mod_by("ps.k", sn, "pc.cnt")}""",
        )


def _payment_rows(conn: Conn, ctx: Ctx) -> None:
    """payment: PayAmt is the sum of its splits (but for the counted mismatches), a few blank or NULL CheckNums."""
    h, plan = ctx.h, ctx.plan
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
            FROM {ctx.helper("pay")} t LEFT JOIN (
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
