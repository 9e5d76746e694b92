"""``GET /media/<sha256>``: content-addressed files for players (screen credential) and
users (personal API token). Immutable: ETag = the hash, Range and If-None-Match work."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, send_file

from controller.api.bearer import bearer_token
from controller.api.errors import ApiError
from controller.api.user_auth import authenticated_user
from controller.media.store import is_sha256
from controller.models import Media
from controller.players.screen_auth import log_refusal, screen_for_bearer
from controller.state import db, state

media_routes = Blueprint("media_routes", __name__)

CACHE_CONTROL = "private, max-age=31536000, immutable"


@media_routes.get("/media/<path:name>")
def media_file(name: str) -> Any:
    token = bearer_token()
    if token is None:
        message = "Missing credential: send 'Authorization: Bearer <screen token>'."
        log_refusal(None, request.remote_addr, f"{message} ({request.path})")
        raise ApiError(401, message)
    if screen_for_bearer(db(), token) is None and authenticated_user() is None:
        message = "Wrong or revoked credential."
        log_refusal(None, request.remote_addr, f"{message} ({request.path})")
        raise ApiError(401, message)
    if not is_sha256(name):
        raise ApiError(400, "A media name is a SHA-256: 64 lowercase hex digits.")
    store = state().store
    path = store.path_for(name)
    if not store.exists(name) or not path.is_file():
        raise ApiError(404, f"No media file {name}.")
    media = db().get(Media, name)
    response = send_file(path, mimetype=media.mime if media else "application/octet-stream",
                         conditional=True, etag=name, max_age=31536000)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
