"""A seeded controller (the repository's sites, agencies and playlists) holding the known
data set of ``plays_data.build_march``, served on 127.0.0.1, with tokens for an admin,
a viewer, a technician and a tourism editor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from reports.plays_data import build_march
from web.helpers import Fleet

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.server import ControllerServer


@pytest.fixture(scope="module")
def march(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Fleet, dict[str, Any]]]:
    fleet = Fleet.seeded(tmp_path_factory.mktemp("controller"))
    with fleet.sessions() as session:
        made = build_march(session)
        add_user(session, "lan", "editor", password="correct horse battery",
                 agency="tourism")
        session.flush()
        fleet.users["editor"] = issue_user_token(session, "lan")
        session.commit()
    yield fleet, made
    fleet.close()


@pytest.fixture(scope="module")
def api(march: tuple[Fleet, dict[str, Any]]) -> Iterator[Any]:
    fleet, _ = march
    server = ControllerServer(fleet.settings).start()

    def get(path: str, role: str = "admin", **params: Any) -> requests.Response:
        return requests.get(server.url + path, params=params, timeout=60,
                            headers={"Authorization": f"Bearer {fleet.users[role]}"})

    get.url = server.url  # type: ignore[attr-defined]
    yield get
    server.stop()
