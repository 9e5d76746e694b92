"""``POST /api/v1/users/<username>/password`` through the real controller: a generated
password shown once, a chosen one, the user's panel sessions ending, API tokens kept,
refusals that change nothing, admins only, and an audit entry without the secret."""

from __future__ import annotations

import json
import re

import pytest
import requests
from sqlalchemy import func, select
from web.test_schedules_api import call, person

from controller.auth.passwords import verify_password
from controller.models import AuditEntry, User

OLD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def people(fleet) -> dict[str, str]:
    with fleet.sessions() as session:
        out = dict(fleet.users)
        out["editor"] = person(session, "pw-editor", "editor", "tourism")
        out["target"] = person(session, "pw-target", "viewer")
        session.commit()
    return out


def panel_session(server, username: str, password: str) -> tuple[requests.Session, int]:
    """Sign in through the panel's login form; (the session, the answer's status)."""
    http = requests.Session()
    page = http.get(server.url + "/panel/login", timeout=10)
    token = CSRF_RE.search(page.text)
    assert token, page.text[:300]
    answer = http.post(server.url + "/panel/login", timeout=10, allow_redirects=False,
                       data={"csrf_token": token.group(1), "username": username,
                             "password": password})
    return http, answer.status_code


def stored_hash(fleet, username: str) -> str:
    with fleet.sessions() as session:
        return session.scalar(select(User.password_hash).where(User.username == username))


def audit_count(fleet) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_generated_password_is_shown_once_and_ends_panel_sessions(server, fleet, people):
    http, status = panel_session(server, "pw-target", OLD)
    assert status == 302
    assert http.get(server.url + "/panel/audit", timeout=10).status_code == 200

    status, body = call(server, "POST", "/api/v1/users/pw-target/password",
                        people["admin"], {})
    assert status == 200, body
    generated = body["password"]
    assert body["username"] == "pw-target" and body["role"] == "viewer"
    assert verify_password(stored_hash(fleet, "pw-target"), generated)

    # The open panel session ended; the old password no longer signs in, the new one does.
    again = http.get(server.url + "/panel/audit", timeout=10, allow_redirects=False)
    assert again.status_code == 302 and "/panel/login" in again.headers["Location"]
    assert panel_session(server, "pw-target", OLD)[1] == 401
    assert panel_session(server, "pw-target", generated)[1] == 302
    # The personal API token keeps working, and the password is not shown again.
    assert call(server, "GET", "/api/v1/schedules", people["target"])[0] == 200
    listed = call(server, "GET", "/api/v1/users", people["admin"])[1]
    assert "password" not in json.dumps(listed)

    status, log = call(server, "GET", "/api/v1/audit?action=user.password"
                       "&object_id=pw-target", people["admin"])
    assert status == 200 and log["entries"][0]["actor"] == "admin-user"
    assert generated not in json.dumps(log)


def test_a_chosen_password_is_set_and_not_echoed(server, fleet, people):
    chosen = "sông Hương chảy mãi"
    status, body = call(server, "POST", "/api/v1/users/pw-editor/password",
                        people["admin"], {"password": chosen})
    assert status == 200 and "password" not in body, body
    assert verify_password(stored_hash(fleet, "pw-editor"), chosen)
    assert chosen not in json.dumps(call(server, "GET", "/api/v1/audit?action=user",
                                         people["admin"])[1])


@pytest.mark.parametrize("username, body, status, fragment", [
    ("pw-editor", {"password": "short"}, 422, "Password too short"),
    ("pw-editor", {"password": " padded with spaces "}, 422, "white space"),
    ("pw-editor", {"password": 123456789012345}, 422, "password must be text"),
    ("pw-editor", {"passwd": "whatever it is here"}, 422, "Unknown field 'passwd'"),
    ("pw-editor", [], 400, "JSON object"),
    ("nobody-here", {}, 404, "No user named 'nobody-here'"),
])
def test_refusals_change_nothing(server, fleet, people, username, body, status, fragment):
    before = stored_hash(fleet, "pw-editor"), audit_count(fleet)
    answer = call(server, "POST", f"/api/v1/users/{username}/password", people["admin"],
                  body)
    assert answer[0] == status and fragment in answer[1]["message"], answer
    assert (stored_hash(fleet, "pw-editor"), audit_count(fleet)) == before


def test_only_admins_set_passwords(server, fleet, people):
    before = stored_hash(fleet, "pw-target")
    for role in ("editor", "viewer", "technician"):
        status, body = call(server, "POST", "/api/v1/users/pw-target/password",
                            people[role], {})
        assert status == 403 and "may not use this route" in body["message"]
    assert call(server, "POST", "/api/v1/users/pw-target/password", None, {})[0] == 401
    assert stored_hash(fleet, "pw-target") == before
