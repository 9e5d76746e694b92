"""Jobs over HTTP (docs/api-admin.md, "Jobs"): the routes that hand CPU-heavy work to
the job worker use :func:`hand_over`, which answers as the synchronous API did when the
job ends within ``jobs_wait`` seconds and ``202 Accepted`` with the job otherwise;
``GET /api/v1/jobs/<id>`` follows a job (its creator and admins; others get 404, as if
it did not exist), ``GET /api/v1/jobs`` lists the caller's recent ones (admins: all)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from flask import Blueprint, Flask, current_app, g, request
from sqlalchemy import select

from controller.api.errors import ERROR_CODES, ApiError, said_to_caller
from controller.api.playlists import iso
from controller.api.user_auth import require_role
from controller.housekeeping.work_folders import WorkFolder
from controller.jobs import records
from controller.jobs.context import FOLDER_PURPOSE, KEEP_QUEUED, UPLOAD
from controller.jobs.queue import JobQueue
from controller.jobs.waiting import UploadTooLarge, save_upload, wait_for
from controller.models import Job, User
from controller.refusals import refusal
from controller.state import db, state

jobs_api = Blueprint("jobs_api", __name__, url_prefix="/api/v1")

READERS = ("admin", "editor", "approver", "emergency", "technician", "viewer")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
# kind -> the body the synchronous API answers, from a done job's stored result.
ANSWERS: dict[str, Callable[[Job], dict[str, Any]]] = {}


def queue_of(app: Flask) -> JobQueue:
    """The app's queue (made on first use; this process only enqueues)."""
    queue = app.extensions.get("pano.jobs")
    if queue is None:
        queue = app.extensions["pano.jobs"] = JobQueue(app.extensions["pano"].settings)
    return queue


def job_queue() -> JobQueue:
    return queue_of(current_app)


def hand_over(kind: str, name: str, stream: IO[bytes], limit: int, too_large: str,
              message: str) -> Any:
    """Copy the upload into a new job's work folder, queue the job, wait for it
    (bounded, cooperatively) and answer."""
    settings = state().settings
    job_id = records.new_id()
    sleep = state().socketio.sleep
    folder = WorkFolder.create(Path(settings.data_dir), FOLDER_PURPOSE)
    try:
        save_upload(stream, folder.path / UPLOAD, limit, sleep)
        session = db()
        records.create(session, job_id, kind, {"name": name, "folder": folder.path.name},
                       g.user.id, message)
        session.commit()
    except UploadTooLarge:
        folder.remove()
        raise ApiError(413, too_large) from None
    except BaseException:
        folder.remove()
        raise
    folder.release(KEEP_QUEUED)  # the worker claims it; sweeps spare it meanwhile
    try:
        job_queue().enqueue(job_id)
    except Exception as exc:
        records.fail(state().session_factory, job_id, 503, refusal(
            "The job queue cannot be reached; try again in a minute."))
        raise ApiError(503, refusal("The job queue cannot be reached (%(why)s); try again "
                                    "in a minute.", why=type(exc).__name__)) from None
    job = wait_for(state().session_factory, job_id, settings.jobs_wait, sleep)
    assert job is not None
    return answer(job)


def answer(job: Job) -> Any:
    if records.is_abandoned(job):
        raise ApiError(500, records.ABANDONED)
    if job.status == records.DONE:
        return _result(job), job.result_status or 200
    if job.status == records.FAILED:
        raise ApiError(job.error_status or 500,
                       records.refusal_of(job, refusal("The job failed.")))
    return as_json(job), 202, {"Location": f"/api/v1/jobs/{job.id}"}


def _result(job: Job) -> dict[str, Any] | None:
    if job.status != records.DONE or job.result is None:
        return None
    build = ANSWERS.get(job.kind)
    return build(job) if build is not None else job.result


def as_json(job: Job, username: str | None = None) -> dict[str, Any]:
    status = records.FAILED if records.is_abandoned(job) else job.status
    error = None
    if status == records.FAILED:
        code = job.error_status or 500
        error = {"status": code, "error": ERROR_CODES.get(code, "error"),
                 **said_to_caller(records.refusal_of(job))}
    return {"id": job.id, "kind": job.kind, "status": status,
            "progress": {"done": job.progress_done, "total": job.progress_total,
                         "message": job.progress_message},
            "name": job.params.get("name"), "created_by": username,
            "created_at": iso(job.created_at), "started_at": iso(job.started_at),
            "finished_at": iso(job.finished_at),
            "result_status": job.result_status if status == records.DONE else None,
            "result": _result(job) if status == records.DONE else None,
            "error": error, "url": f"/api/v1/jobs/{job.id}"}


def _username(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db().scalar(select(User.username).where(User.id == user_id))


@jobs_api.get("/jobs/<job_id>")
@require_role(*READERS)
def one(job_id: str) -> Any:
    job = db().get(Job, job_id[:36])
    if job is None or not records.may_see(g.user, job):
        raise ApiError(404, refusal("No job %(job)r of yours.", job=job_id[:36]))
    return as_json(job, _username(job.created_by))


@jobs_api.get("/jobs")
@require_role(*READERS)
def list_jobs() -> Any:
    unknown = sorted(set(request.args) - {"limit"})
    if unknown:
        raise ApiError(400, refusal("Unknown parameter(s): %(names)s (use limit).",
                                    names=", ".join(unknown)))
    limit = DEFAULT_LIMIT
    raw = request.args.get("limit")
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise ApiError(400, refusal("'limit' must be a whole number from 1 to "
                                        "%(most)d.", most=MAX_LIMIT))
        limit = int(raw)
    jobs = records.visible(db(), g.user, limit)
    names = {u.id: u.username for u in db().scalars(
        select(User).where(User.id.in_({j.created_by for j in jobs if j.created_by})))}
    return {"jobs": [as_json(j, names.get(j.created_by)) if j.created_by else as_json(j)
                     for j in jobs]}

