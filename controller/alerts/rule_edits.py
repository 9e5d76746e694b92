"""Changing a rule in the panel (``PUT /api/v1/alerts/rules/<rule>``, admins): the
fields given are checked here (the bounds are those of config/alerts.yaml, rules.RULES),
kept in ``alert_rule_settings`` and win over the file's for that rule until changed
again. The file stays the operator's; the panel never writes it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.alerts.rules import DAY, RULES, SEVERITIES, AlertsConfig, Rule
from controller.models import AlertRuleSetting
from controller.refusals import refusal

TIMES = {"for": (0.0, DAY), "clear_after": (0.0, DAY)}


class RuleRefused(ValueError):
    """A change refused: ``status`` (404 for an unknown rule, else 400) and ``str()``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def validate_change(rule: str, body: Any) -> dict[str, Any]:
    """The change as it will be stored (numbers as floats), or RuleRefused."""
    if rule not in RULES:
        raise RuleRefused(404, refusal("No alert rule %(rule)r (known: %(known)s).",
                                       rule=rule[:40], known=", ".join(RULES)))
    limits = RULES[rule][3]
    allowed = ("enabled", "for", "clear_after", "severity", *limits)
    if not isinstance(body, dict) or not body:
        raise RuleRefused(400, refusal("Send a JSON object with the fields to change, "
                                       "such as {\"for\": 300}."))
    for key in body:
        if key not in allowed:
            raise RuleRefused(400, refusal("Unknown field %(name)r (allowed: %(allowed)s).",
                                           name=str(key)[:40], allowed=", ".join(allowed)))
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise RuleRefused(400, refusal("'enabled' must be true or false."))
            out[key] = value
        elif key == "severity":
            if value not in SEVERITIES:
                raise RuleRefused(400, refusal("%(key)r must be one of %(choices)s, got "
                                               "%(value)r", key="severity",
                                               choices=", ".join(SEVERITIES),
                                               value=str(value)[:40]))
            out[key] = value
        else:
            low, high = TIMES[key] if key in TIMES else limits[key][1:3]
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not low <= value <= high:
                raise RuleRefused(400, refusal("%(name)r must be a number from %(low)s to "
                                               "%(high)s, got %(value)s.", name=key,
                                               low=format(low, "g"), high=format(high, "g"),
                                               value=str(value)[:40]))
            out[key] = float(value)
    return out


def stored(session: Session) -> dict[str, dict[str, Any]]:
    return {row.rule: dict(row.settings or {})
            for row in session.scalars(select(AlertRuleSetting))}


def apply(config: AlertsConfig, changes: dict[str, dict[str, Any]]) -> AlertsConfig:
    """The configuration in force: the file's, with the panel's changes on top."""
    rules = dict(config.rules)
    for name, change in changes.items():
        rule = rules.get(name)
        if rule is None:
            continue
        limits = {k: float(change.get(k, v)) for k, v in rule.limits.items()}
        rules[name] = Rule(name, bool(change.get("enabled", rule.enabled)),
                           float(change.get("for", rule.hold)),
                           float(change.get("clear_after", rule.clear_after)),
                           str(change.get("severity", rule.severity)), limits)
    return replace(config, rules=rules)


def describe(config: AlertsConfig, changes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every rule as it is in force, and which fields the panel changed."""
    in_force = apply(config, changes)
    return [{"rule": r.name, "enabled": r.enabled, "for": r.hold,
             "clear_after": r.clear_after, "severity": r.severity, "limits": r.limits,
             "changed_in_panel": sorted(changes.get(r.name, {}))}
            for r in in_force.rules.values()]
