"""Changes to existing rows in a simulated day: in-place edits (some twice in one second), claims coming back
paid, hard deletes of the kinds OpenDental does, an upgrade's mass stamp bump, and late commits."""

from __future__ import annotations

from . import refdata
from .day import PKS, Day, ints
from .db import execute, query, scalar

APPOINTMENT_PERMS = (25, 26, 27, 120, 237)
LATE_MINUTES = 5


def edits(d: Day) -> list[int]:
    """In-place edits that move change stamps. Returns the commlogs edited (one is deleted later)."""
    future = d.untouched(
        "appointment", d.keys_where("appointment", f"AptStatus = 1 AND AptNum <= {d.max_before['appointment']}")
    )
    confirm = sorted(d.rng.sample(future, min(d.count(40, 2), len(future))))
    left_msg, confirmed = (refdata.def_num(refdata.APPT_CONFIRMED, n) for n in ("Left Msg", "Confirmed"))
    d.update("appointment", confirm, "Confirmed = IF(Confirmed = %s, %s, %s)", (confirmed, left_msg, confirmed))
    pats = d.untouched(
        "patient", d.pick(f"SELECT PatNum FROM patient WHERE PatNum <= {d.max_before['patient']}", d.count(15, 2))
    )
    d.update("patient", pats, "WirelessPhone = %s", (f"(541)555-02{d.day % 100:02d}",))
    recalls = d.pick("SELECT RecallNum FROM recall WHERE DateScheduled = '0001-01-01'", d.count(20, 1))
    d.update("recall", recalls, "DateScheduled = DATE_ADD(CURDATE(), INTERVAL 14 DAY)")
    comms = d.sample("commlog", 3)
    d.update("commlog", comms, "Note = CONCAT(COALESCE(Note, ''), %s)", (f" [edited day {d.day}]",))
    receive_claims(d)
    return comms


def receive_claims(d: Day) -> None:
    """Sent claims come back paid: claim and its claimprocs received, one insurance check for them."""
    claims = d.pick("SELECT ClaimNum FROM claim WHERE ClaimStatus = 'S'", d.count(9, 1))
    if not claims:
        return
    procs = d.keys_where("claimproc", f"ClaimNum IN ({ints(claims)})")
    total = (
        scalar(
            d.conn,
            f"SELECT COALESCE(SUM(ROUND(InsPayEst * 100)), 0) FROM claimproc WHERE ClaimProcNum IN ({ints(procs)})",
        )
        if procs
        else 0
    )
    today = d.today.isoformat()
    check = d.insert(
        "claimpayment",
        [
            {
                "CheckDate": today,
                "CheckAmt": int(total) / 100,
                "CheckNum": str(100000 + d.rng.randrange(900000)),
                "BankBranch": "",
                "Note": "",
                "CarrierName": "",
                "DateIssued": today,
                "IsPartial": 0,
                "PayType": refdata.def_nums(refdata.INSURANCE_PAYMENT_TYPE)[0],
                "SecUserNumEntry": 1 + d.rng.randrange(20),
                "SecDateEntry": today,
                "PayGroup": refdata.def_num(refdata.CLAIM_PAYMENT_GROUPS, "Default"),
            }
        ],
    )[0]
    d.rec.key("claimpayment", "ClaimPaymentNum")
    if procs:
        d.update(
            "claimproc",
            procs,
            "Status = 1, InsPayAmt = InsPayEst, DateCP = CURDATE(), ClaimPaymentNum = %s, "
            "DateInsFinalized = CURDATE(), DateSuppReceived = CURDATE()",
            (check,),
        )
    d.update("claim", claims, "ClaimStatus = 'R', DateReceived = CURDATE(), InsPayAmt = InsPayEst")


def same_second_edits(d: Day) -> None:
    """Rows written twice within one second: the second write changes a value, the stamp stays."""
    targets = [
        (
            "appointment",
            "DateTStamp",
            "Note",
            d.sample("appointment", 2),
        ),
        (
            "procedurelog",
            "DateTStamp",
            "BillingNote",
            d.sample("procedurelog", 2),
        ),
    ]
    for table, stamp, column, keys in targets:
        pk = PKS[table]
        for key in keys:
            for attempt in range(6):
                d.update(table, [key], f"`{column}` = %s", (f"day {d.day} edit {2 * attempt + 1}",))
                first = scalar(d.conn, f"SELECT `{stamp}` FROM `{table}` WHERE `{pk}` = %s", (key,))
                d.update(table, [key], f"`{column}` = %s", (f"day {d.day} edit {2 * attempt + 2}",))
                second = scalar(d.conn, f"SELECT `{stamp}` FROM `{table}` WHERE `{pk}` = %s", (key,))
                if first == second:
                    d.rec.record.same_second.setdefault(table, {})[key] = str(second)
                    break


def deletes(d: Day, edited_comms: list[int]) -> None:
    """Hard deletes of the kinds OpenDental does."""
    # Appointments (broken, unscheduled or future ones): history row first, procedures detached,
    # securitylog references zeroed, then the delete.
    apts = d.sample("appointment", d.count(3, 1), "AptStatus IN (1, 3, 5)")
    if apts:
        d.hist(apts, 4)
        d.update("procedurelog", d.keys_where("procedurelog", f"AptNum IN ({ints(apts)})"), "AptNum = 0")
        d.update("procedurelog", d.keys_where("procedurelog", f"PlannedAptNum IN ({ints(apts)})"), "PlannedAptNum = 0")
        d.update(
            "securitylog",
            d.keys_where("securitylog", f"FKey IN ({ints(apts)}) AND PermType IN ({ints(APPOINTMENT_PERMS)})"),
            "FKey = 0",
        )
        pats = [int(r[0]) for r in query(d.conn, f"SELECT PatNum FROM appointment WHERE AptNum IN ({ints(apts)})")]
        d.delete("appointment", apts)
        d.log([(237, pat, 0, "Appointment deleted") for pat in pats])
    # Payments with all their splits.
    pays = d.sample("payment", d.count(2, 1))
    if pays:
        d.delete("paysplit", d.keys_where("paysplit", f"PayNum IN ({ints(pays)})"))
        d.delete("payment", pays)
        d.log([(16, 0, 0, "Delete for: payment") for _ in pays])
    # One split removed from a payment that has several; the payment amount follows.
    sample = d.sample("payment", 30, "IsSplit = 1")
    if sample:
        multi = query(
            d.conn,
            f"SELECT PayNum, MIN(SplitNum) FROM paysplit WHERE PayNum IN ({ints(sample)}) "
            "AND SplitAmt <> 0 GROUP BY PayNum HAVING COUNT(*) >= 2 ORDER BY PayNum",
        )
        if multi:
            pay, split = (int(x) for x in multi[d.rng.randrange(len(multi))])
            amount = float(scalar(d.conn, "SELECT SplitAmt FROM paysplit WHERE SplitNum = %s", (split,)))
            d.delete("paysplit", [split])
            d.update("payment", [pay], "PayAmt = ROUND(PayAmt - %s, 2)", (amount,))
    # Estimate claimprocs are deleted and made again when coverage changes.
    estimates = d.sample("claimproc", d.count(8, 2), "Status = 6")
    if estimates:
        cols = [c[0] for c in d.columns("claimproc") if c[0] not in ("ClaimProcNum", "SecDateTEdit")]
        execute(
            d.conn,
            f"INSERT INTO claimproc ({', '.join(cols)}) SELECT {', '.join(cols)} FROM claimproc "
            f"WHERE ClaimProcNum IN ({ints(estimates)}) ORDER BY ClaimProcNum",
        )
        first = int(scalar(d.conn, "SELECT LAST_INSERT_ID()"))
        d.rec.inserted("claimproc", list(range(first, first + len(estimates))))
        d.delete("claimproc", estimates)
    # Commlogs, one of them edited earlier today (the delete wins).
    comms = edited_comms[:1] + d.sample("commlog", d.count(3, 1))
    d.delete("commlog", sorted(set(comms)))


def mass_stamp_bump(d: Day) -> None:
    """An upgrade's table-wide UPDATE: every patient row with a SecurityHash gets the same new stamp."""
    keys = d.keys_where("patient", "SecurityHash <> ''")
    changed = execute(d.conn, "UPDATE patient SET SecurityHash = '' WHERE SecurityHash <> ''")
    if changed != len(keys):
        raise RuntimeError(f"patient rows changed while bumping stamps: {changed} updated, {len(keys)} expected")
    d.rec.key("patient", "PatNum")
    d.rec.updated("patient", keys)
    d.touch("patient", keys)
    stamp = str(scalar(d.conn, "SELECT DateTStamp FROM patient WHERE PatNum = %s", (keys[0],))) if keys else ""
    d.rec.record.mass_stamp_bump["patient"] = {"rows": len(keys), "stamp": stamp}


def late_commits(d: Day) -> None:
    """Edits committed after newer rows, carrying a stamp a few minutes in the past."""
    for table, stamp, column, value in (
        ("procedurelog", "DateTStamp", "BillingNote", "Reviewed"),
        ("payment", "SecDateTEdit", "PayNote", "Deposit corrected"),
    ):
        pk = PKS[table]
        for key in d.sample(table, 1):
            d.update(
                table,
                [key],
                f"`{column}` = %s, `{stamp}` = NOW() - INTERVAL {LATE_MINUTES} MINUTE",
                (f"{value} (day {d.day})",),
            )
            d.rec.record.late_commits.setdefault(table, {})[key] = str(
                scalar(d.conn, f"SELECT `{stamp}` FROM `{table}` WHERE `{pk}` = %s", (key,))
            )
