"""Emergency broadcasts through the real controller: roles, every refusal (and that it
writes nothing), the push to exactly the targeted screens, receipts, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from web.helpers import BORDER_SCREENS, call, wait_for

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.models import Emergency, EmergencyReceipt

MESSAGES = {"vi": {"title": "Đóng cửa khẩu", "body": "Tạm dừng làm thủ tục."},
            "en": {"title": "Gate closed", "body": "Formalities are suspended."}}


@pytest.fixture(scope="module")
def operator(fleet) -> str:
    with fleet.sessions() as session:
        add_user(session, "duty-officer", "emergency", password="correct horse battery")
        session.flush()
        token = issue_user_token(session, "duty-officer")
        session.commit()
    return token


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"messages": MESSAGES, "targets": {"sites": ["a-dot-border-gate"]},
                            "duration_minutes": 30}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def count(fleet) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(Emergency))


def test_roles_no_token_and_wrong_roles_are_refused(server, fleet):
    before = count(fleet)
    assert call(server, "POST", "/api/v1/emergencies", None, payload())[0] == 401
    for role in ("viewer", "technician"):
        status, body = call(server, "POST", "/api/v1/emergencies", fleet.users[role],
                            payload())
        assert status == 403 and body["error"] == "forbidden"
        assert "emergency" in body["message"]
    assert call(server, "GET", "/api/v1/emergencies/1", fleet.users["viewer"])[0] == 403
    assert count(fleet) == before


IN_PAST = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
TOO_LATE = (datetime.now(UTC) + timedelta(days=8)).isoformat()


@pytest.mark.parametrize("body, fragment", [
    (payload(messages={"vi": MESSAGES["vi"]}), "en"),
    (payload(messages={"en": MESSAGES["en"]}), "vi"),
    (payload(messages={**MESSAGES, "en": {"title": ""}}), "messages.en.title"),
    (payload(messages={**MESSAGES, "vi": {"title": "x" * 201}}), "limit is 200"),
    (payload(messages={**MESSAGES, "en": {"title": "a", "body": "b" * 1001}}),
     "limit is 1000"),
    (payload(messages={**MESSAGES, "Lao!": {"title": "x"}}), "language code"),
    (payload(targets={}), "targets is empty"),
    (payload(targets={"sites": [], "screens": []}), "targets is empty"),
    (payload(targets={"sites": ["nowhere"]}), "unknown site(s): nowhere"),
    (payload(targets={"screens": ["a-dot-entry-hall", "ghost"]}), "unknown screen(s): ghost"),
    (payload(targets={"tags": ["border"]}), "unknown key"),
    (payload(duration_minutes=None, ends_at=IN_PAST), "in the past"),
    (payload(duration_minutes=None, ends_at=TOO_LATE), "7 days"),
    (payload(duration_minutes=60 * 24 * 8), "7 days"),
    (payload(duration_minutes=0), "duration_minutes must be a number > 0"),
    (payload(duration_minutes=None), "exactly one of ends_at"),
    (payload(ends_at=TOO_LATE), "exactly one of ends_at"),
    (payload(duration_minutes=None, ends_at="2026-13-01T00:00:00Z"), "not an ISO 8601"),
    (payload(duration_minutes=None, ends_at="2099-01-01T00:00:00"), "no time zone"),
    (payload(url="javascript:alert(1)"), "http:// or https://"),
    (payload(colour="red"), "unknown field(s): colour"),
    # Within every length limit, but three long texts cannot fit one slide at A Đớt.
    (payload(messages={lang: {"title": "Thông báo khẩn " * 12, "body": "Nội dung dài " * 76}
                       for lang in ("vi", "en", "lo")}),
     "too long for the 1920×1080 screens of a-dot-border-gate"),
    ([1, 2], "JSON object"),
])
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(server, fleet,
                                                                        operator, body,
                                                                        fragment):
    before = count(fleet)
    status, answer = call(server, "POST", "/api/v1/emergencies", operator, body)
    assert status == 400, answer
    assert answer["error"] == "bad_request"
    assert fragment in answer["message"]
    assert count(fleet) == before


def test_a_body_that_is_not_json_is_refused(server, operator):
    status, answer = call(server, "POST", "/api/v1/emergencies", operator, raw=b"{nope")
    assert status == 400 and "JSON" in answer["message"]


def test_unknown_emergency_is_404(server, operator):
    assert call(server, "GET", "/api/v1/emergencies/99999", operator)[0] == 404
    assert call(server, "POST", "/api/v1/emergencies/99999/cancel", operator)[0] == 404


def test_it_reaches_exactly_the_targeted_screens_with_receipts_and_cancel(
        server, fleet, operator, players):
    border = {s: players().connect(s, fleet.tokens[s]) for s in BORDER_SCREENS}
    other = players().connect("phu-bai-arrivals", fleet.tokens["phu-bai-arrivals"])
    for player in [*border.values(), other]:
        first = player.next_timeline()
        assert "emergencies" not in first

    status, created = call(server, "POST", "/api/v1/emergencies", operator,
                           payload(url="https://hue.gov.vn/khan"))
    assert status == 201, created
    eid = created["id"]
    assert created["state"] == "active"
    assert created["created_by"]["username"] == "duty-officer"
    assert {r["screen"] for r in created["screens"]} == set(BORDER_SCREENS)

    for player in border.values():
        body = player.next_timeline()
        [entry] = body["emergencies"]
        assert entry["id"] == eid and entry["messages"] == MESSAGES
        assert entry["url"] == "https://hue.gov.vn/khan"
    with pytest.raises(Exception):  # noqa: B017 - queue.Empty: Phú Bài gets no push
        other.next_timeline(timeout=1.0)

    # Connected but not shown yet: pending (each player heartbeats to count as online).
    for player in border.values():
        assert player.call("heartbeat", {"uptime": 1.0})["ok"]
    report = wait_for(lambda: all(r["status"] == "pending" for r in call(
        server, "GET", f"/api/v1/emergencies/{eid}", operator)[1]["screens"]) and True,
        what="both border screens pending")
    assert report

    hall = border["a-dot-entry-hall"]
    first_time = "2026-11-26T08:00:00Z"
    assert hall.call("emergency_shown", {"id": eid, "shown_at": first_time}) == {"ok": True}
    assert hall.call("emergency_shown", {"id": eid,
                                         "shown_at": "2026-11-26T08:05:00Z"})["ok"]
    refused = other.call("emergency_shown", {"id": eid, "shown_at": first_time})
    assert refused["ok"] is False and "does not target" in refused["message"]
    assert hall.call("emergency_shown", {"id": eid, "shown_at": "yesterday"})["error"] == \
        "bad_request"
    _, report = call(server, "GET", f"/api/v1/emergencies/{eid}", operator)
    rows = {r["screen"]: r for r in report["screens"]}
    assert rows["a-dot-entry-hall"]["status"] == "shown"
    assert rows["a-dot-entry-hall"]["shown_at"] == first_time  # the first report is kept
    assert report["summary"]["shown"] == 1
    with fleet.sessions() as session:
        assert session.scalar(select(func.count()).select_from(EmergencyReceipt)) == 1

    # Technicians may read the receipts, not cancel.
    assert call(server, "GET", f"/api/v1/emergencies/{eid}", fleet.users["technician"])[0] \
        == 200
    assert call(server, "POST", f"/api/v1/emergencies/{eid}/cancel",
                fleet.users["technician"])[0] == 403
    status, cancelled = call(server, "POST", f"/api/v1/emergencies/{eid}/cancel", operator)
    assert status == 200 and cancelled["state"] == "cancelled"
    for player in border.values():
        assert "emergencies" not in player.next_timeline()
    status, again = call(server, "POST", f"/api/v1/emergencies/{eid}/cancel", operator)
    assert status == 400 and "already cancelled" in again["message"]


def test_screens_that_never_showed_an_ended_emergency_are_missed(server, fleet, operator):
    status, sent = call(server, "POST", "/api/v1/emergencies", operator,
                        payload(targets={"screens": ["a-dot-outdoor-pano"]}))
    assert status == 201, sent
    status, cancelled = call(server, "POST", f"/api/v1/emergencies/{sent['id']}/cancel",
                             operator)
    assert status == 200 and cancelled["state"] == "cancelled"
    assert [s["status"] for s in cancelled["screens"]] == ["missed"]
    assert cancelled["summary"]["missed"] == 1
