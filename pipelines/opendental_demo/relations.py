"""The references between the 31 demo tables (OpenDental has no FOREIGN KEY constraints; 0 means "none").

Each relation is ``table.column -> parent.key`` (optionally restricted to one definition category). The demo
source satisfies every relation except for the deliberate orphans counted in the manifest
(``quirks["orphan"]``, keyed by ``table.column``). Polymorphic columns (securitylog.FKey,
deletedobject.ObjectNum) and references to tables outside the 31 (employer, site, statement, ...) are not
listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import refdata


@dataclass(frozen=True)
class Relation:
    """``table.column`` refers to ``parent.key`` (a definition of ``category`` when given)."""

    table: str
    column: str
    parent: str
    key: str
    category: int | None = None

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"

    def orphan_sql(self) -> str:
        """COUNT of rows whose non-zero reference has no parent row."""
        category = f" AND p.Category = {self.category}" if self.category is not None else ""
        return (
            f"SELECT COUNT(*) FROM `{self.table}` c WHERE c.`{self.column}` <> 0 AND NOT EXISTS "
            f"(SELECT 1 FROM `{self.parent}` p WHERE p.`{self.key}` = c.`{self.column}`{category})"
        )


def _to(table: str, parent: str, key: str, *columns: str, category: int | None = None) -> list[Relation]:
    return [Relation(table, c, parent, key, category) for c in columns]


def _pat(table: str, *columns: str) -> list[Relation]:
    return _to(table, "patient", "PatNum", *columns)


def _prov(table: str, *columns: str) -> list[Relation]:
    return _to(table, "provider", "ProvNum", *columns)


def _user(table: str, *columns: str) -> list[Relation]:
    return _to(table, "userod", "UserNum", *columns)


def _def(table: str, column: str, category: int | None = None) -> list[Relation]:
    return _to(table, "definition", "DefNum", column, category=category)


RELATIONS: tuple[Relation, ...] = tuple(
    [
        *_pat("appointment", "PatNum"),
        *_prov("appointment", "ProvNum", "ProvHyg"),
        *_def("appointment", "Confirmed", refdata.APPT_CONFIRMED),
        *_def("appointment", "UnschedStatus", refdata.RECALL_UNSCHED_STATUS),
        *_to("appointment", "operatory", "OperatoryNum", "Op"),
        *_to("appointment", "appointment", "AptNum", "NextAptNum"),
        *_to("appointment", "insplan", "PlanNum", "InsPlan1", "InsPlan2"),
        *_to("appointment", "clinic", "ClinicNum", "ClinicNum"),
        *_user("appointment", "SecUserNumEntry"),
        *_pat("procedurelog", "PatNum"),
        *_prov("procedurelog", "ProvNum", "ProvOrderOverride"),
        *_to("procedurelog", "appointment", "AptNum", "AptNum", "PlannedAptNum"),
        *_to("procedurelog", "procedurecode", "CodeNum", "CodeNum"),
        *_to("procedurelog", "procedurelog", "ProcNum", "ProcNumLab"),
        *_def("procedurelog", "Priority", refdata.TX_PRIORITIES),
        *_def("procedurelog", "Dx", refdata.DIAGNOSIS),
        *_def("procedurelog", "Prognosis", refdata.PROGNOSIS),
        *_def("procedurelog", "BillingTypeOne"),
        *_def("procedurelog", "BillingTypeTwo"),
        *_to("procedurelog", "referral", "ReferralNum", "OrderingReferralNum"),
        *_to("procedurelog", "clinic", "ClinicNum", "ClinicNum"),
        *_user("procedurelog", "SecUserNumEntry"),
        *_pat("payment", "PatNum"),
        *_def("payment", "PayType", refdata.PAYMENT_TYPES),
        *_to("payment", "clinic", "ClinicNum", "ClinicNum"),
        *_user("payment", "SecUserNumEntry"),
        *_pat("paysplit", "PatNum"),
        *_prov("paysplit", "ProvNum"),
        *_to("paysplit", "payment", "PayNum", "PayNum"),
        *_to("paysplit", "procedurelog", "ProcNum", "ProcNum"),
        *_to("paysplit", "paysplit", "SplitNum", "FSplitNum"),
        *_to("paysplit", "adjustment", "AdjNum", "AdjNum"),
        *_def("paysplit", "UnearnedType", refdata.PAYSPLIT_UNEARNED),
        *_to("paysplit", "clinic", "ClinicNum", "ClinicNum"),
        *_user("paysplit", "SecUserNumEntry"),
        *_pat("claim", "PatNum"),
        *_prov("claim", "ProvTreat", "ProvBill", "ProvOrderOverride"),
        *_to("claim", "insplan", "PlanNum", "PlanNum", "PlanNum2"),
        *_to("claim", "inssub", "InsSubNum", "InsSubNum", "InsSubNum2"),
        *_to("claim", "referral", "ReferralNum", "ReferringProv", "OrderingReferralNum"),
        *_def("claim", "CustomTracking", refdata.CLAIM_CUSTOM_TRACKING),
        *_to("claim", "clinic", "ClinicNum", "ClinicNum"),
        *_user("claim", "SecUserNumEntry"),
        *_pat("claimproc", "PatNum"),
        *_prov("claimproc", "ProvNum"),
        *_to("claimproc", "procedurelog", "ProcNum", "ProcNum"),
        *_to("claimproc", "claim", "ClaimNum", "ClaimNum"),
        *_to("claimproc", "claimpayment", "ClaimPaymentNum", "ClaimPaymentNum"),
        *_to("claimproc", "insplan", "PlanNum", "PlanNum"),
        *_to("claimproc", "inssub", "InsSubNum", "InsSubNum"),
        *_def("claimproc", "ClaimPaymentTracking", refdata.CLAIM_PAYMENT_TRACKING),
        *_to("claimproc", "clinic", "ClinicNum", "ClinicNum"),
        *_user("claimproc", "SecUserNumEntry"),
        *_def("claimpayment", "PayType", refdata.INSURANCE_PAYMENT_TYPE),
        *_def("claimpayment", "PayGroup", refdata.CLAIM_PAYMENT_GROUPS),
        *_to("claimpayment", "clinic", "ClinicNum", "ClinicNum"),
        *_user("claimpayment", "SecUserNumEntry"),
        *_pat("adjustment", "PatNum"),
        *_prov("adjustment", "ProvNum"),
        *_def("adjustment", "AdjType", refdata.ADJ_TYPES),
        *_to("adjustment", "procedurelog", "ProcNum", "ProcNum"),
        *_to("adjustment", "clinic", "ClinicNum", "ClinicNum"),
        *_user("adjustment", "SecUserNumEntry"),
        *_pat("commlog", "PatNum"),
        *_def("commlog", "CommType", refdata.COMMLOG_TYPES),
        *_user("commlog", "UserNum"),
        *_to("commlog", "referral", "ReferralNum", "ReferralNum"),
        *_pat("securitylog", "PatNum"),
        *_user("securitylog", "UserNum"),
        *_pat("patient", "Guarantor", "ResponsParty", "SuperFamily", "PatNumCloneFrom"),
        *_prov("patient", "PriProv", "SecProv"),
        *_to("patient", "feesched", "FeeSchedNum", "FeeSched"),
        *_def("patient", "BillingType", refdata.BILLING_TYPES),
        *_to("patient", "clinic", "ClinicNum", "ClinicNum"),
        *_user("patient", "SecUserNumEntry"),
        *_to("insplan", "feesched", "FeeSchedNum", "FeeSched", "CopayFeeSched", "AllowedFeeSched", "ManualFeeSchedNum"),
        *_to("insplan", "carrier", "CarrierNum", "CarrierNum"),
        *_to("insplan", "procedurecode", "CodeNum", "OrthoAutoProcCodeNumOverride"),
        *_def("insplan", "BillingType", refdata.BILLING_TYPES),
        *_user("insplan", "SecUserNumEntry"),
        *_to("inssub", "insplan", "PlanNum", "PlanNum"),
        *_pat("inssub", "Subscriber"),
        *_user("inssub", "SecUserNumEntry"),
        *_pat("patplan", "PatNum"),
        *_to("patplan", "inssub", "InsSubNum", "InsSubNum"),
        *_user("carrier", "SecUserNumEntry"),
        *_def("carrier", "CarrierGroupName", refdata.CARRIER_GROUP_NAMES),
        *_to("benefit", "insplan", "PlanNum", "PlanNum"),
        *_to("benefit", "patplan", "PatPlanNum", "PatPlanNum"),
        *_to("benefit", "procedurecode", "CodeNum", "CodeNum"),
        *_prov("schedule", "ProvNum"),
        *_def("schedule", "BlockoutType", refdata.BLOCKOUT_TYPES),
        *_to("schedule", "clinic", "ClinicNum", "ClinicNum"),
        *_to("provider", "feesched", "FeeSchedNum", "FeeSched"),
        *_def("provider", "Specialty", refdata.PROVIDER_SPECIALTIES),
        *_prov("provider", "ProvNumBillingOverride"),
        *_user("feesched", "SecUserNumEntry"),
        *_to("fee", "feesched", "FeeSchedNum", "FeeSched"),
        *_to("fee", "procedurecode", "CodeNum", "CodeNum"),
        *_prov("fee", "ProvNum"),
        *_to("fee", "clinic", "ClinicNum", "ClinicNum"),
        *_user("fee", "SecUserNumEntry"),
        *_def("procedurecode", "ProcCat", refdata.PROC_CODE_CATS),
        *_prov("procedurecode", "ProvNumDefault"),
        *_prov("operatory", "ProvDentist", "ProvHygienist"),
        *_to("operatory", "clinic", "ClinicNum", "ClinicNum"),
        *_def("operatory", "OperatoryType", refdata.OPERATORY_TYPES),
        *_prov("userod", "ProvNum"),
        *_to("userod", "clinic", "ClinicNum", "ClinicNum"),
        *_user("userod", "UserNumCEMT"),
        *_pat("recall", "PatNum"),
        *_def("recall", "RecallStatus", refdata.RECALL_UNSCHED_STATUS),
        *_def("referral", "Specialty", refdata.PROVIDER_SPECIALTIES),
        *_pat("referral", "PatNum"),
        *_to("refattach", "referral", "ReferralNum", "ReferralNum"),
        *_pat("refattach", "PatNum"),
        *_to("refattach", "procedurelog", "ProcNum", "ProcNum"),
        *_prov("refattach", "ProvNum"),
        *_user("histappointment", "HistUserNum", "SecUserNumEntry"),
        *_to("histappointment", "appointment", "AptNum", "AptNum", "NextAptNum"),
        *_pat("histappointment", "PatNum"),
        *_prov("histappointment", "ProvNum", "ProvHyg"),
        *_def("histappointment", "Confirmed", refdata.APPT_CONFIRMED),
        *_def("histappointment", "UnschedStatus", refdata.RECALL_UNSCHED_STATUS),
        *_to("histappointment", "operatory", "OperatoryNum", "Op"),
        *_to("histappointment", "insplan", "PlanNum", "InsPlan1", "InsPlan2"),
        *_to("histappointment", "clinic", "ClinicNum", "ClinicNum"),
    ]
)
