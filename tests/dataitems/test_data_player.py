"""Data slides reach a real player through the real controller, drawn by its job worker
(threads of the test process, the real ``make_files``) and never by the serving
process: the poll's own step (``refresh`` with the publisher's link to the worker, what
the leader's poller passes) has the new snapshot's slides drawn before it stores it,
so the change is pushed to a real Socket.IO player with its data slide and the
publisher asks the worker for nothing; a changed feed brings a new slide the same way.
Real feed server, real SQLite, real store, real Flask-SocketIO server."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dataitems.sample import TEMPLATES
from sources.feed_server import BOARD, FeedServer
from web.helpers import Fleet, Player, wait_for

from controller.dataslides.items import resolve_data_items
from controller.dataslides.templates import import_templates
from controller.models import APPROVED, Playlist, PlaylistVersion, Screen
from controller.server import ControllerServer
from controller.sources.declarations import import_sources
from controller.sources.polling import refresh

SCREEN = "phu-bai-arrivals"
SOURCE = "phu-bai-arrivals"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Fleet, ControllerServer, FeedServer]]:
    feeds = FeedServer().start()
    feeds.set_file("/live.json", BOARD.encode(), "application/json")
    fleet = Fleet.seeded(tmp_path / "data", source_allowed_domains=["127.0.0.1"])
    declared = tmp_path / "sources.yaml"
    declared.write_text(yaml.safe_dump({"sources": [{
        "id": SOURCE, "kind": "json", "url": feeds.url("/live.json"), "every": 60,
        "records": "arrivals", "name": {"vi": "Chuyến bay đến", "en": "Arrivals"}}]},
        allow_unicode=True), "utf-8")
    with fleet.sessions() as session:
        import_templates(session, TEMPLATES)
        import_sources(session, declared, ("127.0.0.1",))
        items: list[dict[str, Any]] = [
            {"id": "board", "type": "data", "source": SOURCE, "template": "arrivals-board",
             "duration": 20.0, "title": {}, "variants": {}}]
        resolve_data_items(session, "test", items)
        session.add(Playlist(id="arrivals-live", title_vi="Chuyến bay", title_en="Flights",
                             current_version=1))
        session.add(PlaylistVersion(
            playlist_id="arrivals-live", number=1, items=items, state=APPROVED,
            content_hash=hashlib.sha256(repr(items).encode()).hexdigest(), source="test"))
        session.get(Screen, SCREEN).default_playlist_id = "arrivals-live"
        session.commit()
    server = ControllerServer(fleet.settings).start()
    yield fleet, server, feeds
    server.stop()
    fleet.close()
    feeds.stop()


def board(body: dict[str, Any]) -> dict[str, Any] | None:
    return next((i for p in body["playlists"].values() for i in p["items"]
                 if i["id"] == "board"), None)


def slides_after(player: Player, before: dict[str, str] | None) -> tuple[dict, dict]:
    """The next timeline whose board item has slides other than ``before``."""
    found: list[tuple[dict, dict]] = []

    def arrived() -> bool:
        body = player.next_timeline(timeout=30)
        item = board(body)
        if item is not None and item.get("slides") and item["slides"] != before:
            found.append((body, item["slides"]))
        return bool(found)

    wait_for(arrived, 60, what="a timeline with the board's new slide")
    return found[0]


def test_a_new_snapshot_reaches_a_real_player_drawn_by_the_worker(world):
    fleet, server, feeds = world
    player = Player(server.url).connect(SCREEN, fleet.tokens[SCREEN])
    try:
        first = player.next_timeline()
        assert "slides" not in (board(first) or {})  # no data yet: its title alone
        renderer = server.app.extensions["pano"].publisher.renderer
        assert renderer is not None
        refresh(fleet.settings, fleet.sessions, SOURCE, renderer=lambda: renderer)
        body, slides = slides_after(player, None)
        assert set(slides) == {"*"}  # vi and en on one slide (dual)
        assert all(fleet.store.exists(sha) and sha in body["media"]
                   for sha in slides.values())

        # The feed changes: a third flight. A new slide, pushed the same way.
        board_doc = json.loads(BOARD)
        board_doc["arrivals"].append({"flight": "QV313", "from": {"vi": "Viêng Chăn",
                                      "en": "Vientiane"}, "scheduled": "12:40",
                                      "status": "Đúng giờ"})
        feeds.set_file("/live.json", json.dumps(board_doc, ensure_ascii=False).encode(),
                       "application/json")
        refresh(fleet.settings, fleet.sessions, SOURCE, renderer=lambda: renderer)
        later, new = slides_after(player, slides)
        assert later["version"] > body["version"]
        assert fleet.store.exists(new["*"])
        # Drawn ahead each time: the rebuilds asked the worker for no data slide.
        assert not [r for r in renderer.sent if r[0] == "dataslide"], renderer.sent
    finally:
        player.close()
