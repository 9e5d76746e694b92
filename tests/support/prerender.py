"""Draw once what every copy of a test database would draw again at its first start.

A controller's first rebuild renders the text slides, QR badges and image renditions its
timelines need: about 2 of the 2.6 s of CPU a start costs, all in Pillow. Test databases
are copies of a template (``web.helpers.Fleet.seeded``, ``support.fleet.prepare``), so the
template is started and stopped once in this process and its drawings kept; the timelines
and what they grant are dropped, so every copy starts without any, as a new install."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# What a first rebuild leaves that depends on the screens' state, not on the content.
PER_RUN = ("screen_timelines", "media_sets")


def render_once(data_dir: Path, **overrides: object) -> None:
    """Start and stop a controller (threading mode, in this process) on ``data_dir``."""
    import dataclasses

    from controller.server import ControllerServer
    from controller.settings import load_settings

    settings = dataclasses.replace(load_settings(data_dir=data_dir, **overrides), port=0)
    ControllerServer(settings).start().stop()
    database = settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        for table in PER_RUN:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in data_dir.glob("jobs-queue.db*"):
        leftover.unlink()
