"""Migration 0004 (review, agencies, audit) on real SQLite and PostgreSQL databases:
existing playlist versions get the right state, the audit log is append-only and a
submitted version is frozen whatever SQL runs, and the downgrade works."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller.db import alembic_config, make_engine, upgrade

OLD_ROWS = [
    "INSERT INTO playlists (id, title_vi, title_en, current_version, updated_at) "
    "VALUES ('welcome-hue', 'Chào mừng', 'Welcome', 2, '2026-01-01 00:00:00+00')",
    "INSERT INTO playlist_versions (playlist_id, number, items, content_hash, created_at) "
    "VALUES ('welcome-hue', 1, '[]', 'h1', '2026-01-01 00:00:00+00')",
    "INSERT INTO playlist_versions (playlist_id, number, items, content_hash, created_at) "
    "VALUES ('welcome-hue', 2, '[]', 'h2', '2026-01-02 00:00:00+00')",
]


def migrate(url: str, revision: str, downgrade: bool = False) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            (command.downgrade if downgrade else command.upgrade)(cfg, revision)
    finally:
        engine.dispose()


def check_upgrade_and_triggers(url: str) -> None:
    migrate(url, "0003")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for statement in OLD_ROWS:
                conn.execute(text(statement))
        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT number, state, edited_at IS NOT NULL FROM playlist_versions "
                "ORDER BY number")).all()
            assert [tuple(r) for r in rows] == [(1, "archived", True), (2, "approved", True)]
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_entries (at, actor, action, object_type, "
                              "object_id) VALUES (CURRENT_TIMESTAMP, 'system', 'test', "
                              "'playlist', 'welcome-hue')"))
        for statement in ("UPDATE audit_entries SET actor = 'forger'",
                          "DELETE FROM audit_entries",
                          "UPDATE playlist_versions SET content_hash = 'x' WHERE number = 2",
                          "UPDATE playlist_versions SET state = 'draft' WHERE number = 1"):
            with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
                conn.execute(text(statement))
            assert ("append-only" in str(refused.value)
                    or "frozen once submitted" in str(refused.value))
        with engine.begin() as conn:  # going forward is allowed (archiving), and a
            # draft's content may change
            conn.execute(text("UPDATE playlist_versions SET state = 'archived' "
                              "WHERE number = 2"))
            conn.execute(text("INSERT INTO playlist_versions (playlist_id, number, items, "
                              "content_hash, created_at, edited_at, state) VALUES "
                              "('welcome-hue', 3, '[]', 'h3', CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP, 'draft')"))
            conn.execute(text("UPDATE playlist_versions SET content_hash = 'h4' "
                              "WHERE number = 3"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 1
    finally:
        engine.dispose()
    migrate(url, "0003", downgrade=True)
    upgrade(url)  # and back up again, cleanly


def test_sqlite_upgrade_states_triggers_and_downgrade(tmp_path) -> None:
    check_upgrade_and_triggers(f"sqlite:///{tmp_path / 'pano.db'}")


def test_postgresql_upgrade_states_triggers_and_downgrade(pg_url) -> None:  # noqa: F811
    check_upgrade_and_triggers(pg_url)
