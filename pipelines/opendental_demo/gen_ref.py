"""Reference tables: definition, procedurecode, preference, feesched, fee; plus the code helper tables the activity
tables pick from. ``build_reference`` also fills the staff and contact tables (gen_staff, gen_contacts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import refdata
from .context import SPECIALISTS, Ctx
from .db import Connection as Conn
from .db import blanks, execute, insert_many, insert_rows
from .gen_contacts import build_carrier, build_referral
from .gen_staff import build_operatory, build_provider, build_userod
from .guard import MARKER_PREF, marker_value
from .quirks_extra import FEE_CODES, fee_override_rows
from .sqlgen import stable_int

# Procedure-code pools (helper table tmp_demo_pick, 1000 slots each).
POOL_DOCTOR = 1
POOL_HYGIENE_EXTRA = 2
POOL_GENERAL = 3
_HYGIENE_EXTRA = ("D0220", "D0230", "D0330", "D0210", "D1208", "D1351", "D1354", "D0180", "D4346")
_DOCTOR_CATEGORIES = ("Fillings", "Crown & Bridge", "Endo", "Oral Surgery", "Implants", "Dentures", "Misc")
# (code, descript, abbr, pattern, category, treat_area, fee, is_hygiene, paint_type): a row of ``all_codes()``.
CodeRow = tuple[str, str, str, str, str, int, float, int, int]
# procedurecode columns no demo code fills.
_PROCEDURECODE_BLANKS = blanks(
    text="AlternateCode1 MedicalCode LaymanTerm DrugNDC RevenueCodeDefault DefaultClaimNote DefaultTPNote TaxCode "
    "PaintText DiagnosticCodes",
    zero="NoBillIns GTypeNum IsTaxed GraphicColor IsCanadianLab PreExisting BaseUnits SubstOnlyIf IsMultiVisit "
    "ProvNumDefault BypassGlobalLock AreaAlsoToothRange",
)
# Filler settings: each subject with each aspect ("ApptEnabled", "ClaimEnabled", ...), numbered from round two.
_FILLER_PREF_SUBJECTS = (
    "Appt",
    "Claim",
    "Recall",
    "Statement",
    "WebSched",
    "Billing",
    "Ins",
    "Patient",
    "Proc",
    "Sheet",
    "Text",
    "Email",
    "Backup",
    "Security",
    "Report",
    "Account",
    "Chart",
    "Image",
    "Ledger",
    "Task",
)
_FILLER_PREF_ASPECTS = (
    "Enabled",
    "DefaultInterval",
    "ShowOnList",
    "AutoRefresh",
    "DaysBefore",
    "Template",
    "LastRun",
    "Mode",
    "Limit",
    "Color",
    "Order",
    "Message",
    "UseDefault",
    "Threshold",
    "Prompt",
)


def all_codes() -> list[CodeRow]:
    """All procedure codes in CodeNum order: the common CDT codes, then rarely used ones up to 1730 rows.

    Each row: (code, descript, abbr, pattern, category, treat_area, fee, is_hygiene, paint_type).
    """
    rows = [
        (c.code, c.descript, c.abbr, c.pattern, c.category, c.treat_area, float(c.fee), c.hygiene, c.paint)
        for c in refdata.COMMON_CODES
    ]
    taken = {r[0] for r in rows}
    groups = (
        (0, "diagnostic", "Exams & Xrays", 3),
        (1, "preventive", "Cleanings", 3),
        (2, "restorative", "Fillings", 2),
        (3, "endodontic", "Endo", 2),
        (4, "periodontic", "Perio", 4),
        (5, "removable prosthodontic", "Dentures", 3),
        (6, "implant or fixed prosthodontic", "Implants", 2),
        (7, "oral surgery", "Oral Surgery", 2),
        (8, "orthodontic", "Ortho", 3),
        (9, "adjunctive general", "Misc", 3),
    )
    number = 0
    while len(rows) < 1730:
        digit, group, category, area = groups[number % 10]
        code = f"D{digit}{100 + (number // 10) * 3 % 900:03d}"
        number += 1
        if code in taken:
            continue
        taken.add(code)
        fee = float(40 + stable_int("fee", code) % 1900)
        rows.append((code, f"{group} service {code[1:]}", code, "/X/", category, area, fee, 0, 0))
    return rows


def code_nums() -> dict[str, int]:
    """CodeNum of each procedure code."""
    return {row[0]: i + 1 for i, row in enumerate(all_codes())}


def _pool(codes: list[tuple[int, int]]) -> list[int]:
    """1000 slots filled in proportion to (CodeNum, weight)."""
    total = sum(w for _, w in codes)
    slots, acc, i = [], 0, 0
    for slot in range(1000):
        target = slot * total / 1000
        while acc + codes[i][1] <= target:
            acc += codes[i][1]
            i += 1
        slots.append(codes[i][0])
    return slots


def build_code_helpers(conn: Conn, ctx: Ctx) -> None:
    """tmp_demo_code (every code with its standard fee) and tmp_demo_pick (weighted code pools)."""
    code_t, pick_t = ctx.helper("code"), ctx.helper("pick")
    execute(
        conn,
        f"CREATE TABLE {code_t} (CodeNum BIGINT PRIMARY KEY, ProcCode VARCHAR(15), Fee DOUBLE, "
        "TreatArea TINYINT, IsHygiene TINYINT) ENGINE=MyISAM",
    )
    insert_many(
        conn,
        code_t,
        ["CodeNum", "ProcCode", "Fee", "TreatArea", "IsHygiene"],
        [(i + 1, r[0], r[6], r[5], r[7]) for i, r in enumerate(all_codes())],
    )
    nums = code_nums()
    common = refdata.COMMON_CODES
    pools = {
        POOL_DOCTOR: [(nums[c.code], c.weight) for c in common if c.category in _DOCTOR_CATEGORIES],
        POOL_HYGIENE_EXTRA: [(nums[c.code], c.weight) for c in common if c.code in _HYGIENE_EXTRA],
        POOL_GENERAL: [(nums[c.code], c.weight) for c in common],
    }
    execute(
        conn,
        f"CREATE TABLE {pick_t} (Pool TINYINT, Slot SMALLINT, CodeNum BIGINT, PRIMARY KEY (Pool, Slot)) ENGINE=MyISAM",
    )
    insert_many(
        conn,
        pick_t,
        ["Pool", "Slot", "CodeNum"],
        [(pool, slot, num) for pool, codes in pools.items() for slot, num in enumerate(_pool(codes))],
    )


def build_definition(conn: Conn, ctx: Ctx) -> None:
    """definition: the clinic's 655 definitions (categories the other tables point at, then filler)."""
    colored = (0, 12, 17, 21, 22)  # categories whose items carry a (signed ARGB) color
    rows = [
        (
            i + 1,
            cat,
            order,
            name,
            value,
            stable_int("color", i) % (1 << 24) - (1 << 24) if cat in colored else 0,
            hidden,
        )
        for i, (cat, order, name, value, hidden) in enumerate(refdata.definitions(ctx.rows("definition")))
    ]
    insert_many(
        conn, "definition", ["DefNum", "Category", "ItemOrder", "ItemName", "ItemValue", "ItemColor", "IsHidden"], rows
    )


def build_procedurecode(conn: Conn, ctx: Ctx) -> None:
    """procedurecode: the common CDT codes, then rarely used and obsolete codes up to 1730 rows."""
    cats = {
        name: i + 1 for i, (cat, _o, name, _v, _h) in enumerate(refdata.definitions()) if cat == refdata.PROC_CODE_CATS
    }
    stamp = ctx.install_stamp()
    insert_rows(conn, "procedurecode", [_procedurecode_row(i, code, cats, stamp) for i, code in enumerate(all_codes())])


def _procedurecode_row(i: int, code_row: CodeRow, cats: dict[str, int], stamp: str) -> dict[str, Any]:
    """Code ``i`` of ``all_codes()``: a common code in its category, else every seventh one obsolete."""
    code, descript, abbr, pattern, category, area, _fee, hyg, paint = code_row
    common = i < len(refdata.COMMON_CODES)
    return {
        **_PROCEDURECODE_BLANKS,
        "CodeNum": i + 1,
        "ProcCode": code,
        "Descript": descript,
        "AbbrDesc": abbr,
        "ProcTime": pattern,
        "ProcCat": cats[category] if common or i % 7 else cats["Obsolete"],
        "TreatArea": area,
        "IsProsth": 1 if category in ("Crown & Bridge", "Dentures") else 0,
        "DefaultNote": None if i % 5 else "",  # legacy nullable text: NULL and '' both mean "no note"
        "IsHygiene": hyg,
        "PaintType": paint,
        "SubstitutionCode": None if common else "",
        "DateTStamp": stamp,
        "CanadaTimeUnits": 0.0,
        "IsRadiology": 1 if code.startswith(("D02", "D03")) else 0,
    }


def build_preference(conn: Conn, ctx: Ctx) -> None:
    """preference: real OpenDental settings, the demo marker, then filler settings up to 1206 rows."""
    rows: list[tuple[str, str, str | None]] = [(k, v, None) for k, v in _clinic_preferences(ctx).items()]
    rows += _filler_preferences(ctx, {r[0] for r in rows}, ctx.rows("preference") - len(rows))
    insert_many(
        conn,
        "preference",
        ["PrefName", "ValueString", "PrefNum", "Comments"],
        [(name, value, num + 1, comment) for num, (name, value, comment) in enumerate(rows)],
    )


def _clinic_preferences(ctx: Ctx) -> dict[str, str]:
    """The real settings (refdata.PREFERENCES) with this build's values, and the demo marker."""
    prefs = dict(refdata.PREFERENCES)
    prefs["PracticeDefaultBillType"] = str(refdata.def_num(refdata.BILLING_TYPES, "Standard Account"))
    prefs["DateLastAging"] = (ctx.as_of - timedelta(days=1)).isoformat()
    prefs["FutureTransDatesAllowed"] = "1"  # completed procedures may be dated after today
    prefs[MARKER_PREF] = marker_value(ctx.patients, ctx.seed, ctx.as_of)  # marks the database as disposable
    return prefs


def _filler_preferences(ctx: Ctx, taken: set[str], count: int) -> list[tuple[str, str, str | None]]:
    """``count`` filler settings (name, value, comment) named subject + aspect (+ round number), none in ``taken``."""
    names = set(taken)
    rows: list[tuple[str, str, str | None]] = []
    subjects, aspects = _FILLER_PREF_SUBJECTS, _FILLER_PREF_ASPECTS
    i = 0
    while len(rows) < count:
        name = subjects[i % len(subjects)] + aspects[(i // len(subjects)) % len(aspects)]
        round_ = i // (len(subjects) * len(aspects))
        name += str(round_ + 1) if round_ else ""
        i += 1
        if name in names:
            continue
        names.add(name)
        value = ("0", "1", str(stable_int(ctx.seed, name) % 90), "")[stable_int(ctx.seed, "pv", name) % 4]
        rows.append((name, value, None if i % 11 else ""))
    return rows


def build_feesched(conn: Conn, ctx: Ctx) -> None:
    """feesched: Standard and UCR, then one per insurance plan family (some hidden)."""
    n, h = "seq", ctx.h
    rows = ctx.rows("feesched")
    carriers = refdata.CARRIER_NAMES
    kinds = h.pick("fs.k", n, ["PPO", "Premier", "Select", "DHMO", "Plus"])
    entry = ctx.at(ctx.day(ctx.day_idx(n, rows)), "fs.t", n)
    execute(
        conn,
        f"""
        INSERT INTO feesched (FeeSchedNum, Description, FeeSchedType, ItemOrder, IsHidden, IsGlobal, SecUserNumEntry,
            SecDateEntry, SecDateTEdit)
        SELECT {n},
            CASE WHEN {n} = 1 THEN 'Standard' WHEN {n} = 2 THEN 'UCR'
                 ELSE CONCAT({h.pick("fs.c", n, list(carriers))}, ' ', {kinds}, ' ', {n}) END,
            CASE WHEN {n} <= 2 THEN 0 WHEN {n} % 11 = 0 THEN 2 WHEN {n} % 13 = 0 THEN 1 ELSE 0 END,
            {n} - 1,
            IF({n} > 2 AND {h.mod("fs.h", n, 10)} = 0, 1, 0),
            0, {ctx.user("fs.u", n)}, DATE({entry}), {ctx.later(entry, "fs.s", n)}
        FROM seq_1_to_{rows}""",
    )


def build_fee(conn: Conn, ctx: Ctx) -> None:
    """fee: the standard fee schedule first, then discounted insurance schedules (400 codes each); the last rows
    are provider-specific overrides of the standard schedule, some blank (-1, OpenDental's "no fee")."""
    n, h = "s.seq", ctx.h
    rows, codes_with_fees = ctx.rows("fee"), FEE_CODES
    base = rows - fee_override_rows(rows)
    j = f"({n} - {base})"
    over = f"({n} > {base})"
    fs = f"IF({over}, 1, 1 + ({n} - 1) DIV {codes_with_fees})"
    code = f"IF({over}, 1 + ({j} - 1) MOD {codes_with_fees}, 1 + ({n} - 1) MOD {codes_with_fees})"
    amount = (
        f"IF({over}, IF({ctx.plan.extra.fee_blank.sql(n)}, -1, ROUND(c.Fee * (90 + {h.mod('fee.o', n, 30)}) / 100, 2)),"
        f" IF({fs} = 1, c.Fee, ROUND(c.Fee * (55 + {h.mod('fee.f', fs, 45)}) / 100, 2)))"
    )
    prov = f"IF({over}, 1 + (({j} - 1) DIV {codes_with_fees}) MOD {max(SPECIALISTS)}, 0)"
    entry = ctx.at(ctx.day(ctx.day_idx(n, rows)), "fee.t", n)
    execute(
        conn,
        f"""
        INSERT INTO fee (FeeNum, Amount, OldCode, FeeSched, UseDefaultFee, UseDefaultCov, CodeNum, ClinicNum, ProvNum,
            SecUserNumEntry, SecDateEntry, SecDateTEdit)
        SELECT {n}, {amount}, '', {fs}, 0, 0, c.CodeNum, 0, {prov}, {ctx.user("fee.u", n)}, DATE({entry}),
            {ctx.later(entry, "fee.s", n)}
        FROM seq_1_to_{rows} s JOIN {ctx.helper("code")} c ON c.CodeNum = {code}""",
    )


def build_reference(conn: Conn, ctx: Ctx) -> None:
    """All small reference tables plus the code helpers."""
    build_code_helpers(conn, ctx)
    for step in (
        build_definition,
        build_procedurecode,
        build_provider,
        build_operatory,
        build_userod,
        build_preference,
        build_feesched,
        build_carrier,
        build_referral,
    ):
        step(conn, ctx)
    build_fee(conn, ctx)
