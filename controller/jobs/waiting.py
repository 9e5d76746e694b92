"""How a request hands work to the job worker and waits for it without blocking the
event loop, where ``sleep`` is the Socket.IO server's (a greenlet's in gevent mode):

- the request body is read with a yield after every chunk (:func:`read_cooperatively`):
  on 127.0.0.1 or a fast network the socket always has data, so gevent would never
  switch while werkzeug parses a 150 MB multipart body (measured: 0.8 s of stalls);
- the upload is copied into the job's work folder in chunks, with a yield between them;
- the wait polls the job's row (a short read, no lock in SQLite's WAL mode)."""

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


class _YieldingInput:
    """``wsgi.input`` that lets the other clients run after each read."""

    def __init__(self, raw: Any, sleep: Callable[[float], Any]) -> None:
        self.raw = raw
        self.sleep = sleep

    def read(self, *args: Any) -> bytes:
        data = self.raw.read(*args)
        self.sleep(0)
        return data

    def readline(self, *args: Any) -> bytes:
        data = self.raw.readline(*args)
        self.sleep(0)
        return data

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line


def read_cooperatively(environ: dict[str, Any], sleep: Callable[[float], Any]) -> None:
    """Make the request's body yield while it is read. Call it before anything reads
    the body (``request.files``, ``request.stream``)."""
    environ["wsgi.input"] = _YieldingInput(environ["wsgi.input"], sleep)


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
