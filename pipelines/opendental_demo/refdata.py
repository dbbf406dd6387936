"""Fixed reference content of the demo clinic: definitions, procedure codes, providers, names, preferences.

All names are invented. Phone numbers use the fictional 555-01xx range, e-mail addresses example.com.
Text holds 1-3 byte UTF-8 only (accented Latin letters): OpenDental tables are utf8mb3, which cannot store
4-byte characters such as emoji.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Code:
    """A CDT procedure code of the demo clinic."""

    code: str
    descript: str
    abbr: str
    pattern: str  # ProcTime: one char per 5 minutes, X doctor, / assistant
    category: str  # ProcCodeCats item name
    treat_area: int  # 1 surf, 2 tooth, 3 mouth, 4 quad
    fee: float
    weight: int  # relative frequency in procedurelog
    hygiene: int = 0
    paint: int = 0


COMMON_CODES: tuple[Code, ...] = (
    Code("D0120", "periodic oral evaluation - established patient", "PerEx", "/X/", "Exams & Xrays", 3, 65, 120, 1),
    Code("D0140", "limited oral evaluation - problem focused", "LimEx", "/X/", "Exams & Xrays", 3, 85, 25),
    Code(
        "D0150",
        "comprehensive oral evaluation - new or established patient",
        "CompEx",
        "/XX/",
        "Exams & Xrays",
        3,
        110,
        22,
    ),
    Code("D0180", "comprehensive periodontal evaluation", "PerioEx", "/XX/", "Exams & Xrays", 3, 120, 6),
    Code(
        "D0210", "intraoral - comprehensive series of radiographic images", "FMX", "//", "Exams & Xrays", 3, 150, 14, 1
    ),
    Code("D0220", "intraoral - periapical first radiographic image", "PA", "/", "Exams & Xrays", 2, 35, 40),
    Code("D0230", "intraoral - periapical each additional radiographic image", "PA+", "/", "Exams & Xrays", 2, 30, 20),
    Code("D0272", "bitewings - two radiographic images", "2BW", "/", "Exams & Xrays", 3, 55, 12, 1),
    Code("D0274", "bitewings - four radiographic images", "4BW", "/", "Exams & Xrays", 3, 75, 45, 1),
    Code("D0330", "panoramic radiographic image", "Pano", "//", "Exams & Xrays", 3, 130, 15),
    Code("D1110", "prophylaxis - adult", "Pro", "/XXXX/", "Cleanings", 3, 120, 95, 1),
    Code("D1120", "prophylaxis - child", "ChPro", "/XXX/", "Cleanings", 3, 85, 25, 1),
    Code("D1206", "topical application of fluoride varnish", "FlVarn", "/", "Cleanings", 3, 45, 50, 1),
    Code("D1208", "topical application of fluoride - excluding varnish", "Flo", "/", "Cleanings", 3, 40, 10, 1),
    Code("D1351", "sealant - per tooth", "Seal", "/X/", "Cleanings", 2, 55, 12, 1, 13),
    Code("D1354", "application of caries arresting medicament - per tooth", "SDF", "/", "Cleanings", 2, 40, 3),
    Code("D2140", "amalgam - one surface, primary or permanent", "A1", "/XX/", "Fillings", 1, 150, 4, 0, 5),
    Code("D2150", "amalgam - two surfaces, primary or permanent", "A2", "/XX/", "Fillings", 1, 190, 4, 0, 5),
    Code("D2330", "resin-based composite - one surface, anterior", "C1", "/XX/", "Fillings", 1, 165, 12, 0, 6),
    Code("D2331", "resin-based composite - two surfaces, anterior", "C2", "/XX/", "Fillings", 1, 205, 8, 0, 6),
    Code("D2332", "resin-based composite - three surfaces, anterior", "C3", "/XXX/", "Fillings", 1, 245, 4, 0, 6),
    Code("D2391", "resin-based composite - one surface, posterior", "PC1", "/XX/", "Fillings", 1, 185, 28, 0, 6),
    Code("D2392", "resin-based composite - two surfaces, posterior", "PC2", "/XXX/", "Fillings", 1, 235, 24, 0, 6),
    Code("D2393", "resin-based composite - three surfaces, posterior", "PC3", "/XXX/", "Fillings", 1, 285, 10, 0, 6),
    Code(
        "D2394",
        "resin-based composite - four or more surfaces, posterior",
        "PC4",
        "/XXXX/",
        "Fillings",
        1,
        325,
        3,
        0,
        6,
    ),
    Code("D2740", "crown - porcelain/ceramic", "CrnPorc", "/XXXXXX/", "Crown & Bridge", 2, 1350, 14, 0, 8),
    Code("D2750", "crown - porcelain fused to high noble metal", "PFM", "/XXXXXX/", "Crown & Bridge", 2, 1250, 4, 0, 8),
    Code("D2950", "core buildup, including any pins when required", "BU", "/XX/", "Crown & Bridge", 2, 300, 10),
    Code(
        "D2954", "prefabricated post and core in addition to crown", "Post", "/XX/", "Crown & Bridge", 2, 350, 2, 0, 4
    ),
    Code("D3220", "therapeutic pulpotomy", "Pulpot", "/XX/", "Endo", 2, 220, 2),
    Code("D3310", "endodontic therapy, anterior tooth", "RCTAnt", "/XXXXXX/", "Endo", 2, 850, 2, 0, 3),
    Code("D3320", "endodontic therapy, premolar tooth", "RCTPre", "/XXXXXXX/", "Endo", 2, 1000, 2, 0, 3),
    Code("D3330", "endodontic therapy, molar tooth", "RCTMol", "/XXXXXXXX/", "Endo", 2, 1250, 3, 0, 3),
    Code(
        "D4341",
        "periodontal scaling and root planing - four or more teeth per quadrant",
        "SRP4",
        "/XXXXXX/",
        "Perio",
        4,
        275,
        8,
        1,
    ),
    Code(
        "D4342",
        "periodontal scaling and root planing - one to three teeth per quadrant",
        "SRP1-3",
        "/XXXX/",
        "Perio",
        4,
        180,
        4,
        1,
    ),
    Code(
        "D4346",
        "scaling in presence of generalized moderate or severe gingival inflammation",
        "GingScl",
        "/XXXX/",
        "Perio",
        3,
        150,
        4,
        1,
    ),
    Code("D4355", "full mouth debridement", "FMD", "/XXXX/", "Perio", 3, 165, 2, 1),
    Code("D4910", "periodontal maintenance", "PerioMaint", "/XXXXX/", "Perio", 3, 160, 22, 1),
    Code("D5110", "complete denture - maxillary", "FUD", "/XXXX/", "Dentures", 3, 1900, 1, 0, 11),
    Code("D5120", "complete denture - mandibular", "FLD", "/XXXX/", "Dentures", 3, 1900, 1, 0, 11),
    Code(
        "D5213", "maxillary partial denture - cast metal framework", "MaxPart", "/XXXX/", "Dentures", 3, 2100, 1, 0, 11
    ),
    Code(
        "D6010",
        "surgical placement of implant body: endosteal implant",
        "Impl",
        "/XXXXXXXX/",
        "Implants",
        2,
        2400,
        2,
        0,
        2,
    ),
    Code("D6058", "abutment supported porcelain/ceramic crown", "ImpCrn", "/XXXXXX/", "Implants", 2, 1600, 1),
    Code("D7140", "extraction, erupted tooth or exposed root", "Ext", "/XX/", "Oral Surgery", 2, 200, 10, 0, 1),
    Code(
        "D7210",
        "extraction, erupted tooth requiring removal of bone and/or sectioning of tooth",
        "SurgExt",
        "/XXX/",
        "Oral Surgery",
        2,
        320,
        4,
        0,
        1,
    ),
    Code("D7240", "removal of impacted tooth - completely bony", "ImpExt", "/XXXX/", "Oral Surgery", 2, 550, 1, 0, 1),
    Code(
        "D7953", "bone replacement graft for ridge preservation - per site", "Graft", "/XX/", "Oral Surgery", 2, 450, 1
    ),
    Code(
        "D8080",
        "comprehensive orthodontic treatment of the adolescent dentition",
        "CompOrtho",
        "/XX/",
        "Ortho",
        3,
        5800,
        1,
    ),
    Code(
        "D8090", "comprehensive orthodontic treatment of the adult dentition", "AdultOrtho", "/XX/", "Ortho", 3, 6200, 1
    ),
    Code("D9110", "palliative treatment of dental pain - per visit", "Palliative", "/X/", "Misc", 3, 120, 5),
    Code("D9215", "local anesthesia in conjunction with operative or surgical procedures", "LA", "/", "Misc", 3, 45, 4),
    Code("D9230", "inhalation of nitrous oxide/analgesia, anxiolysis", "N2O", "/", "Misc", 3, 70, 3),
    Code(
        "D9310",
        "consultation - diagnostic service provided by dentist other than requesting dentist",
        "Consult",
        "/XX/",
        "Misc",
        3,
        150,
        2,
    ),
    Code("D9944", "occlusal guard - hard appliance, full arch", "NightGrd", "/XX/", "Misc", 3, 550, 3),
    Code("D9986", "missed appointment", "Missed", "/", "No Fee", 3, 0, 2),
)

FIRST_NAMES: tuple[str, ...] = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "José",
    "Zoë",
    "Renée",
    "André",
    "Inés",
    "Chloé",
    "Noël",
    "María",
    "Jürgen",
    "Siobhán",
    "Ava",
    "Liam",
    "Mia",
    "Noah",
    "Olivia",
    "Ethan",
    "Sofia",
    "Lucas",
    "Harper",
    "Mason",
    "Aiden",
    "Camila",
    "Mateo",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Muñoz",
    "Peña",
    "Núñez",
    "Côté",
    "Gómez",
    "O'Brien",
    "Smith-Jones",
    "Van der Berg",
    "D'Angelo",
    "Björk",
    "Schröder",
    "Lefèvre",
    "Castañeda",
    "Ibáñez",
    "MacDonald",
    "Nakamura",
    "Kowalski",
    "Okafor",
    "Haddad",
)

STREETS: tuple[str, ...] = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Lake Rd",
    "Hillcrest Dr",
    "Sunset Blvd",
    "River Rd",
    "Park Ave",
    "Birch Way",
    "Willow Ct",
    "Meadow Ln",
    "Chestnut St",
    "Spruce Ct",
    "Highland Ave",
    "Forest Dr",
    "Valley View Rd",
)

CITIES: tuple[tuple[str, str, str], ...] = (
    ("Springfield", "OR", "97477"),
    ("Eugene", "OR", "97401"),
    ("Salem", "OR", "97301"),
    ("Albany", "OR", "97321"),
    ("Corvallis", "OR", "97330"),
    ("Lebanon", "OR", "97355"),
    ("Junction City", "OR", "97448"),
    ("Cottage Grove", "OR", "97424"),
    ("Creswell", "OR", "97426"),
    ("Veneta", "OR", "97487"),
    ("Vancouver", "WA", "98660"),
)

CARRIER_NAMES: tuple[str, ...] = (
    "Delta Dental",
    "MetLife",
    "Cigna Dental",
    "Aetna Dental",
    "Guardian",
    "United Concordia",
    "Humana Dental",
    "Blue Cross Blue Shield",
    "Principal Financial",
    "Ameritas",
    "Sun Life",
    "Lincoln Financial",
    "UnitedHealthcare Dental",
    "Moda Health",
    "Regence",
    "Careington",
    "GEHA",
    "Dental Select",
    "Renaissance Dental",
    "Physicians Mutual",
)

EMPLOYER_GROUPS: tuple[str, ...] = (
    "School District",
    "County Employees",
    "State of Oregon PEBB",
    "Hospital Staff",
    "Lumber Co",
    "University Staff",
    "City Employees",
    "Tech Corp",
    "Grocery Union",
    "Teamsters Local",
)

PREFERENCES: tuple[tuple[str, str], ...] = (
    ("DataBaseVersion", "24.3.36.0"),
    ("ProgramVersion", "24.3.36.0"),
    ("PracticeTitle", "Demo Family Dental"),
    ("PracticeAddress", "100 Main St"),
    ("PracticeAddress2", "Suite 200"),
    ("PracticeCity", "Springfield"),
    ("PracticeST", "OR"),
    ("PracticeZip", "97477"),
    ("PracticePhone", "5415550100"),
    ("PracticeFax", "5415550101"),
    ("PracticeDefaultProv", "1"),
    ("PracticeDefaultBillType", "26"),
    ("RandomPrimaryKeys", "0"),
    ("EasyNoClinics", "1"),
    ("ShowFeatureEhr", "0"),
    ("ShowFeatureMedicalInsurance", "0"),
    ("DefaultProcedurePlaceService", "0"),
    ("MySqlVersion", "10.11"),
    ("UpdateStreamLinePassword", ""),
    ("AgingCalculatedMonthlyInsteadOfDaily", "0"),
    ("SecurityLogOffAfterMinutes", "0"),
    ("PasswordsMustBeStrong", "1"),
    ("RecallDaysPast", "1095"),
    ("RecallDaysFuture", "30"),
    ("ApptSecondaryProviderConsiderOpOnly", "0"),
    ("BrokenApptAdjustment", "1"),
    ("TimeCardsMakesAdjustments", "0"),
    ("InsDefaultCobRule", "1"),
    ("ClaimsValidateACN", "0"),
    ("StatementShowCreditCard", "0"),
    ("BillingDefaultsLastDays", "45"),
    ("FinanceChargeAPR", "18"),
    ("DatabaseMode", "0"),
    ("WebSchedService", "1"),
    ("ApptConfirmAutoEnabled", "1"),
    ("ApptRemindAutoEnabled", "1"),
    ("EClipboardUseDefaults", "1"),
    ("TreatPlanDiscountPercent", "0"),
    ("RxSendNewToQueue", "0"),
)
