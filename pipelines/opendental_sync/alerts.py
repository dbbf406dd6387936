"""Alerts through Apprise: one URL per channel (SMTP email, Slack, PagerDuty Events API v2, a webhook, ...).

Settings ``[alerts]``: ``critical``, ``warning`` and ``info`` are lists of Apprise URLs, read like every other
setting (``.dlt/secrets.toml``, or ``ALERTS__CRITICAL='["mailtos://...", "pagerduty://..."]'``). A level with no
URL logs its alerts only. The command line and the Airflow callbacks both send through :func:`send`; storm
control (once per problem, repeats, "resolved") is in ``alert_state.py``.

A channel is named by its scheme and host only (``mailtos://smtp.example.com``, ``pagerduty://****``), never by
its full URL, which holds passwords and tokens.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args
from urllib.parse import urlsplit

from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration

from opendental_sync.safety import mask_urls

if TYPE_CHECKING:
    import apprise

log = logging.getLogger(__name__)

Level = Literal["critical", "warning", "info"]
LEVELS: tuple[Level, ...] = get_args(Level)
PRODUCT = "opendental-sync"

_NOTIFY_TYPE = {"critical": "FAILURE", "warning": "WARNING", "info": "INFO"}  # apprise.NotifyType's members
_LOG_LEVEL = {"critical": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO}


@configspec
class AlertSettings(BaseConfiguration):
    """``[alerts]`` settings: where each level goes, and when a run counts as degraded."""

    critical: list[str] | None = None
    """Apprise URLs for critical alerts (a failed run, a mismatch, a database unreachable, the run lock lost)."""
    warning: list[str] | None = None
    """Apprise URLs for warnings (a slow run, low throughput, high peak memory, another run holding the lock)."""
    info: list[str] | None = None
    """Apprise URLs for info (a run completed, with its figures)."""
    repeat_after_s: float = 6 * 3600.0
    """A problem that lasts alerts again after this long; in between its runs send nothing new."""
    slow_factor: float = 1.5
    """Warn when a run takes longer than this times the median duration of its group's recent runs."""
    throughput_factor: float = 0.5
    """Warn when a run's rows/s is under this times the median of its group's recent runs."""
    recent_runs: int = 10
    """How many earlier completed runs of the same group (and kind: full refresh or not) make the median."""
    min_runs: int = 3
    """Fewer earlier runs than this: no performance comparison yet."""
    min_duration_s: float = 60.0
    """Runs shorter than this never warn as slow (a few seconds' noise is no degradation)."""
    min_rows_for_rate: int = 50_000
    """Runs (this one and the earlier ones) with fewer rows than this are left out of the rows/s comparison."""
    max_memory_mb: float = 4096.0
    """Warn when the loading process's peak memory exceeds this (0: never)."""
    max_database_gb: float = 100.0
    """Warn when the copy's PostgreSQL database is larger than this, in GB (0: never)."""
    max_disk_used_percent: float = 90.0
    """Warn when the disk holding the pipeline's working folder (dlt's data dir) is fuller than this (0: never)."""
    report_url: str = ""
    """Where people read the details (a dashboard, reports/quality.html on a share); said in every alert."""
    state_file: str = ".dlt/alert_state.json"
    """Alert state when PostgreSQL itself is unreachable (otherwise it is kept in ``_od_alert_state``)."""

    def urls(self, level: Level) -> list[str]:
        return list(getattr(self, level) or [])

    def check(self) -> None:
        for level in LEVELS:
            for i, url in enumerate(self.urls(level), start=1):
                if make_channel(url) is None:
                    raise ValueError(
                        f"alerts.{level}[{i}] ({channel_name(url)}) is not an Apprise URL Apprise can use; "
                        "fix it in .dlt/secrets.toml or ALERTS__" + level.upper() + " (see the README's Alerts section)"
                    )
        if self.repeat_after_s <= 0:
            raise ValueError(f"alerts.repeat_after_s = {self.repeat_after_s}; use a positive number (21600 is usual)")
        if not 0 < self.throughput_factor <= 1 or self.slow_factor < 1:
            raise ValueError(
                f"alerts.slow_factor = {self.slow_factor}, alerts.throughput_factor = {self.throughput_factor}; "
                "use slow_factor >= 1 (1.5 is usual) and throughput_factor in (0, 1] (0.5 is usual)"
            )


def load_alert_settings() -> AlertSettings:
    settings = resolve_configuration(AlertSettings(), sections=("alerts",))
    settings.check()
    return settings


@dataclass(frozen=True)
class Alert:
    """One message. ``key`` ties repeats and the "resolved" message of one problem together (and is PagerDuty's
    dedup key); it names the kind of problem and the group, never a value."""

    level: Level
    title: str
    lines: list[str] = field(default_factory=list)
    key: str = ""
    resolved: bool = False

    @property
    def body(self) -> str:
        return mask_urls("\n".join(self.lines))

    @property
    def subject(self) -> str:
        state = "RESOLVED" if self.resolved else self.level.upper()
        return mask_urls(f"[{PRODUCT}] {state}: {self.title}")


def channel_name(url: str) -> str:
    """A channel for people: its scheme and host only. Where the host part is a credential (PagerDuty's
    ``integrationkey@apikey``, Slack's tokens), Apprise's privacy form of it is shown."""
    plugin = make_channel(url)
    shown = plugin.url(privacy=True) if plugin is not None else url
    parts = urlsplit(shown)
    host = parts.netloc.rsplit("@", 1)[-1] if plugin is not None else (parts.hostname or "?")
    return f"{parts.scheme or '?'}://{host}"


def make_channel(url: str) -> apprise.plugins.NotifyBase | None:
    """The Apprise plugin for a URL, or None when Apprise cannot use it. No state is written to disk."""
    import apprise  # here: a run with no channel to send to does not pay for its import (0.09 s)

    asset = apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY)
    return apprise.Apprise.instantiate(url, asset=asset)


def send(alert: Alert, settings: AlertSettings) -> list[str]:
    """Log the alert and send it through every channel of its level; returns the names of channels that failed."""
    log.log(_LOG_LEVEL[alert.level] if not alert.resolved else logging.INFO, "%s\n%s", alert.subject, alert.body)
    failed = []
    for url in settings.urls(alert.level):
        plugin = make_channel(url)
        if plugin is None or not _deliver(plugin, alert):
            failed.append(channel_name(url))
    if failed:
        log.warning("alert %r could not be sent to: %s", alert.subject, ", ".join(failed))
    return failed


def _deliver(plugin: apprise.plugins.NotifyBase, alert: Alert) -> bool:
    if alert.key and getattr(plugin, "secure_protocol", None) == "pagerduty":
        # PagerDuty opens one incident per problem and resolves it by the same dedup key.
        setattr(plugin, "dedup", hashlib.sha256(alert.key.encode()).hexdigest()[:32])  # noqa: B010
        setattr(plugin, "action", "resolve" if alert.resolved else "trigger")  # noqa: B010
    import apprise

    notify_type = apprise.NotifyType["SUCCESS" if alert.resolved else _NOTIFY_TYPE[alert.level]]
    try:
        return bool(plugin.notify(body=alert.body, title=alert.subject, notify_type=notify_type))
    except Exception as e:  # a channel that breaks must not stop the others, nor the run
        log.warning("%s failed: %s", type(plugin).__name__, mask_urls(str(e))[:200])
        return False


def send_test_alert(settings: AlertSettings, level: Level) -> tuple[int, list[str]]:
    """``--alert-test``: one message through every channel of ``level``; (channels tried, names of those failed)."""
    alert = Alert(
        level,
        f"test message for level {level}",
        [
            f"This is a test of the {level} alert channels of {PRODUCT}; nothing is wrong.",
            "Sent by: python pipelines/opendental.py --alert-test --severity " + level,
        ],
    )
    return len(settings.urls(level)), send(alert, settings)
