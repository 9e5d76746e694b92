"""New SQLite databases for the tests from one migrated copy per test process.

Hundreds of tests start from an empty SQLite file that ``controller.db.upgrade`` brings
to the newest schema by running every Alembic migration: about 0.1 s of CPU each time,
a tenth of the suite's Python CPU in a profile of a whole run. ``install`` wraps
``upgrade`` so that, for a SQLite file that does not exist yet, the file is first copied
from a template this process migrated once; the real ``upgrade`` then runs on the copy
as on any existing database (it finds it at head and does nothing). Every other URL and
every existing file (older schemas built by the migration tests, PostgreSQL) takes the
real path unchanged. Only this process is concerned: controllers started as
subprocesses migrate for real."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "",
                                                                          ":memory:"):
        return None
    return Path(parsed.database)


def install() -> None:
    import controller.db as db

    real = db.upgrade
    if getattr(real, "from_template", False):
        return
    template: list[Path] = []

    def upgrade(url: str) -> None:
        target = _sqlite_file(url)
        if target is not None and not target.exists():
            if not template:
                home = Path(tempfile.mkdtemp(prefix="pano-schema-"))
                atexit.register(shutil.rmtree, home, True)
                real(f"sqlite:///{home / 'pano.db'}")  # the engine's last close folds the WAL
                template.append(home / "pano.db")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template[0], target)
        real(url)

    upgrade.from_template = True  # type: ignore[attr-defined]
    upgrade.__doc__ = real.__doc__
    db.upgrade = upgrade
