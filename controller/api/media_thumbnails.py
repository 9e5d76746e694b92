"""``GET /api/v1/media/<sha256>/thumbnail``: an image's 320×180 thumbnail for the panel
(any user with a personal API token), made on the first request (docs/media.md,
"Renditions"). Immutable like the media files: ETag = the thumbnail's SHA-256.

Registering this blueprint also hands the app's media store to the timeline publisher,
so rebuilds give each screen the renditions for its resolution."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, send_file

from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.auth.users import ROLES
from controller.media.renditions import THUMB, RenditionError, rendition_for
from controller.media.store import is_sha256
from controller.models import Media
from controller.refusals import refusal
from controller.state import db, state

media_thumbnails_api = Blueprint("media_thumbnails_api", __name__, url_prefix="/api/v1")

CACHE_CONTROL = "private, max-age=31536000, immutable"


@media_thumbnails_api.get("/media/<sha256>/thumbnail")
@require_role(*ROLES)
def media_thumbnail(sha256: str) -> Any:
    if not is_sha256(sha256):
        raise ApiError(400, refusal("A media name is a SHA-256: 64 lowercase hex digits."))
    session = db()
    store = state().store
    media = session.get(Media, sha256)
    if media is None or media.kind != "image":
        raise ApiError(404, refusal("No image %(sha256)s.", sha256=sha256))
    try:
        row = rendition_for(session, store, sha256, THUMB)
    except RenditionError as err:
        session.rollback()
        raise ApiError(404, refusal("No thumbnail of %(sha256)s: %(why)s.", sha256=sha256,
                                    why=str(err))) from None
    if row is None:
        raise ApiError(404, refusal("No image %(sha256)s.", sha256=sha256))
    session.commit()
    thumb = session.get(Media, row.rendition_sha256)
    path = store.path_for(row.rendition_sha256)
    if thumb is None or not path.is_file():
        raise ApiError(404, refusal("No thumbnail of %(sha256)s.", sha256=sha256))
    response = send_file(path, mimetype=thumb.mime, conditional=True,
                         etag=row.rendition_sha256, max_age=31536000)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
