"""Money of a simulated day: claims or payments for today's visits, payments by mail, adjustments."""

from __future__ import annotations

from typing import Any, NamedTuple

from . import refdata
from .context import DENTISTS
from .day import Day, ints
from .db import query


class _Visit(NamedTuple):
    """A completed visit to bill: its appointment, patient, provider, insurance (or None) and guarantor."""

    apt: int
    pat: int
    prov: int
    sub: int | None
    plan: int | None
    guarantor: int


def bill_visits(d: Day, visits: list[int]) -> None:
    """A claim (unsent) for each visit of an insured patient; a payment with splits for the others."""
    if not visits:
        return
    for visit in _visits_to_bill(d, visits):
        procs = query(
            d.conn,
            "SELECT ProcNum, ProcFee, CodeNum FROM procedurelog WHERE AptNum = %s AND ProcStatus = 2 ORDER BY ProcNum",
            (visit.apt,),
        )
        if not procs:
            continue
        if visit.sub and visit.plan:
            _claim(d, visit, [(int(pn), float(f)) for pn, f, _c in procs])
        else:
            splits = [(int(pn), round(float(f) * d.rng.choice((0.5, 0.8, 1.0)), 2)) for pn, f, _c in procs]
            payment(d, int(visit.guarantor), [(int(visit.pat), pn, amt, visit.prov) for pn, amt in splits])


def _visits_to_bill(d: Day, visits: list[int]) -> list[_Visit]:
    """The visits with their patient's primary insurance (subscription and plan) and guarantor."""
    rows = query(
        d.conn,
        f"""
        SELECT a.AptNum, a.PatNum, a.ProvNum, pp.InsSubNum, s.PlanNum, pf.Guarantor
        FROM appointment a JOIN patient pf ON pf.PatNum = a.PatNum
        LEFT JOIN patplan pp ON pp.PatNum = a.PatNum AND pp.Ordinal = 1
        LEFT JOIN inssub s ON s.InsSubNum = pp.InsSubNum
        WHERE a.AptNum IN ({ints(visits)}) ORDER BY a.AptNum""",
    )
    return [_Visit(*row) for row in rows]


def _claim(d: Day, visit: _Visit, procs: list[tuple[int, float]]) -> None:
    """An unsent claim of the visit's completed procedures (ProcNum, fee), a claimproc for each."""
    today = d.today.isoformat()
    fee = round(sum(f for _, f in procs), 2)
    claim = d.insert(
        "claim",
        [
            {
                "PatNum": visit.pat,
                "DateService": today,
                "DateSent": "0001-01-01",
                "ClaimStatus": "U",
                "DateReceived": "0001-01-01",
                "PlanNum": visit.plan,
                "ProvTreat": visit.prov,
                "ClaimFee": fee,
                "InsPayEst": round(fee * 0.8, 2),
                "ClaimType": "P",
                "ProvBill": visit.prov,
                "InsSubNum": visit.sub,
                "SecUserNumEntry": 1 + d.rng.randrange(20),
                "SecDateEntry": today,
                "DateSentOrig": "0001-01-01",
                "ClaimIdentifier": f"{visit.pat}/new",
                "IsProsthesis": "N",
            }
        ],
    )[0]
    d.insert("claimproc", [_claimproc_row(d, visit, claim, i + 1, pn, f) for i, (pn, f) in enumerate(procs)])
    d.log([(150, visit.pat, claim, "Claim created")])


def _claimproc_row(d: Day, visit: _Visit, claim: int, line: int, proc: int, fee: float) -> dict[str, Any]:
    """The claimproc of one procedure on a new claim: 80% estimated, every override blank (-1)."""
    today = d.today.isoformat()
    return {
        "ProcNum": proc,
        "ClaimNum": claim,
        "PatNum": visit.pat,
        "ProvNum": visit.prov,
        "FeeBilled": fee,
        "InsPayEst": round(fee * 0.8, 2),
        "Status": 0,
        "PlanNum": visit.plan,
        "InsSubNum": visit.sub,
        "DateCP": "0001-01-01",
        "CodeSent": "",
        "AllowedOverride": -1,
        "Percentage": 80,
        "PercentOverride": -1,
        "CopayAmt": -1,
        "PaidOtherIns": -1,
        "BaseEst": round(fee * 0.8, 2),
        "CopayOverride": -1,
        "ProcDate": today,
        "DateEntry": today,
        "LineNumber": line,
        "DedEstOverride": -1,
        "InsEstTotal": round(fee * 0.8, 2),
        "InsEstTotalOverride": -1,
        "PaidOtherInsOverride": -1,
        "WriteOffEstOverride": -1,
        "SecUserNumEntry": 1 + d.rng.randrange(20),
        "SecDateEntry": today,
        "DateSuppReceived": "0001-01-01",
        "DateInsFinalized": "0001-01-01",
    }


def payment(d: Day, payer: int, splits: list[tuple[int, int, float, int]]) -> int:
    """A payment whose PayAmt is the sum of its splits (patient, proc, amount, provider)."""
    today = d.today.isoformat()
    cents = sum(round(amt * 100) for _, _, amt, _ in splits)
    pay = d.insert(
        "payment",
        [
            {
                "PayType": d.rng.choice(refdata.def_nums(refdata.PAYMENT_TYPES)[:6]),
                "PayDate": today,
                "PayAmt": cents / 100,
                "CheckNum": "",
                "BankBranch": "",
                "PayNote": "",
                "IsSplit": int(len(splits) > 1),
                "PatNum": payer,
                "DateEntry": today,
                "SecUserNumEntry": 1 + d.rng.randrange(20),
                "RecurringChargeDate": "0001-01-01",
            }
        ],
    )[0]
    d.insert(
        "paysplit",
        [
            {
                "SplitAmt": amt,
                "PatNum": pat,
                "ProcDate": today,
                "PayNum": pay,
                "ProvNum": prov,
                "DatePay": today,
                "ProcNum": proc,
                "DateEntry": today,
                "SecUserNumEntry": 1 + d.rng.randrange(20),
            }
            for pat, proc, amt, prov in splits
        ],
    )
    d.log([(15, payer, pay, "Payment created")])
    return pay


def mail_payments(d: Day) -> None:
    """Payments that arrive by mail: one to three unattached splits each."""
    payers = d.pick("SELECT PatNum FROM patient WHERE Guarantor = PatNum AND PatStatus = 0", d.count(70, 2))
    for payer in payers:
        parts = 1 + d.rng.randrange(3)
        payment(
            d, payer, [(payer, 0, round(5 + d.rng.random() * 200, 2), d.rng.choice(DENTISTS)) for _ in range(parts)]
        )


def adjustments(d: Day) -> None:
    """Adjustments of today (discounts and charges)."""
    types = [
        (i + 1, v)
        for i, (cat, _o, _n, v, hidden) in enumerate(refdata.definitions())
        if cat == refdata.ADJ_TYPES and not hidden
    ]
    pats = d.pick("SELECT PatNum FROM patient WHERE PatStatus = 0", d.count(80, 1))
    rows = []
    for pat in pats:
        adj_type, sign = d.rng.choice(types)
        rows.append(
            {
                "AdjDate": d.today.isoformat(),
                "AdjAmt": round((-1 if sign == "-" else 1) * (5 + d.rng.random() * 100), 2),
                "PatNum": pat,
                "AdjType": adj_type,
                "ProvNum": d.rng.choice(DENTISTS),
                "AdjNote": "",
                "ProcDate": "0001-01-01",
                "DateEntry": d.today.isoformat(),
                "SecUserNumEntry": 1 + d.rng.randrange(20),
            }
        )
    d.insert("adjustment", rows)
