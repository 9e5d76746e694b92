"""/api/v1/playlists through the real controller: create, read, rename, edit the draft;
who may see and edit what (agencies, roles); bad input refused with a clear message
and nothing stored."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select
from web.helpers import REPO, Api, people_tokens

from controller.models import AuditEntry, Playlist, PlaylistVersion

CITADEL = hashlib.sha256((REPO / "media" / "hue-citadel.jpg").read_bytes()).hexdigest()
PEOPLE = {  # username: (role, agency)
    "culture-editor": ("editor", "culture"),
    "culture-editor-2": ("editor", "culture"),
    "tourism-editor": ("editor", "tourism"),
    "dic-approver": ("approver", "dic"),
    "culture-approver": ("approver", "culture"),
    "duty-officer": ("emergency", None),
}


def items(title_en: str = "The Citadel", **extra: Any) -> list[dict[str, Any]]:
    return [
        {"id": "hello", "type": "text", "duration": 8,
         "variants": {"vi": {"title": "Xin chào", "body": "Chào mừng"},
                      "en": {"title": "Hello", "body": "Welcome"}}},
        {"id": "citadel", "type": "image", "duration": 10,
         "variants": {"vi": {"title": "Kinh thành", "media": CITADEL},
                      "en": {"title": title_en, "media": CITADEL}}, **extra},
    ]


def new_playlist(pid: str, **changes: Any) -> dict[str, Any]:
    body = {"id": pid, "title": {"vi": "Ảnh Huế", "en": "Photos of Huế"},
            "themes": ["heritage"], "items": items()}
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, PEOPLE)


def stored(fleet) -> tuple[int, int, int]:
    with fleet.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Playlist)),
                session.scalar(select(func.count()).select_from(PlaylistVersion)),
                session.scalar(select(func.count()).select_from(AuditEntry)))


def audit(fleet, object_id: str) -> list[tuple[str, str]]:
    with fleet.sessions() as session:
        return [(e.action, e.actor) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id.startswith(object_id))
            .order_by(AuditEntry.id))]


def test_an_editor_creates_a_draft_that_is_not_on_air(api, fleet, tokens):
    status, body = api("POST", "/playlists", tokens["culture-editor"],
                       new_playlist("culture-photos"))
    assert status == 201, body
    assert body["agency"] == "culture" and body["on_air"] is None
    assert body["working"] == {"number": 1, "state": "draft", "rejection_reason": None}
    assert body["versions"][0]["created_by"] == "culture-editor"
    assert body["versions"][0]["item_count"] == 2
    assert body["versions"][0]["created_at"].endswith("Z")
    assert ("playlist.create", "culture-editor") in audit(fleet, "culture-photos")
    status, again = api("POST", "/playlists", tokens["culture-editor"],
                        new_playlist("culture-photos"))
    assert status == 409 and "already exists" in again["message"]
    status, version = api("GET", "/playlists/culture-photos/versions/1",
                          tokens["culture-editor"])
    assert status == 200 and version["items"][1]["variants"]["en"]["media"] == CITADEL


def test_the_list_shows_what_the_caller_may_see(api, tokens):
    status, body = api("GET", "/playlists", tokens["culture-editor"])
    assert status == 200
    ids = {p["id"] for p in body["playlists"]}
    assert "culture-photos" in ids and "festival-hue-2025" in ids
    assert "happy-hue-2025" not in ids  # tourism's
    status, body = api("GET", "/playlists?state=draft", tokens["dic-approver"])
    assert "culture-photos" in {p["id"] for p in body["playlists"]}
    status, body = api("GET", "/playlists?agency=tourism", tokens["viewer"])
    assert {p["id"] for p in body["playlists"]} == {"happy-hue-2025", "sea-islands",
                                                  "welcome-hue"}
    status, body = api("GET", "/playlists?theme=vietnam-laos", tokens["technician"])
    found = {p["id"]: p for p in body["playlists"]}
    assert "vietnam-laos-friendship" in found and "happy-hue-2025" not in found
    assert found["vietnam-laos-friendship"]["on_air"] == 1
    assert api("GET", "/playlists?state=published", tokens["viewer"])[0] == 400


def test_another_agency_sees_nothing_and_edits_nothing(api, fleet, tokens):
    before = stored(fleet)
    other = tokens["tourism-editor"]
    for method, path, body in (
            ("GET", "/playlists/culture-photos", None),
            ("GET", "/playlists/culture-photos/versions/1", None),
            ("PATCH", "/playlists/culture-photos", {"themes": ["tourism"]}),
            ("PUT", "/playlists/culture-photos/draft", {"items": items("Hijacked")})):
        status, answer = api(method, path, other, body)
        assert status == 404, (method, path, answer)
        assert answer["message"] == "No playlist 'culture-photos'."  # as if it did not exist
    assert api("GET", "/playlists/no-such-thing", other)[1]["message"] == (
        "No playlist 'no-such-thing'.")
    assert stored(fleet) == before


def test_an_editor_may_not_create_for_another_agency(api, fleet, tokens):
    before = stored(fleet)
    status, body = api("POST", "/playlists", tokens["culture-editor"],
                       new_playlist("stolen", agency="tourism"))
    assert status == 403 and "culture" in body["message"] and "tourism" in body["message"]
    assert stored(fleet) == before


def test_editing_the_draft_and_details(api, fleet, tokens):
    token = tokens["culture-editor-2"]
    status, body = api("PUT", "/playlists/culture-photos/draft", token,
                       {"items": items("The Imperial City")})
    assert status == 200 and body["version"]["number"] == 1
    assert body["version"]["edited_by"] == "culture-editor-2"
    assert body["version"]["created_by"] == "culture-editor"
    status, body = api("PUT", "/playlists/culture-photos/draft", token,
                       {"items": items("The Imperial City")})
    assert status == 200 and body["unchanged"] is True
    status, body = api("PATCH", "/playlists/culture-photos", token,
                       {"title": {"en": "Huế in pictures"}, "themes": ["heritage", "festival"]})
    assert status == 200 and body["changed"] is True
    assert body["title"] == {"vi": "Ảnh Huế", "en": "Huế in pictures"}
    assert body["themes"] == ["heritage", "festival"]
    actions = [a for a, _ in audit(fleet, "culture-photos")]
    assert "playlist.edit" in actions and "playlist.update" in actions


MISSING_EN = [{"id": "hello", "type": "text", "duration": 8,
               "variants": {"vi": {"title": "Xin chào"}}}]


@pytest.mark.parametrize("body, status, fragment", [
    (new_playlist("x1", colour="red"), 422, "unknown key 'colour'"),
    (new_playlist("Bad Id"), 422, "'id' value 'Bad Id' is not valid"),
    (new_playlist("x2", title={"vi": "Chỉ tiếng Việt"}), 422, "missing required key 'en'"),
    (new_playlist("x3", items="not a list"), 422, "'items' must be a list"),
    (new_playlist("x4", items=[]), 422, "must not be an empty list"),
    (new_playlist("x5", items=MISSING_EN), 422, "item 'hello': variants must include 'en'"),
    (new_playlist("x6", items=[{**items()[1], "duration": "ten"}]), 422,
     "'duration' must be a number"),
    (new_playlist("x7", items=[{**items()[1], "variants": {
        "vi": {"title": "a", "media": CITADEL}, "en": {"title": "b", "media": "0" * 64}}}]),
     422, "item 'citadel', variant 'en': media " + "0" * 64 + " is not in the media store"),
    (new_playlist("x8", items=[{**items()[1], "variants": {
        "vi": {"title": "a", "media": "hue-citadel.jpg"}, "en": {"title": "b"}}}]),
     422, "variant 'vi': media must be the SHA-256"),
    (new_playlist("x9", items=[{**items()[1], "type": "video"}]), 422,
     "is an image (JPEG) but the item's type is video"),
    (new_playlist("x10", agency="ministry"), 422, "unknown agency 'ministry'"),
    (new_playlist("x11", themes="heritage"), 422, "'themes' must be a list"),
    (new_playlist("x12", items=items() + items()), 422, "duplicate item id 'hello'"),
    ([new_playlist("x13")], 400, "JSON object"),
])
def test_bad_input_is_refused_and_nothing_is_stored(api, fleet, tokens, body, status,
                                                    fragment):
    before = stored(fleet)
    got, answer = api("POST", "/playlists", tokens["culture-editor"], body)
    assert got == status, answer
    assert fragment in answer["message"], answer["message"]
    assert stored(fleet) == before


def test_bodies_that_are_not_json_or_too_large_are_refused(api, fleet, tokens):
    before = stored(fleet)
    token = tokens["culture-editor"]
    status, answer = api("POST", "/playlists", token, raw=b"{nope")
    assert status == 400 and "not valid JSON" in answer["message"]
    status, answer = api("POST", "/playlists", token, raw=b"{}", content_type="text/plain")
    assert status == 400 and "Content-Type: application/json" in answer["message"]
    big = new_playlist("huge", items=items("x" * 200_000))
    status, answer = api("POST", "/playlists", token, big)
    assert status == 413 and "too large" in answer["message"]
    status, answer = api("PUT", "/playlists/culture-photos/draft", token,
                         {"items": items(), "extra": 1})
    assert status == 422 and "unknown key 'extra'" in answer["message"]
    status, answer = api("PATCH", "/playlists/culture-photos", token,
                         {"title": {"en": ""}})
    assert status == 422 and "'en' must not be empty" in answer["message"]
    assert stored(fleet) == before


ROUTES = [
    ("GET", "/playlists", None),
    ("GET", "/playlists/culture-photos", None),
    ("GET", "/playlists/culture-photos/versions/1", None),
    ("POST", "/playlists", new_playlist("role-check")),
    ("PATCH", "/playlists/culture-photos", {"themes": ["heritage"]}),
    ("PUT", "/playlists/culture-photos/draft", {"items": items()}),
]
ALLOWED = {"GET": {"admin", "editor", "approver", "emergency", "technician", "viewer"},
           "POST": {"admin", "editor"}, "PATCH": {"admin", "editor"},
           "PUT": {"admin", "editor"}}


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_every_role_gets_the_right_answer(api, fleet, tokens, method, path, body):
    assert api(method, path, None, body)[0] == 401
    assert api(method, path, "pat_wrong", body)[0] == 401
    users = {"admin": "admin", "editor": "tourism-editor", "approver": "dic-approver",
             "emergency": "duty-officer", "technician": "technician", "viewer": "viewer"}
    for role, user in users.items():
        before = stored(fleet)
        status, answer = api(method, path, tokens[user], body)
        if role not in ALLOWED[method]:
            assert status == 403 and role in answer["message"], (role, answer)
            assert stored(fleet) == before
        else:
            assert status not in (401, 403), (role, status, answer)
