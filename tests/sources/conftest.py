"""Data-source tests: one real feed server on 127.0.0.1 per test module, and a migrated
SQLite database per test with settings that allow that server's address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sources.feed_server import FeedServer
from web.helpers import make_settings

from controller.db import make_engine, make_session_factory, upgrade
from controller.sources.declarations import import_sources

ALLOWED = ["127.0.0.1", "pano.example", "*.pano.example"]
T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 10:00 in Huế


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


class Db:
    def __init__(self, data_dir: Path) -> None:
        self.settings = make_settings(data_dir, source_allowed_domains=ALLOWED)
        upgrade(self.settings.db_url)
        self.engine = make_engine(self.settings.db_url)
        self.sessions = make_session_factory(self.engine)
        self.dir = data_dir

    def declare(self, *sources: dict[str, Any]) -> Path:
        """Write a sources.yaml with ``sources`` (name filled in) and import it."""
        entries = [{"name": {"vi": f"Nguồn {s['id']}", "en": f"Source {s['id']}"},
                    "every": 60, **s} for s in sources]
        path = self.dir / "sources.yaml"
        path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), "utf-8")
        with self.sessions() as session:
            import_sources(session, path, tuple(ALLOWED))
            session.commit()
        return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Db]:
    made = Db(tmp_path)
    yield made
    made.engine.dispose()
