"""What a run reports: per table its outcome and counts (never row values), and the run as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from opendental_sync.diff import Reconciliation


@dataclass
class TableResult:
    table: str
    strategy: str
    status: str = "ok"  # ok | failed | mismatch
    rows_extracted: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    zero_dates: dict[str, int] = field(default_factory=dict)
    nul_rows: dict[str, int] = field(default_factory=dict)  # per text column: rows whose NUL bytes were removed
    schema_changes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    retries: int = 0  # source reads that failed (dropped connection) and succeeded when retried
    fallback_batches: int = 0  # batches read by PyMySQL because connectorx could not convert a value
    transient: bool = False  # the failure came from a dropped connection, so a retry may succeed
    # What the proof compared: keys and change tokens of every row, or keys of every row and the tokens
    # of the rows the stamp index found changed (between full stamp checks).
    compared: str = "keys and tokens"
    reconciliation: Reconciliation | None = None

    @property
    def read_path(self) -> str:
        if self.fallback_batches:
            return f"connectorx, PyMySQL for {self.fallback_batches} batch(es)"
        return "connectorx"

    def failed(self, error: str, transient: bool) -> None:
        self.status, self.error, self.transient = "failed", error, transient


@dataclass
class RunSummary:
    run_id: str
    results: list[TableResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)
