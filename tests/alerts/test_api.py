"""``/api/v1/alerts`` on a real controller: open incidents and history, acknowledging
with a note (audited), refusals that change nothing, and the failed deliveries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from support.alert_rows import open_incident
from web.helpers import call

from controller.models import AlertIncident, AlertRuleSetting, AuditEntry
from controller.server import ControllerServer


@pytest.fixture
def server(fleet):
    running = ControllerServer(fleet.settings).start()
    yield running
    running.stop()


def _incident(fleet) -> int:
    return open_incident(fleet.sessions, failed_delivery="webhook not reached: refused")


def test_list_and_acknowledge_with_a_note(fleet, server):
    tech = fleet.users["technician"]
    number = _incident(fleet)
    status, body = call(server, "GET", "/api/v1/alerts", tech)
    assert status == 200, body
    assert [i["id"] for i in body["open"]] == [number]
    first = body["open"][0]
    assert first["runbook"].endswith("operations.md#alert-screen-offline")
    assert body["delivery_problems"][0]["last_error"] == "webhook not reached: refused"
    assert body["config_error"] is None

    status, body = call(server, "POST", f"/api/v1/alerts/{number}/ack", tech,
                        {"note": "Đã gọi người trực ở cửa khẩu"})
    assert status == 200, body
    assert body["acknowledged"]["by"] == "technician-user"
    with fleet.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert.acknowledge")).one()
        assert (entry.object_id, entry.note) == (str(number),
                                                 "Đã gọi người trực ở cửa khẩu")
    status, body = call(server, "POST", f"/api/v1/alerts/{number}/ack", tech, {"note": "x"})
    assert status == 409 and "already acknowledged" in body["message"]


@pytest.mark.parametrize("payload, words", [
    ({}, "'note' must be text"),
    ({"note": "  "}, "'note' must be text"),
    ({"note": "x" * 1001}, "'note' must be text"),
    ({"note": "ok", "by": "someone"}, "Unknown field 'by'"),
])
def test_refused_acknowledgements_change_nothing(fleet, server, payload, words):
    number = _incident(fleet)
    status, body = call(server, "POST", f"/api/v1/alerts/{number}/ack",
                        fleet.users["admin"], payload)
    assert status == 400 and words in body["message"], body
    with fleet.sessions() as session:
        assert session.get(AlertIncident, number).acked_at is None
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert.acknowledge")).all() == []


def test_roles_and_missing_incidents(fleet, server):
    status, _ = call(server, "GET", "/api/v1/alerts", fleet.users["viewer"])
    assert status == 403
    status, body = call(server, "POST", "/api/v1/alerts/999/ack", fleet.users["admin"],
                        {"note": "x"})
    assert status == 404 and "No alert incident 999" in body["message"]


def test_a_refused_alerts_file_is_shown(fleet, tmp_path):
    bad = tmp_path / "alerts.yaml"
    bad.write_text("rules:\n  screen_offline: {for: -5}\n", encoding="utf-8")
    import dataclasses

    running = ControllerServer(dataclasses.replace(fleet.settings, alerts_config=bad)).start()
    try:
        status, body = call(running, "GET", "/api/v1/alerts", fleet.users["admin"])
        assert status == 200
        assert "line 2" in body["config_error"] and "impossible" in body["config_error"]
    finally:
        running.stop()


def test_an_admin_changes_a_rule_in_the_panel(fleet, server):
    admin = fleet.users["admin"]
    status, body = call(server, "PUT", "/api/v1/alerts/rules/cpu_temp_high", admin,
                        {"max_celsius": 75, "for": 120})
    assert status == 200, body
    assert (body["for"], body["limits"], body["changed_in_panel"]) == (
        120.0, {"max_celsius": 75.0}, ["for", "max_celsius"])
    status, body = call(server, "PUT", "/api/v1/alerts/rules/cpu_temp_high", admin,
                        {"severity": "critical"})
    assert status == 200 and body["for"] == 120.0 and body["severity"] == "critical"
    rules = {r["rule"]: r for r in call(server, "GET", "/api/v1/alerts", admin)[1]["rules"]}
    assert rules["cpu_temp_high"]["limits"] == {"max_celsius": 75.0}
    assert rules["screen_offline"]["changed_in_panel"] == []
    with fleet.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert.rule").order_by(AuditEntry.id)).all()
        assert [(e.before, e.after) for e in entries] == [
            ({}, {"max_celsius": 75.0, "for": 120.0}),
            ({"max_celsius": 75.0, "for": 120.0},
             {"max_celsius": 75.0, "for": 120.0, "severity": "critical"})]


@pytest.mark.parametrize("rule, payload, status, words", [
    ("screen_ofline", {"for": 60}, 404, "No alert rule 'screen_ofline'"),
    ("screen_offline", {}, 400, "Send a JSON object with the fields to change"),
    ("screen_offline", {"colour": "red"}, 400, "Unknown field 'colour'"),
    ("screen_offline", {"max_celsius": 70}, 400, "Unknown field 'max_celsius'"),
    ("screen_offline", {"for": -1}, 400, "'for' must be a number from 0 to 86400, got -1"),
    ("cpu_temp_high", {"max_celsius": 500}, 400, "from 30 to 120, got 500"),
    ("screen_offline", {"severity": "urgent"}, 400, "'severity' must be one of"),
    ("screen_offline", {"enabled": "yes"}, 400, "'enabled' must be true or false"),
])
def test_refused_rule_changes_store_nothing(fleet, server, rule, payload, status, words):
    answer, body = call(server, "PUT", f"/api/v1/alerts/rules/{rule}",
                        fleet.users["admin"], payload)
    assert answer == status and words in body["message"], body
    with fleet.sessions() as session:
        assert session.scalars(select(AlertRuleSetting)).all() == []
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert.rule")).all() == []


def test_technicians_may_not_change_rules(fleet, server):
    status, _ = call(server, "PUT", "/api/v1/alerts/rules/screen_offline",
                     fleet.users["technician"], {"for": 60})
    assert status == 403


def test_the_engine_applies_the_panel_changes(fleet, tmp_path):
    import dataclasses

    from controller.alerts.engine import AlertsEngine
    from controller.models import ScreenStatus

    settings = dataclasses.replace(fleet.settings, alerts_config=tmp_path / "none.yaml")
    engine = AlertsEngine(settings, fleet.sessions)
    with fleet.sessions() as session:
        session.add(ScreenStatus(screen_id="a-dot-entry-hall", connected=False,
                                 last_seen=datetime(2026, 1, 1, tzinfo=UTC),
                                 missing_media=[], facts={}, remote_addr=""))
        session.add(AlertRuleSetting(rule="screen_offline", settings={"for": 0.0},
                                     updated_by="admin-user"))
        session.commit()
    assert engine.evaluate()["opened"] == 1  # the file's default hold is 5 minutes
