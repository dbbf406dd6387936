"""How many rows each demo table gets for a given number of patients.

Sizes follow one real single-location clinic (35,135 patients, information_schema.TABLE_ROWS taken 2026-07 on
OpenDental 25.x): a table gets ``reference_rows * patients / 35135`` rows, rounded. Reference and configuration
tables keep the fixed sizes of that clinic whatever the scale.
"""

from __future__ import annotations

REFERENCE_PATIENTS = 35_135
MIN_PATIENTS = 20
MAX_PATIENTS = 1_000_000

# Rows of the real clinic per table (scaled with the number of patients).
REFERENCE_ROWS: dict[str, int] = {
    "appointment": 86_729,
    "procedurelog": 818_050,
    "payment": 309_884,
    "paysplit": 1_488_763,
    "claim": 31_260,
    "claimproc": 230_128,
    "claimpayment": 22_677,
    "adjustment": 262_946,
    "commlog": 910_804,
    "securitylog": 4_737_615,
    "deletedobject": 4_762,
    "insplan": 6_381,
    "inssub": 15_010,
    "patplan": 21_644,
    "carrier": 2_386,
    "benefit": 116_835,
    "schedule": 45_128,
    "feesched": 8_266,
    "fee": 80_845,
    "recall": 57_346,
    "referral": 1_201,
    "refattach": 8_674,
    "histappointment": 27_805,
}

# Reference/configuration tables: same size at every scale (clinic has 0 rows: clinics feature off).
FIXED_ROWS: dict[str, int] = {
    "provider": 59,
    "definition": 655,
    "procedurecode": 1_730,
    "clinic": 0,
    "operatory": 16,
    "userod": 86,
    "preference": 1_206,
}

TABLES: tuple[str, ...] = tuple(sorted([*REFERENCE_ROWS, *FIXED_ROWS, "patient"]))


def check_patients(patients: int) -> None:
    """Raise ValueError naming the bad value and the allowed range."""
    if not isinstance(patients, int) or isinstance(patients, bool):
        raise ValueError(f"patients={patients!r} is not an integer; pass a whole number such as 35000")
    if not MIN_PATIENTS <= patients <= MAX_PATIENTS:
        raise ValueError(
            f"patients={patients} is out of range; use {MIN_PATIENTS}..{MAX_PATIENTS} "
            f"(35000 is about the real clinic, 200 is a quick test database)"
        )


def scaled(reference_rows: int, patients: int) -> int:
    """``reference_rows * patients / 35135`` rounded half up, at least 1 for a non-empty reference table."""
    if reference_rows == 0:
        return 0
    rows = (2 * reference_rows * patients + REFERENCE_PATIENTS) // (2 * REFERENCE_PATIENTS)
    return max(1, rows)


def table_sizes(patients: int) -> dict[str, int]:
    """Rows per table of a demo source with ``patients`` patients (all 31 tables, sorted by name)."""
    check_patients(patients)
    sizes = {name: scaled(ref, patients) for name, ref in REFERENCE_ROWS.items()}
    sizes.update(FIXED_ROWS)
    sizes["patient"] = patients
    # Structural minimums: the standard fee schedule plus at least one insurance fee schedule.
    sizes["feesched"] = max(sizes["feesched"], 3)
    return dict(sorted(sizes.items()))
