"""``GET /media/<sha256>``: content-addressed files for players (screen credential) and
users (personal API token). Immutable: ETag = the hash, Range and If-None-Match work.

A screen credential opens only the files the screen's own timelines name, now or within
the last day (``controller.timeline.media_access``: one primary-key lookup); anything
else, a draft's upload included, is 403 whether it exists or not. A personal API token
opens every file, as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request, send_file

from controller.api.bearer import bearer_token
from controller.api.errors import ApiError
from controller.api.user_auth import authenticated_user
from controller.media.store import is_sha256
from controller.metrics.registry import MEDIA_BYTES_SERVED
from controller.models import Media
from controller.players.screen_auth import log_refusal, screen_for_bearer, security_log
from controller.refusals import refusal
from controller.state import db, state
from controller.timeline.media_access import GRACE, may_fetch

media_routes = Blueprint("media_routes", __name__)

CACHE_CONTROL = "private, max-age=31536000, immutable"


@media_routes.get("/media/<path:name>")
def media_file(name: str) -> Any:
    token = bearer_token()
    if token is None:
        message = refusal("Missing credential: send 'Authorization: Bearer <screen "
                          "token>'.")
        log_refusal(None, request.remote_addr, f"{message} ({request.path})")
        raise ApiError(401, message)
    screen = screen_for_bearer(db(), token)
    if screen is None and authenticated_user() is None:
        message = refusal("Wrong or revoked credential.")
        log_refusal(None, request.remote_addr, f"{message} ({request.path})")
        raise ApiError(401, message)
    if not is_sha256(name):
        raise ApiError(400, refusal("A media name is a SHA-256: 64 lowercase hex digits."))
    if screen is not None and not may_fetch(db(), screen.id, name, datetime.now(UTC)):
        message = refusal("Media %(sha256)s is not in the timeline of screen %(screen)s: a "
                          "screen may fetch only the files its own timeline names (or named "
                          "within the last %(hours)s hours).", sha256=name, screen=screen.id,
                          hours=format(GRACE.total_seconds() / 3600, "g"))
        security_log.warning("media refused: screen=%s address=%s media=%s (not in its "
                             "timelines)", screen.id, request.remote_addr or "-", name)
        raise ApiError(403, message)
    store = state().store
    path = store.path_for(name)
    if not store.exists(name) or not path.is_file():
        raise ApiError(404, refusal("No media file %(sha256)s.", sha256=name))
    media = db().get(Media, name)
    response = send_file(path, mimetype=media.mime if media else "application/octet-stream",
                         conditional=True, etag=name, max_age=31536000)
    response.headers["Cache-Control"] = CACHE_CONTROL
    if request.method != "HEAD":  # the body's length: the range asked for, 0 on a 304
        MEDIA_BYTES_SERVED.inc(response.content_length or 0)
    return response
