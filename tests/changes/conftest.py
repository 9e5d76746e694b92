"""Fixtures for the change-feed tests: a seeded SQLite fleet (a copy of the web tests'
template), an empty PostgreSQL database brought to the newest schema, and the local
Redis (skipped with the reason when absent, a failure under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.postgres import pg_url  # noqa: F401  (fixture)
from support.redis import redis_url  # noqa: F401  (fixture)
from web.helpers import Fleet

from controller.db import make_engine, make_session_factory, upgrade


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    seeded = Fleet.seeded(tmp_path / "data")
    yield seeded
    seeded.close()


@pytest.fixture
def pg_sessions(pg_url: str):  # noqa: F811
    upgrade(pg_url)
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()
