"""config/alerts.yaml refusals (unknown fields, impossible thresholds, webhooks outside
the allow-list) say where and why; the repository's file is valid; ``pano-controller
alerts test`` sends one real message per channel, or says why it could not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support.processes import REPO, controller_cli

from controller.alerts.channels import sign
from controller.alerts.rules import AlertsConfigError, load

from .conftest import SECRET, alerts_yaml


def _write(tmp_path: Path, doc: dict | str) -> Path:
    path = tmp_path / "alerts.yaml"
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repository_file_is_valid():
    config = load(REPO / "config" / "alerts.yaml", environ={})
    assert set(config.rules) >= {"screen_offline", "emergency_not_shown", "journal_gap"}
    assert config.quiet_hours["a-dot-border-gate"]


@pytest.mark.parametrize("text, words", [
    ("rules:\n  screen_offline: {for: 60, colour: red}\n",
     "line 2: unknown field of rule screen_offline 'colour'"),
    ("rules:\n  screen_ofline: {for: 60}\n", "unknown rule 'screen_ofline'"),
    ("rulez: {}\n", "line 1: unknown field 'rulez'"),
    ("rules:\n  cpu_temp_high: {max_celsius: 500}\n",
     "max_celsius = 500 °C is impossible: it must be between 30 °C and 120 °C"),
    ("rules:\n  screen_offline: {for: -1}\n", "for = -1 s is impossible"),
    ("rules:\n  screen_offline: {for: soon}\n", "for must be a number"),
    ("rules:\n  disk_full: {severity: urgent}\n", "severity must be one of"),
    ("sites:\n  a-dot-border-gate: {quiet_hours: ['25:00-06:00']}\n",
     "must be HH:MM-HH:MM"),
    ("channels:\n  hook: {type: webhook, url: 'https://evil.example.com/x', secret: "
     "'0123456789abcdef'}\nwebhook_allowed_hosts: [hooks.example.gov.vn]\n",
     "host evil.example.com is not in webhook_allowed_hosts"),
    ("channels:\n  hook: {type: webhook, url: 'https://hooks.example.gov.vn/x', "
     "secret: short}\nwebhook_allowed_hosts: [hooks.example.gov.vn]\n",
     "at least 16 characters"),
    ("channels:\n  mail: {type: email, url: 'smtp://x'}\n", "mailto:// or mailtos://"),
    ("routes:\n  - channels: [nowhere]\n", "route names channel 'nowhere'"),
    ("delivery: {attempts: 0}\n", "attempts = 0 is impossible"),
])
def test_refusals_name_the_place_and_the_reason(tmp_path, text, words):
    with pytest.raises(AlertsConfigError) as caught:
        load(_write(tmp_path, text), environ={})
    assert words in str(caught.value)


def test_check_command_refuses_with_exit_2(tmp_path):
    path = _write(tmp_path, "rules:\n  screen_offline: {for: -1}\n")
    res = controller_cli(tmp_path / "data", "alerts", "check", str(path), check=False)
    assert res.returncode == 2
    assert "refused" in res.stderr and "impossible" in res.stderr


def test_alerts_test_sends_one_message_per_channel(tmp_path, mailbox, webhook):
    path = _write(tmp_path, alerts_yaml(mailbox, webhook))
    env = {"PANO_ALERTS_CONFIG": str(path)}
    res = controller_cli(tmp_path / "data", "alerts", "test", env=env)
    assert "ops-email: test message sent" in res.stdout
    assert "ops-hook: test message sent" in res.stdout
    assert len(mailbox.messages) == 1 and "TEST" in mailbox.subjects()[0]
    headers, body = webhook.received[0]
    assert headers["X-Pano-Signature"] == sign(SECRET, body)
    assert json.loads(body)["kind"] == "test"

    res = controller_cli(tmp_path / "data", "alerts", "test", "--channel", "ops-hook",
                         env=env)
    assert len(webhook.received) == 2 and len(mailbox.messages) == 1

    res = controller_cli(tmp_path / "data", "alerts", "test", "--channel", "nope", env=env,
                         check=False)
    assert res.returncode == 2 and "no channel 'nope'" in res.stderr


def test_alerts_test_says_why_an_unreachable_server_failed(tmp_path, webhook):
    doc = alerts_yaml(None, webhook)
    doc["channels"]["ops-hook"]["url"] = "http://127.0.0.1:9/hook"  # discard: refused
    path = _write(tmp_path, doc)
    res = controller_cli(tmp_path / "data", "alerts", "test",
                         env={"PANO_ALERTS_CONFIG": str(path)}, check=False)
    assert res.returncode == 1
    assert "ops-hook: NOT sent: webhook not reached" in res.stderr
