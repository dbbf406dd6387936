"""Settings, resolved the dlt way: `.dlt/config.toml`, `.dlt/secrets.toml`, or environment variables
such as ``SOURCES__OPENDENTAL__CREDENTIALS`` and ``DESTINATION__POSTGRES__CREDENTIALS``."""

from __future__ import annotations

from typing import Literal, get_args

from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration

OnMismatch = Literal["fail", "warn"]

DEFAULT_SOURCE_URL = "mysql+pymysql://root:@127.0.0.1:3306/opendental_demo"
DEFAULT_DESTINATION_URL = "postgresql://postgres@127.0.0.1:5432/opendental_analytics"
DEFAULT_DATASET = "opendental_raw"


@configspec
class SyncSettings(BaseConfiguration):
    """``[sources.opendental]`` settings."""

    credentials: str = DEFAULT_SOURCE_URL
    """SQLAlchemy URL of the OpenDental MySQL/MariaDB database (``mysql+pymysql://user:pass@host:3306/db``)."""
    dataset: str = DEFAULT_DATASET
    """PostgreSQL schema that holds the raw copy."""
    chunk_size: int = 10_000
    """Rows per source query; bounds how long one read holds a MyISAM table lock."""
    read_workers: int = 2
    """Source queries in flight at once (each one bounded); 1 reads strictly one query after another."""
    stamp_overlap_s: int = 3600
    """Tables whose stamp leads an index find changed rows through it: rows stamped up to this long before the
    previous run began are looked at again (writes that commit late, clocks that drift)."""
    stamp_check_interval_s: int = 86_400
    """Tables with an indexed stamp still compare every row's stamp at least this often (the index finds
    only rows stamped forward; this also finds rows stamped back, or edited in the copy)."""
    on_mismatch: str = "fail"
    """What a reconciliation mismatch does to the run: ``fail`` (exit non-zero) or ``warn``."""
    load_unregistered: bool = True
    """Copy source tables that tables.toml does not name, with settings inferred from their schema."""
    retry_tries: int = 3
    """Attempts in all for a failed source read or a failed table (a dropped connection, a restart)."""
    retry_first_delay_s: float = 300.0
    """Wait before the first retry; each later retry waits twice as long."""
    lock_timeout_s: int = 600
    """How long a run waits for another run of this pipeline to finish."""

    def check(self) -> None:
        if self.on_mismatch not in get_args(OnMismatch):
            raise ValueError(
                f"sources.opendental.on_mismatch = {self.on_mismatch!r}; use one of {', '.join(get_args(OnMismatch))}"
            )
        if not 1 <= self.read_workers <= 8:
            raise ValueError(f"sources.opendental.read_workers = {self.read_workers}; use 1 to 8 (2 is usual)")
        if self.stamp_overlap_s < 1:
            raise ValueError(
                f"sources.opendental.stamp_overlap_s = {self.stamp_overlap_s}; use at least 1 (3600 is usual)"
            )
        if self.chunk_size < 100:
            raise ValueError(f"sources.opendental.chunk_size = {self.chunk_size}; use at least 100 (10000 is usual)")


@configspec
class DestinationSettings(BaseConfiguration):
    """``[destination.postgres]`` settings."""

    credentials: str = DEFAULT_DESTINATION_URL


def load_settings() -> tuple[SyncSettings, DestinationSettings]:
    sync = resolve_configuration(SyncSettings(), sections=("sources", "opendental"))
    dest = resolve_configuration(DestinationSettings(), sections=("destination", "postgres"))
    sync.check()
    return sync, dest
