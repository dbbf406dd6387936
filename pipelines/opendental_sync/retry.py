"""The one retry policy: exponential backoff through tenacity, for source reads, the copy, the run lock and
whole tables alike; what is worth a retry is decided by transient.py (error codes)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from opendental_sync.safety import describe_error
from opendental_sync.transient import is_transient

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``tries`` attempts in all; the n-th retry waits ``first_delay_s * 2**(n-1)`` seconds, at most
    ``max_delay_s``."""

    tries: int = 3
    first_delay_s: float = 300.0
    max_delay_s: float = 3600.0

    def delay(self, retry_number: int) -> float:
        return float(min(self.first_delay_s * 2 ** (retry_number - 1), self.max_delay_s))

    def capped(self, max_delay_s: float) -> RetryPolicy:
        """The same tries with waits of at most ``max_delay_s`` (for work that holds something others wait on)."""
        return RetryPolicy(self.tries, min(self.first_delay_s, max_delay_s), min(self.max_delay_s, max_delay_s))

    def call(
        self,
        fn: Callable[[], T],
        what: str,
        retry_if: Callable[[BaseException], bool] = is_transient,
        on_retry: Callable[[BaseException], None] | None = None,
    ) -> T:
        """Run ``fn``; when it raises an error ``retry_if`` accepts, wait and try again, up to ``tries``
        attempts; the last error is raised as it is."""

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome is not None else None
            assert error is not None
            if on_retry is not None:
                on_retry(error)
            log.warning(
                "%s failed (attempt %d/%d: %s); retrying in %.1fs",
                what,
                state.attempt_number,
                self.tries,
                describe_error(error),
                self.delay(state.attempt_number),
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.tries),
            wait=lambda state: self.delay(state.attempt_number),
            retry=tenacity.retry_if_exception(retry_if),
            before_sleep=before_sleep,
            sleep=time.sleep,
            reraise=True,
        )
        return retrying(fn)
