"""The job behind ``POST /api/v1/media``: check, clean and store the uploaded file
(``controller.media.ingest``: type by content, whole decode, ffprobe, hashes). The
request left the file in the job's work folder as ``upload``; the answer is the one
the API gave synchronously (201 stored, 200 already there, 422 refused).

The SQLite rule: ``ingest_file`` decodes and hashes before it adds the rows, so the
write lock is held only from that flush to the commit right after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from controller.api.media import as_json
from controller.jobs.context import UPLOAD, JobContext
from controller.jobs.records import JobRefused, Progress
from controller.media.ingest import IngestRefused, ingest_file
from controller.models import Job, User
from controller.review.actor import Actor
from controller.review.audit import record


def run_media_upload(ctx: JobContext, job: Job, folder: Path,
                     progress: Progress) -> tuple[int, dict[str, Any]]:
    name = str(job.params.get("name") or "upload")
    target = folder / UPLOAD
    progress(0, 1, f"Checking {name}", force=True)
    with ctx.sessions() as session:
        try:
            result = ingest_file(session, ctx.store, target, name, ctx.settings)
        except IngestRefused as exc:
            session.rollback()
            raise JobRefused(422, exc.message) from None
        except BaseException:
            session.rollback()
            raise
        body = as_json(result.media, name=result.name)
        if result.existing:
            session.commit()
            return 200, {**body, "existing": True}
        user = session.get(User, job.created_by) if job.created_by is not None else None
        actor = Actor.of(session, user) if user is not None else Actor.system("job")
        record(session, actor, "media.upload", "media", result.media.sha256,
               after={"kind": result.media.kind, "mime": result.media.mime,
                      "size": result.media.size, "original_name": name})
        session.commit()
    progress(1, 1, f"Stored {name}", force=True)
    return 201, {**body, "existing": False}
