"""Fixtures for the change-feed tests: a seeded SQLite fleet (a copy of the web tests'
template), an empty PostgreSQL database brought to the newest schema, and the local
Redis (skipped with the reason when absent, a failure under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.postgres import new_database, pg_url  # noqa: F401  (fixture)
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


@pytest.fixture(scope="module")
def pg_module_sessions():
    """One PostgreSQL database for a whole module (its tests only add to the change log
    and read after their own starting id): creating one per test cost a second each.
    Skipped, or failed under CI=true, as ``support.postgres.pg_url``."""
    with new_database("pano_changes") as url:
        upgrade(url)
        engine = make_engine(url)
        yield make_session_factory(engine)
        engine.dispose()
