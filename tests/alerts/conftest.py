"""Alerts tests: a seeded SQLite database (the repository's sites and screens), a real
SMTP server and a real webhook receiver on 127.0.0.1, and helpers to write what players
would have reported."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.alert_receivers import Mailbox, Webhook
from web.helpers import Fleet

from controller.alerts.incidents import evaluate
from controller.alerts.rules import AlertsConfig, parse
from controller.models import ScreenStatus

SECRET = "s3cret-shared-with-the-receiver"
REPO_SITES = Path(__file__).resolve().parents[2] / "config" / "sites.yaml"
T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 10:00 in Huế


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    fleet = Fleet.seeded(tmp_path / "data")
    yield fleet
    fleet.close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook().start()
    yield hook
    hook.stop()


def alerts_yaml(mailbox: Mailbox | None, webhook: Webhook | None, **extra: Any) -> dict:
    """An alerts configuration (as the YAML document) with the test receivers."""
    channels: dict[str, Any] = {}
    if mailbox is not None:
        channels["ops-email"] = {"type": "email", "url": mailbox.url()}
    if webhook is not None:
        channels["ops-hook"] = {"type": "webhook", "url": webhook.url, "secret": SECRET}
    doc: dict[str, Any] = {
        "channels": channels, "webhook_allowed_hosts": ["127.0.0.1"],
        "routes": [{"channels": list(channels)}] if channels else [],
        "rules": {"screen_offline": {"for": 60, "clear_after": 30}},
        "delivery": {"attempts": 3, "backoff": 0.2, "timeout": 3},
    }
    doc.update(extra)
    return doc


def config_of(doc: dict) -> AlertsConfig:
    return parse(json.loads(json.dumps(doc)), "alerts.yaml", {})


def report(fleet: Fleet, screen: str, at: datetime, **fields: Any) -> None:
    """What a heartbeat would have written for ``screen`` at ``at``."""
    with fleet.sessions() as session:
        row = session.get(ScreenStatus, screen) or ScreenStatus(
            screen_id=screen, connected=True, missing_media=[], facts={}, remote_addr="")
        row.last_seen = at
        for key, value in fields.items():
            setattr(row, key, value)
        session.merge(row)
        session.commit()


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def evaluate_twice_at_once(sessions: Any, config: AlertsConfig, at: datetime) -> None:
    """Two evaluations of ``config`` at ``at``, in two threads started together (as two
    controller processes would run them); fails if either raised."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            with sessions() as session:
                evaluate(session, config, 1.0, "docs/operations.md", at)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
