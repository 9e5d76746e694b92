"""Editorial review through the real controller: an editor drafts and submits, an
approver reads the review queue and the diff and approves (the screens then show it),
rejects with a reason, and everything the workflow refuses comes back as a clear JSON
error with nothing changed. Also the diff as a pure function."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select
from web.helpers import DEADLINE, Api, people_tokens, wait_for

from controller.models import AuditEntry, Playlist, PlaylistVersion, User
from controller.review.diff import diff_items

SCREEN = "chan-may-cruise-terminal"  # shows welcome-hue (agency tourism)
PEOPLE = {
    "culture-editor": ("editor", "culture"),
    "tourism-editor": ("editor", "tourism"),
    "border-editor": ("editor", "border-guard"),
    "promoted": ("editor", "culture"),  # becomes an approver after editing
    "dic-approver": ("approver", "dic"),
    "tourism-approver": ("approver", "tourism"),
    "duty-officer": ("emergency", None),
}


def text_item(item_id: str, en: str, vi: str = "Tiêu đề", duration: float = 8,
              **more: dict[str, str]) -> dict[str, Any]:
    return {"id": item_id, "type": "text", "duration": duration,
            "variants": {"vi": {"title": vi}, "en": {"title": en}, **more}}


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, PEOPLE)


def version_state(fleet, playlist: str, number: int) -> tuple[str, int | None]:
    with fleet.sessions() as session:
        version = session.execute(select(PlaylistVersion).where(
            PlaylistVersion.playlist_id == playlist, PlaylistVersion.number == number)
        ).scalar_one()
        return version.state, session.get(Playlist, playlist).current_version


def actions(fleet, playlist: str) -> list[tuple[str, str]]:
    with fleet.sessions() as session:
        return [(e.action, e.actor) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id.startswith(playlist))
            .order_by(AuditEntry.id))]


def timeline(server, fleet) -> str:
    response = requests.get(server.url + "/api/v1/player/timeline", timeout=DEADLINE,
                            headers={"Authorization": f"Bearer {fleet.tokens[SCREEN]}"})
    assert response.status_code == 200
    return response.text


def queue(api, token) -> dict[tuple[str, int], dict[str, Any]]:
    status, body = api("GET", "/review-queue", token)
    assert status == 200, body
    return {(e["playlist"], e["version"]): e for e in body["queue"]}


def test_draft_submit_reject_resubmit_approve(api, fleet, tokens):
    editor, approver = tokens["culture-editor"], tokens["dic-approver"]
    status, body = api("POST", "/playlists", editor, {
        "id": "culture-news", "title": {"vi": "Tin văn hóa", "en": "Culture news"},
        "items": [text_item("opening", "Opening night")]})
    assert status == 201, body
    status, body = api("PUT", "/playlists/culture-news/draft", editor,
                       {"items": [text_item("opening", "Opening night"),
                                  text_item("closing", "Closing night")]})
    assert status == 200 and body["version"]["item_count"] == 2
    status, body = api("POST", "/playlists/culture-news/versions/1/submit", editor)
    assert status == 200 and body["version"]["state"] == "in_review"
    assert body["version"]["submitted_by"] == "culture-editor"

    # frozen while in review
    status, body = api("PUT", "/playlists/culture-news/draft", editor,
                       {"items": [text_item("opening", "Changed")]})
    assert status == 409 and "in review" in body["message"]

    entry = queue(api, approver)[("culture-news", 1)]
    assert entry["submitted_by"] == "culture-editor" and entry["may_approve"] is True
    assert entry["agency"] == "culture"
    status, diff = api("GET", "/playlists/culture-news/versions/1/diff", approver)
    assert status == 200 and diff["against"] is None
    assert [a["id"] for a in diff["changes"]["added"]] == ["opening", "closing"]

    # a rejection needs a reason; the editor sees it
    status, body = api("POST", "/playlists/culture-news/versions/1/reject", approver,
                       {"reason": "  "})
    assert status == 422 and "reason" in body["message"]
    assert version_state(fleet, "culture-news", 1) == ("in_review", None)
    status, body = api("POST", "/playlists/culture-news/versions/1/reject", approver,
                       {"reason": "Add the dates of the festival."})
    assert status == 200 and body["version"]["state"] == "draft"
    status, body = api("GET", "/playlists/culture-news", editor)
    assert body["working"] == {"number": 1, "state": "draft",
                               "rejection_reason": "Add the dates of the festival."}
    assert body["versions"][0]["reviewed_by"] == "dic-approver"

    api("PUT", "/playlists/culture-news/draft", editor,
        {"items": [text_item("opening", "Opening night, 1 June"),
                   text_item("closing", "Closing night, 9 June")]})
    assert api("POST", "/playlists/culture-news/versions/1/submit", editor)[0] == 200
    status, body = api("POST", "/playlists/culture-news/versions/1/approve", approver)
    assert status == 200, body
    assert body["playlist"]["on_air"] == 1 and body["version"]["state"] == "approved"
    assert version_state(fleet, "culture-news", 1) == ("approved", 1)
    assert ("culture-news", 1) not in queue(api, approver)
    assert [a for a, _ in actions(fleet, "culture-news")] == [
        "playlist.create", "playlist.edit", "playlist.submit", "playlist.reject",
        "playlist.edit", "playlist.submit", "playlist.approve"]


def test_editing_what_is_on_air_makes_a_draft_the_screens_do_not_show(api, fleet, server,
                                                                       tokens):
    editor, approver = tokens["tourism-editor"], tokens["dic-approver"]
    status, current = api("GET", "/playlists/welcome-hue/versions/1", editor)
    assert status == 200 and current["on_air"] is True
    items = current["items"]
    items[0]["variants"]["en"]["title"] = "Welcome to Huế, city of festivals"
    before = timeline(server, fleet)
    assert "city of festivals" not in before
    status, body = api("PUT", "/playlists/welcome-hue/draft", editor, {"items": items})
    assert status == 201 and body["version"]["number"] == 2
    assert version_state(fleet, "welcome-hue", 2) == ("draft", 1)
    assert timeline(server, fleet) == before  # the draft is not on air

    assert api("POST", "/playlists/welcome-hue/versions/2/submit", editor)[0] == 200
    status, diff = api("GET", "/playlists/welcome-hue/versions/2/diff", approver)
    assert diff["against"] == 1
    assert diff["changes"]["added"] == [] and diff["changes"]["removed"] == []
    assert diff["changes"]["changed"] == [{
        "id": "welcome", "position": 1, "changes": [{
            "language": "en", "field": "title", "old": "Welcome to Thừa Thiên Huế",
            "new": "Welcome to Huế, city of festivals"}]}]
    assert timeline(server, fleet) == before

    status, body = api("POST", "/playlists/welcome-hue/versions/2/approve", approver)
    assert status == 200, body
    assert version_state(fleet, "welcome-hue", 2) == ("approved", 2)
    assert version_state(fleet, "welcome-hue", 1)[0] == "archived"
    wait_for(lambda: "city of festivals" in timeline(server, fleet), what="new timeline")


def test_the_last_editor_may_not_approve(api, fleet, tokens):
    editor = tokens["promoted"]
    api("POST", "/playlists", editor, {
        "id": "culture-tips", "title": {"vi": "Mẹo", "en": "Tips"},
        "items": [text_item("tip", "Carry water")]})
    assert api("POST", "/playlists/culture-tips/versions/1/submit", editor)[0] == 200
    with fleet.sessions() as session:  # promoted: now a culture approver
        user = session.scalar(select(User).where(User.username == "promoted"))
        user.role = "approver"
        session.commit()
    entry = queue(api, editor)[("culture-tips", 1)]
    assert entry["may_approve"] is False and "edited this version last" in entry["why_not"]
    status, body = api("POST", "/playlists/culture-tips/versions/1/approve", editor)
    assert status == 403
    assert "promoted edited version 1 of 'culture-tips' last" in body["message"]
    assert "another approver must" in body["message"]
    assert version_state(fleet, "culture-tips", 1) == ("in_review", None)
    # an admin edits but does not approve
    status, body = api("POST", "/playlists/culture-tips/versions/1/approve", tokens["admin"])
    assert status == 403 and "approver" in body["message"]


def test_a_non_lead_approver_reviews_only_their_agency(api, fleet, tokens):
    other = tokens["tourism-approver"]
    assert ("culture-tips", 1) not in queue(api, other)
    assert ("culture-tips", 1) in queue(api, tokens["dic-approver"])
    for action, body in (("approve", None), ("reject", {"reason": "No."})):
        status, answer = api("POST", f"/playlists/culture-tips/versions/1/{action}", other,
                             body)
        assert status == 404 and answer["message"] == "No playlist 'culture-tips'."
    assert version_state(fleet, "culture-tips", 1) == ("in_review", None)


def test_submit_lacking_a_screen_language_names_item_and_language(api, fleet, tokens):
    editor = tokens["border-editor"]
    items = [text_item("welcome", "Welcome to Viet Nam", lo={"title": "ຍິນດີຕ້ອນຮັບ"}),
             text_item("hours", "Open 7:00-17:00")]  # no Lao: the A Đớt screens need it
    status, body = api("PUT", "/playlists/border-welcome/draft", editor, {"items": items})
    assert status == 201
    number = body["version"]["number"]
    status, body = api("POST", f"/playlists/border-welcome/versions/{number}/submit", editor)
    assert status == 422
    assert "hours" in body["message"] and "lo" in body["message"]
    assert version_state(fleet, "border-welcome", number)[0] == "draft"
    status, body = api("POST", f"/playlists/border-welcome/versions/{number}/archive", editor)
    assert status == 200 and body["version"]["state"] == "archived"
    assert version_state(fleet, "border-welcome", number) == ("archived", 1)
    assert actions(fleet, "border-welcome")[-2:] == [("playlist.draft", "border-editor"),
                                                     ("playlist.archive", "border-editor")]


def test_withdraw_and_wrong_state(api, fleet, tokens):
    editor = tokens["culture-editor"]
    api("POST", "/playlists", editor, {
        "id": "culture-draft", "title": {"vi": "Nháp", "en": "Draft"},
        "items": [text_item("aa", "A")]})
    status, body = api("POST", "/playlists/culture-draft/versions/1/withdraw", editor)
    assert status == 409 and "not in review" in body["message"]
    assert api("POST", "/playlists/culture-draft/versions/1/submit", editor)[0] == 200
    status, body = api("POST", "/playlists/culture-draft/versions/1/withdraw", editor)
    assert status == 200 and body["version"]["state"] == "draft"
    assert api("POST", "/playlists/culture-draft/versions/9/submit", editor)[0] == 404
    assert [a for a, _ in actions(fleet, "culture-draft")][-2:] == [
        "playlist.submit", "playlist.withdraw"]


ACTIONS = {"submit": {"admin", "editor"}, "withdraw": {"admin", "editor"},
           "approve": {"approver"}, "reject": {"approver"},
           "archive": {"admin", "editor", "approver"}}
USERS = {"admin": "admin", "editor": "tourism-editor", "approver": "tourism-approver",
         "emergency": "duty-officer", "technician": "technician", "viewer": "viewer"}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_role_gets_the_right_answer(api, fleet, tokens, action):
    path = f"/playlists/culture-tips/versions/1/{action}"
    body = {"reason": "x"} if action == "reject" else None
    assert api("POST", path, None, body)[0] == 401
    for role, user in USERS.items():
        before = version_state(fleet, "culture-tips", 1)
        status, answer = api("POST", path, tokens[user], body)
        if role not in ACTIONS[action]:
            assert status == 403 and f"Role {role!r}" in answer["message"], (role, answer)
            assert version_state(fleet, "culture-tips", 1) == before
        else:  # allowed at the route; the workflow decides (agency, state)
            assert status != 401 and not answer.get("message", "").startswith("Role "), (
                role, answer)
    if version_state(fleet, "culture-tips", 1)[0] == "draft":  # the admin withdrew it
        assert api("POST", "/playlists/culture-tips/versions/1/submit",
                   tokens["admin"])[0] == 200
    assert api("GET", "/review-queue", tokens["viewer"])[0] == 403
    assert api("GET", "/review-queue", None)[0] == 401


# --------------------------------------------------------------------------- the diff


def test_diff_of_nothing_on_air_is_all_added():
    new = [text_item("a", "A"), text_item("b", "B")]
    diff = diff_items(None, new)
    assert [(a["id"], a["position"]) for a in diff["added"]] == [("a", 1), ("b", 2)]
    assert diff["removed"] == diff["moved"] == diff["changed"] == []


def test_diff_added_removed_moved_changed():
    old = [text_item("a", "A"), text_item("b", "B"), text_item("c", "C"),
           text_item("d", "D", lo={"title": "ດ"})]
    new = [text_item("c", "C"), text_item("a", "A", duration=12), text_item("b", "Bee"),
           {**text_item("d", "D"), "type": "web",
            "variants": {"vi": {"title": None, "url": "https://hue.gov.vn/"},
                         "en": {"title": "D"}}},
           text_item("e", "E")]
    diff = diff_items(old, new)
    assert [a["id"] for a in diff["added"]] == ["e"]
    assert diff["removed"] == []
    assert diff["moved"] == [{"id": "c", "from": 3, "to": 1}]
    changed = {c["id"]: c["changes"] for c in diff["changed"]}
    assert changed["a"] == [{"field": "duration", "old": 8, "new": 12}]
    assert changed["b"] == [{"language": "en", "field": "title", "old": "B", "new": "Bee"}]
    assert {"field": "type", "old": "text", "new": "web"} in changed["d"]
    assert {"language": "vi", "field": "title", "old": "Tiêu đề", "new": None} in changed["d"]
    assert {"language": "vi", "field": "url", "old": None,
            "new": "https://hue.gov.vn/"} in changed["d"]
    assert {"language": "lo", "field": "variant", "old": {"title": "ດ"},
            "new": None} in changed["d"]
    assert diff["unchanged"] == 1  # c: moved only


def test_diff_removed_and_identical():
    old = [text_item("a", "A"), text_item("b", "B")]
    assert diff_items(old, old) == {"added": [], "removed": [], "moved": [], "changed": [],
                                    "unchanged": 2}
    diff = diff_items(old, [text_item("b", "B")])
    assert diff["removed"] == [{"id": "a", "position": 1, "item": old[0]}]
    assert diff["moved"] == []
