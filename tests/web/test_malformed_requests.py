"""Malformed requests against the real controller process (gevent, as in production, and
werkzeug's threaded server): deeply nested JSON, bytes that are not UTF-8 in the query,
the path, a form or a JSON body, broken percent-escapes, control characters. Each is a
400 whose message says what is wrong, nothing is stored, and the log has no traceback
(issue 10, defects 6 and 7)."""

from __future__ import annotations

import json
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from support.processes import Controller
from web.helpers import Fleet

from controller.api.json_body import MAX_JSON_DEPTH
from controller.models import AuditEntry, Playlist, Schedule

SCREEN = "phu-bai-arrivals"
DEEP = b"[" * 30_000 + b"]" * 30_000  # 60 KB: the issue's body
# Every route that reads a JSON body, with the credential it needs.
JSON_ROUTES = [
    ("POST", "/api/v1/playlists", "admin"),
    ("POST", "/api/v1/playlists/check", "admin"),
    ("PATCH", "/api/v1/playlists/welcome-hue", "admin"),
    ("PUT", "/api/v1/playlists/welcome-hue/draft", "admin"),
    ("POST", "/api/v1/playlists/welcome-hue/versions/1/reject", "approver"),
    ("POST", "/api/v1/schedules", "admin"),
    ("PUT", "/api/v1/schedules/malformed-test", "admin"),
    ("POST", "/api/v1/emergencies", "admin"),
    ("PUT", "/api/v1/agencies/dic", "admin"),
    ("POST", "/api/v1/users", "admin"),
    ("PATCH", "/api/v1/users/viewer-user", "admin"),
    ("POST", "/api/v1/users/viewer-user/password", "admin"),
    ("POST", f"/api/v1/screens/{SCREEN}/commands", "admin"),
    ("POST", "/api/v1/player/heartbeat", "screen"),
    ("POST", "/api/v1/player/ack", "screen"),
]


class Running:
    def __init__(self, fleet: Fleet, controller: Controller) -> None:
        self.fleet, self.controller, self.url = fleet, controller, controller.url
        with fleet.sessions() as session:
            from controller.auth.tokens import issue_user_token
            from controller.auth.users import add_user

            add_user(session, "approver-user", "approver", password="correct horse battery",
                     agency="dic")
            session.flush()
            approver = issue_user_token(session, "approver-user")
            session.commit()
        self.tokens = {"admin": fleet.users["admin"], "approver": approver,
                       "screen": fleet.tokens[SCREEN]}
        entry = {"id": "malformed-test", "playlist": "welcome-hue",
                 "targets": {"sites": ["phu-bai-airport"]}}
        status, answer = self.call("POST", "/api/v1/schedules", body=json.dumps(entry).encode())
        assert status == 201, answer

    def call(self, method: str, path: str, who: str = "admin", body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, dict]:
        response = requests.request(method, self.url + path, data=body, timeout=10,
                                    headers={"Authorization": f"Bearer {self.tokens[who]}",
                                             "Content-Type": content_type})
        assert response.headers["Content-Type"].startswith("application/json"), response.text
        return response.status_code, response.json()

    def raw(self, request: bytes) -> tuple[int, bytes, bytes]:
        """Send bytes no HTTP library would; return status, head and body."""
        with socket.create_connection(("127.0.0.1", self.controller.port), timeout=10) as s:
            s.sendall(request)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split()[1]), head, body

    def get_target(self, target: bytes, headers: bytes = b"") -> tuple[int, bytes]:
        status, _, body = self.raw(b"GET " + target + b" HTTP/1.0\r\nAuthorization: Bearer "
                                   + self.tokens["admin"].encode() + b"\r\n" + headers
                                   + b"\r\n")
        return status, body


@pytest.fixture(scope="module", params=["gevent", "threading"])
def running(request) -> Iterator[Running]:
    with tempfile.TemporaryDirectory(prefix="pano-malformed-") as tmp:
        data = Path(tmp)
        fleet = Fleet.seeded(data)
        controller = Controller(data, env={"PANO_ASYNC_MODE": request.param}).start()
        try:
            yield Running(fleet, controller)
        finally:
            controller.stop()
            output = controller.output()
            fleet.close()
        assert "Traceback" not in output, output[-4000:]


def _stored(fleet: Fleet) -> tuple[int, int, int]:
    with fleet.sessions() as session:
        return (session.query(Playlist).count(), session.query(Schedule).count(),
                session.query(AuditEntry).count())


@pytest.mark.parametrize(("method", "path", "who"), JSON_ROUTES)
def test_deeply_nested_json_is_400_naming_the_limit(running, method, path, who):
    before = _stored(running.fleet)
    status, answer = running.call(method, path, who, DEEP)
    assert status == 400, answer
    assert answer["error"] == "bad_request"
    assert f"the limit is {MAX_JSON_DEPTH}" in answer["message"]
    assert "30000 levels" in answer["message"]
    assert _stored(running.fleet) == before


def test_the_depth_limit_is_exact_and_ignores_brackets_in_text(running):
    def nested(depth: int) -> bytes:  # {"items": [[…]]}: depth levels in all
        return b'{"items": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"

    status, answer = running.call("POST", "/api/v1/playlists/check", body=nested(33))
    assert status == 400 and "33 levels" in answer["message"]
    # 32 levels pass the bound and reach the route, which says what is wrong instead.
    status, answer = running.call("POST", "/api/v1/playlists/check", body=nested(32))
    assert "levels" not in answer.get("message", ""), answer
    # Brackets inside a text are text.
    body = {"items": [], "title": "[" * 500 + "{" * 500}
    status, answer = running.call("POST", "/api/v1/playlists/check",
                                  body=json.dumps(body).encode())
    assert "levels" not in answer.get("message", ""), answer


@pytest.mark.parametrize(("body", "fragment"), [
    (b'{"title": "caf\xe9"}', "not UTF-8 text (byte 0xe9 at offset 14)"),
    (b'\xff\xfe{\x00}\x00', "not UTF-8"),
    (b'{"uptime": NaN}', "NaN, which is not JSON"),
    (b'{"uptime": Infinity}', "Infinity, which is not JSON"),
    (b'{"uptime": 1,}', "not valid JSON"),
    (b'{"uptime": ' + b"9" * 5000 + b"}", "more than 4,300 digits"),
])
@pytest.mark.parametrize(("method", "path", "who"), [JSON_ROUTES[1], JSON_ROUTES[13]])
def test_json_that_is_not_utf8_or_not_rfc_8259_is_400(running, method, path, who, body,
                                                       fragment):
    status, answer = running.call(method, path, who, body)
    assert status == 400 and fragment in answer["message"], answer


@pytest.mark.parametrize("body", [b"[1]", b'"text"', b"1", b"null", b""])
@pytest.mark.parametrize(("method", "path", "who"), JSON_ROUTES)
def test_a_body_that_is_not_an_object_is_400(running, method, path, who, body):
    before = _stored(running.fleet)
    status, answer = running.call(method, path, who, body)
    assert status == 400, (status, answer)
    assert "object" in answer["message"] or "JSON body" in answer["message"], answer
    assert _stored(running.fleet) == before


@pytest.mark.parametrize(("target", "fragment"), [
    (b"/api/v1/audit?actor=%FF", "query string is not UTF-8 (byte 0xff"),
    (b"/api/v1/audit?actor=\xff", "query string is not UTF-8 (byte 0xff"),
    (b"/api/v1/audit?actor=%C3", "query string is not UTF-8 (byte 0xc3"),
    (b"/api/v1/audit?actor=%ZZ", "malformed percent-escape '%ZZ'"),
    (b"/api/v1/audit?actor=50%", "malformed percent-escape '%'"),
    (b"/api/v1/audit?actor=a%00b", "control character U+0000"),
    (b"/api/v1/screens/%FF", "path is not UTF-8 (byte 0xff"),
    (b"/api/v1/screens/\xff", "path is not UTF-8"),
    (b"/api/v1/screens/%ZZ", "malformed percent-escape '%ZZ'"),
    (b"/api/v1/screens/a%0Ab", "control character U+000A"),
    (b"/media/%FF", "path is not UTF-8"),
    (b"/healthz?x=%FF", "query string is not UTF-8"),
])
def test_a_malformed_path_or_query_is_400_on_api_routes(running, target, fragment):
    status, body = running.get_target(target)
    if running.controller.env["PANO_ASYNC_MODE"] == "threading" and b"\xff" in target:
        # werkzeug's own server re-encodes raw bytes as if they were Latin-1 (U+00FF),
        # valid UTF-8 by the time Pano sees them: not an error, just a wrong address.
        assert status in (200, 404), body
        return
    assert status == 400, body
    answer = json.loads(body)
    assert answer["error"] == "bad_request" and fragment in answer["message"], answer


@pytest.mark.parametrize("target", [b"/panel/login?next=%FF", b"/?lang=%FF", b"/panel/%FF",
                                    b"/panel/static/base/panel.js?%ZZ"])
def test_a_malformed_path_or_query_is_400_on_pages(running, target):
    status, body = running.get_target(target)
    assert status == 400, body
    assert b"percent-escape" in body or b"not UTF-8" in body, body


@pytest.mark.parametrize("target", [b"/q/ABCD%00FG", b"/q/ABCDEFG%FF", b"/q/ABCDEFGH?x=%ZZ"])
def test_a_malformed_qr_link_gets_the_travellers_page(running, target):
    status, body = running.get_target(target)
    assert status == 404 and "Link not found" in body.decode(), body


def test_a_form_body_that_is_not_utf8_is_400(running):
    for body in (b"username=\xff&password=x", b"lang=%FF"):
        path = b"/panel/login" if body.startswith(b"user") else b"/panel/language"
        status, _, answer = running.raw(
            b"POST " + path + b" HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        if b"%FF" in body:
            assert status in (200, 302, 400), answer  # werkzeug keeps %FF as text: harmless
            continue
        assert status == 400, answer
        assert b"not UTF-8" in answer


def test_a_multipart_upload_with_a_non_utf8_field_name_is_400(running):
    boundary = b"pano-boundary"
    body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"f\xffle\"; "
            b"filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--" + boundary
            + b"--\r\n")
    status, _, answer = running.raw(
        b"POST /api/v1/media HTTP/1.0\r\nAuthorization: Bearer "
        + running.tokens["admin"].encode()
        + b"\r\nContent-Type: multipart/form-data; boundary=" + boundary
        + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert status == 400, answer
    assert b"not UTF-8" in answer, answer


@pytest.mark.parametrize("header", [
    b"Authorization: Bearer \xff\xfe",
    b"Cookie: pano_session=\xff; other=\xfe",
    b"Accept-Language: \xff",
    b"X-CSRFToken: \xff",
])
def test_non_utf8_headers_are_no_error(running, header):
    status, _, body = running.raw(b"GET /api/v1/screens HTTP/1.0\r\n" + header + b"\r\n\r\n")
    assert status == 401 or status == 200, body
    status, _, body = running.raw(b"GET /panel/login HTTP/1.0\r\n" + header + b"\r\n\r\n")
    assert status == 200, body
