"""The ``jobs`` table: one row per job, the person's view of it.

A job is ``queued`` when the request enqueues it, ``running`` once a worker claims it,
then ``done`` (``result``: the body the synchronous API answers, ``result_status``) or
``failed`` (``error_status`` and ``error_message``: the same sentences the API answers
with, in English; ``error_refusal``: the refusal's template and parameters, so it is
said again in the reader's language, :func:`refusal_of`). A status never goes back.
Every write here is its own short transaction (the SQLite rule,
``controller/jobs/__init__.py``).

A worker that dies (``kill -9``, a machine restarting) cannot mark its jobs failed. So
running jobs carry a heartbeat (``worker`` names the process, ``heartbeat_at`` is
refreshed every few seconds): a running job whose heartbeat is older than
``STALE_AFTER`` is shown failed at once (computed when read, like a screen's presence),
and the supervisor or the next worker to start stores that."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from controller.models import Job, User, utcnow
from controller.refusals import LANGUAGES, Refusal, from_json, refusal

log = logging.getLogger("pano.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
HEARTBEAT_EVERY = 5.0  # seconds between a worker's heartbeats
STALE_AFTER = timedelta(seconds=30)  # six missed heartbeats: the worker is gone
PROGRESS_EVERY = 0.25  # seconds: at most four progress writes a second
ABANDONED = refusal("The worker doing this job stopped before it finished (it was "
                    "killed or its machine restarted); nothing of it was kept. Send the "
                    "file again.")


class JobRefused(Exception):
    """The job's work is refused: ``status`` and ``message`` as the synchronous API
    would have answered (400, 413, 422, 403, 409…)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def worker_name() -> str:
    """This process as a job's ``worker``: host and process id."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def new_id() -> str:
    return str(uuid.uuid4())


def create(session: Session, job_id: str, kind: str, params: dict[str, Any],
           user_id: int | None, message: str) -> Job:
    """Add a queued job to ``session`` (the caller commits, then enqueues)."""
    job = Job(id=job_id, kind=kind, status=QUEUED, params=params,
              created_by=user_id, progress_message=message[:200])
    session.add(job)
    session.flush()
    return job


def start(sessions: sessionmaker[Session], job_id: str, worker: str) -> Job | None:
    """Claim a queued job for ``worker``: the row, or None when it is not queued any
    more (already failed as abandoned, or run by someone else)."""
    now = utcnow()
    with sessions() as session:
        claimed = session.execute(
            update(Job).where(Job.id == job_id, Job.status == QUEUED)
            .values(status=RUNNING, started_at=now, heartbeat_at=now, worker=worker))
        session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(Job, job_id)


def finish(sessions: sessionmaker[Session], job_id: str, status: int,
           result: dict[str, Any]) -> None:
    _close(sessions, job_id, status=DONE, result=result, result_status=status,
           progress_message="")


def fail(sessions: sessionmaker[Session], job_id: str, status: int, message: str) -> None:
    _close(sessions, job_id, status=FAILED, error_status=status, error_message=message,
           error_refusal=stored_refusal(message))


def stored_refusal(message: str) -> dict[str, Any] | None:
    """``message``'s template and parameters as JSON (``error_refusal``) when it is a
    refusal that reads back as the same sentence; None for plain text."""
    if not isinstance(message, Refusal):
        return None
    try:
        data = json.loads(json.dumps(message.as_json(), default=str))
    except (TypeError, ValueError, RecursionError):
        return None
    return data if _read_back(data, message) is not None else None


def refusal_of(job: Job, default: str = ABANDONED) -> str:
    """A failed job's refusal, to be said in the reader's language: read back from
    ``error_refusal``, else ``error_message`` as it is (jobs failed before the column
    existed). The stored JSON is not trusted: a value that does not read back as the
    stored English sentence, or cannot be said in every language, gives the text."""
    text = job.error_message or default
    if job.error_refusal is None:
        return text
    return _read_back(job.error_refusal, text) or text


def _read_back(data: Any, text: str) -> Refusal | None:
    try:
        message = from_json(data)
        if not isinstance(message, Refusal) or str.__str__(message) != text:
            return None
        for language in LANGUAGES:
            message.said_in(language)
    except Exception:  # a corrupt template or parameters: the caller keeps the text
        return None
    return message


def _close(sessions: sessionmaker[Session], job_id: str, **values: Any) -> None:
    with sessions() as session:
        session.execute(update(Job).where(Job.id == job_id,
                                          Job.status.in_((QUEUED, RUNNING)))
                        .values(finished_at=utcnow(), **values))
        session.commit()


class Progress:
    """How far a running job is, written at most every ``PROGRESS_EVERY`` seconds (the
    last step of a phase always) in a short transaction of its own: never inside the
    job's own write transaction (the SQLite rule)."""

    def __init__(self, sessions: sessionmaker[Session], job_id: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.clock = clock
        self.last = -PROGRESS_EVERY
        self.samples: list[tuple[int, int, str]] = []

    def __call__(self, done: int, total: int, message: str, *, force: bool = False) -> None:
        now = self.clock()
        if not force and done < total and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        self.samples.append((done, total, message))
        with self.sessions() as session:
            session.execute(update(Job).where(Job.id == self.job_id, Job.status == RUNNING)
                            .values(progress_done=done, progress_total=total,
                                    progress_message=message[:200],
                                    heartbeat_at=utcnow()))
            session.commit()


def beat(sessions: sessionmaker[Session], worker: str) -> None:
    """The heartbeat of every job ``worker`` is running (one short UPDATE)."""
    with sessions() as session:
        session.execute(update(Job).where(Job.worker == worker, Job.status == RUNNING)
                        .values(heartbeat_at=utcnow()))
        session.commit()


def is_abandoned(job: Job, now: datetime | None = None) -> bool:
    """A running job whose worker has not been heard of for ``STALE_AFTER``."""
    if job.status != RUNNING or job.heartbeat_at is None:
        return False
    beat_at = job.heartbeat_at if job.heartbeat_at.tzinfo else job.heartbeat_at.replace(
        tzinfo=UTC)
    return (now or utcnow()) - beat_at > STALE_AFTER


def fail_abandoned(sessions: sessionmaker[Session], *, worker: str | None = None,
                   dead: Callable[[str], bool] | None = None) -> list[str]:
    """Store as failed the running jobs whose worker is gone: those of ``worker`` (a
    process known to have died), those whose worker ``dead`` says is gone, and any
    whose heartbeat is stale. Returns their ids."""
    now = utcnow()
    with sessions() as session:
        rows = list(session.scalars(select(Job).where(Job.status == RUNNING)))
        gone = [j.id for j in rows if j.worker == worker or is_abandoned(j, now)
                or (dead is not None and j.worker is not None and dead(j.worker))]
        if gone:
            session.execute(update(Job).where(Job.id.in_(gone), Job.status == RUNNING)
                            .values(status=FAILED, finished_at=now, error_status=500,
                                    error_message=ABANDONED,
                                    error_refusal=stored_refusal(ABANDONED)))
            session.commit()
    for job_id in gone:
        log.warning("job %s failed: its worker stopped while running it", job_id)
    return gone


def dead_on_this_host(worker: str) -> bool:
    """For :func:`fail_abandoned` at a worker's start: a worker of this machine whose
    process is gone."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def visible(session: Session, user: User, limit: int = 50) -> list[Job]:
    """A person's recent jobs, newest first; an admin sees everyone's."""
    query = select(Job)
    if user.role != "admin":
        query = query.where(Job.created_by == user.id)
    return list(session.scalars(query.order_by(Job.created_at.desc(), Job.id).limit(limit)))


def may_see(user: User, job: Job) -> bool:
    return user.role == "admin" or job.created_by == user.id

