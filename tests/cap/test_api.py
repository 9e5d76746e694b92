"""The emergency-drafts API of a real controller app (Flask's test client): roles, a
draft completed and sent by a person of the emergency role (validated as any
emergency; the emergency then in GET /api/v1/emergencies), dismissing, an update of a
sent alert waiting for a person while the broadcast keeps running, the feed's cancel
ending it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cap.feeds import SOURCE, feed
from sqlalchemy import func, select

from controller.cap.feed import ingest_feed
from controller.models import AuditEntry, Emergency

NOW = datetime.now(UTC).replace(microsecond=0)
LAO = {"title": "ເຕືອນໄພພາຍຸ", "body": "ກະລຸນາຢູ່ໃນອາຄານ."}


def ingest(pano, body: bytes) -> str:
    with pano.sessions() as session:
        result = ingest_feed(session, SOURCE, body, datetime.now(UTC))
        session.commit()
    return str(result)


def typhoon(pano, identifier: str) -> tuple[bytes, int]:
    """A fresh typhoon alert (its own identifier) and the waiting draft it made."""
    body = feed("typhoon-hue.xml", NOW).replace(
        b"VN-NCHMF-2026-TY06-001", identifier.encode())
    ingest(pano, body)
    status, listed = pano.call("GET", "/api/v1/emergency-drafts?status=waiting&limit=1",
                               "emergency")
    assert status == 200, listed
    return body, listed["drafts"][0]["id"]


def emergencies(pano) -> int:
    with pano.sessions() as session:
        return session.scalar(select(func.count()).select_from(Emergency))


def test_roles(pano):
    _body, number = typhoon(pano, "ROLES-1")
    assert pano.call("GET", "/api/v1/emergency-drafts", None)[0] == 401
    assert pano.call("GET", "/api/v1/emergency-drafts", "viewer")[0] == 403
    status, draft = pano.call("GET", f"/api/v1/emergency-drafts/{number}", "technician")
    assert status == 200 and draft["missing_languages"] == ["lo"]
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{number}/send",
                               "technician", {"messages": {"lo": LAO}})
    assert status == 403 and emergencies(pano) == 0
    assert pano.call("GET", "/api/v1/emergency-drafts/999999", "emergency")[0] == 404


def test_a_draft_is_completed_and_sent_by_a_person(pano):
    _body, number = typhoon(pano, "SEND-1")
    before = emergencies(pano)
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{number}/send",
                               "emergency", {"messages": {"lo": {"title": ""}}})
    assert status == 400 and "messages.lo.title is required" in answer["message"]
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{number}/send",
                               "emergency", {"messages": {"lo": LAO}, "colour": "red"})
    assert status == 400 and "unknown field(s): colour" in answer["message"]
    assert emergencies(pano) == before  # refused: nothing written

    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{number}/send",
                               "emergency", {"messages": {"lo": LAO}})
    assert status == 201, answer
    emergency = answer["emergency"]
    assert answer["draft"]["status"] == "sent"
    assert answer["draft"]["emergency_id"] == emergency["id"]
    assert answer["draft"]["decided_by"] == "emergency-person"
    assert sorted(emergency["messages"]) == ["en", "lo", "vi"]
    assert sorted(emergency["targets"]["sites"]) == ["a-dot-border-gate", "chan-may-port",
                                                     "lang-co-pano", "phu-bai-airport"]
    status, listed = pano.call("GET", "/api/v1/emergencies", "emergency")
    assert emergency["id"] in [e["id"] for e in listed["emergencies"]]
    again = pano.call("POST", f"/api/v1/emergency-drafts/{number}/send", "emergency",
                      {"messages": {"lo": LAO}})
    assert again[0] == 400 and "is sent; only a waiting draft" in again[1]["message"]
    with pano.sessions() as session:
        who = session.scalar(select(AuditEntry.actor).where(
            AuditEntry.action == "emergency_draft.send",
            AuditEntry.object_id == str(number)))
    assert who == "emergency-person"


def test_sending_without_english_names_it(pano):
    body = feed("geocode-feed.xml", NOW)
    ingest(pano, body)
    status, listed = pano.call("GET", "/api/v1/emergency-drafts?limit=1", "emergency")
    draft = listed["drafts"][0]
    assert draft["missing_languages"] == ["en"]
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{draft['id']}/send",
                               "emergency", {})
    assert status == 400 and "messages needs a text in en" in answer["message"]


def test_dismiss(pano):
    _body, number = typhoon(pano, "DISMISS-1")
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{number}/dismiss",
                               "emergency")
    assert status == 200 and answer["status"] == "dismissed"
    assert pano.call("POST", f"/api/v1/emergency-drafts/{number}/dismiss",
                     "emergency")[0] == 400


def test_an_update_of_a_sent_alert_waits_and_replaces_it_and_a_cancel_ends_all(pano):
    body, number = typhoon(pano, "FLOW-1")
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{number}/send",
                               "emergency", {"messages": {"lo": LAO}})
    first = answer["emergency"]["id"]
    update = feed("update.xml", NOW).replace(b"VN-NCHMF-2026-TY06-001", b"FLOW-1") \
        .replace(b"VN-NCHMF-2026-TY06-002", b"FLOW-2")
    assert "1 draft(s) made or updated" in ingest(pano, update)
    status, listed = pano.call("GET", "/api/v1/emergency-drafts?status=waiting&limit=1",
                               "emergency")
    newer = listed["drafts"][0]
    assert newer["replaces"] == [first] and newer["id"] != number
    status, running = pano.call("GET", f"/api/v1/emergencies/{first}", "emergency")
    assert running["cancelled_at"] is None  # still on screens until the update is sent
    status, answer = pano.call("POST", f"/api/v1/emergency-drafts/{newer['id']}/send",
                               "emergency", {"messages": {"lo": LAO}})
    assert status == 201, answer
    second = answer["emergency"]["id"]
    status, replaced = pano.call("GET", f"/api/v1/emergencies/{first}", "emergency")
    assert replaced["cancelled_at"] is not None

    cancel = feed("cancel.xml", NOW).replace(b"VN-NCHMF-2026-TY06-001", b"FLOW-1") \
        .replace(b"VN-NCHMF-2026-TY06-002", b"FLOW-2")
    assert "1 draft(s) or broadcast(s) ended" in ingest(pano, cancel)
    status, ended = pano.call("GET", f"/api/v1/emergencies/{second}", "emergency")
    assert ended["cancelled_at"] is not None


@pytest.mark.parametrize("query, fragment", [
    ("?limit=0", "'limit' must be a whole number from 1 to 100"),
    ("?limit=many", "'limit' must be a whole number"),
    ("?status=open", "'status' must be one of waiting, sent, dismissed, cancelled"),
    ("?colour=red", "Unknown parameter 'colour'"),
])
def test_bad_list_parameters_are_refused(pano, query, fragment):
    status, answer = pano.call("GET", f"/api/v1/emergency-drafts{query}", "emergency")
    assert status == 400 and fragment in answer["message"]


def test_a_send_without_a_json_body_is_refused(pano):
    _body, number = typhoon(pano, "NOBODY-1")
    answer = pano.client.post(f"/api/v1/emergency-drafts/{number}/send", data=b"lo",
                              headers={"Authorization": f"Bearer {pano.tokens['emergency']}",
                                       "Content-Type": "text/plain"})
    assert answer.status_code == 400
    assert "Send a JSON body" in answer.get_json()["message"]
