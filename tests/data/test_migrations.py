"""Schema upgrades, the engine's SQLite settings and the change counter, on real
databases (SQLite files; PostgreSQL when the server is there)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller import changes
from controller.content.sites_import import import_sites
from controller.db import (
    alembic_config,
    head_revision,
    make_engine,
    make_session_factory,
    newest_migration,
    upgrade,
)
from controller.models import Base, Screen, Site
from controller.zones.declarations import import_layouts

from .conftest import REPO, engine_at


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_upgrade_creates_every_table_of_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert schema_diff(engine) == []
    engine.dispose()


def test_upgrade_twice_is_harmless_and_keeps_data(db_url: str, sessions) -> None:
    with sessions() as s:
        changes.bump(s)
        s.commit()
    upgrade(db_url)
    with sessions() as s:
        assert changes.current(s) == 1


def test_the_newest_file_is_alembics_head() -> None:
    """``upgrade`` skips Alembic when the database stands at the newest file's revision:
    the file names must name Alembic's head, or a new migration would never run."""
    assert newest_migration() == head_revision()


def test_a_database_one_migration_behind_is_still_upgraded(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "-1")  # the newest migration undone
    engine = make_engine(url)
    with engine.connect() as conn:
        behind = conn.execute(text("select version_num from alembic_version")).scalar()
    assert behind != newest_migration()
    upgrade(url)
    with engine.connect() as conn:
        version = conn.execute(text("select version_num from alembic_version")).scalar()
        assert version == newest_migration()
    assert not schema_diff(engine)  # every table of the newest migration is back
    engine.dispose()


def test_sqlite_engine_settings(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()


def test_foreign_keys_are_enforced(session) -> None:
    session.add(Screen(id="orphan", site_id="no-such-site", name_vi="a", name_en="a",
                       orientation="landscape", width=1920, height=1080,
                       languages=["vi", "en"], tags=[]))
    with pytest.raises(IntegrityError):
        session.commit()


def test_counter_starts_at_zero_and_bump_does_not_commit(sessions) -> None:
    with sessions() as s:
        assert changes.current(s) == 0
        changes.bump(s)
        assert changes.current(s) == 1
        s.rollback()
        assert changes.current(s) == 0


def test_bump_creates_the_row_when_missing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    Base.metadata.create_all(engine)  # a database made without migrations (tests)
    with make_session_factory(engine)() as s:
        changes.bump(s)
        changes.bump(s)
        s.commit()
        assert changes.current(s) == 2
    engine.dispose()


def test_concurrent_bumps_from_threads_all_count(db_url: str) -> None:
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(20):
                with factory() as s:
                    changes.bump(s)
                    s.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    with factory() as s:
        assert changes.current(s) == 100
    engine.dispose()


# --------------------------------------------------------------------------- PostgreSQL

def test_postgresql_upgrade_matches_models_and_imports(pg_url: str) -> None:  # noqa: F811
    upgrade(pg_url)
    upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        assert schema_diff(engine) == []
        factory = make_session_factory(engine)
        with factory() as s:
            import_layouts(s, REPO / "config" / "layouts.yaml")  # named by sites.yaml
            report = import_sites(s, REPO / "config" / "sites.yaml")
            s.commit()
            assert report.created == 11
            assert changes.current(s) == 1
            assert s.get(Site, "a-dot-border-gate").name_vi == "Cửa khẩu quốc tế A Đớt"
            assert s.get(Screen, "a-dot-entry-hall").languages == ["vi", "lo", "en"]
    finally:
        engine.dispose()


def test_upgrading_a_0001_database_with_data_to_head_keeps_the_data(tmp_path: Path) -> None:
    from controller.models import Emergency, Schedule

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = engine_at(url, "0001")
    with engine.connect() as conn:
        assert "schedules" not in inspect(conn).get_table_names()
    with engine.begin() as conn:  # rows as a 0001 controller wrote them (no ORM: the
        # models describe the newest schema)
        conn.execute(text("INSERT INTO sites (id, name_vi, name_en, timezone, updated_at) "
                          "VALUES ('a-dot', 'A Đớt', 'A Dot', 'Asia/Ho_Chi_Minh', "
                          "'2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO screens (id, site_id, name_vi, name_en, orientation, width, height, "
            "languages, bilingual_mode, timezone, tags, updated_at) VALUES ('a-dot-entry-hall', "
            "'a-dot', 'Sảnh', 'Hall', 'landscape', 1920, 1080, '[\"vi\", \"lo\", \"en\"]', "
            "'dual', 'Asia/Ho_Chi_Minh', '[]', '2026-01-01 00:00:00')"))
        conn.execute(text("UPDATE change_counter SET value = 1"))
    upgrade(url)
    assert schema_diff(engine) == []
    with make_session_factory(engine)() as s:
        assert changes.current(s) == 1
        screen = s.get(Screen, "a-dot-entry-hall")
        assert screen.languages == ["vi", "lo", "en"] and screen.alternate_timing == "split"
        assert s.query(Schedule).count() == 0
        version = s.execute(text("select version_num from alembic_version")).scalar()
        assert version == head_revision()
        assert s.query(Emergency).count() == 0
    engine.dispose()
