"""A real SQLite database (migrated, the demo sites of config/sites.yaml imported) per
test, and for the API tests a real controller app answered by Flask's test client,
with a person of each role that matters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cap.feeds import seeded

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[Any]:
    _settings, engine, factory = seeded(tmp_path)
    yield factory
    engine.dispose()


@dataclass
class Pano:
    client: Any
    sessions: Any
    tokens: dict[str, str]

    def call(self, method: str, path: str, role: str | None,
             body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        answer = self.client.open(path, method=method, headers=headers, json=body)
        return answer.status_code, answer.get_json(silent=True)


@pytest.fixture(scope="module")
def pano(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pano]:
    from controller.app import create_app

    settings, engine, factory = seeded(tmp_path_factory.mktemp("cap-api"))
    tokens = {}
    with factory() as session:
        for role in ("emergency", "technician", "viewer"):
            add_user(session, f"{role}-person", role, password=PASSWORD)
            session.flush()
            tokens[role] = issue_user_token(session, f"{role}-person")
        session.commit()
    app, _socketio = create_app(settings)
    yield Pano(app.test_client(), factory, tokens)
    app.extensions["pano"].engine.dispose()
    engine.dispose()
