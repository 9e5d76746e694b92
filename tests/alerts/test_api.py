"""``/api/v1/alerts`` on a real controller: open incidents and history, acknowledging
with a note (audited), refusals that change nothing, and the failed deliveries."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.alert_rows import open_incident
from web.helpers import call

from controller.models import AlertIncident, AuditEntry
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
