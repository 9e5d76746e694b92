"""``/api/v1/schedules`` through the real controller: what a screen plays changes when a
schedule is created, replaced and deleted; only approved and complete content goes on
air; who may schedule what onto which sites; bad bodies change nothing."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from web.helpers import REPO, call

from controller import changes
from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.content.playlists_write import import_playlists
from controller.models import AuditEntry, Schedule, User

# Friday 2031-03-14 in Huế (UTC+7): 18:30 and 20:30 local.
FRI_1830 = "2031-03-14T11:30:00Z"
FRI_2030 = "2031-03-14T13:30:00Z"


def person(session, username: str, role: str, agency: str | None = None,
           sites: list[str] | None = None) -> str:
    add_user(session, username, role, password="correct horse battery", agency=agency)
    session.flush()
    user = session.scalar(select(User).where(User.username == username))
    user.scope_sites = sites or []
    return issue_user_token(session, username)


@pytest.fixture(scope="module")
def people(fleet, tmp_path_factory) -> dict[str, str]:
    """Tokens by name, and a playlist 'draft-only' that has a draft and nothing approved."""
    data = yaml.safe_load((REPO / "playlists" / "welcome-hue.yaml").read_text("utf-8"))
    data["id"] = "draft-only"
    path = tmp_path_factory.mktemp("drafts") / "draft-only.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with fleet.sessions() as session:
        import_playlists(session, path, fleet.store, REPO / "media", approve=False)
        out = dict(fleet.users)
        out["emergency"] = person(session, "sched-emergency", "emergency")
        out["tourism-editor"] = person(session, "tourism-editor", "editor", "tourism",
                                       ["lang-co-pano"])
        out["lead-approver"] = person(session, "lead-approver", "approver", "dic")
        out["tourism-approver"] = person(session, "tourism-approver", "approver", "tourism")
        session.commit()
    return out


def snapshot(fleet) -> tuple[int, int, int]:
    with fleet.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Schedule)),
                session.scalar(select(func.count()).select_from(AuditEntry)),
                changes.current(session))


def plays(server, token: str, screen: str, at: str) -> tuple[str, str | None]:
    status, body = call(server, "GET", f"/api/v1/screens/{screen}/preview?at={at}", token)
    assert status == 200, body
    schedule = body["why"]["schedule"]
    return body["playing"]["playlist"], schedule["slug"] if schedule else None


def entry(slug: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": slug, "playlist": "border-welcome",
                            "targets": {"screens": ["phu-bai-arrivals"]},
                            "weekdays": ["fri"], "windows": ["18:00-23:00"], "priority": 2}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def audit(server, token: str, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    status, body = call(server, "GET", f"/api/v1/audit?{query}", token)
    assert status == 200, body
    return body["entries"]


def test_create_replace_delete_changes_what_the_screen_plays(server, fleet, people):
    admin = people["admin"]
    assert plays(server, admin, "phu-bai-arrivals", FRI_1830) == ("welcome-hue@1", None)
    counter = snapshot(fleet)[2]

    status, created = call(server, "POST", "/api/v1/schedules", admin, entry("api-evening"))
    assert status == 201, created
    assert created["source"] == "api" and created["created_by"] == "admin-user"
    assert created["weekdays"] == ["fri"] and created["windows"] == ["18:00-23:00"]
    assert created["sites"] == ["phu-bai-airport"]
    assert plays(server, admin, "phu-bai-arrivals", FRI_1830) == ("border-welcome@1",
                                                                  "api-evening")
    assert plays(server, admin, "phu-bai-baggage", FRI_1830) == ("welcome-hue@1", None)
    assert snapshot(fleet)[2] == counter + 1

    status, got = call(server, "GET", "/api/v1/schedules/api-evening", people["viewer"])
    assert status == 200 and got["playlist"] == "border-welcome" and got["priority"] == 2

    later = entry("api-evening", windows=["20:00-23:00"])
    status, replaced = call(server, "PUT", "/api/v1/schedules/api-evening", admin, later)
    assert status == 200, replaced
    assert replaced["number"] == created["number"]  # keeps its number and creation order
    assert plays(server, admin, "phu-bai-arrivals", FRI_1830) == ("welcome-hue@1", None)
    assert plays(server, admin, "phu-bai-arrivals", FRI_2030) == ("border-welcome@1",
                                                                  "api-evening")
    # The GET answer, sent back, is accepted unchanged and changes nothing.
    body = {k: got[k] for k in ("id", "playlist", "targets", "weekdays", "priority")} | {
        "windows": ["20:00-23:00"]}
    before = snapshot(fleet)
    assert call(server, "PUT", "/api/v1/schedules/api-evening", admin, body)[0] == 200
    assert snapshot(fleet) == before

    status, gone = call(server, "DELETE", "/api/v1/schedules/api-evening", admin)
    assert status == 200 and gone["deleted"]["id"] == "api-evening"
    assert plays(server, admin, "phu-bai-arrivals", FRI_2030) == ("welcome-hue@1", None)
    assert call(server, "GET", "/api/v1/schedules/api-evening", admin)[0] == 404
    assert call(server, "DELETE", "/api/v1/schedules/api-evening", admin)[0] == 404
    assert snapshot(fleet)[2] == counter + 3

    # Each write is in the audit log with before and after.
    log = audit(server, admin, object_type="schedule", object_id="api-evening")
    assert [e["action"] for e in log] == ["schedule.delete", "schedule.update",
                                          "schedule.create"]
    delete, update, create = log
    assert create["before"] is None and create["after"]["windows"] == ["18:00-23:00"]
    assert update["before"]["windows"] == ["18:00-23:00"]
    assert update["after"]["windows"] == ["20:00-23:00"]
    assert delete["before"]["windows"] == ["20:00-23:00"] and delete["after"] is None
    assert {e["actor"] for e in log} == {"admin-user"}


def test_a_connected_screen_gets_the_new_timeline(server, fleet, people, players):
    player = players().connect("phu-bai-baggage", fleet.tokens["phu-bai-baggage"])
    first = player.next_timeline()
    assert {s["playlist"] for s in first["segments"]} == {"welcome-hue@1"}
    all_day = {"id": "baggage-all-day", "playlist": "vietnam-laos-friendship",
               "targets": {"screens": ["phu-bai-baggage"]}}
    assert call(server, "POST", "/api/v1/schedules", people["admin"], all_day)[0] == 201
    pushed = player.next_timeline()
    assert {s["playlist"] for s in pushed["segments"]} == {"vietnam-laos-friendship@1"}
    assert call(server, "DELETE", "/api/v1/schedules/baggage-all-day", people["admin"])[0] \
        == 200
    assert {s["playlist"] for s in player.next_timeline()["segments"]} == {"welcome-hue@1"}


@pytest.mark.parametrize("body, fragment", [
    (entry("d1", playlist="draft-only"), "'draft-only' has no approved version yet"),
    (entry("d2", playlist="draft-only", version=1), "no approved version 1"),
    (entry("d3", version=2), "playlist 'border-welcome' has no approved version 2 "
                             "(approved versions: 1)"),
])
def test_only_approved_content_goes_on_air(server, fleet, people, body, fragment):
    before = snapshot(fleet)
    status, answer = call(server, "POST", "/api/v1/schedules", people["admin"], body)
    assert status == 422, answer
    assert fragment in answer["message"]
    assert snapshot(fleet) == before


def test_an_incomplete_playlist_is_refused_naming_items_languages_and_screens(
        server, fleet, people):
    before = snapshot(fleet)
    body = entry("welcome-at-a-dot", playlist="welcome-hue",
                 targets={"sites": ["a-dot-border-gate"]})
    status, answer = call(server, "POST", "/api/v1/schedules", people["admin"], body)
    assert status == 422, answer
    message = answer["message"]
    assert "playlist 'welcome-hue@1' lacks languages" in message
    assert "screens a-dot-entry-hall, a-dot-outdoor-pano" in message
    assert "item 'welcome' lacks lo" in message
    assert snapshot(fleet) == before
    # The same by tag: 'border' reaches both A Đớt screens.
    body["targets"] = {"tags": ["border"]}
    status, answer = call(server, "POST", "/api/v1/schedules", people["admin"], body)
    assert status == 422 and "lacks lo" in answer["message"]


def test_an_editor_schedules_only_their_agency_onto_their_sites(server, fleet, people):
    editor = people["tourism-editor"]
    mine = {"id": "lang-co-sea", "playlist": "sea-islands",
            "targets": {"sites": ["lang-co-pano"]}, "windows": ["06:00-08:00"]}
    status, created = call(server, "POST", "/api/v1/schedules", editor, mine)
    assert status == 201, created
    assert created["created_by"] == "tourism-editor"

    before = snapshot(fleet)
    refusals = [
        ({**mine, "id": "phu-bai-sea", "targets": {"sites": ["phu-bai-airport"]}},
         "may only schedule onto the sites lang-co-pano, not phu-bai-airport"),
        ({**mine, "id": "by-screen", "targets": {"screens": ["phu-bai-arrivals"]}},
         "not phu-bai-airport"),
        ({**mine, "id": "by-tag", "targets": {"tags": ["arrivals"]}}, "not phu-bai-airport"),
        ({**mine, "id": "invest", "playlist": "invest-hue"},
         "'invest-hue' belongs to agency 'investment'"),
    ]
    for body, fragment in refusals:
        status, answer = call(server, "POST", "/api/v1/schedules", editor, body)
        assert status == 403, (body, answer)
        assert fragment in answer["message"]
    # Moving their own schedule to Phú Bài is refused too; so is touching an admin's.
    status, answer = call(server, "PUT", "/api/v1/schedules/lang-co-sea", editor,
                          {**mine, "targets": {"sites": ["phu-bai-airport"]}})
    assert status == 403 and "not phu-bai-airport" in answer["message"]
    assert call(server, "POST", "/api/v1/schedules", people["admin"],
                entry("admins-own"))[0] == 201
    after_admin = snapshot(fleet)
    status, answer = call(server, "DELETE", "/api/v1/schedules/admins-own", editor)
    assert status == 403, answer
    assert snapshot(fleet) == after_admin
    assert after_admin[0] == before[0] + 1

    # Approvers: only the lead agency's change schedules.
    status, answer = call(server, "POST", "/api/v1/schedules", people["tourism-approver"],
                          {**mine, "id": "by-approver"})
    assert status == 403 and "lead agency" in answer["message"]
    assert call(server, "POST", "/api/v1/schedules", people["lead-approver"],
                {**mine, "id": "by-lead-approver"})[0] == 201
    assert call(server, "DELETE", "/api/v1/schedules/lang-co-sea", editor)[0] == 200


def test_roles(server, fleet, people):
    before = snapshot(fleet)
    assert call(server, "GET", "/api/v1/schedules", None)[0] == 401
    assert call(server, "POST", "/api/v1/schedules", None, entry("x"))[0] == 401
    for role in ("viewer", "technician", "emergency"):
        token = people[role]
        assert call(server, "GET", "/api/v1/schedules", token)[0] == 200
        status, answer = call(server, "POST", "/api/v1/schedules", token, entry("x"))
        assert status == 403 and answer["error"] == "forbidden", answer
        assert call(server, "PUT", "/api/v1/schedules/x", token, entry("x"))[0] == 403
        assert call(server, "DELETE", "/api/v1/schedules/x", token)[0] == 403
    assert snapshot(fleet) == before


@pytest.mark.parametrize("raw, status, fragment", [
    (b"{nope", 400, "JSON body"),
    (b"[1, 2]", 400, "JSON object"),
    (b'"text"', 400, "JSON object"),
])
def test_a_body_that_is_not_a_json_object_is_400(server, fleet, people, raw, status,
                                                  fragment):
    before = snapshot(fleet)
    answer = call(server, "POST", "/api/v1/schedules", people["admin"], raw=raw)
    assert answer[0] == status and fragment in answer[1]["message"]
    assert snapshot(fleet) == before


@pytest.mark.parametrize("changes, fragment", [
    ({"id": "Bad Id"}, "'id' value 'Bad Id' is not valid"),
    ({"id": 7}, "'id' must be text"),
    ({"id": None}, "'id' is required"),
    ({"playlist": "nope"}, "unknown playlist 'nope'"),
    ({"priority": "high"}, "'priority' must be a whole number"),
    ({"priority": 1.5}, "'priority' must be a whole number"),
    ({"version": "1"}, "'version' must be a whole number"),
    ({"windows": [1800]}, "a window must be text"),
    ({"windows": "18:00-23:00"}, "'windows' must be a list"),
    ({"windows": ["25:00-26:00"]}, "is not HH:MM-HH:MM"),
    ({"windows": ["08:00-08:00"]}, "ambiguous"),
    ({"weekdays": ["funday"]}, "'funday' is not a weekday"),
    ({"weekdays": []}, "'weekdays' must not be an empty list"),
    ({"days": {"from": "2031-12-01", "until": "2031-01-01"}}, "is before 'from'"),
    ({"days": {"from": "1 Dec"}}, "must be a date like 2026-12-31"),
    ({"targets": {}}, "at least one site, screen or tag"),
    ({"targets": {"sites": ["atlantis"]}}, "unknown site 'atlantis'"),
    ({"targets": {"screens": "phu-bai-arrivals"}}, "'screens' must be a list"),
    ({"targets": ["phu-bai-airport"]}, "expected a mapping"),
    ({"colour": "red"}, "unknown key 'colour'"),
])
def test_wrong_values_are_422_naming_the_problem_and_store_nothing(server, fleet, people,
                                                                   changes, fragment):
    before = snapshot(fleet)
    status, answer = call(server, "POST", "/api/v1/schedules", people["admin"],
                          {**entry("bad-values"), **changes})
    assert status == 422, answer
    assert answer["error"] == "unprocessable"
    assert fragment in answer["message"], answer["message"]
    assert snapshot(fleet) == before


def test_ids_duplicates_filters_and_unknown_schedules(server, fleet, people):
    admin = people["admin"]
    assert call(server, "POST", "/api/v1/schedules", admin, entry("dup"))[0] == 201
    before = snapshot(fleet)
    status, answer = call(server, "POST", "/api/v1/schedules", admin,
                          entry("dup", priority=9))
    assert status == 409 and "exists already" in answer["message"]
    assert call(server, "GET", "/api/v1/schedules/dup", admin)[1]["priority"] == 2
    status, answer = call(server, "PUT", "/api/v1/schedules/dup", admin, entry("other"))
    assert status == 422 and "cannot change" in answer["message"]
    assert call(server, "PUT", "/api/v1/schedules/ghost", admin, entry("ghost"))[0] == 404
    assert snapshot(fleet) == before

    _, listed = call(server, "GET", "/api/v1/schedules?playlist=border-welcome", admin)
    assert listed["schedules"] and {s["playlist"] for s in listed["schedules"]} == {
        "border-welcome"}
    _, at_phu_bai = call(server, "GET", "/api/v1/schedules?site=phu-bai-airport", admin)
    assert "dup" in {s["id"] for s in at_phu_bai["schedules"]}  # by its screen
    _, at_lang_co = call(server, "GET", "/api/v1/schedules?site=lang-co-pano", admin)
    assert "dup" not in {s["id"] for s in at_lang_co["schedules"]}
    status, answer = call(server, "GET", "/api/v1/schedules?colour=red", admin)
    assert status == 400 and "'colour'" in answer["message"]
