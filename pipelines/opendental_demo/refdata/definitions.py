"""The clinic's definitions (OpenDental's definition table): the DefCat values the generator uses, the named
items of those categories, filler categories up to the clinic's 655 rows, and DefNum look-ups."""

from __future__ import annotations

# DefCat values (OpenDental Enumerations.cs) used by the generator.
ADJ_TYPES = 1
APPT_CONFIRMED = 2
BILLING_TYPES = 4
PAYMENT_TYPES = 10
PROC_CODE_CATS = 11
RECALL_UNSCHED_STATUS = 13
DIAGNOSIS = 16
TX_PRIORITIES = 20
BLOCKOUT_TYPES = 25
COMMLOG_TYPES = 27
PAYSPLIT_UNEARNED = 29
PROGNOSIS = 30
CLAIM_CUSTOM_TRACKING = 31
INSURANCE_PAYMENT_TYPE = 32
PROVIDER_SPECIALTIES = 35
CLAIM_PAYMENT_TRACKING = 36
CLAIM_PAYMENT_GROUPS = 40
CARRIER_GROUP_NAMES = 46
OPERATORY_TYPES = 55

# (category, item name, item value); listed categories first, then filler to the clinic's 655 rows.
_DEFINITIONS: list[tuple[int, str, str]] = [
    *[
        (0, n, "")
        for n in (
            "Default",
            "Payment",
            "Insurance Payment",
            "Balance Forward",
            "Received Pre-Auth",
            "Adjustment",
            "Statement",
            "Family Balance",
        )
    ],
    *[
        (ADJ_TYPES, n, v)
        for n, v in (
            ("Discount - Cash", "-"),
            ("Write Off", "-"),
            ("Bad Debt Write Off", "-"),
            ("Professional Courtesy", "-"),
            ("Senior Discount", "-"),
            ("Insurance Adjustment", "-"),
            ("Finance Charge", "+"),
            ("Billing Charge", "+"),
            ("Returned Check Fee", "+"),
            ("Refund", "+"),
            ("Broken Appointment Fee", "+"),
            ("Sales Tax", "+"),
        )
    ],
    *[
        (APPT_CONFIRMED, n, v)
        for n, v in (
            ("Not Called", ""),
            ("Unconfirmed", "Unconf"),
            ("Left Msg", "LM"),
            ("Confirmed", "Conf"),
            ("Texted", "Txt"),
            ("E-mailed", "Eml"),
            ("eConfirm Sent", "eCS"),
            ("eConfirmed", "eConf"),
            ("Arrived", "Arr"),
            ("Ready to go back", "Rdy"),
            ("In Treatment Room", "InRm"),
            ("Front Desk", "FD"),
        )
    ],
    *[
        (BILLING_TYPES, n, "")
        for n in (
            "Standard Account",
            "Finance Charge",
            "Collections",
            "Bad Debt",
            "Insurance Only",
            "No Statements",
            "Payment Plan",
        )
    ],
    *[
        (PAYMENT_TYPES, n, "")
        for n in (
            "Check",
            "Cash",
            "Credit Card",
            "Care Credit",
            "Debit Card",
            "Online Payment",
            "ACH",
            "Money Order",
            "Patient Refund",
        )
    ],
    *[
        (PROC_CODE_CATS, n, "")
        for n in (
            "Exams & Xrays",
            "Cleanings",
            "Fillings",
            "Endo",
            "Perio",
            "Crown & Bridge",
            "Dentures",
            "Implants",
            "Oral Surgery",
            "Ortho",
            "Misc",
            "Obsolete",
            "No Fee",
        )
    ],
    *[
        (RECALL_UNSCHED_STATUS, n, "")
        for n in (
            "Do not call",
            "Left message",
            "Will call back",
            "Call again",
            "Sent postcard",
            "E-mailed",
            "Texted",
            "Not interested",
            "Moved away",
        )
    ],
    *[
        (DIAGNOSIS, n, "")
        for n in (
            "Caries",
            "Fractured tooth",
            "Abscess",
            "Periodontal disease",
            "Missing tooth",
            "Impacted",
            "Worn restoration",
        )
    ],
    *[(TX_PRIORITIES, str(i), "") for i in range(1, 6)],
    *[
        (BLOCKOUT_TYPES, n, "")
        for n in ("Lunch", "Meeting", "Emergency Slot", "New Patient", "Doctor Out", "Crown Seat", "Hygiene Only")
    ],
    *[
        (COMMLOG_TYPES, n, v)
        for n, v in (
            ("Appointment Related", "APPT"),
            ("Financial", "FIN"),
            ("Recall", "RECALL"),
            ("Insurance", "INS"),
            ("Misc", "MISC"),
            ("Text Message", "TEXT"),
            ("E-mail", "EMAIL"),
            ("Statement", "STMT"),
            ("Treatment Plan Follow-up", "TP"),
            ("Referral", "REF"),
        )
    ],
    *[(PAYSPLIT_UNEARNED, n, v) for n, v in (("Prepayment", ""), ("Treat Plan Prepayment", "X"))],
    *[(PROGNOSIS, n, "") for n in ("Good", "Fair", "Poor", "Questionable", "Hopeless")],
    *[
        (CLAIM_CUSTOM_TRACKING, n, "")
        for n in ("Waiting on EOB", "Appealed", "Resubmitted", "Needs X-rays", "Called carrier")
    ],
    *[(INSURANCE_PAYMENT_TYPE, n, "") for n in ("Check", "EFT", "Credit Card", "Virtual Credit Card")],
    *[
        (PROVIDER_SPECIALTIES, n, "")
        for n in (
            "General",
            "Hygienist",
            "Endodontics",
            "Pediatric",
            "Periodontics",
            "Prosthodontics",
            "Orthodontics",
            "Denturist",
            "Surgery",
            "Assistant",
            "Labs",
        )
    ],
    *[(CLAIM_PAYMENT_TRACKING, n, "") for n in ("Paid", "Denied - frequency", "Denied - not covered", "Pending")],
    (CLAIM_PAYMENT_GROUPS, "Default", ""),
    *[(CARRIER_GROUP_NAMES, n, "") for n in ("Delta Dental", "Blue Cross", "Medicaid", "PPO Networks")],
    *[(OPERATORY_TYPES, n, "") for n in ("Doctor", "Hygiene", "Consult")],
]

# Filler categories (DefCat value, label) used to reach the clinic's 655 definition rows.
_FILLER_CATEGORIES: tuple[tuple[int, str], ...] = (
    (12, "Progress note color"),
    (17, "Appointment color"),
    (18, "Image category"),
    (21, "Misc color"),
    (22, "Chart graphic color"),
    (23, "Contact category"),
    (24, "Letter merge category"),
    (26, "Proc button category"),
    (28, "Supply category"),
    (33, "Task priority"),
    (41, "Auto note category"),
    (19, "Appointment phone note"),
    (8, "Medical note"),
    (14, "Service note"),
    (3, "Quick add"),
)


def definitions(total: int = 655) -> list[tuple[int, int, str, str, int]]:
    """Rows (Category, ItemOrder, ItemName, ItemValue, IsHidden) in DefNum order, ``total`` of them."""
    rows: list[tuple[int, int, str, str, int]] = []
    order: dict[int, int] = {}
    for cat, name, value in _DEFINITIONS:
        order[cat] = order.get(cat, -1) + 1
        rows.append((cat, order[cat], name, value, 0))
    i = 0
    while len(rows) < total:
        cat, label = _FILLER_CATEGORIES[i % len(_FILLER_CATEGORIES)]
        order[cat] = order.get(cat, -1) + 1
        rows.append((cat, order[cat], f"{label} {order[cat] + 1}", "", 1 if i % 9 == 8 else 0))
        i += 1
    return rows[:total]


def def_nums(category: int, total: int = 655) -> list[int]:
    """DefNums (1-based row positions) of the visible definitions of one category."""
    return [i + 1 for i, row in enumerate(definitions(total)) if row[0] == category and row[4] == 0]


def def_num(category: int, name: str) -> int:
    """DefNum of one named definition."""
    for i, row in enumerate(definitions()):
        if row[0] == category and row[2] == name:
            return i + 1
    raise KeyError(f"no definition {name!r} in category {category}")
