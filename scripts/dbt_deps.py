"""Install the dbt packages that dbt_project/package-lock.yml pins (dbt_utils, dbt-expectations, Elementary, dbt_date),
unless this lock file's packages are already installed.

    python scripts/dbt_deps.py

`dbt deps` always asks dbt Hub, even when nothing changed (and empties dbt_packages/ first); skipping it when
the packages of this lock file are installed lets a machine that installed them once run the demo and the tests
without network. A machine that cannot reach dbt Hub installs them through a mirror: dbt reads its address from
DBT_PACKAGE_HUB_URL.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
STAMP = ".installed-from-lock"  # in dbt_packages/: the sha256 of the package-lock.yml installed


def lock_digest(project: Path = DBT_PROJECT) -> str:
    """What identifies the wanted packages: packages.yml and package-lock.yml together."""
    text = "".join((project / name).read_text() for name in ("packages.yml", "package-lock.yml"))
    return hashlib.sha256(text.encode()).hexdigest()


def is_installed(project: Path = DBT_PROJECT) -> bool:
    stamp = project / "dbt_packages" / STAMP
    return stamp.is_file() and stamp.read_text().strip() == lock_digest(project)


def main() -> int:
    """Runs `dbt deps` when needed; returns 0, or 2 with the fix when dbt Hub could not be reached."""
    if is_installed():
        print("dbt packages: those of package-lock.yml are installed")
        return 0
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "deps", "--profiles-dir", ".", "--quiet"], cwd=DBT_PROJECT, capture_output=True, text=True
    )
    if done.returncode != 0:
        hub = os.environ.get("DBT_PACKAGE_HUB_URL", "https://hub.getdbt.com/")
        last = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["(no output)"]
        print(
            f"error: dbt deps could not install the packages from dbt Hub ({hub}): {last[0][:300]}\n"
            "On a machine without access to dbt Hub, set DBT_PACKAGE_HUB_URL to a dbt Hub mirror that serves "
            "these packages and run this again.",
            file=sys.stderr,
        )
        return 2
    (DBT_PROJECT / "dbt_packages" / STAMP).write_text(lock_digest() + "\n")
    print("dbt packages: installed from package-lock.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
