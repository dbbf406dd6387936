"""Contacts: insurance carriers and referral sources (marketing, doctors, patients)."""

from __future__ import annotations

from . import refdata
from .context import Ctx
from .db import Connection as Conn
from .db import execute
from .sqlgen import sql_str


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
