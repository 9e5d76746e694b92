"""Media over the API (docs/media.md): upload a file (``POST /api/v1/media``, admins and
editors), list the uploaded files and read one. The file itself is served by
``GET /media/<sha256>`` (``controller/media/routes.py``).

An upload is hostile until checked: it is streamed to a job's work folder (never held in
memory, never named after the upload) and goes through ``controller.media.ingest`` in the
job worker (``controller/jobs/media_upload.py``), which decides its type by content,
refuses what it cannot vouch for (422) and stores it clean. The answer is the same when
the job ends within ``jobs_wait`` seconds, else a 202 with the job to follow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy import and_, or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from controller.api.errors import ApiError
from controller.api.jobs import hand_over
from controller.api.user_auth import require_role
from controller.jobs.waiting import read_cooperatively
from controller.media.ingest import display_name
from controller.media.store import is_sha256
from controller.models import Media, MediaUpload
from controller.refusals import refusal
from controller.state import db, state

media_api = Blueprint("media_api", __name__, url_prefix="/api/v1")

UPLOADERS = ("admin", "editor")
READERS = ("admin", "editor", "approver", "emergency", "technician", "viewer")
KINDS = ("image", "video")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
MULTIPART_OVERHEAD = 64 * 1024  # bytes of multipart framing allowed beyond the file


def as_json(media: Media, *, name: str | None = None,
            created: datetime | None = None) -> dict[str, Any]:
    """A media file as the API shows it; ``name`` and ``created``: those of one upload
    of it (the library lists each name a file was uploaded under), else the first."""
    created = created or media.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return {"sha256": media.sha256, "kind": media.kind, "mime": media.mime,
            "size": media.size, "width": media.width, "height": media.height,
            "duration": media.duration,
            "original_name": media.original_name if name is None else name,
            "created": created.astimezone(UTC).isoformat().replace("+00:00", "Z")}


@media_api.post("/media")
@require_role(*UPLOADERS)
def upload() -> Any:
    settings = state().settings
    limit = settings.max_upload_mb * 1024 * 1024
    too_large = refusal("The file is larger than the upload limit of %(mib)s MiB "
                        "(max_upload_mb in the settings).", mib=settings.max_upload_mb)
    if request.content_length is not None and request.content_length > (
            limit + MULTIPART_OVERHEAD):
        raise ApiError(413, too_large)
    read_cooperatively(request.environ, state().socketio.sleep)
    request.max_content_length = limit + MULTIPART_OVERHEAD
    if request.mimetype != "multipart/form-data":
        raise ApiError(400, refusal("Send the file as multipart/form-data in the field "
                                    "'file'."))
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise ApiError(413, too_large) from None
    upload_file = files.get("file")
    if upload_file is None:
        raise ApiError(400, refusal("No file: send it in the multipart field 'file'."))
    extra = sorted(set(files) - {"file"}) + sorted(form)
    if extra:
        raise ApiError(400, refusal("Unknown field(s): %(fields)s (send only 'file').",
                                    fields=", ".join(extra)))
    name = display_name(upload_file.filename)
    # Decoding, cleaning, ffprobe and hashing are the job worker's
    # (controller/jobs/media_upload.py): this process serves every socket.
    return hand_over("media_upload", name, upload_file.stream, limit, too_large,
                     f"Waiting to check {name}")


@media_api.get("/media")
@require_role(*READERS)
def list_media() -> Any:
    args = request.args
    unknown = sorted(set(args) - {"kind", "limit", "before"})
    if unknown:
        raise ApiError(400, refusal("Unknown parameter(s): %(names)s (use kind, limit, "
                                    "before).", names=", ".join(unknown)))
    # One entry per name a file was uploaded under (controller/media/ingest.py).
    query = select(MediaUpload, Media).join(
        Media, Media.sha256 == MediaUpload.media_sha256).where(Media.origin == "upload")
    kind = args.get("kind")
    if kind is not None:
        if kind not in KINDS:
            raise ApiError(400, refusal("'kind' must be image or video, got %(kind)r.",
                                        kind=kind[:20]))
        query = query.where(Media.kind == kind)
    limit = DEFAULT_LIMIT
    if args.get("limit") is not None:
        raw = args["limit"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise ApiError(400, refusal("'limit' must be a whole number from 1 to "
                                        "%(most)d.", most=MAX_LIMIT))
        limit = int(raw)
    session = db()
    before = args.get("before")
    if before is not None:
        cursor = _cursor(before)
        query = query.where(or_(MediaUpload.created_at < cursor.created_at,
                                and_(MediaUpload.created_at == cursor.created_at,
                                     MediaUpload.id < cursor.id)))
    rows = list(session.execute(query.order_by(MediaUpload.created_at.desc(),
                                               MediaUpload.id.desc()).limit(limit)))
    more = len(rows) == limit
    return {"media": [as_json(m, name=u.original_name, created=u.created_at)
                      for u, m in rows],
            "next_before": str(rows[-1][0].id) if rows and more else None}


def _cursor(before: str) -> MediaUpload:
    """The library entry a page ends with: its number (``next_before``), or a media
    SHA-256 (as earlier pages said), meaning that file's newest entry."""
    session = db()
    entry = None
    if is_sha256(before):
        entry = session.scalars(select(MediaUpload).where(
            MediaUpload.media_sha256 == before).order_by(
            MediaUpload.created_at.desc(), MediaUpload.id.desc()).limit(1)).first()
    elif before.isdigit() and len(before) <= 18:
        entry = session.get(MediaUpload, int(before))
    else:
        raise ApiError(400, refusal("'before' must be the 'next_before' of the previous "
                                    "page."))
    if entry is None:
        raise ApiError(400, refusal("'before': no media entry %(before)s.",
                                    before=before[:64]))
    return entry


@media_api.get("/media/<sha256>")
@require_role(*READERS)
def one(sha256: str) -> Any:
    if not is_sha256(sha256):
        raise ApiError(400, refusal("A media name is a SHA-256: 64 lowercase hex digits."))
    media = db().get(Media, sha256)
    if media is None:
        raise ApiError(404, refusal("No media file %(sha256)s.", sha256=sha256))
    return as_json(media)
