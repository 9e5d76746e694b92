"""Alembic environment for Pano. Run through ``controller.db.upgrade(url)``, which passes
the URL (and usually an open connection) in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from controller.models import Base

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copy, drop and rename; with foreign keys on,
        # dropping a table that others refer to fails. SQLite only honours this pragma
        # outside a transaction: before the migration's first write. Integrity is
        # checked below instead, and the engine is disposed after upgrading.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows with broken references: {broken[:5]}")


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    from controller.db import make_engine  # late: avoids an import cycle

    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the Alembic environment")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; use controller.db.upgrade")
run_migrations()
