#!/usr/bin/env bash
# The main job end to end on a demo database:
#   1. build the demo OpenDental source in MariaDB if it is missing (DEMO_PATIENTS, default 2000);
#   2. copy it into PostgreSQL (python pipelines/opendental.py);
#   3. dbt build (staging models and the data-quality tests);
#   4. write the quality report (reports/quality.html).
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
(cd dbt_project && dbt build --profiles-dir . ) || status=$?
python scripts/quality_report.py --out reports/quality.html || status=$?
echo "quality report: $(pwd)/reports/quality.html"
exit $status
