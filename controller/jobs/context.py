"""What a job needs in the worker process: the settings, its own database engine and
sessions, the media store and the job's work folder. One per worker process (or per
thread-mode worker), built from the same settings as the controller."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from controller.db import make_engine, make_session_factory
from controller.housekeeping.work_folders import work_root
from controller.media.store import MediaStore
from controller.settings import Settings

UPLOAD = "upload"  # the upload in a job's folder, never named after the upload itself
# A job's work folder (controller/housekeeping/work_folders.py) is made and filled by
# the request, released for the worker to claim, and spared by sweeps this long while
# the job waits in the queue (an external worker may be stopped for a while).
KEEP_QUEUED = 24 * 3600.0
FOLDER_PURPOSE = "job"


def job_folder(settings: Settings, name: str) -> Path:
    """A job's work folder under ``data_dir/tmp`` (shared by the controller and its
    workers: the same data_dir, docs/operations.md), from the name in its params."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a work folder name: {name!r}")
    return work_root(Path(settings.data_dir)) / name


@dataclass
class JobContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: MediaStore

    @classmethod
    def from_settings(cls, settings: Settings) -> JobContext:
        engine = make_engine(settings.db_url)
        return cls(settings, engine, make_session_factory(engine),
                   MediaStore(settings.media_dir))

    def close(self) -> None:
        self.engine.dispose()
