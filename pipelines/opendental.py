"""Copy OpenDental (MySQL/MariaDB) into PostgreSQL, incrementally, and prove the copy equals the source.

    python pipelines/opendental.py                      # every table
    python pipelines/opendental.py --group high         # appointments, procedures, payments, claims, ...
    python pipelines/opendental.py --tables patient,fee --full-refresh
    python pipelines/opendental.py --dry-run            # print the plan and exit
    python pipelines/opendental.py --alert-test --severity critical   # test the alert channels of a level
    python pipelines/opendental.py --audit              # compare every column of every row (monthly)

Credentials: SOURCES__OPENDENTAL__CREDENTIALS (mysql+pymysql://...) and DESTINATION__POSTGRES__CREDENTIALS
(postgresql://...), or .dlt/secrets.toml; the defaults are the local demo databases.
Exit status: 0 when every table loaded and reconciled, 1 when some table failed or mismatched or the run
could not hold its lock on the copy (another run), 2 on a configuration or connection problem.
Alerts (critical, warning, info) go to the Apprise URLs of [alerts] in .dlt/secrets.toml or ALERTS__CRITICAL etc.;
--alert-test exits 1 naming each channel that failed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# dlt reads .dlt/ from the working directory; make the project's .dlt/ apply wherever we are run from.
os.chdir(Path(__file__).resolve().parent.parent)

from opendental_sync.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
