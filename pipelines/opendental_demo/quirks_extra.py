"""The quirks of issue 17 ("a demo that has them"): what real OpenDental databases hold (see quirks.py's docstring
for the manifest keys). Like ``QuirkPlan`` this decides rows by countable buckets and counts them in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .sqlgen import Band, Bucket, Calendar, Classes, Selector

FUTURE_BDAYS = 65  # business days of scheduled (future) appointments after as_of
LINKED_PROC_PERCENT = 45  # share of procedurelog rows that belong to an appointment
FEE_CODES = 400  # codes each fee schedule prices
OLD_TIMES_DAYS_BEFORE_AS_OF = 3650  # appointments older than this kept 0001-01-01 arrival times

# securitylog.PermType codes the dbt dictionary knew (EnumPermType in dbt_project/macros/opendental_enums.sql).
KNOWN_PERM_TYPES: frozenset[int] = frozenset(
    {0, 10, 14, 15, 16, 17, 18, 23, 25, 26, 27, 36, 37, 43, 49, 57, 64, 92, 94, 95, 100, 106, 108, 110, 118, 120}
    | {128, 150, 154, 193, 198, 237, 238}
)
PERM_TYPE_MAX = 257  # EnumPermType has 258 members, 0..257
# (PermType, share in thousandths, LogText); 83 UserLogOnOff is logged at every log on and off.
PERM_TYPES: tuple[tuple[int, int, str], ...] = (
    (83, 240, "User logged on."),
    (27, 90, "Appointment edited for patient #{p}"),
    (120, 75, "Appointment confirmation status changed"),
    (108, 75, "Patient information edited"),
    (25, 70, "New appointment for patient #{p}"),
    (23, 65, "Procedure set complete"),
    (100, 55, "Procedure edited"),
    (2, 45, "Family module opened for patient #{p}"),
    (26, 40, "Appointment moved for patient #{p}"),
    (193, 40, "Commlog created"),
    (15, 35, "Payment created"),
    (89, 15, "Image edited for patient #{p}"),
    (16, 20, "Payment edited"),
    (17, 20, "Adjustment created"),
    (8, 6, "Setup window opened"),
    (43, 14, "Commlog edited"),
    (36, 14, "Insurance payment created"),
    (150, 14, "Claim edited"),
    (37, 7, "Insurance payment edited"),
    (128, 7, "Insurance plan added to patient"),
    (14, 7, "Sent claim edited"),
    (10, 7, "Completed procedure edited"),
    (64, 7, "Procedure fee edited"),
    (49, 7, "Procedure deleted"),
    (106, 7, "Patient created"),
    (154, 6, "Fee schedule fee edited"),
    (94, 3, "Patient merge"),
    (57, 3, "Referral attachment deleted"),
    (237, 3, "Appointment deleted"),
    (118, 3, "Claim deleted"),
)
NO_PATIENT_PERMS = (83, 8, 154, 94)

# Appointment status classes (name, AptStatus, share in thousandths): past appointments, then future ones.
PAST_STATUS: tuple[tuple[str, int, int], ...] = (
    ("done", 2, 760),
    ("broken", 5, 60),
    ("unsched", 3, 60),
    ("planned", 6, 60),
    ("ptnote", 7, 20),
    ("sched", 1, 20),
    ("ptnote_done", 8, 20),
)
FUTURE_STATUS: tuple[tuple[str, int, int], ...] = (("sched", 1, 920), ("planned", 6, 40), ("unsched", 3, 40))
APT_TIME_COLUMNS = ("DateTimeArrived", "DateTimeSeated", "DateTimeDismissed")
# Completed appointments seated but never dismissed (DateTimeDismissed stays at midnight), per 10,000.
SEATED_PER_10000 = 150

# Bands of procedurelog's soft-delete bucket (values 0..299 are deleted) among procedures charted on their own.
NEGATIVE_FEE_BAND = (300, 303)
FUTURE_COMPLETED_BAND = (303, 306)
FUTURE_COMPLETED_MAX_DAYS = 30
# Multi-unit procedures (UnitQty 2..4, or one BaseUnit) among procedures of appointments, per 10,000.
UNIT_QTY_BAND = (0, 100)
BASE_UNITS_BAND = (100, 160)

# Counted rows per 10,000 (at least 1): rows repointed at a deleted procedure, supplemental payments, merges.
INCOME_ON_DELETED = {"paysplit.ProcNum": 3, "adjustment.ProcNum": 5, "claimproc.ProcNum": 20}
SUPPLEMENTAL_PER_10000_CLAIMS = 150
MERGED_PLAN_PER_10000_HIST = 30
PARTIAL_CHECKS_PER_1000 = 2  # the newest insurance checks, still being entered


def per_10000(rows: int, share: int) -> int:
    return max(1, rows * share // 10_000)


@dataclass(frozen=True)
class ExtraPlan:
    """Rows carrying the issue-17 quirks for one (patients, seed, as_of)."""

    seed: int
    as_of: date
    sizes: dict[str, int]
    calendar: Calendar
    past_status: Classes
    future_status: Classes
    perm_type: Classes
    negative_fee: Band
    future_completed: Band
    unit_qty: Band
    base_units: Band
    fee_blank: Band
    patplan_override: Selector
    check_mismatch: Selector
    seated: Bucket
    seated_pin: int

    @classmethod
    def make(cls, seed: int, as_of: date, sizes: dict[str, int], calendar: Calendar, deleted: Selector) -> ExtraPlan:
        """The plan of one build; ``deleted`` selects procedurelog's soft-deleted rows (their bucket is shared)."""
        negative_fee, future_completed = _procedure_bands(seed, sizes, deleted)
        unit_qty, base_units = _unit_bands(seed, sizes)
        cpay = sizes["claimpayment"]
        past_status = Classes.make(seed, "appointment.past", [(c, s) for c, _st, s in PAST_STATUS])
        return cls(
            seed=seed,
            as_of=as_of,
            sizes=sizes,
            calendar=calendar,
            past_status=past_status,
            future_status=Classes.make(seed, "appointment.future", [(c, s) for c, _st, s in FUTURE_STATUS]),
            perm_type=Classes.make(seed, "securitylog.PermType", [(str(p), s) for p, s, _t in PERM_TYPES]),
            negative_fee=negative_fee,
            future_completed=future_completed,
            unit_qty=unit_qty,
            base_units=base_units,
            fee_blank=_fee_blank(seed, sizes),
            patplan_override=Selector.make(seed, "patplan.OrthoAutoFeeBilledOverride", sizes["patplan"], 50),
            check_mismatch=Selector.make(seed, "claimpayment.CheckAmt", max(1, cpay - partial_checks(cpay)), 20),
            seated=Bucket.make(seed, "appointment.seated"),
            seated_pin=_seated_pin(seed, past_status, sizes["appointment"], calendar, as_of),
        )

    # ---- appointments ------------------------------------------------------------------------------------
    @property
    def apt_span(self) -> int:
        return self.calendar.bdays + FUTURE_BDAYS

    @property
    def past_apts(self) -> int:
        """Appointments before as_of (ordinals 1..past_apts); the rest are booked ahead."""
        return Calendar.rows_before(self.sizes["appointment"], self.apt_span, self.calendar.bdays)

    @property
    def old_apts(self) -> int:
        """Appointments old enough to keep 0001-01-01 in DateTimeArrived/Seated/Dismissed."""
        idx = self.calendar.index_of(self.as_of - timedelta(days=OLD_TIMES_DAYS_BEFORE_AS_OF))
        return min(self.past_apts, Calendar.rows_before(self.sizes["appointment"], self.apt_span, idx))

    def apt_class(self, a: int) -> str:
        return self.past_status.name_of(a) if a <= self.past_apts else "f:" + self.future_status.name_of(a)

    def apt_times(self, a: int) -> tuple[str, str, str]:
        """What appointment ``a`` holds in (Arrived, Seated, Dismissed): 'blank', 'midnight' or 'time'."""
        if a <= self.old_apts:
            return ("blank", "blank", "blank")
        if self.apt_class(a) != "done":
            return ("midnight", "midnight", "midnight")
        if self.seated.value(a) < SEATED_PER_10000 or a == self.seated_pin:
            return ("time", "time", "midnight")
        return ("time", "time", "time")

    def status_sql(self, a: str, day_idx: str) -> str:
        past = self.past_status.elt_sql(a, {c: str(st) for c, st, _s in PAST_STATUS})
        future = self.future_status.elt_sql(a, {c: str(st) for c, st, _s in FUTURE_STATUS})
        return f"IF({day_idx} >= {self.calendar.bdays}, {future}, {past})"

    def times_sql(self, a: str) -> tuple[str, str]:
        """(completed with real times, seated but not dismissed) as SQL conditions on ordinal ``a``."""
        recent = f"({a}) > {self.old_apts} AND ({a}) <= {self.past_apts}"
        done = f"({recent} AND {self.past_status.bucket.sql(a)} < {PAST_STATUS[0][2]})"
        seated = f"({self.seated.sql(a)} < {SEATED_PER_10000} OR ({a}) = {self.seated_pin})"
        return done, f"({done} AND {seated})"

    def _apt_time_counts(self, apts: list[int]) -> tuple[dict[str, int], dict[str, int]]:
        blank = dict.fromkeys(APT_TIME_COLUMNS, 0)
        midnight = dict.fromkeys(APT_TIME_COLUMNS, 0)
        for a in apts:
            for column, kind in zip(APT_TIME_COLUMNS, self.apt_times(a), strict=True):
                blank[column] += kind == "blank"
                midnight[column] += kind == "midnight"
        return blank, midnight

    # ---- counts ------------------------------------------------------------------------------------------
    def counts(self, hist_apts: list[int], merged: int) -> dict[str, dict[str, int]]:
        """Issue-17 rows by category; ``hist_apts``: the appointment ordinal of each histappointment row."""
        n = self.sizes
        apt_blank, apt_mid = self._apt_time_counts(list(range(1, n["appointment"] + 1)))
        hist_blank, hist_mid = self._apt_time_counts(hist_apts)
        perms = {
            f"securitylog.PermType={p}": self.perm_type.count(n["securitylog"], str(p))
            for p, _s, _t in PERM_TYPES
            if p not in KNOWN_PERM_TYPES
        }
        return {
            "blank_date": {
                **{f"appointment.{c}": v for c, v in apt_blank.items()},
                **{f"histappointment.{c}": v for c, v in hist_blank.items()},
            },
            "midnight_time": {
                **{f"appointment.{c}": v for c, v in apt_mid.items()},
                **{f"histappointment.{c}": v for c, v in hist_mid.items()},
            },
            "undocumented_permtype": perms,
            "income_on_deleted_procedure": {k: per_10000(n[k.split(".")[0]], v) for k, v in INCOME_ON_DELETED.items()},
            "minus_one": {
                "fee.Amount": self.fee_blank.count(),
                "patplan.OrthoAutoFeeBilledOverride": n["patplan"] - self.patplan_override.count(n["patplan"]),
            },
            "negative_fee": {"procedurelog.ProcFee": self.negative_fee.count()},
            "future_completed": {"procedurelog.ProcDate": self.future_completed.count()},
            "partial_check": {
                "claimpayment.IsPartial": partial_checks(n["claimpayment"]),
                "claimpayment.CheckAmt": self.check_mismatch.count(self.finalized_checks),
            },
            "merged_plan": {"histappointment.InsPlan1": merged},
            "claim_total_differs": {"claim.InsPayAmt": self.supplementals},
            "multi_unit": {
                "procedurelog.UnitQty": self.unit_qty.count(),
                "procedurelog.BaseUnits": self.base_units.count(),
            },
        }

    @property
    def finalized_checks(self) -> int:
        return self.sizes["claimpayment"] - partial_checks(self.sizes["claimpayment"])

    @property
    def supplementals(self) -> int:
        return per_10000(self.sizes["claim"], SUPPLEMENTAL_PER_10000_CLAIMS)

    def merged_plans(self) -> int:
        return per_10000(self.sizes["histappointment"], MERGED_PLAN_PER_10000_HIST)

    def perm_sql(self, n: str) -> str:
        return self.perm_type.elt_sql(n, {str(p): str(p) for p, _s, _t in PERM_TYPES})

    def order_sql(self, salt: str, key: str) -> str:
        """A seeded order of rows (for choosing a counted number of candidates)."""
        return f"{Bucket.make(self.seed, salt).sql(key)}, {key}"


def _procedure_bands(seed: int, sizes: dict[str, int], deleted: Selector) -> tuple[Band, Band]:
    """(negative fee, completed on a future date): bands of the soft-delete bucket among the procedures charted
    on their own, each with a pinned row that is not deleted."""
    procs = sizes["procedurelog"]
    n_link = procs * LINKED_PROC_PERCENT // 100
    deleted_free = max(FUTURE_COMPLETED_BAND[1], deleted.below)
    neg = Band.make(
        deleted.bucket,
        *NEGATIVE_FEE_BAND,
        n_link + 1,
        procs,
        pin_from=deleted_free,
        salt=f"{seed}:negfee",
        excluded=deleted.pinned,
    )
    fut = Band.make(
        deleted.bucket,
        *FUTURE_COMPLETED_BAND,
        n_link + 1,
        procs,
        pin_from=deleted_free,
        salt=f"{seed}:futproc",
        excluded=deleted.pinned,
        taken=frozenset({neg.pinned}),
    )
    return neg, fut


def _unit_bands(seed: int, sizes: dict[str, int]) -> tuple[Band, Band]:
    """(UnitQty 2..4, one BaseUnit): multi-unit procedures among those of appointments."""
    n_link = sizes["procedurelog"] * LINKED_PROC_PERCENT // 100
    units = Bucket.make(seed, "procedurelog.units")
    qty = Band.make(units, *UNIT_QTY_BAND, 1, n_link, pin_from=BASE_UNITS_BAND[1], salt=f"{seed}:qty")
    base = Band.make(
        units,
        *BASE_UNITS_BAND,
        1,
        n_link,
        pin_from=BASE_UNITS_BAND[1],
        salt=f"{seed}:base",
        taken=frozenset({qty.pinned}),
    )
    return qty, base


def _fee_blank(seed: int, sizes: dict[str, int]) -> Band:
    """Blank (-1) fees among the provider-specific overrides, the last fee rows."""
    fees = sizes["fee"]
    return Band.make(
        Bucket.make(seed, "fee.Amount"),
        0,
        3000,
        fees - fee_override_rows(fees) + 1,
        fees,
        pin_from=3000,
        salt=f"{seed}:fee",
        excluded=fees,
    )


def _seated_pin(seed: int, past: Classes, apts: int, calendar: Calendar, as_of: date) -> int:
    """One recent completed appointment that is surely seated but not dismissed (0 when there is none)."""
    span = calendar.bdays + FUTURE_BDAYS
    last = Calendar.rows_before(apts, span, calendar.bdays)
    idx = calendar.index_of(as_of - timedelta(days=OLD_TIMES_DAYS_BEFORE_AS_OF))
    first = min(last, Calendar.rows_before(apts, span, idx)) + 1
    for a in range(last, first - 1, -1):  # the newest one: still in the chair when the copy was taken
        if past.name_of(a) == "done":
            return a
    return 0


def partial_checks(claimpayments: int) -> int:
    """The newest insurance checks are partial (IsPartial = 1): a batch still being entered."""
    return max(1, claimpayments * PARTIAL_CHECKS_PER_1000 // 1000)


def fee_override_rows(fees: int) -> int:
    """The last fee rows are provider-specific overrides of the standard schedule (2 %, at least 3)."""
    return min(fees, max(3, fees * 200 // 10_000))
