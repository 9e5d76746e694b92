"""HTTP routes a player uses (docs/protocol.md, section 6), all behind the screen's
Bearer credential: the timeline by polling, heartbeat, ack and the clock."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, g, request

from controller.api.bearer import bearer_token
from controller.api.errors import ApiError
from controller.players import status
from controller.players.heartbeat import HeartbeatRefused, validate_heartbeat
from controller.players.payloads import PayloadRefused, validate_ack
from controller.players.screen_auth import log_refusal, screen_for_bearer
from controller.state import db, state

log = logging.getLogger("pano.players")

player_api = Blueprint("player_api", __name__, url_prefix="/api/v1")

F = TypeVar("F", bound=Callable[..., Any])


def require_screen(view: F) -> F:
    """401 (logged to ``pano.security``) unless the request carries a screen's current
    credential; sets ``g.screen_id``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        claimed = request.args.get("screen")
        if token is None:
            message = "Missing credential: send 'Authorization: Bearer <screen token>'."
            log_refusal(claimed, request.remote_addr, message)
            raise ApiError(401, message)
        screen = screen_for_bearer(db(), token)
        if screen is None:
            message = "Wrong or revoked screen credential."
            log_refusal(claimed, request.remote_addr, message)
            raise ApiError(401, message)
        g.screen_id = screen.id
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _json_body() -> Any:
    if not request.is_json:
        raise ApiError(400, "Send a JSON body with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body is not valid JSON.")
    return body


def _refuse(what: str, status_code: int, message: str) -> ApiError:
    log.warning("refused %s from screen=%s address=%s: %s", what, g.screen_id,
                request.remote_addr, message)
    return ApiError(status_code, message)


@player_api.get("/player/timeline")
@require_screen
def timeline() -> Any:
    claimed = request.args.get("screen")
    if claimed is not None and claimed != g.screen_id:
        raise _refuse("timeline", 403, f"This credential belongs to screen {g.screen_id!r}, "
                                       f"not {claimed[:64]!r}.")
    body = state().publisher.timeline_for(db(), g.screen_id)
    if body is None:
        raise ApiError(404, f"No timeline for screen {g.screen_id!r}.")
    return body


@player_api.post("/player/heartbeat")
@require_screen
def heartbeat() -> Any:
    try:
        facts = validate_heartbeat(_json_body())
    except HeartbeatRefused as exc:
        raise _refuse("heartbeat", 400, str(exc)) from None
    status.record_heartbeat(db(), g.screen_id, facts, request.remote_addr or "")
    return {"ok": True}


@player_api.post("/player/ack")
@require_screen
def ack() -> Any:
    try:
        received = validate_ack(_json_body())
    except PayloadRefused as exc:
        raise _refuse("ack", 400, str(exc)) from None
    status.record_ack(db(), g.screen_id, received)
    return {"ok": True}


@player_api.get("/time")
@require_screen
def server_time() -> Any:
    return {"server_time": time.time()}
