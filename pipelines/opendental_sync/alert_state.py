"""No alert storms: a problem alerts once, again after ``alerts.repeat_after_s`` while it lasts, and once more,
"resolved", when a later run of the same group completes without it.

The state of open problems lives in PostgreSQL beside the run log (``<dataset>._od_alert_state``): every run
of a dataset can reach it, whichever host or Airflow worker starts it, and it lasts as long as the copy; a
local file would be lost with a container and not shared between hosts. Only when
PostgreSQL itself cannot be reached is the state kept in a local file (``alerts.state_file``); a later run
that reaches PostgreSQL resolves what is open in either.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

import psycopg2
from psycopg2 import sql

from opendental_sync.alerts import Alert, AlertSettings, send
from opendental_sync.bookkeeping import BookkeepingTable

log = logging.getLogger(__name__)

ALERT_STATE = "_od_alert_state"
STATE_DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {table} (
    alert_key text PRIMARY KEY,
    level text NOT NULL,
    scope text NOT NULL,
    title text NOT NULL,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    last_sent timestamptz NOT NULL,
    times_seen bigint NOT NULL
);
"""


@dataclass(frozen=True)
class Problem:
    """Something wrong that lasts until a later run shows it gone. ``kind`` and ``scope`` (the group) make its
    key; ``lines`` carry table names, counts, durations, the run id and where the report is, never a value."""

    level: Literal["critical", "warning"]
    kind: str
    scope: str
    title: str
    lines: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.level}/{self.kind}/{self.scope}"


@dataclass
class OpenProblem:
    alert_key: str
    level: Literal["critical", "warning"]
    scope: str
    title: str
    first_seen: datetime
    last_seen: datetime
    last_sent: datetime
    times_seen: int


class StateStore(Protocol):
    def load(self) -> dict[str, OpenProblem]: ...
    def save(self, problem: OpenProblem) -> None: ...
    def drop(self, key: str) -> None: ...


class PostgresStateStore:
    """``<dataset>._od_alert_state`` in the copy's database."""

    def __init__(self, url: str, dataset: str):
        self.store = BookkeepingTable(url, dataset, ALERT_STATE, STATE_DDL)
        self.table = self.store.table

    def load(self) -> dict[str, OpenProblem]:
        names = list(OpenProblem.__dataclass_fields__)
        columns = sql.SQL(", ").join(sql.Identifier(n) for n in names)
        rows = self.store.execute(sql.SQL("SELECT {} FROM {}").format(columns, self.table))
        return {str(r[0]): OpenProblem(**dict(zip(names, r, strict=True))) for r in rows}  # type: ignore[arg-type]

    def save(self, problem: OpenProblem) -> None:
        row = asdict(problem)
        self.store.execute(
            sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (alert_key) DO UPDATE SET {}").format(
                self.table,
                sql.SQL(", ").join(sql.Identifier(k) for k in row),
                sql.SQL(", ").join(sql.Placeholder() for _ in row),
                sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(k)) for k in row),
            ),
            tuple(row.values()),
        )

    def drop(self, key: str) -> None:
        self.store.execute(sql.SQL("DELETE FROM {} WHERE alert_key = %s").format(self.table), (key,))


class FileStateStore:
    """A JSON file, for when PostgreSQL cannot be reached."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def load(self) -> dict[str, OpenProblem]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text())
        for item in raw.values():
            for k in ("first_seen", "last_seen", "last_sent"):
                item[k] = datetime.fromisoformat(item[k])
        return {k: OpenProblem(**v) for k, v in raw.items()}

    def _write(self, problems: dict[str, OpenProblem]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: {**asdict(p), **{t: getattr(p, t).isoformat() for t in ("first_seen", "last_seen", "last_sent")}}
                for k, p in problems.items()}  # fmt: skip
        self.path.write_text(json.dumps(data, indent=1))

    def save(self, problem: OpenProblem) -> None:
        self._write({**self.load(), problem.alert_key: problem})

    def drop(self, key: str) -> None:
        problems = self.load()
        if problems.pop(key, None) is not None:
            self._write(problems)


class AlertCenter:
    """Decides which problems alert now, and which are resolved; sends through ``alerts.send``."""

    def __init__(self, settings: AlertSettings, stores: list[StateStore]):
        self.settings = settings
        self.stores = stores

    def _loaded(self) -> list[tuple[StateStore, dict[str, OpenProblem]]]:
        loaded = []
        for store in self.stores:
            try:
                loaded.append((store, store.load()))
            except (psycopg2.Error, OSError, ValueError) as e:
                log.warning("alert state unavailable in %s (%s)", type(store).__name__, str(e).splitlines()[0][:200])
        return loaded

    def report(self, scope: str, problems: list[Problem], completed: bool, now: datetime | None = None) -> list[str]:
        """Alert ``problems`` that are new or due again; when the run ``completed``, resolve the scope's open
        problems it no longer has. Returns the channels that failed."""
        now = now or datetime.now(UTC)
        loaded = self._loaded()
        known: dict[str, OpenProblem] = {}
        for _, problems_there in reversed(loaded):
            known.update(problems_there)
        primary = loaded[0][0] if loaded else None
        failed: list[str] = []
        for p in problems:
            failed += self._raise(p, known.get(p.key), primary, now)
        if completed:
            current = {p.key for p in problems}
            for key, open_ in known.items():
                if open_.scope == scope and key not in current:
                    failed += self._resolve(open_, [s for s, there in loaded if key in there])
        return failed

    def _raise(self, p: Problem, known: OpenProblem | None, store: StateStore | None, now: datetime) -> list[str]:
        repeat = timedelta(seconds=self.settings.repeat_after_s)
        if known is not None and now - known.last_sent < repeat:
            log.info("%s still open (alerted at %s; repeats after %s)", p.key, known.last_sent.isoformat(), repeat)
            self._save(store, OpenProblem(**{**asdict(known), "last_seen": now, "times_seen": known.times_seen + 1}))
            return []
        hours = self.settings.repeat_after_s / 3600
        note = "repeated: still there since " + known.first_seen.isoformat(timespec="seconds") if known else "new"
        footer = [
            f"Alert key: {p.key} ({note}). While it lasts it repeats every {hours:g} h;"
            " a later good run sends 'resolved'."
        ]
        failed = send(Alert(p.level, p.title, [*p.lines, *footer], key=p.key), self.settings)
        urls = self.settings.urls(p.level)
        if urls and len(failed) == len(urls):
            return failed  # nobody heard it: alert again next run
        first = known.first_seen if known else now
        times = known.times_seen + 1 if known else 1
        self._save(store, OpenProblem(p.key, p.level, p.scope, p.title, first, now, now, times))
        return failed

    def _resolve(self, open_: OpenProblem, stores: list[StateStore]) -> list[str]:
        lines = [
            f"Resolved: a run of {open_.scope} completed without this problem.",
            f"It began {open_.first_seen.isoformat(timespec='seconds')} and was seen in {open_.times_seen} run(s).",
            f"Alert key: {open_.alert_key}.",
        ]
        failed = send(Alert(open_.level, open_.title, lines, key=open_.alert_key, resolved=True), self.settings)
        for store in stores:
            self._drop(store, open_.alert_key)
        return failed

    @staticmethod
    def _save(store: StateStore | None, problem: OpenProblem) -> None:
        if store is None:
            return
        try:
            store.save(problem)
        except (psycopg2.Error, OSError) as e:
            log.warning("could not save alert state (%s)", str(e).splitlines()[0][:200])

    @staticmethod
    def _drop(store: StateStore, key: str) -> None:
        try:
            store.drop(key)
        except (psycopg2.Error, OSError) as e:
            log.warning("could not clear alert state (%s)", str(e).splitlines()[0][:200])
