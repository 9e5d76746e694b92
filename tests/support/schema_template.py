"""New SQLite databases for the tests from one migrated copy per test process.

Hundreds of tests start from an empty SQLite file that ``controller.db.upgrade`` brings
to the newest schema by running every Alembic migration: about 0.1 s of CPU each time
in the test process, 0.8 s in a controller or command it starts. ``install`` migrates
one template file for this process and makes ``upgrade`` start every new SQLite file
from a copy of it (child_site/pano_schema_copy.py), here and in every Python process
started from here: their PYTHONPATH gets child_site/, whose sitecustomize.py does the
same with the template named in PANO_TEST_SCHEMA_TEMPLATE. A process started with its
own PYTHONPATH migrates for real."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from support.child_site.pano_schema_copy import copying_upgrade

CHILD_SITE = Path(__file__).with_name("child_site")


def install() -> None:
    import controller.db as db

    real = db.upgrade
    if getattr(real, "from_template", False):
        return
    home = Path(tempfile.mkdtemp(prefix="pano-schema-"))
    atexit.register(shutil.rmtree, home, True)
    template = home / "pano.db"
    real(f"sqlite:///{template}")  # the engine's last close folds the WAL into the file
    db.upgrade = copying_upgrade(real, lambda: template)
    os.environ["PANO_TEST_SCHEMA_TEMPLATE"] = str(template)
    paths = [str(CHILD_SITE), *filter(None, [os.environ.get("PYTHONPATH")])]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
