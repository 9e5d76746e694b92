"""New SQLite databases from a migrated copy: shared by the test processes themselves
(tests/support/schema_template.py) and the controllers and commands they start
(sitecustomize.py in this folder).

Bringing a new, empty SQLite file to the newest schema runs every Alembic migration:
about 0.1 s of CPU in a warm process, 0.8 s in a new one (Alembic's import and script
scan included). ``copying_upgrade`` wraps ``controller.db.upgrade`` so that a SQLite file
that does not exist yet is first copied from a template migrated once; the real
``upgrade`` then runs on the copy as on any existing database (it finds it at the newest
migration and does nothing). Every other URL and every existing file (older schemas made
by the migration tests, PostgreSQL) takes the real path unchanged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType


def copying_upgrade(real: Callable[[str], None],
                    template: Callable[[], Path]) -> Callable[[str], None]:
    """``real`` (controller.db.upgrade), starting a new SQLite file from ``template()``."""
    if getattr(real, "from_template", False):
        return real

    def upgrade(url: str) -> None:
        from controller.db import sqlite_file  # loaded: ``real`` is its upgrade

        target = sqlite_file(url)
        if target is not None and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template(), target)
        real(url)

    upgrade.from_template = True  # type: ignore[attr-defined]
    upgrade.__doc__ = real.__doc__
    return upgrade


def wrap_when_imported(template: Path) -> None:
    """In this process, start new SQLite files of ``controller.db.upgrade`` from
    ``template`` once that module is imported."""
    from after_import import when_imported  # this folder: on sys.path in every user

    def wrap(module: ModuleType) -> None:
        module.upgrade = copying_upgrade(module.upgrade, lambda: template)

    when_imported("controller.db", wrap)
