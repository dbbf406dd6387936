"""Staff and rooms: provider, operatory, userod."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from . import refdata
from .context import DENTISTS, DOCTOR_OPS, HYGIENE_OPS, HYGIENISTS, SPECIALISTS, Ctx
from .db import Connection as Conn
from .db import blanks, insert_many, insert_rows
from .sqlgen import stable_int

# provider columns no demo provider fills.
_PROVIDER_BLANKS = blanks(
    text="MI SSN StateLicense DEANum BlueCrossID MedicaidID CanadianOfficeNum TaxonomyCodeOverride EcwID StateRxID "
    "StateWhereLicensed CustomID SchedNote WebSchedDescript WebSchedImageLocation PreferredName",
    zero="UsingTIN OutlineColor SchoolClassNum AnesthProvType IsCDAnet IsNotPerson EmailAddressNum IsInstructor "
    "EhrMuStage ProvNumBillingOverride IsHiddenReport IsErxEnabled",
)
# userod columns no demo user fills.
_USEROD_BLANKS = blanks(
    text="DomainUser MobileWebPin EClipboardClinicalPin BadgeId",
    zero="EmployeeNum ClinicNum TaskListInBox DefaultHidePopups ClinicIsRestricted InboxHidePopups UserNumCEMT "
    "FailedAttempts IsPasswordResetRequired MobileWebPinFailedAttempts",
)
_ROLES = ("frontdesk", "billing", "assistant", "manager", "hygienist", "doctor")


def build_provider(conn: Conn, ctx: Ctx) -> None:
    """provider: 4 dentists, 5 hygienists, 3 specialists, then former providers (hidden, some deleted)."""
    specialty = {
        name: i + 1
        for i, (cat, _o, name, _v, _h) in enumerate(refdata.definitions())
        if cat == refdata.PROVIDER_SPECIALTIES
    }
    insert_rows(conn, "provider", [_provider_row(ctx, num, specialty) for num in range(1, ctx.rows("provider") + 1)])


def _provider_role(num: int) -> tuple[str, str, int]:
    """(Abbr, specialty name, IsSecondary) of provider ``num``: dentist, hygienist, specialist or former provider."""
    if num in DENTISTS:
        return f"DOC{num}", "General", 0
    if num in HYGIENISTS:
        return f"HYG{num - 4}", "Hygienist", 1
    if num in SPECIALISTS:
        return f"SPEC{num - 9}", ("Endodontics", "Periodontics", "Orthodontics")[num - 10], 0
    return f"OLD{num}", ("General", "Hygienist", "Assistant")[num % 3], int(num % 3 == 1)


def _provider_row(ctx: Ctx, num: int, specialty: dict[str, int]) -> dict[str, Any]:
    """Provider ``num``: a current one (with an NPI and a goal) or a former one (hidden, terminated)."""
    active = num in DENTISTS or num in HYGIENISTS or num in SPECIALISTS
    abbr, spec, secondary = _provider_role(num)
    first, last = refdata.FIRST_NAMES, refdata.LAST_NAMES
    birth = (datetime(1955, 1, 1) + timedelta(days=stable_int(ctx.seed, "provb", num) % 12000)).date()
    term = "0001-01-01" if active else (ctx.cal.start + timedelta(days=200 + num * 37)).isoformat()
    return {
        **_PROVIDER_BLANKS,
        "ProvNum": num,
        "Abbr": abbr,
        "ItemOrder": num - 1,
        "LName": last[stable_int(ctx.seed, "provl", num) % len(last)],
        "FName": first[stable_int(ctx.seed, "provf", num) % len(first)],
        "Suffix": "DDS" if spec == "General" and active else "",
        "FeeSched": 1,
        "Specialty": specialty[spec],
        "IsSecondary": secondary,
        "ProvColor": -(stable_int("pc", num) % (1 << 24)),
        "IsHidden": 0 if active else 1,
        "SigOnFile": 1,
        "NationalProvID": f"1{stable_int(ctx.seed, 'npi', num) % 10**9:09d}" if active else "",
        "DateTStamp": ctx.install_stamp(num),
        "ProvStatus": 0 if active or num % 4 else 1,
        "Birthdate": birth.isoformat(),
        "HourlyProdGoalAmt": 0.0 if not active else 350.0,
        "DateTerm": term,
    }


def build_operatory(conn: Conn, ctx: Ctx) -> None:
    """operatory: 8 doctor rooms, 6 hygiene rooms, a consult room and a hidden old room."""
    op_types = refdata.def_nums(refdata.OPERATORY_TYPES)
    rows = []
    for num in range(1, ctx.rows("operatory") + 1):
        if num <= DOCTOR_OPS:
            name, abbr, dentist, hyg, is_hyg, kind = f"Op {num}", f"OP{num}", DENTISTS[(num - 1) % 4], 0, 0, 0
        elif num <= DOCTOR_OPS + HYGIENE_OPS:
            k = num - DOCTOR_OPS
            name, abbr, dentist, hyg, is_hyg, kind = f"Hyg {k}", f"HYG{k}", 0, HYGIENISTS[(k - 1) % 5], 1, 1
        else:
            name, abbr, dentist, hyg, is_hyg, kind = (
                ("Consult", "CONS", 1, 0, 0, 2) if num == 15 else (f"Old Op {num}", f"X{num}", 0, 0, 0, 0)
            )
        rows.append(
            (
                num,
                name,
                abbr,
                num - 1,
                1 if num > 15 else 0,
                dentist,
                hyg,
                is_hyg,
                0,
                ctx.install_stamp(3),
                0,
                1 if is_hyg else 0,
                1 if num == 15 else 0,
                op_types[kind],
            )
        )
    insert_many(
        conn,
        "operatory",
        [
            "OperatoryNum",
            "OpName",
            "Abbrev",
            "ItemOrder",
            "IsHidden",
            "ProvDentist",
            "ProvHygienist",
            "IsHygiene",
            "ClinicNum",
            "DateTStamp",
            "SetProspective",
            "IsWebSched",
            "IsNewPatAppt",
            "OperatoryType",
        ],
        rows,
    )


def build_userod(conn: Conn, ctx: Ctx) -> None:
    """userod: staff accounts (20 active), with hashed-password look-alikes."""
    insert_rows(conn, "userod", [_userod_row(ctx, num) for num in range(1, ctx.rows("userod") + 1)])


def _user_role(num: int) -> tuple[str, int, int]:
    """(UserName, ProvNum, UserGroupNum) of user ``num``: the admin, the dentists, the hygienists, then staff."""
    if num == 1:
        return "Admin", 0, 1
    if num <= 4:
        return f"doctor{num - 1}", DENTISTS[num - 1], 2
    if num <= 9:
        return f"hygienist{num - 4}", HYGIENISTS[num - 5], 3
    return f"{_ROLES[num % len(_ROLES)]}{num}", 0, 4


def _userod_row(ctx: Ctx, num: int) -> dict[str, Any]:
    """User ``num``: the first 20 active (logged on lately), later ones mostly hidden (never logged on)."""
    name, prov, group = _user_role(num)
    salt = f"{stable_int(ctx.seed, 'salt', num):016x}"
    digest = f"{stable_int(ctx.seed, 'pw', num):016x}" * 4
    hidden = 0 if num <= 20 else (1 if num % 3 else 0)
    last_login = (
        "0001-01-01 00:00:00"
        if hidden
        else (datetime.combine(ctx.as_of - timedelta(days=1 + num % 20), time(8, num % 60, 5)).isoformat(sep=" "))
    )
    return {
        **_USEROD_BLANKS,
        "UserNum": num,
        "UserName": name,
        "Password": f"SHA3-512${salt}${digest}",
        "UserGroupNum": group,
        "ProvNum": prov,
        "IsHidden": hidden,
        "AnesthProvType": 3,
        "PasswordIsStrong": 1,
        "DateTFail": "0001-01-01 00:00:00",
        "DateTLastLogin": last_login,
    }
