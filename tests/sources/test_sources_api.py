"""``/api/v1/sources`` on a real controller app (Flask's test client) with real people:
the list with statuses, a refresh by an admin (audited), and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sources.conftest import Db
from sqlalchemy import select

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.models import AuditEntry


class Api:
    def __init__(self, client: Any, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def call(self, method: str, path: str, role: str | None,
             language: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        if language:
            headers["Accept-Language"] = language
        answer = self.client.open(path, method=method, headers=headers)
        return answer.status_code, answer.get_json(silent=True)


@pytest.fixture(scope="module")
def pano(tmp_path_factory: pytest.TempPathFactory, feeds) -> Iterator[tuple[Api, Db]]:
    from controller.app import create_app

    db = Db(tmp_path_factory.mktemp("sources-api"))
    db.declare({"id": "arrivals", "kind": "json", "url": feeds.url("/board.json"),
                "records": "arrivals", "stale_after": 600},
               {"id": "broken", "kind": "csv", "url": feeds.url("/error")})
    tokens = {}
    with db.sessions() as session:
        for role in ("admin", "technician", "viewer"):
            add_user(session, f"{role}-person", role, password="correct horse battery")
            session.flush()
            tokens[role] = issue_user_token(session, f"{role}-person")
        session.commit()
    app, _socketio = create_app(db.settings)
    yield Api(app.test_client(), tokens), db
    app.extensions["pano"].engine.dispose()
    db.engine.dispose()


def test_the_list_before_any_fetch(pano):
    api, _db = pano
    status, body = api.call("GET", "/api/v1/sources", "technician")
    assert status == 200, body
    first = body["sources"][0]
    assert [s["id"] for s in body["sources"]] == ["arrivals", "broken"]
    assert first["names"] == {"vi": "Nguồn arrivals", "en": "Source arrivals"}
    assert (first["status"], first["stale"], first["age"], first["record_count"]) == \
        ("pending", True, None, None)
    assert (first["every"], first["stale_after"], first["max_bytes"], first["deadline"]) == \
        (60, 600, 2 * 1024 * 1024, 30.0)


def test_an_admin_refreshes_a_source(pano):
    api, db = pano
    status, body = api.call("POST", "/api/v1/sources/arrivals/refresh", "admin")
    assert status == 200, body
    assert (body["status"], body["record_count"], body["stale"]) == ("ok", 2, False)
    assert body["last_success_at"] is not None and body["last_error"] is None
    status, body = api.call("POST", "/api/v1/sources/broken/refresh", "admin", "vi")
    assert status == 200 and body["status"] == "error"
    assert body["last_error"].startswith("127.0.0.1 trả lời HTTP 500"), body
    with db.sessions() as session:
        refreshed = [(e.actor, e.object_id) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "source.refresh"))]
    assert refreshed == [("admin-person", "arrivals"), ("admin-person", "broken")]


def test_who_may_do_what(pano):
    api, _db = pano
    assert api.call("GET", "/api/v1/sources", "viewer")[0] == 403
    assert api.call("GET", "/api/v1/sources", None)[0] == 401
    assert api.call("POST", "/api/v1/sources/arrivals/refresh", "technician")[0] == 403
    status, body = api.call("POST", "/api/v1/sources/nowhere/refresh", "admin")
    assert status == 404 and "No data source 'nowhere'" in body["message"]
    status, body = api.call("GET", "/api/v1/sources?all=1", "admin")
    assert status == 400 and "Unknown parameter 'all'" in body["message"]
