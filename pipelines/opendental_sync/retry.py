"""Retries with exponential backoff for work that a dropped connection interrupts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from opendental_sync.safety import describe_error

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``tries`` attempts in all; the n-th retry waits ``first_delay_s * 2**(n-1)`` seconds."""

    tries: int = 3
    first_delay_s: float = 300.0

    def delay(self, retry_number: int) -> float:
        return float(self.first_delay_s * 2 ** (retry_number - 1))

    def call(
        self,
        fn: Callable[[], T],
        what: str,
        retry_on: tuple[type[BaseException], ...] = (Exception,),
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> T:
        """Run ``fn``; on an error of ``retry_on`` wait and try again, up to ``tries`` attempts."""
        for attempt in range(1, self.tries + 1):
            try:
                return fn()
            except retry_on as e:
                if attempt == self.tries:
                    raise
                wait = self.delay(attempt)
                if on_retry is not None:
                    on_retry(e)
                log.warning(
                    "%s failed (attempt %d/%d: %s); retrying in %.1fs",
                    what,
                    attempt,
                    self.tries,
                    describe_error(e),
                    wait,
                )
                time.sleep(wait)
        raise AssertionError("unreachable")
