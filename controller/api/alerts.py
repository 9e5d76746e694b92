"""Alerts for technicians and admins (docs/alerts.md):

- ``GET /api/v1/alerts``: open incidents, the latest cleared ones, notifications that
  failed or wait for a retry, and ``config_error`` when config/alerts.yaml is refused
  (the rules in force then stay as they were).
- ``POST /api/v1/alerts/<incident_id>/ack`` ``{"note": "…"}``: acknowledge an open or
  cleared incident with a note (1–1000 characters); recorded in the audit log.
- ``PUT /api/v1/alerts/rules/<rule>`` ``{"for": 600, …}`` (admins): change a rule; the
  change wins over config/alerts.yaml for that rule, audited (``alert.rule``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, g, request

from controller.alerts import rule_edits
from controller.alerts.rules import AlertsConfig, AlertsConfigError, defaults, load
from controller.alerts.views import incident, overview
from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.models import AlertIncident, AlertRuleSetting, utcnow
from controller.refusals import refusal
from controller.review.audit import record
from controller.state import db, state

alerts_api = Blueprint("alerts_api", __name__, url_prefix="/api/v1")

ROLES = ("admin", "technician")
MAX_NOTE = 1000


def _config() -> tuple[AlertsConfig, str | None]:
    """(config/alerts.yaml as read now, or the defaults; its refusal or None)."""
    try:
        return load(Path(state().settings.alerts_config)), None
    except AlertsConfigError as exc:
        return defaults(), str(exc)


@alerts_api.get("/alerts")
@require_role(*ROLES)
def list_alerts() -> Any:
    if request.args:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=next(iter(request.args))[:40], allowed="none"))
    config, error = _config()
    session = db()
    return {**overview(session, config.runbook_url), "config_error": error,
            "rules": rule_edits.describe(config, rule_edits.stored(session))}


@alerts_api.post("/alerts/<int:incident_id>/ack")
@require_role(*ROLES)
def acknowledge(incident_id: int) -> Any:
    session = db()
    row = session.get(AlertIncident, incident_id)
    if row is None or row.state not in ("open", "cleared"):
        raise ApiError(404, refusal("No alert incident %(number)s.", number=incident_id))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, refusal("Send a JSON body (Content-Type: application/json)."))
    unknown = sorted(set(body) - {"note"})
    if unknown:
        raise ApiError(400, refusal("Unknown field %(name)r (allowed: %(allowed)s).",
                                    name=str(unknown[0])[:40], allowed="note"))
    note = body.get("note")
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE:
        raise ApiError(400, refusal("'note' must be text of 1 to %(most)d characters: "
                                    "what you did or will do.", most=MAX_NOTE))
    if row.acked_at is not None:
        raise ApiError(409, refusal("Alert incident %(number)s was already acknowledged "
                                    "by %(who)s.", number=incident_id, who=row.acked_by))
    row.acked_by, row.acked_at, row.ack_note = g.user.username, utcnow(), note.strip()
    record(session, current_actor(), "alert.acknowledge", "alert_incident", row.id,
           after={"rule": row.rule, "screen": row.screen_id, "state": row.state},
           note=row.ack_note)
    session.commit()
    config, _error = _config()
    return incident(row, config.runbook_url, [])


@alerts_api.put("/alerts/rules/<rule>")
@require_role("admin")
def change_rule(rule: str) -> Any:
    try:
        change = rule_edits.validate_change(rule, request.get_json(silent=True))
    except rule_edits.RuleRefused as exc:
        raise ApiError(exc.status, str(exc)) from None
    session = db()
    row = session.get(AlertRuleSetting, rule)
    before = dict(row.settings) if row is not None else {}
    if row is None:
        row = AlertRuleSetting(rule=rule, settings={})
        session.add(row)
    row.settings = {**before, **change}
    row.updated_by, row.updated_at = g.user.username, utcnow()
    record(session, current_actor(), "alert.rule", "alert_rule", rule, before=before,
           after=row.settings)
    session.commit()
    config, _error = _config()
    return next(r for r in rule_edits.describe(config, rule_edits.stored(session))
                if r["rule"] == rule)
