"""A CAP feed through the real data-sources layer: a `kind: cap` source served by a
real HTTP server on 127.0.0.1, fetched by ``controller.sources.polling.refresh`` and
handed to the CAP ingestion; the source's status says what the reading did."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from cap.feeds import feed, seeded
from sources.feed_server import FeedServer
from sqlalchemy import select

from controller.models import EmergencyDraft
from controller.sources.declarations import import_sources
from controller.sources.polling import refresh
from controller.sources.views import one

ALLOWED = ["127.0.0.1"]
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Any, Any, FeedServer]]:
    server = FeedServer().start()
    settings, engine, sessions = seeded(tmp_path, source_allowed_domains=ALLOWED)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{
        "id": "vn-cap", "kind": "cap", "url": server.url("/cap.xml"), "every": 60,
        "name": {"vi": "Cảnh báo", "en": "Warnings"}}]}), "utf-8")
    with sessions() as session:
        import_sources(session, path, tuple(ALLOWED))
        session.commit()
    yield settings, sessions, server
    server.stop()
    engine.dispose()


def _read(settings, sessions, server, name: str) -> dict[str, Any]:
    server.set_file("/cap.xml", feed(name, NOW), "application/cap+xml")
    refresh(settings, sessions, "vn-cap", lambda: datetime.now(UTC))
    with sessions() as session:
        return one(session, "vn-cap", datetime.now(UTC), "en")


def _statuses(sessions) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(EmergencyDraft.status)))


def test_a_fetched_typhoon_warning_becomes_a_draft_and_its_cancel_ends_it(world):
    settings, sessions, server = world
    view = _read(settings, sessions, server, "typhoon-hue.xml")
    assert view["note"] == "CAP feed: 1 alert(s) read, 1 draft(s) made or updated.", view
    assert _statuses(sessions) == ["waiting"]
    view = _read(settings, sessions, server, "cancel.xml")
    assert "1 draft(s) or broadcast(s) ended" in view["note"], view
    assert _statuses(sessions) == ["cancelled"]


def test_an_entity_expansion_attack_is_the_sources_error(world):
    settings, sessions, server = world
    server.set_file("/cap.xml", (Path(__file__).with_name("data") / "billion-laughs.xml")
                    .read_bytes(), "application/xml")
    refresh(settings, sessions, "vn-cap", lambda: datetime.now(UTC))
    with sessions() as session:
        view = one(session, "vn-cap", datetime.now(UTC), "en")
    assert view["last_error"] and "DTD" in view["last_error"], view
    assert _statuses(sessions) == []
