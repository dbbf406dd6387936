"""Write Elementary's data-quality report: one HTML file a person opens in a browser, with no network.

    python scripts/elementary_report.py                     # -> reports/elementary_report.html
    python scripts/elementary_report.py --out /tmp/r.html --days-back 30

It runs Elementary's `edr report` on what the last `dbt build` stored in schema `elementary` (`dev_elementary` and
the like for DBT_TARGET=dev, as profile `elementary` says: test results, run results, model and test definitions:
counts and SQL, never sampled rows, since the dbt project sets `test_sample_row_count: 0`). edr runs a small dbt
project of its own; its packages go to `.edr/dbt_packages` (installed once, by the first report; reports started
meanwhile wait for it), its settings, compiled files and logs to `.edr/runs/<id of the output file>/`, so the
reports of several clinics written at once never share a folder. Nothing goes into site-packages, and edr neither
tracks usage nor checks for a newer version.
The database comes from the OPENDENTAL_PG_* variables, as for dbt (dbt_project/profiles.yml, profile
`elementary`).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = ROOT / "dbt_project"
WORK = ROOT / ".edr"
CONFIG = """\
# Written by scripts/elementary_report.py: no usage tracking, no version check over the network, and edr's own
# `dbt deps` only while its packages are not installed yet (it asks dbt Hub, DBT_PACKAGE_HUB_URL, each time).
anonymous_usage_tracking: false
disable_elementary_version_check: true
run_dbt_deps_if_needed: {deps}
"""
EDR_PACKAGES = ("elementary", "dbt_utils")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "elementary_report.html", help="the HTML file")
    p.add_argument(
        "--days-back",
        type=int,
        default=40,
        help="test results of this many days (default %(default)s: longer than the low group's monthly cycle, so "
        "every group's latest results are on the page)",
    )
    return p.parse_args(argv)


def run_folder(out: Path) -> Path:
    """The work folder of the report written to ``out``: one per output file (a clinic's, a group's)."""
    return WORK / "runs" / hashlib.sha256(str(out).encode()).hexdigest()[:12]


def packages_installed() -> bool:
    return all((WORK / "dbt_packages" / name / "dbt_project.yml").is_file() for name in EDR_PACKAGES)


@contextmanager
def first_install_lock() -> Iterator[bool]:
    """Yields whether edr's packages are installed. While they are not, holds .edr/install.lock until the body
    ends: of several reports started at once on a new install (clinics' DAGs), the first installs the packages and
    the others wait, then find them installed, instead of installing into the same folder at the same time."""
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = packages_installed()
        if installed:
            fcntl.flock(lock, fcntl.LOCK_UN)
        yield installed


def edr_environment(run: Path, installed: bool) -> dict[str, str]:
    """edr's settings: its internal dbt project's packages under .edr/ (installed by edr unless ``installed``),
    target and logs in ``run``, nothing sent out."""
    for folder in (WORK / "dbt_packages", run / "config", run / "target", run / "logs"):
        folder.mkdir(parents=True, exist_ok=True)
    (run / "config" / "config.yml").write_text(CONFIG.format(deps="false" if installed else "true"))
    env = dict(os.environ)
    env.update(
        DBT_PACKAGES_FOLDER=str(WORK / "dbt_packages"),
        EDR_INTERNAL_TARGET_PATH=str(run / "target"),
        DBT_LOG_PATH=str(run / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
    )
    return env


def main(argv: list[str] | None = None) -> int:
    """Run `edr report`; returns its exit status."""
    args = parse_args(argv)
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    edr = Path(sys.executable).with_name("edr")
    run = run_folder(out)
    command = [
        str(edr), "report",
        "--project-dir", str(DBT_PROJECT),
        "--profiles-dir", str(DBT_PROJECT),
        "--config-dir", str(run / "config"),
        "--target-path", str(run / "target"),
        "--file-path", str(out),
        "--days-back", str(args.days_back),
        "--open-browser", "false",
        "--disable-samples", "true",
        "--project-name", "opendental",
    ]  # fmt: skip
    with first_install_lock() as installed:
        done = subprocess.run(command, env=edr_environment(run, installed), cwd=run, check=False)
    if done.returncode == 0 and out.is_file():
        print(f"quality report: {out} ({out.stat().st_size / 1e6:.1f} MB); open it in a browser")
        return 0
    print(f"error: edr report exited {done.returncode}; see {run / 'logs'} and the lines above", file=sys.stderr)
    return done.returncode or 1


if __name__ == "__main__":
    sys.exit(main())
