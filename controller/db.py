"""Database engine, sessions and schema upgrades (Alembic, run programmatically)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where a schema is upgraded, not here: every command-line call and
# process start imports this module, and Alembic costs about 80 ms of CPU to import.

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
IN_CHUNK = 500  # ids per IN list
T = TypeVar("T")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite ``url``; None for any other database or an in-memory one."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


# Connections a controller process keeps to PostgreSQL (SQLAlchemy's default is 5 + 10).
# A reconnect storm of thousands of players needs a connection per connect and per
# greeting, each for a few milliseconds; with 15 the greetings queued past the pool's
# 30 s timeout (docs/performance.md, 5000 players). 8 + 16 per process leaves three
# controller processes (72) under PostgreSQL's default max_connections of 100.
SERVER_POOL_SIZE, SERVER_POOL_OVERFLOW = 8, 16


def in_chunks(ids: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``ids`` in slices of at most ``size``: one statement's ``IN (…)`` each (SQLite
    bounds the variables of a statement)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a 10 s busy timeout, foreign keys and
    may be used from several threads; its directory is created if needed."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        file = sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=SERVER_POOL_SIZE,
                         max_overflow=SERVER_POOL_OVERFLOW)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed).
    The URL travels in ``attributes`` so ``%`` in passwords needs no escaping."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["url"] = url
    return cfg


def head_revision() -> str:
    """The newest migration's revision id (what ``upgrade`` brings a database to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None
    return head


def newest_migration() -> str:
    """The revision id of the newest migration file, read from the file names alone
    (``NNNN_what.py`` with ``revision = "NNNN"``: a straight line, checked against
    Alembic's own head by tests/data/test_migrations.py)."""
    names = (p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return max(name[:4] for name in names)


def _is_current(engine: Engine) -> bool:
    """Whether the database already stands at the newest migration. Checked before Alembic
    is imported: every controller start and command-line call upgrades, and Alembic's
    import and script scan cost about 0.2 s of CPU where nothing is to be done."""
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SQLAlchemyError:
        return False  # a new database (no table yet): Alembic creates everything
    return [row[0] for row in rows] == [newest_migration()]


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (``alembic upgrade head``)."""
    engine = make_engine(url)
    if _is_current(engine):
        engine.dispose()
        return
    from alembic import command

    try:
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
