"""A throw-away PostgreSQL database for tests that need the real server: skipped with
the reason when no server answers, a failure under CI=true (where it must be there)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_ADMIN_URL = os.environ.get(
    "PANO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _absent(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def new_database(prefix: str = "pano_data") -> Iterator[str]:
    """The URL of a new, empty database named ``<prefix>_<random>``, dropped afterwards;
    skips (fails under CI=true) when psycopg or the server is missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _absent("psycopg is not installed (pip install 'psycopg[binary]')")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        _absent(f"no PostgreSQL server at {PG_ADMIN_URL}: {str(exc.orig).splitlines()[0]}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, throw-away PostgreSQL database; skipped when no server answers (but a
    failure under CI=true, where the server must be there)."""
    with new_database() as url:
        yield url
