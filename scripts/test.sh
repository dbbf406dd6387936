#!/usr/bin/env bash
# Runs every check and test: lint (ruff, mypy, sqlfluff), then pytest against the local MariaDB and
# PostgreSQL (tests create and drop their own databases), which includes `dbt build` on a loaded demo.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
python scripts/check_services.py
# dbt packages (dbt_utils, dbt-expectations, Elementary) from dbt Hub, as pinned by dbt_project/package-lock.yml.
python scripts/dbt_deps.py
ruff check .
ruff format --check pipelines scripts tests
mypy
# The dbt templater of sqlfluff connects to the profile's database: make sure it exists on a fresh machine.
python scripts/ensure_destination.py
sqlfluff lint dbt_project/models dbt_project/tests/staging
# Two workers, each given a whole test file at a time (a file's shared fixtures are built once): most of the
# suite's time is subprocesses and servers, so it ends in about 60% of one worker's time. The slowest tests are
# listed at the end: where to look first when the suite nears its 20 minutes.
python -m pytest -n 2 --dist loadfile -m "not serial" --durations=25 "$@"
# Then, alone (-n 0 whatever -n the arguments give), the few tests that change a server the others share (a
# PostgreSQL restart, a MariaDB global); exit status 5 is pytest's "none selected", when the arguments chose none.
python -m pytest -m serial "$@" -n 0 || [ $? -eq 5 ]
