"""Run the sync unattended: the schedule as a crontab or systemd timers, a group's whole run, maintenance.

    python pipelines/ops.py crontab                     # crontab lines for every clinic and job
    python pipelines/ops.py systemd --out DIR           # .service + .timer units for every clinic and job
    python pipelines/ops.py run --group high            # check, extract-load, dbt build, quality report
    python pipelines/ops.py maintain --job maintenance_weekly   # vacuum, reindex, cleanup
    python pipelines/ops.py maintain --step backup_check
    python pipelines/ops.py select --group medium       # the dbt selection of a group

Clinics and the schedule come from [orchestration] in .dlt/config.toml (or ORCHESTRATION__* variables);
--clinic picks one (default: the first configured). Exit status: 0 done, 1 a step failed, 2 bad settings.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import psycopg2

os.environ.setdefault("DLT_PROJECT_DIR", str(Path(__file__).resolve().parent.parent))

from opendental_ops import alerts as ops_alerts  # noqa: E402
from opendental_ops import crontab, maintenance, steps  # noqa: E402
from opendental_ops.settings import (  # noqa: E402
    Clinic,
    OpsConfigError,
    OpsSettings,
    clinic_by_name,
    clinics,
    load_ops_settings,
)
from opendental_sync.registry import GROUPS  # noqa: E402
from opendental_sync.safety import mask_urls  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("crontab", help="print the crontab")
    systemd = sub.add_parser("systemd", help="write systemd .service and .timer units")
    systemd.add_argument("--out", type=Path, required=True, help="folder to write the units to")
    run = sub.add_parser("run", help="one group's run: check, extract-load, dbt build, quality report")
    run.add_argument("--group", choices=[*GROUPS, "all"], required=True)
    maintain = sub.add_parser("maintain", help="maintenance steps")
    what = maintain.add_mutually_exclusive_group(required=True)
    what.add_argument("--job", choices=list(maintenance.JOB_STEPS))
    what.add_argument("--step", choices=list(maintenance.STEP_FUNCTIONS))
    select = sub.add_parser("select", help="print the dbt ls that finds a group's models")
    select.add_argument("--group", choices=[*GROUPS, "all"], required=True)
    for s in (run, maintain):
        s.add_argument("--clinic", help="clinic name from orchestration.clinics (default: the first)")
    return p.parse_args(argv)


def maintain(clinic: Clinic, job: str | None, step: str | None, settings: OpsSettings) -> int:
    """A maintenance job's steps, each whatever the one before found (as in the DAG); a failed step sends the
    critical alert Airflow's callback sends. Returns 1 when a step failed."""
    failed = []
    for name in maintenance.JOB_STEPS[job] if job else (step or "",):
        try:
            maintenance.STEP_FUNCTIONS[name](clinic, settings)
        except (steps.StepError, RuntimeError, psycopg2.Error) as e:
            print(f"error: {name}: {mask_urls(str(e))}", file=sys.stderr)
            ops_alerts.step_failed(
                f"{clinic.name}/{job or 'maintenance'}", name, e, "A maintenance run (ops.py maintain)"
            )
            failed.append(name)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_ops_settings()
        if args.command == "crontab":
            print(crontab.render(settings), end="")
        elif args.command == "systemd":
            args.out.mkdir(parents=True, exist_ok=True)
            for name, text in crontab.systemd_units(settings).items():
                (args.out / name).write_text(text)
            print(f"wrote {len(crontab.systemd_units(settings))} units to {args.out}")
        elif args.command == "select":
            print("dbt ls --resource-type model snapshot --select", " ".join(steps.dbt_selection(args.group)))
        else:
            clinic = clinic_by_name(settings, args.clinic) if args.clinic else clinics(settings)[0]
            if args.command == "run":
                try:
                    steps.run_group(clinic, args.group, settings)
                except steps.StepError as e:  # what Airflow's failure callback sends
                    ops_alerts.step_failed(f"{clinic.name}/{args.group}", e.step, e, "A run from cron (ops.py run)")
                    raise
            else:
                return maintain(clinic, args.job, args.step, settings)
    except OpsConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (steps.StepFailed, steps.PermanentFailure, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
