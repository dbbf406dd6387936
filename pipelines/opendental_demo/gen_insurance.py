"""Insurance: insplan, inssub, patplan, benefit."""

from __future__ import annotations

from . import refdata
from .context import Ctx
from .db import Connection as Conn
from .db import execute


def build_insurance(conn: Conn, ctx: Ctx) -> None:
    """insplan, inssub, patplan, benefit; then records each insured patient's plan in tmp_demo_patfam."""
    _insplans(conn, ctx)
    _inssubs(conn, ctx)
    _patplans(conn, ctx)
    _benefits(conn, ctx)


def _insplans(conn: Conn, ctx: Ctx) -> None:
    """insplan: employer group plans of the carriers, some with their own fee schedule or renewal month."""
    h = ctx.h
    n_plan = ctx.rows("insplan")
    n = "seq"
    entry = ctx.at(ctx.day(ctx.day_idx(n, n_plan)), "ip.t", n)
    execute(
        conn,
        f"""
        INSERT INTO insplan (PlanNum, GroupName, GroupNum, PlanNote, FeeSched, PlanType, ClaimFormNum, UseAltCode,
            ClaimsUseUCR, CopayFeeSched, EmployerNum, CarrierNum, AllowedFeeSched, TrojanID, DivisionNo, IsMedical,
            FilingCode, DentaideCardSequence, ShowBaseUnits, CodeSubstNone, IsHidden, MonthRenew, FilingCodeSubtype,
            CanadianPlanFlag, CanadianDiagnosticCode, CanadianInstitutionCode, RxBIN, CobRule, SopCode,
            SecUserNumEntry, SecDateEntry, SecDateTEdit, HideFromVerifyList, OrthoType, OrthoAutoProcFreq,
            OrthoAutoProcCodeNumOverride, OrthoAutoFeeBilled, OrthoAutoClaimDaysWait, BillingType,
            HasPpoSubstWriteoffs, ExclusionFeeRule, ManualFeeSchedNum, IsBlueBookEnabled,
            InsPlansZeroWriteOffsOnAnnualMaxOverride, InsPlansZeroWriteOffsOnFreqOrAgingOverride, PerVisitPatAmount,
            PerVisitInsAmount)
        SELECT {n}, {h.pick("ip.g", n, list(refdata.EMPLOYER_GROUPS))},
            IF({h.mod("ip.gn", n, 8)} = 0, NULL, CONCAT(100000 + {h.mod("ip.gnv", n, 900000)})), '',
            IF({h.mod("ip.fs", n, 10)} < 6, 3 + {h.mod("ip.fsv", n, ctx.rows("feesched") - 2)}, 0),
            {h.pick("ip.pt", n, ["", "", "p", "p", "p", "p", "f"])}, 0, 0, 0, 0, 0,
            1 + {h.mod("ip.c", n, ctx.rows("carrier"))}, 0, '', '', 0, 0, 0,
            {h.mod("ip.sbu", n, 2)}, {h.mod("ip.csn", n, 2)}, IF({h.mod("ip.h", n, 30)} = 0, 1, 0),
            IF({h.mod("ip.mr", n, 5)} = 0, 1 + {h.mod("ip.mrv", n, 12)}, 0), 0, '', '', '', '', 1, '',
            {ctx.user("ip.u", n)}, DATE({entry}), {ctx.later(entry, "ip.s", n)}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
            0, 0
        FROM seq_1_to_{n_plan}""",
    )


def _inssubs(conn: Conn, ctx: Ctx) -> None:
    """inssub: families 1..insured_families hold the current coverage; later ones dropped coverage (DateTerm
    set, unless it would pass as_of: then still active)."""
    h = ctx.h
    n_plan, n_sub = ctx.rows("insplan"), ctx.rows("inssub")
    families, insured_families = ctx.fact("families"), ctx.fact("insured_families")
    n = "seq"
    if families > insured_families:
        dropped = families - insured_families
        fam = f"IF({n} <= {insured_families}, {n}, {insured_families} + 1 + ({n} - {insured_families} - 1) % {dropped})"
    else:
        fam = f"(1 + ({n} - 1) % {families})"
    start_day = ctx.day(ctx.day_idx("fam.start", ctx.patients))
    sub_entry = f"TIMESTAMP({start_day}, {ctx.clock('sub.t', n)})"
    execute(
        conn,
        f"""
        INSERT INTO inssub (InsSubNum, PlanNum, Subscriber, DateEffective, DateTerm, ReleaseInfo, AssignBen,
            SubscriberID, BenefitNotes, SubscNote, SecUserNumEntry, SecDateEntry, SecDateTEdit)
        SELECT {n}, 1 + {h.mod("sub.p", n, n_plan)}, fam.start, {start_day},
            IF({n} > {insured_families}, DATE_ADD({start_day}, INTERVAL 200 + {h.mod("sub.dt", n, 600)} DAY),
               '0001-01-01'),
            1, 1, CONCAT('W', LPAD({h.mod("sub.id", n, 1000000000)}, 9, '0')), '', '',
            {ctx.user("sub.u", n)}, {start_day}, {ctx.later(sub_entry, "sub.s", n)}
        FROM seq_1_to_{n_sub} JOIN {ctx.helper("family")} fam ON fam.f = {fam}""",
    )
    execute(
        conn,
        f"UPDATE inssub SET DateTerm = '0001-01-01', SecDateTEdit = SecDateTEdit WHERE DateTerm >= {ctx.as_of_sql}",
    )


def _patplans(conn: Conn, ctx: Ctx) -> None:
    """patplan: patients 1..n_pp insured through their family's subscription; then each insured patient's
    InsSubNum and PlanNum in tmp_demo_patfam."""
    h, p = ctx.h, ctx.patients
    n_sub, n_pp = ctx.rows("inssub"), ctx.rows("patplan")
    pn = "pf.PatNum"
    # OrthoAutoFeeBilledOverride: -1 (use the plan's fee) but for a few real overrides, the pinned one $0.
    billed = ctx.plan.extra.patplan_override
    ortho_fee = f"IF({billed.sql(pn)}, IF({pn} = {billed.pinned}, 0, {h.money('pp.of', pn, 100, 400)}), -1)"
    pat_entry = f"TIMESTAMP({ctx.day(ctx.day_idx(pn, p))}, {ctx.clock('pat.t', pn)})"
    execute(
        conn,
        f"""
        INSERT INTO patplan (PatPlanNum, PatNum, Ordinal, IsPending, Relationship, PatID, InsSubNum,
            OrthoAutoFeeBilledOverride, OrthoAutoNextClaimDate, SecDateTEntry, SecDateTEdit)
        SELECT {pn}, {pn}, 1, 0, CASE pf.member WHEN 0 THEN 0 WHEN 1 THEN 1 ELSE 2 END, '',
            IF(pf.f <= {n_sub}, pf.f, 1 + (pf.f - 1) % {n_sub}), {ortho_fee}, '0001-01-01', {pat_entry},
            {ctx.later(pat_entry, "pp.s", pn, share=40, max_days=400)}
        FROM {ctx.helper("patfam")} pf WHERE {pn} <= {n_pp}""",
    )
    execute(
        conn,
        f"""
        UPDATE {ctx.helper("patfam")} pf JOIN patplan pp ON pp.PatPlanNum = pf.PatNum
            JOIN inssub s ON s.InsSubNum = pp.InsSubNum
        SET pf.InsSubNum = s.InsSubNum, pf.PlanNum = s.PlanNum""",
    )


def _benefits(conn: Conn, ctx: Ctx) -> None:
    """benefit: rows of the plans by kind (coinsurance, limitation, deductible, ...), a few overriding one
    patient's plan."""
    h = ctx.h
    n_plan, n_pp, n_ben = ctx.rows("insplan"), ctx.rows("patplan"), ctx.rows("benefit")
    n = "seq"
    ben_entry = ctx.at(ctx.day(ctx.day_idx(n, n_ben)), "ben.t", n)
    override = f"{h.mod('ben.o', n, 200)} = 0"
    by_kind = _benefit_columns(ctx, n)
    execute(
        conn,
        f"""
        INSERT INTO benefit (BenefitNum, PlanNum, PatPlanNum, CodeNum, SecDateTEntry, SecDateTEdit, CodeGroupNum,
            TreatArea, {", ".join(by_kind)})
        SELECT {n}, IF({override}, 0, 1 + ({n} - 1) % {n_plan}), IF({override}, 1 + {h.mod("ben.pp", n, n_pp)}, 0),
            0, {ben_entry}, {ctx.later(ben_entry, "ben.s", n)}, 0, 0, {", ".join(by_kind.values())}
        FROM seq_1_to_{n_ben}""",
    )


def _benefit_columns(ctx: Ctx, n: str) -> dict[str, str]:
    """Benefit columns that depend on the benefit's kind (coinsurance %, annual max, deductible, ...).

    -1 is OpenDental's blank: Percent of every non-coinsurance row, MonetaryAmt of coinsurance and exclusions.
    """
    h, kind = ctx.h, ctx.plan.benefit_type
    kinds = ("coinsurance", "limitation", "deductible", "exclusion", "waiting", "active")
    category = f"1 + {h.mod('ben.cc', n, 12)}"
    values: dict[str, tuple[str, ...]] = {  # one value per kind, in the order of ``kinds``
        "CovCatNum": (category, "0", category, "0", "0", "0"),
        "BenefitType": ("1", "5", "2", "4", "6", "0"),
        "Percent": (h.pick("ben.pc", n, [100, 80, 50, 80, 0]), "-1", "-1", "-1", "-1", "-1"),
        "MonetaryAmt": (
            "-1",
            h.pick("ben.m", n, [1000, 1500, 2000, 1250, 3000]),
            h.pick("ben.d", n, [50, 100, 25, 75]),
            "-1",
            "0",
            "0",
        ),
        "TimePeriod": ("0", "2", "2", "0", "0", "0"),
        "QuantityQualifier": ("0", "0", "0", "0", "5", "0"),
        "Quantity": ("0", "0", "0", "0", h.pick("ben.q", n, [6, 12]), "0"),
        "CoverageLevel": ("0", h.pick("ben.cl", n, [1, 2]), h.pick("ben.cl", n, [1, 2]), "0", "0", "0"),
    }
    return {column: kind.sql(n, dict(zip(kinds, per_kind, strict=True))) for column, per_kind in values.items()}
