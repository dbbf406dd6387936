"""Write both reports of a run into one folder: Elementary's (every dbt test, from what the last `dbt build`
stored) and the extract-load story (runs, proof, charts). Used by scripts/demo.sh and by the scheduled runs.

    python scripts/write_reports.py --dir reports
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import elementary_report  # noqa: E402
import quality_report  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Writes DIR/elementary_report.html and DIR/quality.html; returns non-zero when either failed."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", type=Path, default=Path("reports"), help="folder of the two pages (default reports/)")
    args = p.parse_args(argv)
    folder = args.dir.resolve()
    status = elementary_report.main(["--out", str(folder / "elementary_report.html")])
    return quality_report.main(["--out", str(folder / "quality.html")]) or status


if __name__ == "__main__":
    sys.exit(main())
