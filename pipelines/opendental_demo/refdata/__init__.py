"""Fixed reference content of the demo clinic: definitions, procedure codes, names, preferences.

All names are invented. Phone numbers use the fictional 555-01xx range, e-mail addresses example.com.
Text holds 1-3 byte UTF-8 only (accented Latin letters): OpenDental tables are utf8mb3, which cannot store
4-byte characters such as emoji.

    definitions.py   DefCat values, the clinic's definition rows, DefNum look-ups
    codes.py         the common CDT procedure codes (fee, weight, pattern)
    names.py         people's names, streets, cities, carriers, employer groups
    preferences.py   real OpenDental settings
"""

from __future__ import annotations

from .codes import COMMON_CODES, Code
from .definitions import (
    ADJ_TYPES,
    APPT_CONFIRMED,
    BILLING_TYPES,
    BLOCKOUT_TYPES,
    CARRIER_GROUP_NAMES,
    CLAIM_CUSTOM_TRACKING,
    CLAIM_PAYMENT_GROUPS,
    CLAIM_PAYMENT_TRACKING,
    COMMLOG_TYPES,
    DIAGNOSIS,
    INSURANCE_PAYMENT_TYPE,
    OPERATORY_TYPES,
    PAYMENT_TYPES,
    PAYSPLIT_UNEARNED,
    PROC_CODE_CATS,
    PROGNOSIS,
    PROVIDER_SPECIALTIES,
    RECALL_UNSCHED_STATUS,
    TX_PRIORITIES,
    def_num,
    def_nums,
    definitions,
)
from .names import CARRIER_NAMES, CITIES, EMPLOYER_GROUPS, FIRST_NAMES, LAST_NAMES, STREETS
from .preferences import PREFERENCES

__all__ = [
    "ADJ_TYPES",
    "APPT_CONFIRMED",
    "BILLING_TYPES",
    "BLOCKOUT_TYPES",
    "CARRIER_GROUP_NAMES",
    "CARRIER_NAMES",
    "CITIES",
    "CLAIM_CUSTOM_TRACKING",
    "CLAIM_PAYMENT_GROUPS",
    "CLAIM_PAYMENT_TRACKING",
    "COMMLOG_TYPES",
    "COMMON_CODES",
    "DIAGNOSIS",
    "EMPLOYER_GROUPS",
    "FIRST_NAMES",
    "INSURANCE_PAYMENT_TYPE",
    "LAST_NAMES",
    "OPERATORY_TYPES",
    "PAYMENT_TYPES",
    "PAYSPLIT_UNEARNED",
    "PREFERENCES",
    "PROC_CODE_CATS",
    "PROGNOSIS",
    "PROVIDER_SPECIALTIES",
    "RECALL_UNSCHED_STATUS",
    "STREETS",
    "TX_PRIORITIES",
    "Code",
    "def_num",
    "def_nums",
    "definitions",
]
