"""A source added or changed in the panel (the API) is not undone by the next import of
config/sources.yaml — ``make run`` imports it at every start — until an admin hands it
back to the file (``PATCH … {"managed_in": "file"}``). Real app (Flask's test client),
real SQLite, the real import."""

from __future__ import annotations

from typing import Any

from sources.conftest import Db
from sqlalchemy import select

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.models import AuditEntry, DataSource
from controller.sources.declarations import import_sources


def _app(db: Db) -> tuple[Any, dict[str, str]]:
    from controller.app import create_app

    with db.sessions() as session:
        add_user(session, "quan-tri", "admin", password="correct horse battery")
        session.flush()
        headers = {"Authorization": f"Bearer {issue_user_token(session, 'quan-tri')}"}
        session.commit()
    app, _socketio = create_app(db.settings)
    return app, headers


def _reimport(db: Db, path) -> list[str]:
    with db.sessions() as session:
        report = import_sources(session, path, db.settings.source_allowed_domains)
        session.commit()
    return report.notes


def _stored(db: Db) -> dict[str, tuple[str, int, str]]:
    with db.sessions() as session:
        return {s.id: (s.url, s.every_s, s.managed_in)
                for s in session.scalars(select(DataSource))}


def test_panel_changes_survive_an_import_until_handed_back(db, feeds):
    path = db.declare({"id": "arrivals", "kind": "json", "url": feeds.url("/board.json"),
                       "records": "arrivals"})
    app, headers = _app(db)
    client = app.test_client()
    try:
        added = client.post("/api/v1/sources", headers=headers, json={
            "id": "ships", "kind": "json", "url": feeds.url("/board.json"),
            "records": "arrivals", "name": {"vi": "Tàu", "en": "Ships"}, "every": 120})
        assert added.status_code == 201, added.get_json()
        assert added.get_json()["managed_in"] == "panel"
        changed = client.patch("/api/v1/sources/arrivals", headers=headers, json={"every": 300})
        assert changed.status_code == 200 and changed.get_json()["managed_in"] == "panel"

        notes = _reimport(db, path)  # as make run does at its next start
        stored = _stored(db)
        assert stored["arrivals"][1:] == (300, "panel")  # the operator's interval kept
        assert stored["ships"][2] == "panel"  # the panel's new source kept
        assert any("arrivals is managed in the panel" in n for n in notes)
        assert any("ships was added in the panel: kept" in n for n in notes)

        refused = client.patch("/api/v1/sources/arrivals", headers=headers,
                               json={"managed_in": "file", "every": 60})
        assert refused.status_code == 422 and "alone" in refused.get_json()["message"]
        back = client.patch("/api/v1/sources/arrivals", headers=headers,
                            json={"managed_in": "file"})
        assert back.status_code == 200 and back.get_json()["managed_in"] == "file"
        _reimport(db, path)
        assert _stored(db)["arrivals"][1:] == (60, "file")  # the file applies again
        with db.sessions() as session:
            actions = session.scalars(select(AuditEntry.action).where(
                AuditEntry.object_id == "arrivals")).all()
        assert "source.managed_in" in actions
    finally:
        app.extensions["pano"].engine.dispose()
