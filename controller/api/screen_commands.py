"""Remote commands to a screen's player (docs/api-admin.md, "Remote commands"), for
admins and technicians:

- ``POST /api/v1/screens/<screen_id>/commands`` ``{"command": "identify"|"reload"|
  "clear_cache"|"screenshot"|"restart"|"reboot", "args": {...}}`` (a reboot also needs
  ``"confirm": true``) records the command, audits it and emits
  ``command`` to the screen's room (through the message queue when there is one, so it
  reaches the player whichever process holds its socket); 202 ``status: "sent"``.
- ``GET /api/v1/screens/<screen_id>/commands/<command_id>``: ``sent``, ``done`` or
  ``failed``, with the player's message and the time it finished.
- ``GET /api/v1/screens/<screen_id>/screenshot``: the newest screenshot the player
  uploaded (``PUT /api/v1/player/screenshot``, controller/api/player_routes.py).

The record and the screenshots are kept by ``controller.players.commands``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, request

from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.models import Screen, ScreenCommand, ScreenStatus
from controller.players import commands
from controller.refusals import refusal
from controller.review.audit import record
from controller.state import db, state
from controller.timeline.publisher import NAMESPACE, room_for

log = logging.getLogger("pano.players")

screen_commands_api = Blueprint("screen_commands_api", __name__, url_prefix="/api/v1")

ROLES = ("admin", "technician")


def _screen(screen_id: str) -> Screen:
    screen = db().get(Screen, screen_id) if len(screen_id) <= 64 else None
    if screen is None:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=screen_id[:64]))
    return screen


@screen_commands_api.post("/screens/<screen_id>/commands")
@require_role(*ROLES)
def send_command(screen_id: str) -> Any:
    screen = _screen(screen_id)
    if not request.is_json:
        raise ApiError(400, refusal("Send a JSON body such as {\"command\": \"identify\"} "
                                    "with 'Content-Type: application/json'."))
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, refusal("The body must be a JSON object ({...}); it was empty or "
                                    "null."))
    try:
        name, args = commands.validate_request(body)
    except commands.CommandRefused as exc:
        raise ApiError(400, str(exc)) from None
    session = db()
    why = commands.unreachable(session, screen.id, state().settings.heartbeat_interval)
    if why is not None:
        raise ApiError(409, why)
    actor = current_actor()
    command = commands.create(session, screen.id, name, args, g.user.username)
    record(session, actor, "screen.command", "screen", screen.id,
           after={"id": command.id, "command": name, "args": args,
                  **({"confirmed": True} if body.get("confirm") is True else {})})
    session.commit()
    try:
        state().socketio.emit("command", commands.event_payload(command),
                              to=room_for(screen.id), namespace=NAMESPACE)
    except Exception as exc:  # e.g. the message queue (Redis) is down
        log.exception("cannot emit command %s to screen %s", command.id, screen.id)
        commands.finish(session, command.id, screen.id, False,
                        f"Could not be sent: {str(exc)[:200]}")
        raise ApiError(500, refusal("The command could not be sent to screen %(screen)s "
                                    "(message queue error; it has been logged).",
                                    screen=screen.id)) from None
    log.info("user %s sent %s %s to screen %s", g.user.username, name, command.id, screen.id)
    return {"id": command.id, "command": name, "args": args, "screen": screen.id,
            "status": "sent",
            "url": f"/api/v1/screens/{screen.id}/commands/{command.id}"}, 202


@screen_commands_api.get("/screens/<screen_id>/commands/<command_id>")
@require_role(*ROLES)
def command_status(screen_id: str, command_id: str) -> Any:
    screen = _screen(screen_id)
    session = db()
    command = session.get(ScreenCommand, command_id) if len(command_id) <= 36 else None
    if command is None or command.screen_id != screen.id:
        raise ApiError(404, refusal("No command %(command)r for screen %(screen)s.",
                                    command=command_id[:40], screen=screen.id))
    command = commands.expire_if_late(session, command)
    return commands.as_json(command, session.get(ScreenStatus, screen.id))


@screen_commands_api.get("/screens/<screen_id>/screenshot")
@require_role(*ROLES)
def screenshot(screen_id: str) -> Any:
    screen = _screen(screen_id)
    shot = commands.latest_screenshot(db(), state().settings.media_dir, screen.id)
    if shot is None:
        raise ApiError(404, refusal("No screenshot of screen %(screen)s yet: send it the "
                                    "'screenshot' command (POST …/commands).",
                                    screen=screen.id))
    try:
        data = shot.path.read_bytes()  # at most 8 MiB; a newer one may replace it
    except FileNotFoundError:
        raise ApiError(404, refusal("The screenshot of screen %(screen)s was just replaced; "
                                    "ask again.", screen=screen.id)) from None
    response = Response(data, mimetype=shot.mime)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Pano-Taken-At"] = shot.taken_at
    response.headers["X-Pano-Command"] = shot.command_id
    return response
