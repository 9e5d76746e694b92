"""HTTP: /media/<sha256>, the player routes, /api/v1/screens, JSON errors."""

from __future__ import annotations

import hashlib
import logging

import pytest
import requests
from sqlalchemy import select
from web.helpers import REPO

from controller.models import Media, ScreenStatus

SCREEN = "phu-bai-baggage"
JPEG = REPO / "media" / "hue-citadel.jpg"
SHA = hashlib.sha256(JPEG.read_bytes()).hexdigest()


def _get(server, path, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(server.url + path, headers=headers, timeout=10)


def _post(server, path, token, **kwargs):
    return requests.post(server.url + path, headers={"Authorization": f"Bearer {token}"},
                         timeout=10, **kwargs)


def _json_error(response, status, error):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error and body["message"]
    return body


# -- /media ---------------------------------------------------------------------------
def _timeline_jpeg(server, fleet) -> tuple[str, int]:
    """A JPEG the screen's timeline names (a rendition: a screen may fetch only those)."""
    body = _get(server, "/api/v1/player/timeline", fleet.tokens[SCREEN]).json()
    return next((sha, facts["size"]) for sha, facts in sorted(body["media"].items())
                if facts["mime"] == "image/jpeg")


def test_media_is_served_whole_with_immutable_caching(server, fleet):
    sha, size = _timeline_jpeg(server, fleet)
    response = _get(server, f"/media/{sha}", fleet.tokens[SCREEN])
    assert response.status_code == 200
    assert len(response.content) == size and hashlib.sha256(response.content).hexdigest() == sha
    assert response.headers["ETag"] == f'"{sha}"'
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Content-Type"] == "image/jpeg"


def test_media_download_resumes_with_range(server, fleet):
    sha, size = _timeline_jpeg(server, fleet)
    data = _get(server, f"/media/{sha}", fleet.tokens[SCREEN]).content
    response = _get(server, f"/media/{sha}", fleet.tokens[SCREEN], Range="bytes=1000-")
    assert response.status_code == 206
    assert response.content == data[1000:]
    assert response.headers["Content-Range"] == f"bytes 1000-{size - 1}/{size}"


def test_media_not_modified(server, fleet):
    sha, _size = _timeline_jpeg(server, fleet)
    response = _get(server, f"/media/{sha}", fleet.tokens[SCREEN], **{"If-None-Match": f'"{sha}"'})
    assert response.status_code == 304 and response.content == b""


def test_media_for_a_user_token(server, fleet):
    # The uploaded original: people read it; screens fetch only their renditions.
    response = _get(server, f"/media/{SHA}", fleet.users["viewer"])
    assert response.status_code == 200 and response.content == JPEG.read_bytes()
    _json_error(_get(server, f"/media/{SHA}", fleet.tokens[SCREEN]), 403, "forbidden")


@pytest.mark.parametrize("name", ["not-a-hash", SHA.upper(), SHA[:63], "..%2F..%2Fetc%2Fpasswd",
                                  SHA + "0"])
def test_media_name_that_is_not_a_sha256_is_400(server, fleet, name):
    _json_error(_get(server, f"/media/{name}", fleet.tokens[SCREEN]), 400, "bad_request")


def test_unknown_media_is_404(server, fleet):
    _json_error(_get(server, f"/media/{'0' * 64}", fleet.users["viewer"]), 404, "not_found")
    # A screen learns nothing about the store: not in its timelines is all it is told.
    _json_error(_get(server, f"/media/{'0' * 64}", fleet.tokens[SCREEN]), 403, "forbidden")


def test_media_needs_a_credential(server, fleet, caplog):
    caplog.set_level(logging.WARNING, "pano.security")
    body = _json_error(_get(server, f"/media/{SHA}"), 401, "unauthorized")
    assert "Bearer" in body["message"]
    _json_error(_get(server, f"/media/{SHA}", "pst_wrong"), 401, "unauthorized")
    assert sum(r.name == "pano.security" for r in caplog.records) >= 2


# -- player routes --------------------------------------------------------------------
def test_player_timeline_over_http(server, fleet):
    response = _get(server, "/api/v1/player/timeline", fleet.tokens[SCREEN])
    assert response.status_code == 200
    body = response.json()
    assert body["screen"] == SCREEN and body["version"] >= 1
    assert _get(server, f"/api/v1/player/timeline?screen={SCREEN}",
                fleet.tokens[SCREEN]).status_code == 200


def test_player_timeline_of_another_screen_is_403_and_logged(server, fleet, caplog):
    caplog.set_level(logging.WARNING, "pano.players")
    response = _get(server, "/api/v1/player/timeline?screen=a-dot-entry-hall",
                    fleet.tokens[SCREEN])
    _json_error(response, 403, "forbidden")
    assert "timeline" not in response.json()
    assert any(SCREEN in r.getMessage() and "a-dot-entry-hall" in r.getMessage()
               for r in caplog.records if r.name == "pano.players")


def test_player_routes_refuse_missing_and_wrong_credentials(server, fleet):
    for path in ("/api/v1/player/timeline", "/api/v1/time"):
        _json_error(_get(server, path), 401, "unauthorized")
        _json_error(_get(server, path, "pst_wrong"), 401, "unauthorized")
        _json_error(_get(server, path, fleet.users["admin"]), 401, "unauthorized")
    _json_error(_post(server, "/api/v1/player/heartbeat", "pst_wrong", json={"uptime": 1}),
                401, "unauthorized")


def test_time_over_http(server, fleet):
    response = _get(server, "/api/v1/time", fleet.tokens[SCREEN])
    assert response.status_code == 200 and response.json()["server_time"] > 1.7e9


def test_heartbeat_and_ack_over_http(server, fleet):
    token = fleet.tokens[SCREEN]
    response = _post(server, "/api/v1/player/heartbeat", token,
                     json={"uptime": 12.5, "cpu_temp": None, "software": "curl-player/1"})
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert _post(server, "/api/v1/player/ack", token,
                 json={"version": 1, "missing": []}).json() == {"ok": True}
    with fleet.sessions() as session:
        row = session.get(ScreenStatus, SCREEN)
        assert row.facts["software"] == "curl-player/1" and row.acked_version == 1
        assert row.remote_addr == "127.0.0.1"


@pytest.mark.parametrize("kwargs", [
    {"json": {"cpu_temp": 900}}, {"json": ["a", "list"]}, {"data": "{not json"},
    {"data": "uptime=1"},
])
def test_bad_heartbeat_over_http_is_400_and_stores_nothing(server, fleet, kwargs):
    with fleet.sessions() as session:
        before = dict(session.get(ScreenStatus, SCREEN).facts or {}) if session.get(
            ScreenStatus, SCREEN) else {}
    headers = {}
    if "data" in kwargs and kwargs["data"].startswith("{"):
        headers["Content-Type"] = "application/json"
    response = requests.post(server.url + "/api/v1/player/heartbeat", timeout=10,
                             headers={"Authorization": f"Bearer {fleet.tokens[SCREEN]}",
                                      **headers}, **kwargs)
    _json_error(response, 400, "bad_request")
    with fleet.sessions() as session:
        row = session.get(ScreenStatus, SCREEN)
        assert (dict(row.facts or {}) if row else {}) == before


def test_bad_ack_over_http_is_400(server, fleet):
    _json_error(_post(server, "/api/v1/player/ack", fleet.tokens[SCREEN],
                      json={"version": 1, "missing": ["nope"]}), 400, "bad_request")


def test_body_too_large_is_413(server, fleet):
    _json_error(_post(server, "/api/v1/player/heartbeat", fleet.tokens[SCREEN],
                      json={"padding": "x" * 100_000}), 413, "too_large")


def test_unknown_api_route_and_wrong_method_are_json(server, fleet):
    _json_error(_get(server, "/api/v1/nothing-here", fleet.tokens[SCREEN]), 404, "not_found")
    _json_error(requests.delete(server.url + "/api/v1/time", timeout=10), 405,
                "method_not_allowed")


# -- /api/v1/screens ------------------------------------------------------------------
def test_screens_api_needs_an_admin_technician_or_emergency_operator(server, fleet, caplog):
    caplog.set_level(logging.WARNING, "pano.security")
    _json_error(_get(server, "/api/v1/screens"), 401, "unauthorized")
    _json_error(_get(server, "/api/v1/screens", "pat_wrong"), 401, "unauthorized")
    _json_error(_get(server, "/api/v1/screens", fleet.tokens[SCREEN]), 401, "unauthorized")
    body = _json_error(_get(server, "/api/v1/screens", fleet.users["viewer"]), 403, "forbidden")
    assert "viewer" in body["message"]
    assert any("viewer-user" in r.getMessage() for r in caplog.records
               if r.name == "pano.security")
    for role in ("admin", "technician"):  # (and emergency: tests/web/test_role_matrix.py)
        response = _get(server, "/api/v1/screens", fleet.users[role])
        assert response.status_code == 200
        assert len(response.json()["screens"]) == 7


def test_the_media_of_timelines_are_all_served(server, fleet):
    body = _get(server, "/api/v1/player/timeline", fleet.tokens[SCREEN]).json()
    with fleet.sessions() as session:
        known = set(session.scalars(select(Media.sha256)))
    for sha, facts in body["media"].items():
        assert sha in known
        response = _get(server, f"/media/{sha}", fleet.tokens[SCREEN])
        assert response.status_code == 200 and len(response.content) == facts["size"]
        assert hashlib.sha256(response.content).hexdigest() == sha


# -- / ----------------------------------------------------------------------------------
def test_landing_page_is_bilingual_and_counts_the_network(server, fleet):
    response = _get(server, "/")
    assert response.status_code == 200
    page = response.text
    assert page.index("Bộ điều khiển") < page.index("Controller of")  # Vietnamese first
    assert "<dd>4</dd>" in page  # the four real sites of config/sites.yaml
    assert "pst_" not in page and "token" not in page.split("<dl>")[1].split("</dl>")[0]


def test_behind_a_trusted_proxy_the_players_own_address_is_recorded(fleet):
    import dataclasses

    from controller.server import ControllerServer

    behind = ControllerServer(dataclasses.replace(fleet.settings, proxy_count=1)).start()
    try:
        token = fleet.tokens[SCREEN]
        response = requests.post(behind.url + "/api/v1/player/heartbeat", json={"uptime": 3.0},
                                 headers={"Authorization": f"Bearer {token}",
                                          "X-Forwarded-For": "10.20.30.40"}, timeout=10)
        assert response.status_code == 200
        with fleet.sessions() as session:
            assert session.get(ScreenStatus, SCREEN).remote_addr == "10.20.30.40"
    finally:
        behind.stop()
    # Without the setting the header is not trusted (anyone could send it).
    plain = ControllerServer(fleet.settings).start()
    try:
        requests.post(plain.url + "/api/v1/player/heartbeat", json={"uptime": 4.0},
                      headers={"Authorization": f"Bearer {fleet.tokens[SCREEN]}",
                               "X-Forwarded-For": "10.20.30.40"}, timeout=10)
        with fleet.sessions() as session:
            assert session.get(ScreenStatus, SCREEN).remote_addr == "127.0.0.1"
    finally:
        plain.stop()
