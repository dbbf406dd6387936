"""The table registry: which tables we copy, how often, and how changes are found."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from opendental_sync.safety import PublicError
from opendental_sync.source_schema import SourceTable

Group = Literal["high", "medium", "low"]
Strategy = Literal["stamp", "hash", "append", "full"]
GROUPS: tuple[str, ...] = get_args(Group)
STRATEGIES: tuple[str, ...] = get_args(Strategy)

REGISTRY_PATH = Path(__file__).with_name("tables.toml")
# Unregistered tables up to this many rows without a change stamp are reloaded whole each run.
FULL_RELOAD_MAX_ROWS = 50_000


class RegistryError(PublicError, ValueError):
    """The table registry (tables.toml) has an entry the pipeline cannot use."""


@dataclass(frozen=True)
class TableSpec:
    """How one table is copied."""

    name: str
    group: Group
    primary_key: tuple[str, ...]
    strategy: Strategy
    stamp: str | None = None
    registered: bool = True
    hash_columns: tuple[str, ...] = ()  # strategy "hash": the columns whose change the diff must see
    # A hash column OpenDental edits only by zeroing it when the object it points at is deleted (securitylog.FKey):
    # between full checks, only the rows pointing at keys deleted in this run are compared on it.
    zeroed_on_delete: str | None = None

    @property
    def has_token(self) -> bool:
        """Whether rows carry a change token (a stamp, or a hash of hash_columns) that the diff compares."""
        return self.stamp is not None or self.strategy == "hash"

    def describe(self) -> str:
        on = f" on {self.stamp}" if self.stamp else f" of {','.join(self.hash_columns)}" if self.hash_columns else ""
        return f"{self.strategy}{on}, key {'+'.join(self.primary_key)}"


def load_registry(path: Path = REGISTRY_PATH) -> dict[str, TableSpec]:
    """Read and validate the registry file."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    specs: dict[str, TableSpec] = {}
    for name, entry in data.get("tables", {}).items():
        where = f"{path.name}: [tables.{name}]"
        group = entry.get("group")
        if group not in GROUPS:
            raise RegistryError(f"{where}: group {group!r} is not one of {', '.join(GROUPS)}")
        strategy = entry.get("strategy")
        if strategy not in STRATEGIES:
            raise RegistryError(f"{where}: strategy {strategy!r} is not one of {', '.join(STRATEGIES)}")
        key = entry.get("primary_key")
        if isinstance(key, str):
            key = [key]
        if not key or not all(isinstance(k, str) for k in key):
            raise RegistryError(f'{where}: primary_key must name the key column(s), e.g. ["AptNum"]')
        stamp = entry.get("stamp")
        if strategy == "stamp" and not stamp:
            raise RegistryError(f'{where}: strategy "stamp" needs stamp = "<change-stamp column>"')
        hash_columns = entry.get("hash_columns", [])
        if strategy == "hash" and not hash_columns:
            raise RegistryError(f'{where}: strategy "hash" needs hash_columns = ["<column>", ...]')
        zeroed = entry.get("zeroed_on_delete")
        if zeroed is not None and zeroed not in hash_columns:
            raise RegistryError(f"{where}: zeroed_on_delete {zeroed!r} must be one of hash_columns {hash_columns}")
        specs[name] = TableSpec(
            name, group, tuple(key), strategy, stamp, hash_columns=tuple(hash_columns), zeroed_on_delete=zeroed
        )
    return specs


def infer_spec(table: SourceTable, row_estimate: int) -> TableSpec | None:
    """Settings for a source table the registry does not name, inferred from its schema.

    Returns None when the table has no primary key (it cannot be merged or diffed by key).
    """
    if not table.primary_key:
        return None
    if len(table.stamp_candidates) == 1:
        return TableSpec(table.name, "low", table.primary_key, "stamp", table.stamp_candidates[0], False)
    strategy: Strategy = "full" if row_estimate <= FULL_RELOAD_MAX_ROWS else "append"
    return TableSpec(table.name, "low", table.primary_key, strategy, None, False)


def check_against_source(spec: TableSpec, table: SourceTable) -> None:
    """Fail with a clear message when the registry disagrees with the source schema."""
    for col in (*spec.primary_key, *([spec.stamp] if spec.stamp else []), *spec.hash_columns):
        try:
            table.column(col)
        except KeyError as e:
            raise RegistryError(f"tables.toml: [tables.{spec.name}] names {e.args[0]}") from None
    if spec.stamp and table.column(spec.stamp).kind != "stamp":
        raise RegistryError(
            f"tables.toml: [tables.{spec.name}] stamp {spec.stamp!r} is a "
            f"{table.column(spec.stamp).column_type} column; a change stamp must be a TIMESTAMP"
        )
