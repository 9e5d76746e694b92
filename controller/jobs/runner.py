"""Run one job by id in the worker: claim it and its work folder, call its kind, store
the outcome, remove the folder. A refusal (:class:`JobRefused`) is stored as the API
would have answered it; anything else as a 500 whose message points at the log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controller.housekeeping.work_folders import FolderInUse, WorkFolder
from controller.jobs import records
from controller.jobs.context import JobContext, job_folder
from controller.jobs.records import JobRefused, Progress
from controller.models import Job
from controller.qr.allowlist import allowed_domains
from controller.refusals import refusal

log = logging.getLogger("pano.jobs")

# A kind: (context, job, its work folder, progress) -> (HTTP status, the body the
# synchronous API answers).
Kind = Callable[[JobContext, Job, Path, Progress], tuple[int, dict[str, Any]]]
GONE = refusal("This job's upload is no longer on the server (removed while the job "
               "waited); send the file again.")


def kinds() -> dict[str, Kind]:
    from controller.jobs.media_upload import run_media_upload
    from controller.jobs.playlist_import import run_playlist_import

    return {"playlist_import": run_playlist_import, "media_upload": run_media_upload}


def run_job(ctx: JobContext, job_id: str, worker: str) -> None:
    job = records.start(ctx.sessions, job_id, worker)
    if job is None:
        log.info("job %s is not queued any more; skipped", job_id)
        return
    log.info("job %s (%s) started", job.id, job.kind)
    try:
        kind = kinds().get(job.kind)
        if kind is None:
            raise JobRefused(500, refusal("Unknown job kind %(kind)r.", kind=job.kind))
        try:
            folder = WorkFolder.claim(job_folder(ctx.settings, str(job.params.get("folder"))))
        except (OSError, ValueError, FolderInUse):
            raise JobRefused(500, GONE) from None
        with folder, allowed_domains(ctx.settings.qr_allowed_domains):  # QR links
            status, body = kind(ctx, job, folder.path, Progress(ctx.sessions, job.id))
    except JobRefused as exc:
        records.fail(ctx.sessions, job.id, exc.status, exc.message)
        log.info("job %s (%s) refused: %s", job.id, job.kind, exc.message)
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        records.fail(ctx.sessions, job.id, 500, refusal(
            "The job failed unexpectedly; the job worker's log says why."))
    else:
        records.finish(ctx.sessions, job.id, status, body)
        log.info("job %s (%s) done", job.id, job.kind)
