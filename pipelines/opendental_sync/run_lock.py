"""The run lock: a PostgreSQL advisory lock per raw schema, so that two runs never write one copy at once."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import psycopg2

from opendental_sync.safety import PublicError

if TYPE_CHECKING:
    from opendental_sync.destination import CopyDatabase

log = logging.getLogger(__name__)


class RunLockBusy(PublicError):
    """Another run holds the lock on the copy for longer than this run waits (``lock_timeout_s``)."""


class RunLockLost(PublicError):
    """PostgreSQL dropped the session holding the run lock, and another run took the lock meanwhile."""


class RunLock:
    """The advisory lock of one run, held by a session of its own.

    A lock lives as long as its session: when PostgreSQL restarts, the lock is gone with it. ``hold()``
    comes before each step of the run that writes; it takes the lock again on a new session, and stops
    the run when another run took it in between (and at every later step: a lost lock stays lost).
    """

    def __init__(self, copy: CopyDatabase, key: str):
        self.copy, self.key = copy, key
        self.conn: Any = None
        self.lost = False
        self._checking = threading.Lock()  # the main thread and the loader thread both check

    def take(self) -> bool:
        if self.conn is None or self.conn.closed:
            self.conn = self.copy._new_connection()
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.key,))
            return bool(cur.fetchone()[0])

    def acquire(self, timeout_s: int) -> None:
        """Take the lock, waiting up to ``timeout_s`` for another run to finish."""
        deadline = time.monotonic() + timeout_s
        while not self.take():
            if time.monotonic() > deadline:
                self.release()
                raise RunLockBusy(
                    f"another run holds the lock on schema {self.copy.dataset!r} for more than {timeout_s}s; "
                    "wait for it to finish or raise sources.opendental.lock_timeout_s"
                )
            log.info("waiting for another run on %s to finish", self.copy.dataset)
            time.sleep(2)

    def hold(self) -> None:
        """Make sure this run still holds the lock before it writes (see the class docstring)."""
        with self._checking:
            if not self.lost:
                try:
                    with self.conn.cursor() as cur:
                        cur.execute("SELECT 1")
                    return
                except psycopg2.Error:
                    with suppress(Exception):
                        self.conn.close()
                log.warning("PostgreSQL dropped the session that held the run lock; taking the lock again")
                if self.take():
                    return
                self.lost = True
                with suppress(Exception):
                    self.conn.close()  # a session without the lock must not pass the next check
            raise RunLockLost(
                f"PostgreSQL dropped this run's lock on schema {self.copy.dataset!r} (a restart?) and another "
                "run took it meanwhile; this run stops writing so that two runs never write the copy at once. "
                "The other run carries on; nothing is lost, the next run picks up where this one stopped"
            )

    def release(self) -> None:
        """Ending the session releases its advisory locks (and a session that holds none has none to release)."""
        if self.conn is not None:
            with suppress(Exception):
                self.conn.close()
