"""Issue 13, point 1: technicians are told, not left to look.

Real controller processes (``pano-controller serve``), a real ``pano-player`` process,
one SQLite file, a real SMTP server (aiosmtpd) and a real webhook receiver on 127.0.0.1.
Heartbeats every few seconds and thresholds of a second (settings), so each test runs in
seconds."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from support.alert_receivers import Mailbox, Webhook
from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, get_json, wait_for

from controller.alerts.channels import sign
from controller.alerts.rules import RULES

SCREEN = "a-dot-entry-hall"
SITE = "a-dot-border-gate"
SECRET = "border-gate-shared-secret-2026"
PLAYER_FLAGS = ["--heartbeat-interval", "2.5"]
RULES_OFF = tuple(name for name in RULES if name != "screen_offline")


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def webhook():
    hook = Webhook().start()
    yield hook
    hook.stop()


def _alerts_file(tmp_path: Path, smtp_url: str, hook_url: str, **extra) -> Path:
    doc = {
        "channels": {"ops-email": {"type": "email", "url": smtp_url},
                     "ops-hook": {"type": "webhook", "url": hook_url, "secret": SECRET}},
        "webhook_allowed_hosts": ["127.0.0.1"],
        "routes": [{"channels": ["ops-email", "ops-hook"]}],
        "rules": {"screen_offline": {"for": 1, "clear_after": 1},
                  **{name: {"enabled": False} for name in RULES_OFF}},
        "delivery": {"attempts": 5, "backoff": 0.5, "backoff_max": 2, "timeout": 2},
        **extra,
    }
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _env(alerts: Path) -> dict[str, str]:
    # 3 s: a screen is offline 9.6 s after its last heartbeat. The controller takes one
    # heartbeat per 5 s per connection (event budget), so players beat every 2.5 s
    # (PLAYER_FLAGS): one in two is taken, never more than 7.5 s apart. (The player's
    # first interval after connecting is its own, 15 s by default, not the
    # controller's: hence the flag rather than the controller's welcome.)
    return {"PANO_HEARTBEAT_INTERVAL": "3", "PANO_ALERTS_INTERVAL": "0.5",
            "PANO_ALERTS_CONFIG": str(alerts)}


def _setup(tmp_path: Path) -> tuple[Path, str, str]:
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    return data, screen_token(data, SCREEN), admin_token(data)


def _alerts(controller: Controller, token: str) -> dict:
    status, body = get_json(f"{controller.url}/api/v1/alerts", token)
    assert status == 200, body
    return body


def _kinds(webhook: Webhook) -> list[str]:
    return [json.loads(body)["kind"] for _headers, body in webhook.received]


def _settled(controller: Controller, token: str, kinds: int) -> bool:
    """Nothing queued any more and ``kinds`` notifications sent in all."""
    body = _alerts(controller, token)
    rows = [n for i in body["open"] + body["history"] for n in i["notifications"]]
    return len(rows) == kinds and all(n["state"] == "sent" for n in rows)


def test_a_killed_player_gives_one_alert_and_one_recovery(tmp_path, mailbox, webhook):
    data, token, admin = _setup(tmp_path)
    alerts = _alerts_file(tmp_path, mailbox.url(), webhook.url)
    controller = Controller(data, env=_env(alerts)).start()
    player = Player(controller.url, SCREEN, token, tmp_path / "cache", extra=PLAYER_FLAGS)
    try:
        player.start()
        wait_for(lambda: player.status()[1].get("connected"), what="player connected")
        player.kill()
        wait_for(lambda: len(webhook.received) >= 1 and len(mailbox.messages) >= 1,
                 timeout=30, what="the offline alert")
        wait_for(lambda: _settled(controller, admin, 2), what="both notifications sent")
        body = _alerts(controller, admin)
        assert [(i["rule"], i["screen"], i["site"]) for i in body["open"]] == [
            ("screen_offline", SCREEN, SITE)]
        headers, raw = webhook.received[0]
        assert headers["X-Pano-Signature"] == sign(SECRET, raw)
        sent = json.loads(raw)
        assert (sent["kind"], sent["screen"]["id"], sent["site"]["id"]) == (
            "open", SCREEN, SITE)
        subject = mailbox.subjects()[0]
        assert "Màn hình mất kết nối" in subject and "Screen offline" in subject
        text = mailbox.messages[0].get_content()
        assert "operations.md#alert-screen-offline" in text and "What to do first" in text

        player.start()
        wait_for(lambda: "recovery" in _kinds(webhook), timeout=30, what="the recovery")
        wait_for(lambda: _settled(controller, admin, 4), what="recovery sent everywhere")
        assert _kinds(webhook) == ["open", "recovery"]
        assert len(mailbox.messages) == 2 and "RECOVERED" in mailbox.subjects()[1]
        body = _alerts(controller, admin)
        assert body["open"] == [] and [i["state"] for i in body["history"]] == ["cleared"]
    finally:
        player.stop()
        controller.stop()


def _span_around_now() -> str:
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    start, end = now - timedelta(hours=2), now + timedelta(hours=2)
    return f"{start:%H:%M}-{end:%H:%M}"


def test_quiet_hours_send_nothing_and_two_processes_send_once(tmp_path, mailbox, webhook):
    """Two controllers on one SQLite file (they elect one to evaluate, by the file lock;
    docs/operations.md "Scaling out"): the border gate's screen, in quiet hours, sends
    nothing; the airport's screen, killed, sends one alert."""
    data, token, admin = _setup(tmp_path)
    other = screen_token(data, "phu-bai-arrivals")
    alerts = _alerts_file(tmp_path, mailbox.url(), webhook.url,
                          sites={SITE: {"quiet_hours": [_span_around_now()]}})
    first = Controller(data, env=_env(alerts), name="first").start()
    second = Controller(data, env=_env(alerts), name="second").start()
    quiet = Player(first.url, SCREEN, token, tmp_path / "cache-quiet", extra=PLAYER_FLAGS)
    loud = Player(second.url, "phu-bai-arrivals", other, tmp_path / "cache-loud",
                  extra=PLAYER_FLAGS)
    try:
        quiet.start()
        loud.start()
        wait_for(lambda: quiet.status()[1].get("connected")
                 and loud.status()[1].get("connected"), what="both players connected")
        quiet.kill()
        loud.kill()
        wait_for(lambda: len(webhook.received) >= 1, timeout=30, what="the airport alert")
        wait_for(lambda: _settled(first, admin, 2), what="its notifications sent")
        body = _alerts(second, admin)
        assert [i["screen"] for i in body["open"]] == ["phu-bai-arrivals"]
        assert len(webhook.received) == 1 and len(mailbox.messages) == 1
        assert json.loads(webhook.received[0][1])["screen"]["id"] == "phu-bai-arrivals"
    finally:
        quiet.stop()
        loud.stop()
        first.stop()
        second.stop()


def test_unreachable_channels_are_retried_and_shown_pushes_go_on(tmp_path):
    data, token, admin = _setup(tmp_path)
    alerts = _alerts_file(tmp_path, "mailto://127.0.0.1:9?from=a@b.vn&to=c@d.vn",
                          "http://127.0.0.1:9/hook")  # port 9: connection refused
    controller = Controller(data, env=_env(alerts)).start()
    player = Player(controller.url, SCREEN, token, tmp_path / "cache", extra=PLAYER_FLAGS)
    watcher = Player(controller.url, "phu-bai-arrivals", screen_token(data, "phu-bai-arrivals"),
                     tmp_path / "cache-2", extra=PLAYER_FLAGS)
    try:
        player.start()
        watcher.start()
        wait_for(lambda: player.status()[1].get("connected"), what="player connected")
        player.kill()

        def retried() -> dict[str, str]:
            problems = _alerts(controller, admin)["delivery_problems"]
            said = {p["channel"]: p["last_error"] for p in problems if p["attempts"] >= 2}
            return said if len(said) == 2 else {}
        said = wait_for(retried, timeout=40, what="both channels retried")
        body = _alerts(controller, admin)
        assert [i["screen"] for i in body["open"]] == [SCREEN]
        assert "webhook not reached" in said["ops-hook"]
        assert said["ops-email"].startswith("e-mail not sent")
        # Meanwhile the other screen's heartbeats and pushes are served as ever.
        version = watcher.status()[1]["timeline_version"]
        assert version
        status, screens = get_json(f"{controller.url}/api/v1/screens", admin)
        online = {s["id"]: s["online"] for s in screens["screens"]}
        assert online["phu-bai-arrivals"] is True and online[SCREEN] is False
    finally:
        watcher.stop()
        player.stop()
        controller.stop()
