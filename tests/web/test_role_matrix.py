"""Who may use which route: for every route under /api/v1 and every role (plus no token
and a screen credential), a real HTTP request to a real controller. The table is written
out here by hand, not read from the code or from openapi.yaml: changing who may use a
route means changing this table too, and a new route fails until it is added.

Requests use ids that do not exist and empty bodies, so nothing is changed: a route that
lets the caller through answers 400/404/422, which is fine; only 401 and the 403 of
``require_role`` ("Role 'X' may not use this route") mean "not let through"."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from flask import Flask
from web.helpers import DEADLINE

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user

ROLES = ("admin", "editor", "approver", "emergency", "technician", "viewer")
SCREEN = "screen"  # the route takes a screen credential (pst_…), no user token
PUBLIC = "public"  # the route takes no credential at all
EVERY = ROLES
EDITORS = ("admin", "editor")
SCHEDULERS = ("admin", "editor", "approver")

# (method, path in OpenAPI form) -> the roles the route lets through, or SCREEN/PUBLIC.
EXPECTED: dict[tuple[str, str], tuple[str, ...] | str] = {
    ("GET", "/api/v1/player/timeline"): SCREEN,
    ("POST", "/api/v1/player/heartbeat"): SCREEN,
    ("POST", "/api/v1/player/ack"): SCREEN,
    ("POST", "/api/v1/player/emergency_shown"): SCREEN,
    ("POST", "/api/v1/player/journal"): SCREEN,
    ("GET", "/api/v1/time"): SCREEN,
    ("PUT", "/api/v1/player/screenshot"): SCREEN,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/screens"): ("admin", "technician", "emergency"),
    ("GET", "/api/v1/sites"): EVERY,
    ("GET", "/api/v1/screens/{screen_id}/preview"): EVERY,
    ("GET", "/api/v1/screens/{screen_id}/preview.png"): EVERY,
    ("GET", "/api/v1/screens/{screen_id}/week"): EVERY,
    ("POST", "/api/v1/screens/{screen_id}/commands"): ("admin", "technician"),
    ("GET", "/api/v1/screens/{screen_id}/commands/{command_id}"): ("admin", "technician"),
    ("GET", "/api/v1/screens/{screen_id}/screenshot"): ("admin", "technician"),
    ("GET", "/api/v1/screens/{screen_id}/truth"): ("admin", "technician"),
    ("GET", "/api/v1/screens/{screen_id}/truth/capture"): ("admin", "technician"),
    ("GET", "/api/v1/screens/{screen_id}/truth/expected"): ("admin", "technician"),
    ("GET", "/api/v1/emergencies"): ("admin", "emergency", "technician"),
    ("POST", "/api/v1/emergencies"): ("admin", "emergency"),
    ("GET", "/api/v1/emergencies/{emergency_id}"): ("admin", "emergency", "technician"),
    ("POST", "/api/v1/emergencies/{emergency_id}/cancel"): ("admin", "emergency"),
    ("GET", "/api/v1/emergency-drafts"): ("admin", "emergency", "technician"),
    ("GET", "/api/v1/emergency-drafts/{draft_id}"): ("admin", "emergency", "technician"),
    ("POST", "/api/v1/emergency-drafts/{draft_id}/send"): ("admin", "emergency"),
    ("POST", "/api/v1/emergency-drafts/{draft_id}/dismiss"): ("admin", "emergency"),
    ("GET", "/api/v1/playlists"): EVERY,
    ("POST", "/api/v1/playlists"): EDITORS,
    ("GET", "/api/v1/playlists/{playlist_id}"): EVERY,
    ("PATCH", "/api/v1/playlists/{playlist_id}"): EDITORS,
    ("PUT", "/api/v1/playlists/{playlist_id}/draft"): EDITORS,
    ("GET", "/api/v1/playlists/{playlist_id}/versions/{number}"): EVERY,
    ("GET", "/api/v1/playlists/{playlist_id}/reach"): EVERY,
    ("POST", "/api/v1/playlists/{playlist_id}/versions/{number}/submit"): EDITORS,
    ("POST", "/api/v1/playlists/{playlist_id}/versions/{number}/withdraw"): EDITORS,
    ("POST", "/api/v1/playlists/{playlist_id}/versions/{number}/approve"): ("approver",),
    ("POST", "/api/v1/playlists/{playlist_id}/versions/{number}/reject"): ("approver",),
    ("POST", "/api/v1/playlists/{playlist_id}/versions/{number}/archive"): SCHEDULERS,
    ("GET", "/api/v1/playlists/{playlist_id}/versions/{number}/diff"): EVERY,
    ("GET", "/api/v1/playlists/{playlist_id}/versions/{number}/preview.png"): EVERY,
    ("GET", "/api/v1/playlists/{playlist_id}/screen-kinds"): EVERY,
    ("GET", "/api/v1/review-queue"): ("approver",),
    ("GET", "/api/v1/playlists/{playlist_id}/export"): EVERY,
    ("POST", "/api/v1/playlists/import"): EDITORS,
    ("POST", "/api/v1/playlists/check"): EDITORS,
    ("GET", "/api/v1/schedules"): EVERY,
    ("POST", "/api/v1/schedules"): SCHEDULERS,
    ("GET", "/api/v1/schedules/{slug}"): EVERY,
    ("PUT", "/api/v1/schedules/{slug}"): SCHEDULERS,
    ("DELETE", "/api/v1/schedules/{slug}"): SCHEDULERS,
    ("GET", "/api/v1/agencies"): EVERY,
    ("PUT", "/api/v1/agencies/{agency_id}"): ("admin",),
    ("GET", "/api/v1/audit"): ("admin", "approver", "viewer"),
    ("GET", "/api/v1/plays"): EVERY,
    ("GET", "/api/v1/reports/plays"): EVERY,
    ("GET", "/api/v1/reports/charts/{name}.svg"): EVERY,
    ("GET", "/api/v1/reports/ttdn"): EVERY,
    ("GET", "/api/v1/qr/scans"): ("admin", "approver", "viewer", "technician"),
    ("GET", "/api/v1/users"): ("admin",),
    ("POST", "/api/v1/users"): ("admin",),
    ("PATCH", "/api/v1/users/{username}"): ("admin",),
    ("POST", "/api/v1/users/{username}/password"): ("admin",),
    ("POST", "/api/v1/media"): EDITORS,
    ("GET", "/api/v1/media"): EVERY,
    ("GET", "/api/v1/media/{sha256}"): EVERY,
    ("GET", "/api/v1/media/{sha256}/thumbnail"): EVERY,
    ("GET", "/api/v1/jobs"): EVERY,
    ("GET", "/api/v1/jobs/{job_id}"): EVERY,
    ("GET", "/api/v1/alerts"): ("admin", "technician"),
    ("POST", "/api/v1/alerts/{incident_id}/ack"): ("admin", "technician"),
    ("PUT", "/api/v1/alerts/rules/{rule}"): ("admin",),
    ("GET", "/api/v1/sources"): ("admin", "technician"),
    ("POST", "/api/v1/sources/{source_id}/refresh"): ("admin",),
    ("POST", "/api/v1/sources"): ("admin",),
    ("PATCH", "/api/v1/sources/{source_id}"): ("admin",),
    ("GET", "/api/v1/data-catalog"): EVERY,
    ("GET", "/api/v1/data-catalog/preview.png"): EVERY,
}

# Path parameters that name nothing: a request that gets through changes nothing.
MISSING = {"playlist_id": "no-such-playlist", "number": "999999",
           "screen_id": "no-such-screen", "emergency_id": "999999",
           "slug": "no-such-schedule", "agency_id": "no-such-agency",
           "username": "no-such-user", "sha256": "0" * 64,
           "command_id": "00000000-0000-4000-8000-000000000000",
           "job_id": "00000000-0000-4000-8000-000000000000", "name": "no-such-chart",
           "incident_id": "999999", "rule": "no-such-rule", "draft_id": "999999"}
MISSING["source_id"] = "no-such-source"  # a data source (docs/sources.md)

CALLERS = ("no token", *ROLES, SCREEN)
FORBIDDEN = "may not use this route"


def expected_roles(key: tuple[str, str]) -> list[str]:
    """The roles the table lets through (``[]`` for screen and public routes), as
    ``x-roles`` in openapi.yaml gives them."""
    value = EXPECTED[key]
    return [] if isinstance(value, str) else sorted(value)


def openapi_path(rule: str) -> str:
    """``/x/<int:number>/<slug>`` -> ``/x/{number}/{slug}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route of the app under /api/v1."""
    return {(method, openapi_path(rule.rule))
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
            for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}


def make_users(fleet) -> dict[str, str]:
    """A personal API token per role (the fleet has admin, technician and viewer; the
    others are added, the approver of the lead agency, the editor of ``tourism``)."""
    tokens = dict(fleet.users)
    extra = {"editor": "tourism", "approver": "dic", "emergency": None}
    with fleet.sessions() as session:
        for role, agency in extra.items():
            if role in tokens:
                continue
            add_user(session, f"{role}-user", role, password="correct horse battery",
                     agency=agency)
            session.flush()
            tokens[role] = issue_user_token(session, f"{role}-user")
        session.commit()
    return tokens


def call(server, method: str, path: str, token: str | None, body: Any = None,
         raw: bytes | None = None, content_type: str = "application/json"
         ) -> tuple[int, Any]:
    """One real HTTP request; (status, parsed JSON or the raw bytes)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    if data is None and method in ("POST", "PUT", "PATCH"):
        data = b""
    req = urllib.request.Request(server.url + path, data=data, method=method)
    req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=DEADLINE) as resp:
            status, payload = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, payload = err.code, err.read()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    tokens = make_users(fleet)
    tokens[SCREEN] = fleet.tokens["phu-bai-arrivals"]
    return tokens


def test_the_table_covers_exactly_the_apps_routes(server):
    routes = api_routes(server.app)
    missing = sorted(routes - set(EXPECTED))
    stale = sorted(set(EXPECTED) - routes)
    assert not missing, f"routes missing from the table: {missing}"
    assert not stale, f"the table lists routes the app does not have: {stale}"


CASES = [pytest.param(method, path, caller, id=f"{method} {path} as {caller}")
         for (method, path) in EXPECTED for caller in CALLERS]


@pytest.mark.parametrize("method, path, caller", CASES)
def test_route_lets_through_exactly_its_roles(server, tokens, method, path, caller):
    allowed = EXPECTED[(method, path)]
    url = re.sub(r"\{(\w+)\}", lambda m: MISSING[m.group(1)], path)
    status, body = call(server, method, url, tokens.get(caller))
    assert status < 500, (status, body)
    message = body.get("message", "") if isinstance(body, dict) else ""
    refused_by_role = status == 403 and FORBIDDEN in message

    if allowed == PUBLIC:
        assert status not in (401, 403), (status, body)
    elif caller == "no token":
        assert status == 401, (status, body)
        assert body["error"] == "unauthorized"
    elif allowed == SCREEN:
        if caller == SCREEN:
            assert status != 401, (status, body)
        else:  # a personal API token is no screen credential
            assert status == 401, (status, body)
    elif caller == SCREEN:  # a screen credential is no personal API token
        assert status == 401, (status, body)
    elif caller in allowed:
        assert status != 401 and not refused_by_role, (status, body)
    else:
        assert refused_by_role, (status, body)
        assert body["error"] == "forbidden"
        assert f"Role {caller!r} {FORBIDDEN}" in message
