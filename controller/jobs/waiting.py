"""How a request hands work to the job worker and waits for it without blocking the
event loop: the upload is copied into the job's work folder in chunks with a yield
between them, and the wait polls the job's row (a short read, no lock in SQLite's WAL
mode) with ``sleep`` — the Socket.IO server's, so a greenlet sleeps in gevent mode."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session, sessionmaker

from controller.jobs.records import DONE, FAILED
from controller.models import Job

POLL_FIRST, POLL_MAX = 0.05, 0.25  # seconds between looks at the row
CHUNK = 1024 * 1024


class UploadTooLarge(Exception):
    """The upload went past its limit while it was being copied."""


def save_upload(stream: IO[bytes], target: Path, limit: int,
                sleep: Callable[[float], Any]) -> int:
    """Copy ``stream`` to ``target`` (a new file), at most ``limit`` bytes
    (UploadTooLarge past it), yielding to other clients between chunks."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge
            out.write(chunk)
            sleep(0)
    return size


def wait_for(sessions: sessionmaker[Session], job_id: str, seconds: float,
             sleep: Callable[[float], Any]) -> Job | None:
    """The job once done or failed, or its latest state after ``seconds``."""
    deadline = time.monotonic() + seconds
    pause = POLL_FIRST
    while True:
        with sessions() as session:
            job = session.get(Job, job_id)
        if job is None or job.status in (DONE, FAILED) or time.monotonic() >= deadline:
            return job
        sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 1.5, POLL_MAX)
