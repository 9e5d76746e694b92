"""The alerts' two periodic jobs, run by the process that runs the scheduler
(``controller.server``): ``evaluate`` (rules → incidents → queued notifications) and
``deliver`` (the outbox → SMTP and webhooks). Both run in the scheduler's jobs, never in
a request, so a slow SMTP server never delays a push or a heartbeat (its sockets are
cooperative under gevent); the evaluation's database work over every screen runs in a
real thread beside the event loop.

``config/alerts.yaml`` is read again when it changes; a refused file is logged and the
rules in force stay as they were (``GET /api/v1/alerts`` shows the refusal)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from controller.alerts import incidents, outbox, rule_edits
from controller.alerts.rules import AlertsConfig, AlertsConfigError, defaults, load
from controller.off_loop import run_off_loop

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler
    from sqlalchemy.orm import Session, sessionmaker

    from controller.settings import Settings

log = logging.getLogger("pano.alerts")


def now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


class AlertsEngine:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings, self.sessions = settings, sessions
        self.path = Path(settings.alerts_config)
        self.config: AlertsConfig = defaults()
        self.error: str | None = None
        self._stamp: tuple[float, int] | None = None
        self.worker = worker_name()

    def reload(self) -> AlertsConfig:
        try:
            stat = self.path.stat()
            stamp: tuple[float, int] | None = (stat.st_mtime, stat.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp or self._stamp is None:
            try:
                self.config, self.error = load(self.path), None
            except AlertsConfigError as exc:
                if self.error != str(exc):
                    log.error("alerts configuration refused, the rules in force stay: %s",
                              exc)
                self.error = str(exc)
            self._stamp = stamp
        return self.config

    def evaluate(self) -> dict[str, int]:
        # Database work over every screen: in a real thread beside the event loop
        # (controller.off_loop), as journal batches are, so no socket waits for it.
        return run_off_loop("alerts", 1, self._evaluate)

    def _evaluate(self) -> dict[str, int]:
        with self.sessions() as session:
            config = rule_edits.apply(self.reload(), rule_edits.stored(session))
            return incidents.evaluate(session, config, self.settings.heartbeat_interval,
                                      config.runbook_url, now())

    def deliver(self) -> dict[str, int]:
        return outbox.deliver_due(self.sessions, self.reload(), self.worker, now)


def add_alert_jobs(scheduler: BaseScheduler, settings: Settings,
                   sessions: sessionmaker[Session]) -> AlertsEngine:
    engine = AlertsEngine(settings, sessions)
    engine.reload()
    every = settings.alerts_interval
    # APScheduler says "Running job …" and "… executed successfully" at INFO for every
    # run: four lines a minute from these jobs alone. Their own log lines say what
    # happened (an incident opened or cleared, a message sent or failed).
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    for name, job in (("alerts-evaluate", engine.evaluate), ("alerts-deliver", engine.deliver)):
        scheduler.add_job(_logged(name, job), "interval", seconds=every, id=name, name=name,
                          coalesce=True, max_instances=1,
                          misfire_grace_time=int(max(every, 5)))  # APScheduler: an int
    return engine


def _logged(name: str, job: object) -> object:
    def run() -> None:
        try:
            job()  # type: ignore[operator]
        except Exception:  # the next run tries again; the scheduler must keep going
            log.exception("%s failed", name)
    return run
