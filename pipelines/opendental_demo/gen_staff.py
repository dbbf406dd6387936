"""Staff, rooms and contacts: provider, operatory, userod, preference, carrier, referral."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from . import refdata
from .context import DENTISTS, DOCTOR_OPS, HYGIENE_OPS, HYGIENISTS, SPECIALISTS, Ctx
from .db import Connection as Conn
from .db import execute, insert_many
from .guard import MARKER_PREF, marker_value
from .sqlgen import sql_str, stable_int


def build_provider(conn: Conn, ctx: Ctx) -> None:
    """provider: 4 dentists, 5 hygienists, 3 specialists, then former providers (hidden, some deleted)."""
    specialty = {
        name: i + 1
        for i, (cat, _o, name, _v, _h) in enumerate(refdata.definitions())
        if cat == refdata.PROVIDER_SPECIALTIES
    }
    first, last = refdata.FIRST_NAMES, refdata.LAST_NAMES
    rows = []
    for num in range(1, ctx.rows("provider") + 1):
        active = num in DENTISTS or num in HYGIENISTS or num in SPECIALISTS
        if num in DENTISTS:
            abbr, spec, secondary = f"DOC{num}", "General", 0
        elif num in HYGIENISTS:
            abbr, spec, secondary = f"HYG{num - 4}", "Hygienist", 1
        elif num in SPECIALISTS:
            abbr, spec, secondary = f"SPEC{num - 9}", ("Endodontics", "Periodontics", "Orthodontics")[num - 10], 0
        else:
            abbr, spec, secondary = f"OLD{num}", ("General", "Hygienist", "Assistant")[num % 3], int(num % 3 == 1)
        fname = first[stable_int(ctx.seed, "provf", num) % len(first)]
        lname = last[stable_int(ctx.seed, "provl", num) % len(last)]
        birth = (datetime(1955, 1, 1) + timedelta(days=stable_int(ctx.seed, "provb", num) % 12000)).date()
        term = "0001-01-01" if active else (ctx.cal.start + timedelta(days=200 + num * 37)).isoformat()
        rows.append(
            (
                num,
                abbr,
                num - 1,
                lname,
                fname,
                "",
                "DDS" if spec == "General" and active else "",
                1,
                specialty[spec],
                "",
                "",
                "",
                secondary,
                -(stable_int("pc", num) % (1 << 24)),
                0 if active else 1,
                0,
                "",
                1,
                "",
                0,
                0,
                f"1{stable_int(ctx.seed, 'npi', num) % 10**9:09d}" if active else "",
                "",
                ctx.install_stamp(num),
                0,
                "",
                0,
                "",
                "",
                0,
                "",
                0,
                0,
                0,
                0,
                "",
                0 if active or num % 4 else 1,
                0,
                0,
                birth.isoformat(),
                "",
                "",
                "",
                0.0 if not active else 350.0,
                term,
                "",
            )
        )
    insert_many(
        conn,
        "provider",
        [
            "ProvNum",
            "Abbr",
            "ItemOrder",
            "LName",
            "FName",
            "MI",
            "Suffix",
            "FeeSched",
            "Specialty",
            "SSN",
            "StateLicense",
            "DEANum",
            "IsSecondary",
            "ProvColor",
            "IsHidden",
            "UsingTIN",
            "BlueCrossID",
            "SigOnFile",
            "MedicaidID",
            "OutlineColor",
            "SchoolClassNum",
            "NationalProvID",
            "CanadianOfficeNum",
            "DateTStamp",
            "AnesthProvType",
            "TaxonomyCodeOverride",
            "IsCDAnet",
            "EcwID",
            "StateRxID",
            "IsNotPerson",
            "StateWhereLicensed",
            "EmailAddressNum",
            "IsInstructor",
            "EhrMuStage",
            "ProvNumBillingOverride",
            "CustomID",
            "ProvStatus",
            "IsHiddenReport",
            "IsErxEnabled",
            "Birthdate",
            "SchedNote",
            "WebSchedDescript",
            "WebSchedImageLocation",
            "HourlyProdGoalAmt",
            "DateTerm",
            "PreferredName",
        ],
        rows,
    )


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
    roles = ("frontdesk", "billing", "assistant", "manager", "hygienist", "doctor")
    rows = []
    for num in range(1, ctx.rows("userod") + 1):
        if num == 1:
            name, prov, group = "Admin", 0, 1
        elif num <= 4:
            name, prov, group = f"doctor{num - 1}", DENTISTS[num - 1], 2
        elif num <= 9:
            name, prov, group = f"hygienist{num - 4}", HYGIENISTS[num - 5], 3
        else:
            name, prov, group = f"{roles[num % len(roles)]}{num}", 0, 4
        salt = f"{stable_int(ctx.seed, 'salt', num):016x}"
        digest = f"{stable_int(ctx.seed, 'pw', num):016x}" * 4
        hidden = 0 if num <= 20 else (1 if num % 3 else 0)
        last_login = (
            "0001-01-01 00:00:00"
            if hidden
            else (datetime.combine(ctx.as_of - timedelta(days=1 + num % 20), time(8, num % 60, 5)).isoformat(sep=" "))
        )
        rows.append(
            (
                num,
                name,
                f"SHA3-512${salt}${digest}",
                group,
                0,
                0,
                prov,
                hidden,
                0,
                3,
                0,
                1,
                0,
                0,
                0,
                "0001-01-01 00:00:00",
                0,
                "",
                0,
                "",
                0,
                last_login,
                "",
                "",
            )
        )
    insert_many(
        conn,
        "userod",
        [
            "UserNum",
            "UserName",
            "Password",
            "UserGroupNum",
            "EmployeeNum",
            "ClinicNum",
            "ProvNum",
            "IsHidden",
            "TaskListInBox",
            "AnesthProvType",
            "DefaultHidePopups",
            "PasswordIsStrong",
            "ClinicIsRestricted",
            "InboxHidePopups",
            "UserNumCEMT",
            "DateTFail",
            "FailedAttempts",
            "DomainUser",
            "IsPasswordResetRequired",
            "MobileWebPin",
            "MobileWebPinFailedAttempts",
            "DateTLastLogin",
            "EClipboardClinicalPin",
            "BadgeId",
        ],
        rows,
    )


def build_preference(conn: Conn, ctx: Ctx) -> None:
    """preference: real OpenDental settings, the demo marker, then filler settings up to 1206 rows."""
    prefs = dict(refdata.PREFERENCES)
    prefs["PracticeDefaultBillType"] = str(refdata.def_num(refdata.BILLING_TYPES, "Standard Account"))
    prefs["DateLastAging"] = (ctx.as_of - timedelta(days=1)).isoformat()
    prefs["FutureTransDatesAllowed"] = "1"  # completed procedures may be dated after today
    prefs[MARKER_PREF] = marker_value(ctx.patients, ctx.seed, ctx.as_of)  # marks the database as disposable
    subjects = (
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
    aspects = (
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
    rows: list[tuple[str, str, int, str | None]] = [(k, v, 0, None) for k, v in prefs.items()]
    names = {r[0] for r in rows}
    i = 0
    while len(rows) < ctx.rows("preference"):
        name = subjects[i % len(subjects)] + aspects[(i // len(subjects)) % len(aspects)]
        round_ = i // (len(subjects) * len(aspects))
        name += str(round_ + 1) if round_ else ""
        i += 1
        if name in names:
            continue
        names.add(name)
        value = ("0", "1", str(stable_int(ctx.seed, name) % 90), "")[stable_int(ctx.seed, "pv", name) % 4]
        rows.append((name, value, 0, None if i % 11 else ""))
    insert_many(
        conn,
        "preference",
        ["PrefName", "ValueString", "PrefNum", "Comments"],
        [(name, value, num + 1, comment) for num, (name, value, _z, comment) in enumerate(rows)],
    )


def build_carrier(conn: Conn, ctx: Ctx) -> None:
    """carrier: insurance companies (some hidden)."""
    n, h = "seq", ctx.h
    rows = ctx.rows("carrier")
    names = refdata.CARRIER_NAMES
    cities = refdata.CITIES
    kinds = h.pick("car.k", n, ["PPO", "Premier", "Dental Plan", "Select", "Plus"])
    entry = ctx.at(ctx.day(ctx.day_idx(n, rows)), "car.t", n)
    execute(
        conn,
        f"""
        INSERT INTO carrier (CarrierNum, CarrierName, Address, Address2, City, State, Zip, Phone, ElectID, NoSendElect,
            IsCDA, CDAnetVersion, CanadianNetworkNum, IsHidden, CanadianEncryptionMethod, CanadianSupportedTypes,
            SecUserNumEntry, SecDateEntry, SecDateTEdit, TIN, CarrierGroupName, ApptTextBackColor,
            IsCoinsuranceInverted, TrustedEtransFlags, CobInsPaidBehaviorOverride, EraAutomationOverride,
            OrthoInsPayConsolidate)
        SELECT {n},
            CONCAT(ELT(1 + ({n} - 1) % {len(names)}, {", ".join(sql_str(x) for x in names)}),
                   IF({n} > {len(names)}, CONCAT(' ', {kinds}, ' ', ({n} - 1) DIV {len(names)}), '')),
            CONCAT('PO Box ', 1000 + {h.mod("car.a", n, 9000)}), '',
            {h.pick("car.c", n, [c[0] for c in cities])}, {h.pick("car.c", n, [c[1] for c in cities])},
            {h.pick("car.c", n, [c[2] for c in cities])},
            CONCAT('(800)555-01', LPAD({h.mod("car.p", n, 100)}, 2, '0')),
            LPAD({h.mod("car.e", n, 100000)}, 5, '0'), 0, 0, '', 0, IF({h.mod("car.h", n, 20)} = 0, 1, 0), 0, 0,
            {ctx.user("car.u", n)}, DATE({entry}), {ctx.later(entry, "car.s", n)}, '',
            IF({h.mod("car.g", n, 4)} = 0, {ctx.defn("car.gd", n, refdata.CARRIER_GROUP_NAMES)}, 0), 0, 0, 0, 0, 0, 0
        FROM seq_1_to_{rows}""",
    )


def build_referral(conn: Conn, ctx: Ctx) -> None:
    """referral: marketing sources, referring doctors and referring patients."""
    n, h = "seq", ctx.h
    rows = ctx.rows("referral")
    sources = ("Google", "Yelp", "Friend or family", "Insurance directory", "Drive by", "Facebook")
    specialties = refdata.def_nums(refdata.PROVIDER_SPECIALTIES)
    entry = ctx.at(ctx.day(ctx.day_idx(n, rows)), "ref.t", n)
    kind = f"IF({n} <= {len(sources)}, 0, IF({n} % 3 = 0, 2, 1))"  # 0 source, 1 doctor, 2 patient
    last_name = h.pick("ref.l", n, list(refdata.LAST_NAMES))
    specialty = h.pick("ref.bs", n, ["Endodontics", "Oral Surgery", "Orthodontics", "Periodontics"])
    patient = ctx.patient_at("ref.p", n, ctx.day_idx(n, rows))
    execute(
        conn,
        f"""
        INSERT INTO referral (ReferralNum, LName, FName, MName, SSN, UsingTIN, Specialty, ST, Telephone, Address,
            Address2, City, Zip, Note, Phone2, IsHidden, NotPerson, Title, EMail, PatNum, NationalProvID, Slip,
            IsDoctor, IsTrustedDirect, DateTStamp, IsPreferred, BusinessName, DisplayNote)
        SELECT {n},
            IF({kind} = 0, ELT({n}, {", ".join(sql_str(s) for s in sources)}), {last_name}),
            IF({kind} = 0, '', {h.pick("ref.f", n, list(refdata.FIRST_NAMES))}), '', '', 0,
            IF({kind} = 1, {ctx.choice("ref.s", n, specialties)}, 0), 'OR',
            IF({kind} = 0, '', CONCAT('541555', LPAD({h.mod("ref.tel", n, 10000)}, 4, '0'))),
            IF({kind} = 1, CONCAT({h.mod("ref.a", n, 9000)} + 100, ' Medical Pkwy'), ''), '',
            IF({kind} = 1, 'Eugene', ''), IF({kind} = 1, '97401', ''),
            IF({h.mod("ref.n", n, 5)} = 0, '', NULL), '', IF({h.mod("ref.h", n, 15)} = 0, 1, 0), IF({kind} = 0, 1, 0),
            IF({kind} = 1, 'Dr.', ''), '', IF({kind} = 2, {patient}, 0),
            IF({kind} = 1, CONCAT('1', LPAD({h.mod("ref.npi", n, 1000000000)}, 9, '0')), NULL), 0,
            IF({kind} = 1, 1, 0), 0, {ctx.later(entry, "ref.st", n)}, IF({h.mod("ref.pr", n, 6)} = 0, 1, 0),
            IF({kind} = 1, CONCAT({h.pick("ref.b", n, ["Valley", "Cascade", "Willamette", "Riverside", "Summit"])}, ' ',
                                 {specialty}), ''),
            ''
        FROM seq_1_to_{rows}""",
    )
