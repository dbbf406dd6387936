"""Settings, resolved the dlt way: `.dlt/config.toml`, `.dlt/secrets.toml`, or environment variables
such as ``SOURCES__OPENDENTAL__CREDENTIALS`` and ``DESTINATION__POSTGRES__CREDENTIALS``."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import dlt
from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration
from dlt.common.typing import TSecretStrValue
from sqlalchemy.engine import make_url

from opendental_sync.safety import mask_urls

log = logging.getLogger(__name__)

OnMismatch = Literal["fail", "warn"]

DEFAULT_SOURCE_URL = "mysql+pymysql://root:@127.0.0.1:3306/opendental_demo"
DEFAULT_DESTINATION_URL = "postgresql://postgres@127.0.0.1:5432/opendental_analytics"
DEFAULT_DATASET = "opendental_raw"
# OpenDental's credential columns: password hashes and PINs never reach raw unless a clinic asks for them.
DEFAULT_EXCLUDED_COLUMNS = ["userod.Password", "userod.MobileWebPin", "userod.EClipboardClinicalPin"]
# A raw schema name PostgreSQL and dlt keep as it is (no quoting, no renaming).
_DATASET_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@configspec
class SyncSettings(BaseConfiguration):
    """``[sources.opendental]`` settings."""

    credentials: TSecretStrValue = DEFAULT_SOURCE_URL
    """SQLAlchemy URL of the OpenDental MySQL/MariaDB database (``mysql+pymysql://user:pass@host:3306/db``)."""
    dataset: str = DEFAULT_DATASET
    """PostgreSQL schema that holds the raw copy."""
    chunk_size: int = 10_000
    """Rows per source query; bounds how long one read holds a MyISAM table lock."""
    max_batch_bytes: int = 64 * 1024 * 1024
    """Bytes one source query returns at most (about): tables of wide rows (blobs, long notes) are read in
    fewer rows per query than ``chunk_size``, estimated from the table's average row length and shrunk
    further by the widest rows seen; staged files and load batches are bounded the same way."""
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
    require_tls: bool = False
    """Refuse to read the source over a connection that is not encrypted (TLS options: the URL's ``ssl_ca``,
    ``ssl_cert``, ``ssl_key``, ``ssl_verify_cert``, ``ssl_check_hostname``), and a destination URL without
    ``sslmode=require`` (or ``verify-ca``/``verify-full``)."""
    exclude_tables: list[str] = dataclasses.field(default_factory=list)
    """Source tables never read nor copied (case-insensitive)."""
    exclude_columns: list[str] = dataclasses.field(default_factory=lambda: list(DEFAULT_EXCLUDED_COLUMNS))
    """``table.column`` never read nor copied; by default OpenDental's password hashes and PINs."""
    binlog: bool = False
    """Between the daily full comparisons, take the keys that changed from the server's binlog and read only
    those rows (the account needs REPLICATION SLAVE and REPLICATION CLIENT; the server log_bin with
    binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL). Without them, runs diff as before."""

    def check(self) -> None:
        check_url(self.credentials, "sources.opendental.credentials", ("mysql", "mariadb"))
        if self.require_tls and make_url(self.credentials).query.get("ssl_verify_cert") in ("false", "0"):
            log.warning(
                "sources.opendental.require_tls with ssl_verify_cert=false: encrypted, but the server is not verified"
            )
        check_dataset(self.dataset)
        if self.retry_tries < 1:
            raise ValueError(
                f"sources.opendental.retry_tries = {self.retry_tries}; use at least 1 (1 = no retry, 3 is usual)"
            )
        for name in ("retry_first_delay_s", "lock_timeout_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"sources.opendental.{name} = {getattr(self, name)}; use 0 or more seconds")
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
        if self.max_batch_bytes < 1024 * 1024:
            raise ValueError(
                f"sources.opendental.max_batch_bytes = {self.max_batch_bytes}; use at least 1048576 (64 MiB is usual)"
            )
        if self.chunk_size < 100:
            raise ValueError(f"sources.opendental.chunk_size = {self.chunk_size}; use at least 100 (10000 is usual)")


@configspec
class DestinationSettings(BaseConfiguration):
    """``[destination.postgres]`` settings."""

    credentials: TSecretStrValue = DEFAULT_DESTINATION_URL

    def check(self, require_tls: bool = False) -> None:
        check_url(self.credentials, "destination.postgres.credentials", ("postgresql", "postgres"))
        mode = make_url(self.credentials).query.get("sslmode")
        if require_tls and mode not in ("require", "verify-ca", "verify-full"):
            raise ValueError(
                f"sources.opendental.require_tls is set but the destination URL ({mask_urls(self.credentials)}) has "
                f"sslmode={mode}; add ?sslmode=verify-full&sslrootcert=/path/ca.pem (or sslmode=require)"
            )


def check_url(url: str, setting: str, schemes: tuple[str, ...]) -> None:
    """Parse a database URL before any driver sees it: a driver's own message would quote it whole,
    password included. The message shows the URL with its password masked."""
    example = f"{schemes[0]}://user:password@host:port/database"
    try:
        parsed = make_url(url)
        _ = parsed.port  # a port that is not a number fails here
    except Exception:
        raise ValueError(f"{setting} is not a valid URL ({mask_urls(url)}); write it as {example}") from None
    if parsed.get_backend_name() not in schemes:
        raise ValueError(f"{setting} ({mask_urls(url)}) is not a {schemes[0]} URL; write it as {example}")
    if not parsed.host or not parsed.database:
        raise ValueError(f"{setting} ({mask_urls(url)}) needs a host and a database; write it as {example}")


def check_dataset(dataset: str) -> None:
    """The raw schema name: lower-case letters, digits and _ (it names a schema and a staging folder)."""
    if not _DATASET_NAME.fullmatch(dataset):
        raise ValueError(
            f"dataset {dataset!r} is not a plain schema name; use lower-case letters, digits and _ "
            "(at most 63, not starting with a digit), e.g. opendental_raw"
        )


# Sections dlt itself reads, and ours (orchestration: pipelines/opendental_ops); others are reported as unknown.
_DLT_SECTIONS = {
    "runtime", "normalize", "extract", "load", "data_writer", "destination", "sources", "pipelines", "providers",
    "orchestration", "alerts",
}  # fmt: skip
_READ_CREDENTIALS = ("sources.opendental.credentials", "destination.postgres.credentials")


def _clinic_credentials(files: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The secrets that [orchestration.clinics.*] name as their clinics' source URLs (read by the scheduled runs)."""
    named = set()
    for doc in files.values():
        for entry in doc.get("orchestration", {}).get("clinics", {}).values():
            if isinstance(entry, Mapping) and isinstance(entry.get("source_credentials"), str):
                named.add(entry["source_credentials"])
    return named


def unknown_settings(files: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Settings nothing reads: (errors, warnings). An unknown key of ours, or credentials in a section we do
    not read (a misspelt ``[source.opendental]`` would otherwise fall back to the demo's root account), are
    errors; an unknown top-level section is a warning."""
    ours = {f.name for f in dataclasses.fields(SyncSettings) if not f.name.startswith("_")}
    read = {*_READ_CREDENTIALS, *_clinic_credentials(files)}
    read_env = {path.upper().replace(".", "__") for path in read}
    errors: list[str] = []
    warnings: list[str] = []
    for file, doc in files.items():
        for key, value in doc.items():
            if key not in _DLT_SECTIONS:
                warnings.append(f"{file}: section [{key}] is not read by this pipeline or dlt")
            for path in _credential_paths(value, key):
                if path not in read:
                    errors.append(
                        f"{file}: {path} is not read; credentials go in [sources.opendental] (MariaDB) "
                        "and [destination.postgres] (PostgreSQL)"
                    )
        section = doc.get("sources", {}).get("opendental", {})
        known = ", ".join(sorted(ours))
        errors += [
            f"{file}: [sources.opendental] has no setting {k!r}; known: {known}" for k in section if k not in ours
        ]
    for name in environ:
        upper = name.upper()
        if upper.startswith("SOURCES__OPENDENTAL__") and upper[21:].lower() not in ours:
            errors.append(f"environment variable {name} names no setting; known: {', '.join(sorted(ours))}")
        elif re.search(r"OPENDENTAL|POSTGRES", upper) and upper.endswith("CREDENTIALS") and upper not in read_env:
            errors.append(
                f"environment variable {name} is not read; use SOURCES__OPENDENTAL__CREDENTIALS or "
                "DESTINATION__POSTGRES__CREDENTIALS"
            )
    return errors, warnings


def _credential_paths(value: Any, path: str) -> list[str]:
    if not isinstance(value, Mapping):
        return [path] if path.rsplit(".", 1)[-1] == "credentials" else []
    return [p for k, v in value.items() for p in _credential_paths(v, f"{path}.{k}")]


def settings_files(settings_dir: Path) -> dict[str, dict[str, Any]]:
    files = {}
    for name in ("config.toml", "secrets.toml"):
        path = settings_dir / name
        if path.is_file():
            with path.open("rb") as f:
                files[str(path)] = tomllib.load(f)
    return files


def load_settings(settings_dir: Path | None = None) -> tuple[SyncSettings, DestinationSettings]:
    """Resolve and check every setting; unknown settings are errors or warnings that name them."""
    folder = Path(settings_dir or dlt.current.run_context().settings_dir)
    errors, warnings = unknown_settings(settings_files(folder), os.environ)
    for warning in warnings:
        log.warning("%s", warning)
    if errors:
        raise ValueError("; ".join(errors))
    sync = resolve_configuration(SyncSettings(), sections=("sources", "opendental"))
    dest = resolve_configuration(DestinationSettings(), sections=("destination", "postgres"))
    sync.check()
    dest.check(sync.require_tls)
    return sync, dest
