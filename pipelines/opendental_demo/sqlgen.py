"""Building blocks for generating rows in SQL: seeded hashes, countable row selectors, a business-day calendar.

Every generated value is a pure function of (seed, table, row ordinal n), so the data do not depend on row
order, threads or timing. Two kinds of pseudo-randomness are used:

* ``Hasher.h(salt, n)``: ``CRC32(CONCAT('<seed>:<salt>:', n))`` for ordinary values (names, amounts, times).
* ``Bucket``/``Selector``: ``(n * mult + add) % modulus``, a permutation of residues whose counts over
  ``1..rows`` Python can compute exactly. Every quirk whose amount is promised in the manifest uses these.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Fractional parts of quadratic irrationals with small continued-fraction terms (golden ratio, sqrt 2, ...).
_WEYL_ALPHAS = (0.6180339887, 0.4142135624, 0.7320508076, 0.2360679775, 0.3027756377, 0.4494897428)


def stable_int(*parts: object) -> int:
    """A 64-bit integer from the parts (sha256), the same on every machine and Python version."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def sql_str(value: str) -> str:
    """A MariaDB string literal (single quotes and backslashes escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True)
class Hasher:
    """SQL expressions for seeded pseudo-random values."""

    seed: int

    def h(self, salt: str, n: str) -> str:
        """An unsigned 32-bit hash of row expression ``n`` for this seed and salt."""
        return f"CRC32(CONCAT('{self.seed}:{salt}:', {n}))"

    def mod(self, salt: str, n: str, modulus: int) -> str:
        """A value in ``0..modulus-1``."""
        return f"({self.h(salt, n)} % {modulus})"

    def mod_by(self, salt: str, n: str, modulus_sql: str) -> str:
        """A value in ``0..modulus-1`` for a modulus given as SQL (e.g. a column)."""
        return f"({self.h(salt, n)} % {modulus_sql})"

    def pick(self, salt: str, n: str, values: Sequence[str | int | float]) -> str:
        """One of ``values`` (SQL ELT over literals)."""
        items = ", ".join(sql_str(v) if isinstance(v, str) else repr(v) for v in values)
        return f"ELT(1 + {self.mod(salt, n, len(values))}, {items})"

    def money(self, salt: str, n: str, low: float, high: float) -> str:
        """An amount with cents in ``[low, high)``."""
        cents = round((high - low) * 100)
        return f"ROUND({low} + ({self.h(salt, n)} % {cents}) / 100, 2)"


@dataclass(frozen=True)
class Bucket:
    """``(n * mult + add) % modulus``: spreads rows over residues; exact counts are known in Python."""

    mult: int
    add: int
    modulus: int

    @classmethod
    def make(cls, seed: int, salt: str, modulus: int = 10_000) -> Bucket:
        """A bucket whose multiplier is ``modulus`` times a badly approximable irrational (a Weyl sequence):
        the rows of any prefix ``1..N`` spread evenly over the residues, so shares hold at small scales too."""
        alpha = _WEYL_ALPHAS[stable_int(seed, salt, "alpha") % len(_WEYL_ALPHAS)]
        mult = round(modulus * alpha)
        while math.gcd(mult, modulus) != 1:
            mult += 1
        return cls(mult=mult, add=stable_int(seed, salt, "add") % modulus, modulus=modulus)

    def sql(self, n: str) -> str:
        return f"((({n}) * {self.mult} + {self.add}) % {self.modulus})"

    def value(self, n: int) -> int:
        return (n * self.mult + self.add) % self.modulus

    def count(self, rows: int, low: int, high: int, first: int = 1) -> int:
        """How many n in ``first..rows`` have ``low <= value(n) < high``."""
        if rows < first:
            return 0
        total = rows - first + 1
        blocks, rest = divmod(total, self.modulus)
        hits = blocks * max(0, min(high, self.modulus) - max(low, 0))
        start = first + blocks * self.modulus
        hits += sum(1 for n in range(start, start + rest) if low <= self.value(n) < high)
        return hits


@dataclass(frozen=True)
class Selector:
    """A sparse, exactly countable set of rows: ``value(n) < below``, plus one pinned row (0 = none)."""

    bucket: Bucket
    below: int
    pinned: int = 0

    @classmethod
    def make(cls, seed: int, salt: str, rows: int, per_10000: int, *, pin: bool = True) -> Selector:
        pinned = 1 + stable_int(seed, salt, "pin") % rows if pin and rows > 0 else 0
        return cls(Bucket.make(seed, salt), per_10000, pinned)

    def sql(self, n: str) -> str:
        pinned = f" OR ({n}) = {self.pinned}" if self.pinned else ""
        return f"({self.bucket.sql(n)} < {self.below}{pinned})"

    def __contains__(self, n: int) -> bool:
        return self.bucket.value(n) < self.below or n == self.pinned

    def count(self, rows: int, first: int = 1) -> int:
        hits = self.bucket.count(rows, 0, self.below, first)
        if first <= self.pinned <= rows and self.bucket.value(self.pinned) >= self.below:
            hits += 1
        return hits


@dataclass(frozen=True)
class Classes:
    """Splits rows into named classes by ranges of one bucket (e.g. NULL / '' / a value)."""

    bucket: Bucket
    bounds: tuple[tuple[str, int, int], ...]  # (name, low, high) over 0..modulus

    def sql(self, n: str, values: dict[str, str]) -> str:
        """CASE expression giving ``values[name]`` for the class of row ``n``."""
        b = self.bucket.sql(n)
        whens = " ".join(f"WHEN {b} < {high} THEN {values[name]}" for name, _low, high in self.bounds[:-1])
        return f"(CASE {whens} ELSE {values[self.bounds[-1][0]]} END)"

    def elt_sql(self, n: str, values: dict[str, str]) -> str:
        """The same as ``sql`` as one ELT over every residue: the bucket is computed once (fast in hot loops)."""
        slots = [values[name] for name, low, high in self.bounds for _ in range(low, high)]
        return f"ELT(1 + {self.bucket.sql(n)}, {', '.join(slots)})"

    def count(self, rows: int, name: str, first: int = 1) -> int:
        """How many n in ``first..rows`` are in class ``name``."""
        for cls_name, low, high in self.bounds:
            if cls_name == name:
                return self.bucket.count(rows, low, high, first)
        raise KeyError(f"class {name!r} not in {[b[0] for b in self.bounds]}")

    def name_of(self, n: int) -> str:
        """The class of row ``n``."""
        value = self.bucket.value(n)
        for cls_name, _low, high in self.bounds:
            if value < high:
                return cls_name
        return self.bounds[-1][0]

    @classmethod
    def make(cls, seed: int, salt: str, shares: Sequence[tuple[str, int]]) -> Classes:
        """``shares`` in thousandths, in CASE order; they must add up to 1000."""
        if sum(s for _, s in shares) != 1000:
            raise ValueError(f"class shares for {salt} add up to {sum(s for _, s in shares)}, not 1000")
        bounds, low = [], 0
        for name, share in shares:
            bounds.append((name, low, low + share))
            low += share
        return cls(Bucket.make(seed, salt, 1000), tuple(bounds))


@dataclass(frozen=True)
class Band:
    """Rows ``first..last`` whose bucket value lies in ``[low, high)`` (never row ``excluded``), plus one pinned
    row of that range outside the band, so the band is never empty; exactly countable."""

    bucket: Bucket
    low: int
    high: int
    first: int
    last: int
    pinned: int = 0
    excluded: int = 0

    @classmethod
    def make(
        cls,
        bucket: Bucket,
        low: int,
        high: int,
        first: int,
        last: int,
        *,
        pin_from: int,
        salt: str,
        excluded: int = 0,
        taken: frozenset[int] = frozenset(),
    ) -> Band:
        """A band with a pinned row whose bucket value is ``>= pin_from`` (outside every band sharing the bucket),
        not ``excluded`` and not in ``taken`` (pins of sibling bands); no pin when none is free."""
        span = last - first + 1
        pinned = 0
        if span > 0:
            start = stable_int(salt, "pin") % span
            for step in range(span):
                n = first + (start + step) % span
                if bucket.value(n) >= pin_from and n != excluded and n not in taken:
                    pinned = n
                    break
        return cls(bucket, low, high, first, last, pinned, excluded)

    def sql(self, n: str) -> str:
        b = self.bucket.sql(n)
        excl = f" AND ({n}) <> {self.excluded}" if self.excluded else ""
        pin = f" OR ({n}) = {self.pinned}" if self.pinned else ""
        inside = f"({n}) BETWEEN {self.first} AND {self.last} AND {b} BETWEEN {self.low} AND {self.high - 1}"
        return f"(({inside}{excl}){pin})"

    def __contains__(self, n: int) -> bool:
        inside = self.first <= n <= self.last and self.low <= self.bucket.value(n) < self.high
        return (inside and n != self.excluded) or (self.pinned != 0 and n == self.pinned)

    def count(self) -> int:
        hits = self.bucket.count(self.last, self.low, self.high, self.first)
        if self.excluded and self.first <= self.excluded <= self.last:
            hits -= 1 if self.low <= self.bucket.value(self.excluded) < self.high else 0
        return hits + (1 if self.pinned else 0)


@dataclass(frozen=True)
class Calendar:
    """Business days (Mon-Fri) from ``start`` (a Monday) up to, not including, ``as_of``."""

    as_of: date
    start: date
    bdays: int

    @classmethod
    def make(cls, as_of: date, years: int = 12) -> Calendar:
        first = (
            as_of.replace(year=as_of.year - years)
            if not (as_of.month == 2 and as_of.day == 29)
            else (as_of - timedelta(days=365 * years))
        )
        start = first + timedelta(days=(7 - first.weekday()) % 7)
        days = (as_of - start).days
        bdays = 5 * (days // 7) + min(days % 7, 5)
        return cls(as_of=as_of, start=start, bdays=bdays)

    def day_sql(self, idx: str) -> str:
        """DATE of business day number ``idx`` (0-based, may run past as_of for future appointments)."""
        return f"DATE_ADD(DATE'{self.start.isoformat()}', INTERVAL (({idx}) DIV 5 * 7 + ({idx}) MOD 5) DAY)"

    def day(self, idx: int) -> date:
        return self.start + timedelta(days=idx // 5 * 7 + idx % 5)

    def index_of(self, d: date) -> int:
        """Index of the first business day on or after ``d``."""
        days = (d - self.start).days
        weeks, rest = divmod(days, 7)
        return 5 * weeks + min(rest, 5)

    @staticmethod
    def spread_sql(n: str, rows: int, span: int) -> str:
        """Business-day index of row ``n`` of ``rows`` spread evenly (and monotonically) over ``span`` days."""
        return f"((({n}) - 1) * {span} DIV {rows})"

    @staticmethod
    def rows_before(rows: int, span: int, idx: int) -> int:
        """How many of ``rows`` spread over ``span`` days fall on a day index below ``idx``."""
        return min(rows, max(0, (idx * rows + span - 1) // span))
