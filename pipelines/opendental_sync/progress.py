"""How far a run's reading got, logged as it goes: a first load of a large clinic reads for minutes, and
the person watching it should see it move. Counts and times only, never row values."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

log = logging.getLogger(__name__)

# At most one "rows read so far" line per this many seconds, however many batches a table has.
PROGRESS_EVERY_S = 15.0


@dataclass
class ReadProgress:
    """Rows and tables read so far in one run, over ``tables`` tables to read."""

    tables: int
    started: float = field(default_factory=time.monotonic)
    rows: int = 0
    done: int = 0
    last_line: float = field(default_factory=time.monotonic)

    def counting(self, name: str, batches: Iterable[pa.Table], total_level: int = logging.INFO) -> Iterator[pa.Table]:
        """Pass ``batches`` on, logging the rows read so far every PROGRESS_EVERY_S, and the table's total
        once it is read, at ``total_level`` (INFO for a table read whole, the long work; DEBUG for changed rows)."""
        began, rows = time.monotonic(), 0
        for batch in batches:
            rows += batch.num_rows
            self.rows += batch.num_rows
            now = time.monotonic()
            if now - self.last_line >= PROGRESS_EVERY_S:
                self.last_line = now
                log.info("%s: %s rows read so far (%s)", name, f"{rows:,}", self.overall(now))
            yield batch
        self.done += 1
        now = time.monotonic()
        log.log(
            total_level,
            "%s: read %s rows in %.1fs (%s)",
            name,
            f"{rows:,}",
            now - began,
            self.overall(now),
        )

    def overall(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        return (
            f"run: {self.done} of {self.tables} tables read, {self.rows:,} rows in {elapsed:.0f}s, "
            f"{self.rows / elapsed:,.0f} rows/s"
        )
