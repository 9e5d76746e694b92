"""``GET /api/v1/audit`` through the real controller: filters, paging, who reads what,
refused filter values; and the audit table refusing UPDATE and DELETE on SQLite and on
PostgreSQL (when a server is there)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError
from support.postgres import pg_url  # noqa: F401  (fixture)
from web.helpers import call
from web.test_schedules_api import person

from controller.db import make_engine, make_session_factory, upgrade
from controller.models import AuditEntry
from controller.review.actor import Actor
from controller.review.audit import record

PG_ADMIN_URL = os.environ.get(
    "PANO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

HUE = timezone(timedelta(hours=7))
SEA = {"playlist": "sea-islands", "targets": {"sites": ["lang-co-pano"]},
       "windows": ["06:00-08:00"]}
INVEST = {"playlist": "invest-hue", "targets": {"sites": ["phu-bai-airport"]},
          "windows": ["06:00-08:00"]}


@pytest.fixture(scope="module")
def people(fleet, server) -> dict[str, str]:
    """Users, and a history: the tourism editor creates and changes a tourism schedule,
    the admin an investment one, then deletes it."""
    with fleet.sessions() as session:
        out = dict(fleet.users)
        out["editor"] = person(session, "audit-editor", "editor", "tourism")
        out["lead-approver"] = person(session, "audit-lead", "approver", "dic")
        out["tourism-approver"] = person(session, "audit-tourism", "approver", "tourism")
        out["emergency"] = person(session, "audit-emergency", "emergency")
        session.commit()
    steps = [("POST", "/api/v1/schedules", out["editor"], {"id": "sea-1", **SEA}),
             ("PUT", "/api/v1/schedules/sea-1", out["editor"], {**SEA, "priority": 1}),
             ("POST", "/api/v1/schedules", out["editor"], {"id": "sea-2", **SEA}),
             ("POST", "/api/v1/schedules", out["admin"], {"id": "invest-1", **INVEST}),
             ("DELETE", "/api/v1/schedules/invest-1", out["admin"], None)]
    for method, path, token, body in steps:
        status, answer = call(server, method, path, token, body)
        assert status in (200, 201), answer
    return out


def read(server, token: str, query: str = "") -> list[dict]:
    status, body = call(server, "GET", f"/api/v1/audit{query}", token)
    assert status == 200, body
    return body["entries"]


def test_newest_first_with_before_and_after(server, people):
    entries = read(server, people["admin"], "?object_type=schedule")
    assert [(e["action"], e["object"]["id"]) for e in entries] == [
        ("schedule.delete", "invest-1"), ("schedule.create", "invest-1"),
        ("schedule.create", "sea-2"), ("schedule.update", "sea-1"),
        ("schedule.create", "sea-1")]
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)
    update_entry = entries[3]
    assert update_entry["before"]["priority"] == 0 and update_entry["after"]["priority"] == 1
    assert update_entry["actor"] == "audit-editor" and update_entry["agency"] == "tourism"
    assert entries[0]["before"]["playlist"] == "invest-hue" and entries[0]["after"] is None
    assert entries[0]["at"].endswith("Z")


def test_filters(server, people):
    admin = people["admin"]
    tourism = read(server, admin, "?agency=tourism&object_type=schedule")
    assert {e["object"]["id"] for e in tourism} == {"sea-1", "sea-2"}
    assert {e["agency"] for e in read(server, admin, "?agency=investment")} == {"investment"}
    by_editor = read(server, admin, "?actor=audit-editor")
    assert len(by_editor) == 3 and {e["actor"] for e in by_editor} == {"audit-editor"}
    # action is a prefix on whole words: "schedule" matches schedule.*, "sched" nothing.
    assert len(read(server, admin, "?action=schedule")) == 5
    assert [e["object"]["id"] for e in read(server, admin, "?action=schedule.delete")] == [
        "invest-1"]
    assert read(server, admin, "?action=sched") == []
    assert len(read(server, admin, "?object_id=sea-1")) == 2
    # since is inclusive, until exclusive; times are ISO 8601 with a zone.
    create_sea_2 = read(server, admin, "?object_id=sea-2")[0]
    at = create_sea_2["at"]
    since = read(server, admin, f"?object_type=schedule&since={at}")
    assert create_sea_2["id"] in {e["id"] for e in since}
    assert "sea-1" not in {e["object"]["id"] for e in since}
    until = read(server, admin, f"?object_type=schedule&until={at}")
    assert {e["object"]["id"] for e in until} == {"sea-1"}
    # The same instant in Huế time (+07:00, '+' encoded) selects the same entries.
    local = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(HUE).isoformat()
    assert local.endswith("+07:00")
    assert read(server, admin, f"?object_type=schedule&since={quote(local)}") == since
    assert read(server, admin, "?since=2999-01-01T00:00:00Z") == []


def test_paging_with_before_id(server, people):
    admin = people["admin"]
    everything = read(server, admin, "?limit=500")
    seen: list[int] = []
    query = "?limit=2"
    while True:
        status, page = call(server, "GET", f"/api/v1/audit{query}", admin)
        assert status == 200 and len(page["entries"]) <= 2
        seen += [e["id"] for e in page["entries"]]
        if page["next_before_id"] is None:
            break
        assert page["next_before_id"] == page["entries"][-1]["id"]
        query = f"?limit=2&before_id={page['next_before_id']}"
    assert seen == [e["id"] for e in everything]


@pytest.mark.parametrize("query, name", [
    ("?limit=0", "'limit'"), ("?limit=501", "'limit'"), ("?limit=ten", "'limit'"),
    ("?before_id=-3", "'before_id'"), ("?before_id=x", "'before_id'"),
    ("?since=yesterday", "'since'"), ("?until=2026-11-01T00:00:00", "'until'"),
    ("?since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z", "'since'"),
    ("?agency=", "'agency'"), ("?colour=red", "'colour'"),
])
def test_bad_filter_values_are_400_naming_the_parameter(server, people, query, name):
    status, body = call(server, "GET", f"/api/v1/audit{query}", people["admin"])
    assert status == 400 and body["error"] == "bad_request"
    assert name in body["message"], body["message"]


def test_who_reads_what(server, people):
    assert call(server, "GET", "/api/v1/audit", None)[0] == 401
    for role in ("technician", "editor", "emergency"):
        status, body = call(server, "GET", "/api/v1/audit", people[role])
        assert status == 403, (role, body)
    everything = read(server, people["admin"], "?limit=500")
    assert read(server, people["viewer"], "?limit=500") == everything
    assert read(server, people["lead-approver"], "?limit=500") == everything
    own = read(server, people["tourism-approver"], "?limit=500")
    assert own and {e["agency"] for e in own} == {"tourism"}
    assert {e["object"]["id"] for e in own if e["object"]["type"] == "schedule"} == {
        "sea-1", "sea-2"}
    status, body = call(server, "GET", "/api/v1/audit?agency=investment",
                        people["tourism-approver"])
    assert status == 403 and "tourism" in body["message"]


def _refuses_changes(factory) -> None:
    with factory() as session:
        entry = record(session, Actor.system("test"), "test.append", "test", "1",
                       after={"n": 1})
        session.commit()
        entry_id = entry.id
    for statement in (update(AuditEntry).where(AuditEntry.id == entry_id).values(note="x"),
                      delete(AuditEntry).where(AuditEntry.id == entry_id)):
        with factory() as session, pytest.raises(DatabaseError, match="append-only"):
            session.execute(statement)
            session.commit()
    with factory() as session:  # through the ORM too
        row = session.get(AuditEntry, entry_id)
        row.note = "edited"
        with pytest.raises(DatabaseError, match="append-only"):
            session.commit()
    with factory() as session:
        session.delete(session.get(AuditEntry, entry_id))
        with pytest.raises(DatabaseError, match="append-only"):
            session.commit()
    with factory() as session:
        row = session.get(AuditEntry, entry_id)
        assert (row.note, row.after) == (None, {"n": 1})


def test_the_audit_table_is_append_only_on_sqlite(fleet, people):
    _refuses_changes(fleet.sessions)


def test_the_audit_table_is_append_only_on_postgresql(pg_url):  # noqa: F811
    upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        _refuses_changes(make_session_factory(engine))
        with engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("TRUNCATE audit_entries"))
        with make_session_factory(engine)() as session:
            assert session.scalar(select(AuditEntry.action)) == "test.append"
    finally:
        engine.dispose()


FILE = """\
schedules:
  - id: file-evening
    playlist: sea-islands
    targets: {sites: [lang-co-pano]}
    windows: ["19:00-21:00"]
"""


def test_file_imports_are_audited_as_their_actor(server, fleet, people, tmp_path):
    from sqlalchemy import func

    from controller.content.schedules_import import import_schedules
    from controller.review import ReviewError

    path = tmp_path / "schedules.yaml"
    path.write_text(FILE, encoding="utf-8")
    operator = Actor.command_line()
    with fleet.sessions() as session:
        import_schedules(session, path, actor=operator)
        session.commit()
    [created] = read(server, people["admin"], "?object_id=file-evening")
    assert created["action"] == "schedule.create" and created["actor"] == operator.name
    assert created["agency"] == "tourism" and created["after"]["source"] == "schedules.yaml"

    with fleet.sessions() as session:  # the same file again: nothing changes
        import_schedules(session, path, actor=operator)
        session.commit()
    assert len(read(server, people["admin"], "?object_id=file-evening")) == 1

    path.write_text(FILE.replace("19:00-21:00", "19:00-22:00"), encoding="utf-8")
    with fleet.sessions() as session:
        import_schedules(session, path, actor=operator)
        session.commit()
    update_entry = read(server, people["admin"], "?object_id=file-evening")[0]
    assert update_entry["action"] == "schedule.update"
    assert update_entry["before"]["windows"] == ["19:00-21:00"]
    assert update_entry["after"]["windows"] == ["19:00-22:00"]

    # Imported as an editor of another agency: refused, nothing written.
    path.write_text(FILE.replace("file-evening", "file-other"), encoding="utf-8")
    with fleet.sessions() as session:
        culture = Actor(1, "culture-editor", "editor", "culture")
        count = session.scalar(select(func.count()).select_from(AuditEntry))
        with pytest.raises(ReviewError, match="belongs to agency 'tourism'"):
            import_schedules(session, path, actor=culture)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == count
