"""The demo clinic's common CDT procedure codes, with their fees and how often they are charted."""

from __future__ import annotations

from dataclasses import dataclass


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
