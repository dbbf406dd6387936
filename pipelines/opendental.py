"""Copy OpenDental (MySQL/MariaDB) into PostgreSQL, incrementally, and prove the copy equals the source: the
command line of opendental_sync.cli (its --help lists the options), run from the project folder so that the
project's .dlt/ applies (the console script opendental-sync reads .dlt/ where it is run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# dlt reads .dlt/ from the working directory; make the project's .dlt/ apply wherever we are run from.
os.chdir(Path(__file__).resolve().parent.parent)

from opendental_sync.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
