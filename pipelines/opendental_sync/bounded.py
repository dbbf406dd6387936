"""How big one bounded query of the source may be: rows per query for a table, and the ``WHERE`` clauses that
select the rows a diff needs, each naming at most that many keys."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.config import SyncSettings
from opendental_sync.paging import sql_literal
from opendental_sync.registry import TableSpec
from opendental_sync.source import SourceDatabase
from opendental_sync.source_schema import quote_mysql


class RowsPerQuery:
    """``chunk_size``, or fewer for a table whose average row is wider than ``max_batch_bytes / chunk_size``
    (the source's average row widths are read once per run)."""

    def __init__(self, source: SourceDatabase, settings: SyncSettings):
        self.source, self.settings = source, settings
        self._widths: dict[str, int] | None = None

    def __call__(self, spec: TableSpec) -> int:
        if self._widths is None:
            self._widths = self.source.row_widths()
        width = self._widths.get(spec.name, 0)
        return max(1, min(self.settings.chunk_size, self.settings.max_batch_bytes // max(width, 1)))


def bounded_where(
    spec: TableSpec,
    snapshot: pa.Table,
    needed: pa.Array,
    chunk_size: int,
    covers: list[tuple[int, int]] | None = None,
) -> list[str]:
    """Group the needed keys into bounded ``WHERE`` clauses.

    ``snapshot`` is the source key snapshot in key order, ``needed`` a boolean mask over it. A run of
    consecutive needed keys becomes a range (``key BETWEEN a AND b``, an index range scan); scattered keys
    become ``key IN (...)`` lists. Each clause selects at most ``chunk_size`` keys. When the snapshot holds
    only the keys of some ranges (``covers``), neighbours in the snapshot may be far apart in the table:
    a range clause must then stay inside one of those ranges.
    """
    key = list(spec.primary_key)
    idx = pc.indices_nonzero(needed).to_numpy()
    if len(idx) == 0:
        return []
    clauses: list[str] = []
    if len(key) == 1:
        values = snapshot.column(key[0]).to_numpy()
        col = quote_mysql(key[0])
        starts = np.array([lo for lo, _ in covers or []], dtype=np.int64)

        def one_range(a: int, b: int) -> bool:
            return covers is None or np.searchsorted(starts, a, "right") == np.searchsorted(starts, b, "right")

        for start in range(0, len(idx), chunk_size):
            chunk = idx[start : start + chunk_size]
            first, last = int(values[chunk[0]]), int(values[chunk[-1]])
            if chunk[-1] - chunk[0] + 1 == len(chunk) and one_range(first, last):  # contiguous in key order
                clauses.append(f"{col} BETWEEN {first} AND {last}")
            else:
                clauses.append(f"{col} IN ({','.join(str(int(v)) for v in values[chunk])})")
        return clauses
    cols = [snapshot.column(k).to_pylist() for k in key]
    names = ", ".join(quote_mysql(k) for k in key)
    for start in range(0, len(idx), chunk_size):
        chunk = idx[start : start + chunk_size]
        tuples = ",".join("(" + ", ".join(sql_literal(c[i]) for c in cols) + ")" for i in chunk)
        clauses.append(f"({names}) IN ({tuples})")
    return clauses
