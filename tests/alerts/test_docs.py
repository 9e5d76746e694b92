"""Every alert links to a runbook section that exists, and docs/alerts.md names every
rule and threshold the code knows."""

from __future__ import annotations

from pathlib import Path

from controller.alerts.messages import TEXTS
from controller.alerts.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_runbook_anchor_exists():
    operations = (DOCS / "operations.md").read_text(encoding="utf-8")
    for rule, (anchor, _what, _do) in TEXTS.items():
        assert f'<a id="{anchor}"></a>' in operations, rule
    assert set(RULES) <= set(TEXTS)


def test_every_rule_and_threshold_is_documented():
    alerts = (DOCS / "alerts.md").read_text(encoding="utf-8")
    for rule, (_for, _clear, _severity, limits) in RULES.items():
        assert f"| `{rule}` |" in alerts, rule
        for name in limits:
            assert f"`{name}`" in alerts, name
