"""The OpenDental quirks the demo source contains, in amounts known before the database is built.

``QuirkPlan`` decides which rows get which quirk (as SQL predicates over the row ordinal) and how many rows that
is (computed in Python). The generator applies the predicates; ``expected_quirks`` returns the counts without
touching a database, so tests can compare them with what is actually stored.

Manifest format (``expected_quirks(...)`` and ``DemoManifest.to_dict()``)::

    {
      "patients": 200, "seed": 42, "as_of": "2026-11-25",
      "upgrade_stamp": "2024-06-08 02:13:07",       # the one stamp shared by many rows (UTC session)
      "rows": {"adjustment": 1497, ...},            # rows per table, all 31 tables
      "quirks": {                                   # category -> "table.column" -> rows
        "zero_date":    {...},  # column holds a true 0000-00-00 (or 0000-00-00 00:00:00)
        "blank_date":   {...},  # column holds 0001-01-01 where the row would otherwise have a date
        "minus_one":    {...},  # column holds the -1 "blank" sentinel
        "orphan":       {...},  # non-zero reference to a parent key that does not exist (see relations.py)
        "tinyint_two":  {...},  # tinyint(1) flag holding 2
        "soft_deleted": {...},  # procedurelog.ProcStatus = 6, patient.PatStatus = 4
        "null_text":    {...},  # legacy nullable text column IS NULL
        "empty_text":   {...},  # the same column = '' (both mean "empty")
        "shared_stamp": {...},  # change stamp equal to upgrade_stamp (an upgrade's table-wide UPDATE)
        "split_sum_mismatch": {"payment.PayAmt": n},  # payments whose PayAmt differs from the sum of splits
        # ---- issue 17: what real OpenDental databases hold (rows decided in quirks_extra.py) ----
        "midnight_time": {...},  # appointment/histappointment DateTimeArrived/Seated/Dismissed = DATE(AptDateTime)
                                 # 00:00:00 (the Edit Appointment window's blank): every appointment not completed,
                                 # plus DateTimeDismissed of completed ones "seated but not dismissed"
        "undocumented_permtype": {"securitylog.PermType=83": n, ...},  # rows per code outside the 33 codes the
                                 # dbt dictionary knew (83 UserLogOnOff, the most common code; 2, 8, 89)
        "income_on_deleted_procedure": {...},  # paysplit.ProcNum, adjustment.ProcNum and received claimprocs
                                 # (Status 1, InsPayAmt > 0) pointing at a procedure with ProcStatus = 6
        "negative_fee":     {"procedurelog.ProcFee": n},   # completed procedures (ProcStatus 2) with ProcFee < 0
        "future_completed": {"procedurelog.ProcDate": n},  # completed procedures dated after as_of (preference
                                 # FutureTransDatesAllowed = '1')
        "partial_check": {"claimpayment.IsPartial": n,  # IsPartial = 1 checks whose CheckAmt differs from the sum
                          "claimpayment.CheckAmt": m},  # of their claimprocs' InsPayAmt; m: IsPartial = 0 checks
                                 # that differ too ("continue anyway"); every other check balances
        "merged_plan": {"histappointment.InsPlan1": n},  # a PlanNum no longer in insplan (also counted as orphan)
        "claim_total_differs": {"claim.InsPayAmt": n},  # claims whose InsPayAmt is not the sum over their
                                 # claimprocs: a Supplemental (Status 4) claimproc came after the totals
        "multi_unit": {"procedurelog.UnitQty": n,   # UnitQty >= 2
                       "procedurelog.BaseUnits": m} # BaseUnits > 0; production ProcFee * (UnitQty + BaseUnits)
                                 # differs from ProcFee on exactly n + m procedures
      }
    }

Issue-17 additions to older categories: ``blank_date`` counts the 0001-01-01 arrival times of appointments older
than ten years (and their histappointment copies); ``minus_one`` counts fee.Amount = -1 on provider-specific fee
rows and patplan.OrthoAutoFeeBilledOverride = -1 (all rows but a few real overrides, one of them 0);
``orphan`` counts the merged plans of histappointment.InsPlan1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .quirks_extra import ExtraPlan
from .sizes import table_sizes
from .sqlgen import Bucket, Calendar, Classes, Selector

QUIRK_CATEGORIES: tuple[str, ...] = (
    "zero_date",
    "blank_date",
    "minus_one",
    "orphan",
    "tinyint_two",
    "soft_deleted",
    "null_text",
    "empty_text",
    "shared_stamp",
    "split_sum_mismatch",
)
# What real OpenDental databases hold, counted (quirks_extra.py); each has a test of its own.
REAL_DATA_CATEGORIES: tuple[str, ...] = (
    "midnight_time",
    "undocumented_permtype",
    "income_on_deleted_procedure",
    "negative_fee",
    "future_completed",
    "partial_check",
    "merged_plan",
    "claim_total_differs",
    "multi_unit",
)
QUIRK_CATEGORIES += REAL_DATA_CATEGORIES

SOFT_DELETED_VALUES: dict[str, int] = {"procedurelog.ProcStatus": 6, "patient.PatStatus": 4}

CLAIMPROC_OVERRIDES: tuple[str, ...] = (
    "AllowedOverride",
    "PercentOverride",
    "CopayOverride",
    "DedEstOverride",
    "InsEstTotalOverride",
    "PaidOtherInsOverride",
    "WriteOffEstOverride",
)

# Per 10,000 rows; each sparse quirk also pins one row so it exists at every scale.
_ZERO_DATES = {
    "payment.PayDate": 5,
    "paysplit.ProcDate": 5,
    "commlog.CommDateTime": 2,
    "securitylog.LogDateTime": 1,
    "schedule.SchedDate": 5,
    "refattach.RefDate": 20,
}
_BLANK_DATES = {"patient.Birthdate": 400, "procedurelog.DateTP": 100}
_ORPHANS = {
    "procedurelog.CodeNum": 3,
    "appointment.Op": 10,
    "paysplit.PatNum": 2,
    "commlog.PatNum": 2,
    "claimproc.ProcNum": 5,
    "histappointment.AptNum": 1000,
}
# Shares (thousandths) of NULL, '' and a real value in legacy nullable text columns.
_NULL_EMPTY = {
    "patient.Address2": (150, 750, 100),
    "appointment.Note": (400, 400, 200),
    "commlog.Note": (100, 150, 750),
    "payment.CheckNum": (200, 500, 300),
}
# Tables whose old rows got the upgrade stamp, with the share (per 10,000) of old rows edited since then.
_SHARED_STAMP = {"patient.DateTStamp": 4500, "commlog.DateTStamp": 300, "adjustment.SecDateTEdit": 1500}

UPGRADE_DAYS_BEFORE_AS_OF = 900
UPGRADE_TIME = time(2, 13, 7)
DATE_T_ENTRY_DAYS_BEFORE_AS_OF = 1300  # commlog.DateTEntry appeared in 23.x: older rows keep 0001-01-01


def _key(table_column: str) -> tuple[str, str]:
    table, column = table_column.split(".")
    return table, column


@dataclass(frozen=True)
class QuirkPlan:
    """Which rows of a demo source carry which quirk, for one (patients, seed, as_of)."""

    patients: int
    seed: int
    as_of: date
    sizes: dict[str, int]
    calendar: Calendar
    zero_date: dict[str, Selector]
    blank_date: dict[str, Selector]
    orphan: dict[str, Selector]
    null_empty: dict[str, Classes]
    edited_since_upgrade: dict[str, Bucket]
    tinyint_two: Selector
    proc_deleted: Selector
    patient_deleted: Selector
    split_mismatch: Selector
    claimproc_override: Selector
    claimproc_copay_blank: Selector
    claimproc_paid_other_blank: Selector
    claimproc_percentage_blank: Selector
    benefit_type: Classes
    extra: ExtraPlan

    @classmethod
    def make(cls, patients: int, seed: int, as_of: date) -> QuirkPlan:
        sizes = table_sizes(patients)
        calendar = Calendar.make(as_of)
        proc_deleted = Selector.make(seed, "procedurelog.ProcStatus", sizes["procedurelog"], 300)

        def sel(name: str, per_10000: int, pin: bool = True) -> Selector:
            return Selector.make(seed, name, sizes[_key(name)[0]], per_10000, pin=pin)

        return cls(
            patients=patients,
            seed=seed,
            as_of=as_of,
            sizes=sizes,
            calendar=calendar,
            zero_date={k: sel(k, v) for k, v in _ZERO_DATES.items()},
            blank_date={k: sel(k, v) for k, v in _BLANK_DATES.items()},
            orphan={k: sel(k, v) for k, v in _ORPHANS.items()},
            null_empty={
                k: Classes.make(seed, k, [("null", a), ("empty", b), ("value", c)])
                for k, (a, b, c) in _NULL_EMPTY.items()
            },
            edited_since_upgrade={k: Bucket.make(seed, "edited:" + k) for k in _SHARED_STAMP},
            tinyint_two=sel("appointment.TimeLocked", 5),
            proc_deleted=proc_deleted,
            patient_deleted=sel("patient.PatStatus", 100),
            split_mismatch=sel("payment.PayAmt", 2),
            claimproc_override=sel("claimproc.overrides", 200, pin=False),
            claimproc_copay_blank=sel("claimproc.CopayAmt", 7000, pin=False),
            claimproc_paid_other_blank=sel("claimproc.PaidOtherIns", 6000, pin=False),
            claimproc_percentage_blank=sel("claimproc.Percentage", 2500, pin=False),
            benefit_type=Classes.make(
                seed,
                "benefit.BenefitType",
                [
                    ("coinsurance", 450),
                    ("limitation", 250),
                    ("deductible", 150),
                    ("exclusion", 50),
                    ("waiting", 50),
                    ("active", 50),
                ],
            ),
            extra=ExtraPlan.make(seed, as_of, sizes, calendar, proc_deleted),
        )

    # ---- dates -------------------------------------------------------------------------------------------
    @property
    def upgrade_stamp(self) -> datetime:
        """The stamp an upgrade's table-wide UPDATE left on every old, not-since-edited row."""
        return datetime.combine(self.as_of - timedelta(days=UPGRADE_DAYS_BEFORE_AS_OF), UPGRADE_TIME)

    @property
    def upgrade_index(self) -> int:
        """Business-day index of the first day after the upgrade night."""
        return self.calendar.index_of(self.upgrade_stamp.date())

    @property
    def date_t_entry_index(self) -> int:
        return self.calendar.index_of(self.as_of - timedelta(days=DATE_T_ENTRY_DAYS_BEFORE_AS_OF))

    def rows_before_upgrade(self, table: str) -> int:
        """Rows of a history-spread table entered before the upgrade day."""
        return Calendar.rows_before(self.sizes[table], self.calendar.bdays, self.upgrade_index)

    def shared_stamp_rows(self, table_column: str) -> int:
        before = self.rows_before_upgrade(_key(table_column)[0])
        edited = self.edited_since_upgrade[table_column].count(before, 0, _SHARED_STAMP[table_column])
        return before - edited

    def shared_stamp_sql(self, table_column: str, n: str) -> str:
        """TRUE for rows that still carry the upgrade stamp."""
        table = _key(table_column)[0]
        bucket = self.edited_since_upgrade[table_column]
        return f"(({n}) <= {self.rows_before_upgrade(table)} AND {bucket.sql(n)} >= {_SHARED_STAMP[table_column]})"

    # ---- manifest ----------------------------------------------------------------------------------------
    def quirk_counts(self) -> dict[str, dict[str, int]]:
        """Rows per quirk, by category and ``table.column`` (see module docstring)."""
        n = self.sizes
        cp = n["claimproc"]
        with_override = self.claimproc_override.count(cp)
        benefits = n["benefit"]
        coins = self.benefit_type.count(benefits, "coinsurance")
        money_blank = coins + self.benefit_type.count(benefits, "exclusion")
        comm_before = Calendar.rows_before(n["commlog"], self.calendar.bdays, self.date_t_entry_index)
        counts: dict[str, dict[str, int]] = {
            "zero_date": {k: s.count(n[_key(k)[0]]) for k, s in self.zero_date.items()},
            "blank_date": {
                **{k: s.count(n[_key(k)[0]]) for k, s in self.blank_date.items()},
                "commlog.DateTEntry": comm_before,
            },
            "minus_one": {
                **{f"claimproc.{c}": cp - with_override for c in CLAIMPROC_OVERRIDES},
                "claimproc.CopayAmt": self.claimproc_copay_blank.count(cp),
                "claimproc.PaidOtherIns": self.claimproc_paid_other_blank.count(cp),
                "claimproc.Percentage": self.claimproc_percentage_blank.count(cp),
                "benefit.Percent": benefits - coins,
                "benefit.MonetaryAmt": money_blank,
            },
            "orphan": {
                **{k: s.count(n[_key(k)[0]]) for k, s in self.orphan.items()},
                "histappointment.Op": self.hist_rows_of_orphan_op(),
            },
            "tinyint_two": {"appointment.TimeLocked": self.tinyint_two.count(n["appointment"])},
            "soft_deleted": {
                "procedurelog.ProcStatus": self.proc_deleted.count(n["procedurelog"]),
                "patient.PatStatus": self.patient_deleted.count(n["patient"]),
            },
            "null_text": {k: c.count(n[_key(k)[0]], "null") for k, c in self.null_empty.items()},
            "empty_text": {k: c.count(n[_key(k)[0]], "empty") for k, c in self.null_empty.items()},
            "shared_stamp": {k: self.shared_stamp_rows(k) for k in _SHARED_STAMP},
            "split_sum_mismatch": {"payment.PayAmt": self.split_mismatch.count(n["payment"])},
        }
        merged = self.extra.merged_plans()
        hist_apts = [self.hist_appointment(hist) for hist in range(1, n["histappointment"] + 1)]
        for category, columns in self.extra.counts(hist_apts, merged).items():
            counts.setdefault(category, {}).update(columns)
        counts["orphan"]["histappointment.InsPlan1"] = merged
        return {k: dict(sorted(v.items())) for k, v in counts.items()}

    def hist_appointment(self, hist: int) -> int:
        """The appointment ordinal histappointment row ``hist`` is a copy of."""
        return 1 + (hist - 1) * self.sizes["appointment"] // self.sizes["histappointment"]

    def hist_rows_of_orphan_op(self) -> int:
        """History rows copied from an appointment whose Op is a deliberate orphan."""
        op = self.orphan["appointment.Op"]
        return sum(1 for hist in range(1, self.sizes["histappointment"] + 1) if self.hist_appointment(hist) in op)

    def manifest(self) -> dict[str, Any]:
        """The manifest of this plan (format in the module docstring)."""
        return {
            "patients": self.patients,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "upgrade_stamp": self.upgrade_stamp.isoformat(sep=" "),
            "rows": dict(self.sizes),
            "quirks": self.quirk_counts(),
        }


def expected_quirks(patients: int, seed: int = 42, as_of: date = date(2026, 11, 25)) -> dict[str, Any]:
    """The manifest of the demo source ``build_demo_source`` makes for these arguments, without a database.

    Args:
        patients: number of patients (as given to ``build_demo_source``).
        seed: the generator seed.
        as_of: the snapshot date (every generated stamp is before it).

    Returns:
        The manifest dict described in this module's docstring.
    """
    return QuirkPlan.make(patients, seed, as_of).manifest()
