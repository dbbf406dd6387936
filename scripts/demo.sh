#!/usr/bin/env bash
# The main job end to end on a demo database:
#   1. build the demo OpenDental source in MariaDB if it is missing (DEMO_PATIENTS, default 2000);
#   2. copy it into PostgreSQL (python pipelines/opendental.py);
#   3. dbt deps, then dbt build (staging models and the data-quality tests, recorded by Elementary);
#   4. write the reports: Elementary's (reports/elementary_report.html) and the extract-load story
#      (reports/quality.html).
# Uses the local MariaDB and PostgreSQL unless SOURCES__OPENDENTAL__CREDENTIALS /
# DESTINATION__POSTGRES__CREDENTIALS (or .dlt/secrets.toml) point elsewhere.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
python scripts/check_services.py
python scripts/ensure_destination.py
if ! python scripts/make_demo_source.py --if-missing --patients "${DEMO_PATIENTS:-2000}"; then
  echo "error: could not build the demo source" >&2; exit 1
fi
status=0
python pipelines/opendental.py || status=$?
python scripts/dbt_deps.py && (cd dbt_project && dbt build --profiles-dir . ) || status=$?
python scripts/write_reports.py --dir reports || status=$?
echo "reports: $(pwd)/reports/elementary_report.html (dbt tests), $(pwd)/reports/quality.html (extract-load)"
exit $status
