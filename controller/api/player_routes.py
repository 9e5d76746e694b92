"""HTTP routes a player uses (docs/protocol.md, section 6), all behind the screen's
Bearer credential: the timeline by polling (with an ETag), heartbeat, ack, emergency
receipts, the clock and the upload of a screenshot a ``screenshot`` command asked for
(or of a periodic capture, ``?periodic=1``: ``controller.screen_truth``).
A player whose WebSocket is blocked on the way lives on these (its "HTTP mode"). The
routes that write (heartbeat, ack, receipt, journal) spend the socket's event budgets, per screen
(``controller.players.event_budget``), once what they were sent is valid: a holder of a
screen's credential cannot make the controller write many times a second. Reads cost
what any request costs; bounding requests per address is nginx's (docs/security.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from controller.api.bearer import bearer_token
from controller.api.errors import ApiError
from controller.api.json_body import JsonBodyRefused, parse_json_body
from controller.edge.limits import MAX_MESSAGE, event_budgets
from controller.emergencies.store import keep_receipt
from controller.models import ScreenCommand
from controller.players import commands, status
from controller.players.event_budget import over_budget_message
from controller.players.heartbeat import HeartbeatRefused, validate_heartbeat
from controller.players.payloads import PayloadRefused, validate_ack, validate_emergency_shown
from controller.players.screen_auth import log_refusal, screen_for_bearer
from controller.plays.batch import validate_batch
from controller.plays.off_loop import store_batch
from controller.screen_truth import intake
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


def _spend(event: str) -> None:
    pano = state()
    interval = pano.settings.heartbeat_interval
    wait = pano.http_budgets.wait(g.screen_id, event, time.monotonic(), interval)
    if wait is not None:
        seconds = max(1, round(wait + 0.5))
        raise ApiError(429, over_budget_message(event_budgets(interval)[event], "per screen"),
                       "rate_limited",
                       headers={"Retry-After": str(seconds)})


def _json_body() -> Any:
    if not request.is_json:
        raise ApiError(400, "Send a JSON body with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body must be a JSON object ({...}); it was empty or null.")
    return body


def _read_body(what: str, limit: int, too_large: str) -> bytes:
    """The raw body, at most ``limit`` bytes: 413 (``too_large``) as soon as more came,
    with or without a Content-Length."""
    request.max_content_length = limit + 1  # one byte more than allowed tells "too large"
    try:
        data = request.stream.read(limit + 1)
    except RequestEntityTooLarge:
        raise _refuse(what, 413, too_large) from None
    if len(data) > limit:
        raise _refuse(what, 413, too_large)
    return data


def _bounded_json_body(limit: int) -> Any:
    """The JSON body, read by this route with at most ``limit`` bytes (werkzeug's own
    bound cuts a body sent without a length silently, which would parse as a truncated
    document)."""
    if not request.is_json:
        raise ApiError(400, "Send a JSON body with 'Content-Type: application/json'.")
    too_large = f"The body may be at most {limit // 1024} KiB."
    if request.content_length is not None and request.content_length > limit:
        raise _refuse("journal", 413, too_large)
    data = _read_body("journal", limit, too_large)
    try:
        return parse_json_body(data)
    except JsonBodyRefused as exc:
        raise _refuse("journal", 400, str(exc)) from None


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
    # A version is never reused for other content, so it names the body: a poll that
    # sends it back in If-None-Match gets 304 and no body.
    tag = f'"{g.screen_id}-{body.get("version")}"'
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
    response = jsonify(body)
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-cache"
    return response


@player_api.post("/player/heartbeat")
@require_screen
def heartbeat() -> Any:
    try:
        facts = validate_heartbeat(_json_body())
    except HeartbeatRefused as exc:
        raise _refuse("heartbeat", 400, str(exc)) from None
    _spend("heartbeat")
    facts["transport"] = "http"  # how it reaches us: no command can reach it this way
    status.record_heartbeat(db(), g.screen_id, facts, request.remote_addr or "")
    return {"ok": True}


@player_api.post("/player/ack")
@require_screen
def ack() -> Any:
    try:
        received = validate_ack(_json_body())
        status.check_ack(db(), g.screen_id, received)
    except PayloadRefused as exc:
        raise _refuse("ack", 400, str(exc)) from None
    _spend("ack")
    status.record_ack(db(), g.screen_id, received)
    return {"ok": True}


@player_api.post("/player/emergency_shown")
@require_screen
def emergency_shown() -> Any:
    """The ``emergency_shown`` receipt of section 5 as a JSON body (a player in HTTP
    mode): the first ``shown_at`` is kept."""
    try:
        shown = validate_emergency_shown(_json_body())
    except PayloadRefused as exc:
        raise _refuse("emergency_shown", 400, str(exc)) from None
    _spend("emergency_shown")
    if not keep_receipt(db(), shown.id, g.screen_id, shown.shown_at):
        raise _refuse("emergency_shown", 400, f"Emergency {shown.id} does not exist or "
                                              f"does not target screen {g.screen_id}.")
    log.info("screen %s showed emergency %d at %s (over HTTP)", g.screen_id, shown.id,
             shown.shown_at.isoformat())
    return {"ok": True}


@player_api.post("/player/journal")
@require_screen
def journal() -> Any:
    """A ``journal`` batch of section 5 as a JSON body (a player in HTTP mode), with the
    event's answer. The body is read here, at most the socket's message size (64 KiB; a
    batch is at most 60 KiB): a larger one, with or without a Content-Length, is refused
    with 413 once that much is read, before anything is parsed."""
    try:
        batch = validate_batch(_bounded_json_body(int(MAX_MESSAGE.value)))
    except PayloadRefused as exc:
        raise _refuse("journal", 400, str(exc)) from None
    _spend("journal")
    return store_batch(db(), state().session_factory, g.screen_id, batch)


@player_api.get("/time")
@require_screen
def server_time() -> Any:
    return {"server_time": time.time()}


@player_api.put("/player/screenshot")
@require_screen
def screenshot() -> Any:
    """The PNG (or JPEG) a ``screenshot`` command asked for, as the raw body, at most
    8 MiB (the app's 64 KiB limit is raised for this route only)."""
    limit = commands.SCREENSHOT_MAX_BYTES
    too_large = f"A screenshot may be at most {limit // (1024 * 1024)} MiB."
    if request.content_length is not None and request.content_length > limit:
        raise _refuse("screenshot", 413, too_large)
    if request.args.get("periodic") == "1":
        return _periodic_capture(limit, too_large)
    command_id = request.args.get("command", "")
    if not commands.is_command_id(command_id):
        raise _refuse("screenshot", 400, "Give the command's id: PUT "
                                         "/api/v1/player/screenshot?command=<id>.")
    session = db()
    command = session.get(ScreenCommand, command_id)
    if command is None or command.screen_id != g.screen_id \
            or command.command != "screenshot":
        raise _refuse("screenshot", 404, f"No screenshot command {command_id} for screen "
                                         f"{g.screen_id}.")
    if command.status != "sent":
        raise _refuse("screenshot", 409, f"Command {command_id} is already {command.status}.")
    data = _read_body("screenshot", limit, too_large)
    try:
        facts = commands.store_screenshot(session, state().settings.media_dir, command, data)
    except commands.CommandRefused as exc:
        session.rollback()
        raise _refuse("screenshot", 400, str(exc)) from None
    log.info("screen %s uploaded screenshot %s (%s×%s, %d bytes)", g.screen_id, command_id,
             facts["width"], facts["height"], facts["size"])
    return {"ok": True, "id": command_id, **facts}


def _periodic_capture(limit: int, too_large: str) -> Any:
    """``?periodic=1&item=<id>&languages=vi,en[&page_item=<id>]``: a capture the player
    takes by itself every ``capture_interval`` minutes, judged by
    ``controller.screen_truth``; no command names it."""
    try:
        item, languages, page = intake.parse_args(request.args)
        data = _read_body("capture", limit, too_large)
        answer = intake.receive(db(), state().settings, g.screen_id, data, item, languages,
                                page)
    except intake.CaptureRefused as exc:
        raise _refuse("capture", exc.status, str(exc)) from None
    log.info("screen %s sent a periodic capture: %s (%s)", g.screen_id, answer["verdict"],
             answer["reason"])
    return {"ok": True, **answer}
