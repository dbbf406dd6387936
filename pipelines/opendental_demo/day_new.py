"""New rows of a simulated day: patients, booked appointments with planned procedures, completed visits,
reminders and audit-log rows (their claims and payments: day_money)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import refdata
from .context import ACTIVE_USERS, DENTISTS, DOCTOR_OPS, HYGIENISTS
from .day import Day, ints
from .db import query

IN_CHAIR_EVERY = 5  # one of every five of today's completed visits is not dismissed yet (at least one)
USER_LOG_ON_OFF = 83


def new_patients(d: Day) -> list[int]:
    """A few new patients, each their own guarantor (saved, then Guarantor set, as OpenDental does)."""
    rows = []
    for _ in range(d.count(11, 1)):
        fname, lname = d.rng.choice(refdata.FIRST_NAMES), d.rng.choice(refdata.LAST_NAMES)
        city, state, zip_code = d.rng.choice(refdata.CITIES)
        rows.append(
            {
                "LName": lname,
                "FName": fname,
                "MiddleI": "",
                "Preferred": "",
                "PatStatus": 0,
                "Gender": d.rng.randrange(2),
                "Position": d.rng.randrange(2),
                "Birthdate": (d.today - timedelta(days=7000 + d.rng.randrange(20000))).isoformat(),
                "Address": f"{100 + d.rng.randrange(9000)} {d.rng.choice(refdata.STREETS)}",
                "Address2": "",
                "City": city,
                "State": state,
                "Zip": zip_code,
                "HmPhone": "",
                "WkPhone": "",
                "WirelessPhone": f"(541)555-01{d.rng.randrange(100):02d}",
                "Guarantor": 0,
                "Email": "",
                "PriProv": d.rng.choice(DENTISTS),
                "SecProv": 0,
                "FeeSched": 0,
                "BillingType": refdata.def_num(refdata.BILLING_TYPES, "Standard Account"),
                "DateFirstVisit": d.today.isoformat(),
                "SecUserNumEntry": 1 + d.rng.randrange(20),
                "SecDateEntry": d.today.isoformat(),
                "BillingCycleDay": 1,
                "SecurityHash": f"{d.rng.getrandbits(128):032x}",
                "ChartNumber": "",
                "SchoolName": "",
            }
        )
    keys = d.insert("patient", rows)
    for key in keys:  # a new patient is their own guarantor; OpenDental saves, then sets Guarantor
        d.update(
            "patient", [key], "Guarantor = %s, ImageFolder = %s, Email = %s", (key, f"PT{key}", f"pt{key}@example.com")
        )
    d.log([(106, key, 0, "Patient created") for key in keys])
    return keys


def book_appointments(d: Day, new_patients: list[int]) -> list[int]:
    """Appointments booked for the coming weeks, with treatment-planned procedures and history rows."""
    active = d.pick("SELECT PatNum FROM patient WHERE PatStatus = 0", d.count(28, 2))
    patients = sorted(set(active) | set(new_patients[:1]))
    confirmed = refdata.def_num(refdata.APPT_CONFIRMED, "Unconfirmed")
    now = d.now()
    rows = [_booking(d, pat, confirmed, now) for pat in patients]
    keys = d.insert("appointment", rows)
    _plan_procedures(d, keys, rows)
    d.hist(keys, 0)
    d.log(
        [
            (25, row["PatNum"], key, f"New appointment for patient #{row['PatNum']}")
            for key, row in zip(keys, rows, strict=True)
        ]
    )
    return keys


def _booking(d: Day, pat: int, confirmed: int, now: str) -> dict[str, Any]:
    """A new appointment of ``pat`` in a random room and hour of the next 40 days (hygiene rooms book hygiene)."""
    op = 1 + d.rng.randrange(DOCTOR_OPS + 6)
    hyg = op > DOCTOR_OPS
    when = datetime.combine(d.today + timedelta(days=1 + d.rng.randrange(40)), datetime.min.time()) + timedelta(
        hours=8 + d.rng.randrange(9)
    )
    return {
        "PatNum": pat,
        "AptStatus": 1,
        "Pattern": "/XXXXXXXX//" if hyg else "//XXXX//",
        "Confirmed": confirmed,
        "TimeLocked": 0,
        "Op": op,
        "Note": "",
        "ProvNum": d.rng.choice(DENTISTS),
        "ProvHyg": d.rng.choice(HYGIENISTS) if hyg else 0,
        "AptDateTime": when.isoformat(sep=" "),
        "IsHygiene": int(hyg),
        "ProcDescript": "",
        "SecUserNumEntry": 1 + d.rng.randrange(20),
        "SecDateTEntry": now,
        # OpenDental's Edit Appointment window saves blank times as midnight of the appointment's day.
        "DateTimeArrived": f"{when.date().isoformat()} 00:00:00",
        "DateTimeSeated": f"{when.date().isoformat()} 00:00:00",
        "DateTimeDismissed": f"{when.date().isoformat()} 00:00:00",
        "SecurityHash": f"{d.rng.getrandbits(128):032x}",
    }


def _plan_procedures(d: Day, keys: list[int], rows: list[dict[str, Any]]) -> None:
    """Treatment-planned procedures of the new appointments: exam and prophy for hygiene, one restoration else."""
    procs = []
    for key, row in zip(keys, rows, strict=True):
        codes = ("D0120", "D1110") if row["IsHygiene"] else (d.rng.choice(("D2391", "D2392", "D2740", "D2950")),)
        for code in codes:
            procs.append(
                proc_row(
                    d,
                    row["PatNum"],
                    key,
                    code,
                    1,
                    str(row["AptDateTime"])[:10],
                    row["ProvHyg"] if row["IsHygiene"] else row["ProvNum"],
                )
            )
    d.insert("procedurelog", procs)


def proc_row(d: Day, pat: int, apt: int, code: str, status: int, proc_date: str, prov: int) -> dict[str, Any]:
    """A procedurelog row with the standard fee of ``code``."""
    today = d.today.isoformat()
    return {
        "PatNum": pat,
        "AptNum": apt,
        "ProcDate": proc_date,
        "ProcFee": d.fee(code),
        "Surf": "",
        "ToothNum": "",
        "ToothRange": "",
        "ProcStatus": status,
        "ProvNum": prov,
        "CodeNum": d.code_num[code],
        "UnitQty": 1,
        "DateTP": today,
        "DateEntryC": today,
        "SecUserNumEntry": 1 + d.rng.randrange(20),
        "SecDateEntry": d.now(),
        "DateComplete": today if status == 2 else "0001-01-01",
        "IcdVersion": 10,
        "ProcTime": "00:00:00",
        "ProcTimeEnd": "00:00:00",
        "DateOriginalProsth": "0001-01-01",
    }


def complete_visits(d: Day) -> list[int]:
    """Today's visits: scheduled appointments set complete, their procedures completed, a PA charted."""
    candidates = sorted(
        int(r[0])
        for r in query(
            d.conn,
            (
                f"SELECT AptNum FROM appointment WHERE AptStatus = 1 AND AptNum <= {d.max_before['appointment']} "
                "ORDER BY AptDateTime, AptNum LIMIT 200"
            ),
        )
    )
    visits = sorted(d.rng.sample(candidates, min(d.count(25, 2), len(candidates))))
    if not visits:
        return []
    d.hist(visits, 1)
    arrived = refdata.def_num(refdata.APPT_CONFIRMED, "Arrived")
    # A few patients are still in the chair: arrived and seated, DateTimeDismissed left at midnight.
    in_chair = sorted(d.rng.sample(visits, max(1, len(visits) // IN_CHAIR_EVERY)))
    d.update(
        "appointment",
        visits,
        "AptStatus = 2, Confirmed = %s, AptDateTime = TIMESTAMP(CURDATE(), TIME(AptDateTime)), "
        "DateTimeArrived = TIMESTAMP(CURDATE(), SUBTIME(TIME(AptDateTime), '00:10:00')), "
        "DateTimeSeated = TIMESTAMP(CURDATE(), TIME(AptDateTime)), "
        f"DateTimeDismissed = IF(AptNum IN ({ints(in_chair)}), TIMESTAMP(CURDATE()), "
        "TIMESTAMP(CURDATE(), ADDTIME(TIME(AptDateTime), '00:55:00')))",
        (arrived,),
    )
    planned = d.keys_where("procedurelog", f"AptNum IN ({ints(visits)}) AND ProcStatus = 1")
    d.update(
        "procedurelog",
        planned,
        "ProcStatus = 2, ProcDate = CURDATE(), DateComplete = CURDATE(), DateEntryC = CURDATE()",
    )
    info = query(
        d.conn, f"SELECT AptNum, PatNum, ProvNum FROM appointment WHERE AptNum IN ({ints(visits)}) ORDER BY AptNum"
    )
    new = d.insert(
        "procedurelog", [proc_row(d, int(p), int(a), "D0220", 2, d.today.isoformat(), int(pv)) for a, p, pv in info]
    )
    d.log([(23, int(p), k, "Procedure set complete") for (a, p, pv), k in zip(info, new, strict=True)])
    return visits


def logins(d: Day) -> None:
    """UserLogOnOff (PermType 83) rows: each active user logs on and off one to three times a day."""
    now = d.now()
    rows: list[dict[str, Any]] = []
    for user in range(1, ACTIVE_USERS + 1):
        computer = d.rng.choice(("FRONTDESK1", "FRONTDESK2", "CHECKOUT", "OP1-PC", "OP2-PC", "HYG1-PC", "BILLING"))
        for _session in range(1 + d.rng.randrange(3)):
            for text in ("User logged on.", "User logged off."):
                rows.append(
                    {
                        "PermType": USER_LOG_ON_OFF,
                        "UserNum": user,
                        "LogDateTime": now,
                        "LogText": text,
                        "PatNum": 0,
                        "CompName": computer,
                        "FKey": 0,
                        "LogSource": 0,
                        "DateTPrevious": "0001-01-01 00:00:00",
                    }
                )
    d.insert("securitylog", rows)


def communications(d: Day) -> None:
    """Appointment reminders (commlog) and the day's audit-log rows."""
    now = d.now()
    reminded = d.pick("SELECT PatNum FROM appointment WHERE AptStatus = 1", d.count(290, 3))
    types = refdata.def_nums(refdata.COMMLOG_TYPES)
    d.insert(
        "commlog",
        [
            {
                "PatNum": pat,
                "CommDateTime": now,
                "CommType": types[0],
                "Note": "Appointment reminder sent by text.",
                "Mode_": 5,
                "SentOrReceived": 1,
                "UserNum": 0,
                "Signature": "",
                "DateTimeEnd": "0001-01-01 00:00:00",
                "CommSource": 3,
                "DateTEntry": now,
            }
            for pat in reminded
        ],
    )
    patients = d.pick("SELECT PatNum FROM patient", 50)
    filler = d.count(1500, 10)
    d.log([(d.rng.choice((27, 108, 120, 27)), d.rng.choice(patients), 0, "Viewed or edited") for _ in range(filler)])
