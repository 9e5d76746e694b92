"""``GET /api/v1/openapi.json`` against a real controller: served without a token, a
valid OpenAPI 3.1 document, exactly the app's /api/v1 routes, each operation's
``x-roles`` equal to the hand-written table of test_role_matrix.py, and every JSON
request-body example accepted by the real server (not 400/422)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from openapi_spec_validator import validate
from web.test_role_matrix import (
    EXPECTED,
    MISSING,
    PUBLIC,
    SCREEN,
    api_routes,
    call,
    expected_roles,
    make_users,
)

from controller.api.openapi import document

METHODS = ("get", "post", "put", "patch", "delete")
JSON = "application/json"


def operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method.upper(), path): op for path, item in doc["paths"].items()
            for method, op in item.items() if method in METHODS}


SPEC = document()
OPERATIONS = operations(SPEC)


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    tokens = make_users(fleet)
    tokens[SCREEN] = fleet.tokens["phu-bai-arrivals"]
    return tokens


@pytest.fixture(scope="module")
def served(server) -> dict[str, Any]:
    status, body = call(server, "GET", "/api/v1/openapi.json", None)
    assert status == 200, body
    assert isinstance(body, dict)
    return body


def test_served_without_a_token_and_valid(served):
    validate(served)
    assert served["openapi"] == "3.1.0"
    assert served["info"]["title"] == "Pano controller API"
    assert served["info"]["version"] == "1"
    assert served == SPEC  # the file, as JSON


def test_documents_exactly_the_apps_routes(server, served):
    routes = api_routes(server.app)
    documented = set(operations(served))
    undocumented = sorted(routes - documented)
    invented = sorted(documented - routes)
    assert not undocumented, f"routes missing from openapi.yaml: {undocumented}"
    assert not invented, f"openapi.yaml documents routes the app lacks: {invented}"


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_operation_roles_security_and_shape(key):
    op = OPERATIONS[key]
    assert key in EXPECTED, f"{key} is not in test_role_matrix.EXPECTED"
    assert sorted(op["x-roles"]) == expected_roles(key)
    kind = EXPECTED[key]
    if kind == PUBLIC:
        assert op["security"] == []
    elif kind == SCREEN:
        assert op["security"] == [{"screenToken": []}]
    else:
        assert op["security"] == [{"userToken": []}]
        assert "401" in op["responses"] and "403" in op["responses"]
    assert op["operationId"] and op["summary"] and op["tags"]
    path_params = set(re.findall(r"\{(\w+)\}", key[1]))
    declared = {p["name"] for p in resolved_parameters(op) if p["in"] == "path"}
    assert declared == path_params
    successes = [s for s in op["responses"] if s.startswith("2")]
    assert successes, "no success response"
    for status, response in op["responses"].items():
        if status.startswith(("4", "5")):
            assert response["$ref"].startswith("#/components/responses/"), status
    body = op.get("requestBody")
    if body is not None and JSON in body["content"]:
        media = body["content"][JSON]
        assert "example" in media or media.get("examples"), "a JSON body needs an example"


def resolved_parameters(op: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for param in op.get("parameters", []):
        if "$ref" in param:
            param = SPEC["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        out.append(param)
    return out


def body_examples(op: dict[str, Any]) -> list[Any]:
    media = op.get("requestBody", {}).get("content", {}).get(JSON)
    if media is None:
        return []
    if "example" in media:
        return [media["example"]]
    return [e["value"] for e in media.get("examples", {}).values()]


# --------------------------------------------------------------------------- examples
#
# Every JSON POST/PUT/PATCH example is sent to the server. Path parameters come from the
# parameters' own examples unless a setup below makes the state the example needs and
# says which values to use. None is skipped: the multipart import has no JSON example
# (tests/web/test_playlist_files_api.py covers uploads).

Setup = Callable[[Any, dict[str, str]], dict[str, str]]


def _example(operation_id: str) -> Any:
    op = next(o for o in OPERATIONS.values() if o["operationId"] == operation_id)
    return body_examples(op)[0]


def _ensure_schedule(server, tokens: dict[str, str]) -> dict[str, str]:
    status, body = call(server, "POST", "/api/v1/schedules", tokens["admin"],
                        _example("createSchedule"))
    assert status in (201, 409), body
    return {}


def _ensure_source(server, tokens: dict[str, str]) -> dict[str, str]:
    """The source the change example names: made by ``createSource``'s example when
    that case ran first, else here (``-k changeSource`` alone passes too)."""
    status, body = call(server, "POST", "/api/v1/sources", tokens["admin"],
                        _example("createSource"))
    assert status in (201, 409), body
    return {}


def _ensure_user(server, tokens: dict[str, str]) -> dict[str, str]:
    status, body = call(server, "POST", "/api/v1/users", tokens["admin"],
                        _example("createUser"))
    assert status in (201, 409), body
    return {}


def _version_in_review(server, tokens: dict[str, str]) -> dict[str, str]:
    """An editor's new playlist, submitted: a version an approver may reject."""
    new = {**_example("createPlaylist"), "id": "example-to-reject", "agency": "tourism"}
    status, body = call(server, "POST", "/api/v1/playlists", tokens["editor"], new)
    assert status == 201, body
    status, body = call(server, "POST", "/api/v1/playlists/example-to-reject/versions/1/submit",
                        tokens["editor"])
    assert status == 200, body
    return {"playlist_id": "example-to-reject", "number": "1"}


def _connected_screen(server, tokens: dict[str, str]) -> dict[str, str]:
    """A command needs its screen connected: a real Socket.IO player of the example's
    screen, left connected for the rest of the module (closed with the server)."""
    from web.helpers import Player

    _PLAYERS.append(Player(server.url).connect(SCREEN_OF_EXAMPLES, tokens[SCREEN]))
    return {"screen_id": SCREEN_OF_EXAMPLES}


def _emergency_shown(server, tokens: dict[str, str]) -> dict[str, Any]:
    """A receipt needs an emergency of the screen: send one, and name it in the body."""
    status, body = call(server, "POST", "/api/v1/emergencies", tokens["admin"], {
        "messages": {"vi": {"title": "Thử"}, "en": {"title": "Test"}},
        "targets": {"screens": [SCREEN_OF_EXAMPLES]}, "duration_minutes": 5})
    assert status == 201, body
    return {BODY: {**_example("postPlayerEmergencyShown"), "id": body["id"]}}


def _received_version(server, tokens: dict[str, str]) -> dict[str, Any]:
    """An ack must name a version the screen was sent: the one it holds now."""
    status, body = call(server, "GET", "/api/v1/player/timeline", tokens[SCREEN])
    assert status == 200, body
    return {BODY: {**_example("postPlayerAck"), "version": body["version"]}}


def _open_incident(server, tokens: dict[str, str]) -> dict[str, str]:
    """An acknowledgement needs an incident: one as the alert rules would open it."""
    from support.alert_rows import open_incident

    sessions = server.app.extensions["pano"].session_factory
    return {"incident_id": str(open_incident(sessions, SCREEN_OF_EXAMPLES,
                                             "phu-bai-airport"))}


def _waiting_draft(server, tokens: dict[str, str]) -> dict[str, str]:
    """A draft to complete: the typhoon warning of tests/cap/data, read as the
    data-sources layer would."""
    from cap.feeds import waiting_draft

    return {"draft_id": str(waiting_draft(server.app.extensions["pano"].session_factory))}


SCREEN_OF_EXAMPLES = "phu-bai-arrivals"  # the screen whose credential tokens[SCREEN] is
BODY = "__body__"  # a setup's value for this key replaces the example's body
_PLAYERS: list[Any] = []

SETUP: dict[str, Setup] = {
    "sendScreenCommand": _connected_screen,
    "replaceSchedule": _ensure_schedule,
    "changeSource": _ensure_source,
    "updateUser": _ensure_user,
    "rejectVersion": _version_in_review,
    "postPlayerEmergencyShown": _emergency_shown,
    "postPlayerAck": _received_version,
    "acknowledgeAlert": _open_incident,
    "sendEmergencyDraft": _waiting_draft,
}
# The role that sends the example (else admin if allowed, else the first of x-roles).
SENDER = {"rejectVersion": "approver"}

# POST first: a create example runs before the setups above make the same object
# (they accept the 409 of an object that exists already).
WRITES = ("POST", "PUT", "PATCH")
EXAMPLE_CASES = [pytest.param(key, i, id=f"{OPERATIONS[key]['operationId']}#{i}")
                 for key in sorted(OPERATIONS, key=lambda k: (WRITES.index(k[0])
                                                              if k[0] in WRITES else 9, k[1]))
                 if key[0] in WRITES
                 for i, _ in enumerate(body_examples(OPERATIONS[key]))]


def test_every_json_write_has_an_example_case():
    with_json = {k for k, op in OPERATIONS.items() if k[0] in ("POST", "PUT", "PATCH")
                 and JSON in op.get("requestBody", {}).get("content", {})}
    assert with_json == {p.values[0] for p in EXAMPLE_CASES}


@pytest.mark.parametrize("key, index", EXAMPLE_CASES)
def test_request_body_example_is_accepted(server, tokens, key, index):
    method, path = key
    op = OPERATIONS[key]
    example = body_examples(op)[index]
    roles = op["x-roles"]
    if EXPECTED[key] == SCREEN:
        sender = SCREEN
    else:
        sender = SENDER.get(op["operationId"]) or ("admin" if "admin" in roles else roles[0])
    values = {p["name"]: str(p["example"]) for p in resolved_parameters(op)
              if p["in"] == "path"}
    setup = SETUP.get(op["operationId"])
    if setup is not None:
        values.update(setup(server, tokens))
    example = values.pop(BODY, example)
    url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    status, body = call(server, method, url, tokens[sender], example)
    assert status not in (400, 422), (status, body)
    assert 200 <= status < 300, (status, body)
    assert str(status) in op["responses"], f"{status} is not documented"


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_the_answer_to_an_empty_request_is_documented(server, tokens, key):
    """Ids that do not exist and no body, from a caller the route lets through: the
    status (a 400, 404, 422 or a success) is among the operation's responses."""
    method, path = key
    op = OPERATIONS[key]
    kind = EXPECTED[key]
    sender = {SCREEN: SCREEN, PUBLIC: None}.get(kind) if isinstance(kind, str) else (
        SENDER.get(op["operationId"]) or ("admin" if "admin" in kind else kind[0]))
    url = re.sub(r"\{(\w+)\}", lambda m: MISSING[m.group(1)], path)
    status, body = call(server, method, url, tokens[sender] if sender else None)
    assert str(status) in op["responses"], (status, body)
