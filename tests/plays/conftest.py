"""The web layer's fixtures (a real controller on a free port over a seeded SQLite file,
real python-socketio players), and ``sessions``: a small seeded database on SQLite and
on PostgreSQL (skipped with the reason when no server answers, failing under CI=true)."""

import pytest
from plays.journal_helpers import seed
from support.postgres import pg_url  # noqa: F401  (fixture)
from web.conftest import fleet, players, server  # noqa: F401  (fixtures)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'pano.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    factory = seed(url)
    yield factory
    factory.kw["bind"].dispose()
