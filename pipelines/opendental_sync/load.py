"""Loading what the plans read: each table's rows are read into local Parquet files (staging.py) and handed
to dlt in groups, the loading of one group overlapping the reading of the next."""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from opendental_sync.bounded import RowsPerQuery
from opendental_sync.config import SyncSettings
from opendental_sync.destination import CopyDatabase, session_url
from opendental_sync.memory import releasing_free_memory
from opendental_sync.names import raw_name
from opendental_sync.plan_kinds import FirstLoad, TablePlan
from opendental_sync.progress import ReadProgress
from opendental_sync.prove import loaded_fingerprint
from opendental_sync.read import ReadLimits, SelectedRows, dlt_columns, read_rows
from opendental_sync.run_lock import RunLockLost
from opendental_sync.safety import describe_error, private_dir, remove_tree, safe_dirname
from opendental_sync.source import SourceDatabase
from opendental_sync.staging import StagedFiles, remove_row_files, write_parquet

log = logging.getLogger(__name__)
PIPELINE_NAME = "opendental"
FILE_ROWS = 200_000  # rows per staged Parquet file: a load job holds one file in memory
FILE_BATCHES = 4  # a staged file holds at most this many max_batch_bytes (a load job reads one whole file)
GROUP_ROWS = 500_000  # rows read before a group of tables is handed to dlt to load
# Fault injection for the tests that kill a run at a given step (extract, normalize, load, finish).
CRASH_AT_ENV = "OPENDENTAL_SYNC_CRASH_AT"

Group = list[tuple[TablePlan, StagedFiles]]


def crash_point(step: str) -> None:
    if os.environ.get(CRASH_AT_ENV) == step:
        log.warning("killing this process at step %r (%s is set)", step, CRASH_AT_ENV)
        os.kill(os.getpid(), signal.SIGKILL)


def _crash_after_first(batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    for i, batch in enumerate(batches):
        yield batch
        if i == 0:
            crash_point("extract")


@dataclass
class LoadOutcome:
    """dlt's load-job retries per raw table, the tables whose read or load failed, and where time went."""

    retries: Counter[str] = field(default_factory=Counter)
    failures: dict[str, BaseException] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=lambda: {"read": 0.0, "import": 0.0, "load": 0.0})
    lock_lost: RunLockLost | None = None  # another run took the lock while a group loaded: stop reading too


class Loader:
    """Reads and loads the rows of a run's plans. Only its loader thread touches the dlt pipeline."""

    def __init__(
        self,
        source: SourceDatabase,
        copy: CopyDatabase,
        settings: SyncSettings,
        rows_per_query: RowsPerQuery,
        hold_lock: Callable[[], None],
        pipelines_dir: Path | None = None,
    ):
        self.source, self.copy, self.settings = source, copy, settings
        self.rows_per_query, self.hold_lock, self.pipelines_dir = rows_per_query, hold_lock, pipelines_dir

    def pipeline(self) -> dlt.Pipeline:
        kwargs: dict[str, Any] = {}
        if self.pipelines_dir:
            kwargs["pipelines_dir"] = str(self.pipelines_dir)
        if log.isEnabledFor(logging.DEBUG):
            kwargs["progress"] = "log"
        return dlt.pipeline(
            pipeline_name=PIPELINE_NAME,
            destination=dlt.destinations.postgres(credentials=postgres_credentials(self.copy.url)),
            dataset_name=self.settings.dataset,
            **kwargs,
        )

    def stage_root(self, pipeline: dlt.Pipeline) -> Path:
        """The folder of this dataset's staged row files, readable by this user only."""
        return private_dir(Path(pipeline.pipelines_dir) / f"{PIPELINE_NAME}_stage" / self.settings.dataset)

    def clean_stage(self) -> None:
        """Remove row files a killed run left behind (called with the run lock held)."""
        root = self.stage_root(self.pipeline())
        for child in root.iterdir():
            if child.is_dir():
                remove_tree(child, root)
            else:
                child.unlink()

    def load(self, plans: list[TablePlan], synced_at: datetime) -> LoadOutcome:
        """Read the rows of every plan into local Parquet files and load them with dlt, group by group."""
        pipeline = self.pipeline()
        # A package left by an interrupted run is not resumed: this run's diff already covers its rows.
        pipeline.abort_packages()
        remove_row_files(Path(pipeline.working_dir))
        outcome = LoadOutcome()
        # Tables new to the copy are created here, not left to dlt: dlt creates the tables of a package
        # only when its schema's version is new to the destination, and the groups of one run share a
        # version (as do a fresh copy database and a pipeline directory kept from earlier runs).
        self.hold_lock()
        for p in plans:
            if not p.exists_in_copy:
                self.copy.tables.create(p.spec, dlt_columns(p.source, p.spec))
        started = time.monotonic()
        stage_root = self.stage_root(pipeline)
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="dlt-loader") as loader:
                submitted = [
                    loader.submit(self._load_group, pipeline, group, outcome)
                    for group in self._staged_groups(plans, synced_at, stage_root, outcome)
                ]
            for future in submitted:
                future.result()  # _load_group records load failures itself; anything else is a bug to raise
        finally:
            remove_tree(stage_root, stage_root)
        t = outcome.times
        log.info(
            "loaded %d table(s) in %.1fs: reading %.1fs, overlapped with dlt import %.1fs and load %.1fs",
            len(plans),
            time.monotonic() - started,
            t["read"],
            t["import"],
            t["load"],
        )
        return outcome

    def _staged_groups(
        self, plans: list[TablePlan], synced_at: datetime, stage_root: Path, outcome: LoadOutcome
    ) -> Iterator[Group]:
        """The plans' rows read into Parquet files, in groups of about GROUP_ROWS rows."""
        progress = ReadProgress(len(plans))
        group: Group = []
        for p in plans:
            if outcome.lock_lost is not None:
                raise outcome.lock_lost
            t0 = time.monotonic()
            try:
                staged = self._stage(p, synced_at, stage_root, progress)
            except Exception as e:
                log.error("%s: reading failed: %s", p.spec.name, describe_error(e))
                outcome.failures[p.spec.name] = e
                continue
            finally:
                outcome.times["read"] += time.monotonic() - t0
            group.append((p, staged))
            if sum(s.rows for _, s in group) >= GROUP_ROWS:
                yield group
                group = []
        if group:
            yield group

    def _stage(self, plan: TablePlan, synced_at: datetime, stage_root: Path, progress: ReadProgress) -> StagedFiles:
        rows = plan.rows()
        assert rows is not None
        limits = ReadLimits(self.rows_per_query(plan.spec), self.settings.read_workers, self.settings.max_batch_bytes)
        batches = read_rows(self.source, plan.source, plan.spec, rows, synced_at, plan.stats, limits)
        level = logging.DEBUG if isinstance(rows, SelectedRows) else logging.INFO  # changed rows, or a whole read
        counted = progress.counting(plan.spec.name, batches, level)
        return write_parquet(
            _crash_after_first(counted),
            stage_root / safe_dirname(plan.spec.name),
            FILE_ROWS,
            FILE_BATCHES * self.settings.max_batch_bytes,
        )

    def _load_group(self, pipeline: dlt.Pipeline, group: Group, outcome: LoadOutcome) -> None:
        names = [p.spec.name for p, _ in group]
        stage_root = self.stage_root(pipeline)
        try:
            info = self._import_and_load(pipeline, group, outcome)
        except RunLockLost as e:
            outcome.lock_lost = e
            raise
        except Exception as e:
            log.error("loading %s failed: %s", ", ".join(names), describe_error(e))
            outcome.failures.update({n: e for n in names})
            pipeline.abort_packages()  # leave nothing half-done for the next group
            remove_row_files(Path(pipeline.working_dir))
            return
        finally:
            for name in names:  # row values do not stay on disk longer than needed
                remove_tree(stage_root / safe_dirname(name), stage_root)
        for p, _ in group:  # the copy of a first load changes no more in this run: fingerprint it now
            if isinstance(p, FirstLoad):
                try:
                    p.loaded_copy = loaded_fingerprint(p, self.copy)
                except Exception:  # left to the proof, which reports it against the table
                    log.warning("%s: fingerprinting the loaded copy failed; trying again at the end", p.spec.name)
        _count_job_retries(info, names, outcome.retries)

    def _import_and_load(self, pipeline: dlt.Pipeline, group: Group, outcome: LoadOutcome) -> Any:
        self.hold_lock()
        t0 = time.monotonic()
        # The format must be named: without it, normalize rewrites imported Parquet as CSV, which cannot
        # tell an empty string from NULL.
        pipeline.extract([self._resource(p, staged.imports()) for p, staged in group], loader_file_format="parquet")
        crash_point("normalize")
        pipeline.normalize()
        crash_point("load")
        t1 = time.monotonic()
        with releasing_free_memory():
            info = pipeline.load(raise_on_failed_jobs=True)
        # dlt retries a dropped load job on a new connection by itself: if the lock went with the old one
        # and another run has it now, this group is not proven or remembered.
        self.hold_lock()
        outcome.times["load"] += time.monotonic() - t1
        outcome.times["import"] += t1 - t0
        crash_point("finish")
        rows = sum(staged.rows for _, staged in group)
        names = ", ".join(p.spec.name for p, _ in group)
        log.info("loaded %s: %s rows in %.1fs", names, f"{rows:,}", time.monotonic() - t0)
        return info

    def _resource(self, p: TablePlan, data: Any) -> Any:
        disposition: Any = "append" if not p.exists_in_copy else {"disposition": "merge", "strategy": "delete-insert"}
        return dlt.resource(
            data,
            name=p.spec.name,
            table_name=raw_name(p.spec.name),
            write_disposition=disposition,
            primary_key=list(p.spec.primary_key),
            columns=dlt_columns(p.source, p.spec),  # type: ignore[arg-type]
        )


def _count_job_retries(info: Any, names: list[str], retried: Counter[str]) -> None:
    """dlt retries a load job the database dropped: count those retries per raw table (a retry of dlt's
    own bookkeeping jobs belongs to every table of the load) for the run log."""
    for package in info.load_packages:
        for job in package.jobs.get("completed_jobs", []):
            table, n = job.job_file_info.table_name, job.job_file_info.retry_count
            for name in [raw_name(t) for t in names] if table.startswith("_dlt") else [table]:
                retried[name] += n


def postgres_credentials(url: str) -> PostgresCredentials:
    """dlt credentials from a URL; a URL without a password (trust or peer auth) is allowed. dlt's sessions get the
    options ours get (session_url: no JIT, unless the URL gives options of its own; never both joined, since dlt
    passes them on to ADBC in a URL, where the joining space would become "+" and PostgreSQL refuse the session)."""
    credentials = PostgresCredentials()
    credentials.parse_native_representation(session_url(url))
    if credentials.password is None:
        credentials.password = ""
    return credentials
