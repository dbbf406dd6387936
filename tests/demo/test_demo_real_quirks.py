"""Issue 17: the demo source holds what real OpenDental databases hold, in the amounts its manifest promises."""

from __future__ import annotations

from demo.demo_support import DemoDb
from opendental_demo.quirks_extra import KNOWN_PERM_TYPES, PERM_TYPE_MAX

TIMES = ("DateTimeArrived", "DateTimeSeated", "DateTimeDismissed")
MIDNIGHT = "`{c}` = TIMESTAMP(DATE(AptDateTime))"
BLANK = "`{c}` = '0001-01-01 00:00:00'"


def _quirks(demo: DemoDb, category: str) -> dict[str, int]:
    counts: dict[str, int] = demo.manifest["quirks"][category]
    return counts


def test_midnight_times_equal_the_manifest(small_demo: DemoDb) -> None:
    found = {
        f"{t}.{c}": small_demo.scalar(f"SELECT COUNT(*) FROM `{t}` WHERE {MIDNIGHT.format(c=c)}")
        for t in ("appointment", "histappointment")
        for c in TIMES
    }
    assert found == _quirks(small_demo, "midnight_time")
    # Not yet arrived: midnight (or 0001-01-01 on old rows) in all three, never a real time.
    real = " OR ".join(f"NOT ({MIDNIGHT.format(c=c)} OR {BLANK.format(c=c)})" for c in TIMES)
    assert small_demo.scalar(f"SELECT COUNT(*) FROM appointment WHERE AptStatus <> 2 AND ({real})") == 0
    # Completed: real times after midnight, except "seated but not dismissed".
    completed = small_demo.rows(
        "SELECT SUM(TIME(DateTimeArrived) > '00:00:00' AND TIME(DateTimeSeated) > '00:00:00' "
        f"AND {MIDNIGHT.format(c='DateTimeDismissed')}), SUM({MIDNIGHT.format(c='DateTimeArrived')}) "
        "FROM appointment WHERE AptStatus = 2"
    )[0]
    seated = found["appointment.DateTimeDismissed"] - found["appointment.DateTimeArrived"]
    assert (int(completed[0]), int(completed[1])) == (seated, 0)
    assert seated > 0
    # Old rows keep 0001-01-01 in all three columns (counted under blank_date).
    blank = _quirks(small_demo, "blank_date")
    assert blank["appointment.DateTimeArrived"] == blank["appointment.DateTimeDismissed"] > 0


def test_undocumented_perm_types_equal_the_manifest(small_demo: DemoDb) -> None:
    per_code = {int(p): int(n) for p, n in small_demo.rows("SELECT PermType, COUNT(*) FROM securitylog GROUP BY 1")}
    assert all(0 <= p <= PERM_TYPE_MAX for p in per_code)
    outside = {f"securitylog.PermType={p}": n for p, n in per_code.items() if p not in KNOWN_PERM_TYPES}
    assert outside == _quirks(small_demo, "undocumented_permtype")
    assert max(per_code, key=lambda p: per_code[p]) == 83  # UserLogOnOff: every log on and off
    assert {2, 8, 89} <= set(per_code)


def test_income_on_deleted_procedures_equals_the_manifest(small_demo: DemoDb) -> None:
    join = "JOIN procedurelog p ON p.ProcNum = c.ProcNum AND p.ProcStatus = 6"
    found = {
        "paysplit.ProcNum": small_demo.scalar(f"SELECT COUNT(*) FROM paysplit c {join}"),
        "adjustment.ProcNum": small_demo.scalar(f"SELECT COUNT(*) FROM adjustment c {join}"),
        "claimproc.ProcNum": small_demo.scalar(
            f"SELECT COUNT(*) FROM claimproc c {join} WHERE c.Status = 1 AND c.InsPayAmt > 0"
        ),
    }
    assert found == _quirks(small_demo, "income_on_deleted_procedure")
    # The income stays with the procedure's patient.
    for table in ("paysplit", "adjustment", "claimproc"):
        assert small_demo.scalar(f"SELECT COUNT(*) FROM {table} c {join} WHERE c.PatNum <> p.PatNum") == 0


def test_blank_fees_are_overrides_and_ortho_overrides_are_few(small_demo: DemoDb) -> None:
    minus_one = _quirks(small_demo, "minus_one")
    assert small_demo.scalar("SELECT COUNT(*) FROM fee WHERE Amount = -1 AND ProvNum <> 0") == minus_one["fee.Amount"]
    assert small_demo.scalar("SELECT COUNT(*) FROM fee WHERE Amount = -1 AND ProvNum = 0 AND ClinicNum = 0") == 0
    assert small_demo.scalar("SELECT COUNT(*) FROM fee WHERE ProvNum <> 0 AND Amount > 0") > 0
    values = dict(small_demo.rows("SELECT OrthoAutoFeeBilledOverride, COUNT(*) FROM patplan GROUP BY 1"))
    assert values[-1] == minus_one["patplan.OrthoAutoFeeBilledOverride"] > sum(values.values()) / 2
    assert values.get(0, 0) >= 1  # a real $0 override
    assert min(values) == -1 and sorted(values)[1] >= 0


def test_negative_and_future_completed_procedures_equal_the_manifest(small_demo: DemoDb) -> None:
    as_of = small_demo.manifest["as_of"]
    negative = small_demo.scalar("SELECT COUNT(*) FROM procedurelog WHERE ProcStatus = 2 AND ProcFee < 0")
    future = small_demo.scalar("SELECT COUNT(*) FROM procedurelog WHERE ProcStatus = 2 AND ProcDate > %s", (as_of,))
    assert {"procedurelog.ProcFee": negative} == _quirks(small_demo, "negative_fee")
    assert {"procedurelog.ProcDate": future} == _quirks(small_demo, "future_completed")
    allowed = small_demo.rows("SELECT ValueString FROM preference WHERE PrefName = 'FutureTransDatesAllowed'")
    assert allowed == [("1",)]
    # Entered before as_of although dated after it.
    assert str(small_demo.scalar("SELECT MAX(DateComplete) FROM procedurelog")) < as_of


def test_partial_and_unbalanced_checks_equal_the_manifest(small_demo: DemoDb) -> None:
    rows = small_demo.rows(
        "SELECT k.IsPartial, SUM(ABS(k.CheckAmt - COALESCE(x.a, 0)) > 0.005), COUNT(*) FROM claimpayment k "
        "LEFT JOIN (SELECT ClaimPaymentNum, SUM(InsPayAmt) a FROM claimproc GROUP BY ClaimPaymentNum) x "
        "ON x.ClaimPaymentNum = k.ClaimPaymentNum GROUP BY k.IsPartial"
    )
    by_flag = {int(flag): (int(unbalanced), int(total)) for flag, unbalanced, total in rows}
    partial = _quirks(small_demo, "partial_check")
    assert by_flag[1] == (partial["claimpayment.IsPartial"], partial["claimpayment.IsPartial"])
    assert by_flag[0][0] == partial["claimpayment.CheckAmt"]


def test_merged_plans_equal_the_manifest(small_demo: DemoDb) -> None:
    gone = "FROM {t} h WHERE h.InsPlan1 <> 0 AND NOT EXISTS (SELECT 1 FROM insplan p WHERE p.PlanNum = h.InsPlan1)"
    assert (
        small_demo.scalar("SELECT COUNT(*) " + gone.format(t="histappointment"))
        == _quirks(small_demo, "merged_plan")["histappointment.InsPlan1"]
    )
    assert small_demo.scalar("SELECT COUNT(*) " + gone.format(t="appointment")) == 0  # the merge rewrote these


def test_claim_totals_differ_where_supplementals_came_later(small_demo: DemoDb) -> None:
    differ = small_demo.rows(
        "SELECT c.ClaimNum, x.supp FROM claim c JOIN (SELECT ClaimNum, SUM(InsPayAmt) paid, SUM(Status = 4) supp "
        "FROM claimproc WHERE ClaimNum > 0 GROUP BY ClaimNum) x ON x.ClaimNum = c.ClaimNum "
        "WHERE ABS(c.InsPayAmt - x.paid) > 0.005"
    )
    assert {"claim.InsPayAmt": len(differ)} == _quirks(small_demo, "claim_total_differs")
    assert all(int(supp) >= 1 for _claim, supp in differ)
    assert (
        small_demo.scalar(
            "SELECT COUNT(*) FROM claimproc c JOIN claim k ON k.ClaimNum = c.ClaimNum WHERE c.Status = 4 "
            "AND (k.ClaimStatus <> 'R' OR c.FeeBilled <> 0 OR c.InsPayAmt <= 0)"
        )
        == 0
    )


def test_multi_unit_procedures_equal_the_manifest(small_demo: DemoDb) -> None:
    qty, base, differs = small_demo.rows(
        "SELECT SUM(UnitQty >= 2), SUM(BaseUnits > 0), SUM(ABS(ProcFee * (UnitQty + BaseUnits) - ProcFee) > 0.005) "
        "FROM procedurelog"
    )[0]
    expected = _quirks(small_demo, "multi_unit")
    assert {"procedurelog.UnitQty": int(qty), "procedurelog.BaseUnits": int(base)} == expected
    assert int(differs) == sum(expected.values())
