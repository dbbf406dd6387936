"""Keyset paging: the one way this package reads more rows than one bounded query may hold.

OpenDental's tables are MyISAM: a query locks its table until its result is read, so every read is a
page of at most ``page_rows`` rows in key order, and the next page starts after the last key of this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import pyarrow as pa

from opendental_sync.source_schema import quote_mysql

Cursor = TypeVar("Cursor")
Page = TypeVar("Page")


def pages(
    read: Callable[[Cursor | None, int], Page],
    *,
    rows_in: Callable[[Page], int],
    last_of: Callable[[Page], Cursor],
    page_rows: int | Callable[[], int],
) -> Iterator[Page]:
    """Pages of ``read(after, n)``: the first after ``None``, each next one after ``last_of`` the page
    before, until a page holds fewer than ``n`` rows. ``page_rows`` may change between pages (a callable:
    wide rows shrink the pages that follow)."""
    after: Cursor | None = None
    while True:
        n = page_rows() if callable(page_rows) else page_rows
        page = read(after, n)
        yield page
        if rows_in(page) < n:
            return
        after = last_of(page)


def arrow_pages(
    read: Callable[[tuple[Any, ...] | None, int], pa.Table],
    key: Sequence[str],
    page_rows: int | Callable[[], int],
) -> Iterator[pa.Table]:
    """``pages`` of Arrow tables, each next one after the key tuple of the last row of the one before."""
    return pages(read, rows_in=lambda t: t.num_rows, last_of=lambda t: last_key(t, key), page_rows=page_rows)


def last_key(table: pa.Table, key: Sequence[str]) -> tuple[Any, ...]:
    """The key values of the last row of ``table``."""
    return tuple(table.column(k)[table.num_rows - 1].as_py() for k in key)


def key_predicate(key: Sequence[str], after: Sequence[Any] | None) -> str:
    """``WHERE`` text for keyset pagination strictly after the key tuple ``after``."""
    if after is None:
        return "1=1"
    cols = [quote_mysql(k) for k in key]
    if len(cols) == 1:
        return f"{cols[0]} > {sql_literal(after[0])}"
    return f"({', '.join(cols)}) > ({', '.join(sql_literal(v) for v in after)})"


def sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "''")
    return f"'{text}'"
