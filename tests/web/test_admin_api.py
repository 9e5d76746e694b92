"""Agencies and users through the real controller: who may read and change them, every
refusal with the known values, the audit entries, and that passwords never leak."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from web.test_schedules_api import call, person

from controller.auth.passwords import verify_password
from controller.models import Agency, AuditEntry, User


@pytest.fixture(scope="module")
def people(fleet) -> dict[str, str]:
    with fleet.sessions() as session:
        out = dict(fleet.users)
        out["editor"] = person(session, "admin-api-editor", "editor", "tourism")
        session.commit()
    return out


def count(fleet, model) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def audit(server, token: str, **filters: str) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    status, body = call(server, "GET", f"/api/v1/audit?{query}", token)
    assert status == 200, body
    return body["entries"]


# ------------------------------------------------------------------------------ agencies

def test_every_role_reads_the_agencies(server, people):
    assert call(server, "GET", "/api/v1/agencies", None)[0] == 401
    for role in ("viewer", "technician", "editor"):
        status, body = call(server, "GET", "/api/v1/agencies", people[role])
        assert status == 200
        agencies = {a["id"]: a for a in body["agencies"]}
        assert len(agencies) == 7
        assert [a for a, row in agencies.items() if row["lead"]] == ["dic"]
        assert agencies["tourism"]["name"] == {"vi": "Sở Du lịch", "en": "Department of Tourism"}


def test_admins_create_and_rename_agencies_and_move_the_lead(server, fleet, people):
    admin = people["admin"]
    press = {"name": {"vi": "Báo Thừa Thiên Huế", "en": "Thua Thien Hue Newspaper"}}
    status, body = call(server, "PUT", "/api/v1/agencies/press", admin, press)
    assert status == 201 and body == {"id": "press", **press, "lead": False}
    renamed = {"name": {**press["name"], "en": "Hue Newspaper"}}
    status, body = call(server, "PUT", "/api/v1/agencies/press", admin, renamed)
    assert status == 200 and body["name"]["en"] == "Hue Newspaper"

    # The lead moves: one lead at a time; the lead cannot just be dropped.
    status, body = call(server, "PUT", "/api/v1/agencies/press", admin,
                        {**renamed, "lead": True})
    assert status == 200 and body["lead"] is True
    leads = [a["id"] for a in call(server, "GET", "/api/v1/agencies", admin)[1]["agencies"]
             if a["lead"]]
    assert leads == ["press"]
    status, body = call(server, "PUT", "/api/v1/agencies/press", admin,
                        {**renamed, "lead": False})
    assert status == 409 and "lead agency" in body["message"]
    dic = {"name": {"vi": "Sở Thông tin và Truyền thông",
                    "en": "Department of Information and Communications"}, "lead": True}
    assert call(server, "PUT", "/api/v1/agencies/dic", admin, dic)[0] == 200
    with fleet.sessions() as session:
        assert session.scalars(select(Agency.id).where(Agency.lead.is_(True))).all() == ["dic"]

    log = audit(server, admin, object_type="agency", object_id="press")
    assert [e["action"] for e in log] == ["agency.update", "agency.update", "agency.update",
                                          "agency.create"]
    assert log[-2]["before"]["name"]["en"] == "Thua Thien Hue Newspaper"
    assert log[-2]["after"]["name"]["en"] == "Hue Newspaper"


@pytest.mark.parametrize("agency, body, status, fragment", [
    ("new-one", {"name": {"vi": "A"}}, 422, "name.en is required"),
    ("new-one", {"name": {"vi": "A", "en": "  "}}, 422, "name.en is required"),
    ("new-one", {"name": {"vi": "A", "en": "B", "fr": "C"}}, 422, "unknown language 'fr'"),
    ("new-one", {"name": "A"}, 422, "name is required"),
    ("new-one", {"name": {"vi": "A", "en": "B"}, "lead": "yes"}, 422, "true or false"),
    ("new-one", {"name": {"vi": "A", "en": "x" * 201}}, 422, "longer than 200"),
    ("new-one", {"name": {"vi": "A", "en": "B"}, "colour": 1}, 422, "Unknown field 'colour'"),
    ("Bad_Id", {"name": {"vi": "A", "en": "B"}}, 422, "is not valid"),
    ("new-one", [1], 400, "JSON object"),
])
def test_bad_agency_bodies_are_refused_and_change_nothing(server, fleet, people, agency,
                                                          body, status, fragment):
    before = count(fleet, Agency), count(fleet, AuditEntry)
    answer = call(server, "PUT", f"/api/v1/agencies/{agency}", people["admin"], body)
    assert answer[0] == status and fragment in answer[1]["message"], answer
    assert (count(fleet, Agency), count(fleet, AuditEntry)) == before


def test_only_admins_change_agencies(server, fleet, people):
    before = count(fleet, AuditEntry)
    body = {"name": {"vi": "A", "en": "B"}}
    for role in ("viewer", "technician", "editor"):
        assert call(server, "PUT", "/api/v1/agencies/tourism", people[role], body)[0] == 403
    assert call(server, "PUT", "/api/v1/agencies/tourism", None, body)[0] == 401
    assert count(fleet, AuditEntry) == before


# --------------------------------------------------------------------------------- users

def test_admins_list_users_without_secrets(server, people):
    status, body = call(server, "GET", "/api/v1/users", people["admin"])
    assert status == 200
    users = {u["username"]: u for u in body["users"]}
    assert users["admin-api-editor"] == {**users["admin-api-editor"], "role": "editor",
                                         "agency": "tourism", "disabled": False}
    assert "hash" not in json.dumps(body) and "$argon2" not in json.dumps(body)
    for role in ("viewer", "technician", "editor"):
        assert call(server, "GET", "/api/v1/users", people[role])[0] == 403


def test_create_a_user_with_a_scope_and_a_generated_password(server, fleet, people):
    admin = people["admin"]
    body = {"username": "lang-co-editor", "role": "editor", "agency": "tourism",
            "scope_sites": ["lang-co-pano"], "scope_themes": ["sea-islands"]}
    status, created = call(server, "POST", "/api/v1/users", admin, body)
    assert status == 201, created
    assert {k: created[k] for k in body} == body and created["disabled"] is False
    password = created["password"]
    with fleet.sessions() as session:
        user = session.scalar(select(User).where(User.username == "lang-co-editor"))
        assert verify_password(user.password_hash, password)
    # Not shown again; a given password is never echoed.
    listed = call(server, "GET", "/api/v1/users", admin)[1]
    assert "password" not in next(u for u in listed["users"]
                                  if u["username"] == "lang-co-editor")
    status, given = call(server, "POST", "/api/v1/users", admin,
                         {"username": "plain-viewer", "role": "viewer",
                          "password": "a long enough passphrase"})
    assert status == 201 and "password" not in given
    log = audit(server, admin, object_type="user", object_id="lang-co-editor")
    assert [e["action"] for e in log] == ["user.create"]  # one entry, scope included
    assert any(e["after"].get("scope_sites") == ["lang-co-pano"] for e in log)
    everything = json.dumps(audit(server, admin, action="user", limit="500"))
    assert password not in everything and "a long enough passphrase" not in everything


@pytest.mark.parametrize("body, status, fragment", [
    ({"username": "x1", "role": "boss"}, 422,
     "Unknown role 'boss' (known: admin, editor, approver, emergency, technician, viewer)"),
    ({"username": "x1", "role": "editor", "agency": "nasa"}, 422,
     "Unknown agency 'nasa' (known: border-guard, culture, dic"),
    ({"username": "x1", "role": "editor", "scope_sites": ["atlantis"]}, 422,
     "Unknown site 'atlantis' in scope_sites (known: a-dot-border-gate, chan-may-port"),
    ({"username": "x1", "role": "editor", "scope_sites": "lang-co-pano"}, 422,
     "scope_sites must be a list"),
    ({"username": "x1", "role": "editor", "scope_themes": ["Sea Islands"]}, 422,
     "theme 'Sea Islands'"),
    ({"username": "Bad Name", "role": "viewer"}, 422, "Bad username"),
    ({"username": "x1", "role": "viewer", "password": "short"}, 422, "Password too short"),
    ({"username": "x1", "role": "viewer", "password": 12345678901234}, 422,
     "password must be text"),
    ({"username": "admin-user", "role": "viewer"}, 409, "already exists"),
    ({"username": "x1", "role": "viewer", "is_root": True}, 422, "Unknown field 'is_root'"),
    ([], 400, "JSON object"),
])
def test_refused_users_change_nothing(server, fleet, people, body, status, fragment):
    before = count(fleet, User), count(fleet, AuditEntry)
    answer = call(server, "POST", "/api/v1/users", people["admin"], body)
    assert answer[0] == status, answer
    assert fragment.lower() in answer[1]["message"].lower(), answer[1]["message"]
    assert (count(fleet, User), count(fleet, AuditEntry)) == before


def test_patch_changes_role_agency_scope_and_disables(server, fleet, people):
    admin = people["admin"]
    with fleet.sessions() as session:
        token = person(session, "patch-me", "viewer")
        session.commit()
    assert call(server, "GET", "/api/v1/schedules", token)[0] == 200
    change = {"role": "editor", "agency": "culture", "scope_sites": ["phu-bai-airport"],
              "scope_themes": ["festival"]}
    status, body = call(server, "PATCH", "/api/v1/users/patch-me", admin, change)
    assert status == 200 and {k: body[k] for k in change} == change
    [entry] = audit(server, admin, action="user.update", object_id="patch-me")
    assert entry["before"]["role"] == "viewer" and entry["after"]["role"] == "editor"
    assert entry["agency"] == "culture" and entry["actor"] == "admin-user"

    status, body = call(server, "PATCH", "/api/v1/users/patch-me", admin,
                        {"agency": "nasa"})
    assert status == 422 and "known: border-guard" in body["message"]
    status, body = call(server, "PATCH", "/api/v1/users/patch-me", admin,
                        {"disabled": "yes"})
    assert status == 422 and "true or false" in body["message"]
    assert call(server, "PATCH", "/api/v1/users/nobody", admin, {"role": "viewer"})[0] == 404
    assert call(server, "PATCH", "/api/v1/users/patch-me", people["viewer"],
                {"role": "admin"})[0] == 403

    status, body = call(server, "PATCH", "/api/v1/users/patch-me", admin, {"disabled": True})
    assert status == 200 and body["disabled"] is True
    assert call(server, "GET", "/api/v1/schedules", token)[0] == 401  # token stops at once
    status, body = call(server, "PATCH", "/api/v1/users/patch-me", admin,
                        {"disabled": False, "agency": None})
    assert status == 200 and body["agency"] is None
    assert call(server, "GET", "/api/v1/schedules", token)[0] == 200


def test_the_last_admin_cannot_be_disabled_or_demoted(server, fleet, people):
    admin = people["admin"]
    with fleet.sessions() as session:
        others = session.scalars(select(User.username).where(
            User.role == "admin", User.username != "admin-user")).all()
    assert others == []
    for change in ({"disabled": True}, {"role": "viewer"}):
        status, body = call(server, "PATCH", "/api/v1/users/admin-user", admin, change)
        assert status == 409 and "last active admin" in body["message"]
    assert call(server, "GET", "/api/v1/users", admin)[0] == 200
